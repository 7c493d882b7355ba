/* xalloc.c — allocation wrappers that end the process cleanly on exhaustion (see xalloc.h). */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef MAASIM_FAULT
/* Allocation-failure injection for test builds only: the count is process-wide state, which
 * the house style forbids in the engine proper; it exists solely under MAASIM_FAULT. */
static long fault_countdown = -2; /* -2: not read yet, -1: off, -3: counting */
static unsigned long fault_count;

static void fault_report(void)
{
	fprintf(stderr, "maasim: fault: %lu allocations\n", fault_count);
}

static int fault_now(void)
{
	if (fault_countdown == -2) {
		const char *s = getenv("MAASIM_FAIL_ALLOC");
		if (s && strcmp(s, "count") == 0) {
			fault_countdown = -3;
			atexit(fault_report);
		} else {
			fault_countdown = (s && *s) ? strtol(s, NULL, 10) : -1;
			if (fault_countdown <= 0)
				fault_countdown = -1;
		}
	}
	fault_count++;
	if (fault_countdown < 0)
		return 0;
	return --fault_countdown == 0;
}
#else
static int fault_now(void) { return 0; }
#endif

int xalloc_fail_now(void)
{
	return fault_now();
}

_Noreturn void xalloc_oom(size_t n)
{
	fprintf(stderr, "maasim: out of memory (allocating %zu bytes)\n", n);
	fflush(stderr);
	_exit(XALLOC_EXIT_OOM);
}

void *xmalloc(size_t n)
{
	void *p = fault_now() ? NULL : malloc(n ? n : 1);
	if (!p)
		xalloc_oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = fault_now() ? NULL : calloc(count ? count : 1, size ? size : 1);
	if (!p)
		xalloc_oom(count * size);
	return p;
}

void *xrealloc(void *old, size_t n)
{
	void *p = fault_now() ? NULL : realloc(old, n ? n : 1);
	if (!p)
		xalloc_oom(n);
	return p;
}

void *xcalloc_aligned(size_t bytes, size_t align)
{
	void *p = NULL;
	if (fault_now() || posix_memalign(&p, align, bytes ? bytes : 1) != 0)
		xalloc_oom(bytes);
	return memset(p, 0, bytes ? bytes : 1);
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
