/* test_repstats.c — t quantiles, intervals, paired comparisons and the params label reader. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/repstats.h"
#include "analysis/study.h"
#include "tests/check.h"

/* Student-t quantiles from standard tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2). */
static void t_quantiles(void)
{
	CHECK_NEAR(repstats_tquantile(0.975, 1), 12.706, 0, 5e-4);
	CHECK_NEAR(repstats_tquantile(0.975, 4), 2.776, 0, 5e-4);
	CHECK_NEAR(repstats_tquantile(0.975, 9), 2.262, 0, 5e-4);
	CHECK_NEAR(repstats_tquantile(0.975, 30), 2.042, 0, 5e-4);
	CHECK_NEAR(repstats_tquantile(0.95, 10), 1.812, 0, 5e-4);
}

/* 1..5: mean 3, sd sqrt(2.5), 95% half-width 2.776445 * 1.581139 / sqrt(5) = 1.963243 */
static void known_interval(void)
{
	double x[] = { 1, 2, 3, 4, 5 };
	struct repstats_summary s = repstats_summarize(x, 5, 0.95);
	CHECK_INT(s.n, 5);
	CHECK_NEAR(s.mean, 3, 1e-15, 0);
	CHECK_NEAR(s.sd, 1.5811388300841898, 1e-12, 0);
	CHECK_NEAR(s.half, 1.963243, 1e-6, 0);
}

static void too_few_values(void)
{
	double x[] = { 7 };
	struct repstats_summary s = repstats_summarize(x, 1, 0.95);
	CHECK_NEAR(s.mean, 7, 0, 0);
	CHECK(isnan(s.sd));
	CHECK(isnan(s.half));
	s = repstats_summarize(x, 0, 0.95);
	CHECK(isnan(s.mean));
}

/* d = {1,1,0,1}: mean 0.75, sd 0.5, t(0.975,3) = 3.182446 -> half 0.795612, interval contains 0;
 * t statistic 3 on 3 dof -> two-sided p = 0.0577. Relative change 11.5/10.75 - 1 = 0.069767,
 * delta-method half-width 0.076819 (computed independently from the same definition). */
static void paired_compare(void)
{
	double x[] = { 10, 12, 11, 13 }, y[] = { 9, 11, 11, 12 };
	struct repstats_paired c = repstats_compare(x, y, 4, 0.95);
	CHECK_NEAR(c.diff.mean, 0.75, 1e-12, 0);
	CHECK_NEAR(c.diff.sd, 0.5, 1e-12, 0);
	CHECK_NEAR(c.diff.half, 0.795612, 1e-5, 0);
	CHECK_NEAR(c.p_value, 0.0577, 0, 5e-4);
	CHECK_INT(c.significant, 0);
	CHECK_NEAR(c.rel, 0.0697674418604650, 1e-12, 0);
	CHECK_NEAR(c.rel_half, 0.0768190338555259, 1e-6, 0);
}

static void paired_significant(void)
{
	double x[] = { 77, 78.1, 79.2 }, y[] = { 100, 101, 102 };
	struct repstats_paired c = repstats_compare(x, y, 3, 0.95);
	CHECK_INT(c.significant, 1);
	CHECK(c.p_value < 0.001);
	CHECK(c.rel < -0.2 && c.rel > -0.25);
	/* identical series: difference exactly 0, not significant, p = 1 */
	c = repstats_compare(y, y, 3, 0.95);
	CHECK_INT(c.significant, 0);
	CHECK_NEAR(c.p_value, 1, 0, 0);
	CHECK_NEAR(c.rel, 0, 0, 0);
}

static void params_label(void)
{
	char *l = study_params_label("{\"policies.dispatch\":\"least_loaded\", \"n\": 5}");
	CHECK_STR(l, "policies.dispatch=least_loaded, n=5");
	free(l);
	l = study_params_label(" { } ");
	CHECK_STR(l, "");
	free(l);
	l = study_params_label("{\"a\":{\"b\":[1,\"}\"]},\"q\":\"x\\\"y\"}");
	CHECK_STR(l, "a={\"b\":[1,\"}\"]}, q=x\"y");
	free(l);
	l = study_params_label("{\"a\":1,}"); /* not JSON: shown verbatim */
	CHECK_STR(l, "{\"a\":1,}");
	free(l);
	l = study_params_label("solar=500");
	CHECK_STR(l, "solar=500");
	free(l);
}

/* Mutated params texts: the label reader always returns a string (the text itself when it is
 * not a flat object) and never reads past the end (checked under SAN=1). */
static void params_label_mutations(void)
{
	const char *good = "{\"policies.dispatch\":\"least_loaded\",\"a\":[1,{\"b\":\"}\"}],\"n\":5}";
	const char alphabet[] = "{}[]\",:\\ ntu0a";
	unsigned long long x = 99;
	size_t len = strlen(good);
	int bad = 0;
	for (int it = 0; it < 3000; it++) {
		char buf[128];
		memcpy(buf, good, len + 1);
		size_t n = len;
		for (int k = 0; k < 3; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t pos = (size_t)(x >> 33) % n;
			if ((x >> 12) % 2) {
				buf[pos] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
			} else {
				memmove(buf + pos, buf + pos + 1, n - pos);
				n--;
			}
		}
		char *l = study_params_label(buf);
		bad += l == NULL || strlen(l) > 2 * n + 2;
		free(l);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	RUN(t_quantiles);
	RUN(known_interval);
	RUN(too_few_values);
	RUN(paired_compare);
	RUN(paired_significant);
	RUN(params_label);
	RUN(params_label_mutations);
	return CHECK_DONE();
}
