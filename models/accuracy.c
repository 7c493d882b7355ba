/* accuracy.c — the accuracy study (see accuracy.h). */
#include "models/accuracy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/digits.h"
#include "models/hw.h"
#include "models/mlp.h"
#include "models/sparse.h"
#include "models/variant.h"

void acc_config_default(struct acc_config *c)
{
	c->data_path = "models/data/digits.csv";
	c->seed = 20261128;
	c->test_frac = 0.2;
	c->hidden = 128;
	c->epochs = 30;
	c->ft_epochs = 8;
	c->batch = 32;
	c->lr = 2e-3;
	c->ft_lr = 1e-3;
}

static double share_equal(const int *a, const int *b, int n)
{
	int same = 0;
	for (int i = 0; i < n; i++)
		same += a[i] == b[i];
	return n ? (double)same / n : 0;
}

static double accuracy_of(const int *pred, const int *label, const int *idx, int n)
{
	int ok = 0;
	for (int i = 0; i < n; i++)
		ok += pred[i] == label[idx[i]];
	return n ? (double)ok / n : 0;
}

/* prunes the hidden layers of m as sp does, then fine-tunes with the zeros pinned */
static void prune_finetune(struct mlp *m, const struct variant_spec *sp, const struct digits *d,
			   const int *train, int n_train, const struct acc_config *c)
{
	unsigned char *masks[MLP_MAX_LAYERS] = { 0 };
	const int nl = mlp_layers(m);
	for (int l = 0; l + 1 < nl; l++) {
		int n, k;
		float *w = mlp_weights(m, l, &n, &k);
		size_t len = (size_t)n * (size_t)k;
		if (sp->kind == VARIANT_CSR)
			sparse_prune(w, len, sp->param);
		else
			sparse_prune24(w, n, k);
		masks[l] = xmalloc(len);
		for (size_t j = 0; j < len; j++)
			masks[l][j] = w[j] != 0;
	}
	struct mlp_train_cfg ft = { c->ft_epochs, c->batch, c->ft_lr, c->seed + 2 };
	mlp_train(m, d->x, d->label, train, n_train, &ft, masks);
	for (int l = 0; l < nl; l++)
		free(masks[l]);
}

int acc_run(const struct acc_config *c, struct acc_result *r, struct err *e)
{
	struct digits d;
	int *train, *test, n_train, n_test, nspec;
	const struct variant_spec *specs = variant_specs(&nspec);

	memset(r, 0, sizeof *r);
	if (digits_load(c->data_path, &d, e))
		return -1;
	digits_split(&d, c->seed, c->test_frac, &train, &n_train, &test, &n_test);
	r->n_train = n_train;
	r->n_test = n_test;

	const int dims[4] = { DIGITS_PIXELS, c->hidden, c->hidden, DIGITS_CLASSES };
	struct mlp *m = mlp_new(dims, 3, c->seed + 1);
	struct mlp_train_cfg tc = { c->epochs, c->batch, c->lr, c->seed + 2 };
	double t0 = hw_now_s();
	mlp_train(m, d.x, d.label, train, n_train, &tc, NULL);
	r->train_s = hw_now_s() - t0;

	int *dense = xmalloc((size_t)n_test * sizeof *dense);
	int *pred = xmalloc((size_t)n_test * sizeof *pred);
	mlp_predict(m, d.x, test, n_test, dense);
	r->dense_accuracy = accuracy_of(dense, d.label, test, n_test);

	for (int i = 0; i < nspec && r->nrows < ACC_MAX_ROWS; i++) {
		const struct variant_spec *sp = &specs[i];
		struct acc_row *row = &r->rows[r->nrows++];
		struct err ve = { 0 };
		snprintf(row->name, sizeof row->name, "%s", sp->name);
		if (mlp_predict_variant(m, sp, d.x, test, n_test, pred, &ve)) {
			snprintf(row->why, sizeof row->why, "%.199s", ve.msg);
			continue;
		}
		row->supported = 1;
		row->accuracy = accuracy_of(pred, d.label, test, n_test);
		row->agreement = share_equal(pred, dense, n_test);
		if (sp->kind == VARIANT_CSR || sp->kind == VARIANT_SP24) {
			struct mlp *f = mlp_clone(m);
			prune_finetune(f, sp, &d, train, n_train, c);
			if (mlp_predict_variant(f, sp, d.x, test, n_test, pred, &ve) == 0) {
				row->has_ft = 1;
				row->accuracy_ft = accuracy_of(pred, d.label, test, n_test);
				row->agreement_ft = share_equal(pred, dense, n_test);
			}
			mlp_free(f);
		}
	}
	free(dense);
	free(pred);
	mlp_free(m);
	free(train);
	free(test);
	digits_fini(&d);
	return 0;
}

const struct acc_row *acc_find(const struct acc_result *r, const char *name)
{
	for (int i = 0; i < r->nrows; i++)
		if (strcmp(r->rows[i].name, name) == 0)
			return &r->rows[i];
	return NULL;
}
