/* jsonw.h — writing JSON text by hand to a stream: a string quoted and escaped, a number or
 * null.
 *
 * For files written with fprintf rather than built as a cJSON tree (the calibration table,
 * the bench figures). Only what JSON requires is escaped: '"', '\\' and control characters;
 * other bytes, UTF-8 included, are written as they are.
 */
#ifndef MAASIM_JSONW_H
#define MAASIM_JSONW_H

#include <stdio.h>

/* Writes s as a JSON string, in double quotes. */
void jsonw_str(FILE *f, const char *s);

/* Writes v with 6 significant digits (%.6g), or null when it is not finite (JSON has no NaN
 * or infinity). */
void jsonw_num(FILE *f, double v);

#endif
