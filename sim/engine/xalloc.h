/* xalloc.h — allocation that never returns NULL.
 *
 * Out of memory is not an input error the caller can mend, so xmalloc and friends print
 * "maasim: out of memory (allocating N bytes)" and end the process with exit code
 * XALLOC_EXIT_OOM (3) through _exit: no signal, no core, no sanitizer report. This is the one
 * place library code ends the process, and deliberately so: a simulator that cannot allocate
 * cannot go on, and unwinding every allocation site would add error paths that are never run.
 * Ending at once is also what makes it safe: the memory goes back to the system with the
 * process (so an out-of-memory exit leaks nothing), and a results-database transaction that was
 * open is rolled back by SQLite's journal exactly as after a kill, so committed runs stay.
 *
 * Fault injection (test builds only, -DMAASIM_FAULT: make DEBUG=1 and make SAN=1): the
 * environment variable MAASIM_FAIL_ALLOC=N makes the Nth allocation fail, counting every
 * x*alloc call and every allocation routed through xalloc_fail_now (cJSON through hooks set by
 * the command line, SQLite through store.c), so the suite can sweep N over a run and check each
 * failure ends cleanly. MAASIM_FAIL_ALLOC=count prints "maasim: fault: N allocations" at exit.
 */
#ifndef MAASIM_XALLOC_H
#define MAASIM_XALLOC_H

#include <stddef.h>

#define XALLOC_EXIT_OOM 3 /* exit code of the process after an allocation failed */

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Zeroed room for bytes at an address that is a multiple of align (a power of two, at least
 * sizeof(void *): a cache line, a pair of them), released with free(). For arrays laid out by
 * cache line. */
void *xcalloc_aligned(size_t bytes, size_t align);

/* Grows *p (an array of elem-size items with capacity *cap) to hold at least need items,
 * doubling; the new tail is not initialised. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

/* 1 when the fault injector says the allocation being made now must fail (test builds with
 * MAASIM_FAIL_ALLOC set); always 0 otherwise. For allocators outside xalloc (SQLite) that handle
 * a failed allocation themselves. */
int xalloc_fail_now(void);

/* Reports that an allocation of n bytes failed elsewhere (GSL, cJSON) and ends the process
 * as xmalloc does. */
_Noreturn void xalloc_oom(size_t n);

#endif
