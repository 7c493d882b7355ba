#!/usr/bin/env bash
# t_invariants.sh — the end-of-run invariants (sim/cli/invariants.h) catch a deliberately
# corrupted model. Fault builds (make test SAN=1 / DEBUG=1) honour MAASIM_TEST_CORRUPT=books|
# energy|time|nan|ledger (ledger: the facility's energy books), which breaks replication
# MAASIM_TEST_CORRUPT_REP half-way. For each kind:
# exit 1, the reason on stderr, the corrupted replication stored as "failed" with that reason and
# no metrics, and the replications before and after it stored "ok" with their metrics (a failed
# run does not stop the others), and a sweep stores its failed trials and runs the rest. In
# every build: a clean run passes all invariants.
. tests/sh/lib.sh
scn=$TMP/small.json
cat >"$scn" <<'JSON'
{"name":"small","seed":1,"duration_s":200,"warmup_s":20,"replications":3,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"least_loaded"},"outputs":{"series_interval_s":10}}
JSON
expect_rc 0 "a clean run passes every invariant" "$MAASIM" run "$scn" --db "$TMP/clean.db" -q
q() { sqlite3 -separator '|' "$1" "$2" 2>&1; }
MAASIM_TEST_CORRUPT=books "$MAASIM" run "$scn" --db "$TMP/probe.db" -q >/dev/null 2>&1
if [ $? -ne 1 ]; then
	skip "$MAASIM does not honour MAASIM_TEST_CORRUPT (not a fault build; make test SAN=1 checks it)"
	finish; exit
fi
check() { # KIND MESSAGE-FRAGMENT
	local kind=$1 frag=$2 db=$TMP/$1.db
	MAASIM_TEST_CORRUPT=$kind MAASIM_TEST_CORRUPT_REP=1 "$MAASIM" run "$scn" --db "$db" -q \
		>"$TMP/out" 2>"$TMP/err"; local rc=$?
	[ $rc -eq 1 ] && pass "$kind: exit 1" || fail "$kind: exit $rc, wanted 1"
	grep -qF "replication 1 FAILED: $frag" "$TMP/err" &&
		pass "$kind: stderr says why" || { fail "$kind: stderr lacks \"$frag\""; cat "$TMP/err"; }
	local got; got=$(q "$db" "SELECT replication, status, (SELECT count(*) FROM metrics m WHERE m.run_id = r.run_id) > 0 FROM runs r ORDER BY replication;" | tr '\n' ' ')
	[ "$got" = "0|ok|1 1|failed|0 2|ok|1 " ] && pass "$kind: replication 1 stored failed without metrics, 0 and 2 ok" ||
		fail "$kind: runs table is \"$got\""
	got=$(q "$db" "SELECT message FROM runs WHERE replication = 1;")
	case $got in *"$frag"*) pass "$kind: the reason is stored" ;; *) fail "$kind: stored reason \"$got\"" ;; esac
	grep -qE 'Sanitizer|runtime error|internal error' "$TMP/err" && fail "$kind: sanitizer or internal error"
}
check books "invariant broken: request books do not close: 1 request(s)"
check energy "invariant broken: IT energy 1e+30 J exceeds every node at peak power"
check time "invariant broken: simulated time went backwards"
check nan "facility: facility_step" # the facility sees the NaN power first
check ledger "facility: "

# a sweep goes on past failed trials: 2 points x 2 replications, replication 1 corrupted
cat >"$TMP/base.json" <<'JSON'
{"name":"base","seed":1,"duration_s":100,"warmup_s":10,"replications":1,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}]}
JSON
cat >"$TMP/sweep.json" <<'JSON'
{"name":"inv","scenarios":["base.json"],"replications":2,"grid":{"policies.dispatch":["fifo","least_loaded"]}}
JSON
MAASIM_TEST_CORRUPT=books MAASIM_TEST_CORRUPT_REP=1 "$MAASIM" sweep "$TMP/sweep.json" --db "$TMP/sw.db" -q -j 2 \
	>"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && pass "sweep with failing trials: exit 1" || { fail "sweep: exit $rc, wanted 1"; tail -5 "$TMP/err"; }
got=$(q "$TMP/sw.db" "SELECT replication, status, coalesce(message, '') LIKE 'invariant broken: request books%' FROM runs ORDER BY replication, run_id;" | tr '\n' ' ')
[ "$got" = "0|ok|0 0|ok|0 1|failed|1 1|failed|1 " ] && pass "sweep: the failed trials are stored with the reason, the others ran and are ok" ||
	fail "sweep: runs table is \"$got\""
finish
