/* digits.h — the UCI optical handwritten digits (8x8), read from models/data/digits.csv.
 *
 * 1797 rows of 65 integers: 64 pixel counts 0..16, then the label 0..9 (Alpaydin & Kaynak,
 * UCI ML Repository, CC-BY-4.0; see models/data/LICENSES.md). Pixels are scaled to [0, 1].
 * The train/test split is a seeded permutation, so the same seed gives the same split on any
 * machine.
 */
#ifndef MAASIM_DIGITS_H
#define MAASIM_DIGITS_H

#include <stdint.h>

#include "engine/err.h"

#define DIGITS_PIXELS 64
#define DIGITS_CLASSES 10

struct digits {
	int n;       /* rows */
	float *x;    /* n x 64, pixel / 16 */
	int *label;  /* n */
};

/* Reads path into d (caller storage; free with digits_fini). -1 with e ("<file>:<line>: ...")
 * on a missing file, a row without 65 fields, a pixel outside 0..16 or a label outside 0..9. */
int digits_load(const char *path, struct digits *d, struct err *e);
void digits_fini(struct digits *d);

/* A seeded split: *train (n_train indices) and *test (the rest), test_frac of the rows
 * rounded to nearest in the test part. Arrays are malloc'd; the caller frees them. */
void digits_split(const struct digits *d, uint64_t seed, double test_frac, int **train,
		  int *n_train, int **test, int *n_test);

#endif
