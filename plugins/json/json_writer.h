/* json_writer.h - a JSON document written value by value into a sink, with
 * the bytes jansson's json_dumps(JSON_INDENT(2)) gives for the same tree:
 * members in the order written, two spaces per level, ": " after a key,
 * "{}" and "[]" for empty containers, strings escaped by jansson itself.
 * tests/unit/test_json_writer.c holds the two side by side. */
#ifndef RP_JSON_WRITER_H
#define RP_JSON_WRITER_H

#include <stddef.h>

#include <reportpipe/plugin.h>

#define JW_MAX_DEPTH 32

/* Takes the next n bytes of the document. */
typedef rp_status (*jw_sink)(void *ctx, const char *p, size_t n);

/* Errors are sticky: after the first, every call does nothing and
 * jw_finish returns it, with a sentence in why. */
typedef struct jw {
	jw_sink sink;
	void *ctx;
	rp_status st;
	const char *why;
	int depth;
	int after_key;               /* the next value is a member's value */
	unsigned char kind[JW_MAX_DEPTH + 1];     /* 'o' or 'a' per level */
	unsigned char nonempty[JW_MAX_DEPTH + 1]; /* a member was written */
	size_t len;
	char buf[65536];
} jw;

void jw_init(jw *w, jw_sink sink, void *ctx);
void jw_begin_object(jw *w);
void jw_end_object(jw *w);
void jw_begin_array(jw *w);
void jw_end_array(jw *w);
/* The key of the next member of the object being written. */
void jw_key(jw *w, const char *key);
/* The same for a key of n bytes known to need no escaping: printable
 * ASCII (0x20 to 0x7e) without '"' and '\\'.  JW_KEY takes a literal. */
void jw_key_plain(jw *w, const char *key, size_t n);
#define JW_KEY(w, lit) jw_key_plain((w), "" lit "", sizeof(lit) - 1)
/* s must be valid UTF-8 (jansson's rule); otherwise the document fails. */
void jw_string(jw *w, const char *s);
/* n bytes of text that need no escaping (as jw_key_plain's keys). */
void jw_string_plain(jw *w, const char *s, size_t n);
void jw_integer(jw *w, long long v);
void jw_bool(jw *w, int on);
void jw_null(jw *w);
/* Writes out what is buffered; the document's status. */
rp_status jw_finish(jw *w);

#endif
