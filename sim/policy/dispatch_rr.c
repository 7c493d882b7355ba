/* dispatch_rr.c — round_robin dispatch: requests go to the nodes in turn.
 *
 * The i-th arriving request goes to node i mod n, whatever the nodes' loads: it starts there
 * when the node has a free slot, else waits in that node's FIFO queue. It spreads requests
 * evenly by count (node_share_max -> 1) without any state about the nodes, the baseline of
 * load balancers that do not observe load (and the reason least_loaded exists: under unequal
 * request sizes it queues behind long requests while other nodes idle).
 */
#include "policy/dispatch.h"

struct rr_state {
	uint32_t next;
};

static void rr_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct rr_state *st = p;
	uint32_t n;

	if (!dc->n_nodes) {
		dc_central_enqueue(dc, r);
		return;
	}
	n = st->next;
	st->next = (st->next + 1) % dc->n_nodes;
	if (dc_node_has_slot(dc, n) && dc->nodes[n].q_len == 0)
		dc_start(dc, n, r);
	else
		dc_node_enqueue(dc, n, r);
}

static void rr_freed(struct dc *dc, void *p, uint32_t n)
{
	(void)p;
	while (dc_node_has_slot(dc, n)) {
		uint32_t r = dc_node_pop(dc, n);
		if (r == DC_NONE)
			break;
		dc_start(dc, n, r);
	}
}

static const struct dispatch_ops rr_ops = {
	.state_size = sizeof(struct rr_state), .arrive = rr_arrive, .freed = rr_freed,
};
static const struct param_desc rr_params[] = { { 0 } };

const struct policy_desc dispatch_round_robin = {
	POLICY_DISPATCH, "round_robin",
	"send the i-th request to node i mod n (blind to load); each node serves its queue FIFO",
	rr_params, &rr_ops,
};
