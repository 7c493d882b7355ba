/* iheap.h — an indexed 4-ary min-heap over ids 0..n-1 keyed by a double, ties broken by the
 * smaller id (deterministic). Supports changing any member's key in O(log n); used for the LLM
 * replicas' next-step timers (dc/llm.c), where every arrival and completion moves one key.
 *
 * Layout: heap entries {key, id} (the key as an order-preserving integer, engine/tkey.h) are 16 bytes and hold the key inline, so a sift compares
 * entries without an indirection; four children share one 64-byte line when the array is
 * aligned (it is allocated line-aligned with the same offset trick as the event list).
 * Invariant: pos[id] is the heap index of id, or IHEAP_OUT when id is not in the heap. */
#ifndef MAASIM_IHEAP_H
#define MAASIM_IHEAP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/tkey.h"

#define IHEAP_OUT UINT32_MAX

struct iheap_entry {
	uint64_t k;     /* the key as an order-preserving integer (engine/tkey.h) */
	uint32_t id;
	uint32_t unused;
};

struct iheap {
	struct iheap_entry *heap;
	uint32_t *pos;  /* by id */
	void *mem;      /* the allocation behind heap */
	uint32_t n, cap;
};

/* Room for ids 0..cap-1; empty. */
void iheap_init(struct iheap *h, uint32_t cap);
void iheap_fini(struct iheap *h);
/* Inserts id or, if present, changes its key. */
void iheap_set(struct iheap *h, uint32_t id, double key);
void iheap_remove(struct iheap *h, uint32_t id);
static inline int iheap_contains(const struct iheap *h, uint32_t id) { return h->pos[id] != IHEAP_OUT; }
/* The key of id (id must be in the heap). */
static inline double iheap_key(const struct iheap *h, uint32_t id) { return tkey_value(h->heap[h->pos[id]].k); }
/* The id with the smallest key (h must not be empty). */
static inline uint32_t iheap_top(const struct iheap *h) { return h->heap[0].id; }
static inline double iheap_top_key(const struct iheap *h) { return tkey_value(h->heap[0].k); }

#endif
