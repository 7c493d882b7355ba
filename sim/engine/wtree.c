/* wtree.c — 4-ary winner tree of timers (wtree.h).
 *
 * Invariant: every inner node equals the smallest of its four children by (key, position), and
 * a leaf's id is its position; with a single leaf (m == 1) the leaf is the root.
 */
#include "wtree.h"

#include <stdlib.h>

#include "engine/xalloc.h"

void wtree_init(struct wtree *w, uint32_t cap)
{
	size_t m = 1, total;
	uintptr_t p;

	while (m < cap)
		m *= 4;
	total = (4 * m - 1) / 3;
	w->m = (uint32_t)m;
	w->leaf0 = (uint32_t)((m - 1) / 3);
	w->n = 0;
	/* 3 entries past a 64-byte boundary: children 4i+1..4i+4 share one line */
	w->mem = xmalloc((total + 3) * sizeof *w->t + 64);
	p = ((uintptr_t)w->mem + 63) & ~(uintptr_t)63;
	w->t = (struct wtree_node *)p + 3;
	for (size_t i = total; i-- > 0;) {
		w->t[i].k = WTREE_OUT;
		w->t[i].unused = 0;
		/* an all-absent subtree's winner is its leftmost leaf */
		w->t[i].id = i >= w->leaf0 ? (uint32_t)(i - w->leaf0) : w->t[4 * i + 1].id;
	}
}

void wtree_fini(struct wtree *w)
{
	free(w->mem);
	w->mem = NULL;
	w->t = NULL;
	w->m = w->n = w->leaf0 = 0;
}

/* The smallest of the four children of node p, the leftmost on ties. */
static inline struct wtree_node min_of_four(const struct wtree_node *g)
{
	uint64_t k0 = g[0].k, k1 = g[1].k, k2 = g[2].k, k3 = g[3].k;
	uint64_t m01 = k1 < k0 ? k1 : k0, m23 = k3 < k2 ? k3 : k2;
	size_t i01 = k1 < k0, i23 = 2 + (k3 < k2);

	return g[m23 < m01 ? i23 : i01];
}

static void update(struct wtree *w, uint32_t id, uint64_t k)
{
	struct wtree_node *t = w->t;
	size_t i = w->leaf0 + (size_t)id;
	uint64_t old = t[i].k;

	t[i].k = k;
	if (k < old) { /* ancestors it beats take it (one it was winning held old > k) */
		while (i > 0) {
			struct wtree_node *p = &t[(i - 1) >> 2];
			if (!(k < p->k || (k == p->k && id < p->id)))
				break;
			p->k = k;
			p->id = id;
			i = (i - 1) >> 2;
		}
	} else if (k > old) { /* ancestors it was winning are recomputed */
		while (i > 0) {
			size_t pi = (i - 1) >> 2;
			if (t[pi].id != id)
				break;
			t[pi] = min_of_four(&t[4 * pi + 1]);
			i = pi;
		}
	}
}

void wtree_set(struct wtree *w, uint32_t id, double key)
{
	w->n += w->t[w->leaf0 + id].k == WTREE_OUT;
	update(w, id, tkey_of(key));
}

void wtree_remove(struct wtree *w, uint32_t id)
{
	if (w->t[w->leaf0 + id].k == WTREE_OUT)
		return;
	w->n--;
	update(w, id, WTREE_OUT);
}
