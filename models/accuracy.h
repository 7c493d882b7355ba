/* accuracy.h — what each compression costs in accuracy, measured on real data.
 *
 * Trains the dense MLP on the digits training split, then evaluates every registered variant on
 * the test split through the variant kernels (mlp_predict_variant): test accuracy, and agreement
 * with the dense model's predictions (the share of test rows where both predict the same class).
 * Pruned variants (unstructured and 2:4) are measured twice: straight after pruning ("one-shot")
 * and after a short masked fine-tune from the pruned weights. Everything derives from the
 * config's seed: the same seed gives the same split, the same network and the same figures on
 * one machine (OpenBLAS may round differently on another core type).
 */
#ifndef MAASIM_ACCURACY_H
#define MAASIM_ACCURACY_H

#include <stdint.h>

#include "engine/err.h"

#define ACC_MAX_ROWS 32

struct acc_config {
	const char *data_path; /* digits CSV */
	uint64_t seed;
	double test_frac;
	int hidden;            /* width of the two hidden layers */
	int epochs, ft_epochs, batch;
	double lr, ft_lr;
};

/* Defaults: models/data/digits.csv, seed 20261128, 20% test, 64-128-128-10, 30 epochs of
 * Adam (lr 2e-3, batch 32), fine-tune 8 epochs at lr 1e-3. */
void acc_config_default(struct acc_config *c);

struct acc_row {
	char name[32];
	int supported;
	char why[200];              /* why not supported */
	double accuracy, agreement; /* one-shot */
	int has_ft;
	double accuracy_ft, agreement_ft;
};

struct acc_result {
	int n_train, n_test;
	double dense_accuracy;
	double train_s;     /* wall time of the dense training, measured */
	int nrows;
	struct acc_row rows[ACC_MAX_ROWS];
};

/* Runs the study. -1 with e when the data cannot be read. */
int acc_run(const struct acc_config *c, struct acc_result *r, struct err *e);

/* The row for variant name, or NULL. */
const struct acc_row *acc_find(const struct acc_result *r, const char *name);

#endif
