/* report.h — `maasim report DB [-o DIR]`: the study in a results database as a self-contained
 * HTML page and a Markdown page with PNG figures, for people who read reports, not databases.
 *
 * The report has: an executive summary generated from the statistics (paired comparisons against
 * a baseline configuration, with 95% Student-t intervals; differences that are not significant
 * are said to be so), the table of every metric with intervals, the figures whose data exist (the
 * others are listed as skipped, with why), provenance (what is measured, calibrated, modelled or
 * assumed, from the database's provenance table when it has one) and methods (scenarios,
 * replications, seeds, versions). The HTML embeds its images as base64 data URIs and has no
 * script and no external reference: it opens from a file with no network. Every text that comes
 * from the database is escaped for its destination (HTML, Markdown, gnuplot).
 */
#ifndef MAASIM_REPORT_H
#define MAASIM_REPORT_H

#include <stddef.h>

#include "analysis/sbuf.h"
#include "engine/err.h"

struct report_opts {
	const char *db;       /* results database (opened read-only) */
	const char *out_dir;  /* created if missing */
	const char *baseline; /* label or params text of the baseline point; NULL: the scenario as
			       * written (params "{}") or else the first point */
	const char *gnuplot;  /* program to run; NULL: "gnuplot"; "" : draw no figures */
	double level;         /* interval level; 0 means 0.95 */
};

/* Writes out_dir/report.html, out_dir/report.md, the figures (PNG files in out_dir) and their data and
 * scripts (out_dir/plot-data/). Returns 0, or -1 with e: 2 is the exit status for bad input (no
 * such database, no runs, unknown baseline), 1 for a failure to write; *exit_code receives it. */
int report_write(const struct report_opts *o, int *exit_code, struct err *e);

/* The sub-command: argv[0] is "report". Prints errors to stderr; returns the exit status
 * (0 ok, 1 failure, 2 bad usage or bad input). */
int report_main(int argc, char **argv);

/* Appends s with & < > " ' escaped as HTML entities. */
void report_html_escape(struct sbuf *b, const char *s);

/* Appends s for a Markdown table cell or paragraph: | \ ` * _ [ ] < > & escaped, newlines as
 * spaces. */
void report_md_escape(struct sbuf *b, const char *s);

/* Appends the base64 (RFC 4648, with padding) encoding of p[0..n). */
void report_base64(struct sbuf *b, const unsigned char *p, size_t n);

#endif
