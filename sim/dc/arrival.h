/* arrival.h — time-varying and bursty arrival processes: diurnal (a rate profile, by thinning)
 * and mmpp (Markov-modulated Poisson). Poisson and trace replay stay in dc.c.
 *
 * diurnal: rate(t) = rate_per_s * shape[k] / mean(shape), k = floor(t / step_s + offset) mod n,
 * piecewise constant per step and periodic; so rate_per_s is the long-run mean rate. Arrivals
 * are drawn by thinning (Lewis and Shedler 1979): candidates at the peak rate, each kept with
 * probability rate(t) / peak, which gives the exact non-homogeneous Poisson process.
 * mmpp: n >= 2 states with Poisson rates r_i; the state holds for an exponential time of mean
 * s_i, then jumps to one of the other states uniformly. The long-run mean rate is
 * sum(s_i r_i) / sum(s_i) (the embedded jump chain is uniform, so time shares are proportional
 * to mean sojourns). The first state is drawn from those shares. Exponential clocks are
 * memoryless, so each next arrival is drawn exactly from the current time and state.
 * Both draw only from the class's arrival stream (common random numbers hold).
 */
#ifndef MAASIM_ARRIVAL_H
#define MAASIM_ARRIVAL_H

#include "dc/workload.h"
#include "engine/rng.h"

/* Run-time state of a modulated process (zero-initialise). */
struct arrival_state {
	int started;
	int state;          /* mmpp: current state */
	double t_switch_s;  /* mmpp: time of the next state change */
};

/* Time of the next arrival after now_s for a DIURNAL or MMPP process; INFINITY if the rate is
 * zero for ever. */
double arrival_next(const struct arrival_cfg *a, struct arrival_state *st, struct rng *r,
		    double now_s);

/* Rate at time t_s of a diurnal process (per s). */
double arrival_diurnal_rate(const struct arrival_cfg *a, double t_s);

/* Long-run mean rate of a DIURNAL (rate_per_s) or MMPP process (per s). */
double arrival_mean_rate(const struct arrival_cfg *a);

#endif
