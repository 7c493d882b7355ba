/* xalloc.h — allocation that never returns NULL.
 *
 * Out of memory is not an input error the caller can mend, so xmalloc and friends print
 * "maasim: out of memory" and abort (HOUSE_STYLE.md). Test builds (-DMAASIM_FAULT) can make
 * the Nth allocation fail, from the environment variable MAASIM_FAIL_ALLOC=N, so the suite
 * can check that such a failure ends in that clean message and never in a crash.
 */
#ifndef MAASIM_XALLOC_H
#define MAASIM_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Grows *p (an array of elem-size items with capacity *cap) to hold at least need items,
 * doubling; the new tail is not initialised. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

#endif
