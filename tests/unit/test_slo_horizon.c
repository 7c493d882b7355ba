/* test_slo_horizon.c — requests still in the system at the horizon count in slo_attainment and
 * deadline_attainment once they are older than the SLO / deadline (known misses); younger ones
 * are left out (they may still make it).
 *
 * An exact case (no randomness): one server, one slot, deterministic 10 s jobs arriving at
 * t = 0, 1, 2, 3, 4 and 20 s (a trace), horizon 25 s, slo_s 15, deadline_s 12. FIFO serves
 * job 0 (latency 10: meets both) and job 1 (latency 19: misses both); at 25 s job 2 is in
 * service and jobs 3, 4, 5 wait. Jobs 2, 3, 4 are 23, 22 and 21 s old: past both limits;
 * job 5 is 5 s old: censored. So slo_attainment = 1 / (2 + 3) = 0.2 (completed only it
 * was 1 / 2, which flatters a policy that leaves its backlog behind), 3 in-system misses,
 * deadline_attainment = 0.2, deadline_missed = 1 + 3 = 4, requests_in_system_end = 4.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "cli/run.h"
#include "io/scenario.h"
#include "run_fixture.h"

static char dir[] = "/tmp/maasim-test-slo.XXXXXX";

static void test_backlog_counts_as_missed(void)
{
	char scn[300], trace[300];
	struct metrics ms;
	FILE *f;

	snprintf(trace, sizeof trace, "%s/jobs.csv", dir);
	snprintf(scn, sizeof scn, "%s/s.json", dir);
	f = fopen(trace, "w");
	fputs("t_s,service_s\n0,10\n1,10\n2,10\n3,10\n4,10\n20,10\n", f);
	fclose(f);
	f = fopen(scn, "w");
	fputs("{\"name\": \"slo\", \"seed\": 1, \"duration_s\": 25, \"warmup_s\": 0,"
	      " \"datacenter\": {\"node_types\": {\"s\": {\"slots\": 1, \"power\": {\"idle_w\": 100,"
	      " \"peak_w\": 200}}}, \"nodes\": [{\"type\": \"s\", \"count\": 1}]},"
	      " \"workload\": [{\"name\": \"j\", \"kind\": \"job\", \"slo_s\": 15, \"deadline_s\": 12,"
	      " \"arrival\": {\"process\": \"trace\", \"path\": \"jobs.csv\"}}],"
	      " \"policies\": {\"dispatch\": \"fifo\"}}", f);
	fclose(f);
	CHECK_INT(fx_run(scn, NULL, 0, 0, &ms), 0);
	CHECK_NEAR(fx_metric(&ms, "requests_completed"), 2, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "requests_in_system_end"), 4, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "slo_missed_in_system_end"), 3, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "slo_attainment"), 0.2, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "class.j.slo_attainment"), 0.2, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "class.j.slo_missed_in_system_end"), 3, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "deadline_attainment"), 0.2, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "deadline_missed"), 4, 0, 0);
	/* latency covers completed requests only: jobs 0 and 1 */
	CHECK_NEAR(fx_metric(&ms, "latency_mean_s"), (10.0 + 19.0) / 2, 1e-12, 0);
	metrics_fini(&ms);
	unlink(trace);
	unlink(scn);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_backlog_counts_as_missed);
	rmdir(dir);
	return CHECK_DONE();
}
