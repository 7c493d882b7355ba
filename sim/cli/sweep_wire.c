/* sweep_wire.c — the trial-result message format of sweep_wire.h.
 *
 * Integers are written and read whole (le_store, le_load) rather than a byte at a time, and the
 * encoder reserves a message's room in the buffer once per section rather than once per field:
 * a 200-trial sweep's messages (about 285,000 time-series points) cost 122e6 instructions to
 * encode and decode before, most of them in byte loops (callgrind, docs/performance.md). The
 * bytes on the wire are the same on every host: little-endian, converted on a big-endian one.
 */
#include "sweep_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

void sweep_buf_fini(struct sweep_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* x's low `bytes` bytes, little-endian, at d; and back. On a little-endian host a copy (which
 * the compiler turns into one load or store for the constant sizes used here). */
static inline void le_store(unsigned char *d, uint64_t x, size_t bytes)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(d, &x, bytes);
#else
	for (size_t i = 0; i < bytes; i++)
		d[i] = (unsigned char)(x >> (8 * i));
#endif
}

static inline uint64_t le_load(const unsigned char *s, size_t bytes)
{
	uint64_t x = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&x, s, bytes);
#else
	for (size_t i = 0; i < bytes; i++)
		x |= (uint64_t)s[i] << (8 * i);
#endif
	return x;
}

/* Room for n more bytes; the put_ functions below write within it. */
static void reserve(struct sweep_buf *b, size_t n)
{
	xgrow((void **)&b->p, &b->cap, b->n + n, 1);
}

static void put(struct sweep_buf *b, const void *p, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* Within room already reserved. */
static inline void put_u_in(struct sweep_buf *b, uint64_t x, size_t bytes)
{
	le_store(b->p + b->n, x, bytes);
	b->n += bytes;
}

static inline void put_f64_in(struct sweep_buf *b, double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	put_u_in(b, u, 8);
}

static void put_u(struct sweep_buf *b, uint64_t x, size_t bytes)
{
	reserve(b, bytes);
	put_u_in(b, x, bytes);
}

static void put_f64(struct sweep_buf *b, double x)
{
	reserve(b, 8);
	put_f64_in(b, x);
}

static void put_str(struct sweep_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (n > 0xffff)
		n = 0xffff;
	put_u(b, n, 2);
	put(b, s, n);
}

void sweep_wire_encode(const struct sweep_outcome *o, const struct metrics *ms, struct sweep_buf *b)
{
	b->n = 0;
	put(b, "MSW1", 4);
	put_u(b, (uint64_t)o->trial, 4);
	put_u(b, (uint64_t)(o->ok >= 0 && o->ok <= 2 ? o->ok : 0), 1);
	put_u(b, o->events, 8);
	put_f64(b, o->wall_s);
	put_str(b, o->key);
	put_str(b, o->started_at);
	put_str(b, o->message);
	put_u(b, ms->n, 4);
	for (size_t i = 0; i < ms->n; i++) {
		put_str(b, ms->m[i].name);
		put_str(b, ms->m[i].unit);
		put_f64(b, ms->m[i].value);
	}
	put_u(b, ms->n_names, 4);
	for (size_t i = 0; i < ms->n_names; i++)
		put_str(b, ms->series_names[i]);
	put_u(b, ms->n_pts, 4);
	reserve(b, ms->n_pts * 20);
	for (size_t i = 0; i < ms->n_pts; i++) {
		put_f64_in(b, ms->pts[i].t_s);
		put_f64_in(b, ms->pts[i].value);
		put_u_in(b, ms->pts[i].name_id, 4);
	}
}

struct rd {
	const unsigned char *p;
	size_t n, at;
	int bad;
};

static inline uint64_t get_u(struct rd *r, size_t bytes)
{
	uint64_t x;
	if (r->bad || r->n - r->at < bytes) {
		r->bad = 1;
		return 0;
	}
	x = le_load(r->p + r->at, bytes);
	r->at += bytes;
	return x;
}

static double get_f64(struct rd *r)
{
	uint64_t u = get_u(r, 8);
	double x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* Copies a str into out (cap bytes, NUL-terminated); too long for out is malformed. */
static void get_str(struct rd *r, char *out, size_t cap)
{
	size_t n = (size_t)get_u(r, 2);
	if (r->bad || r->n - r->at < n || n >= cap) {
		r->bad = 1;
		out[0] = '\0';
		return;
	}
	memcpy(out, r->p + r->at, n);
	out[n] = '\0';
	r->at += n;
}

int sweep_wire_decode(const void *p, size_t n, struct sweep_outcome *o, struct metrics *ms,
		      struct err *e)
{
	struct rd r = { p, n, 0, 0 };
	size_t cnt;

	memset(o, 0, sizeof *o);
	metrics_reset(ms);
	if (n < 4 || memcmp(p, "MSW1", 4) != 0)
		return err_set(e, "trial result: not a maasim result message (bad magic)");
	r.at = 4;
	o->trial = (long)get_u(&r, 4);
	o->ok = (int)get_u(&r, 1);
	if (o->ok > 2)
		r.bad = 1;
	o->events = get_u(&r, 8);
	o->wall_s = get_f64(&r);
	get_str(&r, o->key, sizeof o->key);
	get_str(&r, o->started_at, sizeof o->started_at);
	get_str(&r, o->message, sizeof o->message);
	cnt = (size_t)get_u(&r, 4);
	/* every metric takes at least 12 bytes: a count beyond that is malformed, not a big alloc */
	if (!r.bad && cnt > (n - r.at) / 12)
		r.bad = 1;
	for (size_t i = 0; i < cnt && !r.bad; i++) {
		struct metric *m;
		xgrow((void **)&ms->m, &ms->cap, ms->n + 1, sizeof *ms->m);
		m = &ms->m[ms->n++];
		get_str(&r, m->name, sizeof m->name);
		get_str(&r, m->unit, sizeof m->unit);
		m->value = get_f64(&r);
	}
	cnt = r.bad ? 0 : (size_t)get_u(&r, 4);
	if (!r.bad && cnt > (n - r.at) / 2)
		r.bad = 1;
	for (size_t i = 0; i < cnt && !r.bad; i++) {
		xgrow((void **)&ms->series_names, &ms->cap_names, ms->n_names + 1,
		      sizeof *ms->series_names);
		get_str(&r, ms->series_names[ms->n_names], sizeof ms->series_names[0]);
		ms->n_names++;
	}
	cnt = r.bad ? 0 : (size_t)get_u(&r, 4);
	if (!r.bad && cnt > (n - r.at) / 20)
		r.bad = 1;
	if (!r.bad && cnt) {
		xgrow((void **)&ms->pts, &ms->cap_pts, cnt, sizeof *ms->pts);
		for (size_t i = 0; i < cnt && !r.bad; i++) {
			struct series_point *sp = &ms->pts[i];
			sp->t_s = get_f64(&r);
			sp->value = get_f64(&r);
			sp->name_id = (unsigned)get_u(&r, 4);
			if (sp->name_id >= ms->n_names)
				r.bad = 1;
		}
		ms->n_pts = r.bad ? 0 : cnt;
	}
	if (!r.bad && r.at != n)
		r.bad = 1;
	if (r.bad) {
		metrics_reset(ms);
		return err_set(e, "trial result: malformed message of %zu bytes (truncated or corrupt at byte %zu)", n, r.at);
	}
	return 0;
}
