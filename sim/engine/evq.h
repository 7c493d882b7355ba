/* evq.h — the future-event list: a cache-aligned 4-ary min-heap ordered by (time, priority,
 * insertion sequence), with pooled event records, lazy cancellation and a deferred pop.
 *
 * Design (chosen from measurements, see README "Performance"):
 * - The heap holds 16-byte entries {time, slot}: four of them fill one 64-byte cache line, and
 *   the array is offset so that the four children of every node share one line. A sift moves
 *   16 bytes per level and touches one line per level.
 * - Event records {fn, obj, arg, key} live in a pool of 32-byte slots (cache-aligned, a free
 *   list, grown by doubling, never shrunk during a run), so scheduling allocates nothing in
 *   steady state. key = priority << 56 | sequence; equal times (rare with continuous time, but
 *   common with traces and control steps) are broken by comparing keys in the pool, so the
 *   order is fully deterministic: (time, priority, insertion order).
 * - Cancellation is lazy: the record is marked cancelled and its heap entry is dropped when it
 *   reaches the top; only then is the slot reused, so a record's key never changes while its
 *   entry is in the heap (the heap order stays valid).
 * - A handle is (low 32 bits of the sequence << 32 | slot): cancelling an event that already
 *   fired or was cancelled finds a different or cleared record and is a harmless no-op.
 * - Deferred pop: evq_pop leaves the root empty ("hole") instead of sifting the last entry
 *   down; the next push fills the hole with one sift-down from the root. A handler that
 *   schedules one follow-up event (the common case) thus costs one sift instead of two. Any
 *   other operation fills the hole the classic way first.
 * Invariant: events leave in non-decreasing time; pushing a time before the last popped time is
 * a caller bug (the simulator asserts on it).
 */
#ifndef MAASIM_EVQ_H
#define MAASIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

struct sim; /* handlers receive the simulation context first */

typedef uint64_t evq_handle;
#define EVQ_NONE ((evq_handle)0)

/* A heap entry: 16 bytes. tk is the time as an order-preserving integer (evq.c). */
struct evq_entry {
	uint64_t tk;
	uint32_t slot;
	uint32_t unused;
};

/* An event record: 32 bytes. fn == NULL marks a free or cancelled slot. */
struct evq_event {
	void (*fn)(struct sim *s, void *obj, uint64_t arg);
	void *obj;
	uint64_t arg;   /* free slots: the next free slot */
	uint64_t key;   /* priority << 56 | sequence */
};

struct evq {
	struct evq_entry *heap;  /* heap[0] is the root, 64-byte aligned children groups */
	size_t n, cap;           /* entries (a hole counts), capacity */
	int hole;                /* heap[0] is empty (deferred pop) */
	struct evq_event *pool;  /* 64-byte aligned */
	size_t pool_cap;
	uint32_t free_head;      /* UINT32_MAX when empty */
	uint64_t seq;            /* next insertion sequence number (starts at 1) */
	size_t live;             /* scheduled and not cancelled */
	void *heap_mem, *pool_mem; /* the allocations behind heap and pool */
};

void evq_init(struct evq *q);
void evq_fini(struct evq *q);

/* Schedules fn(s, obj, arg) at time t with priority prio (0..255, lower fires first at equal
 * times). fn must not be NULL. Returns a handle for evq_cancel; never EVQ_NONE. */
evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg);

/* Cancels a scheduled event; a stale or EVQ_NONE handle is ignored. Returns 1 if cancelled. */
int evq_cancel(struct evq *q, evq_handle h);

/* Removes the earliest live event into *out (fn, obj, arg, key) and its time into *t.
 * Returns 0 when the queue holds no live event. */
int evq_pop(struct evq *q, double *t, struct evq_event *out);

/* As evq_pop, but only if the earliest live event's time is <= t_max (else returns 0 and
 * leaves it in the queue). The run loop's one call per event. */
int evq_pop_until(struct evq *q, double t_max, double *t, struct evq_event *out);

/* Time of the earliest live event, or +infinity. Drops stale entries on the way. */
double evq_peek_time(struct evq *q);

static inline size_t evq_size(const struct evq *q) { return q->live; }

#endif
