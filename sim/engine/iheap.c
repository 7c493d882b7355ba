/* iheap.c — indexed 4-ary min-heap with inline keys (iheap.h).
 *
 * The array starts 3 entries past a 64-byte boundary, so the children of i, heap[4i+1..4i+4],
 * fill one cache line. Sifts carry the moving entry in a register and write each displaced entry
 * (and its pos) once.
 */
#include "iheap.h"

#include <stdlib.h>

#include "engine/xalloc.h"

void iheap_init(struct iheap *h, uint32_t cap)
{
	size_t n = (size_t)(cap ? cap : 1);
	uintptr_t p;

	h->mem = xmalloc((n + 4) * sizeof *h->heap + 64);
	p = ((uintptr_t)h->mem + 63) & ~(uintptr_t)63;
	h->heap = (struct iheap_entry *)p + 3;
	h->pos = xmalloc(n * sizeof *h->pos);
	for (uint32_t i = 0; i < cap; i++)
		h->pos[i] = IHEAP_OUT;
	h->n = 0;
	h->cap = cap;
}

void iheap_fini(struct iheap *h)
{
	free(h->mem);
	free(h->pos);
	h->mem = NULL;
	h->heap = NULL;
	h->pos = NULL;
	h->n = h->cap = 0;
}

static inline int before(const struct iheap_entry *a, const struct iheap_entry *b)
{
	return a->key < b->key || (a->key == b->key && a->id < b->id);
}

static inline void place(struct iheap *h, uint32_t i, struct iheap_entry x)
{
	h->heap[i] = x;
	h->pos[x.id] = i;
}

static void up(struct iheap *h, uint32_t i, struct iheap_entry x)
{
	while (i > 0) {
		uint32_t p = (i - 1) >> 2;
		if (!before(&x, &h->heap[p]))
			break;
		place(h, i, h->heap[p]);
		i = p;
	}
	place(h, i, x);
}

static void down(struct iheap *h, uint32_t i, struct iheap_entry x)
{
	const struct iheap_entry *a = h->heap;

	for (;;) {
		uint32_t c = 4 * i + 1, end = c + 4, best;
		if (c >= h->n)
			break;
		if (end > h->n)
			end = h->n;
		best = c;
		for (uint32_t k = c + 1; k < end; k++)
			if (before(&a[k], &a[best]))
				best = k;
		if (!before(&a[best], &x))
			break;
		place(h, i, a[best]);
		i = best;
	}
	place(h, i, x);
}

void iheap_set(struct iheap *h, uint32_t id, double key)
{
	uint32_t i = h->pos[id];
	struct iheap_entry x = { key, id, 0 };

	if (i == IHEAP_OUT) {
		up(h, h->n++, x);
		return;
	}
	if (key < h->heap[i].key)
		up(h, i, x);
	else
		down(h, i, x);
}

void iheap_remove(struct iheap *h, uint32_t id)
{
	uint32_t i = h->pos[id];
	struct iheap_entry last;

	if (i == IHEAP_OUT)
		return;
	h->pos[id] = IHEAP_OUT;
	last = h->heap[--h->n];
	if (i == h->n)
		return;
	if (i > 0 && before(&last, &h->heap[(i - 1) >> 2]))
		up(h, i, last);
	else
		down(h, i, last);
}
