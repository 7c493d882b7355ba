/* ledger.h — the facility's energy books: every control step, energy by source and by sink.
 *
 * Sources: grid import, solar, wind, battery discharge (energy leaving the store).
 * Sinks: IT, server fans, cooling, other (UPS losses, miscellaneous), battery charge (energy
 * entering the store), curtailed renewable energy, losses (battery conversion).
 * Invariant checked on every post: sum(sources) == sum(sinks) to 1e-9 relative; a step that
 * breaks it, or carries a negative or non-finite entry, is refused with an error (the run
 * fails). Totals are compensated (Kahan) sums, so the run-level balance error stays at the
 * rounding level over a year of 5-minute steps.
 */
#ifndef MAASIM_LEDGER_H
#define MAASIM_LEDGER_H

enum ledger_src { SRC_GRID, SRC_SOLAR, SRC_WIND, SRC_BATTERY, LEDGER_NSRC };
enum ledger_snk { SNK_IT, SNK_SERVER_FANS, SNK_COOLING, SNK_OTHER, SNK_BATTERY, SNK_CURTAILED,
		  SNK_LOSSES, LEDGER_NSNK };

#define LEDGER_TOL_REL 1e-9

struct err;

struct ledger_step {
	double src_j[LEDGER_NSRC];
	double snk_j[LEDGER_NSNK];
};

struct ledger {
	double src_j[LEDGER_NSRC], src_c[LEDGER_NSRC]; /* totals and Kahan compensations */
	double snk_j[LEDGER_NSNK], snk_c[LEDGER_NSNK];
	long steps;
	double worst_rel;       /* largest per-step relative imbalance accepted */
	double corrupt_j;       /* test hook: added to the next post's IT sink, then cleared */
};

void ledger_init(struct ledger *l);

/* Checks and books one step ending at t_s (simulated seconds, for the message). Returns -1
 * with e ("energy balance broken at t=... s: sources ... J, sinks ... J, relative error ...")
 * when the books do not close; nothing is booked then. */
int ledger_post(struct ledger *l, const struct ledger_step *s, double t_s, struct err *e);

/* Total of all sources / sinks (J), and the run-level relative imbalance. */
double ledger_sources_j(const struct ledger *l);
double ledger_sinks_j(const struct ledger *l);
double ledger_error_rel(const struct ledger *l);

/* Names for reports: "grid", "solar", ...; "it", "server_fans", ... */
const char *ledger_src_name(int i);
const char *ledger_snk_name(int i);

/* Test hook: the next ledger_post adds delta_j to its IT sink after the caller computed the
 * step, as a bookkeeping bug would; that post must then fail. */
void ledger_test_corrupt(struct ledger *l, double delta_j);

#endif
