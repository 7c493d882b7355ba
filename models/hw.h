/* hw.h — this machine: CPU features, CPU model, a monotonic clock, and peak-rate microbenchmarks.
 *
 * Feature detection uses __builtin_cpu_supports, so every kernel picks its path at run time
 * while the library itself is compiled for -march=x86-64-v2. The peak microbenchmarks run
 * chains of independent vector instructions (enough accumulators to cover the latency) on one
 * core and report operations per second: they are this core's measured ceilings, against which
 * the calibration expresses each kernel's share of peak.
 */
#ifndef MAASIM_HW_H
#define MAASIM_HW_H

#include <stddef.h>

struct hw_features {
	int avx2, fma, avx512f, avx512bw, avx512vnni, avx512bf16, avxvnni;
};

/* Fills f from the running CPU. */
void hw_detect(struct hw_features *f);

/* Writes the space-separated list of the features above that are present into buf. */
void hw_flags_string(const struct hw_features *f, char *buf, size_t len);

/* Writes the CPU model name (from /proc/cpuinfo, or "unknown") into buf. */
void hw_cpu_model(char *buf, size_t len);

/* Writes what tells apart CPUs that share a model name ("AMD EPYC" has named both an AVX2-only
 * part with 512 KB of L2 and an AVX-512 one with 1 MB): "family F model M stepping S, cache C,
 * SIMD", the first processor's family, model, stepping and cache size from /proc/cpuinfo ("?"
 * where absent) and its widest SIMD (avx512f, avx2 or "no avx2", from hw_detect). */
void hw_cpu_id(char *buf, size_t len);

/* Monotonic wall-clock seconds. */
double hw_now_s(void);

/* Measured single-core fp32 FMA peak in FLOP/s (AVX2+FMA, 2 FLOP per lane per FMA), run for about
 * budget_s seconds; 0 when the CPU lacks AVX2/FMA. */
double hw_peak_fp32_flops(double budget_s);

/* Measured single-core int8 multiply-accumulate peak in OP/s (2 OP per MAC) of the AVX2 sequence
 * the int8 kernel uses (vpmaddubsw + vpmaddwd + vpaddd); 0 without AVX2. */
double hw_peak_int8_avx2_ops(double budget_s);

/* Same with AVX-512 VNNI (vpdpbusd); 0 when the CPU lacks it. */
double hw_peak_int8_vnni_ops(double budget_s);

/* Measured single-core streaming read bandwidth in bytes/s: the best of repeated AVX2 sums over
 * a buffer of `bytes` (use one far larger than the last-level cache), for about budget_s.
 * 0 without AVX2. The buffer is allocated and freed here. */
double hw_read_bandwidth(size_t bytes, double budget_s);

#endif
