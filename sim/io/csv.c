/* csv.c — the CSV reader of csv.h: whole file in memory, records parsed in place. */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/xalloc.h"

struct csv {
	char *path;
	char *buf;      /* whole file, NUL-terminated; records are unquoted in place */
	size_t len, pos;
	char sep;
	char stop[3];   /* sep, '\n': what ends an unquoted field (strcspn's set) */
	long line;      /* line of the record last returned */
	long next_line; /* line where the next record starts */
	char **fields;
	size_t cap;
};

struct csv *csv_open(const char *path, char sep, size_t max_bytes, struct err *e)
{
	FILE *f;
	struct stat sb = { 0 };
	struct csv *c;
	long sz;

	/* before opening: opening a FIFO would wait for a writer, forever */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		err_set(e, "%s: cannot read: not a regular file%s", path,
			S_ISDIR(sb.st_mode) ? " (a folder)" : "");
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f) {
		err_set(e, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		err_set(e, "%s: cannot read: not a regular file%s", path,
			S_ISDIR(sb.st_mode) ? " (a folder)" : "");
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		err_set(e, "%s: cannot read (not a regular file?)", path);
		return NULL;
	}
	if (max_bytes && (size_t)sz > max_bytes) {
		fclose(f);
		err_set(e, "%s: file is %ld bytes, more than the %zu accepted", path, sz, max_bytes);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->buf = xmalloc((size_t)sz + 1);
	c->len = fread(c->buf, 1, (size_t)sz, f);
	c->buf[c->len] = '\0';
	fclose(f);
	if (c->len != (size_t)sz) {
		err_set(e, "%s: short read", path);
		csv_free(c);
		return NULL;
	}
	if (memchr(c->buf, '\0', c->len)) {
		err_set(e, "%s: binary data (a NUL byte) in a text file", path);
		csv_free(c);
		return NULL;
	}
	if (c->len >= 3 && (unsigned char)c->buf[0] == 0xEF && (unsigned char)c->buf[1] == 0xBB &&
	    (unsigned char)c->buf[2] == 0xBF)
		c->pos = 3;
	c->sep = sep;
	c->stop[0] = sep;
	c->stop[1] = '\n';
	c->stop[2] = '\0';
	c->next_line = 1;
	return c;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->buf);
	free(c->fields);
	free(c);
}

int csv_next(struct csv *c, char ***fields, struct err *e)
{
	int n;

	/* skip blank lines */
	for (;;) {
		if (c->pos >= c->len)
			return 0;
		if (c->buf[c->pos] == '\n') {
			c->pos++;
			c->next_line++;
		} else if (c->buf[c->pos] == '\r' && c->buf[c->pos + 1] == '\n') {
			c->pos += 2;
			c->next_line++;
		} else {
			break;
		}
	}
	c->line = c->next_line;
	n = 0;
	for (;;) {
		char *out = c->buf + c->pos, *start = out;
		int end_rec = 0;

		if (c->buf[c->pos] == '"') {
			c->pos++;
			for (;;) {
				char ch = c->buf[c->pos];
				if (c->pos >= c->len)
					return err_set(e, "%s:%ld: unterminated quoted field", c->path,
						       c->line);
				if (ch == '"' && c->buf[c->pos + 1] == '"') {
					*out++ = '"';
					c->pos += 2;
				} else if (ch == '"') {
					c->pos++;
					break;
				} else {
					if (ch == '\n')
						c->next_line++;
					*out++ = ch;
					c->pos++;
				}
			}
			/* after the closing quote: separator, end of line or end of file */
			while (c->pos < c->len && c->buf[c->pos] != c->sep && c->buf[c->pos] != '\n') {
				*out++ = c->buf[c->pos++];
			}
		} else {
			/* unquoted: the field stays where it is; the buffer is NUL-terminated and holds
			 * no other NUL (csv_open refuses one), so libc's vectorised strcspn finds its
			 * end: the separator, the line's end or the buffer's */
			c->pos += strcspn(c->buf + c->pos, c->stop);
			out = c->buf + c->pos;
		}
		if (c->pos >= c->len || c->buf[c->pos] == '\n') {
			end_rec = 1;
			if (c->pos < c->len) {
				c->pos++;
				c->next_line++;
			}
			if (out > start && out[-1] == '\r')
				out--;
		} else {
			c->pos++; /* separator */
		}
		*out = '\0';
		if ((size_t)n + 1 > c->cap)
			xgrow((void **)&c->fields, &c->cap, (size_t)n + 1, sizeof *c->fields);
		c->fields[n++] = start;
		if (end_rec)
			break;
	}
	*fields = c->fields;
	return n;
}

long csv_line(const struct csv *c) { return c->line; }
const char *csv_path(const struct csv *c) { return c->path; }

double csv_strtod(const char *s, char **end)
{
	static const double p10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *p = s;
	uint64_t m = 0;
	int digits = 0, decimals = 0, neg = 0;
	double v;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++, decimals++)
			m = m * 10 + (uint64_t)(*p - '0');
	/* digits <= 15: m < 10^15 < 2^53 is exact; no exponent, hex, inf or nan follows */
	if (digits == 0 || digits > 15 || decimals > 22 || (*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z') || *p == '.')
		return strtod(s, end);
	v = (double)m / p10[decimals];
	*end = (char *)p;
	return neg ? -v : v;
}

int csv_num(const struct csv *c, const char *s, const char *col, double *out, struct err *e)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	v = csv_strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE)
		return err_set(e, "%s:%ld: column %s: expected a finite number, got \"%.40s\"",
			       c->path, c->line, col, s);
	*out = v;
	return 0;
}

int csv_find(char **fields, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return i;
	return -1;
}
