/* bucketq.h — ids 0..n-1 keyed by small non-negative integers (a node's outstanding requests),
 * answering "the lowest id among those with the smallest key" in O(1).
 *
 * Design: one bitset of ids per key value ("level"), each with a summary bitset (bit w set when
 * word w of the level is non-zero), plus a count per level and the lowest non-empty level.
 * Changing a key moves one bit between two levels; the minimum level moves only when its last
 * id leaves, and then usually by one step (keys change by +-1 when requests arrive and
 * leave), so every operation is O(1) amortised, with no comparison-based sifting. Finding the
 * lowest id scans ceil(n / 4096) summary words: one word up to 4,096 ids. It replaces an
 * indexed heap for join-the-shortest-queue dispatch, whose O(log n) sifts through long runs of
 * equal keys dominated the dispatcher at 1,000 nodes; the choice is the same (smallest key,
 * ties to the lowest id), so results do not change.
 * Layout: each level is one block of 64-bit words, [count, summary words, bitset words], the
 * blocks end to end (stride words apart), so a move between two levels finds each level's
 * count, summary and bitset from one base address.
 * Memory: (n / 8 + n / 512 + 8) bytes per level up to the largest key seen; levels are never
 * freed during a run (they are as many as the longest queue, whose requests cost far more).
 * Invariant: key[id] == BUCKETQ_OUT, or id's bit is set in exactly level key[id].
 */
#ifndef MAASIM_BUCKETQ_H
#define MAASIM_BUCKETQ_H

#include <stddef.h>
#include <stdint.h>

#define BUCKETQ_OUT UINT32_MAX

struct bucketq {
	uint32_t n;          /* ids 0..n-1 */
	uint32_t words;      /* 64-bit words per level bitset */
	uint32_t sum_words;  /* 64-bit words per level summary */
	uint32_t levels;     /* allocated levels (keys 0..levels-1) */
	uint32_t min;        /* lowest non-empty level; levels when empty */
	uint32_t size;       /* ids present */
	uint32_t stride;     /* words per level block: 1 + sum_words + words */
	uint32_t *key;       /* by id, BUCKETQ_OUT when absent */
	uint64_t *lv;        /* levels x stride: level k's block at lv + k * stride */
};

/* Room for ids 0..n-1 (n >= 0); empty. */
void bucketq_init(struct bucketq *b, uint32_t n);
void bucketq_fini(struct bucketq *b);

/* Level k's block: [0] its count, [1 ..] its summary words, [1 + sum_words ..] its bitset. */
static inline uint64_t *bucketq_level_(const struct bucketq *b, uint32_t k)
{
	return b->lv + (size_t)k * b->stride;
}

/* Moves present id from level old to key (< levels): each level's word, summary bit and count
 * once; the size does not change and the minimum moves only to the new level or, when the old
 * one was the minimum and is left empty, up from it. */
static inline void bucketq_move_(struct bucketq *b, uint32_t id, uint32_t old, uint32_t key)
{
	uint32_t w = id / 64;
	uint64_t bit = 1ULL << (id % 64), sbit = 1ULL << (w % 64);
	size_t wi = 1 + (size_t)b->sum_words + w, si = 1 + (size_t)(w / 64);
	uint64_t *lo = bucketq_level_(b, old), *ln = bucketq_level_(b, key);

	if (!(lo[wi] &= ~bit))
		lo[si] &= ~sbit;
	ln[wi] |= bit;
	ln[si] |= sbit;
	lo[0]--;
	ln[0]++;
	b->key[id] = key;
	if (key < b->min) {
		b->min = key;
	} else if (old == b->min && !lo[0]) {
		uint32_t m = old + 1; /* stops at key at the latest: it is not empty */
		while (!bucketq_level_(b, m)[0])
			m++;
		b->min = m;
	}
}

/* An insertion, or a key past the allocated levels (bucketq_set's out-of-line part). */
void bucketq_set_slow_(struct bucketq *b, uint32_t id, uint32_t key);

/* Inserts id with key, or moves it to key. key < BUCKETQ_OUT. Grows the levels as needed.
 * The common case (a dispatcher's +-1 between levels that exist) is inline and calls nothing. */
static inline __attribute__((always_inline)) void bucketq_set(struct bucketq *b, uint32_t id,
							    uint32_t key)
{
	uint32_t old = b->key[id];

	if (old == key)
		return;
	if (old == BUCKETQ_OUT || key >= b->levels) {
		bucketq_set_slow_(b, id, key);
		return;
	}
	bucketq_move_(b, id, old, key);
}
/* Removes id (absent: no-op). */
void bucketq_remove(struct bucketq *b, uint32_t id);
/* The lowest id among those with the smallest key; BUCKETQ_OUT when empty. */
uint32_t bucketq_min_id(const struct bucketq *b);
/* The smallest key; BUCKETQ_OUT when empty. */
static inline uint32_t bucketq_min_key(const struct bucketq *b)
{
	return b->size ? b->min : BUCKETQ_OUT;
}
static inline uint32_t bucketq_key(const struct bucketq *b, uint32_t id) { return b->key[id]; }

#endif
