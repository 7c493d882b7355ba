/* dc.c — requests, nodes, queues, IT power and books of the datacenter (dc.h).
 *
 * Arrivals and slot completions off the event list. Both are never cancelled, so they are
 * scheduled with sim_at_held: they wait in the run's
 * held slots (engine/sim.h), and after an arrival or a completion dc_fire takes dc's own held
 * event in place while it is the run's next (sim_take_held), in a loop. In M/M/1 the next
 * arrival and the next completion alternate in the two slots, and the run loop fires only the
 * series and facility events and what follows them. With every node an LLM replica and one
 * arrival class, the replicas' run of steps takes the held arrival between its steps instead
 * (llm.c, dc_run_held). Same events, same order, same results as with dc_set_chain(dc, 0),
 * which switches holding off (sim_hold): every one of them goes through the list
 * (tests/unit/test_chain.c, test_llm.c).
 */
#include "dc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc/llm.h"
#include "engine/xalloc.h"

/* RNG stream ids: stable numbers, so adding a source never shifts another's stream. */
#define STREAM_ARRIVALS(c) (1000u + 2u * (uint64_t)(c))
#define STREAM_SIZES(c) (1001u + 2u * (uint64_t)(c))

static void arrival_fire(struct sim *s, void *obj, uint64_t arg);
static void done_fire(struct sim *s, void *obj, uint64_t arg);
static inline __attribute__((always_inline)) void finish(struct dc *dc, uint32_t r);
static void offer_capacity(struct dc *dc);

static void set_free_bit(struct dc *dc, uint32_t n, int on)
{
	uint64_t m = 1ULL << (n & 63);
	if (on)
		dc->free_bits[n >> 6] |= m;
	else
		dc->free_bits[n >> 6] &= ~m;
}

/* busy: requests in service, or with variants the sum of their power factors */
static double slot_power(const struct node_type_cfg *t, double busy)
{
	return t->idle_w + (t->peak_w - t->idle_w) * busy / (double)t->slots;
}

/* Slot nodes of a type with at most this many slots look their power up by busy count. */
#define BUSY_POWER_TABLE_MAX 4096

/* The table of slot_power(t, b) for b = 0..slots (the same values, computed once), or NULL. */
static double *busy_power_table(const struct node_type_cfg *t)
{
	double *p;

	if (t->profile || t->slots < 1 || t->slots > BUSY_POWER_TABLE_MAX)
		return NULL;
	p = xcalloc((size_t)t->slots + 1, sizeof *p);
	for (int b = 0; b <= t->slots; b++)
		p[b] = slot_power(t, b);
	return p;
}

void dc_init(struct dc *dc, struct sim *s, const struct cluster_cfg *cfg,
	     const struct class_cfg *classes, size_t n_classes, uint64_t seed, uint64_t rep)
{
	uint32_t n = 0;

	memset(dc, 0, sizeof *dc);
	dc->sim = s;
	dc->cfg = cfg;
	for (size_t g = 0; g < cfg->n_groups; g++)
		n += (uint32_t)cfg->groups[g].count;
	dc->n_nodes = n;
	/* line-aligned: one node, one line (dc.h) */
	dc->nodes = xcalloc_aligned((n ? n : 1) * sizeof *dc->nodes, 64);
	if (cfg->n_variants)
		dc->busy_pf = xcalloc(n ? n : 1, sizeof *dc->busy_pf);
	dc->n_words = (n + 63) / 64;
	dc->free_bits = xcalloc(dc->n_words ? dc->n_words : 1, sizeof *dc->free_bits);
	dc->busy_power_w = xcalloc(cfg->n_types ? cfg->n_types : 1, sizeof *dc->busy_power_w);
	for (size_t t = 0; t < cfg->n_types; t++)
		dc->busy_power_w[t] = busy_power_table(&cfg->types[t]);
	n = 0;
	for (size_t g = 0; g < cfg->n_groups; g++) {
		const struct node_type_cfg *t = &cfg->types[cfg->groups[g].type];
		for (int k = 0; k < cfg->groups[g].count; k++, n++) {
			struct node *nd = &dc->nodes[n];
			nd->type = (uint32_t)cfg->groups[g].type;
			nd->tcfg = t;
			nd->busy_power_w = dc->busy_power_w[cfg->groups[g].type];
			nd->slots = t->slots;
			nd->q_head = nd->q_tail = DC_NONE;
			nd->power_w = slot_power(t, 0);
			dc->it_power_w += nd->power_w;
			dc->total_slots += t->slots;
			set_free_bit(dc, n, 1);
		}
	}
	dc->c_head = dc->c_tail = DC_NONE;
	dc->req_free = DC_NONE;
	dc->classes = xcalloc(n_classes ? n_classes : 1, sizeof *dc->classes);
	dc->n_classes = n_classes;
	for (size_t c = 0; c < n_classes; c++) {
		struct class_rt *cr = &dc->classes[c];
		cr->cfg = &classes[c];
		rng_init(&cr->arrivals, seed, rep, STREAM_ARRIVALS(c));
		rng_init(&cr->sizes, seed, rep, STREAM_SIZES(c));
		if (classes[c].arrival.kind == ARRIVAL_POISSON)
			cr->gap_mean_s = 1.0 / classes[c].arrival.rate_per_s;
		cr->plain = classes[c].arrival.kind == ARRIVAL_POISSON && classes[c].kind == CLASS_JOB &&
			    !classes[c].service_from_trace &&
			    classes[c].service.kind == DIST_EXPONENTIAL;
		cr->slo_lim_s = classes[c].slo_s > 0 ? classes[c].slo_s : -INFINITY;
		cr->deadline_lim_s = classes[c].deadline_s > 0 ? classes[c].deadline_s : -INFINITY;
		mtally_init(&cr->st.wait_s);
		mtally_init(&cr->st.latency_s);
		qsketch_init(&cr->st.latency_q);
		qsketch_init(&cr->st.wait_q);
	}
	wtally_init(&dc->busy_slots, 0, 0);
	wtally_init(&dc->queue_len, 0, 0);
	tally_init(&dc->defer_s);
	dc->busy_cap = -1;
	dc->busy_cap_lim = INFINITY;
	dc->queue_lim = cfg->queue_capacity >= 0 ? cfg->queue_capacity : LONG_MAX;
	if (cfg->n_variants)
		dc->variant_served = xcalloc(cfg->n_variants, sizeof *dc->variant_served);
	llm_init(dc); /* nodes with a serving profile */
	for (uint32_t i = 0; i < dc->n_nodes; i++) {
		struct node *nd = &dc->nodes[i];
		nd->llm = llm_node(dc, i) != 0;
		nd->plain = !nd->llm && nd->busy_power_w && !cfg->n_variants;
	}
	dc_set_chain(dc, 1);
}

void dc_fini(struct dc *dc)
{
	if (dc->dispatch.fini)
		dc->dispatch.fini(dc->dispatch.owner);
	if (dc->compress.fini)
		dc->compress.fini(dc->compress.state);
	free(dc->variant_served);
	llm_fini(dc);
	for (size_t c = 0; c < dc->n_classes; c++) {
		rng_fini(&dc->classes[c].arrivals);
		rng_fini(&dc->classes[c].sizes);
		qsketch_fini(&dc->classes[c].st.latency_q);
		qsketch_fini(&dc->classes[c].st.wait_q);
	}
	free(dc->classes);
	for (size_t t = 0; dc->busy_power_w && t < dc->cfg->n_types; t++)
		free(dc->busy_power_w[t]);
	free(dc->busy_power_w);
	free(dc->nodes);
	free(dc->busy_pf);
	free(dc->free_bits);
	free(dc->req);
	memset(dc, 0, sizeof *dc);
}

/* ---- power ---- */

double dc_it_energy_j(struct dc *dc)
{
	dc_integrate(dc);
	return dc->it_energy_j;
}

/* ---- request pool ---- */

/* The pool is used up: twice as many records, the new ones on the free list (line-aligned, as
 * struct request says why: a copy, not a realloc, which keeps only malloc's 16-byte alignment). */
static __attribute__((noinline)) void req_grow(struct dc *dc)
{
	uint32_t old = dc->req_cap, cap = old ? old * 2 : 1024;
	struct request *req = xcalloc_aligned((size_t)cap * sizeof *req, 64);

	if (old)
		memcpy(req, dc->req, (size_t)old * sizeof *req);
	free(dc->req);
	dc->req = req;
	for (uint32_t i = old; i < cap; i++)
		dc->req[i].next = i + 1 < cap ? i + 1 : DC_NONE;
	dc->req_free = old;
	dc->req_cap = cap;
}

/* inline: on every arrival (the pool's growth out of line) */
static inline uint32_t req_alloc(struct dc *dc)
{
	uint32_t r;

	if (__builtin_expect(dc->req_free == DC_NONE, 0))
		req_grow(dc);
	r = dc->req_free;
	dc->req_free = dc->req[r].next;
	return r;
}

static void req_release(struct dc *dc, uint32_t r)
{
	dc->req[r].next = dc->req_free;
	dc->req_free = r;
	dc->in_system--;
}

/* ---- arrivals ---- */

static uint32_t clamp_tokens(double x)
{
	double r = floor(x + 0.5);
	return r < 1 ? 1 : r > 4e9 ? 4000000000u : (uint32_t)r;
}

/* next_arrival_time for the processes other than Poisson */
static double next_arrival_other(struct dc *dc, struct class_rt *cr)
{
	const struct arrival_cfg *a = &cr->cfg->arrival;
	const struct trace_data *tr = a->trace;

	if (a->kind == ARRIVAL_DIURNAL || a->kind == ARRIVAL_MMPP) /* arrival.c */
		return arrival_next(a, &cr->mod, &cr->arrivals, dc->sim->now);
	if (cr->trace_pos >= tr->n) {
		if (!a->loop || tr->n < 2)
			return INFINITY;
		/* the loop restarts one mean gap after the last record */
		cr->trace_offset_s += (tr->span_s + tr->span_s / (double)(tr->n - 1)) * a->time_scale;
		cr->trace_pos = 0;
	}
	return cr->trace_offset_s + (tr->t_s[cr->trace_pos] - tr->t_s[0]) * a->time_scale;
}

/* Time of the class's next arrival after now, or INFINITY when a trace has ended. */
static inline double next_arrival_time(struct dc *dc, struct class_rt *cr)
{
	if (cr->cfg->arrival.kind == ARRIVAL_POISSON) /* the common case, inline */
		return dc->sim->now + rng_exponential(&cr->arrivals, cr->gap_mean_s);
	return next_arrival_other(dc, cr);
}

/* Arrivals and slot completions are never cancelled: they are held (sim_at_held, see the top of
 * the file; dc_set_chain(dc, 0) switches holding off). */
static void push_arrival(struct dc *dc, double t_s, uint64_t cls)
{
	sim_at_held(dc->sim, t_s, SIM_PRIO_ARRIVE, arrival_fire, dc, cls);
}

static void push_done(struct dc *dc, double t_s, uint32_t r)
{
	sim_at_held(dc->sim, t_s, SIM_PRIO_DEPART, done_fire, dc, r);
}

/* The class's next arrival at t (next_arrival_time), if within the horizon; a trace time
 * already past is clamped to now. */
static void schedule_arrival_at(struct dc *dc, struct class_rt *cr, double t)
{
	if (t <= dc->sim->horizon_s)
		push_arrival(dc, t < dc->sim->now ? dc->sim->now : t, (uint64_t)(cr - dc->classes));
}

void dc_start_arrivals(struct dc *dc)
{
	for (size_t c = 0; c < dc->n_classes; c++) {
		struct class_rt *cr = &dc->classes[c];
		const struct arrival_cfg *a = &cr->cfg->arrival;
		if (a->kind == ARRIVAL_TRACE) {
			const struct trace_data *tr = a->trace;
			while (cr->trace_pos < tr->n && tr->t_s[cr->trace_pos] - tr->t_s[0] < a->start_s)
				cr->trace_pos++;
			cr->trace_offset_s = -a->start_s * a->time_scale;
		}
		schedule_arrival_at(dc, cr, next_arrival_time(dc, cr));
	}
}

/* arrive's general path: draws or reads request q's size, moves the trace on, returns the time
 * of the class's next arrival. */
static inline double arrive_general(struct dc *dc, struct class_rt *cr, struct request *q,
				    size_t rec)
{
	const struct class_cfg *cc = cr->cfg;
	const struct trace_data *tr = cc->arrival.trace;

	if (cc->kind == CLASS_JOB) {
		const struct dist_cfg *sv = &cc->service;
		/* the exponential inline here: dist_sample, with its lognormal path, is a call */
		q->work_s = cc->service_from_trace	  ? tr->service_s[rec]
			    : sv->kind == DIST_EXPONENTIAL ? rng_exponential(&cr->sizes, sv->mean)
							  : dist_sample(sv, &cr->sizes);
	} else if (cc->tokens_from_trace) {
		q->in_tokens = tr->in_tokens[rec];
		q->out_tokens = tr->out_tokens[rec];
	} else {
		q->in_tokens = clamp_tokens(dist_sample(&cc->in_tokens, &cr->sizes));
		q->out_tokens = clamp_tokens(dist_sample(&cc->out_tokens, &cr->sizes));
	}
	if (cc->arrival.kind == ARRIVAL_TRACE)
		cr->trace_pos++;
	return next_arrival_time(dc, cr);
}

/* A request of class cr arrives now: drawn (its size), booked and handed to the dispatch policy.
 * Returns the time of the class's next arrival, drawn before the dispatch (as the streams
 * always were drawn) and not yet scheduled. */
static inline __attribute__((always_inline)) double arrive(struct dc *dc, struct class_rt *cr,
							  uint16_t cls)
{
	const struct class_cfg *cc = cr->cfg;
	size_t rec = cr->trace_pos;
	uint32_t r = req_alloc(dc);
	struct request *q = &dc->req[r];
	double t_next;

	memset(q, 0, sizeof *q);
	q->t_arrive = dc->sim->now;
	q->cls = cls;
	q->node = DC_NONE;
	q->next = DC_NONE;
	cr->st.arrived++;
	dc->in_system++;
	if (cr->plain) { /* the general path's draws, in its order, without its tests */
		q->work_s = rng_exponential(&cr->sizes, cc->service.mean);
		t_next = dc->sim->now + rng_exponential(&cr->arrivals, cr->gap_mean_s);
	} else {
		t_next = arrive_general(dc, cr, q, rec);
	}
	dc->dispatch.arrive(dc, dc->dispatch.state, r);
	return t_next;
}

/* An arrival of class arg: the class's next arrival is scheduled after the dispatch (only
 * arrivals are scheduled at SIM_PRIO_ARRIVE, so scheduling it after the dispatch's work instead
 * of before keeps the order of equal-time events). */
static inline __attribute__((always_inline)) void arrival_run(struct sim *s, struct dc *dc,
								 uint64_t arg)
{
	double t;

	s->where = "arrival";
	t = arrive(dc, &dc->classes[arg], (uint16_t)arg);
	if (!(t <= s->horizon_s))
		return;
	if (t < s->now) /* a trace time already past */
		t = s->now;
	push_arrival(dc, t, arg);
}

void dc_set_chain(struct dc *dc, int on)
{
	sim_hold(dc->sim, on); /* only dc holds events */
}

/* ---- service ---- */

/* Service time of a job or of an LLM request on a slot node without variants. */
static inline double base_service_time(const struct node *nd, const struct request *q,
				       enum class_kind kind)
{
	if (kind == CLASS_JOB)
		return q->work_s;
	return (double)q->in_tokens / nd->tcfg->prefill_tokens_per_s +
	       (double)q->out_tokens / nd->tcfg->decode_tokens_per_s;
}

/* Service time of a job or of an LLM request on a slot node (not an LLM replica). */
static double service_time(const struct dc *dc, const struct node *nd, const struct request *q,
			   enum class_kind kind)
{
	const struct node_type_cfg *t = nd->tcfg;
	const struct variant_cfg *v;

	if (!dc->cfg->n_variants)
		return base_service_time(nd, q, kind);
	v = &dc->cfg->variants[q->variant];
	if (kind == CLASS_JOB)
		return q->work_s * v->f.time_decode;
	return (double)q->in_tokens / t->prefill_tokens_per_s * v->f.time_prefill +
	       (double)q->out_tokens / t->decode_tokens_per_s * v->f.time_decode;
}

/* Compression at service start: the policy picks the variant, whose accuracy is booked now. */
static void start_variant(struct dc *dc, struct class_stats *st, uint32_t r)
{
	struct request *q = &dc->req[r];

	if (dc->compress.pick) /* the verb "pick variant" (policies.compression) */
		q->variant = dc->compress.pick(dc, dc->compress.state, r);
	if (dc->cfg->n_variants) { /* served with this variant: its accuracy is booked now */
		st->accuracy_sum += dc->cfg->variants[q->variant].accuracy;
		st->accuracy_n++;
		dc->variant_served[q->variant]++;
	}
}

/* Power of a slot node after its busy count (or, with variants, its power factors) changed,
 * right after dc_busy_change_ at this instant (which integrated up to now). */
static inline void slot_node_power(struct dc *dc, uint32_t node)
{
	const struct node *nd = &dc->nodes[node];
	double power_w;

	if (dc->cfg->n_variants)
		power_w = slot_power(nd->tcfg, dc->busy_pf[node]);
	else if (nd->busy_power_w)
		power_w = nd->busy_power_w[nd->busy];
	else
		power_w = slot_power(nd->tcfg, nd->busy);
	dc_node_power_(dc, node, power_w);
}

/* What every start books after the request's node and start time are set (and its variant
 * picked): its wait, the node's busy count and free bit, the busy integral (with the power's:
 * dc_busy_change_). */
static inline __attribute__((always_inline)) void start_books(struct dc *dc, struct node *nd,
							       uint32_t node, struct request *q,
							       struct class_rt *cr, double now)
{
	double wait = now - q->t_arrive;

	mtally_add(&cr->st.wait_s, wait);
	qsketch_add(&cr->st.wait_q, wait);
	nd->busy++;
	nd->starts++;
	if (nd->busy == nd->slots)
		set_free_bit(dc, node, 0);
	dc_busy_change_(dc, 1);
}

/* dc_start but on a plain node or an LLM replica without variants, both without a compression
 * policy (nd, q, cr: node's, r's and r's class's records; the request's node and start time
 * set). */
static __attribute__((noinline)) void start_general(struct dc *dc, uint32_t node, uint32_t r,
						     struct node *nd, struct request *q,
						     struct class_rt *cr)
{
	if (dc->compress.pick || dc->cfg->n_variants)
		start_variant(dc, &cr->st, r);
	start_books(dc, nd, node, q, cr, dc->sim->now);
	if (nd->llm) { /* continuous batching with a serving profile (llm.c) */
		llm_start(dc, node, r);
		return;
	}
	if (dc->cfg->n_variants)
		dc->busy_pf[node] += dc->cfg->variants[q->variant].f.power;
	slot_node_power(dc, node);
	push_done(dc, dc->sim->now + service_time(dc, nd, q, cr->cfg->kind), r);
}

/* dc_start on an LLM replica without variants or a compression policy (arguments as
 * start_general's). */
static __attribute__((noinline)) void start_llm(struct dc *dc, uint32_t node, uint32_t r,
						 struct node *nd, struct request *q,
						 struct class_rt *cr)
{
	start_books(dc, nd, node, q, cr, dc->sim->now);
	llm_start(dc, node, r); /* continuous batching with a serving profile (llm.c) */
}

/* dc_start, inline into it and into dc_start_central. The common case, a plain node without a
 * compression policy, calls nothing (but sim_at_held's rare paths), so it needs few registers:
 * its power from the table, its service time without slot_node_power's and service_time's
 * tests. The others are calls out of line (tail calls in dc_start). */
static inline __attribute__((always_inline)) void start(struct dc *dc, uint32_t node, uint32_t r)
{
	struct node *nd = &dc->nodes[node];
	struct request *q = &dc->req[r];
	struct class_rt *cr = &dc->classes[q->cls];
	double now = dc->sim->now;

	q->node = node;
	if (__builtin_expect(!nd->plain || dc->compress.pick != NULL, 0)) {
		if (nd->llm && !dc->compress.pick && !dc->cfg->n_variants)
			start_llm(dc, node, r, nd, q, cr);
		else
			start_general(dc, node, r, nd, q, cr);
		return;
	}
	start_books(dc, nd, node, q, cr, now);
	dc_node_power_(dc, node, nd->busy_power_w[nd->busy]);
	push_done(dc, now + base_service_time(nd, q, cr->cfg->kind), r);
}

void dc_start(struct dc *dc, uint32_t node, uint32_t r)
{
	sim_assert(dc->sim, dc->nodes[node].busy < dc->nodes[node].slots);
	start(dc, node, r);
}

/* fifo's freed: its loop here, so that the start is inline (no call and no prologue per
 * request started from the queue; dc_node_has_slot stands for dc_start's assertion). */
void dc_start_central(struct dc *dc, uint32_t node)
{
	while (dc_node_has_slot(dc, node)) {
		uint32_t r = dc_central_pop(dc);
		if (r == DC_NONE)
			break;
		start(dc, node, r);
	}
}

/* An arrival (arrival: 1) or a slot completion of dc. */
static inline __attribute__((always_inline)) void run_event(struct sim *s, struct dc *dc,
							   int arrival, uint64_t arg)
{
	if (arrival) {
		arrival_run(s, dc, arg);
	} else {
		s->where = "service completion";
		finish(dc, (uint32_t)arg);
	}
}

void dc_run_held(struct sim *s, struct dc *dc, sim_fn fn, uint64_t arg)
{
	run_event(s, dc, fn == arrival_fire, arg);
}

/* Runs an arrival (arrival: 1) or a slot completion of dc, then, while the next event to fire
 * is dc's own held arrival or completion (sim_take_held), that one too: a run of arrivals and
 * completions costs no round trip through the run loop. dc holds only arrivals, at
 * SIM_PRIO_ARRIVE, and slot completions, at SIM_PRIO_DEPART, so the priority sim_take_held
 * returns tells which it took: a constant on each side of the take's branch between the two
 * held slots, not a handler pointer loaded from the slot and compared. */
static void dc_fire(struct sim *s, struct dc *dc, int arrival, uint64_t arg)
{
	sim_fn fn;

	for (;;) {
		unsigned prio;

		run_event(s, dc, arrival, arg);
		prio = sim_take_held(s, dc, &fn, &arg); /* nothing is held with chaining off */
		if (!prio)
			return;
		dc->chained++;
		arrival = prio == SIM_PRIO_ARRIVE;
	}
}

static void arrival_fire(struct sim *s, void *obj, uint64_t arg)
{
	dc_fire(s, obj, 1, arg);
}

static void done_fire(struct sim *s, void *obj, uint64_t arg)
{
	dc_fire(s, obj, 0, arg);
}

void dc_drop_started(struct dc *dc, uint32_t r)
{
	uint32_t node = dc->req[r].node;

	dc->nodes[node].busy--;
	set_free_bit(dc, node, 1);
	dc_busy_change_(dc, -1);
	dc->classes[dc->req[r].cls].st.dropped++;
	if (dc->cfg->n_variants) { /* never served: take its booking back (same instant as dc_start) */
		struct class_stats *st = &dc->classes[dc->req[r].cls].st;
		st->accuracy_sum -= dc->cfg->variants[dc->req[r].variant].accuracy;
		st->accuracy_n--;
		dc->variant_served[dc->req[r].variant]--;
		if (dc->compress.unpick) /* and out of the policy's plan */
			dc->compress.unpick(dc->compress.state, dc->req[r].variant);
	}
	req_release(dc, r);
	dc->dispatch.freed(dc, dc->dispatch.state, node);
}

/* dc_finish, inline into done_fire (one call less per slot completion) */
static inline __attribute__((always_inline)) void finish(struct dc *dc, uint32_t r)
{
	struct sim *s = dc->sim;
	struct request *q = &dc->req[r];
	uint32_t node = q->node;
	struct node *nd = &dc->nodes[node];
	struct class_rt *cr = &dc->classes[q->cls];
	double lat = s->now - q->t_arrive;

	nd->busy--;
	set_free_bit(dc, node, 1);
	dc_busy_change_(dc, -1);
	if (nd->plain) {
		dc_node_power_(dc, node, nd->busy_power_w[nd->busy]); /* slot_node_power's */
	} else if (!nd->llm) { /* an LLM replica's batcher keeps its own power */
		if (dc->cfg->n_variants)
			dc->busy_pf[node] = nd->busy ? dc->busy_pf[node] -
						    dc->cfg->variants[q->variant].f.power : 0;
		slot_node_power(dc, node);
	}
	cr->st.completed++;
	mtally_add(&cr->st.latency_s, lat);
	qsketch_add(&cr->st.latency_q, lat);
	cr->st.slo_met += lat <= cr->slo_lim_s; /* branch-free: the outcome is random */
	cr->st.deadline_met += lat <= cr->deadline_lim_s;
	req_release(dc, r);
	dc->dispatch.freed(dc, dc->dispatch.state, node);
	if (dc->busy_cap >= 0 && dc->queued > 0)
		offer_capacity(dc);
}

void dc_finish(struct dc *dc, uint32_t r)
{
	finish(dc, r);
}

/* ---- queues ---- */

static void drop(struct dc *dc, uint32_t r)
{
	dc->classes[dc->req[r].cls].st.dropped++;
	req_release(dc, r);
}

int dc_node_enqueue(struct dc *dc, uint32_t node, uint32_t r)
{
	struct node *nd = &dc->nodes[node];

	dc->req[r].node = node;
	return dc_fifo_push(dc, &nd->q_head, &nd->q_tail, &nd->q_len, r);
}

uint32_t dc_node_pop(struct dc *dc, uint32_t node)
{
	struct node *nd = &dc->nodes[node];

	return dc_fifo_pop(dc, &nd->q_head, &nd->q_tail, &nd->q_len);
}

/* ---- policy verbs: deferral, policy-owned queues, admission, concurrency cap ---- */

/* Under a cap, a slot freed on one node may be the room another node's queue waits for: offer
 * every node with a free slot to the dispatch policy until the cap is reached or no node
 * takes work. O(nodes) per call; only runs while a cap is set and requests wait. */
static void offer_capacity(struct dc *dc)
{
	for (uint32_t n = 0; n < dc->n_nodes && dc_under_cap(dc) && dc->queued > 0; n++)
		if (dc->nodes[n].busy < dc->nodes[n].slots)
			dc->dispatch.freed(dc, dc->dispatch.state, n);
}

void dc_set_busy_cap(struct dc *dc, long max_busy)
{
	long old = dc->busy_cap;

	dc->busy_cap = max_busy;
	dc->busy_cap_lim = max_busy < 0 ? INFINITY : (double)max_busy;
	if (dc->queued > 0 && (max_busy < 0 || (old >= 0 && max_busy > old)))
		offer_capacity(dc);
}

static void release_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct dc *dc = obj;
	uint32_t r = (uint32_t)arg;
	struct request *q = &dc->req[r];

	s->where = "deferred release";
	dc->deferred_now--;
	dc->n_deferred++;
	tally_add(&dc->defer_s, s->now - q->t_arrive);
	q->flags |= DC_REQ_DEFERRED;
	dc->dispatch.arrive(dc, dc->dispatch.state, r);
}

void dc_defer(struct dc *dc, uint32_t r, double t_release_s)
{
	sim_assert(dc->sim, t_release_s >= dc->sim->now && dc->req[r].node == DC_NONE);
	dc->deferred_now++;
	/* DEFAULT priority: completions at the same instant free their slots first */
	sim_at(dc->sim, t_release_s, SIM_PRIO_DEFAULT, release_fire, dc, r);
}

int dc_hold(struct dc *dc, uint32_t r)
{
	if (dc_queue_full(dc, dc->held)) {
		drop(dc, r);
		return -1;
	}
	dc->held++;
	dc_queued_change(dc, 1);
	return 0;
}

void dc_unhold(struct dc *dc, uint32_t r)
{
	(void)r;
	sim_assert(dc->sim, dc->held > 0);
	dc->held--;
	dc_queued_change(dc, -1);
}

void dc_drop(struct dc *dc, uint32_t r)
{
	drop(dc, r);
}

double dc_req_deadline(const struct dc *dc, uint32_t r)
{
	double d = dc->classes[dc->req[r].cls].cfg->deadline_s;
	return d > 0 ? dc->req[r].t_arrive + d : INFINITY;
}

double dc_class_service_estimate_s(const struct dc *dc, size_t cls)
{
	const struct class_cfg *c = dc->classes[cls].cfg;
	const struct node_type_cfg *t = dc->cfg->n_types ? &dc->cfg->types[0] : NULL;

	if (c->kind == CLASS_JOB) {
		if (c->service_from_trace && c->arrival.trace && c->arrival.trace->n) {
			double sum = 0;
			for (size_t i = 0; i < c->arrival.trace->n; i++)
				sum += c->arrival.trace->service_s[i];
			return sum / (double)c->arrival.trace->n;
		}
		return dist_mean(&c->service);
	}
	if (!t || !(t->prefill_tokens_per_s > 0) || !(t->decode_tokens_per_s > 0))
		return 0;
	if (c->tokens_from_trace && c->arrival.trace && c->arrival.trace->n) {
		double in = 0, out = 0;
		for (size_t i = 0; i < c->arrival.trace->n; i++) {
			in += c->arrival.trace->in_tokens[i];
			out += c->arrival.trace->out_tokens[i];
		}
		return (in / t->prefill_tokens_per_s + out / t->decode_tokens_per_s) /
		       (double)c->arrival.trace->n;
	}
	return dist_mean(&c->in_tokens) / t->prefill_tokens_per_s +
	       dist_mean(&c->out_tokens) / t->decode_tokens_per_s;
}

/* ---- statistics and books ---- */

void dc_reset_stats(struct dc *dc)
{
	double now = dc->sim->now;

	for (size_t c = 0; c < dc->n_classes; c++) {
		struct class_stats *st = &dc->classes[c].st;
		st->arrived = st->completed = st->dropped = st->slo_met = st->deadline_met = 0;
		st->accuracy_sum = 0;
		st->accuracy_n = 0;
		mtally_init(&st->wait_s);
		mtally_init(&st->latency_s);
		qsketch_reset(&st->latency_q);
		qsketch_reset(&st->wait_q);
	}
	dc_integrate(dc);
	dc->it_energy_j = 0;
	wtally_reset(&dc->busy_slots, now);
	wtally_reset(&dc->queue_len, now);
	llm_reset_stats(dc);
	dc->in_system_at_warmup = dc->in_system;
	dc->t_stats0 = now;
	dc->n_deferred = 0;
	tally_init(&dc->defer_s);
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		dc->nodes[n].starts = 0;
	if (dc->variant_served)
		memset(dc->variant_served, 0, dc->cfg->n_variants * sizeof *dc->variant_served);
	if (dc->compress.reset)
		dc->compress.reset(dc->compress.state);
}

long long dc_books_error(const struct dc *dc)
{
	long long in = (long long)dc->in_system_at_warmup, out = (long long)dc->in_system;

	for (size_t c = 0; c < dc->n_classes; c++) {
		const struct class_stats *st = &dc->classes[c].st;
		in += (long long)st->arrived;
		out += (long long)(st->completed + st->dropped);
	}
	return in - out;
}

/* Requests still in the system at the end (queued, held or in service), per class: late_slo[c]
 * and late_dl[c] count those already older than the class's slo_s / deadline_s, which have
 * missed it whatever happens after the horizon. Younger ones may still make it and are left
 * out (censored), so a stable system is not charged for its few requests in flight, while an
 * overloaded one, whose backlog ages, is charged for all of it. */
static void count_late(const struct dc *dc, uint64_t *late_slo, uint64_t *late_dl)
{
	unsigned char *is_free = xcalloc(dc->req_cap ? dc->req_cap : 1, 1);
	uint64_t live = 0;

	for (uint32_t r = dc->req_free; r != DC_NONE; r = dc->req[r].next)
		is_free[r] = 1;
	for (uint32_t r = 0; r < dc->req_cap; r++) {
		const struct request *q = &dc->req[r];
		const struct class_cfg *cc;
		double age;
		if (is_free[r])
			continue;
		live++;
		cc = dc->classes[q->cls].cfg;
		age = dc->sim->now - q->t_arrive;
		if (cc->slo_s > 0 && age > cc->slo_s)
			late_slo[q->cls]++;
		if (cc->deadline_s > 0 && age > cc->deadline_s)
			late_dl[q->cls]++;
	}
	free(is_free);
	/* every request not on the free list is in the system, and no other */
	sim_assert(dc->sim, live == dc->in_system);
}

static void report_class(struct metrics *ms, const char *prefix, const struct class_stats *st,
			 int has_slo, int has_deadline, uint64_t late_slo, uint64_t late_dl)
{
	char name[96];
#define M(metric, value, unit) \
	(snprintf(name, sizeof name, "%s%s", prefix, metric), metrics_set(ms, name, value, unit))
	M("requests_arrived", (double)st->arrived, "1");
	M("requests_completed", (double)st->completed, "1");
	M("requests_dropped", (double)st->dropped, "1");
	if (mtally_n(&st->wait_s))
		M("wait_mean_s", mtally_mean(&st->wait_s), "s");
	if (mtally_n(&st->latency_s)) {
		M("latency_mean_s", mtally_mean(&st->latency_s), "s");
		M("latency_p50_s", qsketch_quantile(&st->latency_q, 0.50), "s");
		M("latency_p95_s", qsketch_quantile(&st->latency_q, 0.95), "s");
		M("latency_p99_s", qsketch_quantile(&st->latency_q, 0.99), "s");
		M("wait_p99_s", qsketch_quantile(&st->wait_q, 0.99), "s");
	}
	/* the outcomes known at the end: completed, dropped, and still in the system past it */
	if (has_slo && st->completed + st->dropped + late_slo) {
		M("slo_attainment",
		  (double)st->slo_met / (double)(st->completed + st->dropped + late_slo), "1");
		M("slo_missed_in_system_end", (double)late_slo, "1");
	}
	if (has_deadline && st->completed + st->dropped + late_dl) {
		M("deadline_attainment",
		  (double)st->deadline_met / (double)(st->completed + st->dropped + late_dl), "1");
		M("deadline_missed",
		  (double)(st->completed + st->dropped - st->deadline_met + late_dl), "1");
	}
#undef M
}

void dc_report(struct dc *dc, struct metrics *ms)
{
	struct class_stats all;
	double now = dc->sim->now, span = now - dc->t_stats0;
	double e_it = dc_it_energy_j(dc);
	uint64_t slo_met = 0, slo_n = 0, dl_met = 0, dl_n = 0, slo_late = 0;
	uint64_t *late_slo = xcalloc(dc->n_classes + 1, sizeof *late_slo);
	uint64_t *late_dl = xcalloc(dc->n_classes + 1, sizeof *late_dl);
	double starts_max = 0, starts_sum = 0, acc_sum = 0;
	uint64_t acc_n = 0;
	char prefix[80];

	count_late(dc, late_slo, late_dl);
	memset(&all, 0, sizeof all);
	mtally_init(&all.wait_s);
	mtally_init(&all.latency_s);
	qsketch_init(&all.latency_q);
	qsketch_init(&all.wait_q);
	for (size_t c = 0; c < dc->n_classes; c++) {
		const struct class_stats *st = &dc->classes[c].st;
		all.arrived += st->arrived;
		all.completed += st->completed;
		all.dropped += st->dropped;
		mtally_merge(&all.wait_s, &st->wait_s);
		mtally_merge(&all.latency_s, &st->latency_s);
		qsketch_merge(&all.latency_q, &st->latency_q);
		qsketch_merge(&all.wait_q, &st->wait_q);
		if (dc->classes[c].cfg->slo_s > 0) {
			slo_met += st->slo_met;
			slo_n += st->completed + st->dropped + late_slo[c];
			slo_late += late_slo[c];
		}
		if (dc->classes[c].cfg->deadline_s > 0) {
			dl_met += st->deadline_met;
			dl_n += st->completed + st->dropped + late_dl[c];
		}
		snprintf(prefix, sizeof prefix, "class.%s.", dc->classes[c].cfg->name);
		report_class(ms, prefix, st, dc->classes[c].cfg->slo_s > 0,
			     dc->classes[c].cfg->deadline_s > 0, late_slo[c], late_dl[c]);
		if (dc->cfg->n_variants && st->accuracy_n)
			metrics_setf(ms, st->accuracy_sum / (double)st->accuracy_n, "1",
				     "%saccuracy_mean", prefix);
		acc_sum += st->accuracy_sum;
		acc_n += st->accuracy_n;
	}
	report_class(ms, "", &all, 0, 0, 0, 0);
	if (dl_n) {
		metrics_set(ms, "deadline_attainment", (double)dl_met / (double)dl_n, "1");
		metrics_set(ms, "deadline_missed", (double)(dl_n - dl_met), "1");
	}
	metrics_set(ms, "requests_deferred", (double)dc->n_deferred, "1");
	if (dc->defer_s.n)
		metrics_set(ms, "defer_mean_s", dc->defer_s.mean, "s");
	for (uint32_t n = 0; n < dc->n_nodes; n++) {
		double x = (double)dc->nodes[n].starts;
		starts_sum += x;
		starts_max = x > starts_max ? x : starts_max;
	}
	/* 1 = perfectly even; n_nodes = everything on one node */
	if (starts_sum > 0)
		metrics_set(ms, "node_share_max", starts_max * (double)dc->n_nodes / starts_sum, "1");
	if (slo_n) {
		metrics_set(ms, "slo_attainment", (double)slo_met / (double)slo_n, "1");
		metrics_set(ms, "slo_missed_in_system_end", (double)slo_late, "1");
	}
	free(late_slo);
	free(late_dl);
	metrics_set(ms, "requests_in_system_end", (double)dc->in_system, "1");
	metrics_set(ms, "utilization_mean",
		    dc->total_slots ? wtally_mean(&dc->busy_slots, now) / (double)dc->total_slots : 0,
		    "1");
	metrics_set(ms, "queue_length_mean", wtally_mean(&dc->queue_len, now), "1");
	metrics_set(ms, "throughput_per_s", span > 0 ? (double)all.completed / span : 0, "1/s");
	metrics_set(ms, "energy_it_kwh", e_it / 3.6e6, "kWh");
	metrics_set(ms, "power_it_mean_w", span > 0 ? e_it / span : dc->it_power_w, "W");
	if (all.completed)
		metrics_set(ms, "energy_per_request_wh", e_it / 3600.0 / (double)all.completed, "Wh");
	/* compression: the mean accuracy delivered to the requests served in the measured period
	 * (each scored with its variant's measured accuracy, booked when its service started: the
	 * variant is fixed then, and requests still in service at the end count) and the share of
	 * those requests served by each variant */
	if (dc->cfg->n_variants && acc_n) {
		metrics_set(ms, "accuracy_mean", acc_sum / (double)acc_n, "1");
		for (size_t i = 0; i < dc->cfg->n_variants; i++)
			if (dc->cfg->variants_reported >> i & 1)
				metrics_setf(ms, (double)dc->variant_served[i] / (double)acc_n,
					     "1", "variant_share.%s", dc->cfg->variants[i].name);
	}
	llm_report(dc, ms);
	qsketch_fini(&all.latency_q);
	qsketch_fini(&all.wait_q);
}
