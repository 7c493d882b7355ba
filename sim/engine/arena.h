/* arena.h — a per-run bump allocator: everything built from a scenario for one run lives in
 * one arena and is released at once by arena_fini. Blocks are 64 KiB or the request's size;
 * allocations are 16-byte aligned and zeroed. */
#ifndef MAASIM_ARENA_H
#define MAASIM_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_total;
};

void arena_init(struct arena *a);
void arena_fini(struct arena *a);
/* Zeroed memory of n bytes, valid until arena_fini. Never NULL (aborts on exhaustion). */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
