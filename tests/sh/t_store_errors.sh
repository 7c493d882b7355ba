#!/usr/bin/env bash
# t_store_errors.sh — results-database failures give clear messages and lose no committed run:
#  - a read-only disk (root: a tmpfs remounted read-only; otherwise chmod, which root ignores),
#  - a full disk (root: a tiny tmpfs, ENOSPC) and a file-size limit (ulimit -f, EFBIG; anyone),
#  - a database locked by another process holding an EXCLUSIVE transaction (after the store's
#    10 s busy timeout),
#  - a folder given as --db.
# After each: the exit code, a message naming the file and the cause, PRAGMA integrity_check ok,
# and every run committed before is still there and complete. Cases that need mount (root in
# CI) are skipped, and counted, when mount is not allowed.
. tests/sh/lib.sh
scn=$TMP/s.json
cat >"$scn" <<'JSON'
{"name":"store","seed":1,"duration_s":100,"warmup_s":10,"replications":2,
 "datacenter":{"node_types":{"s":{"slots":2,"power":{"idle_w":100,"peak_w":300}}},"nodes":[{"type":"s","count":2}]},
 "workload":[{"name":"j","kind":"job","arrival":{"process":"poisson","rate_per_s":1},"service":{"dist":"exponential","mean_s":1}}],
 "policies":{"dispatch":"fifo"},"outputs":{"series_interval_s":1}}
JSON
q() { sqlite3 "$1" "$2" 2>&1; }
complete() { # DB: "<runs> <incomplete>"
	echo "$(q "$1" "SELECT count(*) FROM runs;") $(q "$1" "SELECT count(*) FROM runs r WHERE status='ok' AND NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_id=r.run_id);")"
}
has() { grep -qF -- "$1" "$TMP/err" && pass "$2" || { fail "$2: stderr lacks \"$1\""; sed 's/^/      /' "$TMP/err"; }; }
intact() { # DB RUNS-AT-LEAST NAME
	local ic; ic=$(q "$1" "PRAGMA integrity_check;")
	set -- "$1" "$2" "$3" $(complete "$1")
	[ "$ic" = ok ] && [ "$4" -ge "$2" ] && [ "$5" = 0 ] && pass "$3: database intact, $4 runs, all complete" ||
		fail "$3: integrity \"$ic\", $4 runs (wanted >= $2), $5 incomplete"
}

# ---- locked: start first, it waits out the busy timeout while the other cases run
ldb=$TMP/locked.db
"$MAASIM" run "$scn" --db "$ldb" -q >/dev/null 2>&1
( echo "BEGIN EXCLUSIVE; INSERT INTO scenarios VALUES('lock','lock','{}');"; sleep 14; echo "ROLLBACK;" ) 2>/dev/null |
	sqlite3 "$ldb" >/dev/null 2>&1 &
holder=$!
sleep 0.5
( "$MAASIM" run "$scn" --db "$ldb" -q >"$TMP/lock.out" 2>"$TMP/lock.err"; echo $? >"$TMP/lock.rc" ) &
runner=$!

# ---- a folder as --db
"$MAASIM" run "$scn" --db "$TMP" -q >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && pass "folder as --db: exit 2" || fail "folder as --db: exit $rc"
has "cannot open results database" "folder as --db: says it cannot open it"

# ---- file-size limit (EFBIG): runs committed before the limit stay
fdb=$TMP/fsize.db
"$MAASIM" run "$scn" --db "$fdb" -q >/dev/null 2>&1
(trap '' XFSZ; ulimit -f 64; exec "$MAASIM" run "$scn" --db "$fdb" --replications 200 -q) >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && pass "file-size limit: exit 1" || fail "file-size limit: exit $rc, wanted 1"
has "fsize.db: " "file-size limit: the message names the database"
has "not stored; the" "file-size limit: says which replication was not stored"
intact "$fdb" 2 "file-size limit"

# ---- a folder without write permission (root ignores permissions: checked only as a user)
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$TMP/ro"; chmod 555 "$TMP/ro"
	"$MAASIM" run "$scn" --db "$TMP/ro/x.db" -q >/dev/null 2>"$TMP/err"; rc=$?
	[ $rc -eq 2 ] && pass "read-only folder: exit 2" || fail "read-only folder: exit $rc"
	has "Permission denied" "read-only folder: says permission denied"
	[ -e "$TMP/ro/x.db" ] && fail "read-only folder: a file appeared" || pass "read-only folder: nothing written"
	chmod 755 "$TMP/ro"
else
	skip "read-only folder by permissions: running as root, who may write anyway (the read-only disk case covers root)"
fi

# ---- read-only and full disks on a tmpfs (needs mount: root)
mnt=$TMP/mnt; mkdir -p "$mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT # never leave the mount behind
	rdb=$mnt/ro.db
	"$MAASIM" run "$scn" --db "$rdb" -q >/dev/null 2>&1
	before=$(complete "$rdb")
	if mount -o remount,ro "$mnt" 2>/dev/null; then
		"$MAASIM" run "$scn" --db "$rdb" -q >/dev/null 2>"$TMP/err"; rc=$?
		[ $rc -eq 2 ] && pass "read-only disk: exit 2" || fail "read-only disk: exit $rc, wanted 2"
		has "ro.db: " "read-only disk: the message names the database"
		has "Read-only file system" "read-only disk: says the file system is read-only"
		mount -o remount,rw "$mnt"
		# (read back once writable: a WAL database cannot be opened on a read-only disk at all)
		[ "$(complete "$rdb")" = "$before" ] && pass "read-only disk: the stored runs are unchanged" ||
			fail "read-only disk: runs were \"$before\", now \"$(complete "$rdb")\""
	else skip "read-only disk: remount not allowed"; fi
	rm -f "$mnt"/*
	# full: fill the rest of the 1 MiB with a file, leaving room for the first few runs only
	fulldb=$mnt/full.db
	"$MAASIM" run "$scn" --db "$fulldb" -q >/dev/null 2>&1
	head -c 600000 /dev/zero >"$mnt/filler" 2>/dev/null
	"$MAASIM" run "$scn" --db "$fulldb" --replications 500 -q >/dev/null 2>"$TMP/err"; rc=$?
	[ $rc -eq 1 ] || [ $rc -eq 2 ] && pass "full disk: exit $rc" || fail "full disk: exit $rc, wanted 1 or 2"
	has "full.db: database or disk is full" "full disk: says the disk is full"
	rm -f "$mnt/filler"
	intact "$fulldb" 2 "full disk"
	umount "$mnt"
else
	skip "read-only and full disk: mount needs root (CI runs as root)"
fi

# ---- the locked case's outcome
wait "$runner"; rc=$(cat "$TMP/lock.rc")
[ "$rc" -eq 2 ] && pass "locked database: exit 2 after the busy timeout" || fail "locked database: exit $rc, wanted 2"
cp "$TMP/lock.err" "$TMP/err"
has "locked.db: " "locked database: the message names the database"
has "database is locked" "locked database: says it is locked"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
intact "$ldb" 2 "locked database"
finish
