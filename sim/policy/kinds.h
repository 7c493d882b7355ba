/* kinds.h — the ops-table shapes of compression, cooling, power and battery policies, and their
 * parameter descriptors.
 *
 * Power policies run now (policy/power.h drives struct power_ops: power_cap, sleep_idle, dvfs).
 * Battery policies (policy/storage.c) run at the facility's control steps (sim/cli/run.c).
 * Compression policies (policy/compress.c) pick each request's variant as it starts on a node
 * (compress_attach; dc.c and batch.c apply the factors). Cooling policies (policy/cool.c) run at
 * the facility's control steps (sim/cli/run.c). What is fixed here is the interface each owner plugs into, so a
 * registry entry is a few lines once the driver exists; until then those policies stay out of
 * `maasim list`: a policy that does nothing when selected would mislead. The parameter
 * descriptors are complete: they are what the loader will validate and `maasim list` shows.
 */
#ifndef MAASIM_KINDS_H
#define MAASIM_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "dc/dc.h"
#include "engine/err.h"
#include "policy/control.h"
#include "policy/policy.h"
#include "policy/view.h"

/* ---- compression: which model variant serves a request ---- */

/* One row of the calibration table (models/), as the policy sees it. Factors are relative to
 * the dense model on the same node type. */
struct variant_factors {
	const char *name;
	double time, memory, power;  /* service time, memory, power multipliers */
	double accuracy;             /* task accuracy (0..1) measured on real data */
};

struct compression_ops {
	size_t state_size;
	int (*init)(const struct dc *dc, void *state, const struct policy_choice *c,
		    const struct policy_env *env, const struct variant_factors *v, size_t n_v,
		    struct err *e);
	/* Index of the variant that serves req, called when it is placed (the verb "pick variant"). */
	size_t (*pick)(const struct dc *dc, void *state, uint32_t req);
	/* At warm-up (may be NULL): the measured period, which accuracy_mean covers, starts. */
	void (*reset)(void *state);
	void (*fini)(void *state);
	/* The request last picked, with this variant, was dropped at once (never served) and its
	 * booking taken back (may be NULL). */
	void (*unpick)(void *state, size_t variant);
};

/* static: variant (STR, required). load_adaptive: variant, on_queue, off_queue (requests
 * waiting per slot: switch to the variant at on_queue, back at off_queue). carbon_adaptive:
 * variant, on_g_per_kwh, off_g_per_kwh. quality_budget: target_accuracy. */
extern const struct param_desc compression_static_params[], compression_load_adaptive_params[],
	compression_carbon_adaptive_params[], compression_quality_budget_params[];
/* policy/compress.c, in the registry (policies.compression). */
extern const struct policy_desc compress_static, compress_load_adaptive, compress_carbon_adaptive,
	compress_quality_budget;

/* The loader's check of a compression choice against the variant table v[0..n_v) (row 0 the
 * base model): the named variant exists, thresholds have hysteresis, the accuracy target is
 * reachable. Sets *resident to the bit set of the variants the policy can serve (their weights
 * must be held on a replica at once). Returns 0, or -1 with e and *key the parameter at fault
 * (NULL: the choice as a whole). "none" (no ops): *resident = 1 (the base). */
int compress_plan(const struct policy_choice *c, const struct variant_factors *v, size_t n_v,
		  uint64_t *resident, const char **key, struct err *e);
/* Attaches the chosen compression policy to dc, over dc->cfg->variants (dc owns the state
 * afterwards; "none" attaches nothing). env: signals (carbon_adaptive reads carbon intensity).
 * Returns 0, or -1 with e (nothing attached). */
int compress_attach(struct dc *dc, const struct policy_choice *c, const struct policy_env *env,
		    struct err *e);

/* ---- cooling: the supply-air setpoint (policy/cool.c) ---- */

/* What a cooling policy sees before a facility control step. */
struct cooling_view {
	double t_s;             /* start of the coming step */
	double config_supply_c; /* datacenter.cooling.supply_air_c */
	/* Modelled facility power (W) if the coming step ran at supply_c, with the chiller's share
	 * of the heat then in *chiller_frac (0 = full free cooling); NaN before the first step. */
	double (*what_if)(const void *ctx, double supply_c, double *chiller_frac);
	const void *ctx;
};

struct cooling_ops {
	size_t state_size;
	int (*init)(void *state, const struct policy_choice *c);
	/* The supply-air setpoint (degC) for the coming step (the verb "set setpoint"). */
	double (*setpoint_c)(void *state, const struct cooling_view *v);
};

/* fixed_setpoint: setpoint_c. dynamic_setpoint, economizer_first: min_c, max_c, step_c. */
extern const struct param_desc cool_fixed_params[], cool_dynamic_params[],
	cool_economizer_first_params[];
extern const struct policy_desc cool_fixed_setpoint, cool_dynamic_setpoint, cool_economizer_first;
/* Loader checks of a cooling choice: ranges across parameters (A1 envelope, min <= max) and
 * that a setpoint policy has the physical plant (has_plant). -1 with msg on a bad choice. */
int cool_check(const struct policy_choice *c, int has_plant, char *msg, size_t n);

/* ---- power: node power states and caps ---- */

struct power_ops {
	size_t state_size;
	int (*init)(struct dc *dc, void *state, const struct policy_choice *c,
		    const struct policy_env *env, struct err *e);
	/* A control step (policy/power.h runs it): inspect the datacenter, act through its verbs
	 * (dc_set_busy_cap) and env->power (sleep, wake, power-cap states). Returns the time to
	 * the next step, s (> 0). */
	double (*step)(struct dc *dc, void *state, const struct policy_env *env);
	void (*fini)(void *state);
};

/* sleep_idle: timeout_s, min_awake. dvfs: up_util, down_util, period_s. power_cap: cap_w
 * (0 = follow on-site renewables), floor_w. (power_aware and kv_aware are dispatch policies:
 * policy/dispatch_power.c.) */
extern const struct param_desc power_sleep_idle_params[], power_dvfs_params[],
	power_cap_params[];

/* ---- battery dispatch ---- */

struct storage_view {
	double t_s, soc, soc_min, soc_max, round_trip_eff;
	double surplus_w;  /* on-site renewable power - site load */
};

struct storage_ops {
	size_t state_size;
	int (*init)(void *state, const struct policy_choice *c, const struct policy_env *env,
		    struct err *e);
	enum control_storage_cmd (*decide)(void *state, const struct storage_view *v);
	void (*fini)(void *state);
};

/* self_consumption: none. carbon_arbitrage / price_arbitrage: window_s, q_lo, q_hi, forecast,
 * forecast_sigma, forecast_rho (control_arbitrage on the forecast window). */
extern const struct param_desc storage_arbitrage_params[];
/* policy/storage.c: policies.battery, driven by the run loop at the facility's control steps. */
extern const struct policy_desc storage_self_consumption, storage_carbon_arbitrage,
	storage_price_arbitrage;

#endif
