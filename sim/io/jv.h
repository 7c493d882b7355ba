/* jv.h — validated reading of a cJSON tree: the scenario loader's toolkit (sim/io only).
 *
 * A struct jv carries the file name, the current JSON path ("$.workload[1].arrival") and the
 * error struct. Every getter checks type and range and, on failure, writes
 *   <file>: <path>.<key>: expected <what>, got <json text>
 * and returns -1. jv_keys rejects unknown keys (with a did-you-mean hint from the allowed list)
 * and duplicate keys. Strings are copied into the run's arena: no cJSON pointer escapes.
 * Lookups are case-sensitive.
 */
#ifndef MAASIM_JV_H
#define MAASIM_JV_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/arena.h"
#include "engine/err.h"

struct jv {
	const char *file;
	struct err *e;
	struct arena *a;
	char path[512];
	size_t len;
	uint64_t files_hash; /* content of every input file named so far (jv_note_file) */
};

/* Path handling: jv_enter_key/jv_enter_idx append and return the previous length for jv_leave. */
size_t jv_enter_key(struct jv *v, const char *key);
size_t jv_enter_idx(struct jv *v, size_t i);
void jv_leave(struct jv *v, size_t mark);

/* Error at the current path (or at path.key when key != NULL) describing node. Returns -1. */
int jv_fail(struct jv *v, const char *key, const cJSON *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checks obj is an object whose keys are all in allowed (NULL-terminated) and unique. */
int jv_keys(struct jv *v, const cJSON *obj, const char *const *allowed);
/* Checks node is an object (the current path names it). */
int jv_is_object(struct jv *v, const cJSON *node);

/* Member lookup (case-sensitive); NULL when absent or JSON null. */
const cJSON *jv_get(const cJSON *obj, const char *key);

/* Numbers: absent -> def unless required; range [lo, hi]; lo_open makes it (lo, hi]. */
int jv_num(struct jv *v, const cJSON *obj, const char *key, int required, double def, double lo,
	   int lo_open, double hi, double *out);
/* Integers in [lo, hi]. */
int jv_int(struct jv *v, const cJSON *obj, const char *key, int required, long def, long lo,
	   long hi, long *out);
int jv_bool(struct jv *v, const cJSON *obj, const char *key, int def, int *out);
/* Strings (arena copy); absent -> def (may be NULL) unless required; max_len bytes at most. */
int jv_str(struct jv *v, const cJSON *obj, const char *key, int required, const char *def,
	   const char **out);
/* One of names (NULL-terminated); *out receives its index. */
int jv_enum(struct jv *v, const cJSON *obj, const char *key, int required, int def,
	    const char *const *names, int *out);

/* Mixes the bytes of an input file (a trace, weather...) into v->files_hash, so a scenario's
 * identity changes when the data it reads changes. A missing file adds nothing: its reader
 * reports the error. */
void jv_note_file(struct jv *v, const char *path);

/* Reads the JSON text file path whole (at most max_bytes, no NUL byte, a regular file: a
 * FIFO or device is refused before opening). what names the file in messages ("scenario",
 * "sweep file"). Returns a malloc'd NUL-terminated text, or NULL with e set. */
char *jv_read_text(const char *path, const char *what, size_t max_bytes, struct err *e);

/* Parses text as one JSON value with nothing after it; on failure e names file:line:column
 * and what is wrong ("empty file", "invalid JSON near ..."). Free with cJSON_Delete. */
cJSON *jv_parse_text(const char *file, const char *text, struct err *e);

/* Reads and parses the JSON file path (jv_read_text, then jv_parse_text) and checks that its
 * top level is an object: what the scenario and sweep loaders open their file with. Returns
 * the tree (free with cJSON_Delete), or NULL with e set. */
cJSON *jv_load_object(const char *path, const char *what, size_t max_bytes, struct err *e);

/* The folder of path (dirname(3): "." for a bare file name), copied into a: where the
 * relative file names inside a scenario or sweep file are read from. */
const char *jv_dir_of(struct arena *a, const char *path);

/* A file name from inside a scenario or sweep file, as read from dir (jv_dir_of): p when
 * absolute, else "dir/p"; always a copy in a. */
const char *jv_path_in(struct arena *a, const char *dir, const char *p);

/* The closest of candidates to word by edit distance, or NULL when none is close. */
const char *jv_closest(const char *word, const char *const *candidates);

/* Short JSON text of node for messages ("\"fast\"", "[1,2]", "null"), into buf. */
const char *jv_show(const cJSON *node, char *buf, size_t n);

#endif
