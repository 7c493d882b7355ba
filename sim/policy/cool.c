/* cool.c — cooling policies: the supply-air (server inlet) setpoint of each control step.
 *
 *   fixed_setpoint    one setpoint all year: setpoint_c, or datacenter.cooling.supply_air_c
 *   dynamic_setpoint  at each step, the setpoint on a grid min_c..max_c (step_c) at which the
 *                     modelled facility power is least: warmer air saves chiller work and buys
 *                     economizer hours, but server fans (IT power) speed up above their knee
 *   economizer_first  at each step, the coolest setpoint on the grid that the economizer holds
 *                     alone (full free cooling); when none does, the one with the least chiller
 *                     share (warmest on ties): the chiller only trims
 * The policies never see the plant's internals: the run loop hands them a what-if
 * (dc/facility.h facility_cooling_what_if: the plant evaluated at the coming step's weather
 * and the last step's IT power) and applies the answer with facility_set_supply_air. Bounds are
 * checked against ASHRAE TC 9.9 class A1 (allowable 15-32 degC; recommended 18-27 degC, the
 * defaults) when the scenario is loaded (cool_check), so a run never leaves the envelope.
 */
#include "policy/kinds.h"

#include <math.h>
#include <stdio.h>

#include "engine/err.h"

/* ASHRAE TC 9.9 Thermal Guidelines (2011/2015), class A1 allowable inlet dry bulb, degC */
#define A1_ALLOW_MIN_C 15.0
#define A1_ALLOW_MAX_C 32.0

struct cool_state {
	int kind; /* 0 fixed, 1 dynamic, 2 economizer first */
	double setpoint_c, min_c, max_c, step_c;
};

const struct param_desc cool_fixed_params[] = {
	{ "setpoint_c", PARAM_NUM, 0, 0, A1_ALLOW_MAX_C, NULL, "degC",
	  "supply-air setpoint, 15-32 (A1 allowable); 0 = datacenter.cooling.supply_air_c" },
	{ 0 },
};
/* defaults: the ASHRAE TC 9.9 class A1 recommended envelope, 18-27 degC */
const struct param_desc cool_dynamic_params[] = {
	{ "min_c", PARAM_NUM, 18, A1_ALLOW_MIN_C, A1_ALLOW_MAX_C, NULL, "degC", "coolest setpoint" },
	{ "max_c", PARAM_NUM, 27, A1_ALLOW_MIN_C, A1_ALLOW_MAX_C, NULL, "degC", "warmest setpoint" },
	{ "step_c", PARAM_NUM, 0.5, 0.1, 5, NULL, "K", "grid spacing of the setpoints tried" },
	{ 0 },
};
const struct param_desc cool_economizer_first_params[] = {
	{ "min_c", PARAM_NUM, 18, A1_ALLOW_MIN_C, A1_ALLOW_MAX_C, NULL, "degC", "coolest setpoint" },
	{ "max_c", PARAM_NUM, 27, A1_ALLOW_MIN_C, A1_ALLOW_MAX_C, NULL, "degC", "warmest setpoint" },
	{ "step_c", PARAM_NUM, 0.5, 0.1, 5, NULL, "K", "grid spacing of the setpoints tried" },
	{ 0 },
};

static int init_common(void *p, int kind, const struct policy_choice *c)
{
	struct cool_state *st = p;

	st->kind = kind;
	if (kind == 0) {
		st->setpoint_c = policy_num(c, "setpoint_c");
		return 0;
	}
	st->min_c = policy_num(c, "min_c");
	st->max_c = policy_num(c, "max_c");
	st->step_c = policy_num(c, "step_c");
	return 0;
}

static int fixed_init(void *p, const struct policy_choice *c) { return init_common(p, 0, c); }
static int dynamic_init(void *p, const struct policy_choice *c) { return init_common(p, 1, c); }
static int econ_init(void *p, const struct policy_choice *c) { return init_common(p, 2, c); }

/* The grid min, min + step, ..., and max itself when the steps do not land on it. */
static size_t grid_k(const struct cool_state *st)
{
	return (size_t)floor((st->max_c - st->min_c) / st->step_c + 1e-9);
}

static size_t grid_n(const struct cool_state *st)
{
	size_t k = grid_k(st);
	return k + 1 + (st->min_c + (double)k * st->step_c < st->max_c - 1e-9);
}

static double grid_at(const struct cool_state *st, size_t i, size_t n)
{
	(void)n;
	return i <= grid_k(st) ? fmin(st->min_c + (double)i * st->step_c, st->max_c) : st->max_c;
}

static double cool_setpoint(void *p, const struct cooling_view *v)
{
	const struct cool_state *st = p;
	double best_sp = NAN, best = INFINITY;
	size_t n;

	if (st->kind == 0)
		return st->setpoint_c > 0 ? st->setpoint_c : v->config_supply_c;
	n = grid_n(st);
	for (size_t i = 0; i < n; i++) {
		double sp = grid_at(st, i, n), chf = 1, pw = v->what_if(v->ctx, sp, &chf), score;
		if (isnan(pw)) /* nothing known yet: the configured setpoint inside the bounds */
			return fmin(fmax(v->config_supply_c, st->min_c), st->max_c);
		if (st->kind == 1) {
			score = pw; /* strict: the coolest of equal powers */
		} else {
			if (chf <= 0)
				return sp; /* the coolest setpoint the economizer holds alone */
			score = chf - 1e-12 * sp; /* the least chiller share, the warmest on ties */
		}
		if (score < best) {
			best = score;
			best_sp = sp;
		}
	}
	return best_sp;
}

static const struct cooling_ops fixed_ops = { sizeof(struct cool_state), fixed_init, cool_setpoint };
static const struct cooling_ops dynamic_ops = { sizeof(struct cool_state), dynamic_init, cool_setpoint };
static const struct cooling_ops econ_ops = { sizeof(struct cool_state), econ_init, cool_setpoint };

const struct policy_desc cool_fixed_setpoint = {
	POLICY_COOLING, "fixed_setpoint",
	"cooling holds one supply-air setpoint (setpoint_c, else datacenter.cooling.supply_air_c) "
	"whatever the load and weather",
	cool_fixed_params, &fixed_ops,
};
const struct policy_desc cool_dynamic_setpoint = {
	POLICY_COOLING, "dynamic_setpoint",
	"each control step, the supply-air setpoint in min_c..max_c with the least modelled "
	"facility power (chiller and economizer savings against server fan power)",
	cool_dynamic_params, &dynamic_ops,
};
const struct policy_desc cool_economizer_first = {
	POLICY_COOLING, "economizer_first",
	"each control step, the coolest setpoint in min_c..max_c the economizer holds alone; "
	"else the one with the least chiller share (the chiller only trims)",
	cool_economizer_first_params, &econ_ops,
};

int cool_check(const struct policy_choice *c, int has_plant, char *msg, size_t n)
{
	const struct policy_desc *d = c->desc;

	if (d == &cool_fixed_setpoint) {
		double sp = policy_num(c, "setpoint_c");
		if (sp != 0 && !(sp >= A1_ALLOW_MIN_C && sp <= A1_ALLOW_MAX_C)) {
			snprintf(msg, n, "setpoint_c: expected 0 or a number in [%g, %g] (ASHRAE A1 "
				 "allowable), got %g", A1_ALLOW_MIN_C, A1_ALLOW_MAX_C, sp);
			return -1;
		}
		if (sp != 0 && !has_plant) {
			snprintf(msg, n, "setpoint_c needs datacenter.cooling.model \"physics\" "
				 "(the constant-PUE model has no setpoint)");
			return -1;
		}
		return 0;
	}
	if (!(policy_num(c, "min_c") <= policy_num(c, "max_c"))) {
		snprintf(msg, n, "expected min_c <= max_c, got %g > %g", policy_num(c, "min_c"),
			 policy_num(c, "max_c"));
		return -1;
	}
	if (!has_plant) {
		snprintf(msg, n, "%s needs datacenter.cooling.model \"physics\" with weather "
			 "(the constant-PUE model has no setpoint to move)", d->name);
		return -1;
	}
	return 0;
}
