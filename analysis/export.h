/* export.h — `maasim export DB [-o DIR]`: every table and view of a results database as a CSV
 * file DIR/<table>.csv, for spreadsheet users.
 *
 * CSV follows RFC 4180: a header line of column names, CRLF line ends, a field holding a comma,
 * a double quote, CR or LF is enclosed in double quotes with its quotes doubled; SQL NULL is an
 * empty field. Each file is written to a temporary name and renamed, so an interrupted export
 * never leaves a truncated CSV under the final name.
 */
#ifndef MAASIM_EXPORT_H
#define MAASIM_EXPORT_H

#include "analysis/sbuf.h"
#include "engine/err.h"

/* Appends field s (NULL: empty) to b, quoted as RFC 4180 requires. */
void export_csv_field(struct sbuf *b, const char *s);

/* Writes every table and view of db to dir (created if missing). *n_tables receives how many
 * files were written. Returns -1 with e on failure; *exit_code is then 2 for a bad database,
 * 1 for a failure to write. */
int export_db(const char *db, const char *dir, int *n_tables, int *exit_code, struct err *e);

/* The sub-command; argv[0] is "export". Returns the exit status (0, 1 or 2). */
int export_main(int argc, char **argv);

#endif
