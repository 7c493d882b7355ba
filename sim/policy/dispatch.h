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

struct dispatch_ops {
	size_t state_size;
	void (*init)(struct dc *dc, void *state, const struct policy_choice *c);
	void (*arrive)(struct dc *dc, void *state, uint32_t req);
	void (*freed)(struct dc *dc, void *state, uint32_t node);
	void (*fini)(void *state);  /* may be NULL; must not free state itself */
};

/* Attaches the chosen dispatch policy to dc (dc owns the state afterwards). */
void dispatch_attach(struct dc *dc, const struct policy_choice *c);

extern const struct policy_desc dispatch_fifo, dispatch_least_loaded;

#endif
