/* shift.c — temporal shifting of deferrable work: carbon_aware, price_aware,
 * renewable_following.
 *
 * One mechanism, three signals. A request of a deferrable class is given a start time within
 * its window [arrival, arrival + deadline_s - (mean + safety_sd sd of the class service time)
 * - slack_s] (a class without a
 * deadline may wait up to max_delay_s); every other request, and every deferred request when it
 * is released, is dispatched FIFO (first free slot) as `fifo` does, with one exception: released
 * work that finds no free slot waits in a queue of its own, ordered by latest start, which a
 * free slot serves when the central queue is empty or once the head has reached its latest
 * start (then it goes first), so deferrable work yields to interactive work without being
 * pushed past its deadline by it.
 * Time is cut into slots of the signal's step (an hour for hourly traces). Deferred work is
 * booked into slots, at most max_util of the cluster's slot-seconds each, and released spread
 * across its slot in booking order, so a cheap hour fills up instead of receiving every job at
 * its first second. The policy sees the signal only through a forecaster (policy/forecast.h):
 *   carbon_aware / price_aware: the slot whose forecast mean intensity (price) over the
 *     request's estimated run is lowest; deferred only when that is at least min_saving
 *     (relative) below running now.
 *   renewable_following: the earliest slot whose forecast on-site renewable surplus
 *     (renewable power - base_load_w, default the IT power when the request arrives) can power
 *     the request (surplus / marginal power of a busy slot, in slot-seconds), the current slot
 *     included; when no slot in the window has surplus the request runs now.
 * Service times are estimated from the class means (dc_class_service_estimate_s), never from
 * the request's own drawn size: a scheduler does not know a job's length in advance.
 */
#include "policy/dispatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "policy/forecast.h"

enum shift_mode { SHIFT_CARBON, SHIFT_PRICE, SHIFT_RENEWABLE };

struct shift_state {
	enum shift_mode mode;
	struct forecast *fc;
	double slot_s, phase_s;
	double max_util, min_saving, slack_s, max_delay_s, base_load_w;
	double cap_slot_s;       /* slot-seconds per time slot deferred work may take */
	double busy_slot_w;      /* marginal power of one busy slot, W (node type 0) */
	double *booked;          /* slot-seconds booked per time slot, from slot 0 */
	size_t n_booked;
	double *est_s;           /* per class: mean service estimate, s */
	double *plan_s;          /* per class: est + safety_sd standard deviations, s */
	struct rel_item { uint32_t req; double latest_s; } *rel; /* released, waiting (dc_hold) */
	size_t rel_len, rel_cap;
};

static long long slot_of(const struct shift_state *st, double t)
{
	return (long long)floor((t - st->phase_s) / st->slot_s);
}

static double slot_start(const struct shift_state *st, long long k)
{
	return st->phase_s + (double)k * st->slot_s;
}

/* Booked slot-seconds of slot k >= 0 (phase_s <= 0, so every slot from time 0 on has k >= 0). */
static double *booked(struct shift_state *st, long long k)
{
	size_t i = (size_t)k;

	if (i >= st->n_booked) {
		size_t n = st->n_booked ? st->n_booked : 64;
		while (n <= i)
			n *= 2;
		st->booked = xrealloc(st->booked, n * sizeof *st->booked);
		memset(st->booked + st->n_booked, 0, (n - st->n_booked) * sizeof *st->booked);
		st->n_booked = n;
	}
	return &st->booked[i];
}

/* Slot-seconds slot k can still take: the utilisation cap, and for renewable_following the
 * forecast surplus. */
static double room(struct shift_state *st, double now, long long k)
{
	double cap = st->cap_slot_s;

	if (st->mode == SHIFT_RENEWABLE) {
		double surplus_w = forecast_value(st->fc, now, slot_start(st, k) + 0.5 * st->slot_s) -
				   st->base_load_w;
		double by_power = st->busy_slot_w > 0 ? surplus_w / st->busy_slot_w * st->slot_s : cap;
		cap = by_power < cap ? by_power : cap;
	}
	return cap - *booked(st, k);
}

static void run_fifo(struct dc *dc, uint32_t r)
{
	uint32_t n = dc_first_free(dc);
	if (n != DC_NONE && dc->c_len == 0)
		dc_start(dc, n, r);
	else
		dc_central_enqueue(dc, r);
}

/* Chooses a start time for request r: returns it (> now to defer), or now. */
static double plan(struct dc *dc, struct shift_state *st, uint32_t r)
{
	const struct class_cfg *cc = dc->classes[dc->req[r].cls].cfg;
	double now = dc->sim->now, est = st->est_s[dc->req[r].cls];
	double latest = cc->deadline_s > 0 ? dc->req[r].t_arrive + cc->deadline_s -
						     st->plan_s[dc->req[r].cls] - st->slack_s
					   : now + st->max_delay_s;
	long long k_now = slot_of(st, now), k_last, best_k = -1;
	double best_t = now, best_cost = INFINITY, cost_now;

	if (latest > now + st->max_delay_s)
		latest = now + st->max_delay_s;
	if (!(latest > now))
		return now;
	k_last = slot_of(st, latest);
	if (st->mode == SHIFT_RENEWABLE) {
		for (long long k = k_now; k <= k_last; k++) {
			double t = slot_start(st, k), r_left = room(st, now, k);
			if (t < now)
				t = now;
			if (r_left >= est) {
				double fill = *booked(st, k) / (double)dc->total_slots;
				double tr = slot_start(st, k) + fill;
				*booked(st, k) += est;
				return tr > t ? (tr <= latest ? tr : latest) : t;
			}
		}
		return now;
	}
	cost_now = forecast_mean(st->fc, now, now, now + (est > 0 ? est : 1));
	for (long long k = k_now + 1; k <= k_last; k++) {
		double fill = *booked(st, k) / (double)dc->total_slots;
		double t = slot_start(st, k) + fill, c;
		if (t > latest || room(st, now, k) < est)
			continue;
		c = forecast_mean(st->fc, now, t, t + (est > 0 ? est : 1));
		if (c < best_cost) {
			best_cost = c;
			best_k = k;
			best_t = t;
		}
	}
	if (best_k < 0 || !(best_cost < cost_now * (1 - st->min_saving)))
		return now;
	*booked(st, best_k) += est;
	return best_t;
}

/* The released queue is a binary min-heap on latest start: its head is the most urgent. */
static void rel_push(struct shift_state *st, uint32_t r, double latest_s)
{
	struct rel_item it = { r, latest_s };
	size_t i;

	if (st->rel_len == st->rel_cap) {
		st->rel_cap = st->rel_cap ? 2 * st->rel_cap : 64;
		st->rel = xrealloc(st->rel, st->rel_cap * sizeof *st->rel);
	}
	for (i = st->rel_len++; i > 0 && it.latest_s < st->rel[(i - 1) / 2].latest_s; i = (i - 1) / 2)
		st->rel[i] = st->rel[(i - 1) / 2];
	st->rel[i] = it;
}

static uint32_t rel_pop(struct shift_state *st)
{
	struct rel_item top = st->rel[0], last = st->rel[--st->rel_len];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= st->rel_len)
			break;
		if (c + 1 < st->rel_len && st->rel[c + 1].latest_s < st->rel[c].latest_s)
			c++;
		if (!(st->rel[c].latest_s < last.latest_s))
			break;
		st->rel[i] = st->rel[c];
		i = c;
	}
	if (st->rel_len)
		st->rel[i] = last;
	return top.req;
}

/* Latest start of request r that still leaves its planned margin before the deadline. */
static double latest_start(const struct dc *dc, const struct shift_state *st, uint32_t r)
{
	return dc_req_deadline(dc, r) - st->plan_s[dc->req[r].cls] - st->slack_s;
}

static void shift_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct shift_state *st = p;
	double t;

	if (view_released(dc, r)) {
		uint32_t n = dc_first_free(dc);
		if (n != DC_NONE && st->rel_len == 0)
			dc_start(dc, n, r);
		else if (dc_hold(dc, r) == 0)
			rel_push(st, r, latest_start(dc, st, r));
		return;
	}
	if (!view_deferrable(dc, r) || !dc->total_slots) {
		run_fifo(dc, r);
		return;
	}
	t = plan(dc, st, r);
	if (t > dc->sim->now)
		dc_defer(dc, r, t);
	else
		run_fifo(dc, r);
}

static void shift_freed(struct dc *dc, void *p, uint32_t n)
{
	struct shift_state *st = p;

	while (dc_node_has_slot(dc, n)) {
		uint32_t r = DC_NONE, c = dc->c_head;
		if (st->rel_len && (c == DC_NONE || dc->sim->now >= st->rel[0].latest_s))
			r = rel_pop(st);
		if (r != DC_NONE) {
			dc_unhold(dc, r);
			dc_start(dc, n, r);
			continue;
		}
		r = dc_central_pop(dc);
		if (r == DC_NONE)
			break;
		dc_start(dc, n, r);
	}
}

/* Standard deviation of a class's service time from its configured distributions (what a
 * scheduler learns from history); 0 for sizes replayed from a trace. */
static double service_sd_s(const struct dc *dc, size_t k)
{
	const struct class_cfg *cc = dc->classes[k].cfg;
	const struct node_type_cfg *t = dc->cfg->n_types ? &dc->cfg->types[0] : NULL;
	double m, vi, vo;

	if (cc->kind == CLASS_JOB) {
		if (cc->service_from_trace)
			return 0;
		m = dist_mean(&cc->service);
		return sqrt(fmax(0, dist_second_moment(&cc->service) - m * m));
	}
	if (cc->tokens_from_trace || !t || !(t->prefill_tokens_per_s > 0) || !(t->decode_tokens_per_s > 0))
		return 0;
	m = dist_mean(&cc->in_tokens);
	vi = fmax(0, dist_second_moment(&cc->in_tokens) - m * m);
	m = dist_mean(&cc->out_tokens);
	vo = fmax(0, dist_second_moment(&cc->out_tokens) - m * m);
	return sqrt(vi / (t->prefill_tokens_per_s * t->prefill_tokens_per_s) +
		    vo / (t->decode_tokens_per_s * t->decode_tokens_per_s));
}

static int shift_init(struct dc *dc, struct shift_state *st, enum shift_mode mode,
		      const struct policy_choice *c, const struct policy_env *env, struct err *e)
{
	static const char *const what[] = { "carbon intensity", "energy price", "on-site renewable power" };
	const struct signal *sig = !env ? NULL
				   : mode == SHIFT_CARBON ? &env->carbon_g_per_kwh
				   : mode == SHIFT_PRICE  ? &env->price_usd_per_mwh
							  : &env->renewable_w;
	uint64_t stream = mode == SHIFT_CARBON ? POLICY_STREAM_FORECAST_CARBON
			  : mode == SHIFT_PRICE ? POLICY_STREAM_FORECAST_PRICE
						: POLICY_STREAM_FORECAST_RENEWABLE;
	struct forecast_cfg fcfg = {
		policy_str(c, "forecast"), policy_num(c, "forecast_sigma"),
		policy_num(c, "forecast_rho"), 0,
	};
	const struct node_type_cfg *t0 = dc->cfg->n_types ? &dc->cfg->types[0] : NULL;

	st->mode = mode;
	if (!sig || !signal_present(sig))
		return err_set(e, "dispatch %s needs a %s signal: give policies.signals (or a facility supply)",
			       c->desc->name, what[mode]);
	st->fc = forecast_new(&fcfg, *sig, env->seed, env->rep, stream, e);
	if (!st->fc)
		return err_prefix(e, "dispatch %s", c->desc->name);
	st->slot_s = sig->step_s > 0 ? sig->step_s : 3600; /* hourly when the signal is continuous */
	st->phase_s = sig->step_s > 0 ? sig->phase_s : 0;
	st->phase_s -= ceil(st->phase_s / st->slot_s) * st->slot_s; /* same boundaries, <= 0 */
	st->max_util = policy_num(c, "max_util");
	st->min_saving = policy_num(c, "min_saving");
	st->slack_s = policy_num(c, "slack_s");
	st->max_delay_s = policy_num(c, "max_delay_s");
	st->cap_slot_s = st->max_util * (double)dc->total_slots * st->slot_s;
	st->busy_slot_w = t0 ? (t0->peak_w - t0->idle_w) / t0->slots : 0;
	st->base_load_w = mode == SHIFT_RENEWABLE ? policy_num(c, "base_load_w") : 0;
	if (mode == SHIFT_RENEWABLE && st->base_load_w < 0) {
		/* default: every node idle, the floor the site draws whatever it runs */
		st->base_load_w = 0;
		for (uint32_t n = 0; n < dc->n_nodes; n++)
			st->base_load_w += dc->cfg->types[dc->nodes[n].type].idle_w;
	}
	st->est_s = xcalloc(dc->n_classes ? dc->n_classes : 1, sizeof *st->est_s);
	st->plan_s = xcalloc(dc->n_classes ? dc->n_classes : 1, sizeof *st->plan_s);
	for (size_t k = 0; k < dc->n_classes; k++) {
		st->est_s[k] = dc_class_service_estimate_s(dc, k);
		st->plan_s[k] = st->est_s[k] + policy_num(c, "safety_sd") * service_sd_s(dc, k);
	}
	return 0;
}

static void shift_fini(void *p)
{
	struct shift_state *st = p;
	forecast_free(st->fc);
	free(st->booked);
	free(st->est_s);
	free(st->plan_s);
	free(st->rel);
}

#define SHIFT_INIT(fn, mode) \
	static int fn(struct dc *dc, void *p, const struct policy_choice *c, \
		      const struct policy_env *env, struct err *e) \
	{ \
		return shift_init(dc, p, mode, c, env, e); \
	}
SHIFT_INIT(carbon_init, SHIFT_CARBON)
SHIFT_INIT(price_init, SHIFT_PRICE)
SHIFT_INIT(renew_init, SHIFT_RENEWABLE)

#define SHIFT_OPS(name, initfn) \
	static const struct dispatch_ops name = { \
		.state_size = sizeof(struct shift_state), .init = initfn, .arrive = shift_arrive, \
		.freed = shift_freed, .fini = shift_fini, \
	}
SHIFT_OPS(carbon_ops, carbon_init);
SHIFT_OPS(price_ops, price_init);
SHIFT_OPS(renew_ops, renew_init);

#define COMMON_PARAMS \
	{ "forecast", PARAM_STR, 0, 0, 0, "oracle", "", \
	  "forecaster the policy sees: oracle, persistence or noisy" }, \
	{ "forecast_sigma", PARAM_NUM, 0.1, 0, 10, NULL, "1", \
	  "noisy: relative sd of the forecast error" }, \
	{ "forecast_rho", PARAM_NUM, 0.8, 0, 0.999, NULL, "1", \
	  "noisy: lag-one correlation of the error between signal steps" }, \
	{ "max_util", PARAM_NUM, 0.7, 0.01, 1, NULL, "1", \
	  "share of the cluster's slot-seconds deferred work may book in one time slot" }, \
	{ "slack_s", PARAM_NUM, 3600, 0, 1e9, NULL, "s", \
	  "latest start = deadline - (mean + safety_sd x sd of service) - slack_s" }, \
	{ "safety_sd", PARAM_NUM, 3, 0, 100, NULL, "1", \
	  "service-time standard deviations kept free before a deadline" }, \
	{ "max_delay_s", PARAM_NUM, 172800, 0, 1e9, NULL, "s", \
	  "longest deferral (also the window of classes without a deadline)" }

static const struct param_desc min_params[] = {
	COMMON_PARAMS,
	{ "min_saving", PARAM_NUM, 0.05, 0, 1, NULL, "1",
	  "defer only when the forecast is this fraction below running now" },
	{ 0 },
};
static const struct param_desc renew_params[] = {
	COMMON_PARAMS,
	{ "base_load_w", PARAM_NUM, -1, -1, 1e12, NULL, "W",
	  "site load the renewable surplus must exceed first (-1: every node idle)" },
	{ 0 },
};

const struct policy_desc dispatch_carbon_aware = {
	POLICY_DISPATCH, "carbon_aware",
	"defer deferrable work to the forecast lowest-carbon hour before its deadline; the rest FIFO",
	min_params, &carbon_ops,
};
const struct policy_desc dispatch_price_aware = {
	POLICY_DISPATCH, "price_aware",
	"defer deferrable work to the forecast cheapest hour before its deadline; the rest FIFO",
	min_params, &price_ops,
};
const struct policy_desc dispatch_renewable_following = {
	POLICY_DISPATCH, "renewable_following",
	"run deferrable work in the earliest hour with forecast on-site renewable surplus; the rest FIFO",
	renew_params, &renew_ops,
};
