# t_models.sh — the scenario's models section: a variant from the calibration table (CPU factors
# and the GPU roofline), published figures, accuracy_mean, and its bad inputs.
. tests/sh/lib.sh
M=$MAASIM
S=scenarios/models_study.json
short="--set duration_s=240 --set warmup_s=20 --replications 1"

expect_rc 0 "validate the models study" "$M" validate "$S"
grep -q "model int8 (gpu factors)" "$TMP/out" && pass "validate shows the variant" || fail "validate shows the variant"
grep -q "calibrated: " "$TMP/out" && pass "validate shows provenance" || fail "validate shows provenance"
expect_rc 0 "cpu factors (no gpu object)" "$M" validate "$S" --set 'models={"variant":"prune90","table":"../models/calibration.json"}'
grep -q "model prune90 (cpu factors)" "$TMP/out" && pass "cpu mapping named" || fail "cpu mapping named"
expect_rc 0 "fine-tuned accuracy" "$M" validate "$S" --set models.finetuned=true --set models.variant=prune95
expect_rc 2 "unknown variant" "$M" validate "$S" --set models.variant=int9
grep -q 'did you mean "int8"' "$TMP/out" && pass "did-you-mean for a variant" || fail "did-you-mean for a variant"
expect_rc 2 "missing table" "$M" validate "$S" --set models.table=none.json
grep -q '\$.models.table: expected a readable calibration table' "$TMP/out" && pass "table error names the path" \
	|| fail "table error names the path"
expect_rc 2 "fine-tuned accuracy only for pruned variants" "$M" validate "$S" --set models.finetuned=true
expect_rc 2 "unknown key in models" "$M" validate "$S" --set models.varient=int8
expect_rc 2 "published and table together" "$M" validate "$S" \
	--set 'models.published={"time_factor_prefill":0.6,"time_factor_decode":0.55,"accuracy":0.99,"source":"x"}'

# the variant speeds serving up: same arrivals, lower latency than dense; accuracy_mean stored
expect_rc 0 "run dense" "$M" run "$S" --db "$TMP/d.db" --set 'models={}' $short
expect_rc 0 "run int8 on the GPU roofline" "$M" run "$S" --db "$TMP/q.db" $short
ld=$(sqlite3 "$TMP/d.db" "SELECT value FROM metrics WHERE name = 'latency_mean_s'")
lq=$(sqlite3 "$TMP/q.db" "SELECT value FROM metrics WHERE name = 'latency_mean_s'")
awk -v a="$lq" -v b="$ld" 'BEGIN { exit !(a < b) }' && pass "int8 latency $lq < dense $ld" \
	|| fail "int8 latency $lq not below dense $ld"
acc=$(sqlite3 "$TMP/q.db" "SELECT value FROM metrics WHERE name = 'accuracy_mean'")
awk -v a="$acc" 'BEGIN { exit !(a >= 0.9 && a <= 1) }' && pass "accuracy_mean $acc stored" \
	|| fail "accuracy_mean: '$acc'"
n=$(sqlite3 "$TMP/d.db" "SELECT count(*) FROM metrics WHERE name = 'accuracy_mean'")
[ "$n" = 0 ] && pass "no accuracy_mean without a variant" || fail "dense run has accuracy_mean ($n)"

# published figures (e.g. a paper's fp8 serving numbers) are used as given and marked as such
expect_rc 0 "published figures" "$M" validate "$S" --set \
	'models={"variant":"fp8","published":{"time_factor_prefill":0.6,"time_factor_decode":0.55,"accuracy":0.99,"source":"example"}}'
grep -q "model fp8 (published factors): prefill time x0.6, decode time x0.55" "$TMP/out" \
	&& pass "published factors applied" || fail "published factors applied"
grep -q "published: example" "$TMP/out" && pass "published provenance" || fail "published provenance"

# the calibration table's contents are part of the scenario's identity (a sweep reruns trials
# whose table changed): same scenario, a copy of the table with one figure changed
cp models/calibration.json "$TMP/cal.json"
hash_of() { sed -n 's/.*(hash \([0-9a-f]*\)).*/\1/p' "$TMP/out"; }
expect_rc 0 "validate with a copy of the table" "$M" validate "$S" --set "models.table=$TMP/cal.json"
h1=$(hash_of)
sed -i "s/\"dense_accuracy\": 0.977716/\"dense_accuracy\": 0.977/" "$TMP/cal.json"
cmp -s models/calibration.json "$TMP/cal.json" && fail "test setup: the table copy did not change"
expect_rc 0 "validate with the changed table" "$M" validate "$S" --set "models.table=$TMP/cal.json"
h2=$(hash_of)
[ -n "$h1" ] && [ -n "$h2" ] && [ "$h1" != "$h2" ] && pass "a changed calibration table changes the scenario hash ($h1 -> $h2)" \
	|| fail "a changed calibration table changes the scenario hash ($h1 -> $h2)"
finish
