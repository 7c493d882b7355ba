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
	return a->k < b->k || (a->k == b->k && a->id < b->id);
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

/* Offset (0..3) of the smallest of the four entries g[0..3]: branch-free selects on the keys
 * (a data-dependent branch here mispredicts about half the time); a tie in any of the three
 * comparisons, rare with continuous times, redoes the choice with the ids. */
static inline size_t min_of_four(const struct iheap_entry *g)
{
	uint64_t k0 = g[0].k, k1 = g[1].k, k2 = g[2].k, k3 = g[3].k;
	uint64_t m01 = k1 < k0 ? k1 : k0, m23 = k3 < k2 ? k3 : k2;
	size_t i01 = k1 < k0, i23 = 2 + (k3 < k2);

	if (__builtin_expect((k0 == k1) | (k2 == k3) | (m01 == m23), 0)) {
		i01 = before(&g[1], &g[0]);
		i23 = 2 + (size_t)before(&g[3], &g[2]);
		return before(&g[i23], &g[i01]) ? i23 : i01;
	}
	return m23 < m01 ? i23 : i01;
}

static void down(struct iheap *h, size_t i, struct iheap_entry x)
{
	struct iheap_entry *a = h->heap;
	uint32_t *pos = h->pos;
	size_t n = h->n, c;

	while ((c = 4 * i + 1) + 3 < n) {
		const struct iheap_entry *best = &a[c + min_of_four(&a[c])];
		if (!before(best, &x))
			goto done;
		a[i] = *best;
		pos[best->id] = (uint32_t)i;
		i = (size_t)(best - a);
	}
	if (c < n) { /* the one partly filled group at the bottom */
		size_t b = c;
		for (size_t k = c + 1; k < n; k++)
			if (before(&a[k], &a[b]))
				b = k;
		if (before(&a[b], &x)) {
			a[i] = a[b];
			pos[a[b].id] = (uint32_t)i;
			i = b;
		}
	}
done:
	a[i] = x;
	pos[x.id] = (uint32_t)i;
}

void iheap_set(struct iheap *h, uint32_t id, double key)
{
	uint32_t i = h->pos[id];
	struct iheap_entry x = { tkey_of(key), id, 0 };

	if (i == IHEAP_OUT) {
		up(h, h->n++, x);
		return;
	}
	if (x.k < h->heap[i].k)
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
