# tests/sh/sweep_lib.sh — helpers shared by the sweep tests (sourced after lib.sh).
# rows DB: every metric and series row keyed by trial, values exact (%!.17g: SQLite's %.17g
# gives only 16 significant digits), in a fixed order.
rows() {
	sqlite3 "$1" "SELECT r.trial_key, r.status, m.name, printf('%!.17g', m.value), m.unit FROM runs r JOIN metrics m USING(run_id) ORDER BY r.trial_key, m.name;
		SELECT r.trial_key, t.name, printf('%!.17g', t.t_s), printf('%!.17g', t.value) FROM runs r JOIN timeseries t USING(run_id) ORDER BY r.trial_key, t.name, t.t_s;"
}
# same_rows NAME DB_A DB_B: passes when both hold identical rows (and some rows)
same_rows() {
	rows "$2" >"$TMP/a.rows"; rows "$3" >"$TMP/b.rows"
	if [ -s "$TMP/a.rows" ] && cmp -s "$TMP/a.rows" "$TMP/b.rows"; then
		pass "$1 ($(wc -l <"$TMP/a.rows") rows identical)"
	else
		fail "$1: rows differ"; diff "$TMP/a.rows" "$TMP/b.rows" | head -n 5 | sed 's/^/      /'
	fi
}
q() { sqlite3 "$1" "$2"; }
