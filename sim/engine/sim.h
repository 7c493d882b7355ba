/* sim.h — the simulation context: clock, future-event list, run loop, assertions.
 *
 * One struct sim is passed first to everything (no globals). Handlers have the signature
 * void fn(struct sim *s, void *obj, uint64_t arg). The run loop pops events in (time, priority,
 * insertion) order until the horizon; an event at exactly the horizon still fires. A warm-up
 * event (priority 0 at warmup_s) calls the on_warmup hook so models reset their statistics.
 *
 * Keeping events off the list. Most events of a busy model are scheduled and fired a moment
 * later; two devices save their push and pop, and neither changes the order of events (the
 * same events fire in the same order, at the same clock, with the same event count as with
 * sim_at alone):
 *  - Held events (sim_at_held): an event that is never cancelled waits in one of two slots
 *    outside the list (one for SIM_PRIO_DEPART, one for SIM_PRIO_ARRIVE), and the run loop
 *    fires it from there when it is strictly earlier than the list's earliest event.
 *  - Firing in place: a handler may run, in a loop of its own (the stack does not grow), the
 *    event the run loop would fire next, when that event is its own: a held event of its
 *    object (sim_take_held), or the successor it has just computed and not scheduled
 *    (sim_chain: for events kept outside the engine, such as the LLM replicas' timers). The
 *    clock and the event count then move as the run loop would move them.
 * dc.c's arrivals and slot completions are held and taken in place; llm.c's replica steps
 * chain, and take dc.c's held arrival between them (sim_take_held_before).
 * sim_assert is the bug channel: it prints the simulated time and the event count and aborts.
 */
#ifndef MAASIM_SIM_H
#define MAASIM_SIM_H

#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>

#include "engine/evq.h"

struct sim;
typedef void (*sim_fn)(struct sim *s, void *obj, uint64_t arg);

/* Priorities at equal times: lower fires first. Held events and sim_take_held keep the order of
 * equal-time events whatever their priorities; sim_chain keeps it while the chaining handler
 * schedules nothing at its successor's priority before it chains (llm.c's run of replica steps
 * at SIM_PRIO_DEPART: see node_fire there for the one order it could change, a slot
 * completion scheduled during the run for exactly a later step's instant). A new event kind at
 * SIM_PRIO_DEPART must revisit that. */
enum {
	SIM_PRIO_CONTROL = 10,  /* facility control steps, warm-up */
	SIM_PRIO_DEPART = 50,   /* service completions: free capacity before new arrivals */
	SIM_PRIO_DEFAULT = 100,
	SIM_PRIO_ARRIVE = 150,
};

/* Events kept out of the list (sim_at_held): one slot per holding priority, each event due by
 * the horizon. Slot 0 holds SIM_PRIO_DEPART's event, slot 1 SIM_PRIO_ARRIVE's: slot order is
 * priority order, so of two held events at the same time slot 0's goes first, as in the list,
 * and a slot's priority is not stored. An empty slot has t_s +infinity (so that comparing slots
 * by time never prefers it, and no take finds it strictly earlier than anything). Fixed slots
 * make scheduling and choosing a held event a few instructions: no search for the slot of a
 * priority or for a free one, one comparison of times. */
#define SIM_HELD_MAX 2 /* the slot code below and in sim.c is written for two */

struct sim_held {
	double t_s;
	sim_fn fn;
	void *obj;
	uint64_t arg;
};

_Static_assert(SIM_HELD_MAX == 2 && SIM_PRIO_DEPART < SIM_PRIO_ARRIVE,
	       "sim_at_held, sim_first and sim.c's next_event assume two slots in priority order");
_Static_assert(SIM_PRIO_DEPART > 0, "sim_take_held returns the taken priority, 0 for none");

/* The held slot of priority prio, -1 for a priority that is not held (a constant after
 * inlining when prio is). */
static inline int sim_held_slot_(unsigned prio)
{
	return prio == SIM_PRIO_DEPART ? 0 : prio == SIM_PRIO_ARRIVE ? 1 : -1;
}

/* The priority of held slot k. */
static inline unsigned sim_held_prio_(int k)
{
	return k ? SIM_PRIO_ARRIVE : SIM_PRIO_DEPART;
}

struct sim {
	double now;           /* simulated time, s */
	double horizon_s;
	/* sim_at_held holds only events due by this: the horizon while holding is on (the
	 * default; the largest finite double for an infinite horizon, since an empty slot is
	 * +infinity), -infinity while off (sim_hold(s, 0): every event goes through the list, for
	 * tests that compare); set by sim_hold and sim_run */
	double held_until_s;
	int hold_off;
	uint64_t events;      /* events fired */
	struct evq q;
	int stop;             /* set by a handler to end the run early */
	/* Set by the caller (NULL: none): when *interrupt becomes non-zero (a signal handler's
	 * flag) the run stops before the next event and sets interrupted; the run's state is then
	 * partial, not a result. sim_run points a NULL one at no_interrupt (always 0), so that
	 * handlers test one flag without a NULL test. */
	const volatile sig_atomic_t *interrupt;
	int interrupted;
	sig_atomic_t no_interrupt;
	void (*on_warmup)(struct sim *s, void *ctx);
	void *warmup_ctx;
	const char *where;    /* the kind of event firing, for assertion messages */
	/* Time monotonicity (checked by sim_run on every event): an event popped before now
	 * stops the run and is recorded here for the end-of-run invariants (sim/cli/invariants.h) */
	uint64_t time_errors;
	double time_error_t_s, time_error_now_s;
	struct sim_held held[SIM_HELD_MAX]; /* sim_at_held's events, by sim_held_slot_ */
	/* A lower bound of the list's earliest time, so that "earlier than everything pending?"
	 * is mostly answered without asking the list (sim_first, the run loop): every push, pop
	 * and peek passes through sim.h and sim.c and keeps it, a cancel only raises the true
	 * value. (A push straight into the list, as the fault-injection hook in cli/run.c does
	 * into the past, leaves it high: held events may fire first, until the next peek finds
	 * the stray event.) */
	double q_lb_t;
	int q_lb_exact;       /* 1: q_lb_t is the list's earliest time (peeked since the last pop
			       * or cancel; a push keeps it exact) */
};

void sim_init(struct sim *s);
void sim_fini(struct sim *s);

/* Broken invariant: prints message with simulated time and event count, then aborts. */
_Noreturn void sim_fail(const struct sim *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Pushes held slot k's event into the list and empties the slot (internal to sim_at,
 * sim_at_held and the run loop). */
void sim_release_(struct sim *s, int k);

/* The held event at priority prio, if any, goes into the list (internal: before an event of
 * its priority is scheduled, see sim_at_held). */
static inline void sim_release_prio_(struct sim *s, unsigned prio)
{
	int k = sim_held_slot_(prio);

	if (k >= 0 && __builtin_expect(s->held[k].t_s < INFINITY, 0))
		sim_release_(s, k);
}

/* Schedules fn at absolute time t_s >= now (inline: every event passes here). */
static inline evq_handle sim_at(struct sim *s, double t_s, unsigned prio, sim_fn fn, void *obj,
				uint64_t arg)
{
	if (__builtin_expect(!(t_s >= s->now), 0))
		sim_fail(s, __FILE__, __LINE__, "scheduling into the past (t=%.17g < now=%.17g)", t_s,
			 s->now);
	sim_release_prio_(s, prio);
	if (t_s < s->q_lb_t)
		s->q_lb_t = t_s;
	return evq_push(&s->q, t_s, prio, fn, obj, arg);
}

/* Schedules fn at absolute time t_s >= now, as sim_at, for an event that is never cancelled
 * (no handle), keeping it out of the list while it can: it waits in s->held, and the run loop
 * fires it from there when it is strictly earlier than the list's earliest event, saving a
 * push and a pop (in M/M/1 the next arrival and the next completion alternate without
 * touching the list).
 * Same order as sim_at. The list orders by (time, priority, insertion). A held event goes into
 * the list before any other event of its priority is scheduled, and when its time equals the
 * list's earliest time; so every comparison by insertion order (equal time and priority) is
 * made in the list, with the held event inserted before the other as with sim_at, and
 * comparisons by time or priority do not depend on when it was inserted. Two held events are
 * compared by (time, priority), as the list would. At a priority other than SIM_PRIO_DEPART
 * and SIM_PRIO_ARRIVE, when due after the horizon, or with holding off (sim_hold), it is pushed
 * at once (so a held event is always due by the horizon: sim_run releases those beyond a new
 * one).
 * tests/unit/test_engine.c (test_sim_at_held_order) and
 * test_chain.c compare the firing order with sim_at's. */
static inline void sim_at_held(struct sim *s, double t_s, unsigned prio, sim_fn fn, void *obj,
			       uint64_t arg)
{
	int k = sim_held_slot_(prio);

	if (__builtin_expect(!(t_s >= s->now), 0))
		sim_fail(s, __FILE__, __LINE__, "scheduling into the past (t=%.17g < now=%.17g)", t_s,
			 s->now);
	sim_release_prio_(s, prio);
	if (__builtin_expect(k < 0 || !(t_s <= s->held_until_s), 0)) {
		/* not a holding priority, due after the horizon (never taken: it waits in the
		 * list), or holding off */
		if (t_s < s->q_lb_t)
			s->q_lb_t = t_s;
		evq_push(&s->q, t_s, prio, fn, obj, arg);
		return;
	}
	s->held[k] = (struct sim_held){ t_s, fn, obj, arg };
}

/* Holding on (the default) or off: off, sim_at_held is sim_at (tests compare the two). Takes
 * effect for events scheduled after it; call it after setting horizon_s before a run. */
void sim_hold(struct sim *s, int on);

/* Empties a held slot (internal): never preferred when slots are compared by time, and
 * never taken (no event is strictly earlier than +infinity); fn, obj and arg are left as they
 * are (read only with a taken event). */
static inline void sim_held_clear_(struct sim_held *h)
{
	h->t_s = INFINITY;
}

/* The held slot the list would pop first: earliest, then lowest priority number, which is slot
 * 0's (an empty slot, +infinity, is never preferred; with both empty, slot 0, empty). */
static inline struct sim_held *sim_held_first_(struct sim *s)
{
	struct sim_held *h0 = &s->held[0], *h1 = &s->held[1];

	return h1->t_s < h0->t_s ? h1 : h0;
}

/* Time of the list's earliest event (+infinity: none), which becomes the lower bound, exact;
 * asked of the list only when the bound is not exact already. */
static inline double sim_list_time_(struct sim *s)
{
	if (!s->q_lb_exact) {
		s->q_lb_t = evq_size(&s->q) ? evq_peek_time(&s->q) : INFINITY;
		s->q_lb_exact = 1;
	}
	return s->q_lb_t;
}

/* 1 when t_s is strictly earlier than the list's earliest event: the lower bound answers
 * most asks without the list (a time below a bound is below the earliest); +infinity is never
 * earlier, so an empty held slot never is. */
static inline int sim_before_list_(struct sim *s, double t_s)
{
	return t_s < s->q_lb_t || t_s < sim_list_time_(s);
}

/* An event not yet scheduled, at t_s and priority prio, comes before the event held in slot k:
 * earlier, or at the same time with a lower priority number (as the list would order them; at
 * the same priority the held event, scheduled first, goes first). An empty slot (+infinity)
 * comes after any finite time. */
static inline int sim_before_held_(const struct sim *s, int k, double t_s, unsigned prio)
{
	return t_s < s->held[k].t_s || (t_s == s->held[k].t_s && prio < sim_held_prio_(k));
}

/* 1 when an event not yet scheduled, at t_s and priority prio, would fire before every pending
 * one: before both held events (sim_before_held_) and strictly earlier than the list's
 * earliest (whose priorities are not known here). */
static inline int sim_first(struct sim *s, double t_s, unsigned prio)
{
	if (!sim_before_held_(s, 0, t_s, prio) || !sim_before_held_(s, 1, t_s, prio))
		return 0;
	return sim_before_list_(s, t_s);
}

/* Firing in place, the event held in slot k, the one the run loop would take (internal:
 * sim_take_held_). Returns its priority, or 0 when it is not taken. */
static inline __attribute__((always_inline)) unsigned sim_take_slot_(struct sim *s, int k,
								    const void *obj, int bounded,
								    double before_s, sim_fn *fn,
								    uint64_t *arg)
{
	struct sim_held *h = &s->held[k];

	/* an empty slot's +infinity is never strictly earlier than q_lb_t or the list's earliest
	 * (+infinity when empty); held events are due by the horizon */
	if (h->obj != obj || (s->stop | *s->interrupt) || (bounded && !(h->t_s < before_s)) ||
	    !sim_before_list_(s, h->t_s))
		return 0;
	*fn = h->fn;
	*arg = h->arg;
	s->now = h->t_s;
	s->events++;
	sim_held_clear_(h);
	return sim_held_prio_(k);
}

/* Firing in place, a held event (internal: sim_take_held, sim_take_held_before). bounded: the
 * event must also be strictly earlier than before_s. The slot is chosen as sim_held_first_
 * does, by one branch on the two times, with the slot a constant on each side: a caller that
 * tells its events apart by the returned priority then branches on the two times alone (in
 * M/M/1, whether the next arrival or the next completion comes first: the model's one random
 * choice per event). */
static inline __attribute__((always_inline)) unsigned sim_take_held_(struct sim *s,
								    const void *obj, int bounded,
								    double before_s, sim_fn *fn,
								    uint64_t *arg)
{
	if (s->held[1].t_s < s->held[0].t_s)
		return sim_take_slot_(s, 1, obj, bounded, before_s, fn, arg);
	return sim_take_slot_(s, 0, obj, bounded, before_s, fn, arg);
}

/* Firing in place, a held event: the run loop's next step, taken by a handler of obj (not
 * NULL). If the next event to fire is a held one of obj (sim_at_held), strictly earlier than
 * the list's earliest, and the run is neither stopping nor interrupted, it is taken
 * out of its slot, the clock and the event count move as sim_run moves them, *fn and *arg get
 * its handler and argument, and it returns the event's priority (SIM_PRIO_DEPART or
 * SIM_PRIO_ARRIVE, not 0): the caller runs it now (in a loop, not a nested call: runs must not
 * grow the stack). Otherwise 0, and nothing changes. Exactly the event sim_run would fire
 * next. */
static inline unsigned sim_take_held(struct sim *s, const void *obj, sim_fn *fn, uint64_t *arg)
{
	return sim_take_held_(s, obj, 0, 0, fn, arg);
}

/* sim_take_held for a handler whose own next event, at before_s, is not in the list (a run of
 * steps that chains them, sim_chain): the held event must also be strictly earlier than
 * before_s (at a tie the caller's event goes first: it must be due at a lower priority). The
 * event taken must then be run without firing anything else in place, since the caller's next
 * event is still outside the list. */
static inline unsigned sim_take_held_before(struct sim *s, const void *obj, double before_s,
					    sim_fn *fn, uint64_t *arg)
{
	return sim_take_held_(s, obj, 1, before_s, fn, arg);
}

/* Schedules fn at now + dt_s (dt_s >= 0). */
static inline evq_handle sim_after(struct sim *s, double dt_s, unsigned prio, sim_fn fn, void *obj,
				   uint64_t arg)
{
	return sim_at(s, s->now + dt_s, prio, fn, obj, arg);
}
/* Cancels; a stale handle or EVQ_NONE is ignored. */
void sim_cancel(struct sim *s, evq_handle h);

/* Firing in place, a successor not scheduled (chaining): a handler that has just worked out the
 * time t_s of the next event of its own kind, at priority prio (not yet scheduled: e.g. the
 * earliest of timers it keeps itself) may fire that event itself, in place, when the run loop
 * would pop it next anyway: the run is neither stopping nor interrupted, now <= t_s <= the
 * horizon, and the event comes before every pending one (sim_first: strictly earlier than the
 * list's earliest, and before each held event by time, then priority; at an exact tie with the
 * list the list's order decides, through the run loop). Then the clock and the event count move exactly as
 * sim_run moves them for a popped event, and it returns 1: the caller runs the event now and
 * does not schedule it. Otherwise it returns 0 and changes nothing: the caller schedules the
 * event as usual. The caller must not have scheduled anything that could tie with the event at
 * t_s since it would have scheduled it (same priority): the order would differ. */
static inline int sim_chain(struct sim *s, double t_s, unsigned prio)
{
	if ((s->stop | *s->interrupt) || !(t_s >= s->now) ||
	    !(t_s <= s->horizon_s) || !sim_first(s, t_s, prio))
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
