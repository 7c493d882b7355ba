#!/usr/bin/env bash
# t_fault_alloc.sh — allocation-failure sweep (README "Reliability"): in a fault-injection build
# (make SAN=1 or DEBUG=1), MAASIM_FAIL_ALLOC=N makes the Nth allocation fail — ours, cJSON's and
# SQLite's. For N over a short two-replication run, each outcome must be clean: exit 3 with
# "maasim: out of memory", or exit 1/2 with a message naming "out of memory" (SQLite reports its
# own failure and the store passes it on), or exit 0 with both runs stored when N is past the last
# allocation or SQLite absorbed the failure (its page cache can); never a
# signal or a sanitizer report; and the database, when one was made, passes integrity_check and
# holds only complete runs. By default N = 1..40 and then every 61st; MAASIM_FAULT_SWEEP=full
# sweeps every N (minutes under the sanitizers).
. tests/sh/lib.sh
scn=$TMP/small.json
cat >"$scn" <<'JSON'
{"name":"small","seed":1,"duration_s":200,"warmup_s":20,"replications":2,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"least_loaded"},"outputs":{"series_interval_s":10}}
JSON
MAASIM_FAIL_ALLOC=1 "$MAASIM" validate "$scn" >/dev/null 2>&1
if [ $? -ne 3 ]; then
	skip "$MAASIM is not a fault-injection build (make test SAN=1 runs this sweep)"
	finish; exit
fi
total=$(MAASIM_FAIL_ALLOC=count "$MAASIM" run "$scn" --db "$TMP/count.db" -q 2>&1 >/dev/null |
	sed -n 's/^maasim: fault: \([0-9]*\) allocations$/\1/p')
if [ -z "$total" ] || [ "$total" -lt 100 ]; then
	fail "counting allocations gave \"$total\""; finish; exit
fi
pass "a clean run makes $total allocations"
if [ "${MAASIM_FAULT_SWEEP:-}" = full ]; then ns=$(seq 1 $((total + 1)))
else ns="$(seq 1 40) $(seq 41 61 $((total + 1))) $((total + 1))"; fi
runs=0 bad=0 rc3=0 rc12=0 rc0=0
for n in $ns; do
	db=$TMP/f.db; rm -f "$db" "$db-wal" "$db-shm"
	MAASIM_FAIL_ALLOC=$n "$MAASIM" run "$scn" --db "$db" -q >"$TMP/o" 2>"$TMP/e"; rc=$?
	runs=$((runs + 1)); why=""
	case $rc in
	3) rc3=$((rc3 + 1)); grep -q '^maasim: out of memory (allocating [0-9]* bytes)$' "$TMP/e" || why="exit 3 without the message" ;;
	1|2) rc12=$((rc12 + 1)); grep -q 'out of memory' "$TMP/e" || why="exit $rc without naming out of memory" ;;
	0) rc0=$((rc0 + 1)) # past the end, or a failure SQLite absorbed (its page cache may): then
	   # both runs must be there, complete
	   got=$(sqlite3 "$db" "SELECT count(*) FROM runs r WHERE status='ok' AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);" 2>&1)
	   [ "$got" = 2 ] || why="exit 0 with allocation $n of $total failed, but the database holds \"$got\" complete runs, not 2" ;;
	*) why="exit $rc (a signal or an unplanned code)" ;;
	esac
	if grep -qE 'Sanitizer|runtime error|internal error' "$TMP/e"; then why="$why; sanitizer or internal error"; fi
	if [ -z "$why" ] && [ -s "$db" ]; then
		ic=$(sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1)
		[ "$ic" = ok ] || why="integrity_check: $ic"
		# a failure while the schema is being made leaves a file without tables: no run lost
		has=$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name='runs';" 2>&1)
		[ "$has" = 1 ] && half=$(sqlite3 "$db" "SELECT count(*) FROM runs r WHERE status='ok' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);" 2>&1) || half=0
		[ "$half" = 0 ] || why="$why; $half ok run(s) without metrics"
	fi
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		[ $bad -le 5 ] && { echo "  N=$n: $why"; sed 's/^/      /' "$TMP/e" | head -n 8; }
	fi
done
if [ $bad -eq 0 ]; then
	pass "$runs failure points: $rc3 x exit 3 (out of memory), $rc12 x exit 1/2 (SQLite out of memory), $rc0 x exit 0; no signal, no sanitizer report, database intact"
else
	fail "$bad of $runs failure points ended uncleanly"
fi
[ $rc3 -gt 0 ] && [ $rc12 -gt 0 ] && pass "both kinds of failure were reached" || fail "sweep reached only one kind of failure ($rc3 / $rc12)"
finish
