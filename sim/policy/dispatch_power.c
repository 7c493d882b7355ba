/* dispatch_power.c — dispatch that needs the serving model's node capabilities: power_aware
 * (consolidate onto the fewest awake nodes, put the rest to sleep) and kv_aware (join the node
 * with the most free KV cache).
 *
 * Both act through policy_env.power / policy_env.capacity (policy/view.h), which the serving
 * model fills (llm_sleep, llm_phase, the batcher's KV accounting). The generic slot datacenter
 * has neither, so init refuses with a message naming what is missing, and neither policy is in
 * the registry until the serving model is: their logic is tested against a stand-in power model
 * in tests/unit/test_dispatch_power.c.
 *
 * power_aware: an arriving request goes to the busiest awake node that has a free slot (best
 * fit: load packs onto few nodes); if every awake node is full it wakes the lowest-numbered
 * sleeping node and starts the request there (the node pays its wake latency and energy), else
 * it waits centrally. Hysteresis on the utilisation of the awake slots: at on_util or more one
 * more node is woken ahead of demand; a node that becomes idle is put to sleep only when the
 * utilisation is at most off_util (< on_util) and more than min_awake nodes are awake, so load
 * hovering near one threshold does not make nodes flap; and a node must have stayed idle for
 * idle_s before it may sleep (hysteresis in time: a wake costs latency and energy, so a short
 * lull should not buy one). Choices scan the nodes: O(nodes) per
 * request, meant for clusters of tens to hundreds of replicas.
 * kv_aware: the node with a free slot and the most free KV-cache tokens, if that is at least
 * what the request will reserve; else the request waits centrally (FIFO; a freed node takes the
 * head only if it fits there, so a large request is not overtaken forever).
 */
#include "policy/dispatch.h"

#include <stdlib.h>

#include "engine/xalloc.h"



struct pa_state {
	const struct power_verbs *pv;
	double on_util, off_util, idle_s;
	long min_awake, n_awake, awake_slots;
	double *idle_from;   /* per node: when it last became idle */
	struct dc *dc;
};

static int pa_asleep(const struct pa_state *st, uint32_t n)
{
	return st->pv->asleep(st->pv->ctx, n) != 0;
}

static double pa_util(const struct dc *dc, const struct pa_state *st)
{
	return st->awake_slots > 0 ? dc->busy_slots.value / (double)st->awake_slots : 1;
}

static void pa_wake(struct dc *dc, struct pa_state *st, uint32_t n)
{
	st->pv->wake(st->pv->ctx, n);
	st->n_awake++;
	st->awake_slots += dc->nodes[n].slots;
}

static uint32_t pa_first_asleep(const struct dc *dc, const struct pa_state *st)
{
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		if (pa_asleep(st, n))
			return n;
	return DC_NONE;
}

static void pa_idle_fire(struct sim *s, void *obj, uint64_t arg);

static int pa_init(struct dc *dc, void *p, const struct policy_choice *c,
		   const struct policy_env *env, struct err *e)
{
	struct pa_state *st = p;
	const struct power_verbs *pv = env ? env->power : NULL;

	if (!pv || !pv->sleep || !pv->wake || !pv->asleep)
		return err_set(e, "dispatch power_aware needs node sleep states (the serving model's power verbs), not in this build");
	st->pv = pv;
	st->on_util = policy_num(c, "on_util");
	st->off_util = policy_num(c, "off_util");
	st->min_awake = (long)policy_num(c, "min_awake");
	st->idle_s = policy_num(c, "idle_s");
	st->dc = dc;
	st->idle_from = xcalloc(dc->n_nodes ? dc->n_nodes : 1, sizeof *st->idle_from);
	if (!(st->off_util < st->on_util))
		return err_set(e, "dispatch power_aware: expected off_util < on_util, got %g and %g",
			       st->off_util, st->on_util);
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		if (!pa_asleep(st, n)) {
			st->n_awake++;
			st->awake_slots += dc->nodes[n].slots;
		}
	/* every node starts idle: one that never receives work must be able to sleep too */
	for (uint32_t n = 0; n < dc->n_nodes; n++) {
		st->idle_from[n] = dc->sim->now;
		sim_after(dc->sim, st->idle_s, SIM_PRIO_CONTROL, pa_idle_fire, st, n);
	}
	return 0;
}

static void pa_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct pa_state *st = p;
	uint32_t best = DC_NONE;
	int best_busy = -1;

	if (dc->c_len == 0)
		for (uint32_t n = 0; n < dc->n_nodes; n++)
			if (dc_node_has_slot(dc, n) && !pa_asleep(st, n) && dc->nodes[n].busy > best_busy) {
				best = n;
				best_busy = dc->nodes[n].busy;
			}
	if (best == DC_NONE && dc->c_len == 0 && (best = pa_first_asleep(dc, st)) != DC_NONE)
		pa_wake(dc, st, best);
	if (best != DC_NONE)
		dc_start(dc, best, r);
	else if (dc_central_enqueue(dc, r) != 0)
		return;
	if (pa_util(dc, st) >= st->on_util) {
		uint32_t s = pa_first_asleep(dc, st);
		if (s != DC_NONE) {
			pa_wake(dc, st, s);
			while (dc_node_has_slot(dc, s) && dc->c_len) /* the woken node takes waiting work */
				dc_start(dc, s, dc_central_pop(dc));
		}
	}
}

/* Puts node n to sleep if it is idle, awake, not the last min_awake, and the utilisation of
 * the other awake slots is at most off_util. */
static void pa_try_sleep(struct dc *dc, struct pa_state *st, uint32_t n)
{
	if (dc->nodes[n].busy == 0 && st->n_awake > st->min_awake && !pa_asleep(st, n)) {
		double util_after = st->awake_slots - dc->nodes[n].slots > 0
					    ? dc->busy_slots.value / (double)(st->awake_slots - dc->nodes[n].slots)
					    : 1;
		if (util_after <= st->off_util && st->pv->sleep(st->pv->ctx, n) == 0) {
			st->n_awake--;
			st->awake_slots -= dc->nodes[n].slots;
		}
	}
}

/* idle_s after node arg became idle: sleeps it if it has stayed idle all along (an event left
 * from an earlier idle period finds a later idle_from and does nothing). */
static void pa_idle_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct pa_state *st = obj;
	uint32_t n = (uint32_t)arg;

	s->where = "power_aware idle timer";
	if (st->dc->nodes[n].busy == 0 && s->now - st->idle_from[n] >= st->idle_s - 1e-9)
		pa_try_sleep(st->dc, st, n);
}

static void pa_freed(struct dc *dc, void *p, uint32_t n)
{
	struct pa_state *st = p;

	while (dc_node_has_slot(dc, n)) {
		uint32_t r = dc_central_pop(dc);
		if (r == DC_NONE)
			break;
		dc_start(dc, n, r);
	}
	if (dc->nodes[n].busy)
		return;
	st->idle_from[n] = dc->sim->now;
	if (st->idle_s > 0)
		sim_after(dc->sim, st->idle_s, SIM_PRIO_CONTROL, pa_idle_fire, st, n);
	else
		pa_try_sleep(dc, st, n);
}

static void pa_fini(void *p)
{
	free(((struct pa_state *)p)->idle_from);
}

static const struct dispatch_ops pa_ops = {
	.state_size = sizeof(struct pa_state), .init = pa_init, .arrive = pa_arrive,
	.freed = pa_freed, .fini = pa_fini,
};
static const struct param_desc pa_params[] = {
	{ "on_util", PARAM_NUM, 0.8, 0, 1, NULL, "1",
	  "utilisation of the awake slots at which one more node is woken ahead of demand" },
	{ "off_util", PARAM_NUM, 0.5, 0, 1, NULL, "1",
	  "an idle node sleeps when the utilisation without it is at most this (< on_util)" },
	{ "min_awake", PARAM_NUM, 1, 0, 1e6, NULL, "1", "nodes always kept awake" },
	{ "idle_s", PARAM_NUM, 60, 0, 1e7, NULL, "s",
	  "a node must stay idle this long before it may sleep (0: at once)" },
	{ 0 },
};

const struct policy_desc dispatch_power_aware = {
	POLICY_DISPATCH, "power_aware",
	"pack requests onto the fewest awake nodes, sleep idle ones, wake with hysteresis (needs sleep states)",
	pa_params, &pa_ops,
};

/* ---- kv_aware ---- */

struct kv_state {
	const struct node_capacity *cap;
	double reserve_frac;
};

static int kv_init(struct dc *dc, void *p, const struct policy_choice *c,
		   const struct policy_env *env, struct err *e)
{
	struct kv_state *st = p;
	(void)dc;
	if (!env || !env->capacity || !env->capacity->kv_free_tokens || !env->capacity->kv_need_tokens)
		return err_set(e, "dispatch kv_aware needs the KV-cache view of the serving model, not in this build");
	st->cap = env->capacity;
	st->reserve_frac = policy_num(c, "reserve_frac");
	return 0;
}

/* Free KV of node n usable by a new request, or -1 when it has no free slot. */
static double kv_room(const struct dc *dc, const struct kv_state *st, uint32_t n)
{
	if (!dc_node_has_slot(dc, n))
		return -1;
	return st->cap->kv_free_tokens(st->cap->ctx, n) * (1 - st->reserve_frac);
}

static void kv_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct kv_state *st = p;
	double need = st->cap->kv_need_tokens(st->cap->ctx, r), best_room = -1;
	uint32_t best = DC_NONE;

	if (dc->c_len == 0)
		for (uint32_t n = 0; n < dc->n_nodes; n++) {
			double room = kv_room(dc, st, n);
			if (room >= need && room > best_room) {
				best = n;
				best_room = room;
			}
		}
	if (best != DC_NONE)
		dc_start(dc, best, r);
	else
		dc_central_enqueue(dc, r);
}

static void kv_freed(struct dc *dc, void *p, uint32_t n)
{
	struct kv_state *st = p;

	while (dc->c_head != DC_NONE &&
	       kv_room(dc, st, n) >= st->cap->kv_need_tokens(st->cap->ctx, dc->c_head))
		dc_start(dc, n, dc_central_pop(dc));
}

static const struct dispatch_ops kv_ops = {
	.state_size = sizeof(struct kv_state), .init = kv_init, .arrive = kv_arrive,
	.freed = kv_freed,
};
static const struct param_desc kv_params[] = {
	{ "reserve_frac", PARAM_NUM, 0.05, 0, 0.5, NULL, "1",
	  "share of a node's free KV cache kept back against output growth" },
	{ 0 },
};

const struct policy_desc dispatch_kv_aware = {
	POLICY_DISPATCH, "kv_aware",
	"join the node with the most free KV cache that fits the request (needs the serving model)",
	kv_params, &kv_ops,
};
