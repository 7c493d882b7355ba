/* test_bucketq.c — the bucket queue against a brute-force scan: random set/remove sequences
 * (keys changing by +-1 as loads do, and by jumps), sizes across the 64- and 4096-id word
 * boundaries, growth of levels, and the empty queue. */
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "engine/bucketq.h"

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* smallest key, lowest id; BUCKETQ_OUT when empty */
static uint32_t ref_min_id(const uint32_t *key, uint32_t n)
{
	uint32_t best = BUCKETQ_OUT;

	for (uint32_t i = 0; i < n; i++)
		if (key[i] != BUCKETQ_OUT && (best == BUCKETQ_OUT || key[i] < key[best]))
			best = i;
	return best;
}

static void random_run(uint32_t n, int ops, uint64_t seed)
{
	struct bucketq b;
	uint32_t *key = malloc((n ? n : 1) * sizeof *key);
	uint64_t x = seed;
	int bad = 0;

	bucketq_init(&b, n);
	for (uint32_t i = 0; i < n; i++)
		key[i] = BUCKETQ_OUT;
	CHECK_INT(bucketq_min_id(&b), BUCKETQ_OUT);
	CHECK_INT(bucketq_min_key(&b), BUCKETQ_OUT);
	for (int k = 0; k < ops && n; k++) {
		uint32_t id = (uint32_t)(lcg(&x) % n), u = (uint32_t)(lcg(&x) % 100), m;
		if (u < 5) {
			bucketq_remove(&b, id);
			key[id] = BUCKETQ_OUT;
		} else if (u < 10) {
			key[id] = (uint32_t)(lcg(&x) % 300); /* a jump: exercises growth */
			bucketq_set(&b, id, key[id]);
		} else {
			/* the dispatcher's pattern: the least-loaded id gains one, another loses one */
			m = ref_min_id(key, n);
			if (u < 60 && m != BUCKETQ_OUT) {
				key[m]++;
				bucketq_set(&b, m, key[m]);
			} else {
				key[id] = key[id] == BUCKETQ_OUT || key[id] == 0 ? 0 : key[id] - 1;
				bucketq_set(&b, id, key[id]);
			}
		}
		m = ref_min_id(key, n);
		bad += bucketq_min_id(&b) != m;
		bad += bucketq_min_key(&b) != (m == BUCKETQ_OUT ? BUCKETQ_OUT : key[m]);
		bad += bucketq_key(&b, id) != key[id];
	}
	CHECK_INT(bad, 0);
	bucketq_fini(&b);
	free(key);
}

static void test_random_against_scan(void)
{
	random_run(1, 2000, 1);
	random_run(63, 20000, 2);
	random_run(64, 20000, 3);
	random_run(65, 20000, 4);
	random_run(1000, 30000, 5);
	random_run(5000, 20000, 6); /* more than 4096 ids: two summary words */
}

static void test_ties_to_lowest_id(void)
{
	struct bucketq b;

	bucketq_init(&b, 200);
	for (uint32_t i = 0; i < 200; i++)
		bucketq_set(&b, i, 3);
	CHECK_INT(bucketq_min_id(&b), 0);
	bucketq_set(&b, 0, 4);
	CHECK_INT(bucketq_min_id(&b), 1);
	bucketq_set(&b, 150, 2);
	CHECK_INT(bucketq_min_id(&b), 150);
	CHECK_INT(bucketq_min_key(&b), 2);
	bucketq_remove(&b, 150);
	bucketq_remove(&b, 150); /* absent: no-op */
	CHECK_INT(bucketq_min_id(&b), 1);
	CHECK_INT(bucketq_min_key(&b), 3);
	bucketq_set(&b, 199, 100000); /* far level: growth */
	CHECK_INT(bucketq_min_id(&b), 1);
	for (uint32_t i = 0; i < 199; i++)
		bucketq_remove(&b, i);
	CHECK_INT(bucketq_min_id(&b), 199);
	CHECK_INT(bucketq_min_key(&b), 100000);
	bucketq_remove(&b, 199);
	CHECK_INT(bucketq_min_id(&b), BUCKETQ_OUT);
	bucketq_set(&b, 7, 0);
	CHECK_INT(bucketq_min_id(&b), 7);
	bucketq_fini(&b);
}

int main(void)
{
	RUN(test_random_against_scan);
	RUN(test_ties_to_lowest_id);
	return CHECK_DONE();
}
