#!/usr/bin/env bash
# t_install.sh — `make install` gives a working tree: the installed binary validates every
# installed scenario and dry-runs every installed sweep from another folder. The shipped
# scenarios name files beside them (traces/) and above them (../models/calibration.json, the
# calibration table of models_study.json and policies/compression.json), so the install must
# carry both. Installs into $TMP with DESTDIR, for the build being tested (release, SAN=1 or
# DEBUG=1: the binary is already built by `make test`, so nothing is compiled here).
. tests/sh/lib.sh
case ${BUILD:-build} in
build) flags=() ;;
build/san) flags=(SAN=1) ;;
build/debug) flags=(DEBUG=1) ;;
*) skip "BUILD=$BUILD is not a build directory of the Makefile"; finish; exit ;;
esac
command -v make >/dev/null || { skip "no make"; finish; exit; }
root=$PWD
# a make started from a test, not from the make running the tests: no inherited jobserver
expect_rc 0 "make install DESTDIR=... PREFIX=/usr/local" \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory -s install \
	"${flags[@]}" DESTDIR="$TMP/inst" PREFIX=/usr/local
bin=$TMP/inst/usr/local/bin/maasim
share=$TMP/inst/usr/local/share/maasim
[ -x "$bin" ] && pass "the binary is installed" || fail "no $bin"
[ -f "$share/models/calibration.json" ] && pass "the shipped calibration table is installed" ||
	fail "no $share/models/calibration.json"
n=0; bad=0
cd "$TMP" || exit 1
for f in "$share"/scenarios/*.json "$share"/scenarios/*/*.json; do
	if grep -q '"workload"' "$f"; then
		"$bin" validate "$f" >"$TMP/out" 2>&1
	elif grep -q '"grid"\|"oat"\|"zip"' "$f"; then
		"$bin" sweep "$f" --dry-run >"$TMP/out" 2>&1
	else
		continue
	fi
	rc=$?; n=$((n + 1))
	if [ "$rc" -ne 0 ]; then
		bad=$((bad + 1)); fail "installed ${f#"$share"/} (exit $rc)"; sed 's/^/      /' "$TMP/out" | head -n 3
	fi
done
cd "$root" || exit 1
[ "$n" -ge 30 ] && pass "$n installed scenarios and sweeps checked" || fail "only $n installed files checked"
[ "$bad" -eq 0 ] && pass "every installed scenario validates and every sweep dry-runs"
finish
