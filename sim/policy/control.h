/* control.h — the self-contained decision rules of compression, power and battery policies.
 *
 * Pure functions and small value-type controllers, no simulator state: the policies that need
 * the serving, models and facility modules (policy/kinds.h) are thin shells around these, and
 * the rules are unit-tested on their own (tests/unit/test_control.c).
 *   hysteresis      two-threshold switch (load_adaptive, carbon_adaptive, power_aware)
 *   dvfs            utilisation governor over power-cap states, with hysteresis
 *   battery         arbitrage decision from a price or carbon forecast window
 *   quality budget  the least-energy mix of model variants with mean accuracy >= a target
 */
#ifndef MAASIM_CONTROL_H
#define MAASIM_CONTROL_H

#include <stddef.h>

/* ---- hysteresis ---- */

/* On when x reaches on_at, off again only when x falls to off_at (off_at < on_at): a signal
 * hovering near one threshold does not make the controller chatter. */
struct control_hyst {
	double on_at, off_at;
	int on;
};

/* Feeds x and returns the new state (0 or 1). */
int control_hyst_update(struct control_hyst *h, double x);

/* ---- dvfs ---- */

/* Governor over power-cap states 0 (nominal, fastest) .. n-1 (most capped). Utilisation above
 * up_util jumps to state 0 (latency first, as Linux's ondemand governor); below down_util steps
 * one state down in clock; in between it holds. Returns the new state. */
int control_dvfs_next(double util, int state, int n_states, double up_util, double down_util);

/* ---- battery ---- */

enum control_storage_cmd { CONTROL_STORAGE_IDLE, CONTROL_STORAGE_CHARGE, CONTROL_STORAGE_DISCHARGE,
			    CONTROL_STORAGE_SELF /* self-consumption: surplus in, deficit out */ };

/* Arbitrage on a forecast window fc[0..n) of a price or carbon signal, fc[0] the value now:
 * charge when now is in the window's cheapest q_lo quantile, discharge when in its dearest
 * (1 - q_hi), within the state-of-charge band; idle when the spread cannot pay for the round
 * trip (high quantile x round_trip_eff <= low quantile). */
enum control_storage_cmd control_arbitrage(const double *fc, size_t n, double soc, double soc_min,
				   double soc_max, double q_lo, double q_hi, double round_trip_eff);

/* ---- quality budget ---- */

/* The least-energy mix of variants: fractions of requests served by variants i and j
 * (frac_j to j, 1 - frac_j to i) minimising mean energy factor subject to mean accuracy
 * >= target. A linear programme with one constraint has an optimum on at most two variants
 * (a vertex), found by checking every pair. Returns 0, or -1 when no variant reaches target. */
int control_quality_mix(const double *energy, const double *accuracy, size_t n, double target,
		       size_t *i, size_t *j, double *frac_j);

/* The empirical q-quantile (0..1, linear interpolation) of x[0..n) (n >= 1; x not modified). */
double control_quantile(const double *x, size_t n, double q);

#endif
