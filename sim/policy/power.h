/* power.h — the power-policy driver and the power policies that run on this build.
 *
 * A power policy (struct power_ops, policy/kinds.h) acts on a control step: power_attach runs
 * its step at SIM_PRIO_CONTROL (before completions and arrivals at the same instant) from time
 * now and then every time the step asks for, up to the horizon. A policy without ops (the
 * baseline always_on) attaches nothing.
 *   power_cap   caps the IT power at cap_w, or, with cap_w = 0, at the on-site renewable
 *               power observed now (never below floor_w): on generic slot nodes the cap becomes
 *               a limit on requests in service, (cap - idle power of every node) / busy-slot
 *               power (dc_set_busy_cap), exact under the linear slot power model; work beyond
 *               it waits. (Serving-profile nodes would map a cap to power-cap states instead.)
 *   sleep_idle  puts a node asleep after timeout_s idle (observed each period_s), keeping
 *               min_awake nodes awake; the serving model wakes it when work is started on it
 *   dvfs        per node, each period_s: nominal clocks above up_util, one power-cap state
 *               lower below down_util (control_dvfs_next)
 * sleep_idle and dvfs need env->power (the serving model) and refuse to attach without it.
 */
#ifndef MAASIM_POWER_H
#define MAASIM_POWER_H

#include "dc/dc.h"
#include "engine/err.h"
#include "policy/kinds.h"

struct power_rt {
	const struct power_ops *ops;
	void *state;
	struct dc *dc;
	const struct policy_env *env;
};

/* Attaches the chosen power policy (env and dc must outlive the run). Returns 0, or -1 with e
 * when it cannot run here. power_fini frees the state (also after a failed attach). */
int power_attach(struct power_rt *rt, struct dc *dc, const struct policy_choice *c,
		 const struct policy_env *env, struct err *e);
void power_fini(struct power_rt *rt);

extern const struct policy_desc power_cap;
/* Need the serving model's power verbs (policy_env.power); not in the registry until then. */
extern const struct policy_desc power_sleep_idle, power_dvfs;

#endif
