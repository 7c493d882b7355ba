#!/usr/bin/env bash
# t_report_browser.sh — the report of a small study, opened in headless Chromium: every image
# loads, the console stays clean; the screenshot is kept as results/report-browser.png.
# Needs Node.js and Debian's chromium. When either is missing and we are root (CI), it is
# installed with apt-get (MAASIM_NO_INSTALL=1 prevents that); otherwise the test is skipped and
# says so in its summary line.
source tests/sh/lib.sh
S=0
skip() { S=$((S + 1)); echo "skip $*"; }
finish_skip() { echo "$P passed, $F failed, $S skipped"; [ "$F" -eq 0 ]; }

chromium=$(command -v chromium || command -v chromium-browser || true)
node=$(command -v node || command -v nodejs || true)
if { [ -z "$chromium" ] || [ -z "$node" ]; } && [ "$(id -u)" -eq 0 ] &&
   [ -z "${MAASIM_NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then
	want=(); [ -n "$chromium" ] || want+=(chromium); [ -n "$node" ] || want+=(nodejs)
	echo "installing ${want[*]} for the browser test (apt-get)"
	(export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
	 apt-get install -y -qq --no-install-recommends "${want[@]}") >"$TMP/apt.log" 2>&1 ||
		tail -n 5 "$TMP/apt.log"
	chromium=$(command -v chromium || true)
	node=$(command -v node || command -v nodejs || true)
fi
if [ -z "$chromium" ] || [ -z "$node" ]; then
	skip "browser test: ${chromium:+}${chromium:-chromium not installed (apt-get install chromium)}${node:+}${node:-; Node.js not installed}"
	finish_skip; exit $?
fi

# a small study: two configurations x 3 replications with series (tests/unit/study_fixture.h)
if "$MAASIM" report --help 2>/dev/null | grep -q 'usage: maasim report'; then
	MAASIM_FIXTURE_DB="$TMP/study.db" "$BUILD/tests/test_report" >"$TMP/fx" 2>&1 ||
		{ fail "fixture database"; cat "$TMP/fx"; }
	expect_rc 0 "maasim report writes the report" "$MAASIM" report "$TMP/study.db" -o "$TMP/report"
else
	# the command line does not have `report` yet: the library writes it directly
	expect_rc 0 "report_write writes the report (no CLI yet)" env MAASIM_FIXTURE_DB="$TMP/study.db" \
		MAASIM_FIXTURE_REPORT="$TMP/report" "$BUILD/tests/test_report"
fi
mkdir -p results
expect_rc 0 "report opens in Chromium: images load, no console error" \
	"$node" tests/browser/check_page.js "$chromium" "$TMP/report/report.html" results/report-browser.png
[ "$F" -eq 0 ] && sed 's/^/      /' "$TMP/out"
grep -q '^images: 8 (8 loaded)' "$TMP/out" && pass "all 8 figures shown" || fail "figures: $(grep '^images' "$TMP/out")"
grep -q 'sections: Summary | Figures | Every metric | Provenance | Methods' "$TMP/out" &&
	pass "sections present" || fail "sections: $(grep '^sections' "$TMP/out")"

# the checker itself must be able to fail: a page with a broken image and a console error
printf '<!DOCTYPE html><html><head><title>x</title></head><body><img src="missing.png">%s</body></html>' \
	'<script>console.error("boom")</script>' >"$TMP/bad.html"
expect_rc 1 "a broken page is caught" "$node" tests/browser/check_page.js "$chromium" "$TMP/bad.html" "$TMP/bad.png"
finish_skip
