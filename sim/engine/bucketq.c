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
	b->stride = 1 + b->sum_words + b->words;
	b->key = xmalloc((n ? n : 1) * sizeof *b->key);
	for (uint32_t i = 0; i < n; i++)
		b->key[i] = BUCKETQ_OUT;
}

void bucketq_fini(struct bucketq *b)
{
	free(b->key);
	free(b->lv);
	memset(b, 0, sizeof *b);
}

static void grow(struct bucketq *b, uint32_t key)
{
	uint32_t old = b->levels, levels = old ? old : 4;

	while (levels <= key)
		levels *= 2;
	b->lv = xrealloc(b->lv, (size_t)levels * b->stride * sizeof *b->lv);
	memset(b->lv + (size_t)old * b->stride, 0,
	       (size_t)(levels - old) * b->stride * sizeof *b->lv);
	if (b->min == old)
		b->min = levels; /* still empty */
	b->levels = levels;
}

static void unlink_id(struct bucketq *b, uint32_t id, uint32_t k)
{
	uint64_t *l = bucketq_level_(b, k);
	uint32_t w = id / 64;

	if (!(l[1 + b->sum_words + w] &= ~(1ULL << (id % 64))))
		l[1 + w / 64] &= ~(1ULL << (w % 64));
	l[0]--;
	b->size--;
	if (k == b->min && !l[0]) {
		/* the minimum moves up to the next non-empty level (usually the next one) */
		uint32_t m = k + 1;
		while (m < b->levels && !bucketq_level_(b, m)[0])
			m++;
		b->min = b->size ? m : b->levels;
	}
}

/* Inserts absent id at key. */
static void bucketq_insert(struct bucketq *b, uint32_t id, uint32_t key)
{
	uint64_t *l;
	uint32_t w = id / 64;

	if (key >= b->levels)
		grow(b, key);
	l = bucketq_level_(b, key);
	l[1 + b->sum_words + w] |= 1ULL << (id % 64);
	l[1 + w / 64] |= 1ULL << (w % 64);
	l[0]++;
	b->size++;
	b->key[id] = key;
	if (key < b->min || b->size == 1)
		b->min = key;
}

void bucketq_set_slow_(struct bucketq *b, uint32_t id, uint32_t key)
{
	if (b->key[id] == BUCKETQ_OUT) {
		bucketq_insert(b, id, key);
		return;
	}
	if (key >= b->levels)
		grow(b, key);
	bucketq_move_(b, id, b->key[id], key);
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
	sum = bucketq_level_(b, b->min) + 1;
	bits = sum + b->sum_words;
	for (uint32_t s = 0; s < b->sum_words; s++)
		if (sum[s]) {
			uint32_t w = s * 64 + (uint32_t)__builtin_ctzll(sum[s]);
			return w * 64 + (uint32_t)__builtin_ctzll(bits[w]);
		}
	return BUCKETQ_OUT; /* unreachable while the invariant holds */
}
