/* test_wtree.c — the winner tree against a brute-force scan (smallest key, ties to the
 * smaller id: the order the LLM replica timers fire in): random
 * set/remove sequences with many equal keys (ties), the timer pattern (the earliest id moves
 * later, by wtree_set and by wtree_raise_top), sizes 0, 1, powers of two and their neighbours,
 * and removing absent ids. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "engine/wtree.h"

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* smallest key, then smallest id; n when none present (key NAN = absent) */
static uint32_t ref_min(const double *key, uint32_t n)
{
	uint32_t best = n;

	for (uint32_t i = 0; i < n; i++)
		if (!isnan(key[i]) && (best == n || key[i] < key[best]))
			best = i;
	return best;
}

static void random_run(uint32_t n, int ops, uint64_t seed)
{
	struct wtree w;
	double *key = malloc((n ? n : 1) * sizeof *key);
	uint64_t x = seed;
	uint32_t present = 0;
	int bad = 0;

	wtree_init(&w, n);
	for (uint32_t i = 0; i < n; i++)
		key[i] = NAN;
	CHECK_INT(w.n, 0);
	for (int k = 0; k < ops && n; k++) {
		uint32_t id = (uint32_t)(lcg(&x) % n), u = (uint32_t)(lcg(&x) % 100), m;
		if (u < 10) {
			wtree_remove(&w, id);
			present -= !isnan(key[id]);
			key[id] = NAN;
		} else {
			double v;
			m = ref_min(key, n);
			if (u < 40) /* few distinct values: ties; negative and zero keys too */
				v = (double)(lcg(&x) % 8) - 2.0;
			else if (u < 70 || m == n)
				v = (double)lcg(&x) / 1e6;
			else { /* the timer pattern: the earliest moves later (or stays) */
				id = m;
				v = key[m] + (u < 75 ? 0.0 : (double)(lcg(&x) % 1000) / 7.0);
			}
			present += isnan(key[id]);
			key[id] = v;
			if (u >= 70 && m < n && u % 2) /* the timer pattern through its own verb */
				wtree_raise_top(&w, v);
			else
				wtree_set(&w, id, v);
		}
		m = ref_min(key, n);
		bad += w.n != present;
		if (m < n) {
			bad += wtree_top(&w) != m || wtree_top_key(&w) != key[m];
			bad += !wtree_contains(&w, id) != isnan(key[id]);
			if (!isnan(key[id]))
				bad += wtree_key(&w, id) != key[id];
		} else {
			bad += w.n != 0;
		}
	}
	CHECK_INT(bad, 0);
	wtree_fini(&w);
	free(key);
}

static void test_random(void)
{
	static const uint32_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1000, 1024, 1025 };
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		random_run(sizes[i], 20000, 12345 + i);
}

static void test_small(void)
{
	struct wtree w;

	wtree_init(&w, 0); /* no ids: a valid empty tree */
	CHECK_INT(w.n, 0);
	wtree_fini(&w);
	wtree_init(&w, 3);
	wtree_remove(&w, 1); /* absent: a no-op */
	CHECK_INT(w.n, 0);
	wtree_set(&w, 2, 5.0);
	wtree_set(&w, 1, 5.0);
	CHECK_INT(wtree_top(&w), 1); /* tie: the smaller id */
	wtree_set(&w, 0, INFINITY);  /* an infinite key is still present */
	CHECK_INT(w.n, 3);
	wtree_set(&w, 1, 6.0);
	CHECK_INT(wtree_top(&w), 2);
	CHECK(wtree_top_key(&w) == 5.0);
	wtree_remove(&w, 2);
	wtree_remove(&w, 1);
	CHECK_INT(wtree_top(&w), 0);
	CHECK(wtree_top_key(&w) == INFINITY);
	CHECK(wtree_contains(&w, 0) && !wtree_contains(&w, 1));
	wtree_fini(&w);
}

int main(void)
{
	RUN(test_small);
	RUN(test_random);
	return CHECK_DONE();
}
