#!/usr/bin/env bash
# t_bad_inputs.sh — the bad-input corpus: every tests/bad/<case>.expect names the exit code
# (line 1) and a message fragment that must appear on stderr (line 2). The scenario is
# tests/bad/<case>.json; tests/bad/<case>.args (one argument a line) replaces the default
# arguments "run @SCN --db @DB" (@SCN: the scenario, @DB: a database path in a fresh folder).
# Each case must also leave no database (nor any other file) behind.
. tests/sh/lib.sh
for exp in tests/bad/*.expect; do
	name=$(basename "$exp" .expect)
	want_rc=$(sed -n 1p "$exp")
	want_msg=$(sed -n 2p "$exp")
	scn="tests/bad/$name.json"
	out="$TMP/$name"
	mkdir -p "$out"
	args=()
	if [ -f "tests/bad/$name.args" ]; then
		while IFS= read -r a; do
			a=${a//@SCN/$scn}; a=${a//@DB/$out/results.db}
			args+=("$a")
		done < "tests/bad/$name.args"
	else
		args=(run "$scn" --db "$out/results.db")
	fi
	"$MAASIM" "${args[@]}" >"$out.stdout" 2>"$out.stderr"; rc=$?
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
