/* main.c — the maasim command line: sub-commands, flags, exit codes (CONTRACT.md).
 *
 * Exit codes: 0 success; 1 a run failed or a regression was found; 2 bad usage or bad input;
 * 3 out of memory (xalloc.h).
 * A sub-command is a function int f(int argc, char **argv) with argv[0] its own name, listed
 * once in the commands table below; its --help is its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "analysis/check.h"
#include "analysis/export.h"
#include "analysis/report.h"
#include "cli/cli.h"
#include "engine/xalloc.h"
#include "models/calibrate.h" /* models: maasim calibrate */

/* GSL reports errors through a process-wide handler (default: print and abort). Out of memory
 * inside GSL ends like every other allocation failure (exit 3); any other GSL error is a bug in
 * how maasim called it, reported with GSL's own place and reason before aborting. */
static void gsl_fail(const char *reason, const char *file, int line, int gsl_errno)
{
	if (gsl_errno == GSL_ENOMEM) {
		fprintf(stderr, "maasim: GSL: %s\n", reason);
		xalloc_oom(0);
	}
	fflush(stdout);
	fprintf(stderr, "maasim: internal error in GSL at %s:%d: %s (%s)\n", file, line, reason,
		gsl_strerror(gsl_errno));
	abort();
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "run one scenario (all its replications), write the results database, print a summary" },
	{ "sweep", cmd_sweep, "run a sweep: scenarios x parameter grid x replications, resumable, -j N or mpirun" },
	{ "validate", cmd_validate, "check a scenario and its traces without running it" },
	{ "calibrate", calibrate_main, "run the real model kernels and write a calibration table" },
	{ "list", cmd_list, "list every policy, arrival process, distribution and node profile" },
	/* reports, regression checks and CSV export of a results database (analysis/) */
	{ "report", report_main, "write DIR/report.html and DIR/report.md with figures from a results database" },
	{ "check", check_main, "compare a results database with a baseline; exit 1 on regression" },
	{ "export", export_main, "write every table of a results database as CSV" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: maasim COMMAND [ARGS]   (maasim COMMAND --help for its options)\n\n"
		   "maasim simulates a Model-as-a-Service AI-inference datacenter: requests, nodes,\n"
		   "power, and what serving costs in energy, carbon, water and money.\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n  --help      this text\n  --version   version and build\n\n"
		   "exit codes: 0 success, 1 run failed or regression, 2 bad usage or bad input,\n"
		   "            3 out of memory, 130 interrupted (Ctrl-C, SIGTERM)\n");
}

int main(int argc, char **argv)
{
	/* cJSON allocates through xmalloc: running out of memory there ends cleanly (exit 3) and
	 * fault-injection builds count its allocations (README "Reliability") */
	cJSON_InitHooks(&(cJSON_Hooks){ .malloc_fn = xmalloc, .free_fn = free });
	gsl_set_error_handler(gsl_fail);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		if (argc > 2) {
			fprintf(stderr, "maasim: %s takes no arguments\n", argv[1]);
			return 2;
		}
		printf("maasim %s\n", cli_version());
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "maasim: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
