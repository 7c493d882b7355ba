/* err.c — the error struct of err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->set = 0;
	e->msg[0] = '\0';
}

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->set = 1;
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* bounded so the result always fits: prefix and message share the buffer */
	snprintf(e->msg, sizeof e->msg, "%.300s: %.700s", head, old);
	e->set = 1;
	return -1;
}
