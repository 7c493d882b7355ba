/* mlp.c — MLP training and inference (see mlp.h). */
#include "models/mlp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/kern.h"
#include "models/mrand.h"

struct mlp {
	int nl;
	int dims[MLP_MAX_LAYERS + 1];
	float *w[MLP_MAX_LAYERS], *b[MLP_MAX_LAYERS];
};

static size_t wlen(const struct mlp *m, int l)
{
	return (size_t)m->dims[l + 1] * (size_t)m->dims[l];
}

struct mlp *mlp_new(const int *dims, int nlayers, uint64_t seed)
{
	struct mlp *m = xcalloc(1, sizeof *m);
	uint64_t s = seed;
	m->nl = nlayers;
	memcpy(m->dims, dims, (size_t)(nlayers + 1) * sizeof *dims);
	for (int l = 0; l < nlayers; l++) {
		size_t len = wlen(m, l);
		double a = sqrt(6.0 / dims[l]); /* He-uniform */
		m->w[l] = xmalloc(len * sizeof *m->w[l]);
		m->b[l] = xcalloc((size_t)dims[l + 1], sizeof *m->b[l]);
		for (size_t j = 0; j < len; j++)
			m->w[l][j] = (float)((2 * mrand_uniform(&s) - 1) * a);
	}
	return m;
}

struct mlp *mlp_clone(const struct mlp *m)
{
	struct mlp *c = xcalloc(1, sizeof *c);
	c->nl = m->nl;
	memcpy(c->dims, m->dims, sizeof c->dims);
	for (int l = 0; l < m->nl; l++) {
		c->w[l] = xmalloc(wlen(m, l) * sizeof *c->w[l]);
		c->b[l] = xmalloc((size_t)m->dims[l + 1] * sizeof *c->b[l]);
		memcpy(c->w[l], m->w[l], wlen(m, l) * sizeof *c->w[l]);
		memcpy(c->b[l], m->b[l], (size_t)m->dims[l + 1] * sizeof *c->b[l]);
	}
	return c;
}

void mlp_free(struct mlp *m)
{
	if (!m)
		return;
	for (int l = 0; l < m->nl; l++) {
		free(m->w[l]);
		free(m->b[l]);
	}
	free(m);
}

int mlp_layers(const struct mlp *m)
{
	return m->nl;
}

float *mlp_weights(struct mlp *m, int l, int *n, int *k)
{
	*n = m->dims[l + 1];
	*k = m->dims[l];
	return m->w[l];
}

static int max_dim(const struct mlp *m)
{
	int d = 0;
	for (int l = 0; l <= m->nl; l++)
		d = m->dims[l] > d ? m->dims[l] : d;
	return d;
}

static void gather(const float *x, int width, const int *idx, int n, float *out)
{
	for (int i = 0; i < n; i++)
		memcpy(out + (size_t)i * (size_t)width, x + (size_t)idx[i] * (size_t)width,
		       (size_t)width * sizeof *out);
}

static void add_bias_relu(float *z, int rows, int cols, const float *bias, int relu)
{
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			float v = z[(size_t)r * (size_t)cols + (size_t)c] + bias[c];
			z[(size_t)r * (size_t)cols + (size_t)c] = relu && v < 0 ? 0 : v;
		}
}

static int argmax(const float *v, int n)
{
	int best = 0;
	for (int i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

void mlp_train(struct mlp *m, const float *x, const int *y, const int *idx, int n,
	       const struct mlp_train_cfg *cfg, unsigned char *const *masks)
{
	const int nl = m->nl, bmax = cfg->batch, dmax = max_dim(m);
	const double b1 = 0.9, b2 = 0.999, eps = 1e-8; /* Adam defaults, Kingma & Ba 2015 */
	float *act[MLP_MAX_LAYERS + 1], *gw[MLP_MAX_LAYERS], *gb[MLP_MAX_LAYERS];
	float *mw[MLP_MAX_LAYERS], *vw[MLP_MAX_LAYERS], *mb[MLP_MAX_LAYERS], *vb[MLP_MAX_LAYERS];
	float *dz = xmalloc((size_t)bmax * (size_t)dmax * sizeof *dz);
	float *da = xmalloc((size_t)bmax * (size_t)dmax * sizeof *da);
	int *order = xmalloc((size_t)n * sizeof *order), *rows = xmalloc((size_t)bmax * sizeof *rows);
	uint64_t s = cfg->seed;
	long step = 0;

	for (int l = 0; l <= nl; l++)
		act[l] = xmalloc((size_t)bmax * (size_t)m->dims[l] * sizeof *act[l]);
	for (int l = 0; l < nl; l++) {
		gw[l] = xmalloc(wlen(m, l) * sizeof *gw[l]);
		mw[l] = xcalloc(wlen(m, l), sizeof *mw[l]);
		vw[l] = xcalloc(wlen(m, l), sizeof *vw[l]);
		gb[l] = xmalloc((size_t)m->dims[l + 1] * sizeof *gb[l]);
		mb[l] = xcalloc((size_t)m->dims[l + 1], sizeof *mb[l]);
		vb[l] = xcalloc((size_t)m->dims[l + 1], sizeof *vb[l]);
		if (masks && masks[l])
			for (size_t j = 0; j < wlen(m, l); j++)
				if (!masks[l][j])
					m->w[l][j] = 0;
	}
	memcpy(order, idx, (size_t)n * sizeof *order);
	for (int ep = 0; ep < cfg->epochs; ep++) {
		for (int i = n - 1; i > 0; i--) {
			int j = (int)mrand_below(&s, (uint64_t)i + 1);
			int t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int off = 0; off < n; off += bmax) {
			const int bs = off + bmax <= n ? bmax : n - off;
			memcpy(rows, order + off, (size_t)bs * sizeof *rows);
			gather(x, m->dims[0], rows, bs, act[0]);
			for (int l = 0; l < nl; l++) {
				kern_sgemm_nt(bs, m->dims[l + 1], m->dims[l], 1.0f, act[l], m->dims[l],
					      m->w[l], m->dims[l], 0.0f, act[l + 1], m->dims[l + 1]);
				add_bias_relu(act[l + 1], bs, m->dims[l + 1], m->b[l], l + 1 < nl);
			}
			/* softmax cross-entropy gradient, averaged over the batch */
			const int nc = m->dims[nl];
			for (int r = 0; r < bs; r++) {
				float *z = act[nl] + (size_t)r * (size_t)nc;
				float *g = dz + (size_t)r * (size_t)nc;
				float mx = z[argmax(z, nc)];
				double sum = 0;
				for (int c = 0; c < nc; c++)
					sum += exp((double)(z[c] - mx));
				for (int c = 0; c < nc; c++)
					g[c] = (float)((exp((double)(z[c] - mx)) / sum -
							(c == y[rows[r]])) / bs);
			}
			for (int l = nl - 1; l >= 0; l--) {
				const int out = m->dims[l + 1], in = m->dims[l];
				kern_sgemm(1, 0, out, in, bs, 1.0f, dz, out, act[l], in, 0.0f, gw[l], in);
				for (int c = 0; c < out; c++) {
					double acc = 0;
					for (int r = 0; r < bs; r++)
						acc += dz[(size_t)r * (size_t)out + (size_t)c];
					gb[l][c] = (float)acc;
				}
				if (l > 0) {
					kern_sgemm(0, 0, bs, in, out, 1.0f, dz, out, m->w[l], in, 0.0f, da,
						   in);
					for (size_t j = 0; j < (size_t)bs * (size_t)in; j++)
						dz[j] = act[l][j] > 0 ? da[j] : 0.0f;
				}
			}
			step++;
			const double c1 = 1 - pow(b1, (double)step), c2 = 1 - pow(b2, (double)step);
			const double lr = cfg->lr * sqrt(c2) / c1;
			for (int l = 0; l < nl; l++) {
				const unsigned char *mk = masks ? masks[l] : NULL;
				for (size_t j = 0; j < wlen(m, l); j++) {
					if (mk && !mk[j])
						continue;
					double g = gw[l][j];
					mw[l][j] = (float)(b1 * mw[l][j] + (1 - b1) * g);
					vw[l][j] = (float)(b2 * vw[l][j] + (1 - b2) * g * g);
					m->w[l][j] -= (float)(lr * mw[l][j] / (sqrt(vw[l][j]) + eps));
				}
				for (int c = 0; c < m->dims[l + 1]; c++) {
					double g = gb[l][c];
					mb[l][c] = (float)(b1 * mb[l][c] + (1 - b1) * g);
					vb[l][c] = (float)(b2 * vb[l][c] + (1 - b2) * g * g);
					m->b[l][c] -= (float)(lr * mb[l][c] / (sqrt(vb[l][c]) + eps));
				}
			}
		}
	}
	for (int l = 0; l <= nl; l++)
		free(act[l]);
	for (int l = 0; l < nl; l++) {
		free(gw[l]);
		free(mw[l]);
		free(vw[l]);
		free(gb[l]);
		free(mb[l]);
		free(vb[l]);
	}
	free(dz);
	free(da);
	free(order);
	free(rows);
}

#define PRED_CHUNK 256

/* forward through layer l for rows a (bs x dims[l]) into out, dense or through a variant */
static int forward(const struct mlp *m, struct variant *const *vs, const float *x,
		   const int *idx, int n, int *pred)
{
	const int dmax = max_dim(m);
	float *a = xmalloc((size_t)PRED_CHUNK * (size_t)dmax * sizeof *a);
	float *z = xmalloc((size_t)PRED_CHUNK * (size_t)dmax * sizeof *z);
	int rc = 0;
	for (int off = 0; off < n && rc == 0; off += PRED_CHUNK) {
		const int bs = off + PRED_CHUNK <= n ? PRED_CHUNK : n - off;
		gather(x, m->dims[0], idx + off, bs, a);
		for (int l = 0; l < m->nl; l++) {
			if (vs && vs[l]) {
				if (variant_gemm(vs[l], a, bs, z)) {
					rc = -1;
					break;
				}
			} else {
				kern_sgemm_nt(bs, m->dims[l + 1], m->dims[l], 1.0f, a, m->dims[l],
					      m->w[l], m->dims[l], 0.0f, z, m->dims[l + 1]);
			}
			add_bias_relu(z, bs, m->dims[l + 1], m->b[l], l + 1 < m->nl);
			float *t = a;
			a = z;
			z = t;
		}
		for (int r = 0; r < bs && rc == 0; r++)
			pred[off + r] = argmax(a + (size_t)r * (size_t)m->dims[m->nl], m->dims[m->nl]);
	}
	free(a);
	free(z);
	return rc;
}

void mlp_predict(const struct mlp *m, const float *x, const int *idx, int n, int *pred)
{
	forward(m, NULL, x, idx, n, pred);
}

int mlp_predict_variant(const struct mlp *m, const struct variant_spec *sp, const float *x,
			const int *idx, int n, int *pred, struct err *e)
{
	struct variant *vs[MLP_MAX_LAYERS] = { 0 };
	int rc = 0;
	for (int l = 0; l + 1 < m->nl; l++) {
		vs[l] = variant_new(sp, m->w[l], m->dims[l + 1], m->dims[l], VARIANT_SVD, e);
		if (!vs[l]) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && forward(m, vs, x, idx, n, pred))
		rc = err_set(e, "variant %s: kernel path unavailable", sp->name);
	for (int l = 0; l < m->nl; l++)
		variant_free(vs[l]);
	return rc;
}
