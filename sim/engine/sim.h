/* sim.h — the simulation context: clock, future-event list, run loop, assertions.
 *
 * One struct sim is passed first to everything (no globals). Handlers have the signature
 * void fn(struct sim *s, void *obj, uint64_t arg). The run loop pops events in (time, priority,
 * insertion) order until the horizon; an event at exactly the horizon still fires. A warm-up
 * event (priority 0 at warmup_s) calls the on_warmup hook so models reset their statistics.
 * A handler may fire its own successor in place when it is next anyway (sim_chain).
 * sim_assert is the bug channel: it prints the simulated time and the event count and aborts.
 */
#ifndef MAASIM_SIM_H
#define MAASIM_SIM_H

#include <signal.h>
#include <stdint.h>

#include "engine/evq.h"

struct sim;
typedef void (*sim_fn)(struct sim *s, void *obj, uint64_t arg);

/* Priorities at equal times: lower fires first. dc.c's chaining of slot arrivals and
 * completions (sim_chain) keeps the order of equal-time events only while nothing but dc.c's
 * arrivals is scheduled at SIM_PRIO_ARRIVE and nothing but its slot completions and the LLM
 * replicas' event at SIM_PRIO_DEPART (tests/unit/test_chain.c): a new event kind at either
 * priority must revisit it. */
enum {
	SIM_PRIO_CONTROL = 10,  /* facility control steps, warm-up */
	SIM_PRIO_DEPART = 50,   /* service completions: free capacity before new arrivals */
	SIM_PRIO_DEFAULT = 100,
	SIM_PRIO_ARRIVE = 150,
};

struct sim {
	double now;           /* simulated time, s */
	double horizon_s;
	uint64_t events;      /* events fired */
	struct evq q;
	int stop;             /* set by a handler to end the run early */
	/* Set by the caller (NULL: none): when *interrupt becomes non-zero (a signal handler's
	 * flag) the run stops before the next event and sets interrupted; the run's state is then
	 * partial, not a result */
	const volatile sig_atomic_t *interrupt;
	int interrupted;
	void (*on_warmup)(struct sim *s, void *ctx);
	void *warmup_ctx;
	const char *where;    /* the kind of event firing, for assertion messages */
	/* Time monotonicity (checked by sim_run on every event): an event popped before now
	 * stops the run and is recorded here for the end-of-run invariants (sim/cli/invariants.h) */
	uint64_t time_errors;
	double time_error_t_s, time_error_now_s;
};

void sim_init(struct sim *s);
void sim_fini(struct sim *s);

/* Broken invariant: prints message with simulated time and event count, then aborts. */
_Noreturn void sim_fail(const struct sim *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Schedules fn at absolute time t_s >= now (inline: every event passes here). */
static inline evq_handle sim_at(struct sim *s, double t_s, unsigned prio, sim_fn fn, void *obj,
				uint64_t arg)
{
	if (__builtin_expect(!(t_s >= s->now), 0))
		sim_fail(s, __FILE__, __LINE__, "scheduling into the past (t=%.17g < now=%.17g)", t_s,
			 s->now);
	return evq_push(&s->q, t_s, prio, fn, obj, arg);
}

/* Schedules fn at now + dt_s (dt_s >= 0). */
static inline evq_handle sim_after(struct sim *s, double dt_s, unsigned prio, sim_fn fn, void *obj,
				   uint64_t arg)
{
	return sim_at(s, s->now + dt_s, prio, fn, obj, arg);
}
/* Cancels; a stale handle or EVQ_NONE is ignored. */
void sim_cancel(struct sim *s, evq_handle h);

/* Chaining: a handler that has just worked out the time t_s of the next event of its own kind
 * (not yet scheduled) may fire that event itself, in place, when the run loop would pop it next
 * anyway: the run is neither stopping nor interrupted, now <= t_s <= the horizon, and t_s is
 * strictly earlier than every pending event (at an exact tie the event list's order decides,
 * through the run loop). Then the clock and the event count move exactly as sim_run moves them
 * for a popped event, and it returns 1: the caller runs the event now and does not schedule
 * it. Otherwise it returns 0 and changes nothing: the caller schedules the event as usual.
 * Same events, same order, same clock; a push and a pop (and the run loop's round trip) less
 * per chained event. The caller must not have scheduled anything that could tie with the
 * event at t_s since it would have scheduled it (same priority): the order would differ. */
static inline int sim_chain(struct sim *s, double t_s)
{
	if (s->stop || (s->interrupt && *s->interrupt) || !(t_s >= s->now) ||
	    !(t_s <= s->horizon_s) || !(t_s < evq_peek_time(&s->q)))
		return 0;
	s->now = t_s; /* as sim_run does for the event it pops */
	s->events++;
	return 1;
}

/* Runs until the horizon (or until stop is set, *interrupt is set or no event is left). If warmup_s > 0 the
 * on_warmup hook fires at warmup_s. Returns the number of events fired. */
uint64_t sim_run(struct sim *s, double horizon_s, double warmup_s);

#define sim_assert(s, cond) \
	do { if (!(cond)) sim_fail((s), __FILE__, __LINE__, "assertion failed: %s", #cond); } while (0)

#endif
