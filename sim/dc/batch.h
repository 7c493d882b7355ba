/* batch.h — continuous batching on one LLM serving replica, in virtual time.
 *
 * The replica serves requests the way vLLM does: a FIFO of waiting requests; a request is
 * admitted when the batch has room (max_batch) and its KV cache fits; admitted requests are
 * prefilled, then decode one token per decode step together. KV admission (profile
 * kv_admission): RESERVE (default) — the whole footprint, input + output tokens, must fit at
 * admission and is held to the end, so nothing is ever preempted; PAGED — as vLLM's paged
 * cache: admission needs the prompt + 1 token below a 1% watermark, the cache then grows by one
 * token per decoding request per step, and when it is full the most recently admitted decoding
 * request is preempted (its cache freed, its output so far kept; it goes back to the head of
 * the queue and is recomputed: prompt + output so far prefilled again). In virtual time the
 * cache fill is linear in V, so "cache full" is one more predictable event.
 *
 * Processor sharing with a batch-dependent rate: every decoding request advances one token per
 * step and a step takes s(b) seconds with b requests decoding, so the virtual time V (decode
 * steps done) advances at rate 1/s(b) between events. A request that joins at V0 with k tokens
 * to go finishes at V0 + k: it sits in a run of the decoding requests sorted by that virtual
 * finish, and the only thing the event loop needs is the next real time anything happens
 * (batcher_next_t): the earliest virtual finish converted at the current rate, the end of a
 * prefill, or the end of a wake-up. A request therefore costs a fixed number of events
 * (arrival, end of its prefill batch, completion) whatever its token counts, and in the run a
 * removal from its front and an insertion that moves the entries finishing after it (as a
 * rule few: it joins with all its tokens to go; at worst the batch).
 *
 * Prefill (profile prefill_mode): STALL — the requests admitted together are prefilled as one
 * batch that stalls decoding (V frozen), as vLLM without chunked prefill; their first token
 * comes at the end of the prefill, then they join the decode batch with out - 1 tokens to go.
 * FOLDED — the decode step time already contains the interleaved (chunked) prefill of the
 * measured workload: an admitted request joins the decode batch at once, holds its slot for
 * ceil(prefill time / step time) steps (its prompt's chunks), then decodes out - 1 more tokens;
 * its first token is reported at admission + prefill time of its prompt (modelled).
 *
 * Power is piecewise constant (profile_node_power_w of the phase, batch and power-cap state)
 * and integrated exactly at every change. Energy is also attributed to requests: during decode
 * each of the b requests is charged P/b (an accumulator in the same virtual-time spirit), a
 * prefill batch's energy is split among its requests; idle, sleep and wake energy stay with the
 * replica. Sleep/off: an empty replica can be put to sleep or off; an arrival wakes it (wake
 * latency at idle power, from the profile).
 */
#ifndef MAASIM_BATCH_H
#define MAASIM_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "dc/profile.h"

/* A model variant's cost relative to the profile's own model (compression, policy/compress.c):
 * prefill and decode time factors (the request's prefill takes time_prefill x the profile's
 * time; each of its output tokens costs time_decode dense decode steps of the shared batch) and
 * a power factor (the replica's power is the profile's times the mean power factor of the
 * requests in the running phase). Factors of 1 give exactly the profile's figures. */
struct batch_factors {
	double time_prefill, time_decode, power;
};

/* One LLM request. The caller owns it and must keep it alive until the done callback.
 * 128 bytes, so that a record in a line-aligned pool (llm.c's) is two whole lines: at 1,000
 * replicas about 6,300 requests are in flight, and their records are the largest part of what
 * the simulation touches between a replica's events. Fields in the order the batcher reads
 * them: the first 96 bytes hold everything the end of a prefill and a completion touch (the
 * rest only on admission or a preemption). */
struct batch_req {
	/* read at the end of its prefill and at its completion */
	uint32_t id;            /* the caller's */
	int32_t preemptions;    /* result: times this request was preempted (PAGED) */
	double in_tokens;       /* prompt tokens, >= 1 */
	double out_tokens;      /* output tokens, >= 1 */
	const struct batch_factors *vf; /* its variant's factors; NULL: the profile's model.
					 * Not supported with the PAGED rule (loader refuses) */
	double energy_j;        /* result: attributed active energy (replica incl. host), J */
	double w_join;          /* internal: per-sequence energy accumulator at decode join */
	double t_first_s;       /* result: first output token */
	struct batch_req *next; /* internal: FIFO link while waiting or prefilling; done list */
	double t_done_s;        /* result: last output token */
	double t_admit_s;       /* result: admitted (KV reserved, prefill starts) */
	double todo_out;        /* internal: output tokens still to produce */
	double v_join;          /* internal: V at decode join */
	/* admission, preemption */
	double kv_base;         /* internal: KV tokens charged at admission */
	double pre_steps;       /* internal, FOLDED: decode steps its prefill chunks take */
	struct batch_req *lprev, *lnext; /* internal, PAGED: decoding requests in admission order */
};

/* Called once per completed request, at its t_done_s. */
typedef void (*batch_done_fn)(void *ctx, struct batch_req *r);

struct batcher;

/* A replica serving with profile p (borrowed; must outlive the batcher) in power-cap state 0,
 * idle at time t0_s. done may be NULL. */
struct batcher *batcher_new(struct profile *p, double t0_s, batch_done_fn done, void *ctx);
void batcher_free(struct batcher *b);

/* Room for n batchers end to end at a fixed stride, so that a caller with many replicas finds
 * replica i's by arithmetic (batcher_block_at) instead of loading it from a table of pointers
 * (a cache miss per step at 1,000 replicas). batcher_new_in creates batcher i there (as
 * batcher_new); batcher_free then leaves the object's memory to batcher_block_fini. */
struct batcher_block {
	unsigned char *base; /* 128-byte aligned (a pair of cache lines, batch.c) */
	size_t stride;       /* bytes: sizeof(struct batcher), rounded up to 128 */
};
void batcher_block_init(struct batcher_block *bb, size_t n);
void batcher_block_fini(struct batcher_block *bb);
struct batcher *batcher_new_in(struct batcher_block *bb, size_t i, struct profile *p,
			       double t0_s, batch_done_fn done, void *ctx);
static inline struct batcher *batcher_block_at(const struct batcher_block *bb, size_t i)
{
	return (struct batcher *)(void *)(bb->base + i * bb->stride);
}

/* A request arrives at t_s (>= the last time given). Returns 0 if queued
 * or admitted, -1 if it can never be served (in + out tokens exceed the whole KV cache): the
 * request is then not kept and the caller counts it dropped. */
int batcher_arrive(struct batcher *b, double t_s, struct batch_req *r);

/* n requests arriving together at t_s, admitted as one group (what a scheduler step sees when
 * they are all waiting): used to replay measured batches. Returns the number dropped (see
 * batcher_arrive: those whose in + out tokens exceed the whole KV cache). */
int batcher_arrive_n(struct batcher *b, double t_s, struct batch_req **r, int n);

/* Real time of the next internal change (a completion, the end of a prefill or of a wake-up),
 * or INFINITY when nothing is pending. The event loop keeps one event per replica at this time
 * and reschedules it after every call that may change it (arrive, advance, set_pstate,
 * sleep). */
static inline double batcher_next_t(const struct batcher *b);

/* Processes everything due at or before t_s (completions call done), then admits what fits.
 * t_s >= the last time given. */
void batcher_advance(struct batcher *b, double t_s);
/* batcher_advance for the replica's own step (t_s >= batcher_next_t(b)): the same, with the
 * steps inline. */
void batcher_step(struct batcher *b, double t_s);

/* Tests only: on = 1 makes the replica take the general paths where it has short ones (an
 * arrival admitted alone at once, a step of a stalling replica with reserved KV), which must
 * give the same results bit for bit. */
void batcher_set_generic_(struct batcher *b, int on);

/* Power-cap state (index into the profile's pstates) from t_s on; out of range is ignored. A
 * prefill batch already running keeps the end time it was given (its power changes at once). */
void batcher_set_pstate(struct batcher *b, double t_s, int ps);

/* Puts an empty replica to sleep (PROFILE_SLEEP) or off (PROFILE_OFF) at t_s. Returns 0, or -1
 * if it is not empty or awake. The next arrival wakes it (profile wake latency). */
int batcher_sleep(struct batcher *b, double t_s, enum profile_phase to);

/* Current phase (OFF, SLEEP, IDLE, PREFILL, DECODE; a waking replica reports IDLE) and power
 * of the whole replica, W. */
enum profile_phase batcher_phase(const struct batcher *b);
static inline double batcher_power_w(const struct batcher *b);

/* Energy of the replica from t0 to t_s (>= the last time given; integrates the current power up
 * to t_s without changing state), J. */
double batcher_energy_j(const struct batcher *b, double t_s);

/* Requests decoding, waiting (not admitted), prefilling; KV tokens in use (as of the last time
 * given); wake-ups and preemptions so far. */
int batcher_decoding(const struct batcher *b);
int batcher_waiting(const struct batcher *b);
int batcher_prefilling(const struct batcher *b);
double batcher_kv_used(const struct batcher *b);
long batcher_wakeups(const struct batcher *b);
long batcher_preemptions(const struct batcher *b);

/* What the event loop reads after every call, inline (on every replica step's path): the first
 * member of struct batcher, kept current by batch.c. */
struct batcher_out {
	double t_next;  /* batcher_next_t */
	double power_w; /* batcher_power_w */
};

static inline double batcher_next_t(const struct batcher *b)
{
	return ((const struct batcher_out *)(const void *)b)->t_next;
}

static inline double batcher_power_w(const struct batcher *b)
{
	return ((const struct batcher_out *)(const void *)b)->power_w;
}

#endif
