#!/usr/bin/env bash
# t_cooling.sh — the cooling policies end to end on a real weather week
# (scenarios/policies/cooling.json: Philadelphia, 2023-05-15..22, Open-Meteo hourly): with the
# same arrivals and weather, dynamic_setpoint lowers facility energy against fixed_setpoint while
# its supply air stays inside the A1 recommended envelope and the servers' inlet-driven fan
# power rises; economizer_first raises economizer hours; maasim list shows the three.
. "$(dirname "$0")/lib.sh"
scn=scenarios/policies/cooling.json

expect_rc 0 "list" "$MAASIM" list
for p in fixed_setpoint dynamic_setpoint economizer_first; do
	grep -q "^    $p " "$TMP/out" && pass "list shows $p" || fail "list shows $p"
done
grep -q '^      setpoint_c ' "$TMP/out" && grep -q '^      step_c ' "$TMP/out" &&
	pass "list shows the cooling parameters" || fail "list shows the cooling parameters"

# metric NAME FILE: the value column of a run's summary table
metric() { awk -v m="$1" '$1 == m { print $2; exit }' "$2"; }
for p in fixed_setpoint dynamic_setpoint economizer_first; do
	expect_rc 0 "run $p" "$MAASIM" run "$scn" --db "$TMP/c.db" -q --set "policies.cooling=$p"
	cp "$TMP/out" "$TMP/$p.txt"
done
f=$TMP/fixed_setpoint.txt d=$TMP/dynamic_setpoint.txt x=$TMP/economizer_first.txt
# lt A B NAME: A < B
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }' && pass "$3 ($1 < $2)" || fail "$3 ($1 < $2)"; }
eq() { [ "$1" = "$2" ] && [ -n "$1" ] && pass "$3 ($1)" || fail "$3 ($1 vs $2)"; }
eq "$(metric requests_completed "$f")" "$(metric requests_completed "$d")" "same arrivals: requests completed"
eq "$(metric energy_it_kwh "$f")" "$(metric energy_it_kwh "$d")" "same arrivals: IT energy"
eq "$(metric temp_out_mean_c "$f")" "$(metric temp_out_mean_c "$x")" "same weather"
lt "$(metric energy_facility_kwh "$d")" "$(metric energy_facility_kwh "$f")" "dynamic_setpoint: less facility energy"
lt "$(metric energy_cooling_kwh "$d")" "$(metric energy_cooling_kwh "$f")" "dynamic_setpoint: less cooling energy"
lt "$(metric energy_server_inlet_kwh "$f")" "$(metric energy_server_inlet_kwh "$d")" "dynamic_setpoint: server fan power rises"
awk -v lo="$(metric supply_air_min_c "$d")" -v hi="$(metric supply_air_max_c "$d")" \
	'BEGIN { exit !(lo >= 18 && hi <= 27 && hi > 24) }' &&
	pass "dynamic_setpoint: supply air moves inside 18..27 degC" || fail "dynamic_setpoint: supply air range $(metric supply_air_min_c "$d")..$(metric supply_air_max_c "$d")"
eq "$(metric supply_air_max_c "$f")" "24" "fixed_setpoint holds 24 degC (max)"
eq "$(metric supply_air_min_c "$f")" "24" "fixed_setpoint holds 24 degC (min)"
lt "$(metric economizer_hours "$f")" "$(metric economizer_hours "$x")" "economizer_first: more economizer hours"
lt "$(metric economizer_full_hours "$f")" "$(metric economizer_full_hours "$x")" "economizer_first: more full free-cooling hours"

# the allowable envelope on request: a wider range, and the policy uses it
expect_rc 0 "economizer_first up to 32 degC" "$MAASIM" run "$scn" --db "$TMP/c.db" -q \
	--set 'policies.cooling={"name":"economizer_first","max_c":32}'
awk -v hi="$(metric supply_air_max_c "$TMP/out")" 'BEGIN { exit !(hi > 27 && hi <= 32) }' &&
	pass "economizer_first: warmer than 27 degC when allowed" || fail "economizer_first max $(metric supply_air_max_c "$TMP/out")"
lt "$(metric economizer_hours "$x")" "$(metric economizer_hours "$TMP/out")" "economizer_first: more hours with the wider envelope"
expect_rc 2 "above the A1 allowable envelope" "$MAASIM" run "$scn" --db "$TMP/bad.db" -q \
	--set 'policies.cooling={"name":"dynamic_setpoint","max_c":33}'
grep -q 'policies.cooling.max_c: expected a number in \[15, 32\]' "$TMP/out" &&
	pass "message names the JSON path and the envelope" || fail "message: $(cat "$TMP/out")"
[ ! -e "$TMP/bad.db" ] && pass "bad input leaves no database" || fail "bad input left a database"
finish
