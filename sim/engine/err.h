/* err.h — the bad-input channel: an error struct naming where and what was expected.
 *
 * Two channels never mix (HOUSE_STYLE.md): broken invariants abort through sim_assert
 * (see check.h in the engine); bad input or environment returns -1 and fills a struct err.
 * The message is one line, written as "<where>: <what>", e.g.
 *   scenario.json: $.workload[1].arrival.rate_per_s: expected a number > 0, got "fast"
 * The first error wins: later err_set calls on a struct that already holds an error are
 * ignored, so a low-level reader's precise message is not overwritten by a caller's vaguer one.
 */
#ifndef MAASIM_ERR_H
#define MAASIM_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 1024

struct err {
	int set;               /* 0 until the first error */
	char msg[ERR_MSG_MAX]; /* "<file>[:<line>]: [<json path>: ]<what was expected>" */
};

/* Clears e. */
void err_clear(struct err *e);

/* Formats the message into e (printf-style) unless e already holds one; e may be NULL.
 * Always returns -1 so callers can write `return err_set(e, ...);`. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prepends "<prefix>: " to an error already set (used to add a file name to a message
 * produced by a reader that only knew the line). Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
