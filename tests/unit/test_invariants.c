/* test_invariants.c — invariants_check (sim/cli/invariants.h): a clean run passes; each kind of
 * broken state, planted by hand after a real run, is caught with a message that names it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "cli/invariants.h"
#include "dc/dc.h"
#include "dc/facility.h"
#include "engine/sim.h"
#include "io/scenario.h"
#include "policy/dispatch.h"

static const char scn_text[] =
	"{\"name\":\"inv\",\"seed\":5,\"duration_s\":500,\"warmup_s\":50,\"replications\":1,"
	"\"datacenter\":{\"node_types\":{\"s\":{\"slots\":2,\"power\":{\"idle_w\":100,\"peak_w\":300}}},"
	"\"nodes\":[{\"type\":\"s\",\"count\":2}]},"
	"\"workload\":[{\"name\":\"j\",\"kind\":\"job\",\"arrival\":{\"process\":\"poisson\",\"rate_per_s\":1.5},"
	"\"service\":{\"dist\":\"exponential\",\"mean_s\":1}}],\"policies\":{\"dispatch\":\"fifo\"}}";

struct world {
	struct scenario *sc;
	struct sim sim;
	struct dc dc;
	struct metrics ms;
	struct err e;
};

static void warm(struct sim *s, void *ctx)
{
	(void)s;
	dc_reset_stats(ctx);
}

/* Loads the scenario and runs one replication the way run_replication does; 0 on success. */
static int world_run(struct world *w)
{
	char path[] = "/tmp/maasim-inv-XXXXXX";
	int fd = mkstemp(path);
	struct err e;

	memset(w, 0, sizeof *w);
	if (fd < 0)
		return -1;
	if (write(fd, scn_text, sizeof scn_text - 1) != (ssize_t)(sizeof scn_text - 1)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	err_clear(&e);
	if (scenario_load(path, NULL, 0, &w->sc, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		unlink(path);
		return -1;
	}
	unlink(path);
	sim_init(&w->sim);
	dc_init(&w->dc, &w->sim, &w->sc->cluster, w->sc->classes, w->sc->n_classes, w->sc->seed, 0);
	dispatch_attach(&w->dc, &w->sc->policies[POLICY_DISPATCH]);
	w->sim.on_warmup = warm;
	w->sim.warmup_ctx = &w->dc;
	w->sim.horizon_s = w->sc->duration_s;
	dc_start_arrivals(&w->dc);
	sim_run(&w->sim, w->sc->duration_s, w->sc->warmup_s);
	metrics_init(&w->ms);
	dc_report(&w->dc, &w->ms);
	err_clear(&w->e);
	return 0;
}

static void world_fini(struct world *w)
{
	metrics_fini(&w->ms);
	dc_fini(&w->dc);
	sim_fini(&w->sim);
	scenario_free(w->sc);
}

static int check(struct world *w)
{
	err_clear(&w->e);
	return invariants_check(&w->sim, &w->dc, NULL, NULL, &w->ms, &w->e);
}

static void test_clean_run_passes(void)
{
	struct world w;

	CHECK_INT(world_run(&w), 0);
	CHECK(w.dc.classes[0].st.arrived > 300); /* the run did something */
	CHECK_INT(check(&w), 0);
	CHECK_INT(w.e.set, 0);
	world_fini(&w);
}

static void test_books(void)
{
	struct world w;

	CHECK_INT(world_run(&w), 0);
	w.dc.classes[0].st.arrived += 2; /* two requests came in and vanished */
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "request books do not close: 2 request(s) arrived but were neither");
	w.dc.classes[0].st.arrived -= 3; /* one completion too many */
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "1 request(s) counted out more than came in");
	world_fini(&w);
}

static void test_energy(void)
{
	struct world w;

	CHECK_INT(world_run(&w), 0);
	w.dc.it_energy_j = -5;
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "IT energy is -5 J; expected a finite value >= 0");
	/* 2 nodes x 300 W x 450 s (after warm-up) = 270000 J is the most possible */
	w.dc.it_energy_j = 270001;
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "exceeds every node at peak power");
	w.dc.it_energy_j = 269999;
	CHECK_INT(check(&w), 0);
	world_fini(&w);
}

static void test_time(void)
{
	struct world w;

	CHECK_INT(world_run(&w), 0);
	w.sim.time_errors = 1;
	w.sim.time_error_t_s = 7;
	w.sim.time_error_now_s = 8;
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "simulated time went backwards (an event at t=7 s fired after t=8 s)");
	w.sim.time_errors = 0;
	metrics_sample(&w.ms, 10, "power_it_w", 1);
	metrics_sample(&w.ms, 10, "queue_length", 1);
	metrics_sample(&w.ms, 9, "power_it_w", 1);
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "series power_it_w goes back in time (t=9 s after t=10 s)");
	world_fini(&w);
}

static void test_signs_and_fractions(void)
{
	struct world w;

	CHECK_INT(world_run(&w), 0);
	metrics_set(&w.ms, "energy_cooling_kwh", -0.5, "kWh");
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "energy_cooling_kwh = -0.5 kWh; expected >= 0");
	metrics_set(&w.ms, "energy_cooling_kwh", 0.5, "kWh");
	metrics_set(&w.ms, "class.j.slo_attainment", 1.25, "1");
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "class.j.slo_attainment = 1.25; expected a fraction in [0, 1]");
	metrics_set(&w.ms, "class.j.slo_attainment", 1, "1");
	metrics_set(&w.ms, "carbon_operational_kg", NAN, "kg");
	CHECK_INT(check(&w), -1);
	CHECK_HAS(w.e.msg, "carbon_operational_kg is not finite");
	world_fini(&w);
}

static void test_battery_window(void)
{
	struct world w;
	struct facility_cfg fc;
	struct facility *f;
	struct err e;

	CHECK_INT(world_run(&w), 0);
	facility_cfg_default(&fc);
	fc.battery.enabled = 1;
	fc.battery.capacity_kwh = 100;
	err_clear(&e);
	f = facility_new(&fc, &e);
	CHECK(f != NULL);
	if (!f) {
		world_fini(&w);
		return;
	}
	/* a fresh battery starts at soc_init, inside [soc_min, soc_max] */
	CHECK_INT(invariants_check(&w.sim, &w.dc, f, &fc.battery, &w.ms, &w.e), 0);
	metrics_sample(&w.ms, 100, "battery_soc", fc.battery.soc_max);
	CHECK_INT(invariants_check(&w.sim, &w.dc, f, &fc.battery, &w.ms, &w.e), 0);
	metrics_sample(&w.ms, 200, "battery_soc", fc.battery.soc_max + 0.01);
	err_clear(&w.e);
	CHECK_INT(invariants_check(&w.sim, &w.dc, f, &fc.battery, &w.ms, &w.e), -1);
	CHECK_HAS(w.e.msg, "battery state of charge");
	CHECK_HAS(w.e.msg, "at t=200 s; expected within [0.1, 0.9]");
	/* without a battery the samples are not its concern */
	fc.battery.enabled = 0;
	CHECK_INT(check(&w), 0);
	facility_free(f);
	world_fini(&w);
}

int main(void)
{
	RUN(test_clean_run_passes);
	RUN(test_books);
	RUN(test_energy);
	RUN(test_time);
	RUN(test_signs_and_fractions);
	RUN(test_battery_window);
	return CHECK_DONE();
}
