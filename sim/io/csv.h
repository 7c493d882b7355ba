/* csv.h — a small CSV reader that knows its file name and line number.
 *
 * Reads the whole file into memory and hands out one record at a time as an array of
 * NUL-terminated fields (pointers into the reader's buffer, valid until the next record).
 * Handles "quoted, fields" with "" escapes, CRLF, a missing final newline, a UTF-8 BOM, and
 * blank lines (skipped). Every error message starts with "<file>:<line>: ". Numbers are parsed
 * with csv_num, which rejects empty text, trailing junk, NaN and infinities.
 */
#ifndef MAASIM_CSV_H
#define MAASIM_CSV_H

#include <stddef.h>

#include "engine/err.h"

struct csv;

/* Opens path; sep is ',' or ';' etc. Returns NULL and fills e when the file cannot be read
 * or is empty. max_bytes (0 = no limit) bounds the file size accepted. */
struct csv *csv_open(const char *path, char sep, size_t max_bytes, struct err *e);
void csv_free(struct csv *c);

/* Next record: returns the field count (>= 1), 0 at end of file, -1 on a malformed record
 * (unterminated quote). *fields points to the fields. */
int csv_next(struct csv *c, char ***fields, struct err *e);

/* Line number (1-based) of the record last returned, and the file's path. */
long csv_line(const struct csv *c);
const char *csv_path(const struct csv *c);

/* Parses a finite number from s; on failure fills e with
 * "<file>:<line>: column <col>: expected a number, got "<s>"" and returns -1. */
int csv_num(const struct csv *c, const char *s, const char *col, double *out, struct err *e);

/* strtod with a fast path: plain decimals ([+-]digits[.digits], at most 15 significant digits
 * and 22 decimals, as traces hold) are converted as an exact integer divided by an exact power
 * of ten, one correctly rounded operation, hence the same double strtod returns (Clinger 1990,
 * "How to read floating point numbers accurately"); anything else goes to strtod. */
double csv_strtod(const char *s, char **end);

/* Index of the column named name in a header record, or -1. */
int csv_find(char **fields, int n, const char *name);

#endif
