/* jv.c — validated reading of a cJSON tree (jv.h). */
#include "jv.h"

#include <math.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/xalloc.h"

#define MAX_STR 4096 /* longest string value accepted, bytes */

/* Appends a step to the path; a path too long for v->path is cut, never overrun. Returns the
 * previous length for jv_leave. */
static size_t enter(struct jv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t enter(struct jv *v, const char *fmt, ...)
{
	size_t mark = v->len;
	va_list ap;

	va_start(ap, fmt);
	int w = vsnprintf(v->path + v->len, sizeof v->path - v->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		v->len = v->len + (size_t)w < sizeof v->path ? v->len + (size_t)w : sizeof v->path - 1;
	return mark;
}

size_t jv_enter_key(struct jv *v, const char *key)
{
	return enter(v, ".%s", key);
}

size_t jv_enter_idx(struct jv *v, size_t i)
{
	return enter(v, "[%zu]", i);
}

void jv_leave(struct jv *v, size_t mark)
{
	v->len = mark;
	v->path[mark] = '\0';
}

const char *jv_show(const cJSON *node, char *buf, size_t n)
{
	char *s;

	if (!node)
		return snprintf(buf, n, "nothing"), buf;
	/* cJSON prints a number beyond the double range (1e999 in the file) as null */
	if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
		return snprintf(buf, n, "%s", node->valuedouble > 0 ? "a number too large (inf)"
								 : "a number too large (-inf)"), buf;
	s = cJSON_PrintUnformatted(node);
	if (!s)
		return snprintf(buf, n, "(unprintable)"), buf;
	if (strlen(s) > 60)
		snprintf(buf, n, "%.57s...", s);
	else
		snprintf(buf, n, "%s", s);
	cJSON_free(s);
	return buf;
}

int jv_fail(struct jv *v, const char *key, const cJSON *node, const char *fmt, ...)
{
	char what[512], got[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (node)
		return err_set(v->e, "%s: %s%s%s: %s, got %s", v->file, v->path, key ? "." : "",
			       key ? key : "", what, jv_show(node, got, sizeof got));
	return err_set(v->e, "%s: %s%s%s: %s", v->file, v->path, key ? "." : "", key ? key : "",
		       what);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

const char *jv_closest(const char *word, const char *const *cand)
{
	const char *best = NULL;
	size_t bd = 99, limit = strlen(word) / 3 + 2;

	for (size_t i = 0; cand[i]; i++) {
		size_t d = edit_distance(word, cand[i]);
		if (d < bd) {
			bd = d;
			best = cand[i];
		}
	}
	return bd <= limit ? best : NULL;
}

void jv_note_file(struct jv *v, const char *path)
{
	/* A hash of the contents (not the path: the same data read from another folder is the
	 * same input), folded into the running hash so the order of the files matters. FNV-1a's
	 * step on 8-byte words, with the high half folded down after each multiply so every input
	 * bit reaches every output bit: a byte at a time was a multiply chain of one byte a step,
	 * 24 M instructions and several milliseconds of start-up on the year-long traces. */
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	struct stat sb;
	size_t n;
	FILE *f;

	/* only regular files: opening a FIFO would wait for a writer; the reader reports it */
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return;
	if ((f = fopen(path, "rb")) != NULL) {
		while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
			size_t i = 0;
			for (; i + 8 <= n; i += 8) {
				uint64_t w;
				memcpy(&w, buf + i, sizeof w);
				h = (h ^ w) * 0x100000001b3ULL;
				h ^= h >> 32;
			}
			for (; i < n; i++)
				h = (h ^ buf[i]) * 0x100000001b3ULL;
		}
		fclose(f);
	}
	v->files_hash = (v->files_hash ^ h) * 0x9e3779b97f4a7c15ULL + 1;
}

char *jv_read_text(const char *path, const char *what, size_t max_bytes, struct err *e)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	FILE *f;

	/* before opening: a folder reads as an error, a device never ends, a FIFO blocks the open */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return err_set(e, "%s: cannot read %s: not a regular file%s", path, what,
			       S_ISDIR(sb.st_mode) ? " (a folder)" : ""), NULL;
	if (stat(path, &sb) == 0 && (unsigned long long)sb.st_size > max_bytes)
		return err_set(e, "%s: %s is %lld bytes; at most %zu are accepted", path, what,
			       (long long)sb.st_size, max_bytes), NULL;
	if (!(f = fopen(path, "rb")))
		return err_set(e, "%s: cannot open %s: %s", path, what, strerror(errno)), NULL;
	do {
		xgrow((void **)&buf, &cap, n + 65536 + 1, 1);
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0 && n <= max_bytes);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return err_set(e, "%s: cannot read %s", path, what), NULL;
	}
	fclose(f);
	if (n > max_bytes) {
		free(buf);
		return err_set(e, "%s: %s is more than %zu bytes, the most accepted", path, what,
			       max_bytes), NULL;
	}
	if (memchr(buf, '\0', n)) {
		free(buf);
		return err_set(e, "%s: %s contains a NUL byte; expected JSON text", path, what), NULL;
	}
	buf[n] = '\0';
	return buf;
}

cJSON *jv_parse_text(const char *file, const char *text, struct err *e)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	long line = 1, col = 1;

	if (root)
		return root;
	if (!end) /* cJSON's error pointer is global: copy the position at once */
		end = cJSON_GetErrorPtr();
	if (!end)
		end = text;
	for (const char *p = text; p < end && *p; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (strspn(text, " \t\r\n") == strlen(text))
		err_set(e, "%s: empty file; expected a JSON object", file);
	else if (!*end)
		err_set(e, "%s:%ld:%ld: invalid JSON at end of file (expected a JSON object; unclosed bracket or quote?)",
			file, line, col);
	else
		err_set(e, "%s:%ld:%ld: invalid JSON near \"%.20s\" (expected a JSON object; check commas, quotes and brackets, and nesting depth <= %d)",
			file, line, col, end, CJSON_NESTING_LIMIT);
	return NULL;
}

cJSON *jv_load_object(const char *path, const char *what, size_t max_bytes, struct err *e)
{
	char *text = jv_read_text(path, what, max_bytes, e);
	cJSON *root;

	if (!text)
		return NULL;
	root = jv_parse_text(path, text, e);
	free(text);
	if (root && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_set(e, "%s: $: expected a JSON object at the top level", path), NULL;
	}
	return root;
}

const char *jv_dir_of(struct arena *a, const char *path)
{
	char *tmp = xstrdup(path); /* dirname may write into its argument */
	const char *dir = arena_strdup(a, dirname(tmp));

	free(tmp);
	return dir;
}

const char *jv_path_in(struct arena *a, const char *dir, const char *p)
{
	size_t n;
	char *out;

	if (p[0] == '/')
		return arena_strdup(a, p);
	n = strlen(dir) + strlen(p) + 2;
	out = arena_alloc(a, n);
	snprintf(out, n, "%s/%s", dir, p);
	return out;
}

int jv_is_object(struct jv *v, const cJSON *node)
{
	if (!cJSON_IsObject(node))
		return jv_fail(v, NULL, node, "expected an object");
	return 0;
}

int jv_keys(struct jv *v, const cJSON *obj, const char *const *allowed)
{
	const cJSON *it, *jt;

	if (jv_is_object(v, obj))
		return -1;
	for (it = obj->child; it; it = it->next) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(it->string, allowed[i]) == 0)
				break;
		if (!allowed[i]) {
			const char *hint = jv_closest(it->string, allowed);
			char list[512];
			size_t used = 0;
			list[0] = '\0';
			for (size_t k = 0; allowed[k] && used < sizeof list; k++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
							 k ? ", " : "", allowed[k]);
			if (hint)
				return err_set(v->e, "%s: %s: unknown key \"%.80s\" (did you mean \"%s\"?)",
					       v->file, v->path[0] ? v->path : "$", it->string, hint);
			return err_set(v->e, "%s: %s: unknown key \"%.80s\" (expected one of: %s)",
				       v->file, v->path[0] ? v->path : "$", it->string, list);
		}
		for (jt = obj->child; jt != it; jt = jt->next)
			if (strcmp(jt->string, it->string) == 0)
				return err_set(v->e, "%s: %s: duplicate key \"%.80s\"", v->file,
					       v->path[0] ? v->path : "$", it->string);
	}
	return 0;
}

const cJSON *jv_get(const cJSON *obj, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNull(n) ? NULL : n;
}

int jv_num(struct jv *v, const cJSON *obj, const char *key, int required, double def, double lo,
	   int lo_open, double hi, double *out)
{
	const cJSON *n = jv_get(obj, key);
	double x;

	if (!n) {
		if (required)
			return jv_fail(v, key, NULL, "required number is missing");
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(n))
		return jv_fail(v, key, n, "expected a number");
	x = n->valuedouble;
	if (!isfinite(x))
		return jv_fail(v, key, n, "expected a finite number");
	if ((lo_open ? !(x > lo) : !(x >= lo)) || !(x <= hi)) {
		if (isinf(hi))
			return jv_fail(v, key, n, "expected a number %s %g", lo_open ? ">" : ">=", lo);
		return jv_fail(v, key, n, "expected a number in %s%g, %g]", lo_open ? "(" : "[", lo, hi);
	}
	*out = x;
	return 0;
}

int jv_int(struct jv *v, const cJSON *obj, const char *key, int required, long def, long lo,
	   long hi, long *out)
{
	const cJSON *n = jv_get(obj, key);
	double x;

	if (!n) {
		if (required)
			return jv_fail(v, key, NULL, "required integer is missing");
		*out = def;
		return 0;
	}
	x = cJSON_IsNumber(n) ? n->valuedouble : NAN;
	if (!cJSON_IsNumber(n) || !isfinite(x) || x != floor(x))
		return jv_fail(v, key, n, "expected an integer");
	if (x < (double)lo || x > (double)hi)
		return jv_fail(v, key, n, "expected an integer in [%ld, %ld]", lo, hi);
	*out = (long)x;
	return 0;
}

int jv_bool(struct jv *v, const cJSON *obj, const char *key, int def, int *out)
{
	const cJSON *n = jv_get(obj, key);

	if (!n) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsBool(n))
		return jv_fail(v, key, n, "expected true or false");
	*out = cJSON_IsTrue(n);
	return 0;
}

int jv_str(struct jv *v, const cJSON *obj, const char *key, int required, const char *def,
	   const char **out)
{
	const cJSON *n = jv_get(obj, key);

	if (!n) {
		if (required)
			return jv_fail(v, key, NULL, "required string is missing");
		*out = def ? arena_strdup(v->a, def) : NULL;
		return 0;
	}
	if (!cJSON_IsString(n))
		return jv_fail(v, key, n, "expected a string");
	if (strlen(n->valuestring) > MAX_STR)
		return jv_fail(v, key, NULL, "expected a string of at most %d bytes, got one of %zu",
			       MAX_STR, strlen(n->valuestring));
	if (n->valuestring[0] == '\0')
		return jv_fail(v, key, n, "expected a non-empty string");
	*out = arena_strdup(v->a, n->valuestring);
	return 0;
}

int jv_enum(struct jv *v, const cJSON *obj, const char *key, int required, int def,
	    const char *const *names, int *out)
{
	const cJSON *n = jv_get(obj, key);
	char list[512];
	size_t used = 0;

	if (!n) {
		if (required)
			return jv_fail(v, key, NULL, "required value is missing");
		*out = def;
		return 0;
	}
	if (cJSON_IsString(n))
		for (int i = 0; names[i]; i++)
			if (strcmp(n->valuestring, names[i]) == 0) {
				*out = i;
				return 0;
			}
	list[0] = '\0';
	for (size_t k = 0; names[k] && used < sizeof list; k++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", k ? ", " : "",
					 names[k]);
	if (cJSON_IsString(n)) {
		const char *hint = jv_closest(n->valuestring, names);
		if (hint)
			return jv_fail(v, key, n, "expected one of %s (did you mean \"%s\"?)", list, hint);
	}
	return jv_fail(v, key, n, "expected one of %s", list);
}
