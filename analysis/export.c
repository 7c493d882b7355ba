/* export.c — results database tables as RFC 4180 CSV (export.h).
 *
 * Tables are listed from sqlite_master; identifiers cannot be bound as parameters, so a table
 * name is put in the query double-quoted with its quotes doubled (SQL's own identifier quoting).
 * Rows stream straight to the file: a year-long time series never sits in memory.
 */
#include "analysis/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/xalloc.h"
#include "io/store.h"

void export_csv_field(struct sbuf *b, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		sbuf_add(b, s);
		return;
	}
	sbuf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_addc(b, '"');
		sbuf_addc(b, *s);
	}
	sbuf_addc(b, '"');
}

struct csv_out {
	FILE *f;
	struct sbuf line;
	int failed;
};

static int csv_row(void *ctx, int n, const char *const *v, const char *const *cols)
{
	struct csv_out *o = ctx;
	(void)cols;
	o->line.len = 0;
	o->line.s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_addc(&o->line, ',');
		export_csv_field(&o->line, v[i]);
	}
	sbuf_add(&o->line, "\r\n");
	if (fwrite(o->line.s, 1, o->line.len, o->f) != o->line.len) {
		o->failed = 1;
		return 1;
	}
	return 0;
}

static int export_table(struct store *s, const char *table, const char *dir, struct err *e)
{
	struct store_strings cols = { 0 };
	struct sbuf path, tmp, sql;
	struct csv_out o = { 0 };
	int rc = -1;

	sbuf_init(&path);
	sbuf_init(&tmp);
	sbuf_init(&sql);
	sbuf_init(&o.line);
	sbuf_addf(&path, "%s/", dir);
	for (const char *c = table; *c; c++) /* a file name from the table name */
		sbuf_addc(&path, (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
					 (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'
				 ? *c
				 : '_');
	sbuf_add(&path, ".csv");
	sbuf_addf(&tmp, "%s.tmp", path.s);
	if (store_query_column(s, "SELECT name FROM pragma_table_info(?)", &table, 1, &cols, e))
		goto out;
	if (!(o.f = fopen(tmp.s, "w"))) {
		err_set(e, "%s: cannot write: %s", tmp.s, strerror(errno));
		goto out;
	}
	/* the header, through the same quoting as the rows */
	if (cols.n)
		csv_row(&o, (int)cols.n, (const char *const *)cols.v, NULL);
	sbuf_add(&sql, "SELECT * FROM \"");
	for (const char *c = table; *c; c++) {
		if (*c == '"')
			sbuf_addc(&sql, '"');
		sbuf_addc(&sql, *c);
	}
	sbuf_add(&sql, "\"");
	if (store_query(s, sql.s, NULL, 0, csv_row, &o, e) && !o.failed)
		goto out;
	if (o.failed || fclose(o.f)) {
		o.f = NULL;
		err_set(e, "%s: cannot write: %s", tmp.s, strerror(errno));
		goto out;
	}
	o.f = NULL;
	if (rename(tmp.s, path.s)) {
		err_set(e, "%s: cannot write: %s", path.s, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (o.f)
		fclose(o.f);
	if (rc)
		remove(tmp.s);
	store_strings_fini(&cols);
	sbuf_fini(&path);
	sbuf_fini(&tmp);
	sbuf_fini(&sql);
	sbuf_fini(&o.line);
	return rc;
}

int export_db(const char *db, const char *dir, int *n_tables, int *exit_code, struct err *e)
{
	struct store *s;
	struct store_strings t = { 0 };
	int rc = -1;

	*n_tables = 0;
	*exit_code = 2;
	if (!(s = store_open(db, STORE_READONLY, e)))
		return -1;
	if (store_query_column(s, "SELECT name FROM sqlite_master WHERE type IN ('table','view') AND"
			       " name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name", NULL, 0, &t, e))
		goto out;
	*exit_code = 1;
	{
		/* create dir and its parents */
		char *p = xstrdup(dir);
		for (char *q = p + 1; *q; q++)
			if (*q == '/') {
				*q = '\0';
				mkdir(p, 0755);
				*q = '/';
			}
		struct stat sb;
		if ((mkdir(p, 0755) && errno != EEXIST) || stat(p, &sb) || !S_ISDIR(sb.st_mode)) {
			err_set(e, "%s: cannot create directory: %s", dir, strerror(errno));
			free(p);
			goto out;
		}
		free(p);
	}
	for (size_t i = 0; i < t.n; i++) {
		if (export_table(s, t.v[i], dir, e))
			goto out;
		(*n_tables)++;
	}
	*exit_code = 0;
	rc = 0;
out:
	store_strings_fini(&t);
	store_close(s);
	return rc;
}

static const char export_usage[] =
	"usage: maasim export DB [-o DIR]\n"
	"  Writes every table of the results database DB as DIR/<table>.csv (RFC 4180: header\n"
	"  line, CRLF line ends, quoted fields where needed). DIR defaults to results/export.\n";

int export_main(int argc, char **argv)
{
	const char *db = NULL, *dir = "results/export";
	struct err e = { 0 };
	int n, code;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(export_usage, stdout);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && i + 1 < argc) {
			dir = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "maasim export: unknown or incomplete option '%s'\n%s", a,
				export_usage);
			return 2;
		} else if (!db) {
			db = a;
		} else {
			fprintf(stderr, "maasim export: one database only, got '%s' too\n%s", a,
				export_usage);
			return 2;
		}
	}
	if (!db) {
		fprintf(stderr, "maasim export: which database?\n%s", export_usage);
		return 2;
	}
	if (export_db(db, dir, &n, &code, &e)) {
		fprintf(stderr, "maasim export: %s\n", e.msg);
		return code;
	}
	printf("export: %d table%s as CSV in %s/\n", n, n == 1 ? "" : "s", dir);
	return 0;
}
