/* facility.h — everything between the IT load and the grid: cooling under real weather,
 * on-site solar, wind and battery, grid carbon and price, water, embodied carbon, and the books.
 *
 * The cluster integrates IT energy exactly; the run loop calls facility_step once per control
 * step [t0, t1] (simulated seconds; t = 0 is cfg.start_epoch_s UTC) with the exact IT energy of
 * that interval. The facility evaluates the cooling plant at the step's mean IT power and the
 * outdoor conditions at the step's midpoint (traces are step-hold at their own resolution:
 * hourly or 5-minute), adds PV and wind output, dispatches the battery, books every joule by
 * source and sink in the ledger (dc/ledger.h) and fails the step if the books do not close to
 * 1e-9 relative. Steps must be contiguous (each t0 is the previous t1) so no interval escapes
 * the books. Signals for policies (carbon, price, renewable power, outdoor temperature) can be
 * read at any simulated time, past or future (forecasts with perfect foresight).
 * Time series are sampled every cfg.sample_interval_s as window averages, stamped at the
 * window's end like every series of a run, and handed over in facility_report. facility_new reads the traces named in the config (io/ftrace.h); the
 * physics modules (cooling, solar, wind, battery, ledger) do no I/O.
 */
#ifndef MAASIM_FACILITY_H
#define MAASIM_FACILITY_H

#include "dc/battery.h"
#include "dc/cooling.h"
#include "dc/solar.h"
#include "dc/wind.h"
#include "engine/err.h"

struct metrics;

#define FAC_PATH_MAX 512

enum fac_weather_src { FAC_WX_NONE, FAC_WX_CONSTANT, FAC_WX_OPENMETEO, FAC_WX_EPW, FAC_WX_PVGIS };
enum fac_wind_src { FAC_WIND_FROM_WEATHER, FAC_WIND_WINDPOWERLIB };
/* Battery dispatch. SELF_CONSUMPTION (default): surplus renewable energy charges the battery,
 * the rest is curtailed; a deficit is met from the battery, then the grid. IDLE: the battery
 * does nothing. CHARGE: charge at up to power_w, from surplus first, then from the grid.
 * DISCHARGE: self-consumption with discharge capped at power_w. */
enum fac_dispatch { FAC_DISPATCH_SELF, FAC_DISPATCH_IDLE, FAC_DISPATCH_CHARGE,
		    FAC_DISPATCH_DISCHARGE };

/* A CSV whose first column is a timestamp (io/ftrace.h ftrace_read_column). */
struct fac_trace {
	char path[FAC_PATH_MAX]; /* "" = not used */
	char column[96];         /* "" = the second column */
	double utc_offset_h;     /* for timestamps without a zone: local = UTC + offset */
	double scale;            /* multiplies every value (unit or currency conversion) */
};

struct facility_cfg {
	double start_epoch_s;     /* UTC epoch seconds of simulated t = 0 */
	double control_step_s;    /* the run loop's control step, s (for the run loop; > 0) */
	double sample_interval_s; /* time-series sampling interval, s; 0 = no series */
	int n_nodes;              /* servers, for embodied carbon and server fans (>= 0) */
	double design_it_w;       /* nameplate IT power sizing fans and pumps; <= 0: the step's
				   * it_peak_hint_w, or its IT power */

	struct {
		enum fac_weather_src source;
		char path[FAC_PATH_MAX];
		double utc_offset_h;     /* Open-Meteo local labels; EPW/PVGIS carry their own */
		double lat_deg, lon_deg; /* site (NaN = from the file, if it has one) */
		double temp_c, rh_pct;   /* FAC_WX_CONSTANT conditions */
	} weather;

	struct cooling_cfg cooling;
	char fan_curve_path[FAC_PATH_MAX]; /* GreenSKU curve CSV; "" = fans in node profiles */

	struct {
		struct fac_trace carbon;          /* average (location-based) intensity, g/kWh */
		double carbon_g_per_kwh;          /* used when carbon.path is "" */
		struct fac_trace carbon_marginal; /* marginal intensity g/kWh; "" = use average */
		double market_g_per_kwh;          /* market-based residual-mix factor; < 0 = location */
		double contract_frac;             /* share of grid energy covered by PPAs/RECs (0 g) */
		struct fac_trace price;           /* USD/MWh after scale */
		double price_usd_per_mwh;         /* used when price.path is "" */
		double demand_usd_per_kw_month;   /* demand charge on each month's peak grid kW */
	} grid;

	struct {
		struct solar_cfg pv;              /* model, capacity and PVWatts parameters */
		char profile_path[FAC_PATH_MAX];  /* SOLAR_PROFILE: PVWatts hourly CSV */
		double profile_utc_offset_h;      /* local standard time of the profile's site use */
	} solar;

	struct {
		struct wind_cfg wt;               /* turbines; curve filled from curve_path */
		char curve_path[FAC_PATH_MAX];    /* OEDB power_curves.csv */
		enum fac_wind_src source;
		char weather_path[FAC_PATH_MAX];  /* windpowerlib weather CSV */
	} wind;

	struct battery_cfg battery;
	enum fac_dispatch dispatch;

	struct {
		double kg_per_node;     /* embodied kg CO2e per server */
		double kg_per_gpu;      /* per GPU of an LLM replica: the GPU and its share of the
					 * server (a node type with a serving profile of n_gpus) */
		double lifetime_years;  /* amortisation period */
		double kg_per_hour;     /* >= 0: overrides n_nodes * kg_per_node / lifetime (the
					 * loader sums it over node types); < 0: not given */
	} embodied;
};

/* The documented defaults (README "Facility"): start 2023-01-01T00:00:00Z, control step 300 s,
 * samples every 3600 s, weather none, cooling constant PUE 1.58, grid 480 g/kWh and
 * 80 USD/MWh constant, no solar/wind/battery, embodied 4144 kg per server over 5 years. */
void facility_cfg_default(struct facility_cfg *c);

/* Checks every value and the combinations (physics cooling needs weather, irradiance PV needs
 * a site, ...). Messages name JSON paths ("$.datacenter.cooling.pue: expected ..."). */
int facility_cfg_check(const struct facility_cfg *c, struct err *e);

struct facility;

/* Builds a facility from a checked config, reading its traces. NULL with e on bad input.
 * The caller frees with facility_free (NULL is a no-op). */
struct facility *facility_new(const struct facility_cfg *cfg, struct err *e);
void facility_free(struct facility *f);

/* Advances the facility over [t0_s, t1_s] (simulated s, t1 > t0, t0 = previous t1) during
 * which the IT equipment used it_energy_j (>= 0). it_peak_hint_w is the design (nameplate) IT
 * power that sizes fans and pumps; <= 0 = use the step's IT power. Returns -1 with e on a bad
 * argument or when the energy books do not close (the run must fail). */
int facility_step(struct facility *f, double t0_s, double t1_s, double it_energy_j,
		  double it_peak_hint_w, struct err *e);

/* Appends the run's facility metrics and sampled series to ms (names in CONTRACT.md and the
 * README). Call once at the end. */
void facility_report(const struct facility *f, struct metrics *ms);

/* Signals at simulated time t_s (any t, also ahead of the clock: traces are known). */
double facility_carbon_avg(const struct facility *f, double t_s);      /* g CO2e/kWh */
double facility_carbon_marginal(const struct facility *f, double t_s); /* g CO2e/kWh */
double facility_price(const struct facility *f, double t_s);           /* USD/MWh */
double facility_solar_w(const struct facility *f, double t_s);         /* W AC */
double facility_wind_w(const struct facility *f, double t_s);          /* W AC */
double facility_renewable_w(const struct facility *f, double t_s);     /* solar + wind, W */
double facility_outdoor_temp_c(const struct facility *f, double t_s);  /* NaN without weather */
double facility_battery_soc(const struct facility *f);                 /* fraction; 0 if none */
double facility_battery_energy_j(const struct facility *f);            /* J in the store */
/* 1 when a marginal-intensity trace is loaded (else facility_carbon_marginal = average). */
int facility_has_marginal(const struct facility *f);

/* When the facility's inputs next change after simulated time t_s: the earliest sample
 * boundary of any loaded trace (weather, carbon, price, PV profile, wind), or INFINITY when
 * every input is constant. A run loop may align control steps with it. */
double facility_next_change_s(const struct facility *f, double t_s);

/* 1 when nothing in the facility depends on time or on the shape of the IT load within a
 * run: constant weather, carbon and price, a linear cooling model (constant PUE or none), no
 * solar, wind or battery, no demand charge and no sampled series. Then one step over the whole
 * measured period gives exactly the books of any partition into control steps, and the run
 * loop may skip the periodic control events. */
int facility_is_steady(const struct facility *f);

/* Battery dispatch for the following steps (a policy's verb); power_w for CHARGE/DISCHARGE. */
void facility_set_dispatch(struct facility *f, enum fac_dispatch mode, double power_w);

/* Cooling setpoints for the following steps (a cooling policy's verb): CRAH supply air and
 * chilled-water supply, degC. -1 with e (nothing changed) when out of the model's ranges. */
int facility_set_setpoints(struct facility *f, double supply_air_c, double chw_supply_c,
			   struct err *e);

/* The supply-air setpoint (degC) for the following steps, the chilled-water supply moving
 * with it (the configured supply-air minus chilled-water offset, the CRAH coil's approach, is
 * kept; the chilled water is clamped to the model's 2-40 degC). -1 with e (nothing changed)
 * when the supply air is out of the model's range. */
int facility_set_supply_air(struct facility *f, double supply_air_c, struct err *e);
double facility_supply_air_c(const struct facility *f);
/* 1 when the cooling model is the physical plant (setpoints matter). */
int facility_has_plant(const struct facility *f);

/* What-if for cooling policies: the modelled facility power (W: IT + server fans + cooling +
 * other) if the next step ran at supply_air_c (chilled water moving with it), with the last
 * step's IT power and design power (persistence) and the outdoor conditions at t_s. Fills out
 * when not NULL. NaN before the first step or without weather. Pure: changes nothing. */
double facility_cooling_what_if(const struct facility *f, double t_s, double supply_air_c,
				struct cooling_out *out);

/* Running totals for tests and policies (J since the first step). */
double facility_energy_j(const struct facility *f, const char *what); /* "grid", "it", ... */

/* Test hook: corrupts the next step's ledger entry by delta_j, so that step must fail. */
void facility_test_corrupt_ledger(struct facility *f, double delta_j);

#endif
