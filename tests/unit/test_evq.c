/* test_evq.c — the future-event list against a sorted reference: random push/cancel/pop with
 * many equal times and priorities, stale handles, pop_until, peek, growth past the prefetch
 * threshold, and the time-key mapping (negative times, -0.0), including calendar buckets that
 * hold times of both signs when taken, by the sorting networks and by the distribution sort. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "engine/evq.h"

static void fire_a(struct sim *s, void *obj, uint64_t arg) { (void)s, (void)obj, (void)arg; }
static void fire_b(struct sim *s, void *obj, uint64_t arg) { (void)s, (void)obj, (void)arg; }

/* The reference: every live event, the earliest found by a linear scan over (t, prio, seq). */
struct ref_ev {
	double t;
	unsigned prio;
	uint64_t seq, id;
	evq_handle h;
	int live;
};

struct ref {
	struct ref_ev *e;
	size_t n;
};

static long ref_min(const struct ref *r)
{
	long best = -1;

	for (size_t i = 0; i < r->n; i++) {
		const struct ref_ev *a = &r->e[i], *b;
		if (!a->live)
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		b = &r->e[best];
		if (a->t < b->t || (a->t == b->t && (a->prio < b->prio ||
						     (a->prio == b->prio && a->seq < b->seq))))
			best = (long)i;
	}
	return best;
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* Times for random_run: TIMES_GRID draws from `distinct` values above now (few values: many
 * ties); TIMES_MIX is the calendar's stress: exponential gaps of mean 1 mostly, ties on a 0.5
 * grid, bursts within 1e-9 of now, rare far-future times (1e6) and rare +inf. */
enum { TIMES_GRID, TIMES_MIX, TIMES_NEAR /* TIMES_MIX without the far and infinite times */,
       TIMES_ZERO /* around 0 (below) */ };

/* TIMES_ZERO: `distinct` per mille of the times within 1e-12 of 0, of either sign (0.0, -0.0,
 * denormals, the smallest normal), as many on a grid of 1e-5 over [-0.01, 0.01], the rest
 * exponential gaps of mean 0.05 after now; a time before now is now instead. From a start
 * below 0, the calendar's bucket around 0 holds times of both signs: few at distinct 3 (the
 * sorting networks), many at 200 (the distribution sort). */
static double draw_zero(uint64_t *x, double now, int distinct)
{
	static const double tiny[] = { 0.0, 4.9e-324, 1e-310, 2.2250738585072014e-308, 1e-300,
				       1e-12 };
	uint64_t u = lcg(x) % 1000;
	double t;

	if (u < (uint64_t)distinct)
		t = tiny[lcg(x) % 6] * (lcg(x) % 2 ? -1.0 : 1.0);
	else if (u < 2 * (uint64_t)distinct)
		t = ((double)(lcg(x) % 2001) - 1000.0) * 1e-5;
	else
		t = now - 0.05 * log(((double)(lcg(x) % 1000000) + 0.5) / 1000000.0);
	return t >= now ? t : now;
}

static double draw_time(uint64_t *x, double now, int mode, int distinct)
{
	uint64_t u;

	if (mode == TIMES_GRID)
		return now + (double)(lcg(x) % (uint64_t)distinct) * 0.25;
	if (mode == TIMES_ZERO)
		return draw_zero(x, now, distinct);
	u = lcg(x) % 1000;
	if (u < 700) /* exponential, mean 1 */
		return now - log(((double)(lcg(x) % 1000000) + 0.5) / 1000000.0);
	if (u < 900)
		return ceil(now * 2.0) / 2.0 + 0.5 * (double)(lcg(x) % 4);
	if (u < 990)
		return now + 1e-9 * (double)(lcg(x) % 3);
	if (mode == TIMES_NEAR)
		return now + 1.0;
	if (u < 998)
		return now + 1e6 * (double)(1 + lcg(x) % 3);
	return INFINITY;
}

/* What the next pop takes from the calendar, read from the queue's fields (white box): when it
 * will take a bucket (a calendar, the run used up, the heap empty: pop_take; not the last bucket,
 * which takes far outliers and is merge sorted, nor a regrow first), whether that bucket holds
 * time keys with the top bit clear (times < 0) and set (times >= 0, -0.0 included): up to 8 go
 * through take_small's network (on x86-64; sort_small's in the portable build), which must flip
 * the keys, more through the distribution sort. Counts such takes, and their sizes up to 63. */
struct take_probe {
	int small_mixed, many_mixed; /* takes of a bucket of both signs: <= 8 entries, more */
	uint64_t sizes;              /* bit n: a mixed bucket of n entries was taken (n < 64) */
};

static void probe_take(const struct evq *q, struct take_probe *p)
{
	uint32_t k = q->cur, n, c, left;
	int neg = 0, pos = 0;

	if (!p || !q->cal || q->n || q->run_pos < q->run_n || q->live > q->regrow_at)
		return;
	while (k < q->nb && q->bk[k].n == 0)
		k++;
	if (k + 1 >= q->nb)
		return;
	n = left = q->bk[k].n;
	c = q->bk[k].head;
	while (left) { /* the newest chunk holds 1 to 4 entries, the older ones 4 each */
		uint32_t m = (left - 1) % 4 + 1;
		for (uint32_t j = 0; j < m; j++) {
			neg |= q->ch[c].e[j].tk >> 63 == 0;
			pos |= q->ch[c].e[j].tk >> 63 == 1;
		}
		left -= m;
		if (left)
			c = q->ch[c].e[0].unused; /* the chunk's link (evq.c: CH_LINK) */
	}
	if (!neg || !pos)
		return;
	if (n <= 8)
		p->small_mixed++;
	else
		p->many_mixed++;
	if (n < 64)
		p->sizes |= (uint64_t)1 << n;
}

/* ops random operations (push, cancel, pop) checked against the reference, the first times
 * drawn after `start`. The queue's size swings between 0 and max_live in waves of `wave`
 * operations (0: no waves), so the event list moves between its heap-only and calendar modes.
 * Every pop's take of a bucket of both signs is counted in *probe (NULL: not looked for).
 * Returns the time of the last event popped before the final drain (the drain's are not kept). */
static double random_run_at(uint64_t seed, int ops, int mode, int distinct, int max_live, int wave,
			    double start, struct take_probe *probe)
{
	struct evq q;
	struct ref r = { calloc((size_t)ops, sizeof(struct ref_ev)), 0 };
	uint64_t x = seed, seq = 0;
	double now = start;
	int live = 0, mismatches = 0, pops = 0, cancels = 0, cal_on = 0, cal_off = 0, was_cal = 0;

	evq_init(&q);
	for (int k = 0; k < ops; k++) {
		uint64_t u = lcg(&x) % 100;
		/* 55% push, 15% cancel, 30% pop; in waves, 75% push then 25% push (draining) */
		uint64_t push_pct = !wave ? 55 : (k / wave) % 2 ? 25 : 75;
		if ((u < push_pct && live < max_live) || live == 0) {
			struct ref_ev *e = &r.e[r.n];
			e->t = draw_time(&x, now, mode, distinct);
			e->prio = (unsigned)(lcg(&x) % 3) * 50;
			e->seq = seq++;
			e->id = r.n;
			e->live = 1;
			e->h = evq_push(&q, e->t, e->prio, (e->id & 1) ? fire_a : fire_b, &r, e->id);
			CHECK(e->h != EVQ_NONE);
			r.n++;
			live++;
		} else if (u < push_pct + 15) {
			/* cancel a random earlier event: live ones are removed, others are no-ops */
			struct ref_ev *e = &r.e[lcg(&x) % r.n];
			int got = evq_cancel(&q, e->h);
			CHECK_INT(got, e->live);
			if (e->live) {
				e->live = 0;
				live--;
				cancels++;
			}
			CHECK_INT(evq_cancel(&q, e->h), 0); /* twice: a no-op */
		} else {
			struct evq_event ev;
			double t;
			long m = ref_min(&r);
			int got;
			probe_take(&q, probe);
			got = evq_pop(&q, &t, &ev);
			CHECK_INT(got, 1);
			if (!got || m < 0)
				break;
			if (ev.arg != r.e[m].id || t != r.e[m].t)
				mismatches++;
			CHECK(ev.obj == &r);
			CHECK(ev.fn == ((ev.arg & 1) ? fire_a : fire_b));
			r.e[ev.arg < r.n ? ev.arg : 0].live = 0;
			CHECK(t >= now);
			now = t;
			live--;
			pops++;
		}
		CHECK_INT(evq_size(&q), live);
		cal_on += q.cal && !was_cal;
		cal_off += !q.cal && was_cal;
		was_cal = q.cal;
	}
	if (max_live > 2 * EVQ_SPILL_HI && wave && mode != TIMES_MIX) { /* into the calendar and back */
		CHECK(cal_on >= 2);
		CHECK(cal_off >= 1);
	}
	/* drain: the rest leaves in reference order */
	for (;;) {
		struct evq_event ev;
		double t;
		long m = ref_min(&r);
		int got;
		probe_take(&q, probe);
		got = evq_pop(&q, &t, &ev);
		CHECK_INT(got, m >= 0);
		if (!got || m < 0)
			break;
		if (ev.arg != r.e[m].id || t != r.e[m].t)
			mismatches++;
		r.e[m].live = 0;
		pops++;
	}
	CHECK_INT(mismatches, 0);
	CHECK_INT(evq_size(&q), 0);
	CHECK(pops > ops / 4);
	CHECK(cancels > 0);
	evq_fini(&q);
	free(r.e);
	return now;
}

static void random_run_mode(uint64_t seed, int ops, int mode, int distinct, int max_live, int wave)
{
	random_run_at(seed, ops, mode, distinct, max_live, wave, 0.0, NULL);
}

static void random_run(uint64_t seed, int ops, int distinct, int max_live)
{
	random_run_mode(seed, ops, TIMES_GRID, distinct, max_live, 0);
}

static void test_random_ties(void)
{
	/* few distinct times and three priorities: ties everywhere, order by insertion */
	random_run(1, 20000, 3, 200);
	random_run(2, 20000, 20, 50);
}

static void test_random_continuous(void)
{
	/* many distinct times, a queue that grows past the prefetch threshold (4096 entries) */
	random_run(3, 40000, 1 << 20, 10000);
}

static void test_calendar_mix(void)
{
	/* past EVQ_SPILL_HI into the calendar and back, with ties and bursts */
	random_run_mode(4, 60000, TIMES_NEAR, 0, 3000, 12000);
	random_run_mode(5, 60000, TIMES_NEAR, 0, 600, 1500);
	/* and with far and infinite times, which stretch the calendar over one huge bucket */
	random_run_mode(7, 60000, TIMES_MIX, 0, 3000, 6000);
	/* ties only, on a grid: calendar buckets full of equal times */
	random_run_mode(6, 48000, TIMES_GRID, 7, 2000, 8000);
}

/* Calendars over negative times: events popped in order from runs that stay below 0, that cross
 * it and that start at 0, with ties within taken buckets of 1 to 8 entries (TIMES_GRID: equal
 * times, three priorities, in both chunks of a bucket of 5 to 8), so take_small runs with its
 * keys flipped (a calendar starting before 0) and not. These runs seldom if ever take a bucket
 * holding times of both signs: they pass with take_small's flip forced off (checked), as did
 * runs a few ns either side of 0 tried for this. The flip itself is tested by
 * test_keys_across_zero, test_take_small_across_zero and test_random_across_zero, which fail
 * without it. */
static void test_negative_times(void)
{
	double end;

	end = random_run_at(11, 40000, TIMES_NEAR, 0, 2000, 8000, -1e4, NULL);
	CHECK(end < 0);
	end = random_run_at(12, 40000, TIMES_NEAR, 0, 2000, 8000, -3.0, NULL);
	CHECK(end > 0);
	end = random_run_at(13, 40000, TIMES_GRID, 9, 1500, 6000, -2.0, NULL);
	CHECK(end > 0);
	random_run_at(14, 40000, TIMES_GRID, 40, 1500, 6000, -1e3, NULL);
}

struct tpe {
	double t;
	unsigned prio;
	uint64_t seq;
};

static int tpe_cmp(const void *a, const void *b)
{
	const struct tpe *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pops q empty: the m events pushed (e[], in any order) must come out in (time, priority,
 * insertion) order, as a sort of the same times gives; probe (may be NULL) looks before each
 * pop at the bucket it will take. Frees q. */
static void check_pops_sorted(struct evq *q, struct tpe *e, size_t m, struct take_probe *probe)
{
	struct evq_event ev;
	double t;
	int bad = 0;

	qsort(e, m, sizeof *e, tpe_cmp);
	for (size_t i = 0; i < m; i++) {
		if (probe)
			probe_take(q, probe);
		CHECK_INT(evq_pop(q, &t, &ev), 1);
		bad += ev.arg != e[i].seq || !(t == e[i].t);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(evq_pop(q, &t, &ev), 0);
	evq_fini(q);
}

/* A calendar whose buckets hold times of both signs: 3,000 events within 1 of 0 (a third of
 * them tied with the one before, three priorities) and six of the smallest magnitudes
 * (denormals, -0.0 and +0.0) in one bucket, so a taken bucket of up to 8 entries mixes keys with
 * the top bit set and clear (the network needs them flipped). Popped all at once, they must come out sorted by (time,
 * priority, insertion). */
static void test_keys_across_zero(void)
{
	static const double tiny[] = { -1e-310, 4.9e-324, -0.0, -4.9e-324, 0.0, -1e-300 };
	enum { N = 3000 };
	struct tpe *e = calloc(N, sizeof *e);
	struct evq q;
	uint64_t x = 21;
	int cal = 0;

	evq_init(&q);
	for (size_t i = 0; i < N; i++) {
		if (i % 500 == 7)
			e[i].t = tiny[i / 500]; /* 6 of them: one bucket, taken by the network */
		else if (i % 3 == 0 && i > 0 && i % 500 != 8)
			e[i].t = e[i - 1].t; /* a tie with the one before (not a tiny one) */
		else /* odd multiples of 5e-4: none in the tiny ones' bucket */
			e[i].t = ((double)(2 * (lcg(&x) % 1000)) - 999.0) * 5e-4;
		e[i].prio = (unsigned)(lcg(&x) % 3);
		e[i].seq = i;
		evq_push(&q, e[i].t, e[i].prio, fire_a, NULL, i);
		cal |= q.cal;
	}
	CHECK(cal);
	check_pops_sorted(&q, e, N, NULL);
	free(e);
}

/* One calendar whose bucket around 0 holds n times of both signs, taken by a pop that finds the
 * run used up and the heap empty (pop_take): 300 times at 0.1 to 1 from 0 on either side (they
 * make the calendar, built from 257 on, start below 0; its buckets are about 0.004 wide, so
 * none of them is in 0's), then n in 0's bucket by the queue's own arithmetic (cal_index): the
 * first a tiny positive, the second a tiny negative (filed in that order, wrong for signed
 * compares), the rest tiny ones (denormals, the smallest normal, 0.0 and -0.0) or anywhere in
 * the bucket, a quarter of them tied with the one before, three priorities. Popped all at
 * once, everything must come out in (time, priority, insertion) order, as a sort of the same
 * times does. The probe counts the takes of buckets of both signs. */
static void zero_bucket_case(uint64_t seed, int n, struct take_probe *probe)
{
	static const double tiny[] = { 4.9e-324, -4.9e-324, 1e-310, -1e-310, 0.0, -0.0,
				       2.2250738585072014e-308, -2.2250738585072014e-308, 1e-300,
				       -1e-300 };
	enum { BG = 300 };
	struct tpe *e = calloc(BG + (size_t)n, sizeof *e);
	struct evq q;
	uint64_t x = seed;
	size_t m = 0, total = BG + (size_t)n;
	int tries = 0;
	double t, w, lo;
	uint32_t k0;

	evq_init(&q);
	for (; m < BG; m++) {
		double a = 0.1 + 0.9 * (double)(lcg(&x) % 100000) / 100000.0;
		e[m] = (struct tpe){ m % 2 ? a : -a, (unsigned)(lcg(&x) % 3), m };
		evq_push(&q, e[m].t, e[m].prio, fire_a, NULL, m);
	}
	CHECK(q.cal && q.base < 0 && q.inv_w > 0);
	w = 1.0 / q.inv_w;
	k0 = (uint32_t)((0.0 - q.base) * q.inv_w);
	lo = q.base + (double)k0 * w;
	while (m < total && tries++ < 100 * n) {
		size_t j = m - BG;
		uint64_t u = lcg(&x) % 4;
		if (j < 2)
			t = tiny[j]; /* a positive, then a negative */
		else if (u == 0)
			t = e[m - 1].t;
		else if (u == 1)
			t = tiny[lcg(&x) % (sizeof tiny / sizeof *tiny)];
		else
			t = lo + w * (double)(lcg(&x) % 1000000) / 1000000.0;
		if (!(t >= q.base) || (uint32_t)((t - q.base) * q.inv_w) != k0)
			continue; /* not in 0's bucket (rounding at its edges) */
		e[m] = (struct tpe){ t, (unsigned)(lcg(&x) % 3), m };
		evq_push(&q, t, e[m].prio, fire_a, NULL, m);
		m++;
	}
	CHECK_INT(m, total);
	check_pops_sorted(&q, e, m, probe);
	free(e);
}

/* A bucket of 2 to 8 times of both signs goes through take_small's sorting networks (4 and 8
 * entries, one chunk or two) with its keys flipped (the calendar starts below 0): the order
 * came out wrong with the flip skipped (pop_take calling take_small(q, k, 0) whatever the
 * calendar's start), positive times before negative ones. The probe shows each bucket taken. */
static void test_take_small_across_zero(void)
{
	for (int n = 2; n <= 8; n++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			struct take_probe p = { 0, 0, 0 };
			zero_bucket_case(100 * seed + (uint64_t)n, n, &p);
			CHECK_INT(p.small_mixed, 1);
			CHECK_INT(p.many_mixed, 0);
			CHECK(p.sizes == (uint64_t)1 << n);
		}
}

/* The same with 9 to 300 times in 0's bucket: the distribution sort (parts over the bucket's
 * range of keys, which crosses the sign bit; an insertion pass; past 4n moves, a merge sort).
 * It compares the unsigned keys and has no flip to skip: comparing them as signed integers
 * (tried in its insertion pass's first test, the mistake take_small's flip exists to avoid)
 * put tiny positives before negatives in 15 of these 24 buckets. */
static void test_dist_sort_across_zero(void)
{
	static const int sizes[] = { 9, 12, 16, 23, 40, 63, 120, 300 };

	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct take_probe p = { 0, 0, 0 };
			zero_bucket_case(1000 * seed + (uint64_t)sizes[i], sizes[i], &p);
			CHECK_INT(p.small_mixed, 0);
			CHECK_INT(p.many_mixed, 1);
			CHECK(sizes[i] >= 64 || p.sizes == (uint64_t)1 << sizes[i]);
		}
}

/* Random runs (against the reference) crossing 0 with times crowding it (TIMES_ZERO): at 0.3%
 * of times within 1e-12 of 0 (and as many within 0.01) the bucket around it is mostly small
 * when taken, at 20% large; over the seeds (at most one such take a run: time only moves on),
 * both kinds happen several times (9 and 8 at this writing), in calendars of a few hundred
 * events built and left again (waves). */
static void test_random_across_zero(void)
{
	struct take_probe few = { 0, 0, 0 }, many = { 0, 0, 0 };

	for (uint64_t seed = 0; seed < 12; seed++) {
		random_run_at(40 + seed, 10000, TIMES_ZERO, 3, 600, 2000, -0.2, &few);
		random_run_at(60 + seed, 10000, TIMES_ZERO, 200, 600, 2000, -0.2, &many);
	}
	CHECK(few.small_mixed >= 5);
	CHECK((few.sizes & 0x1c) && (few.sizes & 0x1e0)); /* one chunk (2 to 4), two (5 to 8) */
	CHECK(many.many_mixed >= 5);
}

/* Past EVQ_DENSE_MAX pending (four events per calendar bucket), where the reference's linear
 * scan is too slow: every pop must not precede the previous one in (time, priority, insertion)
 * order, and all pushed events come out once. Holds push at the popped time (with the same or a
 * later priority: still after it) or later. */
static void test_calendar_large(void)
{
	enum { N = 60000, HOLDS = 150000 };
	struct evq q;
	struct evq_event ev;
	unsigned *prio = malloc((N + HOLDS) * sizeof *prio);
	unsigned char *seen = calloc(N + HOLDS, 1);
	uint64_t x = 11, id = 0, pops = 0;
	double t = 0, last_t = -1;
	unsigned last_p = 0;
	uint64_t last_id = 0;
	int order_errors = 0, dup = 0;

	evq_init(&q);
	for (; id < N; id++) {
		prio[id] = 50 * (unsigned)(1 + lcg(&x) % 3);
		evq_push(&q, draw_time(&x, 0, TIMES_NEAR, 0), prio[id], fire_a, NULL, id);
	}
	while (evq_pop(&q, &t, &ev)) {
		uint64_t a = ev.arg;
		if (t < last_t || (t == last_t && (prio[a] < last_p || (prio[a] == last_p && a < last_id))))
			order_errors++;
		dup += seen[a]++;
		last_t = t, last_p = prio[a], last_id = a;
		pops++;
		if (id < N + HOLDS) {
			uint64_t u = lcg(&x) % 10;
			double tn = u < 2 ? t : draw_time(&x, t, TIMES_NEAR, 0);
			prio[id] = u >= 2 ? 100 : last_p + (last_p < 200 ? 50 * (unsigned)(lcg(&x) % 2) : 0);
			if (tn == t && prio[id] < last_p) /* at the popped time: not before it */
				prio[id] = last_p;
			evq_push(&q, tn, prio[id], fire_a, NULL, id);
			id++;
		}
	}
	CHECK_INT(order_errors, 0);
	CHECK_INT(dup, 0);
	CHECK_INT(pops, N + HOLDS);
	CHECK_INT(evq_size(&q), 0);
	evq_fini(&q);
	free(prio);
	free(seen);
}

/* A few far-future and infinite times among many near ones: the calendar ends before them
 * (they wait in its overflow), so its buckets stay narrow and the front heap small, instead of
 * one bucket over everything with every push landing in the heap. Order is checked too. */
static void test_far_outliers(void)
{
	enum { N = 5000, HOLDS = 60000 };
	struct evq q;
	struct evq_event ev;
	uint64_t x = 21;
	double t = 0, last = 0;
	size_t heap_max = 0, nb_min = SIZE_MAX;
	int order_errors = 0, pops = 0;

	evq_init(&q);
	evq_push(&q, INFINITY, 100, fire_a, NULL, 1);
	evq_push(&q, 1e12, 100, fire_a, NULL, 2);
	for (int i = 0; i < N; i++)
		evq_push(&q, draw_time(&x, 0, TIMES_NEAR, 0), 100, fire_b, NULL, 0);
	for (int i = 0; i < HOLDS; i++) {
		CHECK_INT(evq_pop(&q, &t, &ev), 1);
		order_errors += t < last;
		last = t;
		CHECK(ev.arg == 0); /* the far ones stay behind */
		evq_push(&q, t - log(((double)(lcg(&x) % 1000000) + 0.5) / 1000000.0), 100, fire_b,
			 NULL, 0);
		if (q.cal) {
			heap_max = q.n > heap_max ? q.n : heap_max;
			nb_min = q.nb < nb_min ? q.nb : nb_min;
		}
	}
	CHECK(heap_max < N / 10); /* one bucket over everything: the heap would hold ~N */
	CHECK(nb_min > N / 10);
	while (evq_pop(&q, &t, &ev)) {
		order_errors += t < last;
		last = t;
		pops++;
		if (ev.arg)
			CHECK_INT((int)ev.arg, t == 1e12 ? 2 : 1);
	}
	CHECK_INT(pops, N + 2);
	CHECK(isinf(last));
	CHECK_INT(order_errors, 0);
	evq_fini(&q);
}

/* Times on the calendar's edges, read from its fields as it runs: exactly its end (cal_hi,
 * where (t - base) * inv_w can round to nb: the last bucket must take it), bucket boundaries
 * around the next bucket to take (cur) and the last, and just before base (before every
 * bucket: the heap); at n events the calendar is dense (past EVQ_DENSE_MAX: the distribution
 * sort's clamps at a bucket's ends). Every pushed time is later than the last popped, so the
 * pops must come out in strictly increasing (time, priority, insertion) order, each once. */
struct edge_ev {
	double t;
	unsigned prio;
	int seen;
};

static void edge_push(struct evq *q, struct edge_ev *e, size_t *n, double t, unsigned prio)
{
	e[*n] = (struct edge_ev){ t, prio, 0 };
	evq_push(q, t, prio, fire_a, NULL, *n);
	(*n)++;
}

static void calendar_edges(size_t n0, int rounds)
{
	size_t cap = n0 + (size_t)rounds * 24, n = 0, pops = 0;
	struct edge_ev *e = calloc(cap, sizeof *e);
	struct evq q;
	struct evq_event ev;
	uint64_t x = 5;
	double now = 0, t, last_t = -1;
	uint64_t last_id = 0;
	unsigned last_prio = 0;
	int bad = 0, edges = 0, rounds_cal = 0, dense = 0;

	evq_init(&q);
	for (size_t i = 0; i < n0; i++)
		edge_push(&q, e, &n, 1.0 + (double)(lcg(&x) % 100000) * 0.01, (unsigned)(lcg(&x) % 2));
	for (int k = 0; k <= rounds; k++) {
		if (k < rounds && q.cal && q.inv_w > 0) {
			double w = 1.0 / q.inv_w, b = q.base;
			double cand[] = {
				tkey_value(q.cal_hi), b + (double)q.nb * w, b + (double)(q.nb - 1) * w,
				b + (double)q.cur * w, b + (double)(q.cur + 1) * w,
				b + (double)(q.cur + 2) * w, nextafter(b + (double)(q.cur + 1) * w, 0),
				nextafter(b + (double)(q.cur + 2) * w, 0), nextafter(b, 0), b,
				nextafter(tkey_value(q.cal_hi), INFINITY),
			};
			rounds_cal++;
			dense += q.ahead > 0;
			for (size_t j = 0; j < sizeof cand / sizeof cand[0]; j++)
				if (cand[j] > now && isfinite(cand[j]) && n < cap) {
					edge_push(&q, e, &n, cand[j], (unsigned)(lcg(&x) % 2));
					edges++;
				}
			/* a few ulps below later boundaries: some land in the bucket above them */
			for (uint32_t j = 2; j < 6 && q.cur + j < q.nb; j++) {
				double y = b + (double)(q.cur + j) * w;
				for (int u = 0; u < 3 && n < cap; u++) {
					y = nextafter(y, 0);
					if (y > now) {
						edge_push(&q, e, &n, y, (unsigned)(lcg(&x) % 2));
						edges++;
					}
				}
			}
		}
		/* the last round drains */
		for (int j = 0; k == rounds || j < 8; j++) {
			if (!evq_pop(&q, &t, &ev))
				break;
			if (ev.arg >= n || e[ev.arg].seen || e[ev.arg].t != t) {
				bad++;
				continue;
			}
			bad += !(t > last_t || (t == last_t && (e[ev.arg].prio > last_prio ||
				 (e[ev.arg].prio == last_prio && ev.arg > last_id))));
			e[ev.arg].seen = 1;
			last_t = now = t;
			last_prio = e[ev.arg].prio;
			last_id = ev.arg;
			pops++;
		}
	}
	CHECK(rounds_cal > rounds / 2);
	CHECK(edges > rounds);
	CHECK(n0 < 70000 || dense > rounds / 2);
	CHECK_INT(bad, 0);
	CHECK_INT(pops, n);
	CHECK_INT(evq_size(&q), 0);
	evq_fini(&q);
	free(e);
}

/* Pushes into a bucket already taken (the run, then the heap) until the live count passes the
 * calendar's regrow mark while its buckets and overflow are empty: the calendar must stay and
 * the order hold (a rebuild over no events had no start and broke the order; found by
 * fuzz_evq). */
static void test_regrow_with_empty_buckets(void)
{
	struct evq q;
	struct evq_event ev;
	double t = 0, last = 0;
	int pops = 0, order_errors = 0;
	size_t in_buckets = 0;

	evq_init(&q);
	for (int i = 1; i <= 300; i++)
		evq_push(&q, (double)i, 100, fire_a, NULL, (uint64_t)i);
	for (int i = 0; i < 299; i++) {
		CHECK_INT(evq_pop(&q, &t, &ev), 1);
		order_errors += t < last;
		last = t;
		pops++;
	}
	CHECK(evq_peek_time(&q) == 300.0); /* takes the last bucket */
	CHECK(q.cal);
	for (uint32_t k = q.cur; k < q.nb; k++)
		in_buckets += q.bk[k].n;
	CHECK_INT((int)in_buckets, 0);
	CHECK_INT((int)q.top_n, 0);
	for (int j = 0; j < 2000; j++) /* before 300, after now: into the taken bucket */
		evq_push(&q, 299.5 + j * 1e-4, (unsigned)(j % 3), fire_b, NULL, (uint64_t)j);
	CHECK(q.live > 2 * 300 + EVQ_SPILL_HI); /* past the regrow mark */
	for (int j = 0; j < 200; j++)
		evq_push(&q, 400.0 + j, 100, fire_a, NULL, 0);
	while (evq_pop(&q, &t, &ev)) {
		order_errors += t < last;
		last = t;
		pops++;
	}
	CHECK_INT(pops, 300 + 2000 + 200);
	CHECK_INT(order_errors, 0);
	evq_fini(&q);
}

/* A calendar rebuilt (cal_regrow) over one time only, so of zero bucket width (inv_w 0), while
 * earlier events wait in the run and heap: a push before its start must join them (cal_index),
 * not its bucket 0. file_cal's fast path took d = (t - base) * 0 = -0.0 >= cur_d = 0 for
 * "t >= base" and filed it in bucket 0, behind every run and heap entry (found by a stress run
 * with the dense calendar from 64 events; the regrow on the live count makes such rebuilds
 * over few events common). */
static void test_regrow_zero_width(void)
{
	struct evq q;
	struct evq_event ev;
	double t = 0, last = 0;
	int pops = 0, order_errors = 0, built = 0;

	evq_init(&q);
	evq_push(&q, 12.0, 100, fire_a, NULL, 0); /* first: the spill's calendar spans 10 to 12 */
	for (int i = 0; i < 300; i++)
		evq_push(&q, 10.0, 100, fire_a, NULL, 0);
	CHECK_INT(evq_pop(&q, &t, &ev), 1); /* bucket 0 (the 300 at t = 10) into the run */
	CHECK(q.cal && q.cur > 0 && t == 10.0);
	last = t;
	pops++;
	for (int j = 0; j < 600; j++) { /* after now, in the taken bucket: the run, the heap */
		evq_push(&q, 10.001, 100, fire_a, NULL, 1);
		built |= q.cal && q.inv_w == 0 && q.base == 12.0 && q.cur == 0;
	}
	CHECK(built); /* the regrow's calendar over the one event at t = 12 */
	evq_push(&q, 10.0005, 100, fire_b, NULL, 2); /* before its start and the run's 10.001 */
	while (evq_pop(&q, &t, &ev)) {
		order_errors += t < last;
		if (ev.arg == 2)
			CHECK_INT(pops, 300); /* right after the 300 at t = 10 */
		last = t;
		pops++;
	}
	CHECK_INT(pops, 300 + 1 + 600 + 1);
	CHECK_INT(order_errors, 0);
	evq_fini(&q);
}

static void test_calendar_edges(void)
{
	calendar_edges(2000, 400);  /* a few entries per bucket: the sorting networks */
	calendar_edges(70000, 400); /* past EVQ_DENSE_MAX: distribution sorts */
}

/* A taken bucket's chunks go back to the free list (bucket_drain joins its whole list to it):
 * in a steady hold the chunk storage stops growing. Were chunks lost, chunk_grow would double
 * it again and again. At 5,000 pending (two buckets per event) and 40,000 (dense, 32 a bucket). */
static void test_chunks_reused(void)
{
	static const size_t sizes[] = { 5000, 40000 };

	for (size_t s = 0; s < 2; s++) {
		struct evq q;
		struct evq_event ev;
		uint64_t x = 31 + s;
		double t = 0;
		size_t cap_warm = 0;
		int order_errors = 0;

		evq_init(&q);
		for (size_t i = 0; i < sizes[s]; i++)
			evq_push(&q, draw_time(&x, 0, TIMES_NEAR, 0), 100, fire_a, NULL, i);
		for (size_t i = 0; i < 10 * sizes[s]; i++) {
			double last = t;
			CHECK_INT(evq_pop(&q, &t, &ev), 1);
			order_errors += t < last;
			evq_push(&q, t - log(((double)(lcg(&x) % 1000000) + 0.5) / 1000000.0), 100,
				 fire_a, NULL, ev.arg);
			if (i + 1 == 2 * sizes[s])
				cap_warm = q.ch_cap;
		}
		CHECK(q.cal);
		CHECK(cap_warm > 0);
		CHECK_INT(q.ch_cap, cap_warm); /* eight times as many holds more: no chunk more */
		CHECK_INT(order_errors, 0);
		CHECK_INT(evq_size(&q), sizes[s]);
		evq_fini(&q);
	}
}

static void test_fifo_equal_keys(void)
{
	struct evq q;
	struct evq_event ev;
	double t;

	evq_init(&q);
	for (uint64_t i = 0; i < 5000; i++)
		evq_push(&q, 7.0, 100, fire_a, NULL, i);
	for (uint64_t i = 0; i < 5000; i++) {
		CHECK_INT(evq_pop(&q, &t, &ev), 1);
		CHECK_INT(ev.arg, i);
	}
	CHECK_INT(evq_pop(&q, &t, &ev), 0);
	evq_fini(&q);
}

static void test_priority_before_sequence(void)
{
	struct evq q;
	struct evq_event ev;
	double t;

	evq_init(&q);
	evq_push(&q, 1.0, 150, fire_a, NULL, 1);
	evq_push(&q, 1.0, 50, fire_a, NULL, 2);
	evq_push(&q, 0.5, 200, fire_a, NULL, 3);
	evq_push(&q, 1.0, 10, fire_a, NULL, 4);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 3);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 4);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 2);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 1);
	evq_fini(&q);
}

static void test_pop_until_and_peek(void)
{
	struct evq q;
	struct evq_event ev;
	double t = -1;
	evq_handle h;

	evq_init(&q);
	CHECK(isinf(evq_peek_time(&q)));
	CHECK_INT(evq_pop_until(&q, 100, &t, &ev), 0);
	h = evq_push(&q, 2.0, 100, fire_a, NULL, 1);
	evq_push(&q, 3.0, 100, fire_b, NULL, 2);
	CHECK_NEAR(evq_peek_time(&q), 2.0, 0, 0);
	CHECK_INT(evq_cancel(&q, h), 1);
	CHECK_NEAR(evq_peek_time(&q), 3.0, 0, 0); /* the cancelled top is dropped */
	CHECK_INT(evq_pop_until(&q, 2.5, &t, &ev), 0);
	CHECK_INT(evq_size(&q), 1);
	CHECK_INT(evq_pop_until(&q, 3.0, &t, &ev), 1); /* an event at exactly t_max fires */
	CHECK(ev.fn == fire_b);
	CHECK_NEAR(t, 3.0, 0, 0);
	CHECK_INT(evq_cancel(&q, h), 0);
	CHECK_INT(evq_cancel(&q, EVQ_NONE), 0);
	CHECK_INT(evq_cancel(&q, ((evq_handle)77 << 32) | 12345), 0); /* out of the pool */
	evq_fini(&q);
}

static void test_stale_handle_after_reuse(void)
{
	struct evq q;
	struct evq_event ev;
	double t;
	evq_handle a, b;

	evq_init(&q);
	a = evq_push(&q, 1.0, 100, fire_a, NULL, 1);
	CHECK_INT(evq_pop(&q, &t, &ev), 1);
	b = evq_push(&q, 2.0, 100, fire_b, NULL, 2); /* reuses a's slot */
	CHECK((uint32_t)a == (uint32_t)b);
	CHECK_INT(evq_cancel(&q, a), 0); /* a already fired: b must survive */
	CHECK_INT(evq_size(&q), 1);
	CHECK_INT(evq_pop(&q, &t, &ev), 1);
	CHECK_INT(ev.arg, 2);
	evq_fini(&q);
}

/* Sequence numbers past 2^32 (their low 32 bits, in the handle, wrap to 0): no handle is
 * EVQ_NONE, each cancels its own event, and the order is still the insertion order. The first
 * push takes the first slot of a new pool: with slot 0 handed out, its handle would be 0. */
static void test_handles_across_wrap(void)
{
	struct evq q;
	struct evq_event ev;
	evq_handle h[6];
	double t;

	evq_init(&q);
	q.seq = (uint64_t)1 << 32;
	for (uint64_t i = 0; i < 6; i++) {
		h[i] = evq_push(&q, 1.0, 100, fire_a, NULL, i);
		CHECK(h[i] != EVQ_NONE);
	}
	CHECK_INT(evq_cancel(&q, h[0]), 1); /* the one whose low 32 bits are 0 */
	CHECK_INT(evq_cancel(&q, h[0]), 0);
	CHECK_INT(evq_cancel(&q, h[3]), 1);
	CHECK_INT(evq_cancel(&q, EVQ_NONE), 0);
	for (uint64_t i = 0; i < 6; i++) {
		if (i == 0 || i == 3)
			continue;
		CHECK_INT(evq_pop(&q, &t, &ev), 1);
		CHECK_INT(ev.arg, i);
	}
	CHECK_INT(evq_pop(&q, &t, &ev), 0);
	evq_fini(&q);
}

static void test_time_keys(void)
{
	static const double ts[] = { 3.5, -2.0, 0.0, -0.0, 1e-300, -1e300, 1e300, 7.25, -7.25, 2.0 };
	static const double sorted[] = { -1e300, -7.25, -2.0, 0.0, 0.0, 1e-300, 2.0, 3.5, 7.25, 1e300 };
	struct evq q;
	struct evq_event ev;
	double t;

	evq_init(&q);
	for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
		evq_push(&q, ts[i], 100, fire_a, NULL, i);
	for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
		CHECK_INT(evq_pop(&q, &t, &ev), 1);
		CHECK(t == sorted[i]);
	}
	/* 0.0 and -0.0 compare equal: insertion order decides (index 2 before 3) */
	evq_push(&q, -0.0, 100, fire_a, NULL, 1);
	evq_push(&q, 0.0, 100, fire_a, NULL, 2);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 1);
	CHECK_INT((evq_pop(&q, &t, &ev), ev.arg), 2);
	evq_fini(&q);
}

/* The event-list fuzz target's seeds and regressions (tests/fuzz/evq/, tests/fuzz/regressions/
 * evq-*) replayed: each runs its operations against the target's reference, which aborts on any
 * disagreement. */
#include "tests/fuzz/fuzz_evq.c"

static int replay_dir(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		unsigned char *buf;
		long len;
		FILE *f;
		if (de->d_name[0] == '.' || (prefix && strncmp(de->d_name, prefix, strlen(prefix))))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		CHECK_INT((long)fread(buf, 1, (size_t)len, f), len);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void test_fuzz_seeds(void)
{
	CHECK(replay_dir("tests/fuzz/evq", NULL) >= 3);
	replay_dir("tests/fuzz/regressions", "evq-");
}

int main(void)
{
	RUN(test_random_ties);
	RUN(test_random_continuous);
	RUN(test_calendar_mix);
	RUN(test_negative_times);
	RUN(test_keys_across_zero);
	RUN(test_take_small_across_zero);
	RUN(test_dist_sort_across_zero);
	RUN(test_random_across_zero);
	RUN(test_calendar_large);
	RUN(test_far_outliers);
	RUN(test_calendar_edges);
	RUN(test_regrow_with_empty_buckets);
	RUN(test_regrow_zero_width);
	RUN(test_chunks_reused);
	RUN(test_fuzz_seeds);
	RUN(test_fifo_equal_keys);
	RUN(test_priority_before_sequence);
	RUN(test_pop_until_and_peek);
	RUN(test_stale_handle_after_reuse);
	RUN(test_handles_across_wrap);
	RUN(test_time_keys);
	return CHECK_DONE();
}
