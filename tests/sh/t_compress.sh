# t_compress.sh — compression policies from the command line: listed with their parameters,
# chosen by --set, their metrics (accuracy_mean, variant_share.<variant>) stored in the results
# database and shown by `maasim report`; the example sweep's grid.
. tests/sh/lib.sh
M=$MAASIM
S=scenarios/policies/compression.json
short="--set duration_s=3600 --set warmup_s=60 --replications 1"

expect_rc 0 "list" "$M" list
for p in none static load_adaptive carbon_adaptive quality_budget target_accuracy on_g_per_kwh off_queue; do
	grep -q "^ *$p " "$TMP/out" && pass "list shows $p" || fail "list shows $p"
done
expect_rc 0 "validate the example" "$M" validate "$S"
grep -q "compression load_adaptive chooses per request among 12 variants" "$TMP/out" \
	&& pass "validate shows the variant table" || fail "validate shows the variant table"
expect_rc 0 "run static from --set" "$M" run "$S" --db "$TMP/s.db" $short \
	--set 'policies.compression={"name":"static","variant":"int8"}'
n=$(sqlite3 "$TMP/s.db" "SELECT value FROM metrics WHERE name = 'variant_share.int8'")
[ "$n" = 1.0 ] && pass "variant_share.int8 stored (1)" || fail "variant_share.int8 = '$n'"
a=$(sqlite3 "$TMP/s.db" "SELECT round(value, 6) FROM metrics WHERE name = 'accuracy_mean'")
[ "$a" = 0.977716 ] && pass "accuracy_mean stored (int8's measured 0.977716)" || fail "accuracy_mean = '$a'"
c=$(sqlite3 "$TMP/s.db" "SELECT count(*) FROM metrics WHERE name = 'class.chat.accuracy_mean'")
[ "$c" = 1 ] && pass "per-class accuracy_mean" || fail "class.chat.accuracy_mean rows: $c"
expect_rc 0 "report" "$M" report "$TMP/s.db" -o "$TMP/rep"
grep -q 'accuracy\\_mean' "$TMP/rep/report.md" && pass "report shows accuracy_mean" || fail "report shows accuracy_mean"
grep -q 'variant\\_share.int8' "$TMP/rep/report.md" && pass "report shows variant_share" || fail "report shows variant_share"
expect_rc 2 "unknown variant from --set" "$M" run "$S" --db "$TMP/x.db" $short \
	--set 'policies.compression={"name":"static","variant":"int3"}'
grep -q '\$.policies.compression.variant: expected a variant of' "$TMP/out" && pass "error names the JSON path" \
	|| fail "error names the JSON path"
[ ! -e "$TMP/x.db" ] && pass "nothing written on bad input" || fail "a database was left behind"
expect_rc 0 "sweep dry run" "$M" sweep scenarios/policies/compression_sweep.json --dry-run
[ "$(grep -c 'compression=' "$TMP/out")" -ge 5 ] && pass "sweep has the five policies" || fail "sweep points"
finish
