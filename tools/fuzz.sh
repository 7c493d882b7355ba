#!/usr/bin/env bash
# tools/fuzz.sh BUILD_DIR SECONDS TARGET... — runs each libFuzzer target (BUILD_DIR/fuzz_TARGET)
# for SECONDS, one after the other, from its seed corpus tests/fuzz/TARGET/ plus what earlier
# runs found (BUILD_DIR/corpus/TARGET). A crash leaves its input in BUILD_DIR/crashes/ and makes
# the script exit 1 after the other targets have run: minimise it, fix the reader, and copy it to
# tests/fuzz/regressions/TARGET-<what>, where `make test` replays it forever.
set -u
b=$1 secs=$2; shift 2
mkdir -p "$b/crashes"
bad=()
for t in "$@"; do
	mkdir -p "$b/corpus/$t"
	seeds=(); [ -d "tests/fuzz/$t" ] && seeds=("tests/fuzz/$t")
	echo "== fuzz $t for ${secs}s"
	# -rss_limit_mb: the readers cap their inputs (16 MiB scenarios); 2 GiB means a runaway.
	# -timeout: any single input taking 10 s is a hang worth reporting.
	if ! "$b/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$b/crashes/$t-" "$b/corpus/$t" "${seeds[@]}" \
		>"$b/fuzz_$t.log" 2>&1; then
		bad+=("$t")
		grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written' "$b/fuzz_$t.log" | head -n 20
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$b/fuzz_$t.log" | tr '\n' ' '
	echo
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "fuzz: crashes in: ${bad[*]} (inputs in $b/crashes/, logs in $b/fuzz_*.log)"
	exit 1
fi
echo "fuzz: no crash in $* (${secs}s each)"
