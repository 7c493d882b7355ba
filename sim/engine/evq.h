/* evq.h — the future-event list: a small cache-aligned 4-ary min-heap in front of a calendar of
 * unsorted buckets, ordered by (time, priority, insertion sequence), with pooled event records,
 * lazy cancellation and a deferred pop.
 *
 * Design (chosen from measurements, see docs/performance.md):
 * - Heap-only while few events are pending (at most EVQ_SPILL_HI: every simulator run of one
 *   service keeps a handful; at most EVQ_SMALL_MAX, the "heap" is a sorted array, earliest
 *   last). The heap holds 16-byte entries {time, slot}: four of them fill one 64-byte cache
 *   line, and the array is offset so that the four children of every node share one line.
 * - When the heap outgrows EVQ_SPILL_HI, its entries move to a calendar (one "rung" of a ladder
 *   queue, Tang, Goh and Thng, ACM TOMACS 15(3), 2005): nb buckets of equal width (two per
 *   event, one per 32 beyond 32,768 events) over twice the span of the pending times (room for
 *   what is pushed meanwhile; far outliers cut off, see cal_end, stay in the top), each an
 *   unsorted list of 64-byte chunks of four entries. A push appends to its bucket in O(1)
 *   (whether it starts a chunk decided by conditional moves); only the bucket being consumed
 *   is sorted, into a "run" (up to 8 entries by a sorting network on whole entries in vector
 *   registers; beyond, a distribution sort over the bucket's range of time keys, in as many
 *   parts as entries, and one insertion pass). A push into a bucket already taken goes into
 *   the run at its place (the front heap only when the run is full; pops merge the two), so
 *   the heap is empty or small whatever the number of pending events. A pop that finds the run used
 *   up and the heap empty takes the next bucket and pops again, without the merge.
 *   Events later than the calendar's last bucket go to an unsorted overflow ("top"); when the
 *   calendar is used up the top is spread over a new one, sized to its count and span, or,
 *   if at most EVQ_SPILL_LO remain, put back in the heap (heap-only again).
 * - Tiers never share a time: the bucket index is a monotone function of the time, the run and
 *   the front heap hold exactly the buckets already consumed (index < cur), so every event in
 *   them is earlier than every event in a bucket, and every bucket event earlier than every
 *   top event.
 *   Equal times land in the same place and the heap breaks ties by key: the order is fully
 *   deterministic, (time, priority, insertion order), exactly as a single heap's.
 * - Event records {fn, obj, arg, key} live in a pool of 32-byte slots (cache-aligned, a free
 *   list, grown by doubling, never shrunk during a run), so scheduling allocates nothing in
 *   steady state. key = priority << 56 | sequence; equal times are broken by comparing keys in
 *   the pool.
 * - Cancellation is lazy: the record is marked cancelled and its entry is dropped when it
 *   reaches the top of the front heap; only then is the slot reused, so a record's key never
 *   changes while its entry is queued.
 * - A handle is (low 32 bits of the sequence << 32 | slot), never EVQ_NONE (slot 0 is never
 *   handed out): cancelling an event that already fired or was cancelled finds a different or
 *   cleared record and is a harmless no-op, as long as fewer than 2^32 events were scheduled
 *   since it fired; after that many a new event in the same slot can carry the same handle.
 *   The simulator cancels only handles it knows to be pending (dc/llm.c clears its one handle
 *   when the event fires).
 * - Deferred pop: evq_pop leaves the heap's root empty ("hole") instead of sifting the last entry
 *   down; a push into the heap fills the hole with one sift-down from the root. A handler that
 *   schedules one follow-up event (the common case) thus costs one sift instead of two. Any
 *   other operation fills the hole the classic way first.
 * Invariant: events leave in non-decreasing time; pushing a time before the last popped time is
 * a caller bug (the simulator asserts on it).
 */
#ifndef MAASIM_EVQ_H
#define MAASIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "engine/tkey.h"

struct sim; /* handlers receive the simulation context first */

typedef uint64_t evq_handle;
#define EVQ_NONE ((evq_handle)0)

/* Heap-only while at most EVQ_SPILL_HI entries are queued; back to heap-only when a used-up
 * calendar leaves at most EVQ_SPILL_LO (the gap keeps a queue near the limit from flapping).
 * From the hold benchmark (make bench): below a few hundred entries the heap is as fast. */
#define EVQ_SMALL_MAX 8  /* small mode (a sorted array) up to this many entries ... */
#define EVQ_SMALL_MIN 4  /* ... and back to it from the heap at this many */
#define EVQ_SPILL_HI 256
#define EVQ_SPILL_LO 64
#define EVQ_NB_MAX ((uint32_t)1 << 22) /* calendar buckets at most (32 MB of bucket headers) */

/* A queued entry: 16 bytes. tk is the time as an order-preserving integer (evq.c). */
struct evq_entry {
	uint64_t tk;
	uint32_t slot;
	uint32_t unused; /* a calendar chunk's first entry keeps the chunk's link here */
};

/* An event record: 32 bytes. fn == NULL marks a free or cancelled slot. */
struct evq_event {
	void (*fn)(struct sim *s, void *obj, uint64_t arg);
	void *obj;
	uint64_t arg;   /* free slots: the next free slot */
	uint64_t key;   /* priority << 56 | sequence */
};

/* A calendar bucket: n entries in a list of chunks, the newest (partly filled) chunk first. */
struct evq_bucket {
	uint32_t head;  /* first chunk; meaningless when n == 0 (the list's end: from n, no mark) */
	uint32_t n;
};

/* Four heap entries: one cache line. */
struct evq_chunk {
	struct evq_entry e[4];
};

struct evq {
	struct evq_entry *heap;  /* heap[0] is the root, 64-byte aligned children groups */
	size_t n, cap;           /* entries (a hole counts), capacity */
	int hole;                /* heap[0] is empty (deferred pop) */
	int small;               /* small mode: heap[0..n) sorted latest first (evq.c) */
	struct evq_event *pool;  /* 64-byte aligned */
	size_t pool_cap;
	uint32_t free_head;      /* UINT32_MAX when empty */
	uint64_t seq;            /* next insertion sequence number (starts at 1) */
	size_t live;             /* scheduled and not cancelled */
	/* the calendar (on while many events are pending) */
	int cal;                 /* 1: pushes past the heap's buckets go to the calendar */
	uint32_t nb, cur;        /* buckets; the next one to move into the heap */
	size_t regrow_at;        /* rebuild the calendar when live passes this */
	double base, inv_w;      /* bucket of time t: (t - base) * inv_w, clamped to nb - 1 */
	double last_d, nb_d;     /* nb - 1, nb */
	double cur_d;            /* cur (while cur is 0, the smallest positive double: cal_build) */
	uint64_t cal_hi;         /* time key of the calendar's end: later events go to the top */
	struct evq_bucket *bk;
	size_t bk_cap;
	struct evq_chunk *ch;    /* chunk storage, 64-byte aligned */
	uint32_t ch_free;        /* free chunk list, UINT32_MAX when empty */
	size_t ch_cap;
	struct evq_entry *run;   /* the taken bucket, sorted: run[run_pos..run_n) are queued */
	size_t run_pos, run_n, run_cap;
	uint32_t pf, pf_left;    /* the next bucket's chunk last prefetched; its chunks not yet */
	size_t ahead;            /* pops prefetch the record this many entries ahead in the run */
	uint32_t *part;          /* the run's distribution sort: where its parts begin (evq.c) */
	struct evq_entry *top;   /* unsorted, later than the calendar's end */
	size_t top_n, top_cap;
	uint64_t top_min, top_max; /* time keys */
	void *heap_mem, *pool_mem, *ch_mem; /* the allocations behind heap, pool and ch */
};

void evq_init(struct evq *q);
void evq_fini(struct evq *q);

/* Schedules fn(s, obj, arg) at time t with priority prio (0..255, lower fires first at equal
 * times). fn must not be NULL. Returns a handle for evq_cancel; never EVQ_NONE. */
evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg);

/* Cancels a scheduled event; EVQ_NONE and a stale handle (fired or cancelled fewer than 2^32
 * pushes ago: see the handle above) are ignored. Returns 1 if cancelled. */
int evq_cancel(struct evq *q, evq_handle h);

/* Removes the earliest live event into *out (fn, obj, arg, key) and its time into *t.
 * Returns 0 when the queue holds no live event. */
int evq_pop(struct evq *q, double *t, struct evq_event *out);

/* As evq_pop, but only if the earliest live event's time is <= t_max (else returns 0 and
 * leaves it in the queue). The run loop's one call per event. */
int evq_pop_until(struct evq *q, double t_max, double *t, struct evq_event *out);

/* Time of the earliest live event, or +infinity. Drops stale entries on the way. Inline for
 * small mode's live last entry (a handler asking whether its next event comes first: sim_chain,
 * dc/llm.c), out of line otherwise. */
double evq_peek_time_slow(struct evq *q);
static inline double evq_peek_time(struct evq *q)
{
	if (q->small && q->n && q->pool[q->heap[q->n - 1].slot].fn != NULL)
		return tkey_value(q->heap[q->n - 1].tk);
	return evq_peek_time_slow(q);
}

static inline size_t evq_size(const struct evq *q) { return q->live; }

#endif
