#!/usr/bin/env bash
# tests/bench/sweep_bench.sh [MAASIM] — wall time of a 200-trial sweep at -j 1 and -j 2 (medians of
# SWEEP_BENCH_ROUNDS=5 alternating pairs after a warm-up; and once on 1+2 MPI ranks when the build
# has Open MPI), each into a fresh database, and the speed-up.
# Measured figures: they depend on the machine and on what else runs on it, so the script also
# prints the core count and the load average before each run. Run it on an idle machine.
set -eu
maasim=${1:-build/maasim}
spec=tests/bench/sweep_200.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maasim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -x "$maasim" ] || { echo "sweep_bench: $maasim not built (make)" >&2; exit 2; }

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
# timed LABEL CMD...: runs CMD, prints its wall time and the CPU time it got (user + system,
# workers included): CPU / wall is the number of cores the run actually had
timed() {
	local label=$1 t; shift
	echo "load average before $label: $(cut -d' ' -f1-3 /proc/loadavg)"
	TIMEFORMAT='%R %U %S'
	{ time "$@" >"$tmp/out" 2>&1; } 2>"$tmp/time" || { echo "sweep_bench: $label failed:"; tail -n 5 "$tmp/out"; exit 1; }
	t=$(tail -n 1 "$tmp/time")
	wall=${t%% *}
	cpu=$(echo "$t" | awk '{ printf "%.2f", $2 + $3 }')
	grep -q '0 already stored, 200 to run' "$tmp/out" || { echo "sweep_bench: $label did not run 200 trials"; exit 1; }
	printf '%-14s %8.2f s wall  %7.2f s CPU  (%.1f trials/s, %.2f cores busy)\n' "$label" "$wall" "$cpu" \
		"$(div 200 "$wall")" "$(div "$cpu" "$wall")"
	grep '^time:' "$tmp/out" | sed 's/^/               /'
}

echo "sweep_bench: 200 trials ($spec), $(nproc) core(s), $($maasim --version)"
# one unmeasured run first (page cache, CPU clocks), then ROUNDS alternating -j 1 / -j 2 pairs,
# each into a fresh database: the figures are the medians, the speed-up the median of the
# per-pair ratios (alternating, so both see the same machine)
ROUNDS=${SWEEP_BENCH_ROUNDS:-5}
"$maasim" sweep "$spec" --db "$tmp/warm.db" -j 2 -q >/dev/null 2>&1 || { echo "sweep_bench: warm-up run failed"; exit 1; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
w1s= w2s= ratios= cpu1s=
for r in $(seq "$ROUNDS"); do
	rm -f "$tmp"/j*.db*
	timed "-j 1 (run $r)" "$maasim" sweep "$spec" --db "$tmp/j1.db" -j 1; w1=$wall; cpu1s="$cpu1s $cpu"
	timed "-j 2 (run $r)" "$maasim" sweep "$spec" --db "$tmp/j2.db" -j 2; w2=$wall
	w1s="$w1s $w1" w2s="$w2s $w2" ratios="$ratios $(div "$w1" "$w2")"
done
w1=$(echo $w1s | median) w2=$(echo $w2s | median) cpu1=$(echo $cpu1s | median)
printf 'wall -j 1: %.2f s (median of %d)\n' "$w1" "$ROUNDS"
printf 'wall -j 2: %.2f s (median of %d)\n' "$w2" "$ROUNDS"
printf 'speed-up -j 2 over -j 1: %.2f (measured, median of %d alternating pairs:%s)\n' "$(echo $ratios | median)" "$ROUNDS" "$ratios"
# What two idle cores would give, from the CPU times just measured: the work (writer + workers)
# spread over 2 cores, unless the one writer alone takes longer. A model, not a measurement.
writer=$(sed -n 's/.*CPU \([0-9.]*\) s in this process.*/\1/p' "$tmp/out")
workers=$(sed -n 's/.* \([0-9.]*\) s in worker processes.*/\1/p' "$tmp/out")
printf 'speed-up -j 2 on 2 idle cores: %.2f (modelled from the CPU times above: %s s writer + %s s workers vs %s s at -j 1)\n' \
	"$(awk -v c1="$cpu1" -v w="$writer" -v k="$workers" 'BEGIN { t = (w + k) / 2; if (w > t) t = w; printf "%.4f", c1 / t }')" \
	"$writer" "$workers" "$cpu1"
# On a shared machine the run may get far less than 2 cores (see "cores busy"; Linux autogroup
# gives one session one share however many processes it has): then the measured speed-up says
# more about the neighbours than about maasim.
if command -v mpirun >/dev/null && "$maasim" sweep --help | grep -q 'Open MPI yes'; then
	export OMPI_MCA_btl_vader_single_copy_mechanism=none
	timed "MPI 1+2 ranks" mpirun --oversubscribe --allow-run-as-root -np 3 "$maasim" sweep "$spec" --db "$tmp/mpi.db"
	printf 'speed-up MPI (2 computing ranks) over -j 1: %.2f (measured)\n' "$(div "$w1" "$wall")"
fi
