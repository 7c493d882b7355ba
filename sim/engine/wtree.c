/* wtree.c — 4-ary winner tree of timers (wtree.h).
 *
 * Invariant: every inner node holds the smallest of its four children by (key, position), and
 * a leaf holds its own id; with a single leaf (m == 1) the leaf is the root.
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
	/* 3 keys past a 32-byte boundary: the keys of children 4i+1..4i+4 share one block */
	w->kmem = xmalloc((total + 3) * sizeof *w->k + 32);
	p = ((uintptr_t)w->kmem + 31) & ~(uintptr_t)31;
	w->k = (uint64_t *)p + 3;
	w->win = xmalloc(total * sizeof *w->win);
	for (size_t i = total; i-- > 0;) {
		w->k[i] = WTREE_OUT;
		/* an all-absent subtree holds its leftmost leaf */
		w->win[i] = i >= w->leaf0 ? (uint32_t)(i - w->leaf0) : w->win[4 * i + 1];
	}
}

void wtree_fini(struct wtree *w)
{
	free(w->kmem);
	free(w->win);
	w->kmem = NULL;
	w->k = NULL;
	w->win = NULL;
	w->m = w->n = w->leaf0 = 0;
}

static inline void update(struct wtree *w, uint32_t id, uint64_t key)
{
	uint64_t *k = w->k;
	uint32_t *win = w->win;
	size_t i = w->leaf0 + (size_t)id;
	uint64_t old = k[i];

	k[i] = key;
	if (key < old) { /* ancestors it beats take it (one it was holding had old > key) */
		while (i > 0) {
			size_t p = (i - 1) >> 2;
			if (!(key < k[p] || (key == k[p] && id < win[p])))
				break;
			k[p] = key;
			win[p] = id;
			i = p;
		}
	} else if (key > old) { /* ancestors it was holding are recomputed */
		while (i > 0) {
			size_t p = (i - 1) >> 2, c = 4 * p + 1;
			if (win[p] != id)
				break;
			c = wtree_min_of_four_(k, c, &k[p]);
			win[p] = win[c];
			i = p;
		}
	}
}

void wtree_set(struct wtree *w, uint32_t id, double key)
{
	w->n += w->k[w->leaf0 + id] == WTREE_OUT;
	update(w, id, tkey_of(key));
}

void wtree_remove(struct wtree *w, uint32_t id)
{
	if (w->k[w->leaf0 + id] == WTREE_OUT)
		return;
	w->n--;
	update(w, id, WTREE_OUT);
}
