#!/usr/bin/env bash
# t_policies.sh — the policy scenarios run from the command line, the forecaster comparison
# tool works, and bad policies.signals input is rejected with file:line messages.
. "$(dirname "$0")/lib.sh"

for f in carbon_aware price_aware renewable_following edf round_robin power_cap study battery_arbitrage; do
	expect_rc 0 "validate $f" "$MAASIM" validate "scenarios/policies/$f.json"
done
expect_rc 0 "carbon_compare" env MAASIM="$MAASIM" tools/carbon_compare.sh scenarios/policies/carbon_aware.json 1
if awk '$1 == "fifo" { f = $2 } $1 == "oracle" { o = $2 } END { exit !(o < f) }' "$TMP/out"; then
	pass "carbon_compare: oracle below fifo"
else
	fail "carbon_compare: oracle below fifo"; cat "$TMP/out"
fi
grep -q '^persistence .*%' "$TMP/out" && pass "carbon_compare: persistence share" || fail "carbon_compare: persistence share"

# a trace with a gap in its step
printf 'Datetime,v\n2023-01-01 00:00:00,1\n2023-01-01 01:00:00,2\n2023-01-01 03:00:00,3\n' >"$TMP/gap.csv"
expect_rc 2 "signals: irregular step" "$MAASIM" validate scenarios/policies/carbon_aware.json \
	--set "policies.signals.carbon_g_per_kwh={\"path\":\"$TMP/gap.csv\"}"
grep -q "gap.csv:4: expected a regular step" "$TMP/out" && pass "signals: message names file:line" ||
	{ fail "signals: message names file:line"; cat "$TMP/out"; }
expect_rc 2 "signals: unknown column" "$MAASIM" validate scenarios/policies/carbon_aware.json \
	--set "policies.signals.carbon_g_per_kwh={\"path\":\"$TMP/gap.csv\",\"column\":\"nope\"}"
expect_rc 2 "signals: unknown key" "$MAASIM" validate scenarios/policies/carbon_aware.json \
	--set "policies.signals.carbon=5"
expect_rc 2 "unknown forecaster" "$MAASIM" run scenarios/policies/carbon_aware.json --db "$TMP/x.db" \
	--replications 1 --set policies.dispatch.forecast=crystal_ball
grep -q "oracle, persistence, noisy" "$TMP/out" && pass "unknown forecaster lists the valid ones" ||
	{ fail "unknown forecaster lists the valid ones"; cat "$TMP/out"; }
expect_rc 2 "renewable_following without renewables" "$MAASIM" validate scenarios/policies/edf.json \
	--set policies.dispatch=renewable_following
grep -q "renewable_following needs an on-site renewable signal" "$TMP/out" && pass "missing signal named" ||
	{ fail "missing signal named"; cat "$TMP/out"; }
expect_rc 2 "power_aware on slot servers" "$MAASIM" validate scenarios/policies/edf.json \
	--set policies.dispatch=power_aware
grep -q "power_aware needs nodes with a serving profile" "$TMP/out" && pass "serving need named" ||
	{ fail "serving need named"; cat "$TMP/out"; }
finish
