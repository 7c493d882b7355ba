#!/usr/bin/env bash
# t_fault_alloc.sh — allocation-failure sweep (README "Reliability"): in a fault-injection build
# (make SAN=1 or DEBUG=1), MAASIM_FAIL_ALLOC=N makes the Nth allocation fail — ours, cJSON's and
# SQLite's. For N over a short two-replication run, and over a small sweep (2 points x 2
# replications, -j 1), each outcome must be clean: exit 3 with "maasim: out of memory", or exit
# 1/2 with a message naming "out of memory" (SQLite reports its own failure and the store passes
# it on), or exit 0 with every run stored when N is past the last allocation or SQLite absorbed
# the failure (its page cache can); never a signal or a sanitizer report; and the database, when
# one was made, passes integrity_check and holds only complete runs. By default N = 1..40 and
# then every 61st for the run, 1..10 and then 24 points for the sweep; MAASIM_FAULT_SWEEP=full
# tries every N (many minutes under the sanitizers).
. tests/sh/lib.sh
scn=$TMP/small.json
cat >"$scn" <<'JSON'
{"name":"small","seed":1,"duration_s":200,"warmup_s":20,"replications":2,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"least_loaded"},"outputs":{"series_interval_s":10}}
JSON
cat >"$TMP/sweep.json" <<'JSON'
{"name":"f","scenarios":["small.json"],"replications":2,"set":{"duration_s":100},
 "grid":{"policies.dispatch":["fifo","least_loaded"]}}
JSON
MAASIM_FAIL_ALLOC=1 "$MAASIM" validate "$scn" >/dev/null 2>&1
if [ $? -ne 3 ]; then
	skip "$MAASIM is not a fault-injection build (make test SAN=1 runs this sweep)"
	finish; exit
fi
q() { sqlite3 "$db" "$1" 2>&1; }

# sweep_n NAME RUNS-WHEN-DONE FIRST STRIDE CMD...: fails allocation N of a clean CMD's count
sweep_n() {
	local name=$1 want_runs=$2 first=$3 stride=$4; shift 4
	local total ns n rc why runs=0 bad=0 rc3=0 rc12=0 rc0=0 got has half ic
	db=$TMP/count.db; rm -f "$db"*
	total=$(MAASIM_FAIL_ALLOC=count "$@" 2>&1 >/dev/null | sed -n 's/^maasim: fault: \([0-9]*\) allocations$/\1/p' | tail -n 1)
	if [ -z "$total" ] || [ "$total" -lt 100 ]; then fail "$name: counting allocations gave \"$total\""; return; fi
	pass "$name: a clean run makes $total allocations"
	if [ "${MAASIM_FAULT_SWEEP:-}" = full ]; then ns=$(seq 1 $((total + 1)))
	else ns="$(seq 1 "$first") $(seq $((first + 1)) "${stride:-$((total / 24))}" "$total") $((total + 1))"; fi
	for n in $ns; do
		db=$TMP/f.db; rm -f "$db" "$db-wal" "$db-shm"
		MAASIM_FAIL_ALLOC=$n "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
		runs=$((runs + 1)); why=""
		case $rc in
		3) rc3=$((rc3 + 1)); grep -q '^maasim: out of memory (allocating [0-9]* bytes)$' "$TMP/e" || why="exit 3 without the message" ;;
		1|2) rc12=$((rc12 + 1)); grep -q 'out of memory' "$TMP/e" || why="exit $rc without naming out of memory" ;;
		0) rc0=$((rc0 + 1))
		   got=$(q "SELECT count(*) FROM runs r WHERE status='ok' AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);")
		   [ "$got" = "$want_runs" ] || why="exit 0 with allocation $n of $total failed, but the database holds \"$got\" complete runs, not $want_runs" ;;
		*) why="exit $rc (a signal or an unplanned code)" ;;
		esac
		if grep -qE 'Sanitizer|runtime error|internal error' "$TMP/e"; then why="$why; sanitizer or internal error"; fi
		if [ -z "$why" ] && [ -s "$db" ]; then
			ic=$(q 'PRAGMA integrity_check;')
			[ "$ic" = ok ] || why="integrity_check: $ic"
			# a failure while the schema is being made leaves a file without tables (the schema
			# is one transaction): no run lost
			has=$(q "SELECT count(*) FROM sqlite_master WHERE name IN ('runs', 'metrics');")
			half=0
			[ "$has" = 2 ] && half=$(q "SELECT count(*) FROM runs r WHERE status='ok' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);")
			[ "$half" = 0 ] || why="$why; $half ok run(s) without metrics"
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			[ $bad -le 5 ] && { echo "  $name N=$n: $why"; sed 's/^/      /' "$TMP/e" | head -n 8; }
		fi
	done
	if [ $bad -eq 0 ]; then
		pass "$name: $runs failure points: $rc3 x exit 3 (out of memory), $rc12 x exit 1/2 (SQLite out of memory), $rc0 x exit 0; no signal, no sanitizer report, database intact"
	else
		fail "$name: $bad of $runs failure points ended uncleanly"
	fi
	[ $rc3 -gt 0 ] && [ $rc12 -gt 0 ] && pass "$name: both kinds of failure were reached" ||
		fail "$name: reached only one kind of failure ($rc3 / $rc12)"
}
sweep_n run 2 40 61 "$MAASIM" run "$scn" --db "$TMP/f.db" -q
# (the sweep's db path is fixed: sweep_n points $db at it)
sweep_n sweep 4 10 "" "$MAASIM" sweep "$TMP/sweep.json" --db "$TMP/f.db" -q -j 1
finish
