/* sbuf.h — a growable string buffer for building reports, labels and CSV text.
 *
 * Always NUL-terminated (s.s is "" after sbuf_init); grows with xrealloc, so it never fails
 * (out of memory aborts, as everywhere in maasim). The caller owns s.s: free it with sbuf_fini,
 * or take it and free it later.
 */
#ifndef MAASIM_SBUF_H
#define MAASIM_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;
	size_t len, cap;
};

void sbuf_init(struct sbuf *b);
void sbuf_fini(struct sbuf *b);
/* Appends n bytes of p. */
void sbuf_addn(struct sbuf *b, const char *p, size_t n);
void sbuf_add(struct sbuf *b, const char *p);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
