/* iheap.h — an indexed binary min-heap over ids 0..n-1 keyed by a double, ties broken by the
 * smaller id (deterministic). Supports changing any member's key in O(log n); used to pick the
 * least-loaded node without scanning all nodes, and for per-node finish-time orders.
 * Invariant: pos[id] is the heap index of id, or IHEAP_OUT when id is not in the heap. */
#ifndef MAASIM_IHEAP_H
#define MAASIM_IHEAP_H

#include <stddef.h>
#include <stdint.h>

#define IHEAP_OUT UINT32_MAX

struct iheap {
	uint32_t *heap; /* ids */
	uint32_t *pos;  /* by id */
	double *key;    /* by id */
	uint32_t n, cap;
};

/* Room for ids 0..cap-1; empty. */
void iheap_init(struct iheap *h, uint32_t cap);
void iheap_fini(struct iheap *h);
/* Inserts id or, if present, changes its key. */
void iheap_set(struct iheap *h, uint32_t id, double key);
void iheap_remove(struct iheap *h, uint32_t id);
static inline int iheap_contains(const struct iheap *h, uint32_t id) { return h->pos[id] != IHEAP_OUT; }
/* The id with the smallest key (h must not be empty). */
static inline uint32_t iheap_top(const struct iheap *h) { return h->heap[0]; }
static inline double iheap_top_key(const struct iheap *h) { return h->key[h->heap[0]]; }

#endif
