/* trace.c — arrival-trace readers (trace.h). Records are read into growing scratch arrays,
 * checked, then copied into the run's arena. */
#include "trace.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "engine/xalloc.h"
#include "io/csv.h"

struct scratch {
	double *t;
	uint32_t *in, *out;
	double *svc;
	size_t n, cap_t, cap_in, cap_out, cap_svc;
};

static void scratch_free(struct scratch *s)
{
	free(s->t);
	free(s->in);
	free(s->out);
	free(s->svc);
}

/* days since 1970-01-01 of a civil date (H. Hinnant's algorithm, public domain) */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int trace_parse_datetime(const char *s, double *epoch_s)
{
	int y, mo, d, h, mi, n = 0;
	double sec = 0;

	while (*s == ' ')
		s++;
	if (sscanf(s, "%4d-%2d-%2d%*1[ T]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n == 0)
		return -1;
	s += n;
	if (*s == ':') {
		char *end;
		sec = strtod(s + 1, &end);
		if (end == s + 1 || !(sec >= 0 && sec < 61))
			return -1;
		s = end;
	}
	if (*s == 'Z')
		s++;
	while (*s == ' ')
		s++;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59)
		return -1;
	*epoch_s = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
	return 0;
}

static int parse_tokens(const char *path, long line, const char *col, const char *s,
			uint32_t *out, struct err *e)
{
	char *end;
	double v = csv_strtod(s, &end);

	while (*end == ' ')
		end++;
	if (end == s || *end || !isfinite(v) || v < 0 || v > 4e9 || v != floor(v))
		return err_set(e, "%s:%ld: column %s: expected a whole number of tokens >= 0, got \"%.40s\"",
			       path, line, col, s);
	/* a request with 0 tokens still costs one token of work: the model reads/writes one */
	*out = v < 1 ? 1u : (uint32_t)v;
	return 0;
}

static void push(struct scratch *s, double t, int has_in, uint32_t in, int has_out, uint32_t out,
		 int has_svc, double svc)
{
	xgrow((void **)&s->t, &s->cap_t, s->n + 1, sizeof *s->t);
	s->t[s->n] = t;
	if (has_in) {
		xgrow((void **)&s->in, &s->cap_in, s->n + 1, sizeof *s->in);
		s->in[s->n] = in;
	}
	if (has_out) {
		xgrow((void **)&s->out, &s->cap_out, s->n + 1, sizeof *s->out);
		s->out[s->n] = out;
	}
	if (has_svc) {
		xgrow((void **)&s->svc, &s->cap_svc, s->n + 1, sizeof *s->svc);
		s->svc[s->n] = svc;
	}
	s->n++;
}

static int check_order(const char *path, long line, const struct scratch *s, double t,
		       struct err *e)
{
	if (s->n && t < s->t[s->n - 1])
		return err_set(e, "%s:%ld: timestamps go backwards (%.9g s after the previous record's %.9g s); a trace must be in time order",
			       path, line, t, s->t[s->n - 1]);
	return 0;
}

static int read_csv(const char *path, struct scratch *s, const char **format, struct err *e)
{
	struct csv *c = csv_open(path, ',', TRACE_MAX_BYTES, e);
	char **f;
	int n, ci_t, ci_in, ci_out, ci_svc, azure, rc = -1;
	double t0 = 0;

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	if (n <= 0) {
		if (n == 0)
			err_set(e, "%s: empty trace (no header line)", path);
		goto out;
	}
	azure = csv_find(f, n, "TIMESTAMP") >= 0;
	if (azure) {
		ci_t = csv_find(f, n, "TIMESTAMP");
		ci_in = csv_find(f, n, "ContextTokens");
		ci_out = csv_find(f, n, "GeneratedTokens");
		ci_svc = -1;
		if (ci_in < 0 || ci_out < 0) {
			err_set(e, "%s:%ld: Azure LLM trace header needs TIMESTAMP, ContextTokens and GeneratedTokens",
				path, csv_line(c));
			goto out;
		}
		*format = "azure-llm-2023";
	} else {
		ci_t = csv_find(f, n, "t_s");
		ci_in = csv_find(f, n, "input_tokens");
		ci_out = csv_find(f, n, "output_tokens");
		ci_svc = csv_find(f, n, "service_s");
		if (ci_t < 0) {
			err_set(e, "%s:%ld: trace header needs a t_s column (or the Azure LLM trace columns TIMESTAMP,ContextTokens,GeneratedTokens)",
				path, csv_line(c));
			goto out;
		}
		if ((ci_in < 0) != (ci_out < 0)) {
			err_set(e, "%s:%ld: trace header has only one of input_tokens and output_tokens; give both or neither",
				path, csv_line(c));
			goto out;
		}
		*format = "csv";
	}
	while ((n = csv_next(c, &f, e)) > 0) {
		double t, svc = 0;
		uint32_t in = 0, out = 0;
		int need = ci_t;
		if (ci_in > need) need = ci_in;
		if (ci_out > need) need = ci_out;
		if (ci_svc > need) need = ci_svc;
		if (n <= need) {
			err_set(e, "%s:%ld: expected at least %d columns, got %d", path, csv_line(c),
				need + 1, n);
			goto out;
		}
		if (azure) {
			if (trace_parse_datetime(f[ci_t], &t)) {
				err_set(e, "%s:%ld: column TIMESTAMP: expected \"YYYY-MM-DD HH:MM:SS.fff\", got \"%.40s\"",
					path, csv_line(c), f[ci_t]);
				goto out;
			}
			if (s->n == 0)
				t0 = t;
			t -= t0;
		} else if (csv_num(c, f[ci_t], "t_s", &t, e)) {
			goto out;
		}
		if (check_order(path, csv_line(c), s, t, e))
			goto out;
		if (ci_in >= 0 && (parse_tokens(path, csv_line(c), azure ? "ContextTokens" : "input_tokens", f[ci_in], &in, e) ||
				   parse_tokens(path, csv_line(c), azure ? "GeneratedTokens" : "output_tokens", f[ci_out], &out, e)))
			goto out;
		if (ci_svc >= 0) {
			if (csv_num(c, f[ci_svc], "service_s", &svc, e))
				goto out;
			if (!(svc > 0)) {
				err_set(e, "%s:%ld: column service_s: expected a time > 0 s, got %g", path,
					csv_line(c), svc);
				goto out;
			}
		}
		push(s, t, ci_in >= 0, in, ci_out >= 0, out, ci_svc >= 0, svc);
	}
	if (n < 0)
		goto out;
	rc = 0;
out:
	csv_free(c);
	return rc;
}

static int json_uint(const cJSON *o, const char *key, double *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble) || n->valuedouble < 0)
		return -1;
	*v = n->valuedouble;
	return 0;
}

static int read_jsonl(const char *path, struct scratch *s, struct err *e)
{
	char *buf = NULL;
	size_t cap = 0;
	long line = 0;
	FILE *f = fopen(path, "rb");
	ssize_t len;

	if (!f)
		return err_set(e, "%s: cannot open", path);
	while ((len = getline(&buf, &cap, f)) >= 0) {
		cJSON *o;
		double t, in, out;
		line++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0)
			continue;
		o = cJSON_ParseWithLength(buf, (size_t)len);
		if (!o || !cJSON_IsObject(o)) {
			cJSON_Delete(o);
			err_set(e, "%s:%ld: expected one JSON object per line", path, line);
			goto fail;
		}
		if (json_uint(o, "timestamp", &t) || json_uint(o, "input_length", &in) ||
		    json_uint(o, "output_length", &out) || in > 4e9 || out > 4e9) {
			cJSON_Delete(o);
			err_set(e, "%s:%ld: expected numbers >= 0 for timestamp (ms), input_length and output_length",
				path, line);
			goto fail;
		}
		cJSON_Delete(o);
		t /= 1000.0; /* Mooncake timestamps are ms from the start of the trace */
		if (check_order(path, line, s, t, e))
			goto fail;
		push(s, t, 1, in < 1 ? 1 : (uint32_t)in, 1, out < 1 ? 1 : (uint32_t)out, 0, 0);
	}
	free(buf);
	fclose(f);
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}

static void *arena_copy(struct arena *a, const void *p, size_t n)
{
	return p ? memcpy(arena_alloc(a, n), p, n) : NULL;
}

int trace_load(const char *path, struct arena *a, struct trace_data **out, struct err *e)
{
	struct scratch s;
	struct trace_data *td;
	const char *format = "csv";
	size_t plen = strlen(path);
	int rc, first;
	FILE *probe;
	struct stat sb = { 0 };

	memset(&s, 0, sizeof s);
	/* a folder, a device or a FIFO would read as empty, never end, or (a FIFO) block the open
	 * itself: only regular files are traces, checked before opening */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return err_set(e, "%s: cannot read trace: not a regular file%s", path,
			       S_ISDIR(sb.st_mode) ? " (a folder)" : "");
	if (!(probe = fopen(path, "rb")))
		return err_set(e, "%s: cannot open trace: %s", path, strerror(errno));
	first = fgetc(probe);
	fclose(probe);
	if (first == EOF)
		return err_set(e, "%s: empty trace", path);
	if ((plen > 6 && strcmp(path + plen - 6, ".jsonl") == 0) || first == '{') {
		format = "mooncake-jsonl";
		rc = read_jsonl(path, &s, e);
	} else {
		rc = read_csv(path, &s, &format, e);
	}
	if (rc == 0 && s.n == 0)
		rc = err_set(e, "%s: trace has no records", path);
	if (rc) {
		scratch_free(&s);
		return -1;
	}
	td = arena_alloc(a, sizeof *td);
	td->n = s.n;
	td->t_s = arena_copy(a, s.t, s.n * sizeof *s.t);
	td->in_tokens = s.in ? arena_copy(a, s.in, s.n * sizeof *s.in) : NULL;
	td->out_tokens = s.out ? arena_copy(a, s.out, s.n * sizeof *s.out) : NULL;
	td->service_s = s.svc ? arena_copy(a, s.svc, s.n * sizeof *s.svc) : NULL;
	td->span_s = s.t[s.n - 1] - s.t[0];
	td->format = format;
	scratch_free(&s);
	*out = td;
	return 0;
}
