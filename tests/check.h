/* check.h — the unit-test harness: checks that print both values, and a summary line.
 *
 * One test binary per tests/unit/test_*.c. Each file defines test functions and lists them in
 * main() with RUN(fn). A check that fails prints file:line, the expression and both values and
 * the test goes on (the count of failed checks decides). The binary ends by printing
 * "N passed, N failed" where N counts test functions, and exits 1 if any failed; tests/run.sh
 * adds up the lines of every binary and script.
 */
#ifndef MAASIM_CHECK_H
#define MAASIM_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failed_checks;     /* in the current test function */
static int check_tests_passed, check_tests_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		check_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} } while (0)

#define CHECK_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ != check_b_) { \
		check_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, \
			#a, #b, check_a_, check_b_); \
	} } while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
		check_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
			#a, #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
	} } while (0)

/* a contains b as a substring */
#define CHECK_HAS(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (!check_a_ || !strstr(check_a_, check_b_)) { \
		check_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
			__LINE__, check_a_ ? check_a_ : "(null)", check_b_); \
	} } while (0)

/* |a - b| <= rel * max(|a|, |b|) + abs_tol */
#define CHECK_NEAR(a, b, rel, abs_tol) do { \
	double check_a_ = (double)(a), check_b_ = (double)(b); \
	double check_m_ = fabs(check_a_) > fabs(check_b_) ? fabs(check_a_) : fabs(check_b_); \
	if (!(fabs(check_a_ - check_b_) <= (rel) * check_m_ + (abs_tol))) { \
		check_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s ~ %s: %.12g vs %.12g (rel %.3g, abs %.3g)\n", \
			__FILE__, __LINE__, #a, #b, check_a_, check_b_, (double)(rel), \
			(double)(abs_tol)); \
	} } while (0)

#define RUN(fn) do { \
	check_failed_checks = 0; \
	fn(); \
	if (check_failed_checks) { \
		check_tests_failed++; \
		fprintf(stderr, "FAIL %s\n", #fn); \
	} else { \
		check_tests_passed++; \
		printf("ok   %s\n", #fn); \
	} } while (0)

#define CHECK_DONE() ( \
	printf("%d passed, %d failed\n", check_tests_passed, check_tests_failed), \
	check_tests_failed ? 1 : 0)

#endif
