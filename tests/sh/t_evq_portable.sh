#!/usr/bin/env bash
# t_evq_portable.sh — the event list's plain C paths, the ones CPUs other than x86-64 run (no
# SSE4.2 sorting network in take_small, no inline asm in take_chunk_if_full), built here with
# -DEVQ_PORTABLE: they compile warning-free with the Makefile's warning flags and -Werror (as
# `CI=true make` would on such a CPU), and test_evq (its random runs against a reference and the
# fuzz seeds) passes against them. Skipped, and counted, without a C compiler.
. tests/sh/lib.sh
CCX=${CC:-cc}
command -v "$CCX" >/dev/null 2>&1 || CCX=cc
if ! command -v "$CCX" >/dev/null 2>&1; then
	skip "evq portable build: no C compiler"
	finish
	exit $?
fi
# the Makefile's WARN, with -Werror as under CI=true
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion
 -Wno-sign-conversion -Wpointer-arith -Wformat=2 -Wundef -Wvla -Werror"
FLAGS="-std=c11 -O1 -I. -Isim -D_GNU_SOURCE -DEVQ_PORTABLE"
# shellcheck disable=SC2086
expect_rc 0 "evq.c builds warning-free with -DEVQ_PORTABLE" \
	"$CCX" $FLAGS $WARN -c sim/engine/evq.c -o "$TMP/evq.o"
# shellcheck disable=SC2086
expect_rc 0 "test_evq builds against the portable evq" \
	"$CCX" $FLAGS -o "$TMP/test_evq" tests/unit/test_evq.c "$TMP/evq.o" sim/engine/xalloc.c -lm
if [ -x "$TMP/test_evq" ]; then
	expect_rc 0 "test_evq passes against the portable evq" "$TMP/test_evq"
	tail -n 1 "$TMP/out" | grep -q " 0 failed" && pass "test_evq (portable): 0 failed" ||
		fail "test_evq (portable): $(tail -n 1 "$TMP/out")"
fi
finish
