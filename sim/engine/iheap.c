/* iheap.c — indexed binary min-heap (iheap.h). */
#include "iheap.h"

#include <stdlib.h>

#include "engine/xalloc.h"

void iheap_init(struct iheap *h, uint32_t cap)
{
	h->heap = xmalloc((cap ? cap : 1) * sizeof *h->heap);
	h->pos = xmalloc((cap ? cap : 1) * sizeof *h->pos);
	h->key = xcalloc(cap ? cap : 1, sizeof *h->key);
	for (uint32_t i = 0; i < cap; i++)
		h->pos[i] = IHEAP_OUT;
	h->n = 0;
	h->cap = cap;
}

void iheap_fini(struct iheap *h)
{
	free(h->heap);
	free(h->pos);
	free(h->key);
	h->heap = h->pos = NULL;
	h->key = NULL;
	h->n = h->cap = 0;
}

static inline int less(const struct iheap *h, uint32_t a, uint32_t b)
{
	return h->key[a] < h->key[b] || (h->key[a] == h->key[b] && a < b);
}

static void place(struct iheap *h, uint32_t i, uint32_t id)
{
	h->heap[i] = id;
	h->pos[id] = i;
}

static void up(struct iheap *h, uint32_t i)
{
	uint32_t id = h->heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!less(h, id, h->heap[p]))
			break;
		place(h, i, h->heap[p]);
		i = p;
	}
	place(h, i, id);
}

static void down(struct iheap *h, uint32_t i)
{
	uint32_t id = h->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(h, h->heap[c + 1], h->heap[c]))
			c++;
		if (!less(h, h->heap[c], id))
			break;
		place(h, i, h->heap[c]);
		i = c;
	}
	place(h, i, id);
}

void iheap_set(struct iheap *h, uint32_t id, double key)
{
	uint32_t i = h->pos[id];

	if (i == IHEAP_OUT) {
		h->key[id] = key;
		place(h, h->n, id);
		up(h, h->n++);
		return;
	}
	if (key < h->key[id]) {
		h->key[id] = key;
		up(h, i);
	} else {
		h->key[id] = key;
		down(h, i);
	}
}

void iheap_remove(struct iheap *h, uint32_t id)
{
	uint32_t i = h->pos[id], last;

	if (i == IHEAP_OUT)
		return;
	h->pos[id] = IHEAP_OUT;
	last = h->heap[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	up(h, i);
	down(h, h->pos[last]);
}
