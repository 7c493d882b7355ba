#!/bin/sh
# carbon_compare.sh — how much of the possible carbon saving a realistic forecast gets.
# Runs a scenario whose dispatch is carbon_aware four times with the same seed and replications
# (common random numbers): fifo (doing nothing), and carbon_aware with the oracle, persistence
# and noisy forecasters; prints carbon_operational_kg (mean over replications), deadline misses, and the
# share of the oracle's saving each forecaster captures.
# Usage: tools/carbon_compare.sh [SCENARIO.json] [REPLICATIONS]   (MAASIM=path to the binary)
set -eu
sc=${1:-scenarios/policies/carbon_aware.json}
reps=${2:-5}
bin=${MAASIM:-build/maasim}
db=$(mktemp /tmp/maasim_cc.XXXXXX)
trap 'rm -f "$db" "$db-wal" "$db-shm"' EXIT
metric() { # $1 = summary text, $2 = metric: prints its mean
	printf '%s\n' "$1" | awk -v m="$2" '$1 == m { print $2 }'
}
printf '%-22s %22s %16s %16s\n' run carbon_operational_kg deadline_missed saving_captured
base=
for run in fifo oracle persistence noisy; do
	if [ "$run" = fifo ]; then
		set -- --set policies.dispatch=fifo
	else
		set -- --set policies.dispatch.forecast="$run"
	fi
	out=$("$bin" run "$sc" --db "$db" -q --replications "$reps" "$@")
	c=$(metric "$out" carbon_operational_kg)
	m=$(metric "$out" deadline_missed)
	[ -n "$base" ] || base=$c
	[ "$run" != oracle ] || best=$c
	share=-
	[ "$run" != oracle ] || share=100%
	if [ "$run" != fifo ] && [ "$run" != oracle ]; then
		share=$(awk -v b="$base" -v o="$best" -v x="$c" 'BEGIN { printf "%.0f%%", 100 * (b - x) / (b - o) }')
	fi
	printf '%-22s %22s %16s %16s\n' "$run" "$c" "${m:-0}" "$share"
done
