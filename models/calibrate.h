/* calibrate.h — `maasim calibrate`: run the real kernels, write the calibration table.
 *
 * maasim calibrate [--quick] [--out FILE] [--db FILE] [--check FILE]
 * Times every variant (models/variant.h) at transformer-layer shapes and token batches on one
 * core (warm-up, repeated runs, medians), measures this core's peaks, runs the accuracy study
 * (models/accuracy.h), and writes the table as JSON (FILE, written to FILE.tmp then renamed, so
 * a failed run leaves no partial table) and as rows of the `calibration` table of the results
 * database. --check FILE re-measures a sample and reports how far this machine drifts from FILE.
 * Exit codes: 0 ok, 1 measurement or write failed, 2 bad usage or unreadable table.
 */
#ifndef MAASIM_CALIBRATE_H
#define MAASIM_CALIBRATE_H

/* argv[0] is "calibrate". */
int calibrate_main(int argc, char **argv);

#endif
