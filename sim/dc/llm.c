/* llm.c — LLM serving on datacenter nodes whose type has a serving profile (llm.h).
 *
 * Per-request records (struct batch_req) live in chunks of fixed address, because the batcher
 * keeps pointers to them while dc's request pool may be reallocated; a free list recycles them.
 * batch_req.id holds the dc request index.
 *
 * Replica timers: each replica has at most one pending "next step" time (its batcher's next
 * admission, prefill end or completion). They are kept in a winner tree (timers, engine/wtree.h:
 * the same earliest replica as an indexed heap ordered by (time, node), at a fraction of the
 * instructions when the earliest moves later, which is what a step does), and only the
 * earliest of them is an event in the simulator's event list (tev at tev_t). A replica's time
 * changes on every arrival and completion; with one event per replica each change was a cancel
 * and a push, and the cancelled entries stayed in the event list until they reached its top
 * (lazy cancellation), so the list held about twice as many entries as replicas. Now a change is
 * an O(log replicas) key update, and the event list is touched only when the earliest time moves
 * (and not between consecutive replica steps: see node_fire).
 * Ties between replicas due at the same instant fire in node order (the tree's tie rule).
 *
 * Arrivals between replica steps: dc.c holds each next arrival out of the event list
 * (sim_at_held). With a single arrival class and every node a replica (hold_ok), the run of
 * steps takes it from the held slots when it comes next, before the next replica step
 * (sim_take_held_before, its own next step being outside the list while the run lasts), and
 * runs it in place (dc_run_held), so a stream of arrivals and steps costs no event-list
 * traffic until another event comes between. Outside a run of steps the held arrival is the
 * engine's to fire, ordered against the replicas' event in the list.
 */
#include "dc/llm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc/batch.h"
#include "dc/dc.h"
#include "engine/wtree.h"
#include "engine/xalloc.h"

#define CHUNK 1024

struct llm_class {
	struct qsketch ttft_q, tpot_q, admit_q;
	struct tally ttft_s, tpot_s, admit_s;  /* admit: arrival to KV admission on the replica */
	double energy_j;       /* attributed active energy of completed requests */
	double out_tokens, in_tokens;
	uint64_t completed;
};

struct llm_state {
	struct profile **profiles;   /* per node type, NULL without a profile */
	struct batcher **batchers;   /* per node, NULL without a profile */
	struct batcher_block bb;     /* where they lie: node n's at batcher_block_at(&bb, n) */
	struct wtree timers;         /* node -> its next step time (nodes with one pending) */
	evq_handle tev;              /* the one event-list entry: the earliest timer */
	double tev_t;                /* its time, +inf when none */
	int firing;                  /* in node_fire: arm() waits for the end of the run of steps */
	int hold_ok;                 /* a run of steps takes held arrivals: one class, every node a
				      * replica */
	int no_chain;                /* llm_set_chain(dc, 0): one event per step (tests) */
	void **chunks;               /* the allocations behind the record pool */
	size_t n_chunks;
	struct batch_req *free_list;
	struct batch_req *done_head; /* completions waiting for dc_finish */
	struct llm_class *cls;
	size_t n_cls;
	uint64_t dropped_kv;         /* requests larger than a node's whole KV cache */
	long *preempt0;              /* per node: preemptions before the measured period */
};

/* ---- record pool ---- */

static struct batch_req *rec_alloc(struct llm_state *L)
{
	if (!L->free_list) {
		/* line-aligned: each 128-byte record is two whole lines (batch.h) */
		struct batch_req *c = xcalloc_aligned(CHUNK * sizeof(struct batch_req), 64);
		L->chunks = xrealloc(L->chunks, (L->n_chunks + 1) * sizeof *L->chunks);
		L->chunks[L->n_chunks++] = c;
		for (int i = CHUNK - 1; i >= 0; i--) {
			c[i].next = L->free_list;
			L->free_list = &c[i];
		}
	}
	struct batch_req *r = L->free_list;
	L->free_list = r->next;
	return r; /* llm_start and batcher_arrive set every field read before it is written */
}

static void rec_free(struct llm_state *L, struct batch_req *r)
{
	r->next = L->free_list;
	L->free_list = r;
}

/* ---- events ---- */

static void node_fire(struct sim *s, void *obj, uint64_t arg);

static void on_done(void *ctx, struct batch_req *r)
{
	struct llm_state *L = ctx;
	r->next = L->done_head; /* order does not matter: each finishes at its own t_done */
	L->done_head = r;
}

/* Keeps the one event-list entry at the earliest replica timer. */
static void arm(struct dc *dc)
{
	struct llm_state *L = dc->llm;
	double t;

	if (L->firing)
		return; /* node_fire arms once it has taken every step it can */
	t = L->timers.n ? wtree_top_key(&L->timers) : INFINITY;
	if (t == L->tev_t)
		return;
	sim_cancel(dc->sim, L->tev);
	L->tev = EVQ_NONE;
	L->tev_t = t;
	if (isfinite(t))
		L->tev = sim_at(dc->sim, t, SIM_PRIO_DEPART, node_fire, dc, 0);
}

/* Pushes the node's power to the datacenter and keeps its timer at the batcher's next time.
 * top: node is the earliest timer, due now (in node_fire), so its key can only move later. */
static inline void resched_node(struct dc *dc, uint32_t node, int top)
{
	struct llm_state *L = dc->llm;
	struct batcher *b = batcher_block_at(&L->bb, node);
	double t = batcher_next_t(b);

	dc_set_node_power(dc, node, batcher_power_w(b));
	if (isfinite(t) && t <= dc->sim->horizon_s) {
		if (t < dc->sim->now)
			t = dc->sim->now;
		if (top)
			wtree_raise_top(&L->timers, t);
		else
			wtree_set(&L->timers, node, t); /* an unchanged key stops at its leaf's parent */
	} else if (wtree_contains(&L->timers, node)) {
		wtree_remove(&L->timers, node);
	}
	if (!top && !L->firing) /* node_fire arms after its run of steps (arm() checks too) */
		arm(dc);
}

static void resched(struct dc *dc, uint32_t node)
{
	resched_node(dc, node, 0);
}

/* Books the completions collected by on_done, then lets dispatch refill. */
static void book_done(struct dc *dc)
{
	struct llm_state *L = dc->llm;
	while (L->done_head) {
		struct batch_req *r = L->done_head;
		L->done_head = r->next;
		uint32_t q = (uint32_t)r->id;
		struct llm_class *c = &L->cls[dc->req[q].cls];
		double ttft = r->t_first_s - dc->req[q].t_arrive; /* from arrival at the datacenter */
		c->completed++;
		c->in_tokens += r->in_tokens;
		c->out_tokens += r->out_tokens;
		c->energy_j += r->energy_j;
		tally_add(&c->ttft_s, ttft);
		qsketch_add(&c->ttft_q, ttft);
		tally_add(&c->admit_s, r->t_admit_s - dc->req[q].t_arrive);
		qsketch_add(&c->admit_q, r->t_admit_s - dc->req[q].t_arrive);
		if (r->out_tokens > 1) {
			double tpot = (r->t_done_s - r->t_first_s) / (r->out_tokens - 1);
			tally_add(&c->tpot_s, tpot);
			qsketch_add(&c->tpot_q, tpot);
		}
		rec_free(L, r);
		dc_finish(dc, q);
	}
}

/* Most calls find nothing to book (an arrival, the end of a prefill): no call then. */
static inline void flush_done(struct dc *dc)
{
	if (dc->llm->done_head)
		book_done(dc);
}

/* After a replica step in node_fire: runs in place dc's held arrival while it comes next
 * (strictly before the earliest replica timer, which is outside the list during the run: at a
 * tie the step goes first, SIM_PRIO_DEPART before SIM_PRIO_ARRIVE, and strictly before every
 * event in the list); then returns 1 when the earliest replica step comes next in the same way
 * (the clock moved to it: sim_chain), 0 when the run of steps ends. With hold_ok, dc's held
 * events are arrivals of its one class, and the arrival run here schedules nothing that a
 * replica step at the same instant and priority could have to precede. */
static int next_in_place(struct sim *s, struct dc *dc)
{
	struct llm_state *L = dc->llm;
	sim_fn fn;
	uint64_t arg;

	for (;;) {
		double t = L->timers.n ? wtree_top_key(&L->timers) : INFINITY;
		if (L->hold_ok && !L->no_chain && sim_take_held_before(s, dc, t, &fn, &arg)) {
			dc->chained++;
			dc_run_held(s, dc, fn, arg); /* holds the class's next arrival */
			continue;
		}
		/* timer keys lie in [now, horizon] (resched_node): sim_chain's own tests of that
		 * always pass here */
		if (!L->timers.n || L->no_chain || !sim_chain(s, t, SIM_PRIO_DEPART))
			return 0;
		s->where = "llm replica event";
		return 1;
	}
}

/* The earliest replica timer is due: that replica takes its step. Its timer stays in the tree
 * for resched to move (one update instead of a removal and an insertion).
 *
 * Then, while the earliest timer is strictly earlier than every event in the event list (the
 * next thing the run loop would pop is this handler again, at that time), the next step is
 * taken here: the clock and the event count move exactly as the run loop would move them, and
 * the event-list entry is pushed once, after the last step, instead of a push and a pop per
 * step. At an exact tie with another event the loop decides, as before. Within the run of
 * steps arm() is deferred, so the one entry is pushed after the last step's completions are
 * booked (before: after its timer moved): only the order between a replica step and a slot
 * completion (the one other SIM_PRIO_DEPART event) scheduled during a replica step for exactly
 * the same instant could differ. A held arrival is fired the same way when it comes next
 * (next_in_place). */
static void node_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct dc *dc = obj;
	struct llm_state *L = dc->llm;

	(void)arg;
	s->where = "llm replica event";
	L->tev = EVQ_NONE;
	L->tev_t = INFINITY;
	L->firing = 1;
	for (;;) {
		uint32_t node = wtree_top(&L->timers);

		batcher_step(batcher_block_at(&L->bb, node), s->now);
		resched_node(dc, node, 1);
		flush_done(dc);
		if (!next_in_place(s, dc))
			break;
	}
	L->firing = 0;
	arm(dc);
}

/* ---- public ---- */

void llm_init(struct dc *dc)
{
	const struct cluster_cfg *cfg = dc->cfg;
	struct llm_state *L;
	int any = 0;

	for (size_t t = 0; t < cfg->n_types; t++)
		any |= cfg->types[t].profile != NULL;
	if (!any)
		return;
	L = xcalloc(1, sizeof *L);
	dc->llm = L;
	L->profiles = xcalloc(cfg->n_types, sizeof *L->profiles);
	for (size_t t = 0; t < cfg->n_types; t++) {
		struct err e = { 0 };
		if (!cfg->types[t].profile)
			continue;
		L->profiles[t] = profile_new(cfg->types[t].profile, &e);
		if (!L->profiles[t])
			sim_fail(dc->sim, __FILE__, __LINE__, "node type %s: %s", cfg->types[t].name,
				 e.msg);
	}
	L->batchers = xcalloc(dc->n_nodes ? dc->n_nodes : 1, sizeof *L->batchers);
	batcher_block_init(&L->bb, dc->n_nodes);
	wtree_init(&L->timers, (uint32_t)dc->n_nodes);
	L->tev = EVQ_NONE;
	L->tev_t = INFINITY;
	L->preempt0 = xcalloc(dc->n_nodes ? dc->n_nodes : 1, sizeof *L->preempt0);
	for (uint32_t n = 0; n < dc->n_nodes; n++) {
		struct profile *p = L->profiles[dc->nodes[n].type];
		if (!p)
			continue;
		L->batchers[n] = batcher_new_in(&L->bb, n, p, dc->sim->now, on_done, L);
		if (cfg->types[dc->nodes[n].type].pstate > 0)
			batcher_set_pstate(L->batchers[n], dc->sim->now,
					   cfg->types[dc->nodes[n].type].pstate);
		dc_set_node_power(dc, n, batcher_power_w(L->batchers[n]));
	}
	/* A run of steps takes held arrivals only with one arrival class and no slot nodes: dc.c
	 * then holds no completion, and an arrival run in place starts no slot completion that
	 * could tie with a later step of the run (see node_fire). */
	L->hold_ok = dc->n_classes == 1;
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		L->hold_ok &= L->batchers[n] != NULL;
	L->n_cls = dc->n_classes;
	L->cls = xcalloc(L->n_cls ? L->n_cls : 1, sizeof *L->cls);
	for (size_t c = 0; c < L->n_cls; c++) {
		qsketch_init(&L->cls[c].ttft_q);
		qsketch_init(&L->cls[c].tpot_q);
		qsketch_init(&L->cls[c].admit_q);
		tally_init(&L->cls[c].ttft_s);
		tally_init(&L->cls[c].tpot_s);
		tally_init(&L->cls[c].admit_s);
	}
}

void llm_fini(struct dc *dc)
{
	struct llm_state *L = dc->llm;

	if (!L)
		return;
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		batcher_free(L->batchers[n]);
	for (size_t t = 0; t < dc->cfg->n_types; t++)
		profile_free(L->profiles[t]);
	for (size_t i = 0; i < L->n_chunks; i++)
		free(L->chunks[i]);
	for (size_t c = 0; c < L->n_cls; c++) {
		qsketch_fini(&L->cls[c].ttft_q);
		qsketch_fini(&L->cls[c].tpot_q);
		qsketch_fini(&L->cls[c].admit_q);
	}
	free(L->cls);
	free(L->chunks);
	wtree_fini(&L->timers);
	free(L->preempt0);
	free(L->batchers);
	batcher_block_fini(&L->bb);
	free(L->profiles);
	free(L);
	dc->llm = NULL;
}

int llm_node(const struct dc *dc, uint32_t node)
{
	return dc->llm && dc->llm->batchers[node] != NULL;
}

void llm_start(struct dc *dc, uint32_t node, uint32_t q)
{
	struct llm_state *L = dc->llm;
	struct request *rq = &dc->req[q];
	struct batch_req *r = rec_alloc(L);

	r->id = q;
	r->in_tokens = rq->in_tokens ? rq->in_tokens : 1;
	r->out_tokens = rq->out_tokens ? rq->out_tokens : 1;
	/* its variant (compression): the batcher scales its prefill, decode steps and power */
	r->vf = dc->cfg->n_variants ? &dc->cfg->variants[rq->variant].f : NULL;
	if (batcher_arrive(batcher_block_at(&L->bb, node), dc->sim->now, r) < 0) {
		/* larger than the replica's whole KV cache: it can never run here */
		rec_free(L, r);
		L->dropped_kv++;
		resched(dc, node);
		flush_done(dc);
		dc_drop_started(dc, q);
		return;
	}
	resched(dc, node);
	flush_done(dc);
}

void llm_set_pstate(struct dc *dc, uint32_t node, int ps)
{
	if (!llm_node(dc, node))
		return;
	batcher_set_pstate(dc->llm->batchers[node], dc->sim->now, ps);
	resched(dc, node);
	flush_done(dc);
}

int llm_sleep(struct dc *dc, uint32_t node, int to_phase)
{
	int rc;

	if (!llm_node(dc, node))
		return -1;
	rc = batcher_sleep(dc->llm->batchers[node], dc->sim->now, (enum profile_phase)to_phase);
	resched(dc, node);
	flush_done(dc);
	return rc;
}

void llm_set_chain(struct dc *dc, int on)
{
	if (dc->llm)
		dc->llm->no_chain = !on;
}

int llm_phase(const struct dc *dc, uint32_t node)
{
	return llm_node(dc, node) ? (int)batcher_phase(dc->llm->batchers[node]) : -1;
}

/* policies branch: the KV view for kv_aware (policy/llm_env.c) */
double llm_kv_free_tokens(const struct dc *dc, uint32_t node)
{
	const struct llm_state *L = dc->llm;
	if (!llm_node(dc, node))
		return 0;
	return profile_kv_capacity_tokens(L->profiles[dc->nodes[node].type]) -
	       batcher_kv_used(L->batchers[node]);
}

int llm_n_pstates(const struct dc *dc, uint32_t node)
{
	const struct llm_state *L = dc->llm;
	return llm_node(dc, node) ? profile_config_of(L->profiles[dc->nodes[node].type])->n_pstates : 0;
}

void llm_reset_stats(struct dc *dc)
{
	struct llm_state *L = dc->llm;

	if (!L)
		return;
	for (size_t c = 0; c < L->n_cls; c++) {
		struct llm_class *k = &L->cls[c];
		qsketch_reset(&k->ttft_q);
		qsketch_reset(&k->tpot_q);
		qsketch_reset(&k->admit_q);
		tally_init(&k->ttft_s);
		tally_init(&k->tpot_s);
		tally_init(&k->admit_s);
		k->energy_j = k->out_tokens = k->in_tokens = 0;
		k->completed = 0;
	}
	L->dropped_kv = 0;
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		if (L->batchers[n])
			L->preempt0[n] = batcher_preemptions(L->batchers[n]);
	for (size_t t = 0; t < dc->cfg->n_types; t++)
		if (L->profiles[t])
			profile_reset_extrapolations(L->profiles[t]);
}

static void report_cls(struct metrics *ms, const char *prefix, const struct llm_class *c)
{
	if (c->ttft_s.n) {
		metrics_setf(ms, c->ttft_s.mean, "s", "%sttft_mean_s", prefix);
		metrics_setf(ms, qsketch_quantile(&c->ttft_q, 0.50), "s", "%sttft_p50_s", prefix);
		metrics_setf(ms, qsketch_quantile(&c->ttft_q, 0.99), "s", "%sttft_p99_s", prefix);
	}
	if (c->admit_s.n) {
		metrics_setf(ms, c->admit_s.mean, "s", "%sadmit_wait_mean_s", prefix);
		metrics_setf(ms, qsketch_quantile(&c->admit_q, 0.99), "s", "%sadmit_wait_p99_s", prefix);
	}
	if (c->tpot_s.n) {
		metrics_setf(ms, c->tpot_s.mean, "s", "%stpot_mean_s", prefix);
		metrics_setf(ms, qsketch_quantile(&c->tpot_q, 0.50), "s", "%stpot_p50_s", prefix);
		metrics_setf(ms, qsketch_quantile(&c->tpot_q, 0.99), "s", "%stpot_p99_s", prefix);
	}
	if (c->completed) {
		metrics_setf(ms, c->out_tokens, "1", "%soutput_tokens", prefix);
		metrics_setf(ms, c->energy_j / 3600.0 / (double)c->completed, "Wh",
			     "%senergy_active_per_request_wh", prefix);
		metrics_setf(ms, c->energy_j / c->out_tokens, "J", "%sj_active_per_output_token",
			     prefix);
	}
}

void llm_report(struct dc *dc, struct metrics *ms)
{
	struct llm_state *L = dc->llm;
	struct llm_class all;
	char prefix[96];
	long extrap = 0;

	if (!L)
		return;
	memset(&all, 0, sizeof all);
	qsketch_init(&all.ttft_q);
	qsketch_init(&all.tpot_q);
	qsketch_init(&all.admit_q);
	tally_init(&all.ttft_s);
	tally_init(&all.tpot_s);
	tally_init(&all.admit_s);
	for (size_t c = 0; c < L->n_cls; c++) {
		const struct llm_class *k = &L->cls[c];
		if (dc->classes[c].cfg->kind != CLASS_LLM)
			continue;
		snprintf(prefix, sizeof prefix, "class.%s.", dc->classes[c].cfg->name);
		report_cls(ms, prefix, k);
		qsketch_merge(&all.ttft_q, &k->ttft_q);
		qsketch_merge(&all.tpot_q, &k->tpot_q);
		qsketch_merge(&all.admit_q, &k->admit_q);
		tally_merge(&all.ttft_s, &k->ttft_s);
		tally_merge(&all.tpot_s, &k->tpot_s);
		tally_merge(&all.admit_s, &k->admit_s);
		all.energy_j += k->energy_j;
		all.out_tokens += k->out_tokens;
		all.in_tokens += k->in_tokens;
		all.completed += k->completed;
	}
	report_cls(ms, "", &all);
	if (all.out_tokens > 0)
		metrics_set(ms, "j_per_output_token", dc_it_energy_j(dc) / all.out_tokens, "J");
	for (size_t t = 0; t < dc->cfg->n_types; t++)
		if (L->profiles[t])
			extrap += profile_extrapolations(L->profiles[t]);
	metrics_set(ms, "profile_extrapolations", (double)extrap, "1");
	{
		long pre = 0;
		for (uint32_t n = 0; n < dc->n_nodes; n++)
			if (L->batchers[n])
				pre += batcher_preemptions(L->batchers[n]) - L->preempt0[n];
		metrics_set(ms, "kv_preemptions", (double)pre, "1");
	}
	metrics_set(ms, "requests_dropped_kv", (double)L->dropped_kv, "1");
	qsketch_fini(&all.ttft_q);
	qsketch_fini(&all.tpot_q);
	qsketch_fini(&all.admit_q);
}
