#!/usr/bin/env bash
# t_report_cli.sh — report, check and export through the command line on a small real study
# (an M/M/1 queue at two arrival rates, 3 replications), and the regression check of
# scenarios/default.json against tests/baselines/default.tsv.
source tests/sh/lib.sh
db="$TMP/study.db"
mm1=(scenarios/test/mm1.json --db "$db" --replications 3 --set duration_s=20000 --set warmup_s=2000 -q)
expect_rc 0 "run mm1 (rho 0.9)" "$MAASIM" run "${mm1[@]}"
expect_rc 0 "run mm1 (rho 0.5)" "$MAASIM" run "${mm1[@]}" --set 'workload[0].arrival.rate_per_s=0.5'

expect_rc 0 "report" "$MAASIM" report "$db" -o "$TMP/rep"
for f in report.html report.md fig_compare.png fig_latency.png; do
	[ -s "$TMP/rep/$f" ] && pass "report wrote $f" || fail "report did not write $f"
done
grep -q '^- \*\*workload\\\[0\\\].arrival.rate\\_per\\_s=0.5\*\* cuts [a-zA-Z ]* by [0-9.]*% ± [0-9.]*% (95% CI) against \*\*mm1\*\*' "$TMP/rep/report.md" &&
	pass "summary: the lighter load cuts the primary metric" ||
	fail "summary sentence: $(grep -m1 '^- \*\*' "$TMP/rep/report.md")"
grep -q 'p99 latency -[0-9.]*% ± [0-9.]*%' "$TMP/rep/report.md" &&
	pass "summary: p99 latency change with its interval" || fail "no p99 latency change in the summary"
expect_rc 2 "report: missing database is bad input" "$MAASIM" report "$TMP/none.db" -o "$TMP/x"
expect_rc 2 "report: unknown baseline" "$MAASIM" report "$db" -o "$TMP/x" --baseline nope

expect_rc 0 "check --write-baseline" "$MAASIM" check "$db" --baseline "$TMP/b.tsv" --write-baseline
expect_rc 0 "check: the database matches its own baseline" "$MAASIM" check "$db" --baseline "$TMP/b.tsv"
# move one expectation by 50%: a regression, exit 1, and the table names it
awk -F'\t' 'BEGIN{OFS="\t"} $3=="latency_mean_s" && !done {$4=$4*1.5; $5="rel"; $6=0.05; done=1} {print}' \
	"$TMP/b.tsv" >"$TMP/moved.tsv"
expect_rc 1 "check: a moved metric is a regression" "$MAASIM" check "$db" --baseline "$TMP/moved.tsv"
grep -q 'latency_mean_s .* MOVED' "$TMP/out" && grep -q '^regression: 1 of' "$TMP/out" && pass "check prints what moved" ||
	fail "check output: $(cat "$TMP/out")"
printf 'mm1\t{}\tlatency_mean_s\tfast\trel\t0.1\n' >"$TMP/bad.tsv"
expect_rc 2 "check: bad baseline line" "$MAASIM" check "$db" --baseline "$TMP/bad.tsv"
grep -q "bad.tsv:1: expected value: expected a finite number, got 'fast'" "$TMP/out" &&
	pass "check names file:line" || fail "check message: $(cat "$TMP/out")"

expect_rc 0 "export" "$MAASIM" export "$db" -o "$TMP/csv"
head -n 1 "$TMP/csv/runs.csv" | grep -q '^run_id,scenario,scenario_hash,params,' &&
	pass "export: runs.csv header" || fail "runs.csv: $(head -n 2 "$TMP/csv/runs.csv")"
grep -qF '""workload[0].arrival.rate_per_s"":0.5}",' "$TMP/csv/runs.csv" &&
	pass "export: JSON params quoted per RFC 4180" || fail "runs.csv params: $(sed -n 5p "$TMP/csv/runs.csv")"

# the regression check of the default scenario (CI runs this on every submission)
expect_rc 0 "run scenarios/default.json" "$MAASIM" run scenarios/default.json --db "$TMP/default.db" -q
expect_rc 0 "default scenario within tests/baselines/default.tsv" \
	"$MAASIM" check "$TMP/default.db" --baseline tests/baselines/default.tsv
if ! grep -q '^ok: all' "$TMP/out"; then
	sed 's/^/      /' "$TMP/out"
	echo "      (an intended change of the default scenario's results? regenerate the baseline:"
	echo "       build/maasim run scenarios/default.json --db /tmp/d.db -q &&"
	echo "       build/maasim check /tmp/d.db --baseline tests/baselines/default.tsv --write-baseline)"
fi
finish
