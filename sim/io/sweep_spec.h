/* sweep_spec.h — a sweep file in, the list of its grid points out.
 *
 * A sweep (scenarios/README.md, "Sweeps") names one or more base scenarios, overrides applied to
 * every point ("set"), a grid of scenario paths (Cartesian product of lists), zipped lists that
 * vary together, an optional one-at-a-time sensitivity block ("oat"), a replication count and a
 * named baseline. Loading validates the file completely and expands it into points. A point is a
 * base scenario plus a list of "PATH=JSON" overrides: exactly the strings `maasim run --set`
 * takes, so the scenario loader applies them (nothing here re-implements overrides).
 *
 * Axes. The grid keys, each zip group and the oat block are the axes, in that order, after the
 * base scenarios (axis "scenario", outermost). Points enumerate the axes row-major (the last axis
 * varies fastest). Each axis level carries 0..n overrides; the oat axis has level 0 = centre (no
 * override) and then, per uncertain input, its low and high value.
 *
 * Baseline. Every point has a baseline point: the one at the same levels except on the axes the
 * baseline names ("at": path -> value; the oat axis always at its centre; "scenario" when given).
 * Naming every axis gives one global baseline; naming one (e.g. the policy) compares each point
 * with the baseline policy at the same level of the other factors. Values compare as canonical
 * JSON text (4 and 4.0 are equal).
 *
 * All memory lives in the spec's arena; the cJSON tree never leaves sweep_spec.c.
 */
#ifndef MAASIM_SWEEP_SPEC_H
#define MAASIM_SWEEP_SPEC_H

#include <stddef.h>

#include "engine/arena.h"
#include "engine/err.h"

enum sweep_axis_kind { SWEEP_AXIS_GRID, SWEEP_AXIS_ZIP, SWEEP_AXIS_OAT };

/* One level of an axis: its overrides (paths[i] = values[i], values as compact JSON). */
struct sweep_level {
	size_t n;
	const char **paths, **values;
	const char *label;     /* "dispatch=fifo", "idle_w low", "centre" */
	long oat_input;        /* oat axis: index into spec->oat, -1 for the centre / other axes */
	int oat_side;          /* -1 low, +1 high, 0 centre / other axes */
};

struct sweep_axis {
	enum sweep_axis_kind kind;
	size_t n_levels;
	struct sweep_level *levels;
};

/* One uncertain input of the oat block. */
struct sweep_oat_input {
	const char *name, *path;
	const char *low, *high; /* compact JSON */
};

struct sweep_point {
	size_t scenario;        /* index into spec->scenarios */
	size_t *level;          /* n_axes levels */
	size_t n_sets;
	const char **sets;      /* "PATH=JSON" for scenario_load: spec "set" first, then the axes */
	const char *label;      /* human-readable, unique within the sweep */
	size_t baseline;        /* index of this point's baseline (itself for a baseline point) */
};

struct sweep_spec {
	struct arena arena;
	const char *file, *dir;
	const char *name, *description;
	long replications;
	size_t n_scenarios;
	const char **scenarios;       /* paths resolved against the sweep file's folder */
	const char **scenario_labels; /* file names without folder and ".json" */
	size_t n_fixed;
	const char **fixed;           /* "PATH=JSON" from "set" */
	size_t n_axes;
	struct sweep_axis *axes;
	size_t n_oat;
	struct sweep_oat_input *oat;
	long oat_axis;                /* index of the oat axis, -1 when none */
	const char *baseline_name;
	size_t n_metrics;
	const char **metrics;         /* headline metrics for printed tables (all are stored) */
	size_t n_points;
	struct sweep_point *points;
};

/* Reads, validates and expands the sweep file at path. Returns 0 and *out (free with
 * sweep_spec_free), or -1 with e ("<file>: $.grid.x: expected a non-empty array, got 3").
 * Base scenarios are not loaded here (the caller loads each point with scenario_load). */
int sweep_spec_load(const char *path, struct sweep_spec **out, struct err *e);
void sweep_spec_free(struct sweep_spec *s);

/* Upper bound on the points of one sweep (a typo such as a 1e6-element list fails early). */
#define SWEEP_MAX_POINTS 1000000

#endif
