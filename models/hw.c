/* hw.c — CPU features, model name, clock and peak microbenchmarks (see hw.h). */
#include "models/hw.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/xalloc.h"

void hw_detect(struct hw_features *f)
{
	__builtin_cpu_init();
	memset(f, 0, sizeof *f);
	f->avx2 = __builtin_cpu_supports("avx2") != 0;
	f->fma = __builtin_cpu_supports("fma") != 0;
	f->avx512f = __builtin_cpu_supports("avx512f") != 0;
	f->avx512bw = __builtin_cpu_supports("avx512bw") != 0;
	f->avx512vnni = __builtin_cpu_supports("avx512vnni") != 0;
	f->avx512bf16 = __builtin_cpu_supports("avx512bf16") != 0;
	/* GCC 12 has no "avxvnni" name for __builtin_cpu_supports; read CPUID.(7,1):EAX[4] */
	{
		unsigned a = 0, b = 0, c = 0, d = 0;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		if (a >= 7) {
			__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(1));
			f->avxvnni = (a >> 4) & 1u;
		}
	}
}

void hw_flags_string(const struct hw_features *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s", f->avx2 ? "avx2 " : "", f->fma ? "fma " : "",
		 f->avx512f ? "avx512f " : "", f->avx512bw ? "avx512bw " : "",
		 f->avx512vnni ? "avx512vnni " : "", f->avx512bf16 ? "avx512bf16 " : "",
		 f->avxvnni ? "avxvnni " : "");
	size_t n = strlen(buf);
	if (n && buf[n - 1] == ' ')
		buf[n - 1] = '\0';
}

void hw_cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *fp = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, "model name", 10) == 0) {
			char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				p[strcspn(p, "\n")] = '\0';
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	}
	fclose(fp);
}

void hw_cpu_id(char *buf, size_t len)
{
	char line[512], fam[16] = "?", mod[16] = "?", step[16] = "?", cache[32] = "?";
	static const char *const keys[] = { "cpu family", "model\t", "stepping", "cache size" };
	char *const vals[] = { fam, mod, step, cache };
	const size_t sizes[] = { sizeof fam, sizeof mod, sizeof step, sizeof cache };
	struct hw_features f;
	FILE *fp = fopen("/proc/cpuinfo", "r");

	while (fp && fgets(line, sizeof line, fp) && line[0] != '\n') { /* the first processor */
		const char *v = strchr(line, ':');
		if (!v)
			continue;
		v += v[1] == ' ' ? 2 : 1;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				snprintf(vals[i], sizes[i], "%.*s", (int)strcspn(v, "\n"), v);
	}
	if (fp)
		fclose(fp);
	hw_detect(&f);
	snprintf(buf, len, "family %s model %s stepping %s, cache %s, %s", fam, mod, step, cache,
		 f.avx512f ? "avx512f" : f.avx2 ? "avx2" : "no avx2");
}

double hw_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The chains below must stay independent in the compiled code: chains that start equal and
 * apply the same operations compute the same values, and GCC 12 merges them (objdump: with equal
 * starts fma_chain ran 5 FMAs per iteration instead of the 12 it counted, vnni_chain 1
 * vpdpbusd instead of 10, int8_chain 4 vpmaddubsw instead of 8). The peaks were overstated by
 * less than those ratios, the merged loops running nearer their latency bound: on the AVX-512
 * machine of 2026-11-29 the FMA peak fell from 175.3 to 117.2 GFLOP/s and the VNNI peak from
 * 1149.9 to 468.8 GOP/s when the chains were made independent. Each accumulator therefore starts
 * at its own value, and no two int8 steps share their inputs. */

/* 12 independent accumulators: covers FMA latency 4-5 cycles x 2 pipes on current x86 cores */
__attribute__((target("avx2,fma"))) static double fma_chain(long iters)
{
	__m256 a0 = _mm256_set1_ps(1.00f), a1 = _mm256_set1_ps(1.01f), a2 = _mm256_set1_ps(1.02f);
	__m256 a3 = _mm256_set1_ps(1.03f), a4 = _mm256_set1_ps(1.04f), a5 = _mm256_set1_ps(1.05f);
	__m256 a6 = _mm256_set1_ps(1.06f), a7 = _mm256_set1_ps(1.07f), a8 = _mm256_set1_ps(1.08f);
	__m256 a9 = _mm256_set1_ps(1.09f), a10 = _mm256_set1_ps(1.10f), a11 = _mm256_set1_ps(1.11f);
	const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);

	for (long i = 0; i < iters; i++) {
		a0 = _mm256_fmadd_ps(a0, m, c); a1 = _mm256_fmadd_ps(a1, m, c);
		a2 = _mm256_fmadd_ps(a2, m, c); a3 = _mm256_fmadd_ps(a3, m, c);
		a4 = _mm256_fmadd_ps(a4, m, c); a5 = _mm256_fmadd_ps(a5, m, c);
		a6 = _mm256_fmadd_ps(a6, m, c); a7 = _mm256_fmadd_ps(a7, m, c);
		a8 = _mm256_fmadd_ps(a8, m, c); a9 = _mm256_fmadd_ps(a9, m, c);
		a10 = _mm256_fmadd_ps(a10, m, c); a11 = _mm256_fmadd_ps(a11, m, c);
		__asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3));
	}
	__m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
				 _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
	s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
	float out[8];
	_mm256_storeu_ps(out, s);
	return (double)out[0];
}

/* the int8 kernel's inner step: maddubs (u8 x s8 -> s16 pairs), madd with ones (-> s32), add;
 * 4 opaque copies of u times 2 weight vectors give 8 distinct steps per iteration */
__attribute__((target("avx2"))) static int int8_chain(long iters)
{
	const __m256i u = _mm256_set1_epi8(3), s = _mm256_set1_epi8(-2), s2 = _mm256_set1_epi8(-3);
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
		a7 = a0;

	for (long i = 0; i < iters; i++) {
		__m256i u0 = u, u1 = u, u2 = u, u3 = u;
		__asm__ volatile("" : "+x"(u0), "+x"(u1), "+x"(u2), "+x"(u3));
		a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_maddubs_epi16(u0, s), ones));
		a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_maddubs_epi16(u1, s), ones));
		a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_maddubs_epi16(u2, s), ones));
		a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_maddubs_epi16(u3, s), ones));
		a4 = _mm256_add_epi32(a4, _mm256_madd_epi16(_mm256_maddubs_epi16(u0, s2), ones));
		a5 = _mm256_add_epi32(a5, _mm256_madd_epi16(_mm256_maddubs_epi16(u1, s2), ones));
		a6 = _mm256_add_epi32(a6, _mm256_madd_epi16(_mm256_maddubs_epi16(u2, s2), ones));
		a7 = _mm256_add_epi32(a7, _mm256_madd_epi16(_mm256_maddubs_epi16(u3, s2), ones));
	}
	__m256i t = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(a0, a1),
						      _mm256_add_epi32(a2, a3)),
				     _mm256_add_epi32(_mm256_add_epi32(a4, a5),
						      _mm256_add_epi32(a6, a7)));
	return _mm256_extract_epi32(t, 0);
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) static int vnni_chain(long iters)
{
	const __m512i u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-2);
	__m512i a0 = _mm512_set1_epi32(0), a1 = _mm512_set1_epi32(1), a2 = _mm512_set1_epi32(2);
	__m512i a3 = _mm512_set1_epi32(3), a4 = _mm512_set1_epi32(4), a5 = _mm512_set1_epi32(5);
	__m512i a6 = _mm512_set1_epi32(6), a7 = _mm512_set1_epi32(7), a8 = _mm512_set1_epi32(8);
	__m512i a9 = _mm512_set1_epi32(9);

	for (long i = 0; i < iters; i++) {
		a0 = _mm512_dpbusd_epi32(a0, u, s); a1 = _mm512_dpbusd_epi32(a1, u, s);
		a2 = _mm512_dpbusd_epi32(a2, u, s); a3 = _mm512_dpbusd_epi32(a3, u, s);
		a4 = _mm512_dpbusd_epi32(a4, u, s); a5 = _mm512_dpbusd_epi32(a5, u, s);
		a6 = _mm512_dpbusd_epi32(a6, u, s); a7 = _mm512_dpbusd_epi32(a7, u, s);
		a8 = _mm512_dpbusd_epi32(a8, u, s); a9 = _mm512_dpbusd_epi32(a9, u, s);
	}
	__m512i t = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1),
						      _mm512_add_epi32(a2, a3)),
				     _mm512_add_epi32(_mm512_add_epi32(a4, a5),
						      _mm512_add_epi32(a6, a7)));
	t = _mm512_add_epi32(t, _mm512_add_epi32(a8, a9));
	/* lane 0, as int8_chain: the value only keeps the chain alive. _mm512_reduce_add_epi32
	 * adds the lanes as C ints, which overflows (undefined; UBSan stops calibrate) once the
	 * wrapping accumulators have grown large */
	return _mm_cvtsi128_si32(_mm512_castsi512_si128(t));
}

/* Runs chain(iters) growing iters until one call takes >= budget/4, then keeps the best rate of
 * a few calls (the best, not the median: a peak is an upper bound, and noise from other
 * processes only ever slows a run down). */
static double best_rate(double (*run)(long), double ops_per_iter, double budget_s)
{
	long iters = 1000;
	double best = 0, t0 = hw_now_s();
	volatile double sink; /* keeps the chains' results alive */

	for (;;) {
		double t = hw_now_s();
		sink = run(iters);
		double dt = hw_now_s() - t;
		if (dt >= budget_s / 8 || iters > (1L << 40))
			break;
		iters *= 2;
	}
	do {
		double t = hw_now_s();
		sink = run(iters);
		double dt = hw_now_s() - t;
		double r = ops_per_iter * (double)iters / dt;
		if (r > best)
			best = r;
	} while (hw_now_s() - t0 < budget_s);
	(void)sink;
	return best;
}

static double run_fma(long iters)
{
	return fma_chain(iters);
}

static double run_int8(long iters)
{
	return (double)int8_chain(iters);
}

static double run_vnni(long iters)
{
	return (double)vnni_chain(iters);
}

double hw_peak_fp32_flops(double budget_s)
{
	struct hw_features f;
	hw_detect(&f);
	if (!f.avx2 || !f.fma)
		return 0;
	return best_rate(run_fma, 12.0 * 8 * 2, budget_s); /* 12 FMAs x 8 lanes x 2 FLOP */
}

double hw_peak_int8_avx2_ops(double budget_s)
{
	struct hw_features f;
	hw_detect(&f);
	if (!f.avx2)
		return 0;
	return best_rate(run_int8, 8.0 * 32 * 2, budget_s); /* 8 steps x 32 MAC x 2 OP */
}

double hw_peak_int8_vnni_ops(double budget_s)
{
	struct hw_features f;
	hw_detect(&f);
	if (!f.avx512vnni)
		return 0;
	return best_rate(run_vnni, 10.0 * 64 * 2, budget_s); /* 10 dpbusd x 64 MAC x 2 OP */
}

__attribute__((target("avx2"))) static double sum_read(const float *a, size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
	for (size_t i = 0; i + 32 <= n; i += 32) {
		s0 = _mm256_add_ps(s0, _mm256_load_ps(a + i));
		s1 = _mm256_add_ps(s1, _mm256_load_ps(a + i + 8));
		s2 = _mm256_add_ps(s2, _mm256_load_ps(a + i + 16));
		s3 = _mm256_add_ps(s3, _mm256_load_ps(a + i + 24));
	}
	float out[8];
	_mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	return (double)out[0];
}

double hw_read_bandwidth(size_t bytes, double budget_s)
{
	struct hw_features f;
	hw_detect(&f);
	if (!f.avx2)
		return 0;
	size_t n = bytes / sizeof(float) / 32 * 32;
	char *raw = xmalloc(n * sizeof(float) + 64);
	float *a = (float *)(void *)(raw + (64 - ((size_t)raw & 63)) % 64);
	for (size_t i = 0; i < n; i++)
		a[i] = 1e-3f;
	double best = 0, t0 = hw_now_s();
	volatile double sink;
	do {
		double t = hw_now_s();
		sink = sum_read(a, n);
		double r = (double)(n * sizeof(float)) / (hw_now_s() - t);
		best = r > best ? r : best;
	} while (hw_now_s() - t0 < budget_s);
	(void)sink;
	free(raw);
	return best;
}
