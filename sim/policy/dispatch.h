/* dispatch.h — dispatch policies: where each arriving request goes.
 *
 * A dispatch policy is a struct dispatch_ops behind a policy_desc (policy.h). dispatch_attach
 * allocates the policy's state and plugs its callbacks into the datacenter (struct dc_dispatch),
 * which calls arrive() for each request and freed() when a node frees a slot.
 */
#ifndef MAASIM_DISPATCH_H
#define MAASIM_DISPATCH_H

#include <stddef.h>

#include "dc/dc.h"
#include "policy/policy.h"
#include "policy/view.h"

struct dispatch_ops {
	size_t state_size;
	/* env: signals and seeds (policy/view.h); may be NULL for policies that need none.
	 * Returns 0, or -1 with e when the policy cannot run here (a signal it needs is absent). */
	int (*init)(struct dc *dc, void *state, const struct policy_choice *c,
		    const struct policy_env *env, struct err *e);
	void (*arrive)(struct dc *dc, void *state, uint32_t req);
	void (*freed)(struct dc *dc, void *state, uint32_t node);
	void (*fini)(void *state);  /* may be NULL; must not free state itself */
};

/* Attaches the chosen dispatch policy to dc (dc owns the state afterwards), with the signals
 * and capabilities of env (NULL: none). Returns 0, or -1 with e (nothing attached) when the
 * policy cannot run without what env lacks. */
int dispatch_attach_env(struct dc *dc, const struct policy_choice *c,
			const struct policy_env *env, struct err *e);
/* The same without env, for policies that need none (fifo, least_loaded, round_robin, edf):
 * a policy that needs env here is a bug (the loader checks what a scenario's policies need). */
void dispatch_attach(struct dc *dc, const struct policy_choice *c);

extern const struct policy_desc dispatch_fifo, dispatch_least_loaded;
/* policy/dispatch_rr.c, dispatch_edf.c, shift.c */
extern const struct policy_desc dispatch_round_robin, dispatch_edf;
extern const struct policy_desc dispatch_carbon_aware, dispatch_price_aware,
	dispatch_renewable_following;
/* policy/dispatch_power.c: not in the registry until the serving model provides
 * policy_env.power / policy_env.capacity (their init refuses without them). */
extern const struct policy_desc dispatch_power_aware, dispatch_kv_aware;

#endif
