#!/usr/bin/env bash
# t_facility.sh — the facility sections end to end: loader errors with JSON paths, a short run
# with EPW weather, PVGIS-free PV profile, windpowerlib wind, a battery and server fans, and the
# closed books in the results database.
. tests/sh/lib.sh
TRD="$PWD/scenarios/traces"
mk() { # mk FILE DATACENTER_EXTRA_JSON
	cat >"$1" <<JSON
{ "name": "fac", "seed": 1, "duration_s": 86400, "warmup_s": 3600, "replications": 1,
  "datacenter": {
    "node_types": { "s": { "slots": 4, "power": { "idle_w": 300, "peak_w": 900 }, "embodied_kg": 1000, "lifetime_years": 4 } },
    "nodes": [ { "type": "s", "count": 20 } ],
    $2
  },
  "workload": [ { "name": "j", "kind": "job", "arrival": { "process": "poisson", "rate_per_s": 0.05 },
                  "service": { "dist": "exponential", "mean_s": 600 } } ],
  "policies": { "dispatch": "least_loaded" } }
JSON
}
mk "$TMP/full.json" '"start": "2023-07-01T00:00:00-05:00", "control_step_s": 900,
    "weather": { "source": "epw", "path": "'"$TRD"'/USA_VA_Leesburg.Exec.AP.724055_TMYx.epw" },
    "cooling": { "model": "physics", "economizer": "airside", "server_fan_curve": "'"$TRD"'/greensku_server_fan_power.csv" },
    "supply": { "carbon": { "path": "'"$TRD"'/electricitymaps_US-MIDA-PJM_2023_hourly.csv", "column": "Carbon Intensity gCO₂eq/kWh (LCA)" },
                "carbon_marginal": { "path": "'"$TRD"'/watttime_caiso_north_moer_2023-06-08_to_07-08.csv", "utc_offset_h": -7 },
                "price": { "usd_per_mwh": 60 }, "demand_usd_per_kw_month": 12,
                "solar": { "model": "profile", "profile": "'"$TRD"'/pvwatts_8760_golden_co_4kw_rackmount.csv", "capacity_kw": 40 },
                "wind": { "power_curves": "'"$TRD"'/oedb_wind_turbine_power_curves.csv", "turbine": "E-53/800", "hub_height_m": 60,
                          "weather": "'"$TRD"'/windpowerlib_weather_2010_hourly.csv" },
                "battery": { "capacity_kwh": 100 } }'
expect_rc 0 "validate a full facility" "$MAASIM" validate "$TMP/full.json"
expect_rc 0 "run a full facility day" "$MAASIM" run "$TMP/full.json" --db "$TMP/full.db"
if command -v sqlite3 >/dev/null; then
	bal=$(sqlite3 "$TMP/full.db" "select value from metrics where name='balance_error_rel'")
	fans=$(sqlite3 "$TMP/full.db" "select value > 0 from metrics where name='energy_server_fans_kwh'")
	wind=$(sqlite3 "$TMP/full.db" "select value > 0 from metrics where name='energy_wind_kwh'")
	emb=$(sqlite3 "$TMP/full.db" "select round(value, 6) from metrics where name='carbon_embodied_kg'")
	ser=$(sqlite3 "$TMP/full.db" "select count(*) from timeseries where name='pue'")
	awk -v b="$bal" 'BEGIN { exit !(b < 1e-12) }' && pass "books close ($bal)" || fail "balance_error_rel $bal"
	[ "$fans" = 1 ] && pass "server fans booked" || fail "server fans: $fans"
	[ "$wind" = 1 ] && pass "wind booked" || fail "wind: $wind"
	# 20 servers * 1000 kg / (4 * 8760 h) * 23 h measured
	[ "$emb" = "$(awk 'BEGIN { printf "%.6f", 20 * 1000 / (4 * 8760) * 23 }')" ] && pass "embodied from node types" || fail "embodied $emb"
	[ "$ser" -gt 0 ] && pass "pue series sampled ($ser)" || fail "no pue series"
fi
mk "$TMP/typo.json" '"cooling": { "model": "physics", "suply_air_c": 24 }, "weather": { "source": "constant" }'
expect_rc 2 "unknown cooling key" "$MAASIM" validate "$TMP/typo.json"
grep -q 'supply_air_c' "$TMP/out" && pass "did-you-mean supply_air_c" || fail "no hint: $(cat "$TMP/out")"
mk "$TMP/noweather.json" '"cooling": { "model": "physics" }'
expect_rc 2 "physics cooling without weather" "$MAASIM" validate "$TMP/noweather.json"
grep -q '\$.datacenter.cooling.model' "$TMP/out" && pass "names the JSON path" || fail "$(cat "$TMP/out")"
mk "$TMP/badtrace.json" '"supply": { "carbon": { "path": "'"$TRD"'/openmeteo_SG_2023_hourly.csv", "column": "nope" } }'
expect_rc 2 "missing trace column" "$MAASIM" validate "$TMP/badtrace.json"
grep -q 'openmeteo_SG_2023_hourly.csv:1: expected a column named "nope"' "$TMP/out" && pass "names file and line" || fail "$(cat "$TMP/out")"
mk "$TMP/badbatt.json" '"supply": { "battery": { "capacity_kwh": 10, "soc_min": 0.9, "soc_max": 0.2 } }'
expect_rc 2 "battery SoC window" "$MAASIM" validate "$TMP/badbatt.json"
mk "$TMP/badstart.json" '"start": "January 1st"'
expect_rc 2 "bad start date" "$MAASIM" validate "$TMP/badstart.json"
for z in climate_singapore climate_philadelphia climate_san_jose climate_frankfurt climate_toronto facility_ashburn; do
	expect_rc 0 "validate $z" "$MAASIM" validate "scenarios/$z.json"
done
finish
