/* sim.c — clock, scheduling and the run loop (sim.h). */
#include "sim.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_init(struct sim *s)
{
	memset(s, 0, sizeof *s);
	evq_init(&s->q);
	for (int k = 0; k < SIM_HELD_MAX; k++)
		sim_held_clear_(&s->held[k]); /* after the memset: fn and arg zero */
	s->interrupt = &s->no_interrupt;
	s->q_lb_t = INFINITY; /* the list is empty */
	s->q_lb_exact = 1;
}

void sim_hold(struct sim *s, int on)
{
	s->hold_off = !on;
	/* finite: a held event at +infinity would look like an empty slot (it waits in the list) */
	s->held_until_s = on ? fmin(s->horizon_s, DBL_MAX) : -INFINITY;
}

void sim_fini(struct sim *s)
{
	evq_fini(&s->q);
}

_Noreturn void sim_fail(const struct sim *s, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "maasim: internal error at %s:%d, simulated t=%.9g s, event #%llu (%s): ",
		file, line, s ? s->now : NAN, s ? (unsigned long long)s->events : 0ULL,
		s && s->where ? s->where : "-");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void sim_cancel(struct sim *s, evq_handle h)
{
	evq_cancel(&s->q, h);
	s->q_lb_exact = 0; /* the list's earliest may have gone: still a lower bound */
}

void sim_release_(struct sim *s, int k)
{
	struct sim_held h = s->held[k];

	sim_held_clear_(&s->held[k]);
	if (h.t_s < s->q_lb_t)
		s->q_lb_t = h.t_s;
	evq_push(&s->q, h.t_s, sim_held_prio_(k), h.fn, h.obj, h.arg);
}

/* The next event to fire, held or from the list, if one is due by horizon_s: 1 and *t, *ev;
 * else 0. The held event the list would pop first (sim_held_first_) fires when strictly
 * earlier than the list's earliest; at an equal time it goes into the list, whose order
 * decides (sim_at_held). */
static int next_event(struct sim *s, double horizon_s, double *t, struct evq_event *ev)
{
	for (;;) {
		struct sim_held *h = sim_held_first_(s);
		double tq;

		if (h->t_s == INFINITY)
			break; /* nothing held */
		/* the list's earliest: asked only when its lower bound does not settle it */
		tq = h->t_s < s->q_lb_t ? s->q_lb_t : sim_list_time_(s);
		if (h->t_s == tq) {
			sim_release_(s, (int)(h - s->held));
			continue;
		}
		if (!(h->t_s < tq))
			break; /* the list's earliest comes first */
		*t = h->t_s; /* held events are due by the horizon */
		ev->fn = h->fn;
		ev->obj = h->obj;
		ev->arg = h->arg;
		sim_held_clear_(h);
		return 1;
	}
	if (!evq_pop_until(&s->q, horizon_s, t, ev))
		return 0;
	s->q_lb_t = *t; /* what is left in the list is no earlier */
	s->q_lb_exact = 0;
	return 1;
}

static void warmup_fire(struct sim *s, void *obj, uint64_t arg)
{
	(void)obj, (void)arg;
	if (s->on_warmup)
		s->on_warmup(s, s->warmup_ctx);
}

uint64_t sim_run(struct sim *s, double horizon_s, double warmup_s)
{
	struct evq_event ev;
	double t;
	uint64_t events0 = s->events;
	const volatile sig_atomic_t *interrupt;

	s->horizon_s = horizon_s;
	sim_hold(s, !s->hold_off);
	if (!s->interrupt) /* the caller's NULL: none */
		s->interrupt = &s->no_interrupt;
	interrupt = s->interrupt; /* set before the run */
	for (int k = 0; k < SIM_HELD_MAX; k++) /* held events are due by the horizon */
		if (s->held[k].t_s < INFINITY && !(s->held[k].t_s <= horizon_s))
			sim_release_(s, k);
	if (warmup_s > 0 && warmup_s <= horizon_s)
		sim_at(s, warmup_s, SIM_PRIO_CONTROL, warmup_fire, NULL, 0);
	while (!s->stop && next_event(s, horizon_s, &t, &ev)) {
		/* the event list handed back the past: stop, report */
		if (__builtin_expect(!(t >= s->now), 0)) {
			s->time_errors++;
			s->time_error_t_s = t;
			s->time_error_now_s = s->now;
			s->stop = 1;
			break;
		}
		if (*interrupt) { /* the popped event is lost: the run is partial */
			s->interrupted = 1;
			s->stop = 1;
			break;
		}
		s->now = t;
		s->events++;
		ev.fn(s, ev.obj, ev.arg);
	}
	for (int k = 0; k < SIM_HELD_MAX; k++) /* what is left pending waits in the list */
		if (s->held[k].t_s < INFINITY)
			sim_release_(s, k);
	if (!s->stop && s->now < horizon_s)
		s->now = horizon_s;
	return s->events - events0;
}
