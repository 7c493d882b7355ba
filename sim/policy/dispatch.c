/* dispatch.c — the dispatch policies fifo and least_loaded, and their attachment.
 *
 * fifo: one central FIFO queue; an arriving request takes the lowest-numbered node with a free
 * slot, else waits; a freed slot takes the head of the queue. With single-slot nodes this is
 * exactly the M/G/c queue of queueing theory.
 * least_loaded: join-the-shortest-queue on outstanding requests (in service + queued at the
 * node), ties to the lowest-numbered node; each node serves its own queue FIFO. The node loads
 * are kept in a bucket queue (engine/bucketq.h: a bitset of nodes per load value), so a choice
 * and an update cost O(1), not a scan nor a heap sift.
 */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "engine/bucketq.h"
#include "engine/xalloc.h"

struct dispatch_wrap {
	const struct dispatch_ops *ops;
	void *state;
};

static void wrap_fini(void *p)
{
	struct dispatch_wrap *w = p;
	if (w->ops->fini)
		w->ops->fini(w->state);
	free(w->state);
	free(w);
}

void dispatch_attach(struct dc *dc, const struct policy_choice *c)
{
	struct err e = { 0 };
	if (dispatch_attach_env(dc, c, NULL, &e))
		sim_fail(dc->sim, __FILE__, __LINE__, "%s", e.msg);
}

int dispatch_attach_env(struct dc *dc, const struct policy_choice *c,
			const struct policy_env *env, struct err *e)
{
	const struct dispatch_ops *ops = c->desc->ops;
	struct dispatch_wrap *w = xcalloc(1, sizeof *w);

	w->ops = ops;
	w->state = xcalloc(1, ops->state_size ? ops->state_size : 1);
	if (ops->init && ops->init(dc, w->state, c, env, e) != 0) {
		wrap_fini(w);
		return -1;
	}
	dc->dispatch = (struct dc_dispatch){ w->state, ops->arrive, ops->freed, wrap_fini, w };
	return 0;
}

/* ---- fifo ---- */

static void fifo_arrive(struct dc *dc, void *st, uint32_t r)
{
	uint32_t n;
	(void)st;
	/* behind a waiting queue (the common case under load) no free slot is looked for */
	if (dc->c_len == 0 && (n = dc_first_free(dc)) != DC_NONE)
		dc_start(dc, n, r);
	else
		dc_central_enqueue(dc, r);
}

static void fifo_freed(struct dc *dc, void *st, uint32_t n)
{
	(void)st;
	dc_start_central(dc, n); /* a freed slot takes the queue's head while there is room */
}

static const struct dispatch_ops fifo_ops = { 0, NULL, fifo_arrive, fifo_freed, NULL };
static const struct param_desc no_params[] = { { 0 } };

const struct policy_desc dispatch_fifo = {
	POLICY_DISPATCH, "fifo",
	"one central FIFO queue; a request takes the first free slot (lowest node number)",
	no_params, &fifo_ops,
};

/* ---- least_loaded ---- */

struct ll_state {
	struct bucketq load; /* node -> outstanding requests */
};

static int ll_init(struct dc *dc, void *p, const struct policy_choice *c,
		   const struct policy_env *env, struct err *e)
{
	struct ll_state *st = p;
	(void)c, (void)env, (void)e;
	bucketq_init(&st->load, dc->n_nodes);
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		bucketq_set(&st->load, n, 0);
	return 0;
}

static void ll_fini(void *p)
{
	bucketq_fini(&((struct ll_state *)p)->load);
}

static void ll_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct ll_state *st = p;
	uint32_t n;

	if (!dc->n_nodes) {
		dc_central_enqueue(dc, r);
		return;
	}
	n = bucketq_min_id(&st->load);
	if (dc_node_has_slot(dc, n))
		dc_start(dc, n, r);
	else if (dc_node_enqueue(dc, n, r) != 0)
		return;
	bucketq_set(&st->load, n, (uint32_t)dc_node_load(dc, n));
}

static void ll_freed(struct dc *dc, void *p, uint32_t n)
{
	struct ll_state *st = p;

	/* (an empty local queue, the common case, is not asked for its head) */
	while (dc->nodes[n].q_len > 0 && dc_node_has_slot(dc, n)) {
		uint32_t r = dc_node_pop(dc, n);
		if (r == DC_NONE)
			break;
		dc_start(dc, n, r);
	}
	bucketq_set(&st->load, n, (uint32_t)dc_node_load(dc, n));
}

static const struct dispatch_ops ll_ops = { sizeof(struct ll_state), ll_init, ll_arrive, ll_freed,
					    ll_fini };

const struct policy_desc dispatch_least_loaded = {
	POLICY_DISPATCH, "least_loaded",
	"join the node with the fewest outstanding requests (in service + queued), ties to the lowest number",
	no_params, &ll_ops,
};
