/* llm.h — LLM serving on datacenter nodes whose type has a serving profile.
 *
 * The bridge between the datacenter (dc.c: requests, dispatch, books, IT power) and the
 * per-replica continuous-batching model (batch.c). Each such node owns a batcher and one pending
 * step time, batcher_next_t, which every call that can change it (a request handed over, a step
 * taken) moves; llm.c keeps these timers in a winner tree whose earliest is the one engine event
 * (see llm.c for how steps are then taken). A request therefore costs a fixed
 * number of events whatever its token counts: its arrival, the end of its prefill batch (stall
 * mode) and its completion. Node power follows the batcher (phase, batch, power-cap state) and
 * is pushed to dc_set_node_power at every change, so IT energy stays exact.
 *
 * Completions are collected while the batcher runs and handed to dc_finish only afterwards, so
 * a dispatch policy that starts the next request from the freed() hook never re-enters a
 * batcher in the middle of its own advance.
 */
#ifndef MAASIM_LLM_H
#define MAASIM_LLM_H

#include <stdint.h>

#include "engine/metrics.h"

struct dc;
struct llm_state;

/* Creates the LLM state of dc when a node type has a profile (dc->llm stays NULL otherwise):
 * one profile per such type, one batcher per such node, idle at now, in the type's initial
 * power-cap state. The loader has checked the profiles (an invalid one is a bug here). */
void llm_init(struct dc *dc);
void llm_fini(struct dc *dc);

/* 1 when node serves through a batcher. */
int llm_node(const struct dc *dc, uint32_t node);

/* Hands request r (placed on node by dc_start) to the node's batcher. */
void llm_start(struct dc *dc, uint32_t node, uint32_t r);

/* Verbs for power policies on an LLM node (no-ops elsewhere), effective now:
 * llm_set_pstate selects a power-cap state of the node's profile (index; see
 * profile_pstate_find), llm_sleep puts an empty node to PROFILE_SLEEP or PROFILE_OFF (returns
 * -1 if it is busy or not an LLM node); the next request handed to it wakes it, paying the
 * profile's wake latency at idle power. llm_phase reports the node's phase. */
void llm_set_pstate(struct dc *dc, uint32_t node, int ps);
int llm_sleep(struct dc *dc, uint32_t node, int to_phase);
int llm_phase(const struct dc *dc, uint32_t node);
/* policies branch: KV-cache tokens not reserved on node now (capacity - reserved; 0 for a
 * node without a profile), and the number of power-cap states of node's profile (0 without). */
double llm_kv_free_tokens(const struct dc *dc, uint32_t node);
int llm_n_pstates(const struct dc *dc, uint32_t node);

/* Warm-up: resets the LLM statistics (TTFT, TPOT, tokens, attributed energy). */
void llm_reset_stats(struct dc *dc);

/* Appends ttft_*, tpot_*, j_per_output_token, profile_extrapolations, ... (run and per class). */
void llm_report(struct dc *dc, struct metrics *ms);

/* On (the default): consecutive replica steps due strictly before every other event run in one
 * handler (llm.c, node_fire), and so do dc.c's held arrivals between them (one arrival class,
 * every node a replica). Off: each step and each arrival is its own event (but for dc.c's own
 * arrivals and completions fired in place), as before that was done. The results are the same
 * either way; tests switch it off to check that. */
void llm_set_chain(struct dc *dc, int on);

#endif
