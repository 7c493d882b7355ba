/* plot.h — the report's figures: data files and gnuplot scripts written under DIR/plot-data/,
 * PNG images (pngcairo) written to DIR/, gnuplot run once per figure.
 *
 * A figure is drawn only when its data are in the database; otherwise it is listed as skipped
 * with the reason (no fake data). Text that comes from the database (point labels, series names)
 * reaches gnuplot either in data files (tabs, newlines and double quotes replaced) or inside
 * single-quoted script strings through plot_gp_quote: gnuplot expands backquotes (shell commands)
 * in double-quoted strings but nothing in single-quoted ones. gnuplot is started with fork/exec,
 * the script's path as its argument, in DIR, never through a shell.
 */
#ifndef MAASIM_PLOT_H
#define MAASIM_PLOT_H

#include <stddef.h>

#include "analysis/sbuf.h"
#include "analysis/study.h"
#include "engine/err.h"
#include "io/store.h"

struct plot_fig {
	char *file;    /* image file name inside DIR, e.g. "fig_power.png" */
	char *title;
	char *caption; /* what is shown and where the numbers come from (plain text) */
};

struct plot_skip {
	char *title;
	char *reason;
};

struct plot_list {
	struct plot_fig *figs;
	size_t n, cap;
	struct plot_skip *skips;
	size_t n_skips, cap_skips;
};

void plot_list_init(struct plot_list *l);
void plot_list_fini(struct plot_list *l);

/* Appends s to b as a single-quoted gnuplot string: ' doubled, control characters (newlines
 * would end the command) replaced by spaces. */
void plot_gp_quote(struct sbuf *b, const char *s);

/* Runs `gnuplot SCRIPT` with DIR as working directory, stdout and stderr to LOG (both relative to
 * DIR). Returns 0 when gnuplot exits 0, else -1 with e (not found, failed, killed). */
int plot_run(const char *gnuplot, const char *dir, const char *script, const char *log,
	     struct err *e);

/* Draws every figure whose data exist, comparing points against the baseline point base, with
 * level (e.g. 0.95) intervals. gnuplot is the program to run (NULL: "gnuplot"). Figures go to
 * out; a figure that cannot be drawn (no data, gnuplot missing or failing) goes to out's skips.
 * Returns -1 with e only when a file cannot be written or the database query fails. */
int plot_all(struct store *s, const struct study *st, size_t base, double level, const char *dir,
	     const char *gnuplot, struct plot_list *out, struct err *e);

#endif
