/* sim.c — clock, scheduling and the run loop (sim.h). */
#include "sim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_init(struct sim *s)
{
	memset(s, 0, sizeof *s);
	evq_init(&s->q);
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
	const volatile sig_atomic_t *interrupt = s->interrupt; /* set before the run */

	s->horizon_s = horizon_s;
	if (warmup_s > 0 && warmup_s <= horizon_s)
		sim_at(s, warmup_s, SIM_PRIO_CONTROL, warmup_fire, NULL, 0);
	while (!s->stop && evq_pop_until(&s->q, horizon_s, &t, &ev)) {
		/* the event list handed back the past: stop, report */
		if (__builtin_expect(!(t >= s->now), 0)) {
			s->time_errors++;
			s->time_error_t_s = t;
			s->time_error_now_s = s->now;
			s->stop = 1;
			break;
		}
		if (interrupt && *interrupt) { /* the popped event is lost: the run is partial */
			s->interrupted = 1;
			s->stop = 1;
			break;
		}
		s->now = t;
		s->events++;
		ev.fn(s, ev.obj, ev.arg);
	}
	if (!s->stop && s->now < horizon_s)
		s->now = horizon_s;
	return s->events - events0;
}
