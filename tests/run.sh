#!/usr/bin/env bash
# tests/run.sh BUILD_DIR — runs every unit-test binary and every shell test, adds up their
# "N passed, N failed" lines and ends with the total on the last line.
# Shell tests (tests/sh/*.sh) get MAASIM=<binary> and BUILD=<dir> in the environment and print
# their own "N passed, N failed" line (tests/sh/lib.sh helps).
set -u
build=${1:-build}
export BUILD="$build" MAASIM="$build/maasim"
total_p=0; total_f=0; broken=()
run_one() {
	local name=$1; shift
	local out rc p f
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(FAIL|  FAIL|not ok)' | sed "s|^|[$name] |"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -n 20 | sed "s|^|[$name] |"
		echo "[$name] no summary line (exit $rc): counted as 1 failed"
		total_f=$((total_f + 1)); broken+=("$name"); return
	fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_p=$((total_p + p)); total_f=$((total_f + f))
	printf '%-28s %s\n' "$name" "$line"
	[ "$f" -eq 0 ] || broken+=("$name")
}
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for s in tests/sh/t_*.sh; do
	[ -f "$s" ] || continue
	run_one "$(basename "$s" .sh)" bash "$s"
done
[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
