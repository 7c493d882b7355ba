/* evq.c — 4-ary heap future-event list with pooled records and lazy cancellation (evq.h).
 *
 * A 4-ary heap halves the depth of a binary heap and keeps the four children of a node in
 * one or two cache lines (24-byte entries), which is what matters at 10^5..10^6 pending events.
 */
#include "evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

#define NO_SLOT UINT32_MAX

void evq_init(struct evq *q)
{
	memset(q, 0, sizeof *q);
	q->free_head = NO_SLOT;
}

void evq_fini(struct evq *q)
{
	free(q->heap);
	free(q->pool);
	memset(q, 0, sizeof *q);
	q->free_head = NO_SLOT;
}

static inline int before(const struct evq_entry *a, const struct evq_entry *b)
{
	return a->t < b->t || (a->t == b->t && a->key < b->key);
}

static void sift_up(struct evq_entry *h, size_t i)
{
	struct evq_entry x = h[i];

	while (i > 0) {
		size_t p = (i - 1) >> 2;
		if (!before(&x, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

static void sift_down(struct evq_entry *h, size_t n, size_t i)
{
	struct evq_entry x = h[i];

	for (;;) {
		size_t c = 4 * i + 1, best, end;
		if (c >= n)
			break;
		best = c;
		end = c + 4 < n ? c + 4 : n;
		for (size_t k = c + 1; k < end; k++)
			if (before(&h[k], &h[best]))
				best = k;
		if (!before(&h[best], &x))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = x;
}

static uint32_t slot_alloc(struct evq *q)
{
	uint32_t s;

	if (q->free_head == NO_SLOT) {
		size_t old = q->pool_cap, cap = old ? old * 2 : 256;
		q->pool = xrealloc(q->pool, cap * sizeof *q->pool);
		for (size_t i = old; i < cap; i++) {
			q->pool[i].gen = 1;
			q->pool[i].next_free = i + 1 < cap ? (uint32_t)(i + 1) : q->free_head;
		}
		q->free_head = (uint32_t)old;
		q->pool_cap = cap;
	}
	s = q->free_head;
	q->free_head = q->pool[s].next_free;
	return s;
}

static void slot_free(struct evq *q, uint32_t s)
{
	q->pool[s].gen++;
	q->pool[s].next_free = q->free_head;
	q->free_head = s;
}

evq_handle evq_push(struct evq *q, double t, unsigned prio,
		    void (*fn)(struct sim *s, void *obj, uint64_t arg), void *obj, uint64_t arg)
{
	uint32_t s = slot_alloc(q);
	struct evq_event *ev = &q->pool[s];

	ev->fn = fn;
	ev->obj = obj;
	ev->arg = arg;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->heap = xrealloc(q->heap, q->cap * sizeof *q->heap);
	}
	q->heap[q->n] = (struct evq_entry){ t, ((uint64_t)(prio & 0xff) << 56) | q->seq++, s, ev->gen };
	sift_up(q->heap, q->n++);
	q->live++;
	return ((uint64_t)ev->gen << 32) | s;
}

int evq_cancel(struct evq *q, evq_handle h)
{
	uint32_t s = (uint32_t)h, gen = (uint32_t)(h >> 32);

	if (h == EVQ_NONE || s >= q->pool_cap || q->pool[s].gen != gen)
		return 0;
	slot_free(q, s);
	q->live--;
	return 1;
}

static void pop_top(struct evq *q)
{
	q->heap[0] = q->heap[--q->n];
	if (q->n)
		sift_down(q->heap, q->n, 0);
}

/* Drops stale entries at the top. */
static void skip_stale(struct evq *q)
{
	while (q->n && q->pool[q->heap[0].slot].gen != q->heap[0].gen)
		pop_top(q);
}

int evq_pop(struct evq *q, double *t, struct evq_event *out)
{
	uint32_t s;

	skip_stale(q);
	if (!q->n)
		return 0;
	s = q->heap[0].slot;
	*t = q->heap[0].t;
	*out = q->pool[s];
	pop_top(q);
	slot_free(q, s);
	q->live--;
	return 1;
}

double evq_peek_time(struct evq *q)
{
	skip_stale(q);
	return q->n ? q->heap[0].t : INFINITY;
}
