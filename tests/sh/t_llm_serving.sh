#!/usr/bin/env bash
# t_llm_serving.sh — LLM replicas with serving profiles, end to end through `maasim run`:
# the event cost of a request does not depend on its token counts, the example scenario prints
# the serving metrics, and profile keys are validated with JSON paths.
. tests/sh/lib.sh

# one request, replayed from a plain CSV trace; prints the run's sim_events
one_request() { # IN OUT PROFILE
	printf 't_s,input_tokens,output_tokens\n1.0,%s,%s\n' "$1" "$2" >"$TMP/tr_$1.csv"
	cat >"$TMP/one_$1.json" <<JSON
{ "name": "one", "seed": 1, "duration_s": 100000, "warmup_s": 0, "replications": 1,
  "datacenter": { "node_types": { "r": { "profile": "$3" } }, "nodes": [ { "type": "r", "count": 1 } ] },
  "workload": [ { "name": "c", "kind": "llm", "arrival": { "process": "trace", "path": "tr_$1.csv" } } ],
  "policies": { "dispatch": "fifo" }, "outputs": { "series_interval_s": 0 } }
JSON
	"$MAASIM" run "$TMP/one_$1.json" --db "$TMP/one_$1.db" 2>&1 | awk '$1 == "sim_events" { print $2 }'
}
# stall prefill (Splitwise): arrival, end of prefill, completion; folded (ML.ENERGY): 2
for pe in h100-llama2-70b-tp4:3 h100-llama3.1-70b-tp4:2; do
	prof=${pe%:*} want=${pe#*:}
	small=$(one_request 10 10 $prof); big=$(one_request 8000 2000 $prof)
	if [ "$small" = "$want" ] && [ "$small" = "$big" ]; then
		pass "$prof: 10/10 and 8000/2000 tokens cost the same $small events"
	else
		fail "$prof: events differ: 10/10 -> '$small', 8000/2000 -> '$big'"
	fi
done

expect_rc 0 "example scenario runs" "$MAASIM" run scenarios/llm_azure_conv_h100.json --db "$TMP/ex.db"
for m in ttft_p50_s ttft_p99_s tpot_p50_s latency_p50_s latency_p99_s slo_attainment \
	energy_per_request_wh j_per_output_token profile_extrapolations class.chat.ttft_p99_s; do
	if awk -v m=$m '$1 == m && $2 + 0 >= 0 { found = 1 } END { exit !found }' "$TMP/out"; then
		pass "example prints $m"
	else
		fail "example does not print $m"
	fi
done
# the first out-of-range query is reported once on stderr
n=$(grep -c 'outside the measured range' "$TMP/out")
[ "$n" -eq 1 ] && pass "one clamping warning" || fail "clamping warnings: $n"

# overrides: base + pstate + a key; a bad name and a bad key fail with a JSON path
sed 's/"profile": "h100-llama2-70b-tp8"/"profile": { "base": "h100-llama2-70b-tp8", "pstate": "pcap", "max_batch": 32 }/' \
	scenarios/llm_azure_conv_h100.json | sed 's|traces/|'"$PWD"'/scenarios/traces/|' >"$TMP/ov.json"
expect_rc 0 "profile overrides with a power-cap state" "$MAASIM" validate "$TMP/ov.json"
sed 's/"profile": "h100-llama2-70b-tp8"/"profile": "h100-llama9-tp8"/' scenarios/llm_azure_conv_h100.json |
	sed 's|traces/|'"$PWD"'/scenarios/traces/|' >"$TMP/bad.json"
expect_rc 2 "unknown profile name is bad input" "$MAASIM" validate "$TMP/bad.json"
grep -q 'node_types.dgx_h100.profile: unknown serving profile "h100-llama9-tp8"' "$TMP/out" &&
	pass "error names the path and the profile" || { fail "error text"; cat "$TMP/out"; }
sed 's/"profile": "h100-llama2-70b-tp8"/"profile": { "base": "h100-llama2-70b-tp8", "max_bach": 3 }/' \
	scenarios/llm_azure_conv_h100.json | sed 's|traces/|'"$PWD"'/scenarios/traces/|' >"$TMP/bad2.json"
expect_rc 2 "unknown profile key is bad input" "$MAASIM" validate "$TMP/bad2.json"
grep -q 'max_batch' "$TMP/out" && pass "did-you-mean max_batch" || { fail "hint"; cat "$TMP/out"; }
# a node type given as a built-in profile's name (CONTRACT: a node type "names a built-in
# profile") is {"profile": NAME}: the same rows; a bad name is bad input at the type's path
short_scn() { # NAME NODE-TYPE-JSON
	cat >"$TMP/$1.json" <<JSON
{ "name": "$1", "seed": 5, "duration_s": 300, "warmup_s": 0, "replications": 1,
  "datacenter": { "node_types": { "r": $2 }, "nodes": [ { "type": "r", "count": 3 } ] },
  "workload": [ { "name": "c", "kind": "llm", "arrival": { "process": "poisson", "rate_per_s": 2 },
    "input_tokens": { "dist": "lognormal", "mean": 500, "cv": 1 }, "output_tokens": { "dist": "lognormal", "mean": 100, "cv": 1 } } ],
  "policies": { "dispatch": "least_loaded" } }
JSON
}
short_scn st_obj '{ "profile": "h100-llama2-70b-tp4" }'
short_scn st_str '"h100-llama2-70b-tp4"'
short_scn st_bad '"h100-llama9-tp4"'
expect_rc 0 "node type as a profile name runs" "$MAASIM" run "$TMP/st_str.json" --db "$TMP/st_str.db" -q
expect_rc 0 "node type with a profile key runs" "$MAASIM" run "$TMP/st_obj.json" --db "$TMP/st_obj.db" -q
rows() { sqlite3 "$1" "select name, printf('%!.17g', value) from metrics order by name"; }
if [ -n "$(rows "$TMP/st_str.db")" ] && [ "$(rows "$TMP/st_str.db")" = "$(rows "$TMP/st_obj.db")" ]; then
	pass "a profile name as the node type gives the object form's metrics"
else
	fail "metrics differ between \"r\": NAME and \"r\": {\"profile\": NAME}"
fi
expect_rc 2 "node type naming an unknown profile is bad input" "$MAASIM" validate "$TMP/st_bad.json"
grep -q 'node_types.r: unknown serving profile "h100-llama9-tp4"' "$TMP/out" &&
	pass "its error names the node type's path" || { fail "error text"; cat "$TMP/out"; }
# arrival processes: diurnal (hourly shape from the Google cluster trace) and mmpp, on a replica
arr_scn() { # NAME ARRIVAL-JSON
	cat >"$TMP/$1.json" <<JSON
{ "name": "$1", "seed": 3, "duration_s": 7200, "warmup_s": 0, "replications": 1,
  "datacenter": { "node_types": { "r": { "profile": "h100-llama3.1-8b-tp1" } }, "nodes": [ { "type": "r", "count": 2 } ] },
  "workload": [ { "name": "c", "kind": "llm", "arrival": $2,
    "input_tokens": { "dist": "lognormal", "mean": 1000, "cv": 1 },
    "output_tokens": { "dist": "lognormal", "mean": 200, "cv": 1 } } ],
  "policies": { "dispatch": "least_loaded" } }
JSON
}
arr_scn diurnal '{ "process": "diurnal", "rate_per_s": 2, "path": "'"$PWD"'/scenarios/traces/google_cluster_cpu_hourly.csv", "column": "cpu_load" }'
expect_rc 0 "diurnal arrivals from an hourly shape run" "$MAASIM" run "$TMP/diurnal.json" --db "$TMP/d.db"
arr_scn mmpp '{ "process": "mmpp", "rates_per_s": [0.5, 8], "mean_sojourn_s": [600, 60] }'
expect_rc 0 "mmpp arrivals run" "$MAASIM" run "$TMP/mmpp.json" --db "$TMP/m.db"
# 7200 s at a mean of (600*0.5 + 60*8)/660 = 1.18/s: about 8500 arrivals
n=$(awk '$1 == "requests_arrived" { print $2 }' "$TMP/out")
if [ -n "$n" ] && [ "$n" -gt 4000 ] && [ "$n" -lt 14000 ]; then pass "mmpp arrival count plausible ($n)"; else fail "mmpp arrivals: '$n'"; fi
arr_scn bad1 '{ "process": "poisson", "rate_per_s": 1, "shape": [1, 2] }'
expect_rc 2 "a diurnal key on a poisson process is bad input" "$MAASIM" validate "$TMP/bad1.json"
arr_scn bad2 '{ "process": "mmpp", "rates_per_s": [1, 2, 3], "mean_sojourn_s": [10, 20] }'
expect_rc 2 "mmpp needs one sojourn per rate" "$MAASIM" validate "$TMP/bad2.json"
grep -q 'arrival.mean_sojourn_s: expected one mean sojourn per rate' "$TMP/out" && pass "mmpp error names the key" || { fail "mmpp error"; cat "$TMP/out"; }
# power-cap state end to end: the Splitwise pcap state lengthens prefill (TTFT) and lowers the
# energy per request (prefill at 490 instead of 700 W per GPU for 1.3 x the time)
sed 's/"profile": "h100-llama2-70b-tp8"/"profile": { "base": "h100-llama2-70b-tp8", "pstate": "pcap" }/' \
	scenarios/llm_azure_conv_h100.json | sed 's|traces/|'"$PWD"'/scenarios/traces/|' >"$TMP/cap.json"
sed 's|traces/|'"$PWD"'/scenarios/traces/|' scenarios/llm_azure_conv_h100.json >"$TMP/nocap.json"
for v in cap nocap; do
	"$MAASIM" run "$TMP/$v.json" --db "$TMP/$v.db" --set duration_s=900 --set warmup_s=60 >"$TMP/$v.out" 2>&1
done
get() { awk -v m="$2" '$1 == m { print $2 }' "$TMP/$1.out"; }
if awk -v a="$(get cap ttft_mean_s)" -v b="$(get nocap ttft_mean_s)" 'BEGIN { exit !(a > b * 1.1) }'; then
	pass "pcap raises the mean TTFT ($(get nocap ttft_mean_s) -> $(get cap ttft_mean_s) s)"
else fail "pcap TTFT: $(get nocap ttft_mean_s) -> $(get cap ttft_mean_s)"; fi
if awk -v a="$(get cap energy_per_request_wh)" -v b="$(get nocap energy_per_request_wh)" 'BEGIN { exit !(a < b) }'; then
	pass "pcap lowers the energy per request ($(get nocap energy_per_request_wh) -> $(get cap energy_per_request_wh) Wh)"
else fail "pcap energy: $(get nocap energy_per_request_wh) -> $(get cap energy_per_request_wh)"; fi
# the largest max_batch the loader accepts (1e9) costs no memory or time up front: the serving
# profile tabulates decode batches only up to 4,096 (a full table was 24 GB per power state)
expect_rc 0 "max_batch 1e9 runs" timeout 60 "$MAASIM" run scenarios/llm_azure_conv_h100.json --db "$TMP/mb.db" -q \
	--replications 1 --set duration_s=60 --set warmup_s=0 \
	--set 'datacenter.node_types.dgx_h100.profile={"base":"h100-llama2-70b-tp8","max_batch":1000000000}'
finish
