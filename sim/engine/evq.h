/* evq.h — the future-event list: a 4-ary min-heap ordered by (time, priority, insertion seq).
 *
 * Design. Event records live in a pool (a free list of slots, grown by doubling, never freed
 * during a run), so scheduling allocates nothing in steady state. The heap holds small entries
 * {time, key, slot, generation} where key = priority << 56 | sequence, so one integer compare
 * breaks time ties first by priority, then by insertion order: fully deterministic.
 * Cancellation is lazy: cancelling bumps the slot's generation and frees the slot at once; the
 * stale heap entry is dropped when it reaches the top. A handle is (generation << 32 | slot), so
 * cancelling an event that already fired or was cancelled is a harmless no-op.
 * Invariant: entries leave in non-decreasing time; evq_push of a time before the last popped time
 * is a caller bug (the simulator asserts on it).
 */
#ifndef MAASIM_EVQ_H
#define MAASIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

struct sim; /* handlers receive the simulation context first */

typedef uint64_t evq_handle;
#define EVQ_NONE ((evq_handle)0)

struct evq_entry {
	double t;
	uint64_t key;  /* priority << 56 | sequence */
	uint32_t slot;
	uint32_t gen;
};

struct evq_event {
	void (*fn)(struct sim *s, void *obj, uint64_t arg);
	void *obj;
	uint64_t arg;
	uint32_t gen;  /* bumped when the event fires or is cancelled */
	uint32_t next_free;
};

struct evq {
	struct evq_entry *heap;
	size_t n, cap;
	struct evq_event *pool;
	size_t pool_cap;
	uint32_t free_head; /* UINT32_MAX when empty */
	uint64_t seq;
	size_t live;        /* scheduled and not cancelled */
};

void evq_init(struct evq *q);
void evq_fini(struct evq *q);

/* Schedules fn(s, obj, arg) at time t with priority prio (0..255, lower fires first at equal
 * times). Returns a handle for evq_cancel; never EVQ_NONE. */
evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg);

/* Cancels a scheduled event; a stale or EVQ_NONE handle is ignored. Returns 1 if cancelled. */
int evq_cancel(struct evq *q, evq_handle h);

/* Removes the earliest live event into *out (fn, obj, arg) and its time into *t.
 * Returns 0 when the queue holds no live event. */
int evq_pop(struct evq *q, double *t, struct evq_event *out);

/* Time of the earliest live event, or +infinity. Drops stale entries on the way. */
double evq_peek_time(struct evq *q);

static inline size_t evq_size(const struct evq *q) { return q->live; }

#endif
