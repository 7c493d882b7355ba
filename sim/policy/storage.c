/* storage.c — battery dispatch policies: what the on-site battery does each control step.
 *
 *   self_consumption   surplus renewable energy charges the battery, deficits draw from it
 *   carbon_arbitrage   also charges from the grid in the forecast cleanest hours of the window
 *                      and discharges in the dirtiest (control_arbitrage), self-consumption in
 *                      between; idle when the spread cannot pay for the round-trip loss
 *   price_arbitrage    the same on the energy price
 * The forecast window is window_s ahead from now, one value per signal step, from the policy's
 * own forecaster (oracle, persistence or noisy), so results can be reported against the oracle.
 * The run loop asks decide() at every facility control step and hands the command to the
 * facility (sim/cli/run.c): CONTROL_STORAGE_SELF -> FAC_DISPATCH_SELF, CHARGE ->
 * FAC_DISPATCH_CHARGE at the battery's charge limit, DISCHARGE -> FAC_DISPATCH_DISCHARGE at its
 * discharge limit (covering the site's deficit, no export), IDLE -> FAC_DISPATCH_IDLE.
 */
#include "policy/kinds.h"

#include <math.h>
#include <stdlib.h>

#include "engine/xalloc.h"
#include "policy/forecast.h"

struct st_state {
	int arbitrage;
	struct forecast *fc;
	double step_s, q_lo, q_hi;
	size_t n;
	double *win;
};

static int st_init(void *p, int mode, const struct policy_choice *c, const struct policy_env *env,
		   struct err *e)
{
	struct st_state *st = p;
	const struct signal *sig;
	struct forecast_cfg fcfg;

	st->arbitrage = mode != 0;
	if (!st->arbitrage)
		return 0;
	sig = env ? (mode == 1 ? &env->carbon_g_per_kwh : &env->price_usd_per_mwh) : NULL;
	if (!sig || !signal_present(sig))
		return err_set(e, "battery %s needs a %s signal", c->desc->name,
			       mode == 1 ? "carbon intensity" : "price");
	fcfg = (struct forecast_cfg){ policy_str(c, "forecast"), policy_num(c, "forecast_sigma"),
				      policy_num(c, "forecast_rho"), 0 };
	st->fc = forecast_new(&fcfg, *sig, env->seed, env->rep,
			      mode == 1 ? POLICY_STREAM_FORECAST_CARBON : POLICY_STREAM_FORECAST_PRICE, e);
	if (!st->fc)
		return -1;
	st->step_s = sig->step_s > 0 ? sig->step_s : 3600; /* hourly when continuous */
	st->q_lo = policy_num(c, "q_lo");
	st->q_hi = policy_num(c, "q_hi");
	if (!(st->q_lo < st->q_hi))
		return err_set(e, "battery %s: expected q_lo < q_hi", c->desc->name);
	st->n = (size_t)ceil(policy_num(c, "window_s") / st->step_s);
	st->n = st->n < 2 ? 2 : st->n;
	st->win = xmalloc(st->n * sizeof *st->win);
	return 0;
}

static enum control_storage_cmd st_decide(void *p, const struct storage_view *v)
{
	struct st_state *st = p;
	enum control_storage_cmd cmd;

	if (!st->arbitrage)
		return CONTROL_STORAGE_SELF;
	for (size_t k = 0; k < st->n; k++)
		st->win[k] = forecast_value(st->fc, v->t_s, v->t_s + (double)k * st->step_s);
	cmd = control_arbitrage(st->win, st->n, v->soc, v->soc_min, v->soc_max, st->q_lo, st->q_hi,
				v->round_trip_eff);
	return cmd == CONTROL_STORAGE_IDLE ? CONTROL_STORAGE_SELF : cmd;
}

static void st_fini(void *p)
{
	struct st_state *st = p;
	forecast_free(st->fc);
	free(st->win);
}

#define ST_INIT(fn, mode) \
	static int fn(void *p, const struct policy_choice *c, const struct policy_env *env, \
		      struct err *e) \
	{ \
		return st_init(p, mode, c, env, e); \
	}
ST_INIT(self_init, 0)
ST_INIT(carbon_init, 1)
ST_INIT(price_init, 2)

static const struct storage_ops self_ops = { sizeof(struct st_state), self_init, st_decide, st_fini };
static const struct storage_ops carbon_ops = { sizeof(struct st_state), carbon_init, st_decide, st_fini };
static const struct storage_ops price_ops = { sizeof(struct st_state), price_init, st_decide, st_fini };
static const struct param_desc no_params[] = { { 0 } };

const struct policy_desc storage_self_consumption = {
	POLICY_BATTERY, "self_consumption",
	"the battery follows datacenter.supply.battery.dispatch (default: store surplus, cover deficits)",
	no_params, &self_ops,
};
const struct policy_desc storage_carbon_arbitrage = {
	POLICY_BATTERY, "carbon_arbitrage",
	"battery charges from the grid in the forecast cleanest hours, discharges in the dirtiest",
	storage_arbitrage_params, &carbon_ops,
};
const struct policy_desc storage_price_arbitrage = {
	POLICY_BATTERY, "price_arbitrage",
	"battery charges from the grid in the forecast cheapest hours, discharges in the dearest",
	storage_arbitrage_params, &price_ops,
};
