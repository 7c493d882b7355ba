/* view.h — what a policy sees of the datacenter and the world, and the verbs it acts through.
 *
 * Policies read: the datacenter's state through the read-only accessors below (a const
 * struct dc: never written by a policy except through a verb), and the world's signals
 * (carbon intensity, price, on-site renewable power) only through forecasters built from the
 * struct policy_env the run hands over (policy/forecast.h). They act through a few verbs:
 *   place          dc_start, dc_node_enqueue, dc_central_enqueue, dc_hold/dc_unhold (dc/dc.h)
 *   defer          dc_defer: hold a request and release it at a chosen time (dc/dc.h)
 *   admit/drop     dc_drop (dc/dc.h)
 *   pick variant   the return value of compression_ops.pick (policy/kinds.h)
 *   set setpoint   the return value of cooling_ops.setpoint_c (policy/kinds.h, policy/cool.c)
 *   sleep/wake, power cap   struct power_verbs, provided by the serving model (below)
 * Node capabilities that the generic slot model lacks (free KV cache, power state) come through
 * struct node_capacity, filled by the serving model when it is in the build; policies that
 * need it check for NULL callbacks and refuse to attach without them.
 */
#ifndef MAASIM_VIEW_H
#define MAASIM_VIEW_H

#include <stdint.h>

#include "dc/dc.h"
#include "policy/signal.h"

/* Per-node capabilities beyond slots (serving model). Any callback may be NULL (absent). */
struct node_capacity {
	const void *ctx;
	double (*kv_free_tokens)(const void *ctx, uint32_t node); /* free KV-cache tokens now */
	double (*kv_need_tokens)(const void *ctx, uint32_t req);  /* KV a request will reserve */
};

/* Node power verbs (the serving model provides them: llm_sleep, llm_set_pstate, ...). A node
 * asleep wakes when a request is started on it, paying the model's wake latency and energy;
 * wake() lets a policy wake one ahead of demand. Any callback may be NULL (absent). */
struct power_verbs {
	void *ctx;
	int n_pstates;
	int (*sleep)(void *ctx, uint32_t node);              /* 0, or -1 when busy */
	int (*wake)(void *ctx, uint32_t node);
	int (*asleep)(void *ctx, uint32_t node);             /* 1 when asleep (or waking) */
	void (*set_pstate)(void *ctx, uint32_t node, int ps);
	double (*idle_since_s)(void *ctx, uint32_t node);    /* INFINITY when busy */
	void (*set_site_cap_w)(void *ctx, double cap_w);     /* INFINITY = uncapped */
};

/* The world as handed to policies at attach time. Absent signals have at == NULL; absent
 * capabilities are NULL pointers (the generic slot datacenter has neither). */
struct policy_env {
	struct signal carbon_g_per_kwh;  /* grid carbon intensity (average, location-based) */
	struct signal price_usd_per_mwh; /* grid energy price */
	struct signal renewable_w;       /* on-site renewable power available (solar + wind) */
	uint64_t seed, rep;              /* for the policies' own RNG streams (forecast noise) */
	const struct node_capacity *capacity;
	const struct power_verbs *power;
};

/* RNG stream ids of the policy layer (stable; the datacenter uses 1000 + 2 class (+1)). */
#define POLICY_STREAM_FORECAST_CARBON 500u
#define POLICY_STREAM_FORECAST_PRICE 501u
#define POLICY_STREAM_FORECAST_RENEWABLE 502u


/* Read-only accessors. */
static inline double view_now(const struct dc *dc) { return dc->sim->now; }
static inline uint32_t view_nodes(const struct dc *dc) { return dc->n_nodes; }
static inline long view_free_slots(const struct dc *dc, uint32_t n)
{
	return dc->nodes[n].slots - dc->nodes[n].busy;
}
static inline long view_queued(const struct dc *dc) { return dc->queued; }
static inline double view_it_power_w(const struct dc *dc) { return dc->it_power_w; }
static inline int view_deferrable(const struct dc *dc, uint32_t req)
{
	return dc->classes[dc->req[req].cls].cfg->deferrable;
}
static inline int view_released(const struct dc *dc, uint32_t req)
{
	return (dc->req[req].flags & DC_REQ_DEFERRED) != 0;
}

#endif
