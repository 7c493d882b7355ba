/* stats.h — streaming statistics: tallies, time-weighted tallies, quantile sketches.
 *
 * All are plain, mergeable accumulators with O(1) memory in the number of observations
 * (Cimba's cmb_datasummary/cmb_wtdsummary are the model). The quantile sketch is a log-bucket
 * histogram with relative accuracy alpha = 0.5% (the DDSketch bound, Masson et al., VLDB 2019),
 * indexed without a log(): with x = m 2^e (1 <= m < 2, read from the IEEE-754 bits), the
 * piecewise-linear logarithm L(x) = e + (m - 1) is exact at powers of two, and a value goes to
 * bucket ceil(L(x) / ln(gamma)), gamma = (1 + alpha) / (1 - alpha) (DDSketch's "linearly
 * interpolated" mapping). Since d(ln x)/dL = 1/m <= 1, no bucket is wider than gamma, so the
 * bucket's harmonic midpoint 2 lo hi / (lo + hi) is within alpha of every value in it; the price
 * is 1/ln 2 = 1.44 times more buckets than exact log buckets. Buckets span 1e-7 s .. 1e7 s (so
 * 1 us .. 1 day is well inside); values outside are counted in an underflow or overflow bucket
 * and reported as the observed min or max. Sketches merge by adding counts, so replications
 * pool exactly.
 */
#ifndef MAASIM_STATS_H
#define MAASIM_STATS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Running tally (Welford; merge by Chan et al.): count, mean and variance. No extremes: where
 * they are reported, a quantile sketch of the same values keeps them. */
struct tally {
	uint64_t n;
	double mean, m2;
};

void tally_init(struct tally *t);
/* Adds one observation (inline: it is on every request's path). */
static inline void tally_add(struct tally *t, double x)
{
	double d = x - t->mean;

	t->n++;
	/* n < 2^63: the signed conversion is the same double in one instruction (the unsigned one
	 * takes a branch and several) */
	t->mean += d / (double)(int64_t)t->n;
	t->m2 += d * (x - t->mean);
}

void tally_merge(struct tally *into, const struct tally *from);
double tally_var(const struct tally *t);   /* sample variance, 0 when n < 2 */
double tally_sd(const struct tally *t);

/* Running mean: count and sum, the mean finished when it is read (mtally_mean). For the
 * per-request means on every request's path, whose variance nobody reads: one addition per
 * value instead of Welford's division and two multiplications. The sum is blocked: values add
 * into a block sum that joins the total every MTALLY_BLOCK values, so for values of one sign
 * (waits, latencies) the rounding error of the mean stays below about
 * (MTALLY_BLOCK + n / MTALLY_BLOCK) u relative (u = 2^-53; 4e-10 at 10^10 values), where one
 * running sum's bound grows as n u; Welford's running mean, which this replaced, rounds at
 * every value too (the two differ by about 1e-14 relative on the shipped scenarios). */
#define MTALLY_BLOCK 1024

/* The count is kept as full blocks and a countdown to the next (mtally_n): one decrement and
 * its flag per value, where a count and a test of its low bits took five instructions. */
struct mtally {
	uint64_t blocks;     /* blocks of MTALLY_BLOCK values joined into total */
	uint64_t left;       /* values until the block sum joins the total, 1..MTALLY_BLOCK */
	double block, total; /* the sum of the values is block + total */
};

void mtally_init(struct mtally *m);
/* Adds one observation (inline: it is on every request's path). */
static inline void mtally_add(struct mtally *m, double x)
{
	m->block += x;
	if (__builtin_expect(--m->left == 0, 0)) {
		m->total += m->block;
		m->block = 0;
		m->blocks++;
		m->left = MTALLY_BLOCK;
	}
}

/* The number of values added. */
static inline uint64_t mtally_n(const struct mtally *m)
{
	return m->blocks * MTALLY_BLOCK + (MTALLY_BLOCK - m->left);
}

/* The mean of the values added (0 when there are none: callers test mtally_n). */
static inline double mtally_mean(const struct mtally *m)
{
	uint64_t n = mtally_n(m);

	return n ? (m->total + m->block) / (double)n : 0.0;
}

void mtally_merge(struct mtally *into, const struct mtally *from);

/* Time-weighted tally of a piecewise-constant signal: its mean over time (no extremes: none
 * was ever read, and the signals it follows change on every request). */
struct wtally {
	double t0, t_last, value, area;
};

void wtally_init(struct wtally *w, double t0_s, double value);
/* The signal changes to value at time t_s (>= last change). */
static inline void wtally_set(struct wtally *w, double t_s, double value)
{
	w->area += w->value * (t_s - w->t_last);
	w->t_last = t_s;
	w->value = value;
}

/* Mean over [t0, t_s]. */
double wtally_mean(const struct wtally *w, double t_s);
/* Restarts the average at t_s keeping the current value (warm-up). */
void wtally_reset(struct wtally *w, double t_s);

#define QSKETCH_ALPHA 0.005
#define QSKETCH_MIN 1e-7
#define QSKETCH_MAX 1e7
#define QSKETCH_NB 4655 /* buckets 1 .. 4653 cover QSKETCH_MIN .. QSKETCH_MAX (tests/unit/test_qsketch.c) */

/* The number of values added is not kept (one increment less per value): qsketch_n counts
 * them, scanning the buckets. */
struct qsketch {
	uint64_t under, over;
	double min, max;
	uint64_t *count;     /* QSKETCH_NB buckets (scans read them all: 37 kB, once per report) */
};

void qsketch_init(struct qsketch *q);
void qsketch_fini(struct qsketch *q);
void qsketch_reset(struct qsketch *q);
/* Bucket index internals (inline, for qsketch_add). 1 / log(gamma), gamma = (1 + a) / (1 - a):
 * buckets per unit of the linear log2 L(x). */
#define QSKETCH_MULT 99.99916666111281 /* 1 / log(1.005 / 0.995) */

/* The IEEE-754 bits of x: for x >= +0 they grow with x (a constant after inlining when x is). */
static inline uint64_t qsketch_bits_(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return b;
}

/* L(x) = e + (m - 1) for x = m 2^e, 1 <= m < 2, from x's bits b (x normal and > 0) */
static inline double qsketch_lin_log2_bits_(uint64_t b)
{
	return (double)((int)(b >> 52) - 1023) +
	       (double)(b & 0xfffffffffffffULL) * (1.0 / 4503599627370496.0); /* 2^-52 */
}

static inline double qsketch_lin_log2_(double x)
{
	return qsketch_lin_log2_bits_(qsketch_bits_(x));
}

/* bucket index offset: QSKETCH_MIN lands in bucket 1 (a constant after inlining) */
static inline double qsketch_offset_(void)
{
	return floor(qsketch_lin_log2_(QSKETCH_MIN) * QSKETCH_MULT);
}

/* The bucket of a value whose bits are b, in [QSKETCH_MIN, QSKETCH_MAX]; bucket i holds L(x) in
 * ((i - 1 + off) / MULT, (i + off) / MULT]. Monotone in x (L, the rounded product and ceil
 * all are), so the bucket lies between those of QSKETCH_MIN and QSKETCH_MAX, 1 and
 * QSKETCH_NB - 2 (tests/unit/test_qsketch.c): no clamp is needed. */
static inline uint32_t qsketch_bucket_bits_(uint64_t b)
{
	return (uint32_t)(ceil(qsketch_lin_log2_bits_(b) * QSKETCH_MULT) - qsketch_offset_());
}

static inline uint32_t qsketch_bucket_(double x)
{
	return qsketch_bucket_bits_(qsketch_bits_(x));
}

/* Adds one value (inline: it is on every request's path). */
static inline void qsketch_add(struct qsketch *q, double x)
{
	uint64_t b = qsketch_bits_(x);

	q->min = x < q->min ? x : q->min; /* unconditional stores: no branch */
	q->max = x > q->max ? x : q->max;
	/* x outside [QSKETCH_MIN, QSKETCH_MAX]: two compares of x with constants in memory (fewer
	 * instructions than one unsigned test of its bits, whose bounds are 64-bit immediates) */
	if (__builtin_expect(!(x >= QSKETCH_MIN), 0)) {
		q->under++; /* NaN too, as before */
		return;
	}
	if (__builtin_expect(x > QSKETCH_MAX, 0)) {
		q->over++;
		return;
	}
	q->count[qsketch_bucket_bits_(b)]++;
}

void qsketch_merge(struct qsketch *into, const struct qsketch *from);
/* The number of values added (a scan of the buckets: for reports and tests). */
uint64_t qsketch_n(const struct qsketch *q);
/* The p-quantile (0 <= p <= 1), NAN when empty. */
double qsketch_quantile(const struct qsketch *q, double p);
/* Fraction of values <= x. */
double qsketch_cdf(const struct qsketch *q, double x);

/* Student-t 95% half-width of the mean of n values with sample sd (0 when n < 2). */
double stats_t95_halfwidth(double sd, uint64_t n);
/* Its Student-t 0.975 quantile (n - 1 degrees of freedom; 0 when n < 2): for n >= 2,
 * stats_t95_halfwidth(sd, n) is stats_t95_quantile(n) * sd / sqrt(n), computed in that order. */
double stats_t95_quantile(uint64_t n);

#endif
