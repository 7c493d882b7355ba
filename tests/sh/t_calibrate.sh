# t_calibrate.sh — `maasim calibrate` end to end on the --tiny shape (a few seconds): the JSON
# table, the database rows, --check against the table just written, usage errors.
. tests/sh/lib.sh
. tests/sh/sweep_lib.sh # mistyped

expect_rc 0 "calibrate --help" "$MAASIM" calibrate --help
grep -q -- "--check FILE" "$TMP/out" && pass "help lists --check" || fail "help lists --check"
expect_rc 2 "calibrate rejects an unknown flag" "$MAASIM" calibrate --fast
expect_rc 2 "calibrate --out needs a value" "$MAASIM" calibrate --out

expect_rc 0 "calibrate --tiny" "$MAASIM" calibrate --tiny --out "$TMP/t.json" --db "$TMP/t.db"
grep -q '"schema": "maasim-calibration/1"' "$TMP/t.json" && pass "table written" || fail "table written"
grep -q '"openblas_core": "' "$TMP/t.json" && pass "provenance names the OpenBLAS core" \
	|| fail "provenance names the OpenBLAS core"
grep -q "512^3: SGEMM" "$TMP/out" && pass "summary reports the 512^3 SGEMM/int8 headline" \
	|| fail "summary reports the 512^3 headline"
[ ! -e "$TMP/t.json.tmp" ] && pass "no temporary file left" || fail "temporary file left"
rows=$(sqlite3 "$TMP/t.db" "SELECT count(*) FROM calibration WHERE status = 'ok'" 2>&1)
# 12 supported variants here x 1 shape x 2 batches (bf16_sbgemm is one 'unsupported' row when
# this OpenBLAS lacks it)
[ "${rows:-0}" -ge 20 ] && pass "database rows ($rows)" || fail "database rows: $rows"
dense=$(sqlite3 "$TMP/t.db" "SELECT speedup FROM calibration WHERE variant = 'dense_fp32' LIMIT 1")
[ "$dense" = "1.0" ] && pass "dense speed-up is 1" || fail "dense speed-up: $dense"
# numbers are stored as the table declares them (INTEGER n, k, batch, reps; REAL times and
# ratios). This guards the declared types only: numbers bound as text passed it too (column
# affinity converts them). What binding them as numbers changed is checked next: the reals at
# full precision (as text they had 9 digits, 6 for the ratios), and a value that is not finite
# stored as NULL (store_insert, tested in test_store's insert_typed: a calibration cannot
# cheaply produce one)
got=$(mistyped "$TMP/t.db" calibration)
types=$(sqlite3 "$TMP/t.db" "SELECT group_concat(DISTINCT typeof(n) || typeof(k) || typeof(batch) || typeof(reps) || ' ' || typeof(median_s) || typeof(min_s) || typeof(speedup) || typeof(gops) || typeof(peak_share) || typeof(memory_factor)) FROM calibration WHERE status = 'ok'")
[ "$got" = "0|" ] && [ "$types" = "integerintegerintegerinteger realrealrealrealrealreal" ] &&
	pass "calibration rows: every value of its declared type" || fail "calibration types: $got; $types"
# (compared as numbers: a value rounded to 9 digits still prints 17 that differ from them)
prec=$(sqlite3 "$TMP/t.db" "SELECT sum(median_s <> CAST(printf('%.9g', median_s) AS REAL)),
	sum(gops <> CAST(printf('%.9g', gops) AS REAL)) FROM calibration WHERE status = 'ok'")
[ "${prec%%|*}" -gt 0 ] && [ "${prec#*|}" -gt 0 ] &&
	pass "calibration reals at full precision (rows with more than 9 digits: median_s|gops $prec)" ||
	fail "calibration reals rounded (rows with more than 9 digits, median_s|gops): $prec"

expect_rc 0 "calibrate --check against the table" "$MAASIM" calibrate --check "$TMP/t.json"
grep -q "^drift: time here/table geometric mean" "$TMP/out" && pass "check reports drift" \
	|| fail "check reports drift"
expect_rc 2 "calibrate --check on a missing table" "$MAASIM" calibrate --check "$TMP/none.json"
expect_rc 1 "calibrate into an unwritable folder" "$MAASIM" calibrate --tiny --out "$TMP/no/such/dir/t.json"
expect_rc 1 "calibrate with an unwritable database" "$MAASIM" calibrate --tiny --out "$TMP/u.json" \
	--db "$TMP/no/such/dir/t.db"
[ ! -e "$TMP/u.json" ] && pass "no table after a failed start" || fail "table left after a failed start"

# OpenBLAS is opened on demand (models/kern.c): a machine without it gets a message and exit 2,
# nothing written. Fault builds (make test SAN=1) let the test name a library that is not there.
MAASIM_TEST_BLAS_LIB=$TMP/none/libopenblas.so.0 "$MAASIM" calibrate --tiny --out "$TMP/nb.json" \
	>"$TMP/nb.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	skip "$MAASIM does not honour MAASIM_TEST_BLAS_LIB (not a fault build; make test SAN=1 checks it)"
else
	[ $rc -eq 2 ] && pass "calibrate without OpenBLAS exits 2" || fail "calibrate without OpenBLAS: rc $rc"
	grep -q "^maasim calibrate: cannot open .*libopenblas.so.0 (OpenBLAS)" "$TMP/nb.out" \
		&& pass "calibrate without OpenBLAS says which library" \
		|| fail "calibrate without OpenBLAS: $(head -c 300 "$TMP/nb.out")"
	[ ! -e "$TMP/nb.json" ] && pass "no table without OpenBLAS" || fail "table written without OpenBLAS"
fi
finish
