/* evq.c — the future-event list: a cache-aligned 4-ary front heap and a calendar of unsorted
 * buckets behind it, with pooled records, lazy cancellation and a deferred pop (evq.h).
 *
 * Layout: heap entries are 16 bytes and the heap array starts 3 entries before a 64-byte
 * boundary, so heap[1..4], heap[5..8], ... (the children of 0, 1, ...) each fill exactly one
 * cache line. Comparisons read only the entries' times; the pool is read on a time tie only.
 * Calendar buckets are lists of 64-byte chunks from one pool; a push touches its bucket's header
 * and the newest chunk's line, so the lines written stay few even with 10^6 events pending.
 */
#include "evq.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
/* EVQ_X86: take_small's SSE4.2 network and take_chunk_if_full's inline asm. -DEVQ_PORTABLE
 * builds the plain C paths other CPUs run on x86-64 too, so that they are compiled with the
 * project's warnings and tested here (tests/sh/t_evq_portable.sh). */
#if defined(__x86_64__) && !defined(EVQ_PORTABLE)
#define EVQ_X86 1
#include <nmmintrin.h>
#else
#define EVQ_X86 0
#endif

#include "engine/tkey.h"
#include "engine/xalloc.h"

#define NO_SLOT UINT32_MAX
#define NOINLINE __attribute__((noinline))
#define LINE 64
#define HUGE_PAGE ((size_t)2 << 20)
/* The first this many entries (64 KB: the top six levels) stay in the L1/L2 cache: prefetching
 * them costs more than it saves, and prefetching past the end fetches nothing useful. */
#define EVQ_PREFETCH_MIN 4096
/* Calendars get EVQ_BUCKETS_PER_EVENT buckets per event (cal_build); over more events than
 * EVQ_DENSE_MAX, one bucket per EVQ_DENSE_PER_BUCKET events instead, and their pops prefetch
 * records EVQ_RUN_AHEAD entries ahead. */
#define EVQ_BUCKETS_PER_EVENT 2
/* A calendar over the whole top reaches EVQ_SPAN_AHEAD times its span, at the same bucket width
 * (cal_build): pushes during its life land beyond the top's latest time too. */
#define EVQ_SPAN_AHEAD 2
#ifndef EVQ_DENSE_MAX /* the fuzz build lowers it (Makefile): bulk pushes of a few thousand reach it */
#define EVQ_DENSE_MAX 32768
#endif
#define EVQ_DENSE_PER_BUCKET 32
/* Records of the run's entries are prefetched this many pops ahead. */
#define EVQ_RUN_AHEAD 16
/* The run's room past its entries: bucket_drain's whole chunks (3) or the prefetch's filler. */
#define EVQ_RUN_PAD (EVQ_RUN_AHEAD > 8 ? EVQ_RUN_AHEAD : 8)

void evq_init(struct evq *q)
{
	memset(q, 0, sizeof *q);
	q->free_head = NO_SLOT;
	q->ch_free = NO_SLOT;
	q->top_min = UINT64_MAX;
	q->seq = 1;
	q->small = 1;
}

void evq_fini(struct evq *q)
{
	free(q->heap_mem);
	free(q->pool_mem);
	free(q->ch_mem);
	free(q->bk);
	free(q->top);
	free(q->run);
	free(q->part);
	evq_init(q);
}

/* (time, key) order; keys are read from the pool only when the times are equal */
static inline int before(const struct evq_event *pool, const struct evq_entry *a,
			 const struct evq_entry *b)
{
	return a->tk < b->tk || (a->tk == b->tk && pool[a->slot].key < pool[b->slot].key);
}

static void sift_up(struct evq *q, size_t i, struct evq_entry x)
{
	struct evq_entry *h = q->heap;

	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!before(q->pool, &x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

/* Offset (0..3) of the smallest of the four entries g[0..3]. The tournament picks by time
 * alone with branch-free selects (setcc/cmov): a data-dependent branch here would mispredict
 * about half the time. Only when one of its three comparisons was a tie does it redo the
 * choice with the pool's keys (a predictable, almost never taken branch). */
static inline size_t min_of_four(const struct evq_event *pool, const struct evq_entry *g)
{
	uint64_t t0 = g[0].tk, t1 = g[1].tk, t2 = g[2].tk, t3 = g[3].tk;
	uint64_t ta = t1 < t0 ? t1 : t0, tb = t3 < t2 ? t3 : t2;
	size_t a = t1 < t0, b = 2 + (t3 < t2);
	size_t m = (size_t)0 - (size_t)(tb < ta); /* all ones when b wins: no branch */

	if (__builtin_expect((t0 == t1) | (t2 == t3) | (ta == tb), 0)) {
		a = before(pool, &g[1], &g[0]);
		b = 2 + (size_t)before(pool, &g[3], &g[2]);
		return before(pool, &g[b], &g[a]) ? b : a;
	}
	return (a & ~m) | (b & m);
}

/* Prefetches the line at address a. An integer: the address may lie past the array (a
 * prefetch never faults), and forming such a pointer by pointer arithmetic would be UB. */
static inline void prefetch_line(uintptr_t a) { __builtin_prefetch((const void *)a); }

/* Places x in the hole at index top. Bottom-up (Floyd): the hole first walks down to a leaf
 * along the smallest children, without comparing with x, then x climbs back from there. An
 * entry that sifts down from the root (the last one after a pop, or a new event due later than
 * most) belongs near the bottom, so the climb is short, and the walk has no unpredictable
 * branch. While a group is compared, the four lines of the next level's candidate groups are
 * prefetched, so a deep walk overlaps its cache misses. */
static void sift_down(struct evq *q, size_t top, struct evq_entry x)
{
	struct evq_entry *h = q->heap;
	const struct evq_event *pool = q->pool;
	size_t n = q->n, i = top, c;

	if (top == 0 && 4 < n) { /* the new root fires next: fetch its record early */
		size_t w = min_of_four(pool, &h[1]);
		h[0] = h[1 + w];
		__builtin_prefetch(&pool[h[0].slot]);
		i = 1 + w;
	}
	/* the levels whose grandchildren lie in the cache-resident top of the heap: no prefetch */
	while ((c = 4 * i + 1) + 3 < n && 4 * c + 1 < EVQ_PREFETCH_MIN) {
		size_t w = min_of_four(pool, &h[c]);
		h[i] = h[c + w];
		i = c + w;
	}
	/* deeper: prefetch the four lines of the next level's candidate groups while comparing */
	while ((c = 4 * i + 1) + 3 < n) {
		size_t w;
		if (4 * c + 1 < n) {
			uintptr_t next = (uintptr_t)&h[4 * c + 1];
			prefetch_line(next);
			prefetch_line(next + LINE);
			prefetch_line(next + 2 * LINE);
			prefetch_line(next + 3 * LINE);
		}
		w = min_of_four(pool, &h[c]);
		h[i] = h[c + w];
		i = c + w;
	}
	if (c < n) { /* the one partly filled group at the bottom */
		size_t best = c;
		for (size_t k = c + 1; k < n; k++)
			if (before(pool, &h[k], &h[best]))
				best = k;
		h[i] = h[best];
		i = best;
	}
	while (i > top) {
		size_t p = (i - 1) >> 2;
		if (!before(pool, &x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

/* Fills the root's hole with x when the heap is the root and at most one group of children
 * (n <= 5, counting the hole): x or the earliest child becomes the root, and x takes that
 * child's place (a leaf). A simulation of one busy service keeps this few events pending, so
 * this is its every push. */
static inline void fill_small(struct evq *q, struct evq_entry x)
{
	struct evq_entry *h = q->heap, best = x;
	size_t m = 0;

	for (size_t k = 1; k < q->n; k++)
		if (before(q->pool, &h[k], &best)) {
			best = h[k];
			m = k;
		}
	h[0] = best;
	if (m)
		h[m] = x;
}

/* Fills the hole at the root with x. */
static inline void fill_hole(struct evq *q, struct evq_entry x)
{
	q->hole = 0;
	if (q->n <= 5)
		fill_small(q, x);
	else
		sift_down(q, 0, x);
}

/* Fills a hole left by a deferred pop the classic way: the last entry sifts down from the root. */
static inline void settle(struct evq *q)
{
	if (!q->hole)
		return;
	q->hole = 0;
	if (--q->n > 0) {
		q->hole = 1;
		fill_hole(q, q->heap[q->n]);
	}
}

/* Returns bytes of storage aligned to a cache line, *mem receiving the block to free. Blocks of
 * 2 MB or more are aligned to 2 MB and offered to the kernel as transparent huge pages: a sift
 * through 10^6 events touches lines scattered over tens of MB, and with 4 KB pages nearly every
 * level would also miss the TLB. */
static void *alloc_aligned(size_t bytes, void **mem)
{
	size_t align = bytes >= HUGE_PAGE ? HUGE_PAGE : LINE;
	void *m = xmalloc(bytes + align);
	uintptr_t p = ((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1);

#ifdef MADV_HUGEPAGE
	if (align == HUGE_PAGE)
		madvise((void *)p, bytes & ~(size_t)(HUGE_PAGE - 1), MADV_HUGEPAGE); /* a hint only */
#endif
	*mem = m;
	return (void *)p;
}

/* Room for at least need entries in the heap array (keeping its contents). */
static NOINLINE void heap_reserve(struct evq *q, size_t need)
{
	size_t cap = q->cap ? q->cap : 256;
	void *mem;
	struct evq_entry *h;

	if (need <= q->cap)
		return;
	while (cap < need)
		cap *= 2;
	h = (struct evq_entry *)alloc_aligned((cap + 4) * sizeof *h, &mem) + 3;
	if (q->n)
		memcpy(h, q->heap, q->n * sizeof *h);
	free(q->heap_mem);
	q->heap_mem = mem;
	q->heap = h;
	q->cap = cap;
}

/* Adds x to the front heap (filling the hole of a deferred pop if there is one). */
static inline void heap_put(struct evq *q, struct evq_entry x)
{
	if (q->hole) {
		fill_hole(q, x);
	} else {
		heap_reserve(q, q->n + 1);
		sift_up(q, q->n++, x);
	}
}

/* ---- the calendar ---- */

/* A chunk's link (its bucket's next chunk, or the next free chunk) lives in the spare word of
 * its first entry, so a push touches the chunk's line and its bucket's header only. A bucket's
 * last chunk's link is undefined (file_cal writes the stale head of an empty bucket there):
 * walks along a bucket count its chunks from its n instead. */
#define CH_LINK(q, c) ((q)->ch[c].e[0].unused)

static NOINLINE void chunk_grow(struct evq *q)
{
	size_t old = q->ch_cap, cap = old ? 2 * old : 256;
	void *mem;
	struct evq_chunk *p;

	if (cap >= NO_SLOT)
		abort(); /* 2^32 chunks are 256 GB of entries: xmalloc fails long before */
	p = alloc_aligned(cap * sizeof *p, &mem);
	if (old)
		memcpy(p, q->ch, old * sizeof *p);
	free(q->ch_mem);
	q->ch_mem = mem;
	q->ch = p;
	for (size_t i = old; i < cap; i++)
		p[i].e[0].unused = i + 1 < cap ? (uint32_t)(i + 1) : NO_SLOT;
	q->ch_cap = cap;
	q->ch_free = (uint32_t)old;
}

/* Appends x to bucket k and returns 1; or returns 0, filing nothing, when x needs a new chunk
 * and none is free (the push's common path then goes the slow way, which grows them). */
static inline int bucket_append(struct evq *q, uint32_t k, struct evq_entry x)
{
	struct evq_bucket *b = &q->bk[k];
	uint32_t i = b->n & 3;
	struct evq_entry *e;

	if (i == 0) { /* the newest chunk is full (or there is none): a new one goes first */
		uint32_t c = q->ch_free;
		if (c == NO_SLOT)
			return 0;
		q->ch_free = CH_LINK(q, c);
		CH_LINK(q, c) = b->n ? b->head : NO_SLOT;
		b->head = c;
	}
	e = &q->ch[b->head].e[i]; /* its spare word is the chunk's link (i == 0) or unused */
	e->tk = x.tk;
	e->slot = x.slot;
	b->n++;
	return 1;
}

static inline void bucket_add(struct evq *q, uint32_t k, struct evq_entry x)
{
	if (!bucket_append(q, k, x)) {
		chunk_grow(q);
		bucket_append(q, k, x);
	}
}

/* Moves a bucket's entries to dst[0..n) in the order they were filed, freeing its chunks;
 * returns n. Whole chunks are copied (fixed-size copies, no branch on the count): the newest
 * chunk, the only partly filled one, goes last, so dst needs room for 3 entries past n; the
 * chunk list runs from the newest, so the chunks go from the end back. Filing order puts equal
 * times in insertion order, which is their order unless priorities differ: the sorts then move
 * few of them (the hold benchmark's first events share 1,024 times, 100 each at 10^5). */
static inline size_t bucket_drain(struct evq *q, struct evq_bucket *b, struct evq_entry *dst)
{
	struct evq_chunk *ch = q->ch;
	uint32_t head = b->head, c = head;
	size_t n = b->n, at = (n - 1) & ~(size_t)3; /* where the newest chunk's 1..4 entries go */

	if (!n)
		return 0;
	memcpy(&dst[at], ch[c].e, sizeof ch[c].e);
	for (struct evq_entry *d = dst + at; d != dst;) {
		c = ch[c].e[0].unused; /* CH_LINK */
		d -= 4;
		memcpy(d, ch[c].e, sizeof ch[c].e);
	}
	ch[c].e[0].unused = q->ch_free; /* the whole list, head to c, joins the free list */
	q->ch_free = head;
	b->n = 0;
	return n;
}

static NOINLINE void top_add(struct evq *q, struct evq_entry x)
{
	if (q->top_n == q->top_cap) {
		q->top_cap = q->top_cap ? 2 * q->top_cap : 256;
		q->top = xrealloc(q->top, q->top_cap * sizeof *q->top);
	}
	q->top[q->top_n++] = x;
	if (x.tk < q->top_min)
		q->top_min = x.tk;
	if (x.tk > q->top_max)
		q->top_max = x.tk;
}

/* The bucket of time t (tk its key, <= cal_hi): (t - base) * inv_w, truncated, clamped to the
 * last bucket (which also takes +inf, and NaN from inf * 0); UINT32_MAX before base. Monotone
 * in t: rounding is, so equal times share a bucket and earlier times never land later. */
static inline uint32_t cal_index(const struct evq *q, double t)
{
	double d = (t - q->base) * q->inv_w;

	if (!(t >= q->base))
		return UINT32_MAX;
	return d < q->last_d ? (uint32_t)d : q->nb - 1;
}

static void heap_push(struct evq *q, struct evq_entry x);
static void run_reserve(struct evq *q, size_t n);

/* Files x, whose bucket was taken, in the run, at its place by (time, key) (a binary search and
 * a move of the entries after it, the prefetch's filler included); returns 0, filing nothing,
 * when the run has no room for it (x then goes to the heap). The run and the heap hold only
 * entries earlier than every bucket's, x too, so the run stays sorted and ahead of them. As the
 * heap's, such entries made every pop until they were gone go the merging way (pop_cal): at
 * 10^5 pending (about 370 entries a run) about one pop in nine. */
static int run_insert(struct evq *q, struct evq_entry x)
{
	size_t lo = q->run_pos, hi = q->run_n;

	if (q->run_n + q->ahead + 1 > q->run_cap)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (before(q->pool, &x, &q->run[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(&q->run[lo + 1], &q->run[lo], (q->run_n + q->ahead - lo) * sizeof *q->run);
	q->run[lo] = x;
	q->run_n++;
	return 1;
}

/* Files x (time t) in the top, a bucket or (its bucket already taken) the run or the heap. */
static inline void cal_put(struct evq *q, struct evq_entry x, double t)
{
	uint32_t k;

	if (x.tk > q->cal_hi) {
		top_add(q, x);
		return;
	}
	k = cal_index(q, t);
	if (k - q->cur < q->nb - q->cur) /* cur <= k < nb; UINT32_MAX wraps out */
		bucket_add(q, k, x);
	else if (!run_insert(q, x))
		heap_push(q, x); /* its bucket was taken (with a calendar, the heap never spills) */
}

/* The time key where a new calendar over the top ends: the top's latest time, unless that lies
 * beyond EVQ_FAR_MEDIANS times the median distance from the earliest (lo), estimated from 63
 * evenly spaced entries; then there. A few far-future or infinite times would otherwise
 * stretch the buckets until every other event falls in the first, and the list would work as
 * a heap. Every entry up to the median is inside, so each build takes about half the top at
 * least; exponential residuals reach about ln(n) / ln(2) medians (20 at 10^6 pending), so the
 * hold benchmark's calendars are never cut. */
#define EVQ_FAR_MEDIANS 32.0
static uint64_t cal_end(const struct evq *q, double lo)
{
	enum { SAMPLES = 63 };
	double d[SAMPLES], end;
	size_t n = q->top_n, step = n / SAMPLES;

	if (n < 4 * SAMPLES)
		return q->top_max;
	for (size_t j = 0; j < SAMPLES; j++) {
		double x = tkey_value(q->top[j * step].tk) - lo;
		size_t i = j;
		for (; i > 0 && d[i - 1] > x; i--) /* insertion sort: 63 entries, once per build */
			d[i] = d[i - 1];
		d[i] = x;
	}
	end = lo + EVQ_FAR_MEDIANS * d[SAMPLES / 2];
	if (!(d[SAMPLES / 2] > 0) || !(end < tkey_value(q->top_max)))
		return q->top_max; /* most times tie with the earliest, or nothing lies that far */
	return tkey_of(end);
}

/* Spreads the top over a new calendar: EVQ_BUCKETS_PER_EVENT buckets per event, one per
 * EVQ_DENSE_PER_BUCKET events beyond EVQ_DENSE_MAX, equal widths from the earliest to the latest
 * time, and as many again beyond it (EVQ_SPAN_AHEAD) unless far outliers were cut.
 * Two buckets per event: in the hold benchmark every bucket holds about ln(n) / 2 entries when
 * it is taken (at 10^3 about 3.7, sorted by sort_small's networks; one per event gave 7.5, and
 * 40% of the takes needed the distribution sort): callgrind, hold at 10^3, 261 instructions
 * against 273 at one per event and 269 at three. Twice the span: a calendar over the top's
 * span alone sent 1 push in 8 to the top, to be spread again at the next build; hold at 10^3
 * 233.8 -> 230.1 instructions (228.5 at three times the span), 10^5 257.8 -> 254.2.
 * Beyond EVQ_DENSE_MAX events the records, headers and chunks no longer stay in the core's
 * cache, and fewer, fuller buckets keep the chunks a push writes (one per bucket) in the L2
 * cache: cachegrind with a 512 KB last level, 10^6 holds at 10^5 pending (set-up included),
 * 2.26 M last-level misses at 4 per bucket, 1.93 M at 16, 1.88 M at 32; the distribution sort
 * keeps the longer sorts linear. The hold at 10^5, min of 5 interleaved runs: 84 -> 54 ns with
 * the prefetch. (Narrowing the buckets to the density at the front, where exponential
 * residuals crowd ln n times the average, was measured and did not pay: the calendar ends
 * sooner and the top is spread more often.) Every bucket is empty; the heap and run hold only
 * earlier events. */
static void cal_build(struct evq *q)
{
	double lo = tkey_value(q->top_min), hi = tkey_value(q->top_max), span;
	uint64_t hi_k = cal_end(q, lo);
	size_t n = q->top_n, n_in = n, nb;
	struct evq_entry *e = q->top;

	if (hi_k < q->top_max) { /* far outliers stay in the top */
		hi = tkey_value(hi_k);
		n_in = 0;
		for (size_t i = 0; i < n; i++)
			n_in += e[i].tk <= hi_k;
	}
	span = hi - lo;
	nb = n_in <= EVQ_DENSE_MAX ? EVQ_BUCKETS_PER_EVENT * n_in : n_in / EVQ_DENSE_PER_BUCKET;
	if (hi_k == q->top_max && span > 0 && isfinite(lo + EVQ_SPAN_AHEAD * span)) {
		/* nothing cut: room for what is pushed meanwhile, at the same width */
		span *= EVQ_SPAN_AHEAD;
		nb *= EVQ_SPAN_AHEAD;
		hi_k = tkey_of(lo + span);
	}
	if (nb > EVQ_NB_MAX)
		nb = EVQ_NB_MAX;

	q->inv_w = (double)nb / span;
	if (!(span > 0) || !(q->inv_w > 0) || !isfinite(q->inv_w)) { /* one time, or infinite span */
		nb = 1;
		q->inv_w = 0;
	}
	if (nb > q->bk_cap) {
		free(q->bk);
		q->bk = xmalloc(nb * sizeof *q->bk);
		q->bk_cap = nb;
	}
	memset(q->bk, 0, nb * sizeof *q->bk);
	q->nb = (uint32_t)nb;
	q->last_d = (double)(nb - 1);
	q->nb_d = (double)nb;
	q->cur = 0;
	/* not 0: file_cal's fast path takes d >= cur_d for t >= base, and d = (t - base) * inv_w
	 * is -0.0 for t < base when inv_w is 0 (one time, infinite span) or the product
	 * underflows; from the smallest positive d on, t > base. Pushes at base go the slow way. */
	q->cur_d = DBL_TRUE_MIN;
	q->base = lo;
	q->cal_hi = hi_k;
	q->cal = 1;
	q->regrow_at = 2 * q->live + EVQ_SPILL_HI;
	q->ahead = n_in > EVQ_DENSE_MAX ? EVQ_RUN_AHEAD : 0; /* fewer: the records stay in cache */
	if (!q->run_cap) /* none yet (so no entries in it): pop_take's writes need no test */
		run_reserve(q, 8);
	q->pf_left = 0;
	/* the top is emptied and its entries spread from its array in place; those past cal_hi
	 * (far outliers) are put back in it, at or before their old places */
	q->top_n = 0;
	q->top_min = UINT64_MAX;
	q->top_max = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].tk <= hi_k)
			bucket_add(q, cal_index(q, tkey_value(e[i].tk)), e[i]);
		else
			top_add(q, e[i]);
	}
}

/* Compare-exchange by time alone, branch-free (conditional moves): a bucket's entries are in
 * random order, and a data-dependent branch would mispredict about half the time. */
static inline void cx(struct evq_entry *a, struct evq_entry *b)
{
	uint64_t ta = a->tk, tb = b->tk;
	uint32_t sa = a->slot, sb = b->slot;
	int sw = tb < ta;

	a->tk = sw ? tb : ta;
	b->tk = sw ? ta : tb;
	a->slot = sw ? sb : sa;
	b->slot = sw ? sa : sb;
}

/* Puts runs of equal times in e[0..n) (sorted by time) in key order: insertion, entered only on
 * a tie (rare with continuous time). */
static inline void ties_in_order(const struct evq_event *pool, struct evq_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct evq_entry x = e[i];
		size_t j = i;
		if (x.tk != e[i - 1].tk)
			continue;
		for (; j > 0 && before(pool, &x, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* Whether e[0..n) (sorted by time, n a constant) holds equal neighbours: no branch per entry,
 * one for the bucket (ties are rare with continuous time). */
static inline __attribute__((always_inline)) int ties_n(const struct evq_entry *e, const size_t n)
{
	int eq = 0;

#pragma GCC unroll 8
	for (size_t i = 1; i < n; i++)
		eq |= e[i].tk == e[i - 1].tk;
	return eq;
}

#define CX(i, j) cx(&e[i], &e[j])

/* Sorts e[0..n) (n <= 8) by (time, key): by time with the smallest known network for n (Knuth,
 * TAOCP vol. 3, 5.3.4: 1, 3, 5, 9, 12, 16 and 19 compare-exchanges for 2 to 8 entries; written
 * out, in place, no padding), then ties fixed, when ties_n finds any. */
static inline void sort_small(const struct evq_event *pool, struct evq_entry *e, size_t n)
{
	int tie;

	switch (n) {
	case 0:
	case 1:
		return;
	case 2:
		CX(0, 1);
		tie = ties_n(e, 2);
		break;
	case 3:
		CX(0, 2); CX(0, 1); CX(1, 2);
		tie = ties_n(e, 3);
		break;
	case 4:
		CX(0, 1); CX(2, 3); CX(0, 2); CX(1, 3); CX(1, 2);
		tie = ties_n(e, 4);
		break;
	case 5:
		CX(0, 3); CX(1, 4); CX(0, 2); CX(1, 3); CX(0, 1); CX(2, 4); CX(1, 2); CX(3, 4);
		CX(2, 3);
		tie = ties_n(e, 5);
		break;
	case 6:
		CX(0, 5); CX(1, 3); CX(2, 4); CX(1, 2); CX(3, 4); CX(0, 3); CX(2, 5); CX(0, 1);
		CX(2, 3); CX(4, 5); CX(1, 2); CX(3, 4);
		tie = ties_n(e, 6);
		break;
	case 7:
		CX(0, 6); CX(2, 3); CX(4, 5); CX(0, 2); CX(1, 4); CX(3, 6); CX(0, 1); CX(2, 5);
		CX(3, 4); CX(1, 2); CX(4, 6); CX(2, 3); CX(4, 5); CX(1, 2); CX(3, 4); CX(5, 6);
		tie = ties_n(e, 7);
		break;
	default: /* 8: Batcher's odd-even merge */
		CX(0, 1); CX(2, 3); CX(4, 5); CX(6, 7); CX(0, 2); CX(1, 3); CX(4, 6); CX(5, 7);
		CX(1, 2); CX(5, 6); CX(0, 4); CX(3, 7); CX(1, 5); CX(2, 6); CX(1, 4); CX(3, 6);
		CX(2, 4); CX(3, 5); CX(3, 4);
		tie = ties_n(e, 8);
		break;
	}
	if (tie) /* equal times: into key order */
		ties_in_order(pool, e, n);
}

#undef CX

/* Sorts e[0..n) by (time, key), merge sort through tmp (room for n) with leaves of up to 8
 * sorted by sort_small. */
static void merge_sort(const struct evq_event *pool, struct evq_entry *e, size_t n,
		       struct evq_entry *tmp)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= 8) {
		sort_small(pool, e, n);
		return;
	}
	merge_sort(pool, e, h, tmp);
	merge_sort(pool, e + h, n - h, tmp);
	while (i < h && j < n)
		tmp[k++] = before(pool, &e[j], &e[i]) ? e[j++] : e[i++];
	while (i < h)
		tmp[k++] = e[i++];
	memcpy(e, tmp, k * sizeof *e); /* e[j..n) is already in place */
}

/* Sorts src[0..n) (bucket k's entries, n > 8) by (time, key) into dst: a distribution sort.
 * Each entry's place in the bucket's range of time keys, in n equal parts, gives its part: the
 * key's distance from the key of the bucket's start times n / (the range), in integers (the
 * high half of a 64 x 64-bit product with n / range in 0.64 fixed point), clamped to the last
 * part (an entry's bucket comes from floating-point arithmetic, so a few may lie just outside;
 * one before the start wraps to a far distance). The part is a monotone function of the key
 * from the start on, so equal times share a part and an earlier time never lands in a later
 * part; a counting sort puts the parts in order (each entry's part kept in its spare word), and
 * one insertion pass over the whole bucket sorts within them (parts of 0 to 2 entries mostly:
 * about n / 4 entries move, by one place on average). The insertion pass sorts whatever the
 * parts, so order never depends on them; they only keep it short (an entry before the start,
 * never seen, would move up to n places). (Keys are linear in the time within a binade, so a
 * bucket that spans a power of two has uneven parts: still sorted, more slowly.) Parts hold
 * many entries only when times crowd (or tie) within 1/n of the bucket's range: once the pass
 * has moved entries by more than 4n places in all, a merge sort finishes the bucket, so the
 * cost stays O(n log n) at worst; src serves as its buffer. Callgrind, hold driver at 10^5
 * pending (about 400 entries a taken bucket), instructions a hold: 246.9 (each part sorted on
 * its own, by networks for 3 to 8 entries) -> 240.1 (the insertion pass) -> 235.1 (no test for
 * a key before the start) -> 231.9 (the part in the spare word) -> 228.5 (integer parts, from
 * a double's scaling and conversion); later, with the hold driver of the fifth pass, 223.7 ->
 * 217.3 (the three counting loops unrolled by 4: their loop control was 3 to 4 of about 40
 * instructions an entry) -> 216.5 (the insertion pass keeps the previous key in a register). */
#define EVQ_UNROLL4 _Pragma("GCC unroll 4")
static NOINLINE void dist_sort(struct evq *q, uint32_t k, struct evq_entry *src, size_t n,
			       struct evq_entry *dst)
{
	uint32_t *at = q->part;
	double w = 1.0 / q->inv_w;
	uint64_t lo = tkey_of(q->base + (double)k * w), hi = tkey_of(q->base + (double)(k + 1) * w);
	uint64_t mul, last = n - 1, prev;
	size_t moved = 0;

	/* part = (key - lo) * n / (hi - lo) as the high half of a 64 x 64 product: mul is
	 * n / (hi - lo) in 0.64 fixed point (all ones if that is 1 or more; 0 if hi <= lo) */
	mul = hi <= lo ? 0 : hi - lo <= n ? UINT64_MAX
		: (uint64_t)(((unsigned __int128)n << 64) / (hi - lo));
	memset(at, 0, (n + 1) * sizeof *at);
	EVQ_UNROLL4
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(((unsigned __int128)(src[i].tk - lo) * mul) >> 64);
		uint32_t p = (uint32_t)(d < last ? d : last); /* tk < lo wraps: last */
		src[i].unused = p;
		at[p + 1]++;
	}
	EVQ_UNROLL4
	for (size_t p = 1; p <= n; p++)
		at[p] += at[p - 1]; /* at[p]: where part p begins */
	EVQ_UNROLL4
	for (size_t i = 0; i < n; i++)
		dst[at[src[i].unused]++] = src[i];
	/* parts in order, each in any order: one insertion pass sorts them all (prev: the time key
	 * of dst[i - 1], which an insertion leaves as it was) */
	prev = dst[0].tk;
	for (size_t i = 1; i < n; i++) {
		struct evq_entry x;
		size_t j = i;
		if (dst[i].tk > prev) {
			prev = dst[i].tk;
			continue;
		}
		x = dst[i];
		if (!before(q->pool, &x, &dst[i - 1])) {
			prev = x.tk;
			continue;
		}
		do {
			dst[j] = dst[j - 1];
			j--;
		} while (j > 0 && before(q->pool, &x, &dst[j - 1]));
		dst[j] = x;
		moved += i - j;
		if (moved > 4 * n) { /* crowded parts (ties): the rest by a merge sort */
			merge_sort(q->pool, dst, n, src);
			return;
		}
	}
}

/* Moves bucket k, sorted, into the (used up) run. The run keeps q->ahead entries of slot 0 past
 * its end, so a pop can prefetch the record q->ahead entries ahead without a test.
 * Up to 8 entries are sorted in place by a network (sort_small), more by a distribution sort
 * over the bucket's width (the last bucket, which also takes the calendar's far outliers, by a
 * merge sort). Sorting up to 8 by rank (one comparison per pair, each entry stored to its
 * rank) took fewer instructions (callgrind, hold at 10^3: 207.2 against 211.5 now) but more
 * CPU time (30.2-30.3 ns against 27.8-28.1 for the networks, thread CPU time, best of 3, two
 * pairs; presumably the stores to computed places, read back at once, stall): dropped. */
static NOINLINE void run_reserve(struct evq *q, size_t n)
{
	q->run_cap = 2 * n + EVQ_RUN_PAD;
	free(q->run);
	q->run = xmalloc(2 * q->run_cap * sizeof *q->run); /* the second half: sort's buffer */
	free(q->part);
	q->part = xmalloc((q->run_cap + 1) * sizeof *q->part);
}

/* bucket_take's sort of more than 8 entries into the run; returns their count. */
static NOINLINE size_t take_many(struct evq *q, uint32_t k)
{
	struct evq_bucket *b = &q->bk[k];
	struct evq_entry *tmp = q->run + q->run_cap;
	size_t n;

	if (k == q->nb - 1) {
		n = bucket_drain(q, b, q->run);
		merge_sort(q->pool, q->run, n, tmp);
	} else {
		n = bucket_drain(q, b, tmp);
		dist_sort(q, k, tmp, n, q->run);
	}
	return n;
}

/* A dense calendar's run of n entries from bucket k: the first q->ahead records prefetched, as
 * many entries of slot 0 past the end (a pop prefetches q->ahead entries ahead without a test),
 * and the walk of the next full bucket's chunk list (of the next two) set up, one chunk a pop. */
static void run_ahead(struct evq *q, uint32_t k, size_t n)
{
	uint32_t k2 = k + 1;

	for (size_t i = 0; i < q->ahead; i++) {
		__builtin_prefetch(&q->pool[q->run[i].slot]); /* the first records (pops prefetch on) */
		q->run[n + i] = (struct evq_entry){ UINT64_MAX, 0, 0 };
	}
	if (!q->ahead)
		return;
	if (k2 < q->nb && q->bk[k2].n == 0)
		k2++;
	q->pf_left = k2 < q->nb ? (q->bk[k2].n + 3) / 4 : 0; /* its chunks: the walk counts them */
	if (q->pf_left) {
		q->pf = q->bk[k2].head;
		__builtin_prefetch(&q->ch[q->pf]);
	}
}

static void bucket_take(struct evq *q, uint32_t k)
{
	struct evq_bucket *b = &q->bk[k];
	size_t n = b->n;

	if (n + EVQ_RUN_PAD > q->run_cap)
		run_reserve(q, n);
	if (n <= 8) {
		bucket_drain(q, b, q->run);
		sort_small(q->pool, q->run, n);
	} else {
		take_many(q, k);
	}
	run_ahead(q, k, n);
	q->run_n = n;
	q->run_pos = 0;
}

/* More than twice the live events at the calendar's build are pending (regrow_at; asked by
 * refill and pop_take before a take): its buckets (those not yet taken) go back to the top and
 * a calendar sized to the new count replaces it (as a hash table grows: the count doubled
 * since the last build, so the cost per push stays O(1)). Events in the heap and the run are
 * earlier than every bucket's and stay where they are. The live count includes them: when
 * they are all there is (pushes into taken buckets), the buckets and the top are empty and the
 * calendar stays (a calendar built over no events has no start: fuzz_evq found the order
 * broken after one). */
static NOINLINE void cal_regrow(struct evq *q)
{
	for (uint32_t k = q->cur; k < q->nb; k++) {
		struct evq_bucket *b = &q->bk[k];
		if (q->top_n + b->n + 3 > q->top_cap) { /* bucket_drain writes whole chunks */
			while (q->top_n + b->n + 3 > q->top_cap)
				q->top_cap = q->top_cap ? 2 * q->top_cap : 256;
			q->top = xrealloc(q->top, q->top_cap * sizeof *q->top);
		}
		q->top_n += bucket_drain(q, b, q->top + q->top_n);
	}
	if (!q->top_n) { /* the live events are all in the run and the heap: nothing to spread */
		q->regrow_at = 2 * q->live + EVQ_SPILL_HI;
		return;
	}
	q->top_min = UINT64_MAX;
	q->top_max = 0;
	for (size_t i = 0; i < q->top_n; i++) {
		if (q->top[i].tk < q->top_min)
			q->top_min = q->top[i].tk;
		if (q->top[i].tk > q->top_max)
			q->top_max = q->top[i].tk;
	}
	cal_build(q);
}

static void refill(struct evq *q);

/* refill's case of a used-up calendar: a new calendar over the top (it puts at least half of
 * the top in its buckets: cal_end), or, when at most EVQ_SPILL_LO events are left there, the
 * heap takes them (heap-only again). */
static NOINLINE void refill_cal(struct evq *q)
{
	if (q->top_n > EVQ_SPILL_LO) {
		cal_build(q);
		refill(q);
		return;
	}
	q->cal = 0;
	q->nb = q->cur = 0;
	for (size_t i = 0; i < q->top_n; i++)
		heap_put(q, q->top[i]);
	q->top_n = 0;
	q->top_min = UINT64_MAX;
	q->top_max = 0;
}

/* The run is used up: refills it from the next non-empty bucket, or from a new calendar over
 * the top, or leaves it used up with the calendar off (refill_cal). The heap may hold events:
 * all are earlier than the calendar's. First, when the live events passed twice their count at
 * the calendar's build, a calendar sized to them replaces it (cal_regrow): asked here and in
 * pop_take, once a bucket, not on every push (a burst of pushes with no pop waits in the
 * buckets, unsorted, until the next take; then the regrow is the first thing done). */
static NOINLINE void refill(struct evq *q)
{
	uint32_t k, nb;

	if (q->live > q->regrow_at) /* asked here, once a bucket, not by every push */
		cal_regrow(q);
	k = q->cur, nb = q->nb;
	while (k < nb && q->bk[k].n == 0) /* a local: no store of cur per empty bucket */
		k++;
	q->cur = k;
	if (k < nb) {
		q->cur = k + 1;
		q->cur_d = (double)(k + 1);
		bucket_take(q, k);
	} else
		refill_cal(q);
}

/* The heap outgrew EVQ_SPILL_HI (hole filled, heap-only): everything moves to a calendar. */
static NOINLINE void spill(struct evq *q)
{
	for (size_t i = 0; i < q->n; i++)
		top_add(q, q->heap[i]);
	q->n = 0;
	cal_build(q);
}

/* ---- records ---- */

static NOINLINE void pool_grow(struct evq *q)
{
	size_t old = q->pool_cap, cap = old ? 2 * old : 256;
	void *mem;
	struct evq_event *p;

	if (cap >= NO_SLOT)
		abort(); /* 2^32 records are 128 GB: xmalloc fails long before */
	p = alloc_aligned(cap * sizeof *p, &mem);

	if (old)
		memcpy(p, q->pool, old * sizeof *p);
	for (size_t i = old; i < cap; i++)
		p[i] = (struct evq_event){ NULL, NULL, i + 1 < cap ? i + 1 : NO_SLOT, 0 };
	free(q->pool_mem);
	q->pool_mem = mem;
	q->pool = p;
	q->pool_cap = cap;
	q->free_head = old ? (uint32_t)old : 1; /* slot 0 is never handed out: handles are not 0 */
}

static inline void slot_free(struct evq *q, uint32_t s)
{
	q->pool[s].fn = NULL;
	q->pool[s].arg = q->free_head;
	q->free_head = s;
}

/* ---- the interface ---- */

/* Small mode (heap-only, at most EVQ_SMALL_MAX entries): heap[0..n) sorted latest first, so a
 * pop takes heap[n - 1] and a push shifts the entries earlier than it up by one. A simulation of
 * one busy service keeps about four events pending (the next arrival, a completion, the next
 * control step and series sample): a push then compares with one or two, a pop with none. */
static inline void small_insert(struct evq *q, struct evq_entry x)
{
	struct evq_entry *h = q->heap;
	size_t j = q->n; /* < EVQ_SMALL_MAX <= cap (push_slow reserved it) */

	for (; j > 0 && before(q->pool, &h[j - 1], &x); j--)
		h[j] = h[j - 1];
	h[j] = x;
	q->n++;
}

/* Small mode to heap: the array reversed is sorted earliest first, which is a heap. */
static NOINLINE void to_heap(struct evq *q)
{
	for (size_t i = 0, j = q->n; i + 1 < j; i++, j--) {
		struct evq_entry x = q->heap[i];
		q->heap[i] = q->heap[j - 1];
		q->heap[j - 1] = x;
	}
	q->small = 0;
}

/* Heap (hole filled, at most EVQ_SMALL_MIN entries) to small mode: sorted latest first. */
static NOINLINE void to_small(struct evq *q)
{
	struct evq_entry *h = q->heap;

	for (size_t i = 1; i < q->n; i++) {
		struct evq_entry x = h[i];
		size_t j = i;
		for (; j > 0 && before(q->pool, &h[j - 1], &x); j--)
			h[j] = h[j - 1];
		h[j] = x;
	}
	q->small = 1;
}

/* When n (a bucket's count) is a multiple of 4 (x starts a new chunk): *head = *free (the free
 * list's first chunk) and *free = *link (that chunk's link); else nothing. By conditional
 * moves: whether x starts a chunk is random (1 push in 3 at 10^3), and as a branch (GCC turns
 * plain ternaries into one here) it mispredicted about 0.4 times a hold (callgrind
 * --branch-sim). *link is read either way, so *free must be a chunk. */
static inline void take_chunk_if_full(uint32_t n, uint32_t *head, uint32_t *free,
				      const uint32_t *link)
{
#if EVQ_X86
	__asm__("testl $3, %[n]\n\tcmovzl %[f], %[h]\n\tcmovzl %[l], %[f]"
		: [h] "+r"(*head), [f] "+r"(*free)
		: [n] "r"(n), [l] "m"(*link)
		: "cc");
#else
	if ((n & 3) == 0) {
		*head = *free;
		*free = *link;
	}
#endif
}

/* The handle of the event just pushed into slot s: its sequence number is q->seq - 1. Computed
 * here, not passed down from evq_push, it keeps a register free on file_cal's path. */
static inline evq_handle push_handle(const struct evq *q, uint32_t s)
{
	return ((uint64_t)(uint32_t)(q->seq - 1) << 32) | s;
}

/* file_cal's general case: x to the top, a bucket or the heap, then a regrow if due. */
static NOINLINE evq_handle file_cal_slow(struct evq *q, struct evq_entry x, double t)
{
	cal_put(q, x, t);
	if (q->live > q->regrow_at)
		cal_regrow(q);
	return push_handle(q, x.slot);
}

/* Files x (time t) with a calendar on, regrowing it when its count doubled; returns h. The
 * common case (a bucket not yet taken, no regrow due, a free chunk at hand) calls nothing, so it
 * saves no registers; the rest goes to file_cal_slow. Its bucket is cal_index's, tested in
 * floating point before the conversion: cur_d <= d < nb (false for NaN; cur_d is the smallest
 * positive double while cur is 0, see cal_build) implies t >= base and cal_index's
 * (uint32_t)d, without cal_index's own tests. Whether x starts a new chunk (1 push
 * in 3 at 10^3, at random) is decided by conditional moves: the free list's first chunk or the
 * bucket's newest, the free list advanced or not, and the entry's spare word written either
 * way (the chunk's link when x starts it, unused otherwise). As a branch (to a function of its
 * own) it mispredicted about 0.4 times a hold at 10^3 (callgrind --branch-sim). */
static NOINLINE evq_handle file_cal(struct evq *q, struct evq_entry x, double t)
{
	double d = (t - q->base) * q->inv_w;
	struct evq_bucket *b;
	struct evq_entry *e;
	uint32_t k, n, c = q->ch_free, head, old;

	if (x.tk > q->cal_hi || !(d >= q->cur_d && d < q->nb_d) ||
	    c == NO_SLOT)
		return file_cal_slow(q, x, t);
	k = (uint32_t)d;
	b = &q->bk[k];
	n = b->n;
	/* a new chunk (the free list's first) when x starts one, chosen by conditional moves */
	old = head = b->head;
	take_chunk_if_full(n, &head, &c, &CH_LINK(q, c));
	q->ch_free = c;
	e = &q->ch[head].e[n & 3];
	e->tk = x.tk;
	e->slot = x.slot;
	e->unused = old; /* the link if fresh (a bucket's last chunk's link is never read) */
	b->head = head;
	b->n = n + 1;
	return push_handle(q, x.slot);
}

/* Files x in the heap; in heap-only mode past EVQ_SPILL_HI entries, all move to a calendar. */
static NOINLINE void heap_push(struct evq *q, struct evq_entry x)
{
	if (q->small)
		to_heap(q);
	heap_put(q, x);
	if (q->n > EVQ_SPILL_HI && !q->cal)
		spill(q);
}

/* heap_push for evq_push (a tail call): returns h. */
static NOINLINE evq_handle file_heap(struct evq *q, struct evq_entry x, evq_handle h)
{
	heap_push(q, x);
	return h;
}

/* Files x in small mode (to the heap when it is full); returns h. */
static NOINLINE evq_handle file_small(struct evq *q, struct evq_entry x, evq_handle h)
{
	if (q->n < EVQ_SMALL_MAX) {
		small_insert(q, x);
		return h;
	}
	return file_heap(q, x, h);
}

/* The pool is used up; then evq_push's common path. */
static NOINLINE evq_handle push_slow(struct evq *q, double t, unsigned prio,
				     void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj,
				     uint64_t arg)
{
	pool_grow(q);
	heap_reserve(q, EVQ_SMALL_MAX); /* small mode's pushes then never need to grow it */
	return evq_push(q, t, prio, fn, obj, arg);
}

/* The record and key here; the filing by mode in its own function, reached by a tail call, so
 * this one saves no registers (compiled together, the paths' register needs cost every push a
 * prologue: with small mode's insertion inline, 12 instructions a hold at 10^3, callgrind). The
 * simulator's common events no longer come here (sim.h holds them), so no mode is inline. */
evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg)
{
	uint32_t s = q->free_head;
	uint64_t seq = q->seq;
	struct evq_entry x;
	evq_handle h;

	if (s == NO_SLOT)
		return push_slow(q, t, prio, fn, obj, arg);
	q->seq = seq + 1;
	q->free_head = (uint32_t)q->pool[s].arg;
	q->pool[s] = (struct evq_event){ fn, obj, arg, ((uint64_t)(prio & 0xff) << 56) | seq };
	q->live++;
	x = (struct evq_entry){ tkey_of(t), s, 0 };
	/* tail calls: nothing of this frame lives across them */
	if (q->cal)
		return file_cal(q, x, t);
	h = ((uint64_t)(uint32_t)seq << 32) | s;
	return q->small ? file_small(q, x, h) : file_heap(q, x, h);
}

int evq_cancel(struct evq *q, evq_handle h)
{
	uint32_t s = (uint32_t)h;

	if (h == EVQ_NONE || s >= q->pool_cap || q->pool[s].fn == NULL ||
	    (uint32_t)q->pool[s].key != (uint32_t)(h >> 32))
		return 0;
	/* the slot stays taken (its key orders the queued entry) until the entry reaches the top */
	q->pool[s].fn = NULL;
	q->live--;
	return 1;
}

/* The earliest queued entry: the run's next or the heap's root, whichever is earlier (the two
 * are merged: the heap takes pushes into buckets already taken), cancelled or not. Refills the
 * run when it is used up. *from_run says which; NULL when nothing is queued. */
static inline struct evq_entry *front(struct evq *q, int *from_run)
{
	settle(q);
	if (q->run_pos == q->run_n) {
		if (q->cal)
			refill(q); /* may leave it used up: the calendar is, too (heap-only again) */
		if (q->run_pos == q->run_n) {
			*from_run = 0;
			return q->n ? &q->heap[0] : NULL;
		}
	}
	*from_run = !q->n || before(q->pool, &q->run[q->run_pos], &q->heap[0]);
	return *from_run ? &q->run[q->run_pos] : &q->heap[0];
}

/* Removes the front entry (its slot is freed by the caller). */
static inline void front_remove(struct evq *q, int from_run)
{
	if (from_run) {
		if (q->ahead) { /* a dense calendar: records and chunks are prefetched */
			/* A compiler barrier: the run and the pool are read again here (cached
			 * lines) instead of held in registers across the pop, which cost the pop's
			 * common path a register save (callgrind, hold at 10^3 223.0 -> 217.5
			 * instructions, 10^5 231.9 -> 230.8). */
			__asm__ volatile("" ::: "memory");
			__builtin_prefetch(&q->pool[q->run[q->run_pos + q->ahead].slot]);
			if (q->pf_left > 1) { /* one step of the next bucket's walk (run_ahead) */
				q->pf_left--;
				q->pf = CH_LINK(q, q->pf);
				__builtin_prefetch(&q->ch[q->pf]);
			}
		}
		q->run_pos++;
	} else {
		q->hole = 1;
	}
}

/* The earliest live event, dropping cancelled entries on the way; NULL when none is left. */
static inline struct evq_entry *front_live(struct evq *q, int *from_run)
{
	struct evq_entry *e;

	while ((e = front(q, from_run)) != NULL && q->pool[e->slot].fn == NULL) {
		slot_free(q, e->slot); /* cancelled: drop it */
		front_remove(q, *from_run);
	}
	return e;
}

/* Hands out the live entry e and frees its record (the caller removes e). */
static inline void take(struct evq *q, const struct evq_entry *e, double *t, struct evq_event *out)
{
	uint32_t s = e->slot;

	*t = tkey_value(e->tk);
	*out = q->pool[s];
	slot_free(q, s);
	q->live--;
}

/* evq_pop_until with a calendar: the run merged with the heap. */
static NOINLINE int pop_cal(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	int run;
	struct evq_entry *e;

	e = front_live(q, &run); /* evq_pop_until tried the run's live next */

	if (!e || !(tkey_value(e->tk) <= t_max))
		return 0;
	take(q, e, t, out);
	front_remove(q, run);
	return 1;
}

/* evq_pop_until with a calendar when the run is used up and the heap empty: takes the next
 * bucket (or leaves the calendar: refill_cal), then pops again. Apart from pop_cal, whose
 * register saves (it calls front_live) it does without. */
static NOINLINE int pop_refill(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	refill(q); /* leaves the run not empty, or the calendar off */
	return evq_pop_until(q, t_max, t, out);
}

#if EVQ_X86
#define EVQ_TAKE_SMALL 1
/* pop_take after take_small in a dense calendar: the run's prefetches (run_ahead), the pop. */
static NOINLINE int pop_ahead(struct evq *q, uint32_t k, double t_max, double *t,
			      struct evq_event *out)
{
	run_ahead(q, k, q->run_n);
	return evq_pop_until(q, t_max, t, out);
}

/* pop_take after take_small found equal times in the run: into key order, then the pop (and,
 * in a dense calendar, the run's prefetches). */
static NOINLINE int pop_ties(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	ties_in_order(q->pool, q->run, q->run_n);
	run_ahead(q, q->cur - 1, q->run_n);
	return evq_pop_until(q, t_max, t, out);
}

/* take_small's code: SSE4.2 (pcmpgtq), which the release build's -march=x86-64-v2 implies; the
 * attribute enables it in the sanitizer and fuzz builds too (any x86-64 CPU since 2009). */
#define SSE42 __attribute__((target("sse4.2")))

/* m ? b : a, bytewise (m's bytes all ones or all zeros): pblendvb. In asm because GCC 12
 * turns _mm_blendv_epi8 into a select on m < 0 and compares m with zero again before each
 * blend (one instruction more; with the register copies it needs, the 5-exchange network took
 * as many instructions as the xor-and-mask exchange this replaced). */
static inline SSE42 __m128i blend_v(__m128i a, __m128i b, __m128i m)
{
	__asm__("pblendvb %[m], %[b], %[a]" : [a] "+x"(a) : [b] "x"(b), [m] "Yz"(m));
	return a;
}

/* Compare-exchange of two entries held whole in vector registers, their times in a form whose
 * signed compares order them (take_small): the earlier into *a, by blends, no branch. Two
 * pblendvb and the broadcast compare: 5 or 6 instructions with the register copies, where the
 * xor-and-mask exchange took 8 (hold at 10^3, callgrind: 212.6 -> 206.5 instructions). */
static inline SSE42 void cx_v(__m128i *a, __m128i *b)
{
	__m128i gt = _mm_shuffle_epi32(_mm_cmpgt_epi64(*a, *b), 0x44); /* the times' lane, both */
	__m128i lo = blend_v(*a, *b, gt);

	*b = blend_v(*b, *a, gt);
	*a = lo;
}

/* x[i] for i < n; otherwise an entry later than every real one and than those for larger i:
 * INT64_MAX - (8 - i) lies above every real key, flipped (+inf's is 0x7ff0...) or not (negative
 * as a signed integer: see take_small). */
static inline SSE42 __m128i pad_v(__m128i x, int i, __m128i nv)
{
	__m128i pad = _mm_set_epi64x(0, INT64_MAX - (8 - i));

	return blend_v(pad, x, _mm_cmpgt_epi64(nv, _mm_set1_epi64x(i))); /* x if i < n */
}

#define CXV(i, j) cx_v(&x[i], &x[j])
#define UNROLL _Pragma("GCC unroll 8") /* x[] stays in registers */

/* Takes bucket k (1 to 8 entries, in one or two chunks) sorted into the run; returns whether
 * real times are equal (they must then go into key order: pop_ties). The chunks' entries are
 * loaded whole into vector registers, those past n replaced by later ones (pad_v), sorted by
 * the network for 4 (5 exchanges) or 8 (Batcher's, 19) and stored. Against bucket_drain and
 * sort_small: no switch on n (it mispredicted about 0.2 times a hold at 10^3), no copy before
 * the sort, no stores and reloads between exchanges (GCC compiles a scalar network of
 * conditional moves held in registers into branches here).
 * pcmpgtq compares signed integers and the time keys are unsigned: flipping their top bit
 * makes signed compares order them, but when every key has that bit set, they already do
 * (keys from 0x8000... to 0xffff... are the signed integers from INT64_MIN to -1, in the same
 * order). That is so when the calendar starts at a time >= 0 (every bucket entry is at or after
 * q->base; the keys of times >= 0, -0.0 made +0.0, have the top bit set), and pop_take then
 * passes flipped = 0, which drops the flips on load and store (8 or 16 of the take's
 * instructions). Simulations start at 0, so only a calendar over negative times flips. */
static inline __attribute__((always_inline)) SSE42 int take_small(struct evq *q, uint32_t k,
								  const int flipped)
{
	struct evq_bucket *b = &q->bk[k];
	uint32_t n = b->n, c = b->head;
	const __m128i *e = (const __m128i *)q->ch[c].e; /* the newest chunk */
	__m128i *r;
	const __m128i flip = _mm_set_epi64x(0, flipped ? INT64_MIN : 0), nv = _mm_set1_epi64x(n);
	__m128i x[8], eq;

	if (n <= 4) {
		UNROLL
		for (int i = 0; i < 4; i++)
			x[i] = _mm_xor_si128(_mm_load_si128(&e[i]), flip);
		CH_LINK(q, c) = q->ch_free; /* the chunk back to the free list (loaded: c is free) */
		UNROLL
		for (int i = 1; i < 4; i++)
			x[i] = pad_v(x[i], i, nv);
		CXV(0, 1); CXV(2, 3); CXV(0, 2); CXV(1, 3); CXV(1, 2);
		eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi64(x[0], x[1]),
					       _mm_cmpeq_epi64(x[1], x[2])),
				  _mm_cmpeq_epi64(x[2], x[3]));
		r = (__m128i *)q->run;
		UNROLL
		for (int i = 0; i < 4; i++)
			_mm_storeu_si128(&r[i], _mm_xor_si128(x[i], flip));
	} else {
		uint32_t c0 = CH_LINK(q, c); /* the older chunk: entries 0 to 3 */
		const __m128i *e0 = (const __m128i *)q->ch[c0].e;

		UNROLL
		for (int i = 0; i < 4; i++) {
			x[i] = _mm_xor_si128(_mm_load_si128(&e0[i]), flip);
			x[4 + i] = _mm_xor_si128(_mm_load_si128(&e[i]), flip);
		}
		CH_LINK(q, c0) = q->ch_free; /* both chunks, linked c -> c0, to the free list */
		UNROLL
		for (int i = 5; i < 8; i++)
			x[i] = pad_v(x[i], i, nv);
		CXV(0, 1); CXV(2, 3); CXV(4, 5); CXV(6, 7); CXV(0, 2); CXV(1, 3); CXV(4, 6);
		CXV(5, 7); CXV(1, 2); CXV(5, 6); CXV(0, 4); CXV(3, 7); CXV(1, 5); CXV(2, 6);
		CXV(1, 4); CXV(3, 6); CXV(2, 4); CXV(3, 5); CXV(3, 4);
		eq = _mm_cmpeq_epi64(x[0], x[1]);
		UNROLL
		for (int i = 2; i < 8; i++)
			eq = _mm_or_si128(eq, _mm_cmpeq_epi64(x[i - 1], x[i]));
		r = (__m128i *)q->run;
		UNROLL
		for (int i = 0; i < 8; i++)
			_mm_storeu_si128(&r[i], _mm_xor_si128(x[i], flip));
	}
	q->ch_free = c;
	b->n = 0;
	q->cur = k + 1;
	q->cur_d = (double)(k + 1);
	q->run_n = n;
	q->run_pos = 0;
	return _mm_cvtsi128_si64(eq) != 0; /* the times' lane: equal real times */
}

#undef CXV
#undef UNROLL
#else
#define EVQ_TAKE_SMALL 0
#define SSE42
#endif

/* evq_pop_until with a calendar when the run is used up and the heap empty: the next bucket
 * with entries; up to 8 of them in a sparse calendar (10^3 pending: nearly every take) by
 * take_small, the rest by pop_refill; then the pop again (its common path). */
static NOINLINE SSE42 int pop_take(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	uint32_t k = q->cur, nb = q->nb;
	const struct evq_bucket *bk = q->bk;

	while (k < nb && bk[k].n == 0)
		k++;
	if (!EVQ_TAKE_SMALL || k >= nb || bk[k].n > 8 || q->live > q->regrow_at) {
		q->cur = k;
		return pop_refill(q, t_max, t, out);
	}
#if EVQ_TAKE_SMALL
	/* a call here would cost the common path register saves; base >= 0: take_small */
	if (q->base >= 0 ? take_small(q, k, 0) : take_small(q, k, 1))
		return pop_ties(q, t_max, t, out);
	if (q->ahead)
		return pop_ahead(q, k, t_max, t, out);
	/* evq_pop_until's common path for the run's first entry, here (the heap is empty, the run
	 * not, no prefetch in a sparse calendar): not asked again through evq_pop_until's tests */
	{
		const struct evq_entry *e = &q->run[0];
		if (q->pool[e->slot].fn != NULL && tkey_value(e->tk) <= t_max) {
			take(q, e, t, out);
			q->run_pos = 1;
			return 1;
		}
	}
#endif
	return evq_pop_until(q, t_max, t, out);
}

/* evq_pop_until in small mode: the earliest is last. */
static NOINLINE int pop_small(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	for (;;) {
		struct evq_entry *e;

		if (!q->n)
			return 0;
		e = &q->heap[q->n - 1];
		if (q->pool[e->slot].fn != NULL) {
			if (!(tkey_value(e->tk) <= t_max))
				return 0;
			take(q, e, t, out);
			q->n--;
			return 1;
		}
		slot_free(q, e->slot); /* cancelled: drop it */
		q->n--;
	}
}

/* evq_pop_until in heap-only mode: the root, once any hole is filled. */
static NOINLINE int pop_heap(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	for (;;) {
		struct evq_entry *e;

		settle(q);
		if (q->n <= EVQ_SMALL_MIN) {
			to_small(q);
			return pop_small(q, t_max, t, out);
		}
		e = &q->heap[0];
		if (q->pool[e->slot].fn != NULL) {
			if (!(tkey_value(e->tk) <= t_max))
				return 0;
			take(q, e, t, out);
			q->hole = 1;
			return 1;
		}
		slot_free(q, e->slot); /* cancelled: drop it */
		q->hole = 1;
	}
}

/* The common cases call nothing (so save no registers): in small mode the last entry, with a
 * calendar the run's next while the heap is empty, live and due. Everything else, including
 * "nothing due", goes to the mode's own function (compiled together, the paths' register
 * needs and the inlined refill cost the common path's prologue: measured with callgrind). */
int evq_pop_until(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	const struct evq_entry *e;

	if (q->cal) {
		if (!q->n && q->run_pos < q->run_n) {
			e = &q->run[q->run_pos];
			if (q->pool[e->slot].fn != NULL && tkey_value(e->tk) <= t_max) {
				take(q, e, t, out);
				front_remove(q, 1);
				return 1;
			}
		} else if (!q->n) { /* the run alone, used up: take the next bucket */
			return pop_take(q, t_max, t, out);
		}
		return pop_cal(q, t_max, t, out);
	}
	if (q->small) {
		if (q->n) {
			e = &q->heap[q->n - 1];
			if (q->pool[e->slot].fn != NULL && tkey_value(e->tk) <= t_max) {
				take(q, e, t, out);
				q->n--;
				return 1;
			}
		}
		return pop_small(q, t_max, t, out);
	}
	return pop_heap(q, t_max, t, out);
}

int evq_pop(struct evq *q, double *t, struct evq_event *out)
{
	return evq_pop_until(q, INFINITY, t, out);
}

double evq_peek_time_slow(struct evq *q)
{
	int run;
	const struct evq_entry *e;

	if (!q->cal && q->small) {
		while (q->n && q->pool[q->heap[q->n - 1].slot].fn == NULL) {
			slot_free(q, q->heap[q->n - 1].slot); /* cancelled: drop it */
			q->n--;
		}
		return q->n ? tkey_value(q->heap[q->n - 1].tk) : INFINITY;
	}
	e = front_live(q, &run);
	return e ? tkey_value(e->tk) : INFINITY;
}
