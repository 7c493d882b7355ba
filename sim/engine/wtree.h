/* wtree.h — a winner (tournament) tree over ids 0..n-1 keyed by a double: the id with the
 * smallest key, ties to the smaller id, after every key change in O(log n) without sifting.
 *
 * Design: a complete 4-ary tree over m = 4^L >= n leaves, stored as two arrays by node: the
 * key (an order-preserving integer, engine/tkey.h) and the id the node holds; node 0 is the
 * root, node i has children 4i+1..4i+4 (their keys fill one 32-byte block: the key array is
 * offset by three), and the leaf of id is node (m - 1) / 3 + id. Every inner node holds the smallest of its children; an
 * absent id (and a padding leaf) has the key WTREE_OUT, above every time. Leaves are in id order,
 * so "ties to the smaller id" is "ties to the leftmost child": the minimum of four is three
 * branch-free selects on the keys alone.
 * A key change walks from its leaf towards the root. A smaller key replaces each ancestor's
 * winner while it beats it, and stops where it first loses (one compare a level). A larger key
 * recomputes only the ancestors it was winning (the minimum of their four children) and stops
 * at the first it was not. The earliest id moving later (what a timer does when it fires) thus
 * costs L minimums of four: about 100 instructions at 1,000 ids, against about 250 for an
 * indexed 4-ary heap's sift down from the root, which compares the moving entry at each level.
 * It answers the same question as an indexed heap ordered by (key, id) (which it replaced), so the
 * earliest id is the same after every sequence of operations. Used for the LLM replicas'
 * next-step timers (dc/llm.c). Keys must not be NaN.
 */
#ifndef MAASIM_WTREE_H
#define MAASIM_WTREE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/tkey.h"

#define WTREE_OUT UINT64_MAX /* the key of an absent id (tkey of +inf is below it) */

struct wtree {
	uint64_t *k;      /* node keys as order-preserving integers: k[0] the root's, k[leaf0 + id] id's */
	uint32_t *win;    /* the id each node holds (a leaf: its own) */
	void *kmem;       /* the allocation behind k */
	uint32_t leaf0;   /* index of the first leaf: (m - 1) / 3 */
	uint32_t m;       /* leaves: a power of four >= the capacity (>= 1) */
	uint32_t n;       /* ids present */
};

/* Room for ids 0..cap-1; empty. */
void wtree_init(struct wtree *w, uint32_t cap);
void wtree_fini(struct wtree *w);

/* Sets id's key (inserting id if absent), or removes id (wtree_remove). */
void wtree_set(struct wtree *w, uint32_t id, double key);
void wtree_remove(struct wtree *w, uint32_t id);
/* The smallest of the four keys k[c..c+3], the leftmost on ties: its index, its key in *kmin.
 * Written as selects of both the key and the index (no arithmetic on the comparison bits), so
 * the compiler can use conditional moves: a jump on the comparison mispredicts about every
 * other level. */
static inline size_t wtree_min_of_four_(const uint64_t *k, size_t c, uint64_t *kmin)
{
	uint64_t k0 = k[c], k1 = k[c + 1], k2 = k[c + 2], k3 = k[c + 3];
	uint64_t m01 = k1 < k0 ? k1 : k0, m23 = k3 < k2 ? k3 : k2;
	size_t c01 = k1 < k0 ? c + 1 : c, c23 = k3 < k2 ? c + 3 : c + 2;

	*kmin = m23 < m01 ? m23 : m01;
	return m23 < m01 ? c23 : c01;
}

/* The earliest id's key moves to key (a timer that fired and is set again): wtree_set(w,
 * wtree_top(w), key) without the tests of which ancestors it holds (it holds them all; every
 * ancestor's winner is recomputed, so any key is fine). w must not be empty (checked). Inline:
 * one caller, on every replica step. */
static inline void wtree_raise_top(struct wtree *w, double key)
{
	uint64_t *k = w->k;
	uint32_t *win = w->win;
	size_t i = w->leaf0 + (size_t)win[0];

	if (!w->n)
		abort(); /* a caller bug: there is no earliest timer to move */
	k[i] = tkey_of(key);
	while (i > 0) { /* every ancestor holds it: no test of who wins there */
		size_t p = (i - 1) >> 2;
		win[p] = win[wtree_min_of_four_(k, 4 * p + 1, &k[p])];
		i = p;
	}
}

static inline int wtree_contains(const struct wtree *w, uint32_t id)
{
	return w->k[w->leaf0 + id] != WTREE_OUT;
}
/* The key of id (id must be present). */
static inline double wtree_key(const struct wtree *w, uint32_t id)
{
	return tkey_value(w->k[w->leaf0 + id]);
}
/* The id with the smallest key, and that key (w must not be empty: n > 0). */
static inline uint32_t wtree_top(const struct wtree *w) { return w->win[0]; }
static inline double wtree_top_key(const struct wtree *w) { return tkey_value(w->k[0]); }

#endif
