#!/usr/bin/env bash
# t_valgrind.sh — a full example run is clean under valgrind memcheck: no invalid read or write,
# no use of uninitialised memory, and no leak of any kind (definite, indirect, possible or still
# reachable) at exit. The run: scenarios/default.json (the Azure conversation trace on 8 GPU
# servers) shortened to 300 s x 2 replications, into a fresh database, so loading, trace
# reading, simulation, series sampling and the store are all exercised; one simulated day of
# scenarios/climate_toronto.json for the facility (Open-Meteo weather, physics cooling, solar,
# battery, carbon and price traces); plus `validate` and a bad input (the error paths free
# what they made). Skipped, and counted, when valgrind is absent
# or the binary is a sanitizer build (the two do not mix: make test SAN=1 has ASan/LSan instead).
. tests/sh/lib.sh
if ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind is not installed (tools/deps.sh --install adds it)"; finish; exit
fi
case ${BUILD:-build} in *san*)
	skip "valgrind does not run sanitizer builds; make test SAN=1 checks memory with ASan/LSan"; finish; exit ;;
esac
vg() { # NAME WANT-RC ARGS...
	local name=$1 want=$2; shift 2
	valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=99 --log-file="$TMP/vg.log" "$MAASIM" "$@" >"$TMP/out" 2>&1
	local rc=$?
	if [ $rc -eq "$want" ] && [ ! -s "$TMP/vg.log" ]; then pass "$name: clean under valgrind (exit $rc)"
	else fail "$name: exit $rc (wanted $want; 99 = valgrind found errors)"; head -n 30 "$TMP/vg.log"; tail -n 5 "$TMP/out"; fi
}
vg "run default.json (300 s x 2)" 0 run scenarios/default.json --db "$TMP/vg.db" --replications 2 \
	--set duration_s=300 --set warmup_s=30 -q
[ "$(sqlite3 "$TMP/vg.db" "SELECT count(*) FROM runs WHERE status='ok';" 2>&1)" = 2 ] &&
	pass "the run under valgrind stored both replications" || fail "runs missing after the valgrind run"
vg "run climate_toronto.json (1 day: weather, physics cooling, solar, battery, carbon and price traces)" 0 \
	run scenarios/climate_toronto.json --db "$TMP/vgf.db" --set duration_s=86400 -q
vg "validate default.json" 0 validate scenarios/default.json
vg "a bad trace (error path)" 2 validate tests/bad/trace_backwards.json
finish
