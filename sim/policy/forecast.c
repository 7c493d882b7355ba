/* forecast.c — oracle, persistence and noisy forecasters (forecast.h).
 *
 * The noisy forecaster draws its AR(1) errors lazily in step order (z_0, z_1, ... for steps
 * counted from the first one asked for or earlier), so the values do not depend on the order in
 * which a policy asks: step k always gets the k-th draw of its stream.
 */
#include "forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "engine/xalloc.h"

enum fc_kind { FC_ORACLE, FC_PERSISTENCE, FC_NOISY };

static const struct forecast_desc descs[] = {
	{ "oracle", "the true future signal (perfect foresight; the bound on what shifting saves)" },
	{ "persistence", "the value one period (24 h) before the target: same hour yesterday" },
	{ "noisy", "truth x (1 + sigma z), z an AR(1) sequence over the signal's steps (rho)" },
};
#define N_DESCS (sizeof descs / sizeof descs[0])

const char *const forecast_name_list[] = { "oracle", "persistence", "noisy", NULL };

struct forecast {
	enum fc_kind kind;
	struct signal truth;
	double sigma, rho, period_s, step_s, phase_s;
	struct rng rng;
	int has_rng;
	double *z;          /* z[k - k0] for steps k0 .. k0 + nz - 1 */
	long long k0;
	size_t nz, capz;
};

const struct forecast_desc *forecast_at_index(size_t i)
{
	return i < N_DESCS ? &descs[i] : NULL;
}

void forecast_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_DESCS && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", descs[i].name);
}

struct forecast *forecast_new(const struct forecast_cfg *c, struct signal truth, uint64_t seed,
			      uint64_t rep, uint64_t stream_id, struct err *e)
{
	struct forecast *f;
	size_t i;
	char names[128];

	for (i = 0; i < N_DESCS; i++)
		if (c->name && strcmp(c->name, descs[i].name) == 0)
			break;
	if (i == N_DESCS) {
		forecast_names(names, sizeof names);
		err_set(e, "unknown forecaster \"%s\" (valid: %s)", c->name ? c->name : "(null)", names);
		return NULL;
	}
	if (!truth.at) {
		err_set(e, "forecaster %s: no signal to forecast", c->name);
		return NULL;
	}
	if (i == FC_NOISY && (!(c->sigma >= 0) || !(c->rho >= 0 && c->rho < 1))) {
		err_set(e, "forecaster noisy: expected sigma >= 0 and 0 <= rho < 1, got sigma %g, rho %g",
			c->sigma, c->rho);
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->kind = (enum fc_kind)i;
	f->truth = truth;
	f->sigma = c->sigma;
	f->rho = c->rho;
	f->period_s = c->period_s > 0 ? c->period_s : 86400; /* one day: diurnal persistence */
	/* an hour when the signal has no natural step: hourly forecasts are what grid operators
	 * and Electricity Maps publish */
	f->step_s = truth.step_s > 0 ? truth.step_s : 3600;
	f->phase_s = truth.step_s > 0 ? truth.phase_s : 0;
	if (f->kind == FC_NOISY) {
		rng_init(&f->rng, seed, rep, stream_id);
		f->has_rng = 1;
	}
	return f;
}

void forecast_free(struct forecast *f)
{
	if (!f)
		return;
	if (f->has_rng)
		rng_fini(&f->rng);
	free(f->z);
	free(f);
}

double forecast_step_s(const struct forecast *f)
{
	return f->truth.step_s;
}

/* The AR(1) error of step k: z[0] belongs to the step holding t = 0 (the run's start), drawn
 * forward from there, so step k gets the same draw whatever order the questions come in.
 * Steps before the run's start are always in the past (no error). */
static double noise(struct forecast *f, long long k)
{
	if (!f->nz) {
		f->k0 = (long long)floor((0 - f->phase_s) / f->step_s);
		f->capz = 64;
		f->z = xmalloc(f->capz * sizeof *f->z);
		f->z[0] = rng_normal1(&f->rng); /* stationary start: unit variance */
		f->nz = 1;
	}
	if (k < f->k0)
		return 0; /* before the first forecast asked: in the past by then */
	while ((size_t)(k - f->k0) >= f->nz) {
		if (f->nz == f->capz) {
			f->capz *= 2;
			f->z = xrealloc(f->z, f->capz * sizeof *f->z);
		}
		f->z[f->nz] = f->rho * f->z[f->nz - 1] + sqrt(1 - f->rho * f->rho) * rng_normal1(&f->rng);
		f->nz++;
	}
	return f->z[k - f->k0];
}

double forecast_value(struct forecast *f, double now_s, double t_s)
{
	double v;
	long long k = (long long)floor((t_s - f->phase_s) / f->step_s);

	/* the current step's value is observed as soon as the step begins */
	if (f->kind == FC_ORACLE || k <= (long long)floor((now_s - f->phase_s) / f->step_s))
		return signal_at(&f->truth, t_s);
	if (f->kind == FC_PERSISTENCE) {
		double back = ceil((t_s - now_s) / f->period_s) * f->period_s;
		return signal_at(&f->truth, t_s - back);
	}
	v = signal_at(&f->truth, t_s) *
	    (1 + f->sigma * noise(f, k));
	return v > 0 ? v : 0;
}

double forecast_mean(struct forecast *f, double now_s, double t0_s, double t1_s)
{
	double sum = 0, t, step = f->step_s;

	if (!(t1_s > t0_s))
		return forecast_value(f, now_s, t0_s);
	for (t = t0_s; t < t1_s;) {
		double next = f->phase_s + (floor((t - f->phase_s) / step + 1e-9) + 1) * step;
		if (next > t1_s)
			next = t1_s;
		sum += forecast_value(f, now_s, t) * (next - t);
		t = next;
	}
	return sum / (t1_s - t0_s);
}
