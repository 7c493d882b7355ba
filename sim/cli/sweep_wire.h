/* sweep_wire.h — one trial's result as bytes: how workers (fork or MPI) hand results back.
 *
 * A worker runs a trial and sends one message; the one writer (the parent process or MPI rank 0)
 * decodes it and stores it. The format is compact and portable across machines of one cluster:
 *   "MSW1"  u32 trial  u8 ok  u64 events  f64 wall_s  str key  str started_at  str message
 *   u32 n_metrics  { str name  str unit  f64 value }
 *   u32 n_series_names  { str name }
 *   u32 n_points  { f64 t_s  f64 value  u32 name_id }
 * Integers are little-endian; f64 is the IEEE-754 bit pattern as a little-endian u64, so values
 * round-trip exactly (a -j 1 run and an MPI run store identical rows); str is u16 length + bytes.
 * Decoding checks every length against the buffer: a truncated or foreign message is an error,
 * never a read past the end.
 */
#ifndef MAASIM_SWEEP_WIRE_H
#define MAASIM_SWEEP_WIRE_H

#include <stddef.h>

#include "engine/err.h"
#include "engine/metrics.h"

struct sweep_outcome {
	long trial;                /* index into the sweep's trial list */
	int ok;                    /* 1: books closed; 0: failed; 2: not run (message says why) */
	unsigned long long events; /* simulation events */
	double wall_s;             /* wall time of the run on its worker */
	char key[64];              /* trial key as the worker computed it (cross-checked) */
	char started_at[32];       /* ISO 8601 UTC */
	char message[ERR_MSG_MAX]; /* why it failed, "" when ok */
};

/* A growable byte buffer; zero-initialise, release with sweep_buf_fini. */
struct sweep_buf {
	unsigned char *p;
	size_t n, cap;
};
void sweep_buf_fini(struct sweep_buf *b);

/* Encodes o and ms (metrics and series) into b, replacing its contents. */
void sweep_wire_encode(const struct sweep_outcome *o, const struct metrics *ms, struct sweep_buf *b);

/* Decodes n bytes at p into o and ms (ms is reset first; initialised by the caller). Returns 0,
 * or -1 with e when the message is malformed. */
int sweep_wire_decode(const void *p, size_t n, struct sweep_outcome *o, struct metrics *ms,
		      struct err *e);

#endif
