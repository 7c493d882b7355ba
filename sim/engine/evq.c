/* evq.c — cache-aligned 4-ary heap future-event list with pooled records, lazy cancellation and
 * a deferred pop (evq.h).
 *
 * Layout: heap entries are 16 bytes and the array starts 3 entries before a 64-byte boundary,
 * so heap[1..4], heap[5..8], ... (the children of 0, 1, ...) each fill exactly one cache line.
 * Comparisons read only the entries' times; the pool is read on a time tie only.
 */
#include "evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/tkey.h"
#include "engine/xalloc.h"

#define NO_SLOT UINT32_MAX
#define LINE 64
#define HUGE_PAGE ((size_t)2 << 20)
/* The first this many entries (64 KB: the top six levels) stay in the L1/L2 cache: prefetching
 * them costs more than it saves, and prefetching past the end fetches nothing useful. */
#define EVQ_PREFETCH_MIN 4096

void evq_init(struct evq *q)
{
	memset(q, 0, sizeof *q);
	q->free_head = NO_SLOT;
	q->seq = 1;
}

void evq_fini(struct evq *q)
{
	free(q->heap_mem);
	free(q->pool_mem);
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

/* Fills a hole left by a deferred pop the classic way: the last entry sifts down from the root. */
static void settle(struct evq *q)
{
	if (!q->hole)
		return;
	q->hole = 0;
	if (--q->n > 0)
		sift_down(q, 0, q->heap[q->n]);
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

static void heap_grow(struct evq *q)
{
	size_t cap = q->cap ? 2 * q->cap : 256;
	void *mem;
	struct evq_entry *h = (struct evq_entry *)alloc_aligned((cap + 4) * sizeof *h, &mem) + 3;

	if (q->n)
		memcpy(h, q->heap, q->n * sizeof *h);
	free(q->heap_mem);
	q->heap_mem = mem;
	q->heap = h;
	q->cap = cap;
}

static uint32_t slot_alloc(struct evq *q)
{
	uint32_t s;

	if (q->free_head == NO_SLOT) {
		size_t old = q->pool_cap, cap = old ? 2 * old : 256;
		void *mem;
		struct evq_event *p = alloc_aligned(cap * sizeof *p, &mem);

		if (old)
			memcpy(p, q->pool, old * sizeof *p);
		for (size_t i = old; i < cap; i++)
			p[i] = (struct evq_event){ NULL, NULL, i + 1 < cap ? i + 1 : NO_SLOT, 0 };
		free(q->pool_mem);
		q->pool_mem = mem;
		q->pool = p;
		q->pool_cap = cap;
		q->free_head = (uint32_t)old;
	}
	s = q->free_head;
	q->free_head = (uint32_t)q->pool[s].arg;
	return s;
}

static void slot_free(struct evq *q, uint32_t s)
{
	q->pool[s].fn = NULL;
	q->pool[s].arg = q->free_head;
	q->free_head = s;
}

evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg)
{
	uint32_t s = slot_alloc(q);
	uint64_t seq = q->seq++;
	struct evq_entry x = { tkey_of(t), s, 0 };

	if ((uint32_t)seq == 0) /* keep handles != EVQ_NONE: skip sequence numbers 0 mod 2^32 */
		seq = q->seq++;
	q->pool[s] = (struct evq_event){ fn, obj, arg, ((uint64_t)(prio & 0xff) << 56) | seq };
	if (q->hole) {
		q->hole = 0;
		sift_down(q, 0, x);
	} else {
		if (q->n == q->cap)
			heap_grow(q);
		sift_up(q, q->n++, x);
	}
	q->live++;
	return ((uint64_t)(uint32_t)seq << 32) | s;
}

int evq_cancel(struct evq *q, evq_handle h)
{
	uint32_t s = (uint32_t)h;

	if (h == EVQ_NONE || s >= q->pool_cap || q->pool[s].fn == NULL ||
	    (uint32_t)q->pool[s].key != (uint32_t)(h >> 32))
		return 0;
	/* the slot stays taken (its key orders the heap entry) until the entry reaches the top */
	q->pool[s].fn = NULL;
	q->live--;
	return 1;
}

int evq_pop_until(struct evq *q, double t_max, double *t, struct evq_event *out)
{
	for (;;) {
		uint32_t s;

		settle(q);
		if (!q->n)
			return 0;
		s = q->heap[0].slot;
		if (q->pool[s].fn == NULL) { /* cancelled: drop it */
			slot_free(q, s);
			q->hole = 1;
			continue;
		}
		if (!(tkey_value(q->heap[0].tk) <= t_max))
			return 0;
		*t = tkey_value(q->heap[0].tk);
		*out = q->pool[s];
		slot_free(q, s);
		q->hole = 1;
		q->live--;
		return 1;
	}
}

int evq_pop(struct evq *q, double *t, struct evq_event *out)
{
	return evq_pop_until(q, INFINITY, t, out);
}

double evq_peek_time(struct evq *q)
{
	for (;;) {
		settle(q);
		if (!q->n)
			return INFINITY;
		if (q->pool[q->heap[0].slot].fn != NULL)
			return tkey_value(q->heap[0].tk);
		slot_free(q, q->heap[0].slot);
		q->hole = 1;
	}
}
