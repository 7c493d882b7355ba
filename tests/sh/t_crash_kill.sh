#!/usr/bin/env bash
# t_crash_kill.sh — crash safety: `maasim run` killed with SIGKILL at a random moment, again and
# again on the same database, never corrupts it nor leaves a partial run. After each kill:
# PRAGMA integrity_check is "ok"; every run row is complete (status ok, the full set of metrics
# and of series samples, as many as a finished run has); and no run committed before the kill
# is lost (the count never goes down). Then an uninterrupted run on the same file still works.
# Each run writes many small replications with dense time series, so kills land inside
# simulation and inside database transactions alike. Iterations: MAASIM_KILL_LOOPS (default 12).
. tests/sh/lib.sh
scn=$TMP/kill.json
cat >"$scn" <<'JSON'
{"name":"kill","seed":3,"duration_s":300,"warmup_s":10,"replications":100000,
 "datacenter":{"node_types":{"s":{"slots":4,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":3}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":5},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"least_loaded"},"outputs":{"series_interval_s":2}}
JSON
db=$TMP/kill.db
q() { sqlite3 "$db" "$1" 2>&1; }
# the shape of a complete run, from one uninterrupted replication
"$MAASIM" run "$scn" --db "$TMP/ref.db" --replications 1 -q >/dev/null 2>&1
n_met=$(sqlite3 "$TMP/ref.db" "SELECT count(*) FROM metrics;")
n_ser=$(sqlite3 "$TMP/ref.db" "SELECT count(*) FROM timeseries;")
[ "${n_met:-0}" -gt 10 ] && [ "${n_ser:-0}" -gt 100 ] && pass "a complete run has $n_met metrics and $n_ser samples" ||
	{ fail "reference run: $n_met metrics, $n_ser samples"; finish; exit; }
loops=${MAASIM_KILL_LOOPS:-12}
prev=0 bad=0 killed_mid=0
for i in $(seq 1 "$loops"); do
	"$MAASIM" run "$scn" --db "$db" -q >/dev/null 2>&1 &
	pid=$!
	# 0.03 .. 0.45 s: the first iterations die while creating the database, later ones mid-run
	sleep "0.$(printf "%02d" $((3 + RANDOM % 43)))"
	kill -9 "$pid" 2>/dev/null && killed_mid=$((killed_mid + 1))
	wait "$pid" 2>/dev/null
	[ -e "$db" ] || continue
	ic=$(q "PRAGMA integrity_check;")
	[ "$ic" = ok ] || { bad=$((bad + 1)); echo "  kill $i: integrity_check: $ic"; continue; }
	[ "$(q "SELECT count(*) FROM sqlite_master WHERE name='runs';")" = 1 ] || continue
	runs=$(q "SELECT count(*) FROM runs;")
	partial=$(q "SELECT count(*) FROM runs r WHERE status <> 'ok'
		OR (SELECT count(*) FROM metrics m WHERE m.run_id = r.run_id) <> $n_met
		OR (SELECT count(*) FROM timeseries t WHERE t.run_id = r.run_id) <> $n_ser;")
	if [ "$partial" != 0 ]; then bad=$((bad + 1)); echo "  kill $i: $partial incomplete run(s) of $runs"; fi
	if [ "$runs" -lt "$prev" ]; then bad=$((bad + 1)); echo "  kill $i: $runs runs, $prev before: committed runs lost"; fi
	prev=$runs
done
[ $bad -eq 0 ] && pass "$loops kills ($killed_mid mid-run): database intact, $prev complete runs, none partial, none lost" ||
	fail "$bad of $loops kills left a bad database"
[ "$prev" -gt 0 ] && pass "runs were committed between kills" || fail "no run committed in $loops tries"
expect_rc 0 "the database takes a full run after the kills" "$MAASIM" run "$scn" --db "$db" --replications 2 -q
[ "$(q "PRAGMA integrity_check;")" = ok ] && pass "integrity_check ok at the end" || fail "integrity_check at the end"
finish
