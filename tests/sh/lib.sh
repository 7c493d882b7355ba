# tests/sh/lib.sh — helpers for shell tests: ok/fail counting and the summary line.
# Source it, call pass/fail (or expect_*), end with `finish`.
P=0; F=0; SKIPPED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/maasim-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass() { P=$((P + 1)); echo "ok   $*"; }
fail() { F=$((F + 1)); echo "  FAIL $*"; }
# skip WHY: a check that cannot run here (a missing tool, running as root); counted and shown
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $*"; }
# expect_rc WANT NAME CMD...: runs CMD, output to $TMP/out
expect_rc() {
	local want=$1 name=$2; shift 2
	"$@" >"$TMP/out" 2>&1; local rc=$?
	if [ "$rc" -eq "$want" ]; then pass "$name"; else
		fail "$name: exit $rc, wanted $want"; sed 's/^/      /' "$TMP/out" | head -n 20; fi
}
finish() {
	if [ "$SKIPPED" -gt 0 ]; then echo "$P passed, $F failed, $SKIPPED skipped"; else echo "$P passed, $F failed"; fi
	[ "$F" -eq 0 ]
}
