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
# mistyped DB TABLE: the number of TABLE's values whose storage class (typeof) is not the one
# its column declares (INTEGER, REAL or TEXT; NULLs and columns without a type left out), as
# "count|column=count,...". An integer bound as text is stored as one by the column's affinity,
# but a value SQLite cannot convert (text "inf", 2.5 in an INTEGER column) is kept as given.
mistyped() {
	local sql
	sql=$(sqlite3 "$1" "SELECT group_concat('SELECT ''' || name || ''' AS c, count(*) AS n FROM $2 WHERE typeof(\"' || name || '\") NOT IN (''null'', ''' || lower(type) || ''')', ' UNION ALL ')
		FROM pragma_table_info('$2') WHERE upper(type) IN ('INTEGER', 'REAL', 'TEXT')")
	[ -n "$sql" ] || { echo "no typed columns in $2"; return; }
	sqlite3 "$1" "SELECT total(n) + 0, ifnull(group_concat(CASE WHEN n THEN c || '=' || n END), '') FROM ($sql)" | sed 's/^\([0-9]*\)\.0|/\1|/'
}
