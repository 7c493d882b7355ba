/* bucketq.c — per-key bitsets with summaries: O(1) smallest-key, lowest-id queries (bucketq.h). */
#include "bucketq.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

void bucketq_init(struct bucketq *b, uint32_t n)
{
	memset(b, 0, sizeof *b);
	b->n = n;
	b->words = (n + 63) / 64;
	b->sum_words = (b->words + 63) / 64;
	b->key = xmalloc((n ? n : 1) * sizeof *b->key);
	for (uint32_t i = 0; i < n; i++)
		b->key[i] = BUCKETQ_OUT;
}

void bucketq_fini(struct bucketq *b)
{
	free(b->key);
	free(b->count);
	free(b->bits);
	free(b->sum);
	memset(b, 0, sizeof *b);
}

static void grow(struct bucketq *b, uint32_t key)
{
	uint32_t old = b->levels, levels = old ? old : 4;

	while (levels <= key)
		levels *= 2;
	b->count = xrealloc(b->count, levels * sizeof *b->count);
	b->bits = xrealloc(b->bits, (size_t)levels * b->words * sizeof *b->bits + 1);
	b->sum = xrealloc(b->sum, (size_t)levels * b->sum_words * sizeof *b->sum + 1);
	memset(b->count + old, 0, (levels - old) * sizeof *b->count);
	memset(b->bits + (size_t)old * b->words, 0, (size_t)(levels - old) * b->words * sizeof *b->bits);
	memset(b->sum + (size_t)old * b->sum_words, 0,
	       (size_t)(levels - old) * b->sum_words * sizeof *b->sum);
	if (b->min == old)
		b->min = levels; /* still empty */
	b->levels = levels;
}

static void unlink_id(struct bucketq *b, uint32_t id, uint32_t k)
{
	uint64_t *w = &b->bits[(size_t)k * b->words + id / 64];

	*w &= ~(1ULL << (id % 64));
	if (!*w)
		b->sum[(size_t)k * b->sum_words + id / 4096] &= ~(1ULL << (id / 64 % 64));
	b->count[k]--;
	b->size--;
	if (k == b->min && !b->count[k]) {
		/* the minimum moves up to the next non-empty level (usually the next one) */
		uint32_t m = k + 1;
		while (m < b->levels && !b->count[m])
			m++;
		b->min = b->size ? m : b->levels;
	}
}

/* Inserts absent id at key. */
static void bucketq_insert(struct bucketq *b, uint32_t id, uint32_t key)
{
	if (key >= b->levels)
		grow(b, key);
	b->bits[(size_t)key * b->words + id / 64] |= 1ULL << (id % 64);
	b->sum[(size_t)key * b->sum_words + id / 4096] |= 1ULL << (id / 64 % 64);
	b->count[key]++;
	b->size++;
	b->key[id] = key;
	if (key < b->min || b->size == 1)
		b->min = key;
}

/* Moves present id from level old to key (< levels): each level's word, summary bit and count
 * once; the size does not change and the minimum moves only to the new level or, when the old
 * one was the minimum and is left empty, up from it. */
static inline void move(struct bucketq *b, uint32_t id, uint32_t old, uint32_t key)
{
	uint32_t w = id / 64;
	uint64_t bit = 1ULL << (id % 64), sbit = 1ULL << (w % 64);
	size_t words = b->words, sw = b->sum_words, s = w / 64;

	if (!(b->bits[(size_t)old * words + w] &= ~bit))
		b->sum[(size_t)old * sw + s] &= ~sbit;
	b->bits[(size_t)key * words + w] |= bit;
	b->sum[(size_t)key * sw + s] |= sbit;
	b->count[old]--;
	b->count[key]++;
	b->key[id] = key;
	if (key < b->min) {
		b->min = key;
	} else if (old == b->min && !b->count[old]) {
		uint32_t m = old + 1; /* stops at key at the latest: it is not empty */
		while (!b->count[m])
			m++;
		b->min = m;
	}
}

/* An insertion, or a key past the allocated levels. */
static __attribute__((noinline)) void set_slow(struct bucketq *b, uint32_t id, uint32_t key)
{
	if (b->key[id] == BUCKETQ_OUT) {
		bucketq_insert(b, id, key);
		return;
	}
	if (key >= b->levels)
		grow(b, key);
	move(b, id, b->key[id], key);
}

/* The common case (a dispatcher's +-1 between levels that exist) calls nothing. */
void bucketq_set(struct bucketq *b, uint32_t id, uint32_t key)
{
	uint32_t old = b->key[id];

	if (old == key)
		return;
	if (old == BUCKETQ_OUT || key >= b->levels) {
		set_slow(b, id, key);
		return;
	}
	move(b, id, old, key);
}

void bucketq_remove(struct bucketq *b, uint32_t id)
{
	if (b->key[id] == BUCKETQ_OUT)
		return;
	unlink_id(b, id, b->key[id]);
	b->key[id] = BUCKETQ_OUT;
}

uint32_t bucketq_min_id(const struct bucketq *b)
{
	const uint64_t *sum, *bits;

	if (!b->size)
		return BUCKETQ_OUT;
	sum = &b->sum[(size_t)b->min * b->sum_words];
	bits = &b->bits[(size_t)b->min * b->words];
	for (uint32_t s = 0; s < b->sum_words; s++)
		if (sum[s]) {
			uint32_t w = s * 64 + (uint32_t)__builtin_ctzll(sum[s]);
			return w * 64 + (uint32_t)__builtin_ctzll(bits[w]);
		}
	return BUCKETQ_OUT; /* unreachable while the invariant holds */
}
