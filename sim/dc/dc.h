/* dc.h — the datacenter at run time: requests, nodes, queues, IT power and the request books.
 *
 * Requests live in a pool indexed by uint32 (free list; no allocation per request in steady
 * state) and queue through intrusive index links. A node serves up to `slots` requests at once.
 * Dispatch is a policy (sim/policy) plugged in through struct dc_dispatch: the datacenter calls
 * arrive() for each new request and freed() whenever a node frees capacity; the policy acts
 * through the verbs below (start on a node, queue at a node, queue centrally, drop).
 * IT power is piecewise constant: every change integrates the energy up to now first, so the
 * IT energy is exact. The request books close: arrived + in system at warm-up = completed +
 * dropped + in system now (dc_books_error reports any difference).
 * Compression (policies.compression): when the cluster config has a variant table, the policy's
 * pick() chooses each request's variant as it starts on a node (dc_start); the variant's factors
 * scale that request's service time and busy power (slot nodes) or its prefill, decode and
 * power on an LLM replica (llm.c, batch.h), and its accuracy is booked then (a request's variant
 * is fixed when it starts; one dropped at start is taken back). A request
 * stores its variant as a byte; factors are looked up in the table, nothing is allocated.
 * Arrivals and slot completions are kept off the event list while they can (held events, fired
 * in place: see dc.c's header); same events, same order, same results as with
 * dc_set_chain(dc, 0).
 */
#ifndef MAASIM_DC_H
#define MAASIM_DC_H

#include <limits.h>
#include <stdint.h>

#include "dc/arrival.h"
#include "dc/cluster.h"
#include "dc/workload.h"
#include "engine/metrics.h"
#include "engine/rng.h"
#include "engine/sim.h"
#include "engine/stats.h"

#define DC_NONE UINT32_MAX

/* One request in flight, 32 bytes: the pool is line-aligned (dc.c), so a record never straddles
 * two cache lines (at 40 bytes, half of them did). At 1,000 LLM replicas about 6,300 are in
 * flight, and a completion reads its record seconds after its arrival wrote it. A job's service
 * time and an LLM request's token counts share their 8 bytes: a request is one or the other
 * (its class's kind), and the loader refuses job classes on LLM replicas, so every reader of
 * the counts (the replicas, kv_aware) sees LLM requests only. */
struct request {
	double t_arrive;
	union {
		double work_s;      /* job: service time drawn at arrival */
		struct {
			uint32_t in_tokens, out_tokens; /* llm */
		};
	};
	uint32_t next;      /* queue link / free list */
	uint32_t node;      /* DC_NONE until placed */
	uint16_t cls;
	uint16_t flags;     /* DC_REQ_* */
	uint8_t variant;    /* row of cfg->variants serving it (0: the base model) */
};
_Static_assert(sizeof(struct request) == 32, "struct request: half a cache line");

/* Request flags. DEFERRED: the request was held by dc_defer and has been released (its
 * dispatch arrive() is then a release, not a new arrival). */
#define DC_REQ_DEFERRED 1u

/* One node, in one 64-byte cache line (dc.c allocates the array line-aligned; the assertion
 * below keeps the size): at 1,000 replicas a node's fields are not in the core's caches when its
 * next event comes, and a start or a completion reads the flags and counts at its start and
 * writes the power, which an 80-byte node put on a second line. The fields of every start,
 * completion and power change come first. */
struct node {
	int slots, busy;
	unsigned char llm;        /* 1: an LLM replica with a serving profile (llm.c); fixed at init */
	unsigned char plain;      /* 1: a slot node with busy_power_w and no variants (the common
				   * case, one test on each start and completion); fixed at init */
	uint32_t type;
	double power_w;
	uint64_t starts;          /* requests started here in the measured period */
	long q_len;
	uint32_t q_head, q_tail;  /* local queue (DC_NONE when empty) */
	const double *busy_power_w; /* slot node: its power (W) by busy count 0..slots; NULL: computed */
	const struct node_type_cfg *tcfg; /* cfg->types[type] */
};
_Static_assert(sizeof(void *) != 8 || sizeof(struct node) == 64, "struct node: one cache line");

struct dc;

/* Dispatch hooks, filled by the dispatch policy: arrive and freed are the policy's own
 * functions, called with its state directly (one indirect call per request and per freed
 * slot); fini(owner) frees the attachment (state included). */
struct dc_dispatch {
	void *state;
	void (*arrive)(struct dc *dc, void *state, uint32_t req);
	void (*freed)(struct dc *dc, void *state, uint32_t node);
	void (*fini)(void *owner);
	void *owner;
};

/* Compression hook, filled by the compression policy (policy/compress.c): pick() returns the
 * variant (row of cfg->variants) serving req, called once as it starts on a node. */
struct dc_compress {
	void *state;
	uint8_t (*pick)(struct dc *dc, void *state, uint32_t req);
	void (*reset)(void *state); /* at warm-up (may be NULL): the measured period starts */
	void (*fini)(void *state); /* frees state */
	/* the request just picked was dropped before it was served (may be NULL) */
	void (*unpick)(void *state, uint8_t variant);
};

struct class_stats {
	uint64_t arrived, completed, dropped, slo_met;
	uint64_t deadline_met;   /* completed within the class deadline_s (classes with one) */
	struct mtally wait_s, latency_s;  /* means finished at report time */
	struct qsketch latency_q;
	struct qsketch wait_q;
	double energy_share_j;  /* not yet attributed per request: kept for later models */
	double accuracy_sum;    /* variants: accuracy of the requests started (their variant fixed) */
	uint64_t accuracy_n;    /* variants: requests started, less those dropped at start */
};

struct class_rt {
	const struct class_cfg *cfg;
	struct rng arrivals, sizes;
	double gap_mean_s;       /* poisson: mean time between arrivals, 1 / rate_per_s */
	int plain;               /* Poisson arrivals of jobs with exponential service times drawn (not
				  * from a trace): arrive's short path; fixed at dc_init */
	size_t trace_pos;        /* next trace record */
	double trace_offset_s;   /* added to trace times after each loop */
	struct arrival_state mod; /* diurnal / mmpp state (arrival.h) */
	/* a latency within these meets the class's SLO / deadline: cfg's slo_s and deadline_s,
	 * -infinity without one (never met, never counted) */
	double slo_lim_s, deadline_lim_s;
	struct class_stats st;
};

struct dc {
	struct sim *sim;
	const struct cluster_cfg *cfg;
	struct node *nodes;      /* line-aligned */
	uint32_t n_nodes;
	long total_slots;
	uint64_t *free_bits;     /* bit i set: node i has a free slot */
	uint32_t n_words;

	struct request *req;     /* pool, line-aligned (struct request) */
	uint32_t req_cap, req_free;
	uint64_t in_system;      /* requests arrived and not completed or dropped */
	uint64_t in_system_at_warmup;

	long queued;             /* all waiting requests (central + node queues) */
	/* central queue (not next to queued: the compiler would pair their updates in a vector,
	 * five instructions for two increments) */
	uint32_t c_head, c_tail;
	long c_len;

	struct class_rt *classes;
	size_t n_classes;

	double it_power_w, it_energy_j, t_power;  /* integral of it_power_w up to t_power */
	struct wtally busy_slots; /* integrated with the power: t_last == t_power (dc_integrate) */
	struct wtally queue_len;
	double t_stats0;         /* start of the measured period (0 or warm-up) */

	struct dc_dispatch dispatch;
	double **busy_power_w;   /* per node type: nodes' busy_power_w tables (NULL: none) */
	struct dc_compress compress;     /* pick NULL: every request on variant 0 */
	uint64_t *variant_served;        /* per variant: requests started in the measured period */

	/* policy layer: deferral (dc_defer) and policy-owned waiting (dc_hold) */
	uint64_t deferred_now;   /* held by dc_defer right now (in system, not queued) */
	uint64_t n_deferred;     /* requests released from deferral in the measured period */
	struct tally defer_s;    /* how long each released request was held */
	long held;               /* waiting in a policy-owned queue (counted in queued) */
	long busy_cap;           /* most requests in service at once (dc_set_busy_cap); -1: none */
	double busy_cap_lim;     /* (double)busy_cap, +infinity without a cap (dc_under_cap) */
	long queue_lim;          /* cfg->queue_capacity, LONG_MAX when unlimited (dc_queue_full) */
	struct llm_state *llm;   /* LLM serving nodes (llm.c), NULL when no type has a profile */

	uint64_t chained;        /* arrivals and completions fired in place (dc.c's header) */
	double *busy_pf;         /* per node, variants: sum of the power factors of requests in
				  * service (NULL without variants) */
};

/* Builds nodes and classes (RNG streams from seed and replication). classes must outlive dc. */
void dc_init(struct dc *dc, struct sim *s, const struct cluster_cfg *cfg,
	     const struct class_cfg *classes, size_t n_classes, uint64_t seed, uint64_t rep);
void dc_fini(struct dc *dc);
/* Schedules the first arrival of every class. */
void dc_start_arrivals(struct dc *dc);
/* Warm-up: resets every statistic and the energy integral, keeps the state. */
void dc_reset_stats(struct dc *dc);

/* Verbs for dispatch policies (the read-only ones inline: they are on every request's path). */

/* 1 while the concurrency cap (dc_set_busy_cap) leaves room for one more request */
static inline int dc_under_cap(const struct dc *dc)
{
	return dc->busy_slots.value < dc->busy_cap_lim;
}

static inline int dc_node_has_slot(const struct dc *dc, uint32_t node)
{
	return dc->nodes[node].busy < dc->nodes[node].slots && dc_under_cap(dc);
}

/* Lowest-index node with a free slot, or DC_NONE. */
static inline uint32_t dc_first_free(const struct dc *dc)
{
	if (!dc_under_cap(dc))
		return DC_NONE;
	for (uint32_t w = 0; w < dc->n_words; w++)
		if (dc->free_bits[w])
			return w * 64 + (uint32_t)__builtin_ctzll(dc->free_bits[w]);
	return DC_NONE;
}

/* Starts request on node (which must have a free slot). */
void dc_start(struct dc *dc, uint32_t node, uint32_t req);
/* Starts the central queue's head on node, again, while the node has a free slot (under the
 * cap) and the queue is not empty (fifo's freed). */
void dc_start_central(struct dc *dc, uint32_t node);
/* Queues at a node / centrally; returns -1 (and drops the request) when the queue is full. */
int dc_node_enqueue(struct dc *dc, uint32_t node, uint32_t req);
static inline int dc_central_enqueue(struct dc *dc, uint32_t req);
/* Pops the head of a node's / the central queue, DC_NONE when empty. */
uint32_t dc_node_pop(struct dc *dc, uint32_t node);
static inline uint32_t dc_central_pop(struct dc *dc);
/* Requests at a node: in service + queued there. */
static inline long dc_node_load(const struct dc *dc, uint32_t node)
{
	return dc->nodes[node].busy + dc->nodes[node].q_len;
}

/* Policy verbs beyond placement (sim/policy).
 * dc_defer: holds request req (arrived, not placed or queued anywhere) until t_release_s
 * (>= now), then sets DC_REQ_DEFERRED on it and hands it to the dispatch policy's arrive()
 * again. A held request stays in the system for the books and its wait and latency run from its
 * original arrival; it is not counted as queued (it is not waiting for capacity). */
void dc_defer(struct dc *dc, uint32_t req, double t_release_s);
/* dc_hold: req waits in a queue the policy keeps itself (e.g. EDF's deadline heap): it counts as
 * queued and against queue_capacity. Returns -1 (and drops req) when the queue is full.
 * dc_unhold: req leaves that queue (to be started or dropped by the policy). */
int dc_hold(struct dc *dc, uint32_t req);
void dc_unhold(struct dc *dc, uint32_t req);
/* Drops req (admission control): counted in requests_dropped; req must not be queued. */
void dc_drop(struct dc *dc, uint32_t req);
/* Caps the requests in service at once across the datacenter (a power cap on slot nodes:
 * power_cap); -1 lifts it. While capped, dc_node_has_slot and dc_first_free report no room
 * at the cap, so every dispatch policy respects it; raising it, and every completion under it,
 * offers the free slots to the dispatch policy's freed() so waiting work starts. Requests
 * already in service above a lowered cap finish undisturbed. */
void dc_set_busy_cap(struct dc *dc, long max_busy);
/* Absolute deadline of req (arrival + class deadline_s), INFINITY when its class has none. */
double dc_req_deadline(const struct dc *dc, uint32_t req);
/* Expected service time (s) of a request of class cls on a node of type 0, from the class's
 * mean sizes (jobs: mean service time; llm: mean tokens over the node type's rates). What a
 * policy may know before a request runs; never the request's own drawn size. */
double dc_class_service_estimate_s(const struct dc *dc, size_t cls);
/* Completion of request r on its node: books, latency, SLO, frees the slot, calls dispatch
 * freed(). Used by the slot model's completion event and by LLM serving (llm.c). */
void dc_finish(struct dc *dc, uint32_t r);
/* A request started on a node that cannot serve it after all (larger than the node's whole KV
 * cache): frees its slot and counts it dropped. */
void dc_drop_started(struct dc *dc, uint32_t r);

/* Runs now dc's held event fn(arg) (an arrival or a slot completion) that another handler took
 * from the held slots (llm.c's run of replica steps: sim_take_held_before), firing nothing
 * else in place. */
void dc_run_held(struct sim *s, struct dc *dc, sim_fn fn, uint64_t arg);

/* Arrivals and slot completions held and fired in place (on by default): off, every one of them
 * goes through the event list. The results are the same either way (tests/unit/test_chain.c). */
void dc_set_chain(struct dc *dc, int on);

/* Integrates IT energy and the busy slots' time integral up to now, in one step (internal to the
 * power and busy-count verbs): IT power and the busy count are both piecewise constant, and
 * busy_slots.t_last stays equal to t_power, so one time difference serves both. */
static inline void dc_integrate(struct dc *dc)
{
	double now = dc->sim->now, dt = now - dc->t_power;

	dc->it_energy_j += dc->it_power_w * dt;
	dc->busy_slots.area += dc->busy_slots.value * dt;
	dc->t_power = now;
	dc->busy_slots.t_last = now;
}

/* Node power set to power_w (W) right after dc_integrate at this instant (internal). */
static inline void dc_node_power_(struct dc *dc, uint32_t node, double power_w)
{
	dc->it_power_w += power_w - dc->nodes[node].power_w;
	dc->nodes[node].power_w = power_w;
}

/* Sets node power (W), integrating IT energy up to now first (inline: an LLM replica's power
 * changes about three times per request). */
static inline void dc_set_node_power(struct dc *dc, uint32_t node, double power_w)
{
	dc_integrate(dc);
	dc_node_power_(dc, node, power_w);
}

/* The busy count changes by d slots now (internal). */
static inline void dc_busy_change_(struct dc *dc, double d)
{
	dc_integrate(dc);
	dc->busy_slots.value += d;
}
/* IT energy (J) from the start of the measured period up to now. */
double dc_it_energy_j(struct dc *dc);

/* Request books: (in system at warm-up + arrived) - (completed + dropped + in system). */
long long dc_books_error(const struct dc *dc);

/* Appends the run's metrics (requests, waits, latencies, utilisation, IT energy). */
void dc_report(struct dc *dc, struct metrics *ms);

/* ---- inline verbs (on every request's path) ---- */

/* The number of waiting requests changed by d (internal to the queue verbs). */
static inline void dc_queued_change(struct dc *dc, long d)
{
	dc->queued += d;
	wtally_set(&dc->queue_len, dc->sim->now, (double)dc->queued);
}

/* A queue of len requests is full (queue_capacity, -1: unbounded). */
static inline int dc_queue_full(const struct dc *dc, long len)
{
	return len >= dc->queue_lim;
}

/* A request FIFO threaded through dc->req[].next (a node's local queue or the central one):
 * appends r, or drops it when the queue holds queue_capacity already (-1). */
static inline int dc_fifo_push(struct dc *dc, uint32_t *head, uint32_t *tail, long *len,
			       uint32_t r)
{
	if (dc_queue_full(dc, *len)) {
		dc_drop(dc, r);
		return -1;
	}
	dc->req[r].next = DC_NONE;
	if (*tail == DC_NONE)
		*head = r;
	else
		dc->req[*tail].next = r;
	*tail = r;
	(*len)++;
	dc_queued_change(dc, 1);
	return 0;
}

/* Takes the FIFO's head (DC_NONE when empty). */
static inline uint32_t dc_fifo_pop(struct dc *dc, uint32_t *head, uint32_t *tail, long *len)
{
	uint32_t r = *head;

	if (r == DC_NONE)
		return DC_NONE;
	*head = dc->req[r].next;
	if (*head == DC_NONE)
		*tail = DC_NONE;
	(*len)--;
	dc_queued_change(dc, -1);
	return r;
}

static inline int dc_central_enqueue(struct dc *dc, uint32_t r)
{
	return dc_fifo_push(dc, &dc->c_head, &dc->c_tail, &dc->c_len, r);
}

static inline uint32_t dc_central_pop(struct dc *dc)
{
	return dc_fifo_pop(dc, &dc->c_head, &dc->c_tail, &dc->c_len);
}

#endif
