/* xalloc.c — allocation wrappers that abort on exhaustion (see xalloc.h). */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MAASIM_FAULT
/* Allocation-failure injection for test builds only: the count is process-wide state, which
 * the house style forbids in the engine proper; it exists solely under MAASIM_FAULT. */
static long fault_countdown = -2; /* -2: not read yet, -1: off */

static int fault_now(void)
{
	if (fault_countdown == -2) {
		const char *s = getenv("MAASIM_FAIL_ALLOC");
		fault_countdown = (s && *s) ? strtol(s, NULL, 10) : -1;
		if (fault_countdown == 0)
			fault_countdown = -1;
	}
	if (fault_countdown < 0)
		return 0;
	return --fault_countdown == 0;
}
#else
static int fault_now(void) { return 0; }
#endif

static void *oom(size_t n)
{
	fprintf(stderr, "maasim: out of memory (allocating %zu bytes)\n", n);
	fflush(stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = fault_now() ? NULL : malloc(n ? n : 1);
	return p ? p : oom(n);
}

void *xcalloc(size_t count, size_t size)
{
	void *p = fault_now() ? NULL : calloc(count ? count : 1, size ? size : 1);
	return p ? p : oom(count * size);
}

void *xrealloc(void *old, size_t n)
{
	void *p = fault_now() ? NULL : realloc(old, n ? n : 1);
	return p ? p : oom(n);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	*p = xrealloc(*p, c * elem);
	*cap = c;
}
