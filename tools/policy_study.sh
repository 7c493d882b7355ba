#!/bin/sh
# policy_study.sh — runs every dispatch policy on one scenario (same seed and replications, so
# the same arrivals: common random numbers) and prints a Markdown table of the means over the
# replications. Usage: tools/policy_study.sh [SCENARIO.json] [REPLICATIONS]
# (MAASIM = the binary, default build/maasim; the scenario's dispatch must be an object so the
# policy's parameters can be set).
set -eu
sc=${1:-scenarios/policies/study.json}
reps=${2:-5}
bin=${MAASIM:-build/maasim}
db=$(mktemp /tmp/maasim_study.XXXXXX)
trap 'rm -f "$db" "$db-wal" "$db-shm"' EXIT
cols="energy_facility_kwh carbon_operational_kg cost_usd energy_renewable_used_kwh class.interactive.slo_attainment class.interactive.latency_p95_s class.batch.deadline_attainment requests_deferred"
printf '| policy | facility kWh | carbon kg | cost USD | PV used kWh | interactive SLO | interactive p95 s | batch deadlines met | deferred |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for p in fifo least_loaded round_robin edf carbon_aware:oracle carbon_aware:persistence \
	carbon_aware:noisy price_aware:oracle renewable_following:oracle; do
	name=${p%%:*}
	set -- --set "policies.dispatch={\"name\":\"$name\"}"
	label=$name
	case $p in *:*) fc=${p#*:}; label="$name ($fc)"
		set -- --set "policies.dispatch={\"name\":\"$name\",\"forecast\":\"$fc\"}";; esac
	out=$("$bin" run "$sc" --db "$db" -q --replications "$reps" "$@")
	printf '| %s |' "$label"
	for c in $cols; do
		printf '%s\n' "$out" | awk -v m="$c" '
			$1 == m { found = 1; v = $2
				if (v + 0 >= 100) printf " %.0f |", v; else if (v + 0 >= 1) printf " %.3g |", v
				else printf " %.3f |", v }
			END { if (!found) printf " - |" }'
	done
	printf '\n'
done
