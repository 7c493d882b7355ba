#!/usr/bin/env bash
# t_cli.sh — the command line: help, version, list, validate, run, exit codes, determinism.
. tests/sh/lib.sh
M=$MAASIM
expect_rc 0 "--help" "$M" --help
grep -q "validate" "$TMP/out" && pass "--help lists validate" || fail "--help lists validate"
expect_rc 0 "--version" "$M" --version
grep -qE '^maasim [0-9]+\.[0-9]+\.[0-9]+ \(commit ' "$TMP/out" && pass "--version format" || fail "--version format: $(cat "$TMP/out")"
expect_rc 2 "no command" "$M"
expect_rc 2 "unknown command" "$M" frobnicate
expect_rc 0 "run --help" "$M" run --help
expect_rc 0 "validate --help" "$M" validate --help
expect_rc 0 "list" "$M" list
for p in fifo least_loaded always_on poisson trace empirical; do
	grep -q "$p" "$TMP/out" && pass "list shows $p" || fail "list shows $p"
done
expect_rc 0 "validate default" "$M" validate scenarios/default.json
grep -q "valid" "$TMP/out" && pass "validate says valid" || fail "validate says valid"
expect_rc 0 "validate with --set" "$M" validate scenarios/test/mm1.json --set policies.dispatch=least_loaded

# the scenario hash covers the input files' contents, not their folder: the same files
# elsewhere give the same hash, one digit changed in a trace a different one
for d in s1 s2; do
	mkdir -p "$TMP/$d/traces"
	cp scenarios/facility_ashburn.json "$TMP/$d/"
	for f in scenarios/traces/*; do ln -s "$PWD/$f" "$TMP/$d/traces/"; done
done
p="$TMP/s2/traces/price_US-MIDA-PJM_2023_raw.csv"
rm "$p"
sed '4000s/\.\([0-9]\)/.9\1/' scenarios/traces/price_US-MIDA-PJM_2023_raw.csv >"$p" # one digit added
h() { "$M" validate "$1" | sed -n 's/.*(hash \([0-9a-f]*\)).*/\1/p'; }
h0=$(h scenarios/facility_ashburn.json); h1=$(h "$TMP/s1/facility_ashburn.json"); h2=$(h "$TMP/s2/facility_ashburn.json")
[ -n "$h0" ] && [ "$h0" = "$h1" ] && pass "scenario hash: same files elsewhere, same hash" ||
	fail "scenario hash: same files elsewhere, same hash ($h0 vs $h1)"
[ -n "$h2" ] && [ "$h2" != "$h1" ] && pass "scenario hash: an edited trace, another hash" ||
	fail "scenario hash: an edited trace, another hash ($h1 vs $h2)"

# a run writes the contract's tables; the summary names the metrics
db="$TMP/a.db"
expect_rc 0 "run mm1" "$M" run scenarios/test/mm1.json --db "$db" --set duration_s=20000 --set warmup_s=2000 --replications 3
grep -q "latency_p99_s" "$TMP/out" && pass "summary has latency_p99_s" || fail "summary has latency_p99_s"
n=$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status = 'ok'")
[ "$n" = 3 ] && pass "3 runs stored" || fail "3 runs stored (got $n)"
for m in requests_arrived requests_completed requests_dropped wait_mean_s latency_mean_s latency_p50_s \
	 latency_p95_s latency_p99_s utilization_mean energy_it_kwh energy_per_request_wh; do
	c=$(sqlite3 "$db" "SELECT count(*) FROM metrics WHERE name = '$m'")
	[ "$c" = 3 ] && pass "metric $m stored per run" || fail "metric $m stored per run (got $c)"
done
j=$(sqlite3 "$db" "SELECT count(*) FROM runs r JOIN scenarios s USING (scenario_hash)")
[ "$j" = 3 ] && pass "runs link to their resolved scenario" || fail "runs link to their resolved scenario ($j)"

# determinism: the same scenario and seed give byte-identical metrics rows
for k in 1 2; do
	"$M" run scenarios/test/mm1.json --db "$TMP/d$k.db" -q --set duration_s=20000 --set warmup_s=2000 --replications 2 >/dev/null 2>&1
	sqlite3 "$TMP/d$k.db" "SELECT r.replication, m.name, quote(m.value), m.unit FROM metrics m JOIN runs r USING (run_id) ORDER BY r.replication, m.name" >"$TMP/rows$k"
done
if [ -s "$TMP/rows1" ] && cmp -s "$TMP/rows1" "$TMP/rows2"; then pass "same seed, identical metric rows"; else fail "same seed, identical metric rows"; fi
"$M" run scenarios/test/mm1.json --db "$TMP/d3.db" -q --seed 43 --set duration_s=20000 --set warmup_s=2000 --replications 2 >/dev/null 2>&1
sqlite3 "$TMP/d3.db" "SELECT r.replication, m.name, quote(m.value), m.unit FROM metrics m JOIN runs r USING (run_id) ORDER BY r.replication, m.name" >"$TMP/rows3"
cmp -s "$TMP/rows1" "$TMP/rows3" && fail "another seed changes the rows" || pass "another seed changes the rows"

# common random numbers: fifo and least_loaded see the same arrivals
for p in fifo least_loaded; do
	"$M" run scenarios/test/mm1.json --db "$TMP/crn.db" -q --set duration_s=5000 --set warmup_s=0 --set datacenter.nodes[0].count=3 --set workload[0].arrival.rate_per_s=2 --set policies.dispatch=$p --replications 1 >/dev/null 2>&1
done
a=$(sqlite3 "$TMP/crn.db" "SELECT count(DISTINCT value) FROM metrics WHERE name = 'requests_arrived'")
[ "$a" = 1 ] && pass "policies compared on the same arrivals" || fail "policies compared on the same arrivals ($a distinct counts)"
finish
