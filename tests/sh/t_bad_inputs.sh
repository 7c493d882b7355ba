#!/usr/bin/env bash
# t_bad_inputs.sh — the bad-input corpus: every tests/bad/<case>.expect names the exit code
# (line 1) and a message fragment that must appear on stderr (line 2). The scenario is
# tests/bad/<case>.json; tests/bad/<case>.args (one argument a line) replaces the default
# arguments "run @SCN --db @DB" (@SCN: the scenario, @DB: a database path in a fresh folder).
# Each case must also leave no database (nor any other file) behind.
# Inputs that must not be committed (100 MB files, unreadable files, odd file names) are made at
# test time by tests/bad/<case>.setup, a bash script run with IN=<a fresh folder for the inputs>
# (@IN in .args) and SCN=<the case's .json>; it exits 77 (with the reason as its last line of
# output) when the case cannot be checked here, e.g. an unreadable file when running as root:
# the case is then counted as skipped, not passed. The folder is removed after the case.
. tests/sh/lib.sh
for exp in tests/bad/*.expect; do
	name=$(basename "$exp" .expect)
	want_rc=$(sed -n 1p "$exp")
	want_msg=$(sed -n 2p "$exp")
	scn="tests/bad/$name.json"
	out="$TMP/$name"
	in="$TMP/$name.in"
	mkdir -p "$out" "$in"
	if [ -f "tests/bad/$name.setup" ]; then
		IN=$in SCN=$scn bash "tests/bad/$name.setup" >"$out.setup" 2>&1; src=$?
		if [ "$src" -eq 77 ]; then skip "$name: $(tail -n 1 "$out.setup")"; rm -rf "$in"; continue; fi
		if [ "$src" -ne 0 ]; then fail "$name: setup exited $src"; cat "$out.setup"; rm -rf "$in"; continue; fi
	fi
	args=()
	if [ -f "tests/bad/$name.args" ]; then
		while IFS= read -r a; do
			a=${a//@SCN/$scn}; a=${a//@DB/$out/results.db}; a=${a//@IN/$in}
			args+=("$a")
		done < "tests/bad/$name.args"
	else
		args=(run "$scn" --db "$out/results.db")
	fi
	# a hang is a failure too (exit 124), not a stuck suite
	timeout 300 "$MAASIM" "${args[@]}" >"$out.stdout" 2>"$out.stderr"; rc=$?
	rm -rf "$in"
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name: exit $rc, wanted $want_rc"; head -c 400 "$out.stderr"; echo; continue
	fi
	if ! grep -qF -- "$want_msg" "$out.stderr"; then
		fail "$name: stderr lacks \"$want_msg\""; head -c 400 "$out.stderr"; echo; continue
	fi
	if [ -n "$(ls -A "$out")" ]; then
		fail "$name: left files behind: $(ls -A "$out" | tr '\n' ' ')"; continue
	fi
	pass "$name"
done
finish
