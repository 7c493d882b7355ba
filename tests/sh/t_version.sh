#!/usr/bin/env bash
# t_version.sh — the commit a build reports (`maasim --version`, runs.version, bench.json): from
# git in a checkout; from .commit in a `git archive` export, which git fills in through
# .gitattributes' export-subst (so a tarball's build names its commit, not "unknown-dirty");
# "unknown" when .commit was not filled in. Checked through the Makefile's COMMIT_ID, without a
# build. Skipped, and counted, outside a git checkout or without git and make.
. tests/sh/lib.sh
if ! command -v git >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 ||
	[ "$(git rev-parse --is-inside-work-tree 2>/dev/null)" != true ]; then
	skip "version stamp: needs git, make and a git checkout"
	finish
	exit $?
fi
commit_id() { make -s --no-print-directory -C "$1" --eval 'show-commit-id: ; @echo $(COMMIT_ID)' show-commit-id 2>/dev/null; }
head=$(git log -1 --format=%h)
# export DIR: .commit as git archive fills it in, beside the working tree's Makefile
export_to() { mkdir -p "$1" && git archive HEAD .commit | tar -x -C "$1" && cp Makefile "$1/"; }
export_to "$TMP/arch"
got=$(commit_id "$TMP/arch")
[ "$got" = "$head" ] && pass "a git archive export names its commit ($got)" ||
	fail "a git archive export: COMMIT_ID '$got', wanted '$head'"
# unpacked inside another repository's work tree: still the export's own commit, not that
# repository's HEAD (and not -dirty from that repository's state)
mkdir -p "$TMP/outer/src"
git -C "$TMP/outer" init -q && git -C "$TMP/outer" -c user.name=t -c user.email=t@t \
	commit -q --allow-empty -m outer
export_to "$TMP/outer/src"
got=$(commit_id "$TMP/outer/src")
[ "$got" = "$head" ] && pass "an export inside another repository names its own commit ($got)" ||
	fail "an export inside another repository: COMMIT_ID '$got', wanted '$head'"
printf '%s\n' '$Format:%h$' >"$TMP/arch/.commit"
got=$(commit_id "$TMP/arch")
[ "$got" = unknown ] && pass "an export without a filled-in .commit says unknown" ||
	fail "unfilled .commit: COMMIT_ID '$got', wanted 'unknown'"
rm -f "$TMP/arch/.commit"
got=$(commit_id "$TMP/arch")
[ "$got" = unknown ] && pass "a tree without .commit says unknown" ||
	fail "no .commit: COMMIT_ID '$got', wanted 'unknown'"
got=$(commit_id .)
case "$got" in
"$(git rev-parse --short HEAD)" | "$(git rev-parse --short HEAD)-dirty") pass "a checkout names HEAD ($got)" ;;
*) fail "checkout: COMMIT_ID '$got', wanted $(git rev-parse --short HEAD)[-dirty]" ;;
esac
finish
