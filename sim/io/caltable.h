/* caltable.h — the calibration table (models/calibration.json) as per-variant factors.
 *
 * `maasim calibrate` (models/calibrate.c) measures, on this CPU, what each model variant costs
 * relative to dense fp32 and what it costs in accuracy; this reader turns the JSON into plain
 * values for the simulator, which never runs a kernel. Two kinds of figure are kept apart:
 *  - CPU-measured factors (time_factor_decode/prefill: variant time / dense time at batch 1 and
 *    at the largest batch, geometric mean over the shapes). They describe a CPU node.
 *  - Inputs for accelerators (flop_factor, gpu_bits_per_weight, the measured efficiency ratios),
 *    from which caltable_gpu_factors derives a GPU node's factors with a roofline; the CPU
 *    speed-ups themselves are never applied to a GPU.
 * Every entry carries a provenance string: "calibrated: <cpu>, OpenBLAS <core>, <date>" for a
 * measured table, or the table's own per-variant "provenance" (e.g. "published: <source>") when
 * a scenario supplies published figures instead. Factors are ratios (dimensionless); a factor
 * the table does not have is NAN, never a silent zero.
 */
#ifndef MAASIM_CALTABLE_H
#define MAASIM_CALTABLE_H

#include <stddef.h>

#include "engine/err.h"

#define CALTABLE_NAME_MAX 32
#define CALTABLE_PROV_MAX 256

struct caltable_timing {
	char shape[32];
	int n, k, batch;
	double median_s;
};

struct caltable_variant {
	char name[CALTABLE_NAME_MAX];
	int supported;               /* 0: measured as unavailable here (see provenance) */
	double time_factor;          /* = time_factor_decode: the default a CPU node uses */
	double time_factor_decode;   /* variant / dense time, batch 1 (CPU, measured) */
	double time_factor_prefill;  /* variant / dense time, largest batch (CPU, measured) */
	double memory_factor;        /* weight bytes / dense fp32 weight bytes (measured sizes) */
	double power_factor;         /* node power while serving, relative to dense */
	double accuracy;             /* test accuracy, one-shot compression (measured, digits MLP) */
	double agreement;            /* share of test predictions equal to dense's */
	double accuracy_finetuned;   /* after a short fine-tune (pruned variants), else NAN */
	double agreement_finetuned;
	double flop_factor;          /* useful multiply-adds / dense (analytic) */
	double gpu_bits_per_weight;  /* storage per dense parameter on a 16-bit GPU (modelled) */
	double efficiency_ratio;     /* variant's share of its peak / dense's, largest batch (CPU) */
	double bandwidth_ratio;      /* variant's weight-read rate / dense's, batch 1 (CPU) */
	char provenance[CALTABLE_PROV_MAX];
	struct caltable_timing *timings;
	size_t n_timings;
};

struct caltable {
	char provenance[CALTABLE_PROV_MAX]; /* "calibrated: ..." */
	char cpu_model[128], openblas_core[64], date[32], mode[16];
	double fp32_peak_flops, int8_peak_ops, read_bw_bytes_per_s; /* measured peaks */
	double dense_accuracy;
	struct caltable_variant *variants;
	size_t n_variants;
};

/* The table shipped with maasim (relative to the top of the source tree); the environment
 * variable MAASIM_CALIBRATION overrides it. */
const char *caltable_default_path(void);

/* Reads a table. Returns 0 and fills t (free with caltable_fini), or -1 with e naming the file
 * and what was expected ("<file>: $.variants[3].memory_factor: expected a number > 0"). */
int caltable_load(const char *path, struct caltable *t, struct err *e);
void caltable_fini(struct caltable *t);

/* The variant called name, or NULL. */
const struct caltable_variant *caltable_find(const struct caltable *t, const char *name);

/* A GPU node, as the roofline needs it. */
struct caltable_gpu_node {
	double peak_flops;          /* dense 16-bit tensor FLOP/s, e.g. 989e12 H100 SXM datasheet */
	double peak_int8_ops;       /* dense int8 OP/s (0: no int8 path, int8 runs at peak_flops) */
	double bandwidth_bytes_per_s; /* HBM, e.g. 3.35e12 H100 SXM datasheet */
	double sparse24_speedup;    /* 2:4 sparse tensor-core rate multiplier (2 on Ampere/Hopper,
				     * datasheet; 1 when absent) */
	int cpu_efficiency_all;     /* 0: the CPU-measured efficiency ratios bound only variants
				     * without a vendor GPU kernel (unstructured CSR); 1: all */
};

struct caltable_gpu_factors {
	double time_factor;   /* variant / dense step time for the given tokens per step */
	double memory_factor; /* weight bytes / dense 16-bit weight bytes */
	int bound;            /* 0 memory-bound, 1 compute-bound (the variant's step) */
};

/* Roofline for one forward step over the layer weights with `tokens` tokens in flight (decode:
 * the batch size; prefill: the prompt tokens). Dense is 16-bit weights (2 bytes, 2 FLOP per
 * parameter per token); the variant moves gpu_bits_per_weight / 8 bytes and does flop_factor
 * of the FLOPs at its rate (int8 at peak_int8_ops, 2:4 at sparse24_speedup x peak):
 *   t_dense = max(2 / BW, 2 tokens / F)       (per parameter)
 *   t_var   = max(bits / 8 / (BW bw_ratio), 2 tokens flop_factor / (F_var eff_ratio))
 * bw_ratio and eff_ratio are the CPU-measured ratios of the variant's kernel to dense (each
 * clamped to at most 1: never more efficient than the vendor's dense GEMM). They apply to
 * unstructured sparsity (CSR), which has no tensor-core path, and to every variant when
 * node->cpu_efficiency_all is set; otherwise they are 1, as dense-format variants (bf16, int8,
 * int4 weight-only, low-rank) and 2:4 run on vendor-tuned GPU kernels whose efficiency a
 * hand-written CPU kernel's says nothing about.
 * Returns -1 with e when the variant lacks a needed figure or the node's rates are not > 0. */
int caltable_gpu_factors(const struct caltable_variant *v, const struct caltable_gpu_node *node,
			 double tokens, struct caltable_gpu_factors *out, struct err *e);

#endif
