/* kern.h — the dense BLAS layer: the only module that includes cblas.h and lapacke.h.
 *
 * Every product in models/ is written in one convention, the one of a linear layer
 * (y = x W^T): activations X are B x K row-major (one row per token), weights W are N x K
 * row-major (one row per output channel), the output Y is B x N row-major. kern_* wraps
 * OpenBLAS's cblas_sgemm in that convention, reports what the library is (version string,
 * the core it dispatched to, OPENBLAS_CORETYPE) and probes for cblas_sbgemm at run time:
 * Debian's OpenBLAS 0.3.21 declares it in cblas.h but is built without BUILD_BFLOAT16, so the
 * symbol is looked up with dlsym and its absence is reported, never linked against.
 * The OpenBLAS thread count is process-wide state owned by the library; kern_set_threads is the
 * one place that touches it (calibration runs on one thread). OpenBLAS and LAPACKE are opened
 * with dlopen on first use, not linked (kern.c): nothing else in maasim needs them.
 */
#ifndef MAASIM_KERN_H
#define MAASIM_KERN_H

#include <stddef.h>

/* Y (B x N) = alpha * X (B x K) * W^T (W: N x K) + beta * Y. Leading dimensions: ldx >= K,
 * ldw >= K, ldy >= N. Single precision, OpenBLAS. */
void kern_sgemm_nt(int b, int n, int k, float alpha, const float *x, int ldx, const float *w,
		   int ldw, float beta, float *y, int ldy);

/* C (M x N) = alpha * op(A) * op(B) + beta * C, row-major; ta/tb non-zero for transposed.
 * A general wrapper for training (gradients need the other transposes). */
void kern_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
		const float *bm, int ldb, float beta, float *c, int ldc);

/* Opens OpenBLAS and LAPACKE (dlopen, once; kern.c says why). Returns 0, or -1 with a static
 * reason in *why when a library or symbol is missing. Every other kern_* opens them on first
 * use and aborts with that reason if it cannot: callers that can report an error (maasim
 * calibrate) call this first. */
int kern_load(const char **why);

/* LAPACKE_sgesdd(row-major, 'S') of A (N x K, lda = K, overwritten): singular values s
 * (min(N, K)), U (N x min, ldu), V^T (min x K, ldvt). Returns LAPACKE's info (0: done). */
int kern_sgesdd(int n, int k, float *a, float *s, float *u, int ldu, float *vt, int ldvt);

/* Sets the number of OpenBLAS threads (process-wide). */
void kern_set_threads(int n);
int kern_threads(void);

/* Describes the BLAS: "OpenBLAS 0.3.21 ... " config string and the core it runs
 * (openblas_get_corename, e.g. "Zen", "Haswell", "Cooperlake"). Static strings, not owned. */
const char *kern_blas_config(void);
const char *kern_blas_core(void);

/* bf16 GEMM through OpenBLAS cblas_sbgemm, when the library exports it and the CPU has
 * AVX-512 BF16. Returns 1 when usable; otherwise 0 and a static reason in *why. */
int kern_sbgemm_available(const char **why);

/* Y = X * W^T with bf16 inputs (uint16_t bit patterns) and fp32 output through cblas_sbgemm.
 * Returns -1 when kern_sbgemm_available() is 0 (nothing written). */
int kern_sbgemm_nt(int b, int n, int k, const unsigned short *x, const unsigned short *w,
		   float *y);

#endif
