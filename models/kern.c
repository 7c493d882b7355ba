/* kern.c — the dense BLAS layer over OpenBLAS (see kern.h). */
#include "models/kern.h"

#include <cblas.h>
#include <dlfcn.h>

#include "models/hw.h"

void kern_sgemm_nt(int b, int n, int k, float alpha, const float *x, int ldx, const float *w,
		   int ldw, float beta, float *y, int ldy)
{
	/* OpenBLAS 0.3.21 runs a one-row GEMM through the full packing GEMM path (GEMV forwarding
	 * arrived in 0.3.27); a serving stack decodes one token with GEMV, so dense does too */
	if (b == 1) {
		cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, alpha, w, ldw, x, 1, beta, y, 1);
		return;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, n, k, alpha, x, ldx, w, ldw, beta,
		    y, ldy);
}

void kern_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
		const float *bm, int ldb, float beta, float *c, int ldc)
{
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		    m, n, k, alpha, a, lda, bm, ldb, beta, c, ldc);
}

void kern_set_threads(int n)
{
	openblas_set_num_threads(n);
}

int kern_threads(void)
{
	return openblas_get_num_threads();
}

const char *kern_blas_config(void)
{
	return openblas_get_config();
}

const char *kern_blas_core(void)
{
	return openblas_get_corename();
}

typedef void (*sbgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint,
			  blasint, blasint, float, const unsigned short *, blasint,
			  const unsigned short *, blasint, float, float *, blasint);

static sbgemm_fn sbgemm_lookup(void)
{
	sbgemm_fn f;
	void *p = dlsym(RTLD_DEFAULT, "cblas_sbgemm");

	/* object-to-function pointer conversion through memcpy-free union is not ISO C; POSIX
	 * guarantees dlsym results convert, so copy the bits */
	__builtin_memcpy(&f, &p, sizeof f);
	return f;
}

int kern_sbgemm_available(const char **why)
{
	struct hw_features hf;

	hw_detect(&hf);
	if (!sbgemm_lookup()) {
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
	sbgemm_fn f = sbgemm_lookup();

	if (!f || !kern_sbgemm_available(NULL))
		return -1;
	f(CblasRowMajor, CblasNoTrans, CblasTrans, b, n, k, 1.0f, x, k, w, k, 0.0f, y, n);
	return 0;
}
