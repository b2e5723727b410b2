/* text_sink.h - where the unit tests of the writers (json_writer,
 * csv_out) collect what they write: a growing NUL-terminated text that
 * can be made to refuse its writes from the fail_at-th on. */
#ifndef RP_TEXT_SINK_H
#define RP_TEXT_SINK_H

#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

typedef struct text {
	char *p;
	size_t len, cap;
	size_t calls;   /* text_write calls so far */
	size_t fail_at; /* refuse this write (1-based) and every later one; 0: never */
} text;

static inline void text_add(text *t, const void *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, p, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static inline rp_status text_write(text *t, const void *p, size_t n)
{
	t->calls++;
	if (t->fail_at && t->calls >= t->fail_at)
		return RP_ERR_IO;
	text_add(t, p, n);
	return RP_OK;
}

#endif
