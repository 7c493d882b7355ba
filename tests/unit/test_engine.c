/* test_engine.c — event list, simulation loop, arena, RNG streams. */
#include <math.h>
#include <stdlib.h>

#include "../check.h"
#include "engine/arena.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "engine/sim.h"

static void nop(struct sim *s, void *o, uint64_t a) { (void)s, (void)o, (void)a; }

/* Events with equal times come out by priority, then in insertion order. */
static void test_evq_order(void)
{
	struct evq q;
	struct evq_event ev;
	double t;
	uint64_t got[6];
	int n = 0;

	evq_init(&q);
	evq_push(&q, 2.0, 5, nop, NULL, 0);
	evq_push(&q, 1.0, 5, nop, NULL, 1);
	evq_push(&q, 1.0, 5, nop, NULL, 2);
	evq_push(&q, 1.0, 1, nop, NULL, 3);
	evq_push(&q, 0.5, 200, nop, NULL, 4);
	evq_push(&q, 1.0, 5, nop, NULL, 5);
	while (evq_pop(&q, &t, &ev))
		got[n++] = ev.arg;
	CHECK_INT(n, 6);
	CHECK_INT(got[0], 4);
	CHECK_INT(got[1], 3);
	CHECK_INT(got[2], 1);
	CHECK_INT(got[3], 2);
	CHECK_INT(got[4], 5);
	CHECK_INT(got[5], 0);
	evq_fini(&q);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Random pushes, cancellations and pops against a sorted reference. */
static void test_evq_random(void)
{
	struct evq q;
	struct rng r;
	enum { N = 20000 };
	evq_handle *h = malloc(N * sizeof *h);
	double *t = malloc(N * sizeof *t), *ref = malloc(N * sizeof *ref), tt;
	int *cancelled = calloc(N, sizeof *cancelled), nref = 0, popped = 0, stale_ok = 1;
	struct evq_event ev;
	double last = -1;

	evq_init(&q);
	rng_init(&r, 7, 0, 1);
	for (int i = 0; i < N; i++) {
		t[i] = floor(rng_uniform_pos(&r) * 1000); /* many equal times */
		h[i] = evq_push(&q, t[i], 0, nop, NULL, (uint64_t)i);
	}
	for (int i = 0; i < N; i += 3) {
		CHECK_INT(evq_cancel(&q, h[i]), 1);
		cancelled[i] = 1;
	}
	for (int i = 0; i < N; i += 3)
		stale_ok &= evq_cancel(&q, h[i]) == 0; /* second cancel is a no-op */
	CHECK(stale_ok);
	for (int i = 0; i < N; i++)
		if (!cancelled[i])
			ref[nref++] = t[i];
	qsort(ref, (size_t)nref, sizeof *ref, cmp_double);
	CHECK_INT(evq_size(&q), nref);
	while (evq_pop(&q, &tt, &ev)) {
		if (tt != ref[popped] || cancelled[ev.arg] || tt < last) {
			CHECK(0);
			break;
		}
		last = tt;
		popped++;
	}
	CHECK_INT(popped, nref);
	CHECK(isinf(evq_peek_time(&q)));
	rng_fini(&r);
	evq_fini(&q);
	free(h), free(t), free(ref), free(cancelled);
}

struct counter {
	int fired;
	double last_t;
	int monotone;
};

static void count_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct counter *c = obj;
	c->monotone &= s->now >= c->last_t;
	c->last_t = s->now;
	c->fired++;
	if (arg > 0)
		sim_after(s, 1.0, SIM_PRIO_DEFAULT, count_fire, c, arg - 1);
}

static void warm(struct sim *s, void *ctx)
{
	(void)s;
	*(int *)ctx += 1;
}

/* The run loop stops at the horizon (inclusive) and fires the warm-up hook once. */
static void test_sim_run(void)
{
	struct sim s;
	struct counter c = { 0, 0, 1 };
	int warmups = 0;

	sim_init(&s);
	s.on_warmup = warm;
	s.warmup_ctx = &warmups;
	sim_at(&s, 0.0, SIM_PRIO_DEFAULT, count_fire, &c, 100);
	sim_run(&s, 10.0, 5.0);
	CHECK_INT(c.fired, 11); /* t = 0, 1, ..., 10 */
	CHECK(c.monotone);
	CHECK_INT(warmups, 1);
	CHECK_NEAR(s.now, 10.0, 0, 0);
	sim_fini(&s);
}

static void test_arena(void)
{
	struct arena a;
	char *p, *big;
	int zero = 1;

	arena_init(&a);
	p = arena_strdup(&a, "hello");
	big = arena_alloc(&a, 200000);
	for (int i = 0; i < 200000; i++)
		zero &= big[i] == 0;
	CHECK(zero);
	CHECK_STR(p, "hello");
	CHECK_INT(((uintptr_t)arena_alloc(&a, 3)) % 16, 0);
	arena_fini(&a);
}

/* Streams: reproducible from (seed, rep, id), distinct across ids and replications, and the
 * exponential mean within 3 sigma (sd of the mean of n exponentials = mean / sqrt(n)). */
static void test_rng_streams(void)
{
	struct rng a, b, c, d;
	double x = 0;
	int n = 200000;

	rng_init(&a, 42, 0, 5);
	rng_init(&b, 42, 0, 5);
	rng_init(&c, 42, 0, 6);
	rng_init(&d, 42, 1, 5);
	CHECK_NEAR(rng_uniform_pos(&a), rng_uniform_pos(&b), 0, 0);
	CHECK(rng_uniform_pos(&a) != rng_uniform_pos(&c));
	CHECK(rng_uniform_pos(&b) != rng_uniform_pos(&d));
	for (int i = 0; i < n; i++)
		x += rng_exponential(&a, 2.0);
	CHECK_NEAR(x / n, 2.0, 0, 3 * 2.0 / sqrt(n));
	x = 0;
	for (int i = 0; i < n; i++)
		x += rng_lognormal_mean_cv(&b, 3.0, 0.5);
	CHECK_NEAR(x / n, 3.0, 0, 3 * 1.5 / sqrt(n));
	x = 0;
	for (int i = 0; i < n; i++)
		x += rng_gamma_mean_cv(&c, 4.0, 2.0);
	CHECK_NEAR(x / n, 4.0, 0, 3 * 8.0 / sqrt(n));
	CHECK(rng_stream_seed(1, 0, 0) != rng_stream_seed(0, 1, 0));
	rng_fini(&a), rng_fini(&b), rng_fini(&c), rng_fini(&d);
}

int main(void)
{
	RUN(test_evq_order);
	RUN(test_evq_random);
	RUN(test_sim_run);
	RUN(test_arena);
	RUN(test_rng_streams);
	return CHECK_DONE();
}
