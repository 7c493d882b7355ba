#!/bin/sh
# gen_hourly.sh — writes the synthetic year-long hourly traces of the start-up benchmark
# (scenarios/bench/startup.json): 8,760 rows each (365 days x 24 h), columns
# t_s,input_tokens,output_tokens, with a diurnal swing and a deterministic pseudo-random jitter
# (a linear congruential generator, seeded per file), so the files are reproducible byte for byte.
# Synthetic, not measured: they exist to time the loader, not to model a service.
# Usage: sh scenarios/bench/traces/gen_hourly.sh  (from the repository root)
set -eu
dir=$(dirname "$0")
for k in 1 2 3 4; do
	awk -v seed="$k" 'BEGIN {
		x = seed * 7919; print "t_s,input_tokens,output_tokens";
		for (h = 0; h < 8760; h++) {
			x = (1103515245 * x + 12345) % 2147483648; j = x / 2147483648;
			d = 1 + 0.5 * sin(2 * 3.14159265358979 * (h % 24) / 24);
			printf "%d,%d,%d\n", h * 3600, int(200 + 800 * d * j), int(20 + 200 * d * (1 - j));
		}
	}' > "$dir/hourly_$k.csv"
done
