#!/usr/bin/env bash
# t_sweep_mpi.sh — maasim sweep under Open MPI: rank 0 hands out trials and writes; the rows
# equal those of -j 1 and -j 3 exactly; a rerun skips everything; bad input ends every rank;
# SIGTERM to rank 0 drains the trials in flight and a second one abandons the drain.
# A build without MPI (MPI=0, or SAN=1) must refuse to run under mpirun instead.
. tests/sh/lib.sh
. tests/sh/sweep_lib.sh
S=scenarios/test
# containers often forbid the cross-memory-attach single-copy path: use plain shared memory
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="timeout 300 mpirun --oversubscribe --allow-run-as-root"

if ! command -v mpirun >/dev/null 2>&1; then
	echo "mpirun not installed (tools/deps.sh installs openmpi-bin): nothing to test"
	finish; exit
fi
if ! $MAASIM sweep --help | grep -q 'Open MPI yes'; then
	expect_rc 2 "a build without MPI refuses to run under mpirun" \
		$MPIRUN -np 2 $MAASIM sweep $S/sweep_small.json --db "$TMP/x.db"
	grep -q 'built without Open MPI' "$TMP/out" && pass "and says why" || fail "message: $(head -c 300 "$TMP/out")"
	finish; exit
fi

expect_rc 0 "sweep -j 1" $MAASIM sweep $S/sweep_small.json --db "$TMP/j1.db" -j 1 -q
expect_rc 0 "sweep -j 3" $MAASIM sweep $S/sweep_small.json --db "$TMP/j3.db" -j 3 -q
expect_rc 0 "mpirun -np 3 sweep" $MPIRUN -np 3 $MAASIM sweep $S/sweep_small.json --db "$TMP/mpi.db"
grep -q 'on 2 MPI rank(s) + rank 0 writing' "$TMP/out" && pass "rank 0 dispatches to 2 ranks" || fail "not in MPI mode: $(head -c 300 "$TMP/out")"
[ "$(grep -c 'sweep "sweep_small": mean' "$TMP/out")" = 1 ] && pass "only rank 0 prints the table" || fail "table printed $(grep -c 'sweep "sweep_small": mean' "$TMP/out") times"
same_rows "-j 1 = MPI" "$TMP/j1.db" "$TMP/mpi.db"
same_rows "-j 3 = MPI" "$TMP/j3.db" "$TMP/mpi.db"
MAASIM_SWEEP_PRELOAD=0 expect_rc 0 "mpirun -np 3 sweep, scenarios loaded on demand" $MPIRUN -x MAASIM_SWEEP_PRELOAD -np 3 $MAASIM sweep $S/sweep_small.json --db "$TMP/mpi_lazy.db"
same_rows "-j 1 = on-demand MPI" "$TMP/j1.db" "$TMP/mpi_lazy.db"
[ "$(q "$TMP/mpi.db" "SELECT count(*) FROM sweep_stats")" = "$(q "$TMP/j1.db" "SELECT count(*) FROM sweep_stats")" ] &&
	pass "same statistics rows" || fail "statistics differ"
expect_rc 0 "MPI rerun" $MPIRUN -np 3 $MAASIM sweep $S/sweep_small.json --db "$TMP/mpi.db"
grep -q '12 already stored, 0 to run' "$TMP/out" && [ "$(q "$TMP/mpi.db" "SELECT count(*) FROM runs")" = 12 ] &&
	pass "an MPI rerun skips every stored trial" || fail "MPI rerun: $(head -c 300 "$TMP/out")"
# Ctrl-C to mpirun mid-sweep: the job ends, what was stored stays whole, a rerun finishes it
expect_rc 0 "reference run of the long sweep (-j 2)" $MAASIM sweep $S/sweep_long_mpi.json --db "$TMP/ref.db" -j 2 -q
total=$(q "$TMP/ref.db" "SELECT count(*) FROM runs")
$MPIRUN -np 3 $MAASIM sweep $S/sweep_long_mpi.json --db "$TMP/int.db" -q >"$TMP/int.out" 2>&1 &
pid=$!
for _ in $(seq 400); do [ "$(q "$TMP/int.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0)" -ge 3 ] 2>/dev/null && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
mid=$(q "$TMP/int.db" "SELECT count(*) FROM runs")
[ $rc != 0 ] && [ "$mid" -ge 3 ] && [ "$mid" -lt "$total" ] && pass "SIGINT to mpirun stops the sweep (exit $rc, $mid of $total stored)" ||
	fail "SIGINT to mpirun: exit $rc, $mid of $total stored"
expect_rc 0 "MPI rerun after SIGINT" $MPIRUN -np 3 $MAASIM sweep $S/sweep_long_mpi.json --db "$TMP/int.db" -q
[ "$(q "$TMP/int.db" "SELECT count(*), count(DISTINCT trial_key) FROM runs")" = "$total|$total" ] &&
	pass "all $total trials present, none twice" || fail "after resume: $(q "$TMP/int.db" "SELECT count(*), count(DISTINCT trial_key) FROM runs")"
same_rows "interrupted MPI + resumed MPI = -j 2" "$TMP/ref.db" "$TMP/int.db"

# ---- SIGTERM to rank 0 itself (what srun or a batch system may send): it hands out no more
# trials and drains those in flight (they finish and are stored), so a trial that does not end
# (here one of about 20 minutes) holds it; a second SIGTERM abandons the drain: 130 (MPI_Abort),
# the finished trial stored, the abandoned one not, and a rerun runs it again ----
printf '{"scenarios": "%s/%s/sweep_tiny.json", "replications": 1, "set": {"outputs.series_interval_s": 1e8}, "grid": {"duration_s": [1000, 1e10]}}' \
	"$PWD" "$S" >"$TMP/hold.json"
timeout -k 5 60 mpirun --oversubscribe --allow-run-as-root -np 3 $MAASIM sweep "$TMP/hold.json" --db "$TMP/hold.db" >"$TMP/hold.out" 2>&1 &
pid=$!
for _ in $(seq 400); do [ "$(q "$TMP/hold.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0)" -ge 1 ] 2>/dev/null && break; sleep 0.05; done
r0= # rank 0: the process of this sweep whose environment says so
for c in $(pgrep -f "sweep $TMP/hold.json"); do tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=0 && r0=$c; done
if [ -z "$r0" ]; then
	kill $pid; wait $pid
	fail "no rank 0 found: $(head -c 300 "$TMP/hold.out")"
else
	kill -TERM $r0
	sleep 1
	kill -0 $r0 2>/dev/null && pass "after one SIGTERM rank 0 drains: it waits for the trial in flight" ||
		fail "rank 0 did not wait for the trial in flight: $(head -c 300 "$TMP/hold.out")"
	t0=$(date +%s%N)
	kill -TERM $r0
	wait $pid; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $rc = 130 ] && [ $ms -lt 10000 ] && grep -q 'interrupted: 1 of 2 .* rerun the same command to resume' "$TMP/hold.out" &&
		pass "a second SIGTERM abandons the drain: mpirun exits 130 after $ms ms" ||
		fail "second SIGTERM to rank 0: exit $rc after $ms ms: $(head -c 400 "$TMP/hold.out")"
	[ -z "$(pgrep -f "sweep $TMP/hold.json")" ] && pass "no rank left running" || fail "ranks left: $(pgrep -fa "sweep $TMP/hold.json")"
	[ "$(q "$TMP/hold.db" "SELECT count(*), min(status) FROM runs") $(q "$TMP/hold.db" "PRAGMA integrity_check")" = "1|ok ok" ] &&
		pass "the finished trial stored, the abandoned one not, the database intact" ||
		fail "after the abandoned drain: $(q "$TMP/hold.db" "SELECT count(*), min(status) FROM runs") $(q "$TMP/hold.db" "PRAGMA integrity_check")"
	# the rerun takes up the abandoned trial (and is stopped in it: it would run 20 minutes)
	$MAASIM sweep "$TMP/hold.json" --db "$TMP/hold.db" -j 1 >"$TMP/hold2.out" 2>&1 &
	pid=$!
	for _ in $(seq 200); do grep -q '1 already stored, 1 to run' "$TMP/hold2.out" && break; sleep 0.05; done
	sleep 0.3
	kill -INT $pid; wait $pid; rc=$?
	[ $rc = 130 ] && grep -q '1 already stored, 1 to run' "$TMP/hold2.out" &&
		pass "a rerun runs the abandoned trial again" || fail "rerun after the abandoned drain: exit $rc: $(head -c 300 "$TMP/hold2.out")"
fi

printf '{"scenarios": "nope.json", "replications": 1}' >"$TMP/bad.json"
expect_rc 2 "bad input ends every rank (no hang)" $MPIRUN -np 3 $MAASIM sweep "$TMP/bad.json" --db "$TMP/bad.db"
[ ! -e "$TMP/bad.db" ] && pass "and leaves no database" || fail "bad input created a database"
finish
