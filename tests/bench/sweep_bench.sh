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

now() { date +%s.%N; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
# timed LABEL CMD...: runs CMD, prints and records its wall time
timed() {
	local label=$1 t0 t1; shift
	echo "load average before $label: $(cut -d' ' -f1-3 /proc/loadavg)"
	t0=$(now)
	"$@" >"$tmp/out" 2>&1 || { echo "sweep_bench: $label failed:"; tail -n 5 "$tmp/out"; exit 1; }
	t1=$(now)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	grep -q '0 already stored, 200 to run' "$tmp/out" || { echo "sweep_bench: $label did not run 200 trials"; exit 1; }
	printf '%-14s %8.2f s wall  (%.1f trials/s)\n' "$label" "$wall" "$(div 200 "$wall")"
}

echo "sweep_bench: 200 trials ($spec), $(nproc) core(s), $($maasim --version)"
timed "-j 1" "$maasim" sweep "$spec" --db "$tmp/j1.db" -j 1 -q; w1=$wall
timed "-j 2" "$maasim" sweep "$spec" --db "$tmp/j2.db" -j 2 -q; w2=$wall
printf 'speed-up -j 2 over -j 1: %.2f (measured)\n' "$(div "$w1" "$w2")"
if command -v mpirun >/dev/null && "$maasim" sweep --help | grep -q 'Open MPI yes'; then
	export OMPI_MCA_btl_vader_single_copy_mechanism=none
	timed "MPI 1+2 ranks" mpirun --oversubscribe --allow-run-as-root -np 3 "$maasim" sweep "$spec" --db "$tmp/mpi.db" -q
	printf 'speed-up MPI (2 computing ranks) over -j 1: %.2f (measured)\n' "$(div "$w1" "$wall")"
fi
