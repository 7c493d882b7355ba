#!/usr/bin/env bash
# t_bench_second_run.sh — `make bench`'s second-run check (tests/bench/bench.c): a run compares
# each figure with a target against the previous results file and says whether the two agree
# (their ranges of repetitions overlap). Timings are never asserted: the previous files here
# are written by the test, with ranges far from or around any plausible timing, and only the
# verdicts that follow from them are checked. The bench is always a release build, so under
# SAN=1 / DEBUG=1 (no build/bench/maasim_bench made by `make test`) the checks are skipped.
. tests/sh/lib.sh
bench=${BENCH:-build/bench/maasim_bench}
if [ "${BUILD:-build}" != build ] || [ ! -x "$bench" ] || [ ! -x build/maasim ]; then
	skip "bench second run: $bench is built by the release build's make test only"
	finish; exit $?
fi
out=$TMP/bench.json
run_bench() { "$bench" --maasim build/maasim --only startup --quick --out "$out" --commit test >"$TMP/log" 2>&1; }

# 1. no previous file: said so, the JSON's verdict is null
run_bench && grep -q "^second run: no previous $out to compare with" "$TMP/log" &&
	grep -q '"agrees_with_previous": null' "$out" && pass "first run: nothing to compare with" ||
	{ fail "first run"; sed 's/^/      /' "$TMP/log" | tail -n 5; }
cpu=$(sed -n 's/^  "cpu": "\(.*\)",$/\1/p' "$out")
name="start-up: validate a scenario with a year of hourly traces"
# prev QUICK RUNS: a previous results file for this CPU with the start-up figure's repetitions
prev() {
	printf '{"commit": "prev", "cpu": "%s", "date": "2026-01-01T00:00:00Z", "quick": %s, "figures": [{"name": "%s", "value": 1, "runs": [%s]}]}\n' \
		"$cpu" "$1" "$name" "$2" >"$out"
}

# 2. a second run against a real first run: compared (whether it agrees depends on the machine)
cp "$out" "$TMP/first.json"
run_bench && grep -q "^second run: against the previous $out (commit test" "$TMP/log" &&
	grep -Eq "^[01] of 1 figure\(s\) with a target agree with the previous run$" "$TMP/log" &&
	grep -Eq '"agrees_with_previous": (true|false)' "$out" && pass "second run: compared" ||
	{ fail "second run: compared"; sed 's/^/      /' "$TMP/log" | tail -n 5; }

# 3. a previous run whose repetitions lie far above any start-up here (1,000-2,000 s): NO
prev true "1e6, 2e6"
run_bench && grep -q "^0 of 1 figure(s) with a target agree" "$TMP/log" &&
	grep -Eq "^start-up: .* NO \(1e\+06-2e\+06 / " "$TMP/log" &&
	grep -q '"previous_value": 1, "agrees_with_previous": false' "$out" &&
	pass "ranges apart: does not agree" || { fail "ranges apart"; sed 's/^/      /' "$TMP/log" | tail -n 5; }

# 4. a previous range that contains any start-up (0 to 10^9 ms): agrees
prev true "0, 1e9"
run_bench && grep -q "^1 of 1 figure(s) with a target agree" "$TMP/log" &&
	grep -q '"agrees_with_previous": true' "$out" && pass "ranges overlap: agrees" ||
	{ fail "ranges overlap"; sed 's/^/      /' "$TMP/log" | tail -n 5; }

# 5. a figure measured once per run (no "runs"): agrees within 5% only
prev true ""
sed -i 's/"value": 1,/"value": 1e9,/' "$out"
run_bench && grep -q "^0 of 1 figure(s) with a target agree" "$TMP/log" && pass "one measurement, far: does not agree" ||
	{ fail "one measurement, far"; sed 's/^/      /' "$TMP/log" | tail -n 5; }

# 6. a full run is not compared with a quick one, nor a file that is not a bench result
prev false "0, 1e9"
run_bench && grep -q "a run of the other kind (quick / full); not compared" "$TMP/log" &&
	grep -q '"agrees_with_previous": null' "$out" && pass "quick against full: not compared" ||
	{ fail "quick against full"; sed 's/^/      /' "$TMP/log" | tail -n 5; }
# 7. the same model name on another CPU (family, model, cache or SIMD differ): not compared;
# a file from before cpu_id was recorded is compared on the model name alone (case 4 above)
prev true "0, 1e9"
sed -i 's/"cpu": /"cpu_id": "family 0 model 0 stepping 0, cache 1 KB, no avx2", "cpu": /' "$out"
run_bench && grep -q "is from another CPU of this model (family 0 model 0" "$TMP/log" &&
	grep -q '"agrees_with_previous": null' "$out" && grep -q '"cpu_id": "family ' "$out" &&
	pass "another CPU of the same model name: not compared" ||
	{ fail "another CPU of the same model name"; sed 's/^/      /' "$TMP/log" | tail -n 5; }
echo '[1, 2' >"$out"
run_bench && grep -q "is not a bench results file; not compared" "$TMP/log" &&
	pass "not a results file: not compared" || { fail "not a results file"; sed 's/^/      /' "$TMP/log" | tail -n 5; }
finish
