/* mlp.h — a small multi-layer perceptron trained in C (OpenBLAS for the products).
 *
 * Layers are fully connected, ReLU between them, softmax cross-entropy at the end. Weights of
 * layer l are dims[l+1] x dims[l] (the kern.h convention, output channels as rows), so a layer
 * can be handed to any variant kernel unchanged. Training is mini-batch Adam (Kingma & Ba,
 * ICLR 2015; lr, beta1 0.9, beta2 0.999, eps 1e-8) with He-uniform initialisation, all drawn
 * from one seed. An optional mask per layer pins pruned weights at zero during fine-tuning
 * (their gradients and Adam moments are zeroed too). Compressed inference runs the hidden
 * layers through the variant kernels themselves and keeps the output head in fp32, as LLM
 * compression schemes usually leave the classifier/LM head in higher precision.
 */
#ifndef MAASIM_MLP_H
#define MAASIM_MLP_H

#include <stdint.h>

#include "engine/err.h"
#include "models/variant.h"

#define MLP_MAX_LAYERS 8

struct mlp;

/* A network with dims[0] inputs, dims[nlayers] outputs; 1 <= nlayers <= MLP_MAX_LAYERS. */
struct mlp *mlp_new(const int *dims, int nlayers, uint64_t seed);
struct mlp *mlp_clone(const struct mlp *m);
void mlp_free(struct mlp *m);

int mlp_layers(const struct mlp *m);
/* Weights of layer l (n x k), owned by m and writable (pruning edits them in place). */
float *mlp_weights(struct mlp *m, int l, int *n, int *k);

struct mlp_train_cfg {
	int epochs;
	int batch;
	double lr;
	uint64_t seed; /* shuffling */
};

/* Trains on rows idx[0..n) of x (rows of dims[0] floats) with labels y. masks: NULL, or one
 * entry per layer (NULL entry = unmasked) of n x k bytes, 0 = weight pinned at zero. */
void mlp_train(struct mlp *m, const float *x, const int *y, const int *idx, int n,
	       const struct mlp_train_cfg *cfg, unsigned char *const *masks);

/* Predicted class of each row idx[0..n) in fp32. */
void mlp_predict(const struct mlp *m, const float *x, const int *idx, int n, int *pred);

/* Same with every layer but the last run through variant sp (built from m's weights).
 * -1 with e when the variant cannot be built (e.g. unsupported here). */
int mlp_predict_variant(const struct mlp *m, const struct variant_spec *sp, const float *x,
			const int *idx, int n, int *pred, struct err *e);

#endif
