#!/bin/sh
# derive_ciso_solar.sh — scenarios/traces/eia930_CISO_2022-06_solar_mw.csv from the EIA-930
# CISO 2022 hourly generation mix (data/carbon/eia930_CISO_2022_hourly_mix_and_ci.csv, public
# domain, via the DCRL repository): June 2022, the SUN column (MW, grid-scale solar in
# California), "+00:00" dropped from the UTC timestamps, the one empty hour (2022-06-13 18:00)
# filled with the previous hour's value. Used as the shape of an on-site PV array (scaled in the
# scenario). Usage: tools/derive_ciso_solar.sh SRC.csv > OUT.csv
set -eu
awk -F, 'NR == 1 { print "Datetime (UTC),SUN (MW)"; next }
	substr($1, 1, 7) == "2022-06" {
		t = substr($1, 1, 19); v = $3
		if (v == "") v = prev
		print t "," v; prev = v
	}' "$1"
