/* test_engine.c — event list, simulation loop, arena, RNG streams. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Held events at the two holding priorities, and one at another priority (it waits in the
 * list), fire in time order; with an infinite horizon an event at +infinity is not taken for
 * an empty held slot (+infinity) and lost: it waits in the list and fires last. */
static void test_sim_held_slots(void)
{
	struct sim s;
	struct counter c = { 0, 0, 1 };

	sim_init(&s);
	s.horizon_s = INFINITY;
	sim_hold(&s, 1);
	sim_at_held(&s, INFINITY, SIM_PRIO_ARRIVE, count_fire, &c, 0);
	sim_at_held(&s, 2.0, SIM_PRIO_DEPART, count_fire, &c, 0);
	sim_at_held(&s, 1.0, SIM_PRIO_DEFAULT, count_fire, &c, 0);
	CHECK(s.held[1].t_s == INFINITY && s.held[0].t_s == 2.0); /* +inf and DEFAULT: listed */
	CHECK_INT(evq_size(&s.q), 2);
	sim_run(&s, INFINITY, 0);
	CHECK_INT(c.fired, 3);
	CHECK(c.monotone);
	CHECK(c.last_t == INFINITY);
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

/* sim_at_held fires events in the order sim_at gives them, and sim_take_held takes the event
 * the run loop would fire next. Actors reschedule themselves on a
 * grid of half seconds (ties at every turn) at priorities that collide on purpose: two kinds
 * hold their events (SIM_PRIO_DEPART, SIM_PRIO_ARRIVE), two schedule plainly at the same
 * priorities (so a plain push must release the held event of its priority first), one at
 * SIM_PRIO_DEFAULT; a held actor sometimes also schedules a plain event at the other held
 * priority, and some chain their successor in place (sim_chain). Optionally a stepper keeps
 * its next time outside the list while its run of steps lasts, as llm.c's replicas do: it
 * chains its steps and, holding, takes the held events due strictly before its next step
 * (sim_take_held_before) and runs them in place without firing anything else in place; its
 * priority, SIM_PRIO_CONTROL, is below every held one, so at a tie its step goes first. The
 * same run with every event scheduled by sim_at (and no takes) must fire the same (time,
 * actor, count) sequence. */
enum { HOLD_ACTORS = 12, HOLD_EVENTS = 40000, HOLD_STEPPER = 2 * HOLD_ACTORS };

struct hold_run {
	int use_held, in_run;
	const unsigned *kinds;           /* actor a's kind (NULL: a % 5) */
	unsigned n_actors;
	struct rng rng[HOLD_ACTORS + 1]; /* the stepper's last */
	uint64_t hash, fired, chained, taken, taken_by_stepper;
	/* firings per actor, then one-offs per actor, then the stepper's */
	unsigned count[2 * HOLD_ACTORS + 1];
};

/* Kinds 0 and 1 hold their successors (at SIM_PRIO_DEPART and SIM_PRIO_ARRIVE), 2 and 3
 * schedule them plainly at the same priorities, 4 at SIM_PRIO_DEFAULT. */
static unsigned hold_kind(const struct hold_run *h, uint64_t a)
{
	return h->kinds ? h->kinds[a] : (unsigned)(a % 5);
}

static unsigned hold_prio(const struct hold_run *h, uint64_t a)
{
	static const unsigned prio[5] = { SIM_PRIO_DEPART, SIM_PRIO_ARRIVE, SIM_PRIO_DEPART,
					  SIM_PRIO_ARRIVE, SIM_PRIO_DEFAULT };
	return prio[hold_kind(h, a)];
}

static void hold_fire(struct sim *s, void *obj, uint64_t a);

/* Records a firing: an FNV-style mix of (time, actor, its count) carries the order. */
static void hold_note(struct sim *s, struct hold_run *h, uint64_t a)
{
	h->hash = (h->hash ^ (uint64_t)(s->now * 2) ^ (a << 40) ^ ((uint64_t)h->count[a]++ << 20)) *
		  0x100000001b3ULL;
	h->fired++;
}

/* A one-off event (never rescheduled): actor index + HOLD_ACTORS in the record. */
static void oneoff_fire(struct sim *s, void *obj, uint64_t a)
{
	hold_note(s, obj, a);
}

static void hold_schedule(struct sim *s, struct hold_run *h, double t, unsigned prio, uint64_t a,
			  int held)
{
	if (held && h->use_held)
		sim_at_held(s, t, prio, hold_fire, h, a);
	else
		sim_at(s, t, prio, hold_fire, h, a);
}

/* One firing of actor a and its chained successors (sim_chain; not within the stepper's run,
 * whose next step is outside the list). */
static void hold_step(struct sim *s, struct hold_run *h, uint64_t a)
{
	int held = hold_kind(h, a) < 2; /* kinds 0 and 1 hold their successors */

	for (;;) {
		double u = rng_uniform_pos(&h->rng[a]), t;

		hold_note(s, h, a);
		if (h->fired >= HOLD_EVENTS) /* what is pending still fires */
			return;
		t = s->now + 0.5 * (int)(u * 4); /* 0, 0.5, 1 or 1.5 s later: ties */
		if (held && u > 0.8) /* a plain event at the other held priority */
			sim_at(s, s->now + 0.5 * (int)(u * 10 - 8),
			       hold_kind(h, a) ? SIM_PRIO_DEPART : SIM_PRIO_ARRIVE,
			       oneoff_fire, h, a + HOLD_ACTORS);
		if (a % 3 == 0 && !h->in_run && sim_chain(s, t, hold_prio(h, a))) {
			/* fired in place */
			h->chained++;
			continue;
		}
		hold_schedule(s, h, t, hold_prio(h, a), a, held);
		return;
	}
}

/* With holding, the handler also takes the run's next event when it is a held one of the
 * run's actors (sim_take_held: only hold_fire events are held). */
static void hold_fire(struct sim *s, void *obj, uint64_t a)
{
	struct hold_run *h = obj;
	sim_fn fn;

	hold_step(s, h, a);
	while (h->use_held && sim_take_held(s, h, &fn, &a)) {
		CHECK(fn == hold_fire);
		h->taken++;
		hold_step(s, h, a);
	}
}

/* The stepper's run of steps (a is HOLD_STEPPER). */
static void step_fire(struct sim *s, void *obj, uint64_t a)
{
	struct hold_run *h = obj;

	for (;;) {
		double u = rng_uniform_pos(&h->rng[HOLD_ACTORS]), t;
		sim_fn fn;
		uint64_t b;

		hold_note(s, h, a);
		if (h->fired >= HOLD_EVENTS)
			return;
		t = s->now + 0.5 * (int)(u * 3); /* 0, 0.5 or 1 s later */
		h->in_run = 1;
		while (h->use_held && sim_take_held_before(s, h, t, &fn, &b)) {
			CHECK(fn == hold_fire);
			h->taken_by_stepper++;
			hold_step(s, h, b);
		}
		h->in_run = 0;
		if (sim_chain(s, t, SIM_PRIO_CONTROL))
			continue;
		sim_at(s, t, SIM_PRIO_CONTROL, step_fire, h, a);
		return;
	}
}

static void hold_run(struct hold_run *h, int use_held, unsigned n_actors, const unsigned *kinds,
		     int stepper)
{
	struct sim s;

	memset(h, 0, sizeof *h);
	h->use_held = use_held;
	h->n_actors = n_actors;
	h->kinds = kinds;
	sim_init(&s);
	s.horizon_s = 1e9; /* before the run, so that the first events are held too */
	sim_hold(&s, 1);
	for (unsigned a = 0; a < n_actors; a++) {
		rng_init(&h->rng[a], 11, 0, a);
		hold_schedule(&s, h, 0.5 * (a % 3), hold_prio(h, a), a, hold_kind(h, a) < 2);
	}
	rng_init(&h->rng[HOLD_ACTORS], 11, 0, HOLD_STEPPER);
	if (stepper)
		sim_at(&s, 0.5, SIM_PRIO_CONTROL, step_fire, h, HOLD_STEPPER);
	sim_run(&s, 1e9, 0);
	for (unsigned a = 0; a <= HOLD_ACTORS; a++)
		if (a < n_actors || a == HOLD_ACTORS)
			rng_fini(&h->rng[a]);
	sim_fini(&s);
}

/* n_actors 12: every kind; 2: only the two holding kinds, so that both held events often tie
 * with nothing in the list at their time (the held slots alone decide, by priority). */
static void held_order_case(unsigned n_actors, const unsigned *kinds, int stepper)
{
	struct hold_run plain, held;

	hold_run(&plain, 0, n_actors, kinds, stepper);
	hold_run(&held, 1, n_actors, kinds, stepper);
	CHECK(plain.fired >= HOLD_EVENTS);
	CHECK_INT(held.fired, plain.fired);
	CHECK(plain.hash == held.hash);
	/* holding chains at least as often: a chained event may precede a held one at the same
	 * time by priority, where in the list (whose priorities sim_chain does not see) it waits;
	 * a stepper's run takes events that would chain elsewhere */
	if (!stepper)
		CHECK(held.chained >= plain.chained);
	CHECK(held.chained > 100);
	CHECK(held.taken > 100 && plain.taken == 0);
	/* with 12 actors every grid point has plain events in the list: the stepper, first at each
	 * (lowest priority number), finds no held event before them */
	if (stepper && n_actors == 2)
		CHECK(held.taken_by_stepper > 100);
	if (!stepper)
		CHECK(held.taken_by_stepper == 0);
	CHECK(plain.taken_by_stepper == 0);
	for (int a = 0; a <= HOLD_STEPPER; a++)
		CHECK_INT(plain.count[a], held.count[a]);
	printf("  %llu events, %llu chained, %llu taken from the held slots by a handler, %llu by "
	       "a stepper, %u one-offs of actor 0\n", (unsigned long long)held.fired,
	       (unsigned long long)held.chained, (unsigned long long)held.taken,
	       (unsigned long long)held.taken_by_stepper, held.count[HOLD_ACTORS]);
}

static void test_sim_at_held_order(void)
{
	/* two holders at SIM_PRIO_DEPART, the first chaining: its successor meets the other's held
	 * event at the same time and priority (that one, scheduled first, goes first) */
	static const unsigned two_depart[3] = { 0, 0, 1 };

	held_order_case(HOLD_ACTORS, NULL, 0);
	held_order_case(2, NULL, 0);
	held_order_case(3, two_depart, 0);
	held_order_case(HOLD_ACTORS, NULL, 1);
	held_order_case(2, NULL, 1);
}

int main(void)
{
	RUN(test_evq_order);
	RUN(test_evq_random);
	RUN(test_sim_run);
	RUN(test_sim_held_slots);
	RUN(test_arena);
	RUN(test_rng_streams);
	RUN(test_sim_at_held_order);
	return CHECK_DONE();
}
