/* profile.h — LLM serving profiles: how fast and at what power one serving replica runs.
 *
 * A profile describes one model served on one replica (n_gpus GPUs, tensor/expert parallel)
 * as measured: prefill time as a function of the tokens prefilled together, decode step time
 * and GPU power as functions of the batch size, KV-cache capacity from GPU memory, weights and
 * bytes per token, host overhead, power states (off, sleep, idle, active) with wake-up cost, and
 * power-cap (DVFS) states that scale time and power.
 *
 * Two layers. struct profile_config is a plain value (what a scenario or a built-in fills in,
 * knots by value, no pointers); struct profile is the opaque, validated object the simulator
 * queries, which also counts out-of-range queries. Built-in profiles come from the Splitwise
 * profiling table and the ML.ENERGY v3 measurements (see profile_table.h and
 * tools/gen_profiles.sh); profile_builtin() copies one into a config that a scenario may then
 * override field by field.
 *
 * Interpolation (chosen from the data; see README.md "Serving profiles"):
 *   - prefill time of one prompt: piecewise linear in tokens (compute-bound, near affine);
 *     a batch of b prompts: b * prefill(mean prompt) * factor(b), factor piecewise linear in b
 *     and measured (Splitwise prompt 512 at batch 1..64 over batch 1);
 *   - decode step time: piecewise linear in batch (affine in batch between knots; leave-one-out
 *     on ML.ENERGY: mean error 3.8% linear vs 6.8% in log batch);
 *   - decode GPU power: piecewise linear in log batch (power saturates with batch; 2.6% vs 3.0%).
 * Out of range, a query clamps to the nearest knot, increments profile_extrapolations() and the
 * first time prints one warning to the warn stream (stderr unless changed). One exception,
 * documented and not counted: a prefill of more tokens than the largest knot is computed as
 * consecutive chunks of the largest measured size (what vLLM's max_num_batched_tokens does).
 */
#ifndef MAASIM_PROFILE_H
#define MAASIM_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "engine/err.h"

#define PROFILE_NAME_MAX    64
#define PROFILE_SOURCE_MAX  256
#define PROFILE_KNOTS_MAX   32
#define PROFILE_PSTATES_MAX 4

/* A table of (x, y) knots, x strictly increasing and > 0. n == 1 means a constant (never an
 * extrapolation). */
struct profile_curve {
	int n;
	double x[PROFILE_KNOTS_MAX];
	double y[PROFILE_KNOTS_MAX];
};

/* How prefill shares the GPUs with decode.
 * STALL: prefill of newly admitted requests runs alone and stalls the decode batch (vLLM without
 *        chunked prefill; what the Splitwise table measures: prompt_time and token_time apart).
 * FOLDED: the decode step time already includes the interleaved prefill of the measured workload
 *        (ML.ENERGY reports steady-state output throughput under vLLM, which by our reading
 *        interleaves chunked prefill with decode); prefill time
 *        is then only used for a request's time to first token, never added to the batch. */
enum profile_prefill_mode { PROFILE_PREFILL_STALL = 0, PROFILE_PREFILL_FOLDED = 1 };

/* KV-cache admission (batch.h): RESERVE holds input + output tokens from admission on (never
 * preempts); PAGED grows the cache token by token and preempts when it is full (vLLM). */
enum profile_kv_admission { PROFILE_KV_RESERVE = 0, PROFILE_KV_PAGED = 1 };

/* Power states of a replica. */
enum profile_phase {
	PROFILE_OFF = 0, PROFILE_SLEEP, PROFILE_IDLE, PROFILE_PREFILL, PROFILE_DECODE
};

/* A power-cap / DVFS state. pstates[0] is always "nominal" (all factors 1, no cap). */
struct profile_pstate {
	char name[24];
	double prefill_time_scale; /* multiplies prefill time (>= 1 when capped) */
	double decode_time_scale;  /* multiplies decode step time */
	double power_scale;        /* multiplies active GPU power (prefill and decode) */
	double gpu_cap_w;          /* per-GPU power cap, W, applied after power_scale; 0 = none */
	char source[PROFILE_SOURCE_MAX];
};

struct profile_config {
	char name[PROFILE_NAME_MAX];
	char source[PROFILE_SOURCE_MAX]; /* provenance of the timing and power tables */
	char model[PROFILE_NAME_MAX];    /* short model name, e.g. "llama3.1-70b" */
	char gpu[24];                    /* "h100", "b200", "a100" */
	int n_gpus;                      /* GPUs in the replica */
	int tp;                          /* tensor-parallel degree */
	enum profile_prefill_mode prefill_mode;
	enum profile_kv_admission kv_admission;  /* default RESERVE */
	struct profile_curve prefill_s;          /* x: prompt tokens (one prompt); y: s */
	struct profile_curve prefill_batch_factor; /* x: prompts prefilled together; y: time of
	                                            * the batch / (b * time of one), 1 at b = 1 */
	struct profile_curve decode_step_s;      /* x: batch size; y: s per decode step */
	struct profile_curve decode_gpu_power_w; /* x: batch size; y: W, all GPUs of the replica */
	double prefill_gpu_power_w;  /* W, all GPUs, while prefilling */
	double idle_gpu_power_w;     /* W, all GPUs, model loaded, nothing running */
	int max_batch;               /* most sequences decoding at once */
	double gpu_mem_bytes;        /* memory per GPU, bytes */
	double mem_util;             /* fraction of GPU memory for weights + KV cache, (0, 1] */
	double weight_bytes;         /* model weights, bytes, whole replica */
	double kv_bytes_per_token;   /* 2 * layers * kv_heads * head_dim * bytes per element */
	double host_frac;            /* host CPU + DRAM power as a fraction of GPU power */
	double sleep_power_w;        /* whole replica incl. host, W */
	double off_power_w;          /* whole replica incl. host (BMC standby), W */
	double wake_sleep_s;         /* sleep -> idle latency, s (drawing idle power meanwhile) */
	double wake_off_s;           /* off -> idle latency, s (drawing idle power meanwhile) */
	int n_pstates;               /* >= 1 */
	struct profile_pstate pstates[PROFILE_PSTATES_MAX];
};

struct profile;

/* --- built-in profiles ---------------------------------------------------------------------- */

/* Number of built-in profiles. */
size_t profile_builtin_count(void);

/* Writes the name of built-in i (< profile_builtin_count()) into buf (size n, truncated) and,
 * if doc is not NULL, a one-line description into doc (size doc_n). Returns 0, or -1 if i is
 * out of range. */
int profile_builtin_name(size_t i, char *buf, size_t n, char *doc, size_t doc_n);

/* Fills *out with the built-in profile called name (e.g. "h100-llama3.1-70b-tp4"). Returns 0, or
 * -1 with e naming the valid names when there is none. */
int profile_builtin(const char *name, struct profile_config *out, struct err *e);

/* --- configs -------------------------------------------------------------------------------- */

/* Checks a config: knots increasing and positive, sizes and fractions in range, the weights fit
 * in memory (KV capacity > 0), pstates[0] nominal. Returns 0 or -1 with e set to
 * "<key>: expected ..., got ...", the key as a JSON-path fragment under the profile
 * ("max_batch", "decode_step_s[2]"), so a loader can append it to the profile's path.
 * profile_new's message has "profile <name>: " in front. */
int profile_config_check(const struct profile_config *c, struct err *e);

/* Scenario overrides, without JSON: the loader walks a node type's "profile" object and calls
 * these per key. Numbers (units in the key): n_gpus, tp, max_batch, gpu_mem_gb (per GPU, 1e9
 * bytes), mem_util, weights_gb (1e9 bytes), kv_bytes_per_token, prefill_power_w, idle_power_w
 * (whole replica GPUs), host_frac, sleep_power_w, off_power_w, wake_sleep_s, wake_off_s.
 * Curves, as n (x, y) pairs: prefill_s, prefill_batch_factor, decode_step_s, decode_power_w.
 * Strings: prefill_mode ("stall" | "folded"), kv_admission ("reserve" | "paged"), source. Return 0, or -1 with e set to
 * "<key>: expected ..." (unknown keys list the valid ones). The result is checked by
 * profile_config_check / profile_new, not here. */
int profile_config_set_num(struct profile_config *c, const char *key, double v, struct err *e);
int profile_config_set_curve(struct profile_config *c, const char *key, int n, const double *x,
	const double *y, struct err *e);
int profile_config_set_str(struct profile_config *c, const char *key, const char *v,
	struct err *e);

/* --- the profile object --------------------------------------------------------------------- */

/* Creates a profile from a config (copied). Returns NULL with e set if the config is invalid.
 * Free with profile_free. */
struct profile *profile_new(const struct profile_config *c, struct err *e);
void profile_free(struct profile *p);

/* The config the profile was built from (owned by p). */
const struct profile_config *profile_config_of(const struct profile *p);

/* Where the first out-of-range warning goes (default stderr); NULL silences it. */
void profile_set_warn_stream(struct profile *p, FILE *f);

/* Count of out-of-range (clamped) queries so far: the run reports it as profile_extrapolations.
 * reset sets it to 0 (warm-up); the one warning is still printed only once per profile. */
long profile_extrapolations(const struct profile *p);
void profile_reset_extrapolations(struct profile *p);

/* Seconds to prefill `batch` prompts of `tokens` tokens in total together (the requests
 * admitted in one prefill batch) in power-cap state ps (0 = nominal):
 * batch * prefill_s(tokens / batch) * prefill_batch_factor(batch). tokens > 0, batch >= 1. */
double profile_prefill_s(struct profile *p, double tokens, double batch, int ps);

/* profile_prefill_s's table for one prompt (batch 1), for callers that look it up inline (the
 * batcher, on every admission): for an integer token count in [lo, n), t[tokens] (0: not yet
 * computed, then profile_prefill_fill) x bf1 x the power-cap state's prefill_time_scale is
 * profile_prefill_s(p, tokens, 1, ps) bit for bit; other counts must call it (n is 0 when
 * there is no table). */
struct profile_prefill_tab {
	double *t;
	double lo, n;
	double bf1;
};
const struct profile_prefill_tab *profile_prefill_table(const struct profile *p);
/* Computes, stores and returns t[i] (lo <= i < n). */
double profile_prefill_fill(struct profile *p, size_t i);

/* Seconds per decode step with `batch` sequences decoding (batch >= 1), in state ps. Every
 * sequence of the batch gets one token per step. */
double profile_decode_step_s(struct profile *p, double batch, int ps);

/* The tabulated decode batches of power-cap state ps: rows[b] for integer b < *n holds
 * profile_decode_step_s(p, b, ps) and profile_node_power_w(p, PROFILE_DECODE, b, ps) exactly
 * as those return them, unless its clamped flag is set (the batch lies outside the measured
 * range): then call the function, which counts the extrapolation. ps out of range: NULL, *n 0.
 * For callers that look a batch up on every event (dc/batch.c). */
struct profile_decode_row {
	double step_s, node_w;
	unsigned char step_clamped, power_clamped;
};
const struct profile_decode_row *profile_decode_rows(const struct profile *p, int ps, int *n);

/* GPU power of the whole replica in a phase, W. batch matters for PROFILE_DECODE only. OFF and
 * SLEEP return 0 (their power is whole-replica, see profile_node_power_w). */
double profile_gpu_power_w(struct profile *p, enum profile_phase ph, double batch, int ps);

/* Whole-replica power (GPUs + host CPU/DRAM share), W: GPU power * (1 + host_frac) for idle,
 * prefill and decode; sleep_power_w and off_power_w for SLEEP and OFF. */
double profile_node_power_w(struct profile *p, enum profile_phase ph, double batch, int ps);

/* KV-cache capacity of the replica in tokens:
 * (n_gpus * gpu_mem_bytes * mem_util - weight_bytes) / kv_bytes_per_token, rounded down. */
double profile_kv_capacity_tokens(const struct profile *p);

/* Wake-up from OFF or SLEEP to IDLE: latency in s, and the energy in J drawn meanwhile (the
 * replica draws idle node power while it boots/loads: assumed). Other phases: 0. */
double profile_wake_s(const struct profile *p, enum profile_phase from);
double profile_wake_energy_j(struct profile *p, enum profile_phase from);

/* Index of the pstate called name, or -1. */
int profile_pstate_find(const struct profile *p, const char *name);

/* Piecewise-linear interpolation helper, exposed for tests: y at x on curve c, in log x when
 * log_x is nonzero; *clamped is set to 1 when x lies outside [x[0], x[n-1]] (n > 1). */
double profile_curve_eval(const struct profile_curve *c, double x, int log_x, int *clamped);

#endif
