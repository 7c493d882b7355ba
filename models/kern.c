/* kern.c — the dense BLAS layer over OpenBLAS (see kern.h).
 *
 * OpenBLAS (and LAPACKE, for the low-rank SVD) are opened with dlopen on first use instead of
 * being linked: only `maasim calibrate` multiplies matrices, and a linked OpenBLAS starts its
 * thread pool when the process loads, whose worker then spins for a while on the other core
 * (about 25 ms of CPU at every start of every `maasim` command, measured by wait4 in make
 * bench), besides the loader's work for the two libraries and their dependencies. Calibration
 * runs on one thread (kern_set_threads(1)), so the library is opened with OPENBLAS_NUM_THREADS=1
 * unless the environment sets it: no pool is started at all.
 */
#include "models/kern.h"

#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hw.h"

typedef void (*sbgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint,
			  blasint, blasint, float, const unsigned short *, blasint,
			  const unsigned short *, blasint, float, float *, blasint);

/* The library's entry points, typed as its headers declare them. */
static struct {
	__typeof__(&cblas_sgemm) sgemm;
	__typeof__(&cblas_sgemv) sgemv;
	__typeof__(&openblas_set_num_threads) set_threads;
	__typeof__(&openblas_get_num_threads) get_threads;
	__typeof__(&openblas_get_config) config;
	__typeof__(&openblas_get_corename) corename;
	__typeof__(&LAPACKE_sgesdd) sgesdd;
	sbgemm_fn sbgemm; /* NULL when the library does not export it */
	char why[512];    /* non-empty: loading failed */
} blas;
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

/* *fp = the address of name in h (POSIX guarantees a dlsym result converts to a function
 * pointer; the bits are copied, as ISO C has no such conversion). 0, or -1 with why set. */
static int sym(void *h, const char *lib, const char *name, void *fp, size_t size)
{
	void *p = h ? dlsym(h, name) : NULL;

	if (!p) {
		snprintf(blas.why, sizeof blas.why, "%s does not export %s", lib, name);
		return -1;
	}
	memcpy(fp, &p, size);
	return 0;
}

#define SYM(h, lib, name, field) sym(h, lib, #name, &blas.field, sizeof blas.field)

static void blas_open(void)
{
	const char *bl = "libopenblas.so.0", *lk = "liblapacke.so.3";
	void *h, *hl;

#ifdef MAASIM_FAULT
	/* fault builds (make test SAN=1): tests name a library that is not there */
	if (getenv("MAASIM_TEST_BLAS_LIB"))
		bl = getenv("MAASIM_TEST_BLAS_LIB");
#endif

	setenv("OPENBLAS_NUM_THREADS", "1", 0); /* before the library's constructor reads it */
	h = dlopen(bl, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(blas.why, sizeof blas.why, "cannot open %s (OpenBLAS): %s", bl, dlerror());
		return;
	}
	hl = dlopen(lk, RTLD_NOW | RTLD_LOCAL);
	if (!hl) {
		snprintf(blas.why, sizeof blas.why, "cannot open %s (LAPACKE): %s", lk, dlerror());
		return;
	}
	if (SYM(h, bl, cblas_sgemm, sgemm) || SYM(h, bl, cblas_sgemv, sgemv) ||
	    SYM(h, bl, openblas_set_num_threads, set_threads) ||
	    SYM(h, bl, openblas_get_num_threads, get_threads) ||
	    SYM(h, bl, openblas_get_config, config) ||
	    SYM(h, bl, openblas_get_corename, corename) || SYM(hl, lk, LAPACKE_sgesdd, sgesdd))
		return;
	if (SYM(h, bl, cblas_sbgemm, sbgemm)) { /* optional: reported by kern_sbgemm_available */
		blas.sbgemm = NULL;
		blas.why[0] = '\0';
	}
}

int kern_load(const char **why)
{
	pthread_once(&blas_once, blas_open);
	if (blas.why[0]) {
		if (why)
			*why = blas.why;
		return -1;
	}
	return 0;
}

/* The loaded library; callers outside `maasim calibrate` (tests) load it here, and a machine
 * without it is a set-up error reported once. */
static void need(void)
{
	const char *why;

	if (kern_load(&why) != 0) {
		fprintf(stderr, "maasim: %s\n", why);
		abort();
	}
}

void kern_sgemm_nt(int b, int n, int k, float alpha, const float *x, int ldx, const float *w,
		   int ldw, float beta, float *y, int ldy)
{
	need();
	/* OpenBLAS 0.3.21 runs a one-row GEMM through the full packing GEMM path (GEMV forwarding
	 * arrived in 0.3.27); a serving stack decodes one token with GEMV, so dense does too */
	if (b == 1) {
		blas.sgemv(CblasRowMajor, CblasNoTrans, n, k, alpha, w, ldw, x, 1, beta, y, 1);
		return;
	}
	blas.sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, n, k, alpha, x, ldx, w, ldw, beta,
		   y, ldy);
}

void kern_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
		const float *bm, int ldb, float beta, float *c, int ldc)
{
	need();
	blas.sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		   m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc);
}

int kern_sgesdd(int n, int k, float *a, float *s, float *u, int ldu, float *vt, int ldvt)
{
	need();
	return (int)blas.sgesdd(LAPACK_ROW_MAJOR, 'S', n, k, a, k, s, u, ldu, vt, ldvt);
}

void kern_set_threads(int n)
{
	need();
	blas.set_threads(n);
}

int kern_threads(void)
{
	need();
	return blas.get_threads();
}

const char *kern_blas_config(void)
{
	need();
	return blas.config();
}

const char *kern_blas_core(void)
{
	need();
	return blas.corename();
}

int kern_sbgemm_available(const char **why)
{
	struct hw_features hf;

	need();
	hw_detect(&hf);
	if (!blas.sbgemm) {
		if (why)
			*why = "this OpenBLAS does not export cblas_sbgemm (built without "
			       "BUILD_BFLOAT16)";
		return 0;
	}
	if (!hf.avx512bf16) {
		if (why)
			*why = "CPU lacks AVX-512 BF16";
		return 0;
	}
	if (why)
		*why = "";
	return 1;
}

int kern_sbgemm_nt(int b, int n, int k, const unsigned short *x, const unsigned short *w,
		   float *y)
{
	if (!kern_sbgemm_available(NULL))
		return -1;
	blas.sbgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, n, k, 1.0f, x, k, w, k, 0.0f, y, n);
	return 0;
}
