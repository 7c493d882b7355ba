/* battery.h — an on-site battery: round-trip efficiency, power limits, SoC window, wear.
 *
 * Energy is tracked in joules in the store. Charging accepts E_bus joules from the site bus and
 * stores eta_c * E_bus; discharging takes E_store from the store and delivers eta_d * E_store;
 * eta_c = eta_d = sqrt(round-trip efficiency). The difference is a loss the ledger books.
 * State of charge stays in [soc_min, soc_max] of the current capacity. Wear: every joule taken
 * out counts toward equivalent full cycles (EFC = discharged energy / nominal usable energy);
 * capacity fades linearly from 100 % to eol_capacity_frac at cycle_life EFC (a linear
 * cycle-ageing model; calendar ageing is not modelled). Fade never destroys stored energy: above
 * the shrunken window the battery only refuses to charge.
 * "Next change / advance by dt": battery_charge and battery_discharge take the step length and
 * enforce the power limits over it.
 */
#ifndef MAASIM_BATTERY_H
#define MAASIM_BATTERY_H

struct battery_cfg {
	int enabled;
	double capacity_kwh;      /* nominal energy capacity */
	double soc_min, soc_max;  /* state-of-charge window, fractions of capacity */
	double soc_init;          /* initial state of charge, fraction */
	double max_charge_kw;     /* bus-side charging power limit */
	double max_discharge_kw;  /* bus-side discharging power limit */
	double rt_eff;            /* round-trip efficiency */
	double cycle_life;        /* equivalent full cycles to end of life */
	double eol_capacity_frac; /* capacity left at end of life */
};

struct battery {
	struct battery_cfg cfg;
	double store_j;        /* energy in the store */
	double cap_nom_j;      /* nominal capacity */
	double efc;            /* equivalent full cycles so far */
	double charged_j, discharged_j; /* bus-side totals */
};

/* Disabled; when enabled: SoC window 10-90 %, start at 50 %, 0.5 C both ways, round trip
 * 0.90, 6000 cycles to 80 % (assumed LFP stationary storage; see README). */
void battery_cfg_default(struct battery_cfg *c);

struct err;
int battery_cfg_check(const struct battery_cfg *c, const char *path, struct err *e);

void battery_init(struct battery *b, const struct battery_cfg *cfg);

/* Current capacity (J) after fade, and state of charge as a fraction of it. */
double battery_capacity_j(const struct battery *b);
double battery_soc(const struct battery *b);

/* Offers offer_j from the bus over dt_s; returns the bus energy accepted (<= offer, within
 * the power limit and the SoC window); *stored_j gets what entered the store. */
double battery_charge(struct battery *b, double offer_j, double dt_s, double *stored_j);

/* Asks for want_j at the bus over dt_s; returns the bus energy delivered; *taken_j gets what
 * left the store (delivered / eta_d). */
double battery_discharge(struct battery *b, double want_j, double dt_s, double *taken_j);

#endif
