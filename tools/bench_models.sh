#!/usr/bin/env bash
# tools/bench_models.sh [BUILD_DIR] — the models/ part of `make bench`: runs `maasim calibrate
# --quick` (under a minute, one core) and prints its headline: this core's measured FMA and int8
# peaks, SGEMM GFLOP/s and int8 GOP/s at 512^3 with their ratio (target: int8 >= 2x SGEMM; on a
# CPU without VNNI it is not met, and the line says so), then the per-variant speed-ups.
# Timings are reported, never asserted. The table goes to results/calibration-quick.json.
set -eu
build=${1:-build}
mkdir -p results
"$build/maasim" calibrate --quick --out results/calibration-quick.json 2>/dev/null |
	sed -n '/^maasim calibrate/,$p'
