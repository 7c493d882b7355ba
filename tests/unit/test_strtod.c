/* test_strtod.c — csv_strtod returns bit for bit what strtod returns, and stops at the same
 * character, for plain decimals (its fast path) and for everything else (its fallback). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "io/csv.h"

static int same(const char *s)
{
	char *e1, *e2;
	double a = strtod(s, &e1), b = csv_strtod(s, &e2);
	int ok = memcmp(&a, &b, sizeof a) == 0 && e1 == e2;

	if (!ok)
		fprintf(stderr, "  csv_strtod(\"%s\") = %.17g (end +%d), strtod %.17g (end +%d)\n", s, b,
			(int)(e2 - s), a, (int)(e1 - s));
	return ok;
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 11;
}

static void test_edge_cases(void)
{
	static const char *const cases[] = {
		"0", "-0", "+0", "1", "-1", "12345", "0.5", ".5", "-.5", "1.", "5.", "3600",
		"31532400", "0.1", "0.2", "0.3", "2.675", "1.005", "123456789012345",
		"1234567890123456", "0.000000000000000000001", "0.0000000000000000000000001",
		"1e5", "1E-3", "0x1p3", "inf", "-nan", "nan", ".", "-", "", "12abc", "1.2.3",
		"9007199254740993", "4503599627370497.5", "1.7976931348623157e308", "1e400",
		"  7", "7 ", "99999999999999.9", "0.12345678901234", "00000000000000000001",
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		bad += !same(cases[i]);
	CHECK_INT(bad, 0);
}

static void test_random_decimals(void)
{
	uint64_t x = 99;
	char buf[64];
	int bad = 0;

	for (int i = 0; i < 300000; i++) {
		int ip = (int)(lcg(&x) % 12), fp = (int)(lcg(&x) % 12), n = 0;
		if (lcg(&x) % 4 == 0)
			buf[n++] = '-';
		for (int k = 0; k < ip; k++)
			buf[n++] = (char)('0' + lcg(&x) % 10);
		if (fp) {
			buf[n++] = '.';
			for (int k = 0; k < fp; k++)
				buf[n++] = (char)('0' + lcg(&x) % 10);
		}
		buf[n] = 0;
		bad += !same(buf);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	RUN(test_edge_cases);
	RUN(test_random_decimals);
	return CHECK_DONE();
}
