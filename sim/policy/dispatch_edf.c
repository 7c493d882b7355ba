/* dispatch_edf.c — edf dispatch: earliest deadline first from one central queue.
 *
 * Waiting requests are kept in a binary heap ordered by absolute deadline (arrival + the class's
 * deadline_s; requests of classes without one come last), ties by arrival order, so a free slot
 * always takes the most urgent request. The heap is the policy's own queue: its requests are
 * registered with dc_hold, so they count as queued and against queue_capacity. Under overload
 * plain EDF is known to collapse (every request misses because the ones served are already
 * late: Buttazzo, Hard Real-Time Computing Systems, ch. 2 "domino effect"); with drop_expired
 * (the default) a request whose deadline has passed when it reaches the head is dropped
 * instead of occupying a slot, which keeps the deadline hit rate high.
 */
#include "policy/dispatch.h"

#include <math.h>
#include <stdlib.h>

#include "engine/xalloc.h"

struct edf_item {
	double deadline_s;
	uint64_t seq;
	uint32_t req;
};

struct edf_state {
	struct edf_item *h;
	size_t n, cap;
	uint64_t seq;
	int drop_expired;
};

static int before(const struct edf_item *a, const struct edf_item *b)
{
	return a->deadline_s < b->deadline_s || (a->deadline_s == b->deadline_s && a->seq < b->seq);
}

static void push(struct edf_state *st, struct edf_item it)
{
	size_t i;

	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->h = xrealloc(st->h, st->cap * sizeof *st->h);
	}
	for (i = st->n++; i > 0 && before(&it, &st->h[(i - 1) / 2]); i = (i - 1) / 2)
		st->h[i] = st->h[(i - 1) / 2];
	st->h[i] = it;
}

static struct edf_item pop(struct edf_state *st)
{
	struct edf_item top = st->h[0], last = st->h[--st->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= st->n)
			break;
		if (c + 1 < st->n && before(&st->h[c + 1], &st->h[c]))
			c++;
		if (!before(&st->h[c], &last))
			break;
		st->h[i] = st->h[c];
		i = c;
	}
	if (st->n)
		st->h[i] = last;
	return top;
}

static int edf_init(struct dc *dc, void *p, const struct policy_choice *c,
		    const struct policy_env *env, struct err *e)
{
	struct edf_state *st = p;
	(void)dc, (void)env, (void)e;
	st->drop_expired = policy_num(c, "drop_expired") != 0;
	return 0;
}

static void edf_fini(void *p)
{
	free(((struct edf_state *)p)->h);
}

/* Fills node n's free slots from the heap. */
static void serve(struct dc *dc, struct edf_state *st, uint32_t n)
{
	while (st->n && dc_node_has_slot(dc, n)) {
		struct edf_item it = pop(st);
		dc_unhold(dc, it.req);
		if (st->drop_expired && dc->sim->now > it.deadline_s)
			dc_drop(dc, it.req);
		else
			dc_start(dc, n, it.req);
	}
}

static void edf_arrive(struct dc *dc, void *p, uint32_t r)
{
	struct edf_state *st = p;
	uint32_t n = dc_first_free(dc);

	if (n != DC_NONE && st->n == 0) {
		dc_start(dc, n, r);
		return;
	}
	if (dc_hold(dc, r) != 0)
		return;
	push(st, (struct edf_item){ dc_req_deadline(dc, r), st->seq++, r });
	if (n != DC_NONE)
		serve(dc, st, n);
}

static void edf_freed(struct dc *dc, void *p, uint32_t n)
{
	serve(dc, p, n);
}

static const struct dispatch_ops edf_ops = {
	.state_size = sizeof(struct edf_state), .init = edf_init, .arrive = edf_arrive,
	.freed = edf_freed, .fini = edf_fini,
};
static const struct param_desc edf_params[] = {
	{ "drop_expired", PARAM_NUM, 1, 0, 1, NULL, "1",
	  "1: drop a request whose deadline has passed when it reaches the head, 0: serve it late" },
	{ 0 },
};

const struct policy_desc dispatch_edf = {
	POLICY_DISPATCH, "edf",
	"earliest deadline first (arrival + class deadline_s) from one central queue",
	edf_params, &edf_ops,
};
