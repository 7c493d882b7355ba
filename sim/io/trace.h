/* trace.h — readers of request-arrival traces into struct trace_data (workload.h).
 *
 * Formats, detected from the content:
 *  - Azure LLM inference 2023 CSV: header TIMESTAMP,ContextTokens,GeneratedTokens, wall-clock
 *    timestamps "YYYY-MM-DD HH:MM:SS.fffffff" (time zone unstated; only differences are used).
 *  - Mooncake JSONL: one object per line with timestamp (ms from start), input_length,
 *    output_length.
 *  - Plain CSV with a header: t_s (seconds, required), and optionally input_tokens,
 *    output_tokens, service_s.
 * Timestamps must be non-decreasing; token counts positive integers; service times > 0.
 * Every error names the file and line. Memory comes from the arena.
 */
#ifndef MAASIM_TRACE_H
#define MAASIM_TRACE_H

#include "dc/workload.h"
#include "engine/arena.h"
#include "engine/err.h"

#define TRACE_MAX_BYTES ((size_t)1 << 30) /* 1 GiB: larger files are refused, not half-read */

int trace_load(const char *path, struct arena *a, struct trace_data **out, struct err *e);



/* Parses "YYYY-MM-DD[ T]HH:MM[:SS[.fff...]][Z]" into seconds since 1970-01-01 (no time zone
 * applied). Returns -1 when the text is not such a date-time. */
int trace_parse_datetime(const char *s, double *epoch_s);
#endif
