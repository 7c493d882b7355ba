/* battery.c — battery model of battery.h. */
#include "battery.h"

#include <math.h>

#include "engine/err.h"

void battery_cfg_default(struct battery_cfg *c)
{
	c->enabled = 0;
	c->capacity_kwh = 0;
	c->soc_min = 0.10;          /* assumed operating window 10-90 % */
	c->soc_max = 0.90;
	c->soc_init = 0.50;         /* assumed */
	c->max_charge_kw = -1;      /* < 0: 0.5 C of capacity_kwh (assumed, 2-hour battery) */
	c->max_discharge_kw = -1;
	c->rt_eff = 0.90;           /* assumed AC round trip of Li-ion stationary storage (0.85-0.90) */
	c->cycle_life = 6000;       /* assumed LFP datasheet figure: 6000 cycles to 80 % capacity */
	c->eol_capacity_frac = 0.8; /* end of life at 80 % of nominal, the usual warranty definition */
}

int battery_cfg_check(const struct battery_cfg *c, const char *path, struct err *e)
{
	if (!c->enabled)
		return 0;
	if (!(c->capacity_kwh > 0 && c->capacity_kwh < 1e9))
		return err_set(e, "%s.capacity_kwh: expected a number > 0, got %g", path, c->capacity_kwh);
	if (!(c->soc_min >= 0 && c->soc_min < c->soc_max && c->soc_max <= 1))
		return err_set(e, "%s: expected 0 <= soc_min < soc_max <= 1, got soc_min %g, soc_max %g",
			       path, c->soc_min, c->soc_max);
	if (!(c->soc_init >= c->soc_min && c->soc_init <= c->soc_max))
		return err_set(e, "%s.soc_init: expected a number in [soc_min, soc_max] = [%g, %g], got %g",
			       path, c->soc_min, c->soc_max, c->soc_init);
	/* a negative power limit means "0.5 C" (resolved by battery_init) */
	if (isnan(c->max_charge_kw) || isnan(c->max_discharge_kw) || c->max_charge_kw > 1e9 ||
	    c->max_discharge_kw > 1e9)
		return err_set(e, "%s: expected max_charge_kw and max_discharge_kw >= 0, got %g and %g",
			       path, c->max_charge_kw, c->max_discharge_kw);
	if (!(c->rt_eff > 0 && c->rt_eff <= 1))
		return err_set(e, "%s.round_trip_eff: expected a number in (0, 1], got %g", path, c->rt_eff);
	if (!(c->cycle_life >= 1))
		return err_set(e, "%s.cycle_life: expected a number >= 1, got %g", path, c->cycle_life);
	if (!(c->eol_capacity_frac > 0 && c->eol_capacity_frac <= 1))
		return err_set(e, "%s.eol_capacity_frac: expected a number in (0, 1], got %g", path,
			       c->eol_capacity_frac);
	return 0;
}

void battery_init(struct battery *b, const struct battery_cfg *cfg)
{
	b->cfg = *cfg;
	if (b->cfg.max_charge_kw < 0)
		b->cfg.max_charge_kw = 0.5 * cfg->capacity_kwh;
	if (b->cfg.max_discharge_kw < 0)
		b->cfg.max_discharge_kw = 0.5 * cfg->capacity_kwh;
	b->cap_nom_j = cfg->enabled ? cfg->capacity_kwh * 3.6e6 : 0;
	b->store_j = b->cap_nom_j * cfg->soc_init;
	b->efc = 0;
	b->charged_j = b->discharged_j = 0;
}

double battery_capacity_j(const struct battery *b)
{
	double wear = fmin(b->efc / b->cfg.cycle_life, 1.0);
	return b->cap_nom_j * (1.0 - (1.0 - b->cfg.eol_capacity_frac) * wear);
}

double battery_soc(const struct battery *b)
{
	double cap = battery_capacity_j(b);
	return cap > 0 ? b->store_j / cap : 0.0;
}

double battery_charge(struct battery *b, double offer_j, double dt_s, double *stored_j)
{
	double eta = sqrt(b->cfg.rt_eff);
	double room = b->cfg.soc_max * battery_capacity_j(b) - b->store_j;
	double acc = fmin(offer_j, b->cfg.max_charge_kw * 1e3 * dt_s);

	*stored_j = 0;
	if (!b->cfg.enabled || !(acc > 0) || !(room > 0))
		return 0.0;
	acc = fmin(acc, room / eta);
	*stored_j = acc * eta;
	b->store_j += *stored_j;
	b->charged_j += acc;
	return acc;
}

double battery_discharge(struct battery *b, double want_j, double dt_s, double *taken_j)
{
	double eta = sqrt(b->cfg.rt_eff);
	double avail = b->store_j - b->cfg.soc_min * battery_capacity_j(b);
	double del = fmin(want_j, b->cfg.max_discharge_kw * 1e3 * dt_s);

	*taken_j = 0;
	if (!b->cfg.enabled || !(del > 0) || !(avail > 0))
		return 0.0;
	del = fmin(del, avail * eta);
	*taken_j = del / eta;
	b->store_j -= *taken_j;
	b->discharged_j += del;
	double usable = b->cap_nom_j * (b->cfg.soc_max - b->cfg.soc_min);
	b->efc += *taken_j / usable;
	return del;
}
