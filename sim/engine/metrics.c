/* metrics.c — named results of a run (see metrics.h). Linear lookups: a run has ~100 metrics
 * and they are set once at the end, never on the hot path. */
#include "metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

void metrics_init(struct metrics *ms) { memset(ms, 0, sizeof *ms); }

void metrics_fini(struct metrics *ms)
{
	free(ms->m);
	free(ms->series_names);
	free(ms->pts);
	memset(ms, 0, sizeof *ms);
}

void metrics_reset(struct metrics *ms)
{
	ms->n = 0;
	ms->n_names = 0;
	ms->n_pts = 0;
}

void metrics_set(struct metrics *ms, const char *name, double value, const char *unit)
{
	struct metric *m = NULL;

	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].name, name) == 0)
			m = &ms->m[i];
	if (!m) {
		xgrow((void **)&ms->m, &ms->cap, ms->n + 1, sizeof *ms->m);
		m = &ms->m[ms->n++];
		snprintf(m->name, sizeof m->name, "%s", name);
	}
	snprintf(m->unit, sizeof m->unit, "%s", unit ? unit : "");
	m->value = value;
}

void metrics_setf(struct metrics *ms, double value, const char *unit, const char *fmt, ...)
{
	char name[sizeof ms->m->name];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	metrics_set(ms, name, value, unit);
}

const double *metrics_get(const struct metrics *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].name, name) == 0)
			return &ms->m[i].value;
	return NULL;
}

void metrics_sample(struct metrics *ms, double t_s, const char *name, double value)
{
	size_t id = ms->n_names;

	for (size_t i = 0; i < ms->n_names; i++)
		if (strcmp(ms->series_names[i], name) == 0) {
			id = i;
			break;
		}
	if (id == ms->n_names) {
		xgrow((void **)&ms->series_names, &ms->cap_names, ms->n_names + 1,
		      sizeof *ms->series_names);
		snprintf(ms->series_names[id], sizeof ms->series_names[id], "%s", name);
		ms->n_names++;
	}
	xgrow((void **)&ms->pts, &ms->cap_pts, ms->n_pts + 1, sizeof *ms->pts);
	ms->pts[ms->n_pts++] = (struct series_point){ t_s, value, (unsigned)id };
}

int metrics_check(const struct metrics *ms, struct err *e)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!isfinite(ms->m[i].value))
			return err_set(e, "metric %s is not finite (%g)", ms->m[i].name,
				       ms->m[i].value);
	for (size_t i = 0; i < ms->n_pts; i++)
		if (!isfinite(ms->pts[i].value) || !isfinite(ms->pts[i].t_s))
			return err_set(e, "series %s at t=%g s is not finite",
				       ms->series_names[ms->pts[i].name_id], ms->pts[i].t_s);
	return 0;
}
