/* fuzz_evq.c — libFuzzer target: the event list (engine/evq) under an arbitrary sequence of
 * pushes, bulk pushes, cancels, peeks and pops, checked against a reference.
 *
 * The input is read as operations, one byte each plus its arguments. The reference is a plain
 * binary heap of (time, priority, insertion number, id) with lazily dropped cancelled entries:
 * the textbook order evq promises. Every pop must hand out the reference's earliest live event
 * (same id, same time), every peek its time, every cancel must answer whether the event was
 * still pending, and evq_size must equal the live count; at the end everything drains in order.
 * Bulk pushes (up to 1,017 events at once, or FZ_BULK_MAX when the count byte is 255;
 * FZ_MAX_EVENTS pushes per input at most, exponential gaps from a generator seeded by the
 * input) take the list through its small, heap and calendar modes, past EVQ_DENSE_MAX pending
 * (the dense calendar) and back; single pushes add exact ties, bursts 1e-9 apart, far-future and
 * infinite times. Any disagreement aborts (a crash to libFuzzer). Test code only.
 * Sizes: test_evq replays the seeds with the defaults below against the shipped evq (dense from
 * 32,768). The fuzz build (Makefile) makes the calendar dense from 1,024 and passes
 * -DFZ_BULK_MAX=4000 -DFZ_MAX_EVENTS=6000, so inputs reach every mode ten times faster.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/evq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FZ_MAX_EVENTS
#define FZ_MAX_EVENTS 50000 /* pushes per input: enough for the dense calendar (32,768) */
#endif
#ifndef FZ_BULK_MAX
#define FZ_BULK_MAX 40000 /* one bulk push's events when its count byte is 255 */
#endif

struct fz_ref {
	double t;
	unsigned prio;
	uint32_t id;
	uint64_t seq;
};

struct fz {
	const uint8_t *p, *end;
	struct fz_ref *h; /* the reference heap */
	size_t n;
	evq_handle *handle; /* by id */
	unsigned char *live;
	uint32_t ids;
	size_t n_live;
	uint64_t seq, rng;
	double now;
	struct evq q;
};

static void fz_fire(struct sim *s, void *obj, uint64_t arg) { (void)s, (void)obj, (void)arg; }

static unsigned fz_byte(struct fz *f) { return f->p < f->end ? *f->p++ : 0; }

static int fz_before(const struct fz_ref *a, const struct fz_ref *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->seq < b->seq;
}

static void fz_ref_push(struct fz *f, struct fz_ref x)
{
	size_t i = f->n++;

	while (i > 0 && fz_before(&x, &f->h[(i - 1) / 2])) {
		f->h[i] = f->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	f->h[i] = x;
}

static void fz_ref_pop(struct fz *f)
{
	struct fz_ref x = f->h[--f->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= f->n)
			break;
		if (c + 1 < f->n && fz_before(&f->h[c + 1], &f->h[c]))
			c++;
		if (!fz_before(&f->h[c], &x))
			break;
		f->h[i] = f->h[c];
		i = c;
	}
	if (f->n)
		f->h[i] = x;
}

/* The reference's earliest live event, or NULL (cancelled ones are dropped on the way). */
static const struct fz_ref *fz_ref_top(struct fz *f)
{
	while (f->n && !f->live[f->h[0].id])
		fz_ref_pop(f);
	return f->n ? &f->h[0] : NULL;
}

static void fz_push(struct fz *f, double t, unsigned prio)
{
	uint32_t id = f->ids++;
	evq_handle h = evq_push(&f->q, t, prio, fz_fire, f, id);

	if (h == EVQ_NONE)
		abort();
	f->handle[id] = h;
	f->live[id] = 1;
	f->n_live++;
	fz_ref_push(f, (struct fz_ref){ t, prio, id, f->seq++ });
}

/* An exponential gap of mean 1 from the input-seeded generator (xorshift64). */
static double fz_gap(struct fz *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return -log(((double)(f->rng >> 11) + 0.5) / 9007199254740992.0);
}

static double fz_single_time(struct fz *f)
{
	switch (fz_byte(f) % 9) {
	case 0: return f->now;                               /* a tie with the clock */
	case 1: return f->now + 1e-9 * (double)(fz_byte(f) % 4); /* a burst */
	case 2: return ceil(f->now * 4.0) / 4.0 + 0.25 * (double)(fz_byte(f) % 8); /* a grid: ties */
	case 3: return nextafter(f->now, INFINITY);
	case 4: return f->now + 1e6 * (double)(1 + fz_byte(f) % 3); /* far */
	case 5: return INFINITY;
	default: return f->now + fz_gap(f);
	}
}

/* Pops through evq_pop (t_max = +inf) or evq_pop_until(t_max) and checks with the reference. */
static void fz_pop_check(struct fz *f, int until, double t_max)
{
	const struct fz_ref *r = fz_ref_top(f);
	int want = r && (!until || r->t <= t_max);
	struct evq_event ev;
	double t;
	int got = until ? evq_pop_until(&f->q, t_max, &t, &ev) : evq_pop(&f->q, &t, &ev);

	if (got != want)
		abort();
	if (!got)
		return;
	if (ev.arg != r->id || !(t == r->t) || ev.fn != fz_fire || ev.obj != f)
		abort();
	f->live[r->id] = 0;
	f->n_live--;
	fz_ref_pop(f);
	f->now = t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;

	memset(&f, 0, sizeof f);
	f.p = data;
	f.end = data + size;
	f.h = malloc(FZ_MAX_EVENTS * sizeof *f.h);
	f.handle = malloc(FZ_MAX_EVENTS * sizeof *f.handle);
	f.live = calloc(FZ_MAX_EVENTS, 1);
	f.rng = 0x9e3779b97f4a7c15ULL;
	if (!f.h || !f.handle || !f.live)
		abort();
	evq_init(&f.q);
	while (f.p < f.end) {
		unsigned op = fz_byte(&f) % 8;
		if (op <= 1 && f.ids < FZ_MAX_EVENTS) {
			double t = fz_single_time(&f);
			fz_push(&f, t, 50 * (fz_byte(&f) % 4));
		} else if (op == 2) {
			unsigned b = fz_byte(&f), k = b == 255 ? FZ_BULK_MAX : 1 + 4 * b; /* rarely the dense size */
			unsigned hi = fz_byte(&f), lo = fz_byte(&f); /* in this order on every compiler */
			f.rng ^= (uint64_t)hi << 8 | lo;
			for (unsigned i = 0; i < k && f.ids < FZ_MAX_EVENTS; i++)
				fz_push(&f, f.now + fz_gap(&f) * 0.001 * (double)k, 100);
		} else if (op == 3 && f.ids) {
			unsigned hi = fz_byte(&f), lo = fz_byte(&f);
			uint32_t id = (uint32_t)((hi << 8 | lo) % f.ids);
			int want = f.live[id];
			if (evq_cancel(&f.q, f.handle[id]) != want || evq_cancel(&f.q, f.handle[id]) != 0)
				abort();
			if (want) {
				f.live[id] = 0;
				f.n_live--;
			}
		} else if (op == 4) {
			const struct fz_ref *r = fz_ref_top(&f);
			if (!(evq_peek_time(&f.q) == (r ? r->t : INFINITY)))
				abort();
		} else if (op == 5) { /* a run of pops */
			for (unsigned i = 1 + fz_byte(&f) * 16; i > 0; i--)
				fz_pop_check(&f, 0, INFINITY);
		} else if (op == 6) {
			fz_pop_check(&f, 0, INFINITY);
		} else {
			fz_pop_check(&f, 1, f.now + 0.01 * (double)fz_byte(&f));
		}
		if (evq_size(&f.q) != f.n_live)
			abort();
	}
	while (fz_ref_top(&f))
		fz_pop_check(&f, 0, INFINITY);
	if (evq_size(&f.q) != 0 || evq_pop(&f.q, &f.now, &(struct evq_event){ 0 }) != 0)
		abort();
	evq_fini(&f.q);
	free(f.h);
	free(f.handle);
	free(f.live);
	return 0;
}
