#!/usr/bin/env bash
# tests/bench/sweep_bench.sh [MAASIM] — wall time of a 200-trial sweep at -j 1 and -j 2 (and on
# 1+2 MPI ranks when the build has Open MPI), each into a fresh database, and the speed-up.
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
timed "-j 1" "$maasim" sweep "$spec" --db "$tmp/j1.db" -j 1; w1=$wall
timed "-j 2" "$maasim" sweep "$spec" --db "$tmp/j2.db" -j 2; w2=$wall
printf 'speed-up -j 2 over -j 1: %.2f (measured)\n' "$(div "$w1" "$w2")"
# On a shared machine the run may get far less than 2 cores (see "cores busy"; Linux autogroup
# gives one session one share however many processes it has): then the measured speed-up says
# more about the neighbours than about maasim.
if command -v mpirun >/dev/null && "$maasim" sweep --help | grep -q 'Open MPI yes'; then
	export OMPI_MCA_btl_vader_single_copy_mechanism=none
	timed "MPI 1+2 ranks" mpirun --oversubscribe --allow-run-as-root -np 3 "$maasim" sweep "$spec" --db "$tmp/mpi.db"
	printf 'speed-up MPI (2 computing ranks) over -j 1: %.2f (measured)\n' "$(div "$w1" "$wall")"
fi
