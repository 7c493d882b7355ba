/* test_export.c — RFC 4180 quoting and a whole-database export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/export.h"
#include "tests/check.h"
#include "tests/unit/study_fixture.h"

static char tmpdir[] = "/tmp/maasim-export-XXXXXX";

static void quoting(void)
{
	static const char *const in[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "",
					  " spaced " };
	static const char *const out[] = { "plain", "\"a,b\"", "\"say \"\"hi\"\"\"",
					   "\"two\nlines\"", "\"cr\r\"", "", " spaced " };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		struct sbuf b;
		sbuf_init(&b);
		export_csv_field(&b, in[i]);
		CHECK_STR(b.s, out[i]);
		sbuf_fini(&b);
	}
	struct sbuf b;
	sbuf_init(&b);
	export_csv_field(&b, NULL);
	CHECK_STR(b.s, "");
	sbuf_fini(&b);
}

static void whole_db(void)
{
	char db[600], dir[600], p[700];
	int n = -1, code = -1;
	struct err e = { 0 };
	snprintf(db, sizeof db, "%s/study.db", tmpdir);
	snprintf(dir, sizeof dir, "%s/csv/out", tmpdir);
	CHECK_INT(fixture_study(db, 0), 0);
	CHECK_INT(export_db(db, dir, &n, &code, &e), 0);
	CHECK_INT(code, 0);
	CHECK_INT(n, 4); /* metrics, runs, scenarios, timeseries */
	snprintf(p, sizeof p, "%s/runs.csv", dir);
	char *runs = fixture_read_file(p);
	CHECK_HAS(runs, "run_id,scenario,scenario_hash,params,replication,seed,status,version,"
			"started_at,wall_s,message,trial_key\r\n");
	/* params JSON holds quotes: quoted and doubled */
	CHECK_HAS(runs, ",\"{\"\"policies.dispatch\"\":\"\"least_loaded\"\"}\",");
	/* NULL message of an ok run: empty field */
	CHECK_HAS(runs, "\r\n1,demo,h1,{},0,101,ok,0.1-test,2026-11-28T12:00:00Z,1.5,,\r\n");
	free(runs);
	snprintf(p, sizeof p, "%s/scenarios.csv", dir);
	char *sc = fixture_read_file(p);
	CHECK_HAS(sc, "scenario_hash,name,json\r\n");
	CHECK_HAS(sc, "h1,demo,\"{\"\"name\"\":\"\"demo <b>&</b>\"\",");
	free(sc);
	snprintf(p, sizeof p, "%s/timeseries.csv", dir);
	char *ts = fixture_read_file(p);
	CHECK_STR(ts, "run_id,t_s,name,value\r\n"); /* empty table: header only */
	free(ts);
	snprintf(p, sizeof p, "%s/runs.csv.tmp", dir);
	CHECK(access(p, F_OK) != 0);

	char *argv[] = { "export", "/nonexistent/none.db", NULL };
	CHECK_INT(export_main(2, argv), 2);
	char *argv2[] = { "export", NULL };
	CHECK_INT(export_main(1, argv2), 2);
	char *argv3[] = { "export", db, "-o", "/proc/forbidden", NULL };
	CHECK_INT(export_main(4, argv3), 1);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(quoting);
	RUN(whole_db);
	int rc = CHECK_DONE();
	fixture_remove_dir(tmpdir);
	return rc;
}
