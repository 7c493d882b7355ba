#!/usr/bin/env bash
# t_run_signal.sh — Ctrl-C (SIGINT) and SIGTERM stop `maasim run` cleanly: exit 130, a message
# saying what was kept, the interrupted replication not stored, every stored run complete (its
# metrics and its series) and the database intact. Two cases: a signal in the middle of one
# very long replication (it must stop within seconds, not run to the horizon), and a signal
# between many short replications (the ones before it stay).
. tests/sh/lib.sh
command -v sqlite3 >/dev/null || { skip "no sqlite3 command-line tool"; finish; exit; }
scn=$TMP/s.json
# 1e9 simulated seconds at 50 requests/s: hours of wall time, never reached
cat >"$scn" <<'JSON'
{"name":"sig","seed":1,"duration_s":1e9,"warmup_s":0,"replications":1,
 "datacenter":{"node_types":{"s":{"slots":4,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":8}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":50},"service":{"dist":"exponential","mean_s":0.4}}],
 "policies":{"dispatch":"fifo"},"outputs":{"series_interval_s":1000}}
JSON
q() { sqlite3 "$1" "$2" 2>&1; }
# runs DB: "<runs> <ok runs without metrics> <ok runs without series>"
books() {
	echo "$(q "$1" "SELECT count(*) FROM runs;")" \
		"$(q "$1" "SELECT count(*) FROM runs r WHERE status='ok' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);")" \
		"$(q "$1" "SELECT count(*) FROM runs r WHERE status='ok' AND NOT EXISTS (SELECT 1 FROM timeseries t WHERE t.run_id=r.run_id);")"
}
# wait_for COND_CMD SECONDS: polls every 0.1 s
wait_for() { local i=0; while ! eval "$1"; do sleep 0.1; i=$((i + 1)); [ $i -ge $(($2 * 10)) ] && return 1; done; return 0; }
# reap PID: waits for it (at most 30 s, then kill -9: a run to the horizon would take hours);
# its exit code in $rc. (No background guard: a killed subshell would run lib.sh's EXIT trap.)
reap() { wait_for "! kill -0 $1 2>/dev/null" 30 || kill -9 "$1" 2>/dev/null; wait "$1"; rc=$?; }

for sig in INT TERM; do
	db=$TMP/long_$sig.db
	"$MAASIM" run "$scn" --db "$db" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# the replication is under way once its start line is printed
	wait_for 'grep -q "replication(s) of" "$TMP/out"' 30 || fail "SIG$sig, long run: never started"
	sleep 1
	t0=$(date +%s%N)
	kill -$sig $pid
	reap $pid
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $rc -eq 130 ] && pass "SIG$sig mid-replication: exit 130" || fail "SIG$sig mid-replication: exit $rc, wanted 130"
	[ $ms -lt 10000 ] && pass "SIG$sig mid-replication: stopped in $ms ms" || fail "SIG$sig mid-replication: took $ms ms"
	grep -qF "interrupted (SIG$sig) during replication 0: it was not stored; 0 replication(s) before it are stored" "$TMP/err" &&
		pass "SIG$sig mid-replication: says what was kept" || { fail "SIG$sig mid-replication: message"; sed 's/^/      /' "$TMP/err"; }
	[ "$(books "$db")" = "0 0 0" ] && pass "SIG$sig mid-replication: no run row, no metric, no sample" ||
		fail "SIG$sig mid-replication: books $(books "$db"), metrics $(q "$db" "SELECT count(*) FROM metrics;")"
	[ "$(q "$db" "SELECT count(*) FROM metrics;") $(q "$db" "SELECT count(*) FROM timeseries;")" = "0 0" ] &&
		pass "SIG$sig mid-replication: nothing half-written" || fail "SIG$sig mid-replication: rows left behind"
	[ "$(q "$db" "PRAGMA integrity_check;")" = ok ] && pass "SIG$sig mid-replication: database intact" ||
		fail "SIG$sig mid-replication: integrity check failed"
done

# many short replications: interrupt after a few are stored
db=$TMP/many.db
"$MAASIM" run "$scn" --db "$db" --set duration_s=2000 --set outputs.series_interval_s=10 --replications 100000 -q >"$TMP/out" 2>"$TMP/err" &
pid=$!
# (sqlite3 only once the run has made the database: sqlite3 would create it first, empty)
wait_for '[ -e "$db-wal" ] && [ "$(q "$db" "SELECT count(*) FROM runs;")" -ge 3 ] 2>/dev/null' 60 ||
	fail "many replications: fewer than 3 stored after 60 s"
kill -INT $pid
reap $pid
[ $rc -eq 130 ] && pass "SIGINT between replications: exit 130" || fail "SIGINT between replications: exit $rc"
set -- $(books "$db")
n=$1
[ "$n" -ge 3 ] && [ "$n" -lt 100000 ] && [ "$2" = 0 ] && [ "$3" = 0 ] &&
	pass "SIGINT between replications: $n runs stored, each with its metrics and series" ||
	fail "SIGINT between replications: books $*"
grep -qF "before it are stored in" "$TMP/err" && grep -qF "it was not stored; $n replication(s)" "$TMP/err" &&
	pass "SIGINT between replications: the message counts the $n stored" ||
	{ fail "SIGINT between replications: message"; sed 's/^/      /' "$TMP/err"; }
# every stored run has as many metrics as the first: none is half-written
[ "$(q "$db" "SELECT count(DISTINCT c) FROM (SELECT count(*) c FROM metrics GROUP BY run_id);")" = 1 ] &&
	pass "SIGINT between replications: every run has all its metrics" || fail "SIGINT between replications: uneven metric rows"
[ "$(q "$db" "PRAGMA integrity_check;")" = ok ] && pass "SIGINT between replications: database intact" ||
	fail "SIGINT between replications: integrity check failed"

# a signal while the run waits for another process's lock on the database: replication 1 is
# done and its rows wait for the lock a sqlite3 shell holds. SQLite's busy time-out used to
# sleep through the signal for its 10 s, and the run then failed (exit 1, "database is
# locked"); the wait now gives up at the signal: 130 at once, replication 0 kept. (Should the
# signal come before replication 1 ends, it stops the replication: the same verdict.)
db=$TMP/locked.db
"$MAASIM" run "$scn" --db "$db" --set duration_s=200000 --set outputs.series_interval_s=10000 --replications 2 >"$TMP/out" 2>"$TMP/err" &
pid=$!
if ! wait_for 'grep -q "^replication 0:" "$TMP/out"' 60; then
	fail "lock wait: replication 0 not stored after 60 s"; kill -9 $pid; wait $pid
else
	sqlite3 "$db" "BEGIN IMMEDIATE;" ".shell sleep 30" >/dev/null 2>&1 &
	lockpid=$!
	wait_for '! sqlite3 "$db" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null' 10 || fail "lock wait: the sqlite3 shell did not take the lock"
	sleep 4 # replication 1 (about 1 s here) ends and waits for the lock, for up to 10 s
	t0=$(date +%s%N)
	kill -TERM $pid
	reap $pid
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	pkill -P $lockpid 2>/dev/null; kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null
	[ $rc -eq 130 ] && [ $ms -lt 3000 ] && pass "SIGTERM while waiting for a lock: exit 130 after $ms ms" ||
		{ fail "SIGTERM while waiting for a lock: exit $rc after $ms ms"; sed 's/^/      /' "$TMP/err"; }
	grep -qF "interrupted (SIGTERM) during replication 1: it was not stored; 1 replication(s) before it are stored" "$TMP/err" &&
		pass "SIGTERM while waiting for a lock: says what was kept" || { fail "lock wait: message"; sed 's/^/      /' "$TMP/err"; }
	[ "$(books "$db")" = "1 0 0" ] && [ "$(q "$db" "PRAGMA integrity_check;")" = ok ] &&
		pass "SIGTERM while waiting for a lock: replication 0 complete, database intact" || fail "lock wait: books $(books "$db")"
fi
finish
