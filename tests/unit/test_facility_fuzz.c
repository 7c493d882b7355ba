/* test_facility_fuzz.c — mutation smoke test of every facility trace reader.
 *
 * Takes the head of each shipped format, applies random byte edits, truncations and line
 * duplications (a fixed-seed generator, so the run is reproducible), and feeds each mutant to
 * its reader. A reader must return 0, or -1 with a message that names the file; never crash,
 * leak or read out of bounds (run under `make test SAN=1` for the memory checks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "dc/series.h"
#include "dc/weather.h"
#include "io/ftrace.h"

#define TR "scenarios/traces/"
static char MUT[128]; /* /tmp/maasim_facility_fuzz_<pid>.csv: parallel builds do not collide */
#define ROUNDS 150

static unsigned long long st = 0x2545F4914F6CDD1DULL;
static unsigned rnd(unsigned n)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return (unsigned)(st % n);
}

/* The first max_lines lines of path, malloc'd. */
static char *head_of(const char *path, int max_lines, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(4 << 20);
	size_t n = 0;
	int lines = 0, ch;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while (n < (4 << 20) - 1 && (ch = fgetc(f)) != EOF) {
		buf[n++] = (char)ch;
		if (ch == '\n' && ++lines >= max_lines)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void mutate_to_file(const char *src, size_t len)
{
	static const char pick[] = ",\n\"-9e.: +ZT\r;x";
	char *b = malloc(len * 2 + 16);
	size_t n = len;
	memcpy(b, src, len);
	int edits = 1 + (int)rnd(6);
	for (int k = 0; k < edits && n > 0; k++) {
		unsigned what = rnd(4), at = rnd((unsigned)n);
		if (what == 0) {
			b[at] = pick[rnd(sizeof pick - 1)];
		} else if (what == 1) {
			memmove(b + at, b + at + 1, n - at - 1);
			n--;
		} else if (what == 2) {
			n = at; /* truncate */
		} else if (n + 64 < len * 2) { /* duplicate a short stretch */
			size_t l = 1 + rnd(40);
			if (at + l > n)
				l = n - at;
			memmove(b + at + l, b + at, n - at);
			n += l;
		}
	}
	FILE *f = fopen(MUT, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	free(b);
}

enum fmt { F_OPENMETEO, F_EPW, F_PVGIS, F_COLUMN, F_PVWATTS, F_WINDPL, F_CURVE, F_FAN, NFMT };

static int read_one(enum fmt k, struct err *e)
{
	struct weather w;
	struct series s;
	struct wind_cfg wc;
	struct cooling_cfg cc;
	double kw;
	int rc;

	weather_init(&w);
	series_init(&s);
	switch (k) {
	case F_OPENMETEO: rc = ftrace_read_openmeteo(MUT, 1, &w, e); break;
	case F_EPW: rc = ftrace_read_epw(MUT, &w, e); break;
	case F_PVGIS: rc = ftrace_read_pvgis(MUT, &w, e); break;
	case F_COLUMN: rc = ftrace_read_column(MUT, "Carbon Intensity gCO\xe2\x82\x82" "eq/kWh (direct)",
					      0, 1, &s, e); break;
	case F_PVWATTS: rc = ftrace_read_pvwatts(MUT, 0, &s, &kw, NULL, NULL, NULL, e); break;
	case F_WINDPL: rc = ftrace_read_windpowerlib(MUT, 100, &w, e); break;
	case F_CURVE:
		wind_cfg_default(&wc);
		snprintf(wc.turbine, sizeof wc.turbine, "E-101/3050");
		rc = ftrace_read_power_curve(MUT, &wc, e);
		break;
	default:
		cooling_cfg_default(&cc);
		rc = ftrace_read_fan_curve(MUT, &cc, e);
		break;
	}
	weather_fini(&w);
	series_fini(&s);
	return rc;
}

static void test_mutated_traces(void)
{
	static const char *const files[NFMT] = {
		TR "openmeteo_DE-LU_2023_hourly.csv", TR "USA_VA_Leesburg.Exec.AP.724055_TMYx.epw",
		TR "pvgis_tmy_45.000N_8.000E_2005_2023.csv", TR "electricitymaps_DE-LU_2023_hourly.csv",
		TR "pvwatts_8760_golden_co_4kw_rackmount.csv", TR "windpowerlib_weather_2010_hourly.csv",
		TR "oedb_wind_turbine_power_curves.csv", TR "greensku_server_fan_power.csv",
	};
	for (int k = 0; k < NFMT; k++) {
		size_t len;
		/* typical-year formats need all 8760 rows to be accepted: mutate whole files */
		int whole = k == F_EPW || k == F_PVGIS || k == F_PVWATTS;
		char *src = head_of(files[k], whole ? 1000000 : 40, &len);
		int ok = 0, bad = 0;
		CHECK(src != NULL);
		if (!src)
			continue;
		for (int r = 0; r < (whole ? ROUNDS / 10 : ROUNDS); r++) {
			struct err e = { 0 };
			mutate_to_file(src, len);
			int rc = read_one((enum fmt)k, &e);
			CHECK(rc == 0 || rc == -1);
			if (rc == 0) {
				ok++;
			} else {
				bad++;
				if (!e.set)
					fprintf(stderr, "  %s round %d: -1 without a message\n", files[k], r);
				CHECK(e.set);
				CHECK_HAS(e.msg, MUT);
			}
		}
		printf("     %-45s %3d accepted, %3d refused with a message\n", files[k] + strlen(TR),
		       ok, bad);
		free(src);
	}
	remove(MUT);
}

static void test_random_times(void)
{
	static const char alphabet[] = "0123456789-:TZ+ .";
	for (int r = 0; r < 2000; r++) {
		char s[32];
		int n = (int)rnd(26);
		for (int i = 0; i < n; i++)
			s[i] = alphabet[rnd(sizeof alphabet - 1)];
		s[n] = '\0';
		double t = 0;
		int rc = ftrace_parse_time(s, 0, &t);
		CHECK(rc == 0 || rc == -1);
		if (rc == 0)
			CHECK(t == t); /* accepted times are numbers */
	}
}

int main(void)
{
	snprintf(MUT, sizeof MUT, "/tmp/maasim_facility_fuzz_%ld.csv", (long)getpid());
	RUN(test_mutated_traces);
	RUN(test_random_times);
	return CHECK_DONE();
}
