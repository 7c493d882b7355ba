/* batch.c — continuous batching on one LLM serving replica, in virtual time (see batch.h).
 *
 * Invariants between calls: b->t is the last time processed and energy, V (decode steps done)
 * and W (energy charged per decoding sequence) are integrated up to it; power_w and step_s are
 * those of the current phase and batch; the run (order[0 .. ndec-1]) holds exactly the decoding
 * requests sorted by (v_finish, id), the earliest first (entries carry v_finish; a preemption
 * finds its entry by a scan), and with
 * the PAGED rule (the only one that preempts) the admission-ordered list holds the same
 * requests (without it the list is empty: a completion then touches no neighbour); kv_used is
 * the sum over admitted, unfinished
 * requests of in + out (RESERVE) or of kv_base + (V - v_join) (PAGED: prompt + tokens
 * generated); in STALL mode V and W are frozen while a prefill batch runs. pf_dec (pf_pre) is
 * the sum of the power factors of the decoding (prefilling) requests; with no variant factors
 * every one is 1.0 and the sums are exact integers, so power, V and every time are bit for bit
 * those of the profile's model.
 * t_next is batcher_next_t of the current state: recomputed (refresh_next) at the end of every
 * change, since the event loop asks for it after each call and batcher_advance before each step;
 * while a stalling prefill runs on a replica that is on, t_next is that prefill's end (set at
 * its admission, and kept by refresh_next: nothing else is stored for it).
 * rows and phase_w cache the profile's figures for the current power-cap state (cache_pstate);
 * lookups outside the table still go through the profile, which counts extrapolations.
 * Short paths: a replica with a stalling prefill and reserved KV (fast), when on, admits an
 * arrival that finds nothing prefilling or waiting directly (arrive_alone) and takes its steps
 * without settle's general phase test (take_steps); each computes the same fields in the same
 * order as the general path (batcher_set_generic_ turns them off for the tests that compare).
 */
#include "dc/batch.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

enum power_state { PS_ON = 0, PS_SLEEP, PS_OFF, PS_WAKING };

/* A decoding request in the run with its virtual finish inline, so that an insertion compares
 * entries of one array instead of reading a record (a cache miss at 1,000 replicas) per
 * comparison; the record's id breaks the rare ties. */
struct run_ent {
	double v_finish;
	struct batch_req *r;
};

/* Fields by the events that read them, the object aligned to 128 bytes: a pair of cache lines,
 * which an adjacent-line prefetcher fetches together (assumed for this machine's L2, not
 * measured: docs/performance.md, the seventh LLM pass). At 1,000 replicas a replica's lines
 * have left the core's L2 cache when its next event comes, so each line (pair) an event reads
 * is a miss: on the short paths (fast, on) a completion reads lines 0-1 only, an arrival and
 * the end of a prefill lines 0-3, and the rest (general paths, PAGED, sleep, growing the run)
 * lies after them. An arrival mostly finds lines 0-1 still cached (cachegrind: least-loaded
 * sends it to a replica whose load has just fallen, by a completion), and the end of its
 * prefill comes a few tens of ms after it, with lines 0-3 still cached. */
struct batcher {
	/* line 0: every event */
	struct batcher_out out; /* t_next and power_w, read inline (batch.h); first member */
	double t, v, w, step_s; /* last time processed; V, W; decode step time */
	struct run_ent *order; /* decoding requests sorted by (v_finish, id): the run (run_*) */
	int ndec, npre;         /* decoding; prefilling (STALL) */
	/* line 1: every event */
	unsigned char pw_state; /* enum power_state */
	unsigned char stall;    /* prefill_mode == STALL */
	unsigned char paged;    /* kv_admission == PAGED */
	unsigned char fast;     /* stall && !paged: the short paths apply (arrive_alone, take_steps)
				 * when on; 0 for tests (batcher_set_generic_) */
	unsigned char dec_run;  /* decoding runs (phase DECODE: V and W advance) as of the last settle */
	uint16_t rows_n;        /* rows (at most 65,535 of the profile's: larger batches ask it) */
	double energy_j;
	double pf_dec;          /* sum of the power factors of the decoding requests */
	double kv_used;
	/* the power-cap state's tabulated decode batches (cache_pstate) */
	const struct profile_decode_row *rows;
	batch_done_fn done;
	void *ctx;
	struct batch_req *wait_head; /* waiting FIFO */
	/* line 2: arrivals, the end of a prefill */
	double pf_pre;          /* sum of the power factors of the prefilling requests */
	struct batch_req *pre_head; /* prefill batch in progress (STALL); it ends at out.t_next (the
				     * replica is on) */
	double pre_start;
	double kv_cap;
	/* one prompt's prefill time: the profile's table and the power-cap state's time scale
	 * (cache_pstate; prefill_one_s); phase_w[PROFILE_PREFILL] */
	const struct profile_prefill_tab *pf;
	double pf_scale;
	double prefill_w;
	int max_batch;
	/* line 3: the end of a prefill, a replica falling idle */
	struct run_ent *order_end; /* order_mem + order_cap: the run has no room after it there */
	/* whole-replica power of the phases that do not depend on the batch (OFF, SLEEP, IDLE,
	 * PREFILL; cache_pstate) */
	double phase_w[PROFILE_DECODE];
	struct batch_req *wait_tail;
	double kv_admit_cap;    /* admit below kv_admit_cap (PAGED: 1% watermark) */
	int pstate;
	int max_prefill_batch;  /* >= 1 */
	/* line 4 on: general paths and rare events */
	struct batch_req *dec_head, *dec_tail; /* PAGED: decoding, in admission order */
	struct profile *p;
	int nwait;
	int order_cap;          /* entries from order_mem */
	struct run_ent *order_mem; /* the allocation the run lies in (order >= order_mem) */
	double t_wake_end;
	long wakeups, preemptions;
	void *mem;              /* this object when it owns its allocation; NULL in a block */
};
_Static_assert(sizeof(void *) != 8 || (offsetof(struct batcher, pw_state) == 64 &&
					offsetof(struct batcher, pf_pre) == 128 &&
					offsetof(struct batcher, order_end) == 192 &&
					offsetof(struct batcher, dec_head) == 256),
	       "struct batcher: cache lines as documented (64-bit pointers)");

_Static_assert(sizeof(void *) != 8 || (offsetof(struct batch_req, v_join) == 88 &&
					sizeof(struct batch_req) == 128),
	       "struct batch_req: two whole lines, the fields of later events first (batch.h)");

/* Tokens to prefill at r's next admission: its prompt and the output it has produced (a
 * preempted request recomputes both). todo_out stays as it was since r last left the batch (or
 * arrived), so this is what a stored count would hold. */
static inline double todo_in(const struct batch_req *r)
{
	return r->in_tokens + (r->out_tokens - r->todo_out);
}

/* The profile's own model: what a request without variant factors costs. */
static const struct batch_factors unit_factors = { 1.0, 1.0, 1.0 };

static const struct batch_factors *factors(const struct batch_req *r)
{
	return r->vf ? r->vf : &unit_factors;
}

/* --- the run of decoding requests -------------------------------------------------------- */

/* The decoding requests are kept sorted by (v_finish, id), the earliest at order[0], in an
 * array whose front moves: taking the earliest (a completion) advances order, an insertion (a
 * join) moves only the entries that finish after it, and a request joining finishes, as a
 * rule, after most of those already decoding (it has all its tokens to go), so a join compares
 * and moves one or two entries where a binary heap sifted through its levels with a
 * mispredicted branch at each. The order, and so the order of completions, is a heap's on the
 * same key: (v_finish, id) is a strict order (ids differ). */
static int before(const struct run_ent *a, const struct run_ent *c)
{
	return a->v_finish < c->v_finish || (a->v_finish == c->v_finish && a->r->id < c->r->id);
}

/* Room for one more entry after the run: slides it to the front of its array when that frees at
 * least half, else doubles the array. */
static __attribute__((noinline)) void run_make_room(struct batcher *b)
{
	size_t n = (size_t)b->ndec;

	if (b->order_mem && 2 * n <= (size_t)b->order_cap) {
		memmove(b->order_mem, b->order, n * sizeof *b->order);
	} else {
		int cap = b->order_cap ? 2 * b->order_cap : 64;
		struct run_ent *mem = xmalloc((size_t)cap * sizeof *mem);
		if (n)
			memcpy(mem, b->order, n * sizeof *mem);
		free(b->order_mem);
		b->order_mem = mem;
		b->order_cap = cap;
		b->order_end = mem + cap;
	}
	b->order = b->order_mem;
}

static inline __attribute__((always_inline)) void run_insert(struct batcher *b,
								struct batch_req *r, double v_finish)
{
	struct run_ent e = { v_finish, r };
	int i;

	if (b->order + b->ndec == b->order_end)
		run_make_room(b);
	for (i = b->ndec++; i > 0 && before(&e, &b->order[i - 1]); i--)
		b->order[i] = b->order[i - 1];
	b->order[i] = e;
}

/* Takes the earliest (ndec > 0). */
static struct batch_req *run_pop(struct batcher *b)
{
	struct batch_req *r = b->order[0].r;

	b->order++;
	if (!--b->ndec)
		b->order = b->order_mem; /* empty: start again at the front */
	return r;
}

/* Removes r (decoding): a scan, as only a preemption removes from the middle. */
static void run_remove(struct batcher *b, const struct batch_req *r)
{
	int i = 0;

	while (b->order[i].r != r)
		i++;
	b->ndec--;
	memmove(&b->order[i], &b->order[i + 1], (size_t)(b->ndec - i) * sizeof *b->order);
}

static void list_remove(struct batcher *b, struct batch_req *r)
{
	if (r->lprev)
		r->lprev->lnext = r->lnext;
	else
		b->dec_head = r->lnext;
	if (r->lnext)
		r->lnext->lprev = r->lprev;
	else
		b->dec_tail = r->lprev;
	r->lprev = r->lnext = NULL;
}

/* --- state --------------------------------------------------------------------------------- */

enum profile_phase batcher_phase(const struct batcher *b)
{
	if (b->pw_state != PS_ON) /* a waking replica draws idle power */
		return b->pw_state == PS_OFF ? PROFILE_OFF :
		       b->pw_state == PS_SLEEP ? PROFILE_SLEEP : PROFILE_IDLE;
	if (b->stall && b->npre > 0)
		return PROFILE_PREFILL;
	if (b->ndec > 0)
		return PROFILE_DECODE;
	return PROFILE_IDLE;
}

/* Caches what update_rate needs of power-cap state b->pstate: the values the profile returns. */
static void cache_pstate(struct batcher *b)
{
	int n;

	b->rows = profile_decode_rows(b->p, b->pstate, &n);
	b->rows_n = (uint16_t)(n < UINT16_MAX ? n : UINT16_MAX); /* (rows past it: the profile) */
	for (int ph = PROFILE_OFF; ph < PROFILE_DECODE; ph++)
		b->phase_w[ph] = profile_node_power_w(b->p, (enum profile_phase)ph, 0, b->pstate);
	b->prefill_w = b->phase_w[PROFILE_PREFILL];
	b->pf = profile_prefill_table(b->p);
	b->pf_scale = profile_config_of(b->p)->pstates[b->pstate].prefill_time_scale;
}

/* profile_prefill_s(p, tokens, 1, pstate) (one prompt), bit for bit: an integer count inside
 * the profile's table is read here (the same factors, multiplied in the same order), anything
 * else asks the profile (which counts extrapolations). */
static inline double prefill_one_s(struct batcher *b, double tokens)
{
	const struct profile_prefill_tab *pt = b->pf;

	if (tokens >= pt->lo && tokens < pt->n) {
		size_t i = (size_t)tokens;
		if ((double)i == tokens) {
			double t = pt->t[i];
			if (t == 0)
				t = profile_prefill_fill(b->p, i);
			t *= pt->bf1;
			return t * b->pf_scale;
		}
	}
	return profile_prefill_s(b->p, tokens, 1, b->pstate);
}

/* Decode step time and node power with n requests decoding: the profile's table, or (outside
 * it, or an extrapolated batch) the profile's evaluating path, which counts extrapolations. */
static __attribute__((noinline, cold)) double step_off_table(const struct batcher *b, int n)
{
	return profile_decode_step_s(b->p, n, b->pstate);
}

static __attribute__((noinline, cold)) double decode_power_off_table(const struct batcher *b,
								    int n)
{
	return profile_node_power_w(b->p, PROFILE_DECODE, n, b->pstate);
}

/* (the evaluating calls out of line: the table lookups stay free of a call's register saves) */
static double step_of(const struct batcher *b, int n)
{
	if (n < b->rows_n && !b->rows[n].step_clamped)
		return b->rows[n].step_s;
	return step_off_table(b, n);
}

static double decode_power_of(const struct batcher *b, int n)
{
	if (n < b->rows_n && !b->rows[n].power_clamped)
		return b->rows[n].node_w;
	return decode_power_off_table(b, n);
}

/* Recomputes step time and power after any change of phase, batch or power-cap state (and
 * dec_run, which accrue reads until the next change). */
static inline void update_rate(struct batcher *b)
{
	enum profile_phase ph = batcher_phase(b);
	/* the running requests' variants scale the replica's power by their mean power factor */
	if (ph == PROFILE_DECODE)
		b->out.power_w = decode_power_of(b, b->ndec) * (b->pf_dec / b->ndec);
	else if (ph == PROFILE_PREFILL)
		b->out.power_w = b->phase_w[ph] * (b->pf_pre / b->npre);
	else
		b->out.power_w = b->phase_w[ph];
	if (b->ndec > 0)
		b->step_s = step_of(b, b->ndec);
	b->dec_run = ph == PROFILE_DECODE;
}

/* Integrates energy, V and W from b->t to t. */
static inline __attribute__((always_inline)) void accrue(struct batcher *b, double t)
{
	double dt = t - b->t;
	if (dt <= 0) {
		assert(dt >= -1e-9 * (1 + fabs(t)));
		return;
	}
	b->energy_j += b->out.power_w * dt;
	if (b->dec_run) {
		b->v += dt / b->step_s;
		b->w += b->out.power_w / b->ndec * dt;
		if (b->paged) /* every decoding request adds one token per step */
			b->kv_used += b->ndec * dt / b->step_s;
	}
	b->t = t;
}

/* KV tokens r holds now (it is decoding, or joined at this V). */
static double kv_held(const struct batcher *b, const struct batch_req *r)
{
	return b->paged ? r->kv_base + (b->v - r->v_join) : r->in_tokens + r->out_tokens;
}

static void complete(struct batcher *b, struct batch_req *r, double t)
{
	r->t_done_s = t > r->t_first_s ? t : r->t_first_s;
	b->kv_used -= kv_held(b, r);
	if (b->kv_used < 0 && b->kv_used > -1e-6 * (1 + b->kv_cap))
		b->kv_used = 0; /* PAGED: rounding of the linear fill */
	if (b->done)
		b->done(b->ctx, r);
}

static inline __attribute__((always_inline)) void join_decode(struct batcher *b,
								 struct batch_req *r, double tokens)
{
	r->v_join = b->v;
	r->w_join = b->w;
	b->pf_dec += factors(r)->power;
	run_insert(b, r, b->v + tokens); /* its virtual finish lives in its entry of the run */
	if (!b->paged)
		return; /* nothing but a PAGED preemption asks for the admission order */
	r->lnext = NULL;
	r->lprev = b->dec_tail;
	if (b->dec_tail)
		b->dec_tail->lnext = r;
	else
		b->dec_head = r;
	b->dec_tail = r;
}

/* PAGED, the cache is full: the most recently admitted decoding request gives its cache back
 * and returns to the head of the queue with its output so far (recomputed when readmitted). */
static void preempt(struct batcher *b)
{
	struct batch_req *r = b->dec_tail;
	double steps = floor(b->v - r->v_join + 1e-9), done;
	list_remove(b, r);
	run_remove(b, r);
	b->pf_dec = b->ndec ? b->pf_dec - factors(r)->power : 0;
	r->energy_j += b->w - r->w_join;
	b->kv_used -= kv_held(b, r);
	if (b->stall)
		done = steps; /* the prefill's token was already taken off todo_out */
	else
		done = steps >= r->pre_steps ? 1 + floor(steps - r->pre_steps) : 0;
	if (done > r->todo_out - 1)
		done = r->todo_out - 1;
	r->todo_out -= done;
	r->preemptions++;
	b->preemptions++;
	r->next = b->wait_head;
	b->wait_head = r;
	if (!b->wait_tail)
		b->wait_tail = r;
	b->nwait++;
}

/* Admits waiting requests that fit, FIFO (head-of-line blocking, as vLLM's FCFS scheduler). */
static void try_admit(struct batcher *b, double t)
{
	if (b->pw_state != PS_ON || (b->stall && b->npre > 0) || !b->wait_head)
		return;
	struct batch_req *first = NULL, *last = NULL;
	int k = 0;
	double tokens = 0, tokens_scaled = 0, pf = 0;
	while (b->wait_head) {
		struct batch_req *r = b->wait_head;
		double in_now = todo_in(r);
		double need = b->paged ? in_now + 1 : r->in_tokens + r->out_tokens;
		/* the watermark never blocks an empty cache: a request that fits the whole cache
		 * (checked on arrival) must be able to run alone */
		double cap = b->kv_used < 0.5 && k == 0 ? b->kv_cap : b->kv_admit_cap;
		if (b->ndec + k + 1 > b->max_batch || b->kv_used + need > cap ||
		    (b->stall && k + 1 > b->max_prefill_batch))
			break;
		b->wait_head = r->next;
		if (!b->wait_head)
			b->wait_tail = NULL;
		b->nwait--;
		r->next = NULL;
		if (isnan(r->t_admit_s))
			r->t_admit_s = t;
		r->kv_base = need;
		b->kv_used += need;
		tokens += in_now;
		tokens_scaled += in_now * factors(r)->time_prefill;
		pf += factors(r)->power;
		k++;
		if (b->stall) {
			if (last)
				last->next = r;
			else
				first = r;
			last = r;
		} else {
			/* chunked prefill rides along the decode steps: the request holds its batch
			 * slot for the steps its prefill takes at the current step time, then
			 * decodes; its first token is reported at admission + prefill time */
			double pre = prefill_one_s(b, in_now) *
				     factors(r)->time_prefill;
			double s = step_of(b, b->ndec + 1);
			double steps = ceil(pre / s);
			if (isnan(r->t_first_s))
				r->t_first_s = t + pre;
			r->pre_steps = steps < 1 ? 1 : steps;
			join_decode(b, r, r->pre_steps + (r->todo_out - 1) * factors(r)->time_decode);
		}
	}
	if (b->stall && k > 0) {
		b->pre_head = first;
		b->npre = k;
		b->pf_pre = pf;
		b->pre_start = t;
		/* the batch's measured prefill time, scaled by its token-weighted time factor */
		b->out.t_next = t + (k == 1 ? prefill_one_s(b, tokens) :
					     profile_prefill_s(b->p, tokens, k, b->pstate)) *
					   (tokens_scaled / tokens);
	}
}

/* The end of the prefill batch at t: first tokens, energy shares, then decode. */
static inline __attribute__((always_inline)) void finish_prefill(struct batcher *b, double t)
{
	double share = b->out.power_w * (t - b->pre_start) / b->npre;
	struct batch_req *r = b->pre_head;
	b->pre_head = NULL;
	b->npre = 0;
	b->pf_pre = 0;
	while (r) {
		struct batch_req *nx = r->next;
		r->next = NULL;
		if (isnan(r->t_first_s))
			r->t_first_s = t;
		r->energy_j += share;
		r->todo_out -= 1; /* the prefill produces a token */
		if (r->todo_out > 0) {
			join_decode(b, r, r->todo_out * factors(r)->time_decode);
		} else {
			r->v_join = b->v;
			complete(b, r, t);
		}
		r = nx;
	}
}

/* Sets t_next, the real time of the next internal change, from the current state; called
 * after every change of state, after update_rate (dec_run), and after an accrue (the value
 * depends on b->t and V, so on where the last accrue stopped). */
static inline void refresh_next(struct batcher *b)
{
	double nt = INFINITY;

	if (b->dec_run) { /* on, decoding, no stalling prefill: the earliest finish (or full cache) */
		double dv = b->order[0].v_finish - b->v;
		if (b->paged) {
			double full = (b->kv_cap - b->kv_used) / b->ndec;
			if (full < dv)
				dv = full;
		}
		nt = b->t + (dv > 0 ? dv : 0) * b->step_s;
	} else if (b->pw_state == PS_WAKING) {
		nt = b->t_wake_end;
	} else if (b->pw_state == PS_ON && b->stall && b->npre > 0) {
		nt = b->out.t_next; /* the prefill's end, set at its admission */
	}
	b->out.t_next = nt;
}

/* After any change of phase, batch or power-cap state: rates, then the next time. */
static void settle(struct batcher *b)
{
	update_rate(b);
	refresh_next(b);
}

/* PAGED: the cache fills before the next completion. */
static int cache_full_first(const struct batcher *b)
{
	return b->paged && b->ndec > 0 &&
	       (b->kv_cap - b->kv_used) / b->ndec < b->order[0].v_finish - b->v;
}

/* The completions due at nt (V snapped to the finish that defined nt). */
static inline void complete_due(struct batcher *b, double nt)
{
	if (b->v < b->order[0].v_finish)
		b->v = b->order[0].v_finish;
	double eps = 1e-9 * (1 + b->v);
	while (b->ndec > 0 && b->order[0].v_finish <= b->v + eps) {
		struct batch_req *r = run_pop(b);
		if (b->paged)
			list_remove(b, r);
		b->pf_dec = b->ndec ? b->pf_dec - factors(r)->power : 0;
		r->energy_j += b->w - r->w_join;
		complete(b, r, nt);
	}
}

/* Takes every internal step due at or before t (none when b->out.t_next > t). */
static inline __attribute__((always_inline)) void steps_body(struct batcher *b, double t)
{
	while (b->out.t_next <= t) {
		double nt = b->out.t_next;
		if (nt < b->t)
			nt = b->t;
		if (b->fast && b->pw_state == PS_ON) {
			/* the common replica (stalling prefill, reserved KV, on): the end of a prefill
			 * batch or completions; with nothing waiting the phase after is DECODE or IDLE
			 * (what settle computes, without asking for it) */
			int pre = b->npre > 0;
			accrue(b, nt);
			if (pre)
				finish_prefill(b, nt);
			else
				complete_due(b, nt);
			if (b->wait_head) {
				try_admit(b, nt);
				settle(b);
			} else if (b->ndec > 0) {
				int n = b->ndec;
				const struct profile_decode_row *row = n < b->rows_n ? &b->rows[n] : NULL;
				if (row && !row->step_clamped && !row->power_clamped) {
					/* (decode_power_of and step_of on one row) */
					b->out.power_w = row->node_w * (b->pf_dec / n);
					b->step_s = row->step_s;
				} else {
					b->out.power_w = decode_power_of(b, n) * (b->pf_dec / n);
					b->step_s = step_of(b, n);
				}
				b->dec_run = 1;
				double dv = b->order[0].v_finish - b->v;
				b->out.t_next = b->t + (dv > 0 ? dv : 0) * b->step_s;
			} else {
				b->out.power_w = b->phase_w[PROFILE_IDLE];
				b->dec_run = 0;
				b->out.t_next = INFINITY;
			}
			continue;
		}
		int kind = b->pw_state == PS_WAKING ? 0 : (b->stall && b->npre > 0) ? 1 :
			   cache_full_first(b) ? 3 : 2;
		accrue(b, nt);
		if (kind == 0)
			b->pw_state = PS_ON;
		else if (kind == 1)
			finish_prefill(b, nt);
		else if (kind == 3)
			preempt(b);
		else
			complete_due(b, nt);
		try_admit(b, nt);
		settle(b);
	}
}

/* Out of line for advance (an arrival between steps takes none); batcher_step has its own. */
static void take_steps(struct batcher *b, double t)
{
	steps_body(b, t);
}

/* batcher_advance without the final refresh_next: returns 1 when the last accrue moved the
 * clock (t_next is then stale until the caller's refresh_next or settle). Inline, with the
 * steps out of line: an arrival between steps (the common case) takes none. */
static inline int advance(struct batcher *b, double t)
{
	if (b->out.t_next <= t)
		take_steps(b, t);
	if (t == b->t) /* a replica step: the loop's last accrue reached t */
		return 0;
	accrue(b, t);
	return b->t == t;
}

void batcher_advance(struct batcher *b, double t)
{
	if (advance(b, t))
		refresh_next(b);
}

void batcher_step(struct batcher *b, double t)
{
	steps_body(b, t);
	if (t != b->t) { /* (as advance: the steps stopped short of t) */
		accrue(b, t);
		if (b->t == t)
			refresh_next(b);
	}
}

/* --- public -------------------------------------------------------------------------------- */

/* Sets up the zeroed, line-aligned object at b (owning mem, or NULL: a block's). */
static struct batcher *batcher_setup(struct batcher *b, void *mem, struct profile *p, double t0_s,
				     batch_done_fn done, void *ctx)
{
	const struct profile_config *c = profile_config_of(p);
	b->mem = mem;
	b->p = p;
	b->done = done;
	b->ctx = ctx;
	b->max_batch = c->max_batch;
	/* a prefill batch holds at most the largest measured batch (no extrapolation) */
	b->max_prefill_batch = c->prefill_batch_factor.n > 1 ?
		(int)c->prefill_batch_factor.x[c->prefill_batch_factor.n - 1] : c->max_batch;
	if (b->max_prefill_batch < 1)
		b->max_prefill_batch = 1;
	b->stall = c->prefill_mode == PROFILE_PREFILL_STALL;
	b->paged = c->kv_admission == PROFILE_KV_PAGED;
	b->fast = b->stall && !b->paged;
	b->kv_cap = profile_kv_capacity_tokens(p);
	/* vLLM keeps 1% of the cache blocks free at admission (watermark, default 0.01) */
	b->kv_admit_cap = b->paged ? 0.99 * b->kv_cap : b->kv_cap;
	b->t = t0_s;
	cache_pstate(b);
	settle(b);
	return b;
}

struct batcher *batcher_new(struct profile *p, double t0_s, batch_done_fn done, void *ctx)
{
	struct batcher *b = xcalloc_aligned(sizeof(struct batcher), 128);
	return batcher_setup(b, b, p, t0_s, done, ctx);
}

void batcher_block_init(struct batcher_block *bb, size_t n)
{
	bb->stride = (sizeof(struct batcher) + 127) & ~(size_t)127;
	bb->base = xcalloc_aligned((n ? n : 1) * bb->stride, 128);
}

void batcher_block_fini(struct batcher_block *bb)
{
	free(bb->base);
	bb->base = NULL;
	bb->base = NULL;
}

struct batcher *batcher_new_in(struct batcher_block *bb, size_t i, struct profile *p,
			       double t0_s, batch_done_fn done, void *ctx)
{
	return batcher_setup(batcher_block_at(bb, i), NULL, p, t0_s, done, ctx);
}

void batcher_free(struct batcher *b)
{
	if (!b)
		return;
	free(b->order_mem);
	free(b->mem); /* NULL in a block */
}

/* Queues r at t (advance already done); wakes a sleeping replica. */
static inline int enqueue(struct batcher *b, double t, struct batch_req *r)
{
	assert(!b->paged || !r->vf); /* PAGED counts one KV token per request per step */
	if (r->in_tokens + r->out_tokens > b->kv_cap) {
		return -1;
	}
	r->t_admit_s = r->t_first_s = r->t_done_s = NAN;
	r->energy_j = 0;
	r->preemptions = 0;
	r->todo_out = r->out_tokens;
	r->next = r->lprev = r->lnext = NULL;
	if (b->wait_tail)
		b->wait_tail->next = r;
	else
		b->wait_head = r;
	b->wait_tail = r;
	b->nwait++;
	if (b->pw_state == PS_SLEEP || b->pw_state == PS_OFF) {
		b->t_wake_end = t + profile_wake_s(b->p, b->pw_state == PS_OFF ? PROFILE_OFF :
			PROFILE_SLEEP);
		b->pw_state = PS_WAKING;
		b->wakeups++;
	}
	return 0;
}

/* The callers below settle at the end, which refreshes t_next: advance() needs no refresh of
 * its own (on the arrival of every request). */
/* batcher_arrive when the request is admitted at once as a prefill batch of its own (STALL,
 * RESERVE, the replica on, nothing prefilling or waiting, and it fits): what enqueue and
 * try_admit do then, without the queue's links and the admission loop (every field and sum
 * as they compute it). Returns 0, or -1 when it does not apply (nothing changed). */
static inline int arrive_alone(struct batcher *b, double t, struct batch_req *r)
{
	double need = r->in_tokens + r->out_tokens;
	const struct batch_factors *f = factors(r);

	/* try_admit's tests for a first request: without PAGED its cap is kv_cap either way
	 * (kv_admit_cap == kv_cap), and max_prefill_batch >= 1 */
	if (need > b->kv_cap || b->ndec + 1 > b->max_batch || b->kv_used + need > b->kv_cap)
		return -1;
	r->t_admit_s = t;
	r->t_first_s = r->t_done_s = NAN;
	r->energy_j = 0;
	r->preemptions = 0;
	r->todo_out = r->out_tokens;
	r->next = r->lprev = r->lnext = NULL;
	r->kv_base = need;
	b->kv_used += need;
	b->pre_head = r;
	b->npre = 1;
	b->pf_pre = 0.0 + f->power;
	b->pre_start = t;
	/* (todo_in(r) is in_tokens: nothing generated yet) */
	double tokens = 0.0 + r->in_tokens, tokens_scaled = 0.0 + r->in_tokens * f->time_prefill;
	double t_end = t + prefill_one_s(b, tokens) * (tokens_scaled / tokens);
	/* settle: the phase is PREFILL (on, stalling, one prompt) */
	b->out.power_w = b->prefill_w * (b->pf_pre / b->npre);
	if (b->ndec > 0)
		b->step_s = step_of(b, b->ndec); /* (as settle: it may count an extrapolation) */
	b->dec_run = 0;
	b->out.t_next = t_end;
	return 0;
}

int batcher_arrive(struct batcher *b, double t, struct batch_req *r)
{
	advance(b, t);
	if (b->fast && b->pw_state == PS_ON && !b->npre && !b->wait_head &&
	    arrive_alone(b, t, r) == 0)
		return 0;
	if (enqueue(b, t, r) < 0) {
		refresh_next(b);
		return -1;
	}
	try_admit(b, t);
	settle(b);
	return 0;
}

int batcher_arrive_n(struct batcher *b, double t, struct batch_req **r, int n)
{
	int dropped = 0;
	advance(b, t);
	for (int i = 0; i < n; i++)
		dropped += enqueue(b, t, r[i]) < 0;
	try_admit(b, t);
	settle(b);
	return dropped;
}

void batcher_set_generic_(struct batcher *b, int on)
{
	b->fast = !on && b->stall && !b->paged;
}

void batcher_set_pstate(struct batcher *b, double t, int ps)
{
	batcher_advance(b, t);
	if (ps < 0 || ps >= profile_config_of(b->p)->n_pstates)
		return;
	b->pstate = ps;
	cache_pstate(b);
	settle(b);
}

int batcher_sleep(struct batcher *b, double t, enum profile_phase to)
{
	batcher_advance(b, t);
	if (b->pw_state != PS_ON || b->ndec || b->nwait || b->npre ||
	    (to != PROFILE_SLEEP && to != PROFILE_OFF))
		return -1;
	b->pw_state = to == PROFILE_OFF ? PS_OFF : PS_SLEEP;
	settle(b);
	return 0;
}

double batcher_energy_j(const struct batcher *b, double t)
{
	return b->energy_j + (t > b->t ? b->out.power_w * (t - b->t) : 0);
}

int batcher_decoding(const struct batcher *b)
{
	return b->ndec;
}

int batcher_waiting(const struct batcher *b)
{
	return b->nwait;
}

int batcher_prefilling(const struct batcher *b)
{
	return b->npre;
}

double batcher_kv_used(const struct batcher *b)
{
	return b->kv_used;
}

long batcher_wakeups(const struct batcher *b)
{
	return b->wakeups;
}

long batcher_preemptions(const struct batcher *b)
{
	return b->preemptions;
}
