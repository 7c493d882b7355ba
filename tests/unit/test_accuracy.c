/* test_accuracy.c — the accuracy study on the real digits data, and the data reader.
 *
 * Thresholds were set from measurements at the default seed (models/accuracy.h) with margin:
 * dense 0.978 test accuracy; 95% one-shot pruning 0.577 vs 0.936 after the 8-epoch masked
 * fine-tune; int8 and bf16 agree with dense on every test row; one-shot pruning loses accuracy
 * monotonically 50 -> 95%. Runs in about 1.5 s on one core.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"
#include "models/accuracy.h"
#include "models/digits.h"
#include "models/kern.h"

static struct acc_result res;
static int have_res;

static void test_study(void)
{
	struct acc_config c;
	struct err e = { 0 };
	acc_config_default(&c);
	have_res = acc_run(&c, &res, &e) == 0;
	CHECK(have_res);
	if (!have_res) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	printf("     dense %.4f on %d test rows (%d train), trained in %.2f s\n",
	       res.dense_accuracy, res.n_test, res.n_train, res.train_s);
	CHECK_INT(res.n_train + res.n_test, 1797);
	CHECK(res.dense_accuracy >= 0.95);
}

static void test_compression_costs(void)
{
	if (!have_res)
		return;
	const struct acc_row *d = acc_find(&res, "dense_fp32"), *i8 = acc_find(&res, "int8");
	const struct acc_row *bf = acc_find(&res, "bf16_weights");
	const struct acc_row *p[4] = { acc_find(&res, "prune50"), acc_find(&res, "prune75"),
				       acc_find(&res, "prune90"), acc_find(&res, "prune95") };
	const struct acc_row *l2 = acc_find(&res, "lowrank_d2"), *l8 = acc_find(&res, "lowrank_d8");
	CHECK(d && i8 && bf && p[0] && p[1] && p[2] && p[3] && l2 && l8);
	if (!(d && i8 && bf && p[0] && p[1] && p[2] && p[3] && l2 && l8))
		return;
	CHECK_NEAR(d->agreement, 1.0, 0, 0);
	CHECK_NEAR(d->accuracy, res.dense_accuracy, 0, 0);
	CHECK(i8->supported && i8->agreement >= 0.97);
	CHECK(bf->supported && bf->agreement >= 0.98);
	/* one-shot pruning: more sparsity, less accuracy */
	for (int i = 0; i < 3; i++)
		CHECK(p[i]->accuracy > p[i + 1]->accuracy);
	/* the fine-tune recovers most of what 95% pruning loses */
	CHECK(p[3]->has_ft);
	CHECK(p[3]->accuracy_ft >= 0.90);
	CHECK(p[3]->accuracy_ft - p[3]->accuracy >= 0.15);
	CHECK(p[3]->accuracy <= res.dense_accuracy - 0.2);
	/* a lower rank keeps less */
	CHECK(l2->accuracy > l8->accuracy);
	printf("     prune95 %.3f one-shot, %.3f fine-tuned; int8 agreement %.3f\n", p[3]->accuracy,
	       p[3]->accuracy_ft, i8->agreement);
}

static void test_digits_bad_input(void)
{
	struct digits d;
	struct err e = { 0 };
	char path[] = "/tmp/maasim-digits-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	for (int j = 0; j < 64; j++)
		fprintf(f, "0,");
	fprintf(f, "3\n");
	for (int j = 0; j < 64; j++)
		fprintf(f, "%d,", j == 5 ? 17 : 0);
	fprintf(f, "1\n");
	fclose(f);
	CHECK_INT(digits_load(path, &d, &e), -1);
	CHECK_HAS(e.msg, ":2: column 6: expected an integer 0..16, got 17");
	f = fopen(path, "w");
	fprintf(f, "1,2,3\n");
	fclose(f);
	err_clear(&e);
	CHECK_INT(digits_load(path, &d, &e), -1);
	CHECK_HAS(e.msg, ":1: expected 65 fields");
	remove(path);
	err_clear(&e);
	CHECK_INT(digits_load("/nonexistent/digits.csv", &d, &e), -1);
	CHECK(e.set);
}

static void test_split_deterministic(void)
{
	struct digits d;
	struct err e = { 0 };
	CHECK_INT(digits_load("models/data/digits.csv", &d, &e), 0);
	if (e.set)
		return;
	CHECK_INT(d.n, 1797);
	int *tr1, *te1, *tr2, *te2, ntr, nte, ntr2, nte2;
	digits_split(&d, 7, 0.2, &tr1, &ntr, &te1, &nte);
	digits_split(&d, 7, 0.2, &tr2, &ntr2, &te2, &nte2);
	CHECK_INT(nte, 359);
	CHECK(memcmp(te1, te2, (size_t)nte * sizeof *te1) == 0);
	/* a permutation: every row exactly once */
	char *seen = calloc((size_t)d.n, 1);
	for (int i = 0; i < ntr; i++)
		seen[tr1[i]]++;
	for (int i = 0; i < nte; i++)
		seen[te1[i]]++;
	int ok = 1;
	for (int i = 0; i < d.n; i++)
		ok &= seen[i] == 1;
	CHECK(ok);
	free(seen);
	free(tr1);
	free(te1);
	free(tr2);
	free(te2);
	digits_fini(&d);
}

int main(void)
{
	kern_set_threads(1);
	RUN(test_study);
	RUN(test_compression_costs);
	RUN(test_digits_bad_input);
	RUN(test_split_deterministic);
	return CHECK_DONE();
}
