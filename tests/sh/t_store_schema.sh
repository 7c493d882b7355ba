#!/usr/bin/env bash
# t_store_schema.sh — --db names a file that is not maasim's: refused at open, before the run,
# with exit 2, a message naming the file and what was expected, and the file byte for byte as it
# was (no tables added). Cases: a SQLite database of another program (its own tables), one with
# another application_id, a maasim database of a newer schema version, a text file. A maasim
# database written before the header mark (application_id 0, maasim's tables) is still accepted,
# and a new database carries the mark.
. tests/sh/lib.sh
command -v sqlite3 >/dev/null || { skip "no sqlite3 command-line tool"; finish; exit; }
scn=$TMP/s.json
cat >"$scn" <<'JSON'
{"name":"schema","seed":1,"duration_s":100,"warmup_s":0,"replications":1,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"fifo"}}
JSON
# refused DB NAME MESSAGE: exit 2, the message, the file unchanged, and no run (a run prints its
# summary table)
refused() {
	local db=$1 name=$2 msg=$3 before after
	before=$(md5sum <"$db")
	"$MAASIM" run "$scn" --db "$db" -q >"$TMP/out" 2>"$TMP/err"; rc=$?
	after=$(md5sum <"$db")
	[ $rc -eq 2 ] && pass "$name: exit 2" || fail "$name: exit $rc, wanted 2"
	grep -qF -- "$msg" "$TMP/err" && grep -qF -- "$(basename "$db")" "$TMP/err" &&
		pass "$name: says \"$msg\" and names the file" ||
		{ fail "$name: stderr lacks \"$msg\" or the file name"; sed 's/^/      /' "$TMP/err"; }
	[ "$before" = "$after" ] && pass "$name: file untouched" || fail "$name: the file changed"
	[ ! -s "$TMP/out" ] && pass "$name: refused before running" || fail "$name: it ran first"
}

db=$TMP/shop.db
sqlite3 "$db" "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES(1,'Ada');"
refused "$db" "another program's database" "not a maasim results database (its tables: customers"
[ "$(sqlite3 "$db" "SELECT group_concat(name) FROM sqlite_master WHERE type='table';")" = customers ] &&
	pass "another program's database: no table added" || fail "another program's database: tables added"

db=$TMP/runs.db # a table named runs, but not maasim's columns
sqlite3 "$db" "CREATE TABLE runs(id INTEGER, who TEXT); CREATE TABLE metrics(x);"
refused "$db" "a foreign runs table" "not a maasim results database"

db=$TMP/app.db
sqlite3 "$db" "PRAGMA application_id=1234; CREATE TABLE t(x);"
refused "$db" "another application_id" "another application (application_id 0x000004d2)"

db=$TMP/newer.db
"$MAASIM" run "$scn" --db "$db" -q >/dev/null 2>&1
[ "$(sqlite3 "$db" "PRAGMA application_id; PRAGMA user_version;" | tr '\n' ' ')" = "1298227539 1 " ] &&
	pass "a new database carries the mark (application_id MaaS, schema version 1)" ||
	fail "a new database lacks the mark: $(sqlite3 "$db" "PRAGMA application_id; PRAGMA user_version;" | tr '\n' ' ')"
sqlite3 "$db" "PRAGMA user_version=7;"
refused "$db" "a newer schema version" "written by a newer maasim (results schema version 7"

db=$TMP/notes.txt
printf 'my notes, not a database\n%.0s' $(seq 1 50) >"$db"
refused "$db" "a text file" "not a SQLite database"

db=$TMP/old.db # written before the mark: still maasim's
"$MAASIM" run "$scn" --db "$db" -q >/dev/null 2>&1
sqlite3 "$db" "PRAGMA application_id=0; PRAGMA user_version=0;"
expect_rc 0 "a database from before the mark is accepted" "$MAASIM" run "$scn" --db "$db" -q
[ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE status='ok';")" = 2 ] &&
	pass "a database from before the mark: both runs stored" || fail "a database from before the mark: runs lost"

db=$TMP/empty.db # an empty file is a new database
: >"$db"
expect_rc 0 "an empty file becomes a new database" "$MAASIM" run "$scn" --db "$db" -q
finish
