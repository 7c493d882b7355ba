/* digits.c — loading and splitting the digits data set (see digits.h). */
#include "models/digits.h"

#include <stdio.h>
#include <stdlib.h>

#include "engine/xalloc.h"
#include "io/csv.h"
#include "models/mrand.h"

int digits_load(const char *path, struct digits *d, struct err *e)
{
	struct csv *c = csv_open(path, ',', 16u << 20, e);
	char **f;
	int nf, cap = 0;

	d->n = 0;
	d->x = NULL;
	d->label = NULL;
	if (!c)
		return -1;
	while ((nf = csv_next(c, &f, e)) > 0) {
		if (nf != DIGITS_PIXELS + 1) {
			err_set(e, "%s:%ld: expected 65 fields (64 pixels and a label), got %d",
				csv_path(c), csv_line(c), nf);
			goto fail;
		}
		if (d->n == cap) {
			cap = cap ? 2 * cap : 2048;
			d->x = xrealloc(d->x, (size_t)cap * DIGITS_PIXELS * sizeof *d->x);
			d->label = xrealloc(d->label, (size_t)cap * sizeof *d->label);
		}
		for (int j = 0; j <= DIGITS_PIXELS; j++) {
			double v;
			char col[16];
			snprintf(col, sizeof col, "%d", j + 1);
			if (csv_num(c, f[j], col, &v, e))
				goto fail;
			int hi = j < DIGITS_PIXELS ? 16 : 9;
			if (v < 0 || v > hi || v != (double)(int)v) {
				err_set(e, "%s:%ld: column %d: expected an integer 0..%d, got %s",
					csv_path(c), csv_line(c), j + 1, hi, f[j]);
				goto fail;
			}
			if (j < DIGITS_PIXELS)
				d->x[(size_t)d->n * DIGITS_PIXELS + (size_t)j] = (float)(v / 16.0);
			else
				d->label[d->n] = (int)v;
		}
		d->n++;
	}
	if (nf < 0)
		goto fail;
	csv_free(c);
	if (d->n == 0) {
		digits_fini(d);
		return err_set(e, "%s: no rows", path);
	}
	return 0;
fail:
	csv_free(c);
	digits_fini(d);
	return -1;
}

void digits_fini(struct digits *d)
{
	free(d->x);
	free(d->label);
	d->x = NULL;
	d->label = NULL;
	d->n = 0;
}

void digits_split(const struct digits *d, uint64_t seed, double test_frac, int **train,
		  int *n_train, int **test, int *n_test)
{
	int *perm = xmalloc((size_t)d->n * sizeof *perm);
	uint64_t s = seed;
	for (int i = 0; i < d->n; i++)
		perm[i] = i;
	for (int i = d->n - 1; i > 0; i--) { /* Fisher-Yates */
		int j = (int)mrand_below(&s, (uint64_t)i + 1);
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	*n_test = (int)(test_frac * d->n + 0.5);
	*n_train = d->n - *n_test;
	*test = xmalloc((size_t)(*n_test ? *n_test : 1) * sizeof **test);
	*train = xmalloc((size_t)(*n_train ? *n_train : 1) * sizeof **train);
	for (int i = 0; i < *n_test; i++)
		(*test)[i] = perm[i];
	for (int i = 0; i < *n_train; i++)
		(*train)[i] = perm[*n_test + i];
	free(perm);
}
