/* compress.c — compression policies: which calibrated model variant serves each request.
 *
 *   static           always the named variant
 *   load_adaptive    the named (cheaper) variant while the queue is long: on at on_queue waiting
 *                    requests per slot, back to dense only at off_queue (hysteresis)
 *   carbon_adaptive  the named variant while the grid's observed carbon intensity is high: on at
 *                    on_g_per_kwh, off at off_g_per_kwh
 *   quality_budget   the least-energy mix of variants whose mean accuracy stays >= the target
 *                    (control_quality_mix on energy = time x power factors), realised
 *                    deterministically: the less accurate variant of the pair serves a request
 *                    only while its share stays within the plan, so the delivered mean accuracy
 *                    is never below the target and the mix tracks the plan exactly
 * The variant table (names, time/memory/power/accuracy factors) comes from the models'
 * calibration (io/scenario_models.c builds it into cluster_cfg.variants); row 0 is the base
 * model the policies fall back to (models.variant, dense_fp32 by default). compress_attach
 * plugs a policy into the datacenter (struct dc_compress): dc_start asks it for each request's
 * variant, the datacenter applies the factors (dc.c, batch.c). compress_plan is the loader's
 * check of a choice against the table, before any run.
 */
#include "policy/kinds.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

#include "policy/forecast.h"

enum cz_kind { CZ_STATIC, CZ_LOAD, CZ_CARBON, CZ_BUDGET };

struct cz_state {
	enum cz_kind kind;
	size_t dense, alt;          /* variant indices */
	struct control_hyst h;
	struct forecast *fc;        /* carbon_adaptive: the observed intensity */
	size_t bi, bj;              /* quality_budget: the mix */
	double frac_j;
	uint64_t n_all, n_j;
};

static int find_variant(const struct variant_factors *v, size_t n, const char *name, size_t *out,
			const char *policy, struct err *e)
{
	if (!name)
		return err_set(e, "compression %s needs parameter variant", policy);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	return err_set(e, "compression %s: no variant \"%s\" in the calibration table", policy, name);
}

/* quality_budget's plan: variants bi (the more accurate) and bj, with frac_j of the requests
 * on bj (control_quality_mix on energy = time x power factors). */
static int budget_mix(const struct policy_choice *c, const struct variant_factors *v, size_t n_v,
		      size_t *bi, size_t *bj, double *frac_j, struct err *e)
{
	double en[64], acc[64];
	size_t n = n_v < 64 ? n_v : 64;
	for (size_t i = 0; i < n; i++) {
		en[i] = v[i].time * v[i].power; /* energy per request relative to dense */
		acc[i] = v[i].accuracy;
	}
	if (control_quality_mix(en, acc, n, policy_num(c, "target_accuracy"), bi, bj, frac_j)) {
		double best = 0;
		for (size_t i = 0; i < n; i++)
			best = acc[i] > best ? acc[i] : best;
		return err_set(e, "expected a target accuracy at most %g (the most accurate variant's): no variant mix reaches %g",
			       best, policy_num(c, "target_accuracy"));
	}
	if (acc[*bj] > acc[*bi]) { /* j is the less accurate one, its share is capped */
		size_t t = *bi;
		*bi = *bj;
		*bj = t;
		*frac_j = 1 - *frac_j;
	}
	return 0;
}

static int cz_init(const struct dc *dc, struct cz_state *st, enum cz_kind kind,
		   const struct policy_choice *c, const struct policy_env *env,
		   const struct variant_factors *v, size_t n_v, struct err *e)
{
	(void)dc;
	st->kind = kind;
	if (!n_v)
		return err_set(e, "compression %s: no model variants (models section)", c->desc->name);
	st->dense = 0; /* the base model */
	if (kind != CZ_BUDGET &&
	    find_variant(v, n_v, policy_str(c, "variant"), &st->alt, c->desc->name, e))
		return -1;
	if (kind == CZ_LOAD)
		st->h = (struct control_hyst){ policy_num(c, "on_queue"), policy_num(c, "off_queue"), 0 };
	if (kind == CZ_CARBON) {
		struct forecast_cfg fcfg = { "oracle", 0, 0, 0 };
		if (!env || !signal_present(&env->carbon_g_per_kwh))
			return err_set(e, "compression carbon_adaptive needs a carbon intensity signal");
		st->h = (struct control_hyst){ policy_num(c, "on_g_per_kwh"), policy_num(c, "off_g_per_kwh"), 0 };
		/* only the current value is read, which every forecaster reports as observed */
		st->fc = forecast_new(&fcfg, env->carbon_g_per_kwh, env->seed, env->rep,
				      POLICY_STREAM_FORECAST_CARBON, e);
		if (!st->fc)
			return -1;
	}
	if ((kind == CZ_LOAD || kind == CZ_CARBON) && !(st->h.off_at < st->h.on_at))
		return err_set(e, "compression %s: expected the off threshold below the on threshold",
			       c->desc->name);
	if (kind == CZ_BUDGET && budget_mix(c, v, n_v, &st->bi, &st->bj, &st->frac_j, e))
		return -1;
	return 0;
}

static size_t cz_pick(const struct dc *dc, void *p, uint32_t req)
{
	struct cz_state *st = p;
	(void)req;

	switch (st->kind) {
	case CZ_STATIC:
		return st->alt;
	case CZ_LOAD:
		return control_hyst_update(&st->h, dc->total_slots
							  ? (double)dc->queued / (double)dc->total_slots
							  : 0)
			       ? st->alt : st->dense;
	case CZ_CARBON:
		return control_hyst_update(&st->h, forecast_value(st->fc, dc->sim->now, dc->sim->now))
			       ? st->alt : st->dense;
	case CZ_BUDGET:
		/* the less accurate variant only while its share stays within the plan, so the
		 * delivered mean accuracy never drops below the target */
		st->n_all++;
		if ((double)(st->n_j + 1) <= st->frac_j * (double)st->n_all + 1e-9) {
			st->n_j++;
			return st->bj;
		}
		return st->bi;
	}
	return st->dense;
}

/* quality_budget plans its mix over the measured period: the running mean from warm-up on,
 * which is what accuracy_mean averages, never drops below the target */
static void cz_reset(void *p)
{
	struct cz_state *st = p;
	st->n_all = st->n_j = 0;
}

/* quality_budget: a request dropped at once (larger than a replica's KV cache) was never
 * served, so it leaves the plan's counts as it leaves accuracy_mean; else the realised share of
 * the less accurate variant could pass the plan */
static void cz_unpick(void *p, size_t variant)
{
	struct cz_state *st = p;

	if (st->kind != CZ_BUDGET || st->n_all == 0)
		return;
	st->n_all--;
	if (variant == st->bj && st->bj != st->bi && st->n_j > 0)
		st->n_j--;
}

static void cz_fini(void *p)
{
	forecast_free(((struct cz_state *)p)->fc);
}

#define CZ_INIT(fn, kind) \
	static int fn(const struct dc *dc, void *p, const struct policy_choice *c, \
		      const struct policy_env *env, const struct variant_factors *v, size_t n_v, \
		      struct err *e) \
	{ \
		return cz_init(dc, p, kind, c, env, v, n_v, e); \
	}
CZ_INIT(static_init, CZ_STATIC)
CZ_INIT(load_init, CZ_LOAD)
CZ_INIT(carbon_init, CZ_CARBON)
CZ_INIT(budget_init, CZ_BUDGET)

#define CZ_OPS(name, initfn) \
	static const struct compression_ops name = { sizeof(struct cz_state), initfn, cz_pick, \
						     cz_reset, cz_fini, cz_unpick }
CZ_OPS(static_ops, static_init);
CZ_OPS(load_ops, load_init);
CZ_OPS(carbon_ops, carbon_init);
CZ_OPS(budget_ops, budget_init);

const struct policy_desc compress_static = {
	POLICY_COMPRESSION, "static", "serve every request with the named variant",
	compression_static_params, &static_ops,
};
const struct policy_desc compress_load_adaptive = {
	POLICY_COMPRESSION, "load_adaptive",
	"switch to a cheaper variant while the queue is long, back with hysteresis",
	compression_load_adaptive_params, &load_ops,
};
const struct policy_desc compress_carbon_adaptive = {
	POLICY_COMPRESSION, "carbon_adaptive",
	"switch to a cheaper variant while grid carbon intensity is high, back with hysteresis",
	compression_carbon_adaptive_params, &carbon_ops,
};
const struct policy_desc compress_quality_budget = {
	POLICY_COMPRESSION, "quality_budget",
	"the least-energy variant mix whose mean accuracy stays at or above a target",
	compression_quality_budget_params, &budget_ops,
};

/* ---- the loader's check and the datacenter hook ---- */

int compress_plan(const struct policy_choice *c, const struct variant_factors *v, size_t n_v,
		  uint64_t *resident, const char **key, struct err *e)
{
	const char *name = c->desc->name;
	size_t alt = 0, bi, bj;
	double frac;

	*resident = 1; /* the base model */
	*key = NULL;
	if (!c->desc->ops)
		return 0;
	if (!n_v)
		return err_set(e, "compression %s: no model variants", name);
	if (c->desc == &compress_quality_budget) {
		*key = "target_accuracy";
		if (budget_mix(c, v, n_v, &bi, &bj, &frac, e))
			return -1;
		*resident = (frac < 1 ? 1ull << bi : 0) | (frac > 0 ? 1ull << bj : 0);
		*key = NULL;
		return 0;
	}
	*key = "variant";
	if (find_variant(v, n_v, policy_str(c, "variant"), &alt, name, e))
		return -1;
	*key = NULL;
	if (c->desc == &compress_static) {
		*resident = 1ull << alt;
		return 0;
	}
	*resident |= 1ull << alt;
	{
		const char *on = c->desc == &compress_load_adaptive ? "on_queue" : "on_g_per_kwh";
		const char *off = c->desc == &compress_load_adaptive ? "off_queue" : "off_g_per_kwh";
		if (!(policy_num(c, off) < policy_num(c, on))) {
			*key = off;
			return err_set(e, "expected %s (%g) below %s (%g): the switch back needs hysteresis",
				       off, policy_num(c, off), on, policy_num(c, on));
		}
	}
	return 0;
}

struct cz_wrap {
	const struct compression_ops *ops;
	void *state;
};

static uint8_t wrap_pick(struct dc *dc, void *p, uint32_t req)
{
	struct cz_wrap *w = p;
	return (uint8_t)w->ops->pick(dc, w->state, req);
}

static void wrap_reset(void *p)
{
	struct cz_wrap *w = p;
	if (w->ops->reset)
		w->ops->reset(w->state);
}

static void wrap_unpick(void *p, uint8_t variant)
{
	struct cz_wrap *w = p;
	if (w->ops->unpick)
		w->ops->unpick(w->state, variant);
}

static void wrap_fini(void *p)
{
	struct cz_wrap *w = p;
	if (w->ops->fini)
		w->ops->fini(w->state);
	free(w->state);
	free(w);
}

int compress_attach(struct dc *dc, const struct policy_choice *c, const struct policy_env *env,
		    struct err *e)
{
	const struct compression_ops *ops = c->desc->ops;
	struct variant_factors vf[VARIANTS_MAX];
	size_t n = dc->cfg->n_variants;
	struct cz_wrap *w;

	if (!ops)
		return 0; /* none: the node types as configured */
	if (n > VARIANTS_MAX)
		return err_set(e, "compression %s: more than %d variants", c->desc->name, VARIANTS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct variant_cfg *x = &dc->cfg->variants[i];
		/* decode dominates an LLM request's time and energy; a job's time takes it too */
		vf[i] = (struct variant_factors){ x->name, x->f.time_decode, x->weight_factor_16bit,
						  x->f.power, x->accuracy };
	}
	w = xcalloc(1, sizeof *w);
	w->ops = ops;
	w->state = xcalloc(1, ops->state_size ? ops->state_size : 1);
	if (ops->init(dc, w->state, c, env, vf, n, e)) {
		wrap_fini(w);
		return -1;
	}
	dc->compress = (struct dc_compress){ w, wrap_pick, wrap_reset, wrap_fini, wrap_unpick };
	return 0;
}
