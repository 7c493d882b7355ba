/* test_sweep_wire.c — the trial-result message: exact round trip, every truncation rejected. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "tests/check.h"
#include "cli/sweep_wire.h"

static void fill(struct metrics *ms, struct sweep_outcome *o)
{
	metrics_init(ms);
	metrics_set(ms, "latency_mean_s", 1.0 / 3.0, "s");
	metrics_set(ms, "energy_it_kwh", DBL_MIN, "kWh");
	metrics_set(ms, "class.jobs.requests_arrived", 123456789.0, "1");
	metrics_set(ms, "tiny_negative", -5e-300, "");
	metrics_sample(ms, 0.5, "power_it_w", 1234.5678901234567);
	metrics_sample(ms, 0.5, "queue_length", 3);
	metrics_sample(ms, 1.0, "power_it_w", 0.1);
	memset(o, 0, sizeof *o);
	o->trial = 4242;
	o->ok = 1;
	o->events = 9876543210ULL;
	o->wall_s = 0.125;
	snprintf(o->key, sizeof o->key, "%s", "0123456789abcdef.r3.deadbeef");
	snprintf(o->started_at, sizeof o->started_at, "%s", "2026-11-28T13:00:00Z");
}

static void round_trip_exact(void)
{
	struct metrics a, b;
	struct sweep_outcome o, p;
	struct sweep_buf buf = { 0 };
	struct err e;

	fill(&a, &o);
	snprintf(o.message, sizeof o.message, "%s", "books do not close");
	o.ok = 0;
	sweep_wire_encode(&o, &a, &buf);
	metrics_init(&b);
	err_clear(&e);
	CHECK_INT(sweep_wire_decode(buf.p, buf.n, &p, &b, &e), 0);
	CHECK_INT(p.trial, 4242);
	CHECK_INT(p.ok, 0);
	CHECK(p.events == 9876543210ULL);
	CHECK(p.wall_s == 0.125);
	CHECK_STR(p.key, o.key);
	CHECK_STR(p.started_at, o.started_at);
	CHECK_STR(p.message, "books do not close");
	CHECK_INT(b.n, a.n);
	for (size_t i = 0; i < a.n && i < b.n; i++) {
		CHECK_STR(b.m[i].name, a.m[i].name);
		CHECK_STR(b.m[i].unit, a.m[i].unit);
		CHECK(memcmp(&b.m[i].value, &a.m[i].value, sizeof(double)) == 0); /* bit for bit */
	}
	CHECK_INT(b.n_names, 2);
	CHECK_INT(b.n_pts, 3);
	for (size_t i = 0; i < a.n_pts && i < b.n_pts; i++) {
		CHECK(b.pts[i].t_s == a.pts[i].t_s);
		CHECK(memcmp(&b.pts[i].value, &a.pts[i].value, sizeof(double)) == 0);
		CHECK_STR(b.series_names[b.pts[i].name_id], a.series_names[a.pts[i].name_id]);
	}
	sweep_buf_fini(&buf);
	metrics_fini(&a);
	metrics_fini(&b);
}

/* The bytes themselves, not only a round trip: integers and doubles little-endian on any host
 * (an MPI sweep may mix machines), so a change to how they are written cannot go unnoticed. */
static void layout_is_little_endian(void)
{
	static const unsigned char head[] = { 'M', 'S', 'W', '1', 0x92, 0x10, 0, 0, /* trial 4242 */
					      1, /* ok */
					      0xea, 0x16, 0xb0, 0x4c, 0x02, 0, 0, 0, /* 9876543210 events */
					      0, 0, 0, 0, 0, 0, 0xc0, 0x3f }; /* wall_s 0.125 */
	static const unsigned char tail[] = { 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,			 /* t_s 1.0 */
					      0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f, /* 0.1 */
					      0, 0, 0, 0 }; /* name_id 0: power_it_w */
	struct metrics a;
	struct sweep_outcome o;
	struct sweep_buf buf = { 0 };

	fill(&a, &o);
	sweep_wire_encode(&o, &a, &buf);
	CHECK(buf.n > sizeof head + sizeof tail);
	CHECK(memcmp(buf.p, head, sizeof head) == 0);
	CHECK(memcmp(buf.p + buf.n - sizeof tail, tail, sizeof tail) == 0);
	/* the point count before the three points: 3 as a little-endian u32 */
	CHECK(memcmp(buf.p + buf.n - 3 * 20 - 4, "\3\0\0\0", 4) == 0);
	sweep_buf_fini(&buf);
	metrics_fini(&a);
}

static void truncation_and_corruption_rejected(void)
{
	struct metrics a, b;
	struct sweep_outcome o, p;
	struct sweep_buf buf = { 0 };
	struct err e;
	int accepted = 0;

	fill(&a, &o);
	sweep_wire_encode(&o, &a, &buf);
	metrics_init(&b);
	for (size_t n = 0; n < buf.n; n++) {
		err_clear(&e);
		if (sweep_wire_decode(buf.p, n, &p, &b, &e) == 0)
			accepted++;
	}
	CHECK_INT(accepted, 0);
	CHECK_HAS(e.msg, "malformed");
	/* one byte too many is also malformed */
	{
		unsigned char *big = malloc(buf.n + 1);
		memcpy(big, buf.p, buf.n);
		big[buf.n] = 0;
		err_clear(&e);
		CHECK_INT(sweep_wire_decode(big, buf.n + 1, &p, &b, &e), -1);
		free(big);
	}
	buf.p[0] = 'X';
	err_clear(&e);
	CHECK_INT(sweep_wire_decode(buf.p, buf.n, &p, &b, &e), -1);
	CHECK_HAS(e.msg, "bad magic");
	sweep_buf_fini(&buf);
	metrics_fini(&a);
	metrics_fini(&b);
}

/* Random byte flips never crash the decoder (run under the sanitizers by make test SAN=1). */
static void flipped_bytes_are_safe(void)
{
	struct metrics a, b;
	struct sweep_outcome o, p;
	struct sweep_buf buf = { 0 };
	unsigned long long st = 99;
	unsigned char *m;
	int ok = 0, bad_without_message = 0;

	fill(&a, &o);
	sweep_wire_encode(&o, &a, &buf);
	metrics_init(&b);
	m = malloc(buf.n);
	for (int it = 0; it < 5000; it++) {
		struct err e;
		memcpy(m, buf.p, buf.n);
		for (int k = 0; k < 1 + it % 4; k++) {
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			m[4 + (st >> 33) % (buf.n - 4)] ^= (unsigned char)(1u << ((st >> 20) % 8));
		}
		err_clear(&e);
		if (sweep_wire_decode(m, buf.n, &p, &b, &e) == 0)
			ok++;
		else if (!e.set)
			bad_without_message++;
	}
	CHECK_INT(bad_without_message, 0);
	CHECK(ok > 0); /* flips inside a value decode fine */
	free(m);
	sweep_buf_fini(&buf);
	metrics_fini(&a);
	metrics_fini(&b);
}

int main(void)
{
	RUN(round_trip_exact);
	RUN(layout_is_little_endian);
	RUN(truncation_and_corruption_rejected);
	RUN(flipped_bytes_are_safe);
	return CHECK_DONE();
}
