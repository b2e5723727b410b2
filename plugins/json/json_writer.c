/* json_writer.c - JSON written as it is produced, byte for byte what
 * json_dumps(JSON_INDENT(2)) would give for the same tree, so that a large
 * document needs neither a tree of values nor one string holding all of
 * it.  The layout (indentation, separators, empty containers) is written
 * here; the escaping of every string that needs any is left to jansson. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <string.h>

#include "json_writer.h"

void jw_init(jw *w, jw_sink sink, void *ctx)
{
	memset(w, 0, offsetof(jw, buf));
	w->sink = sink;
	w->ctx = ctx;
}

static void flush(jw *w)
{
	if (!w->st && w->len) {
		w->st = w->sink(w->ctx, w->buf, w->len);
		if (w->st)
			w->why = "the document could not be stored";
	}
	w->len = 0;
}

static void put_slow(jw *w, const char *s, size_t n)
{
	while (n && !w->st) {
		size_t room = sizeof(w->buf) - w->len, k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			flush(w);
	}
}

static inline void put(jw *w, const char *s, size_t n)
{
	if (n < sizeof(w->buf) - w->len) {   /* the usual case: it fits */
		memcpy(w->buf + w->len, s, n);
		w->len += n;
		return;
	}
	put_slow(w, s, n);
}

/* Where the next n bytes go, flushing first when they do not fit; NULL
 * after an error or when n is more than the buffer holds (then put
 * them piece by piece).  The caller advances w->len. */
static inline char *reserve(jw *w, size_t n)
{
	if (n > sizeof(w->buf) - w->len) {
		flush(w);
		if (w->st || n > sizeof(w->buf))
			return NULL;
	}
	return w->buf + w->len;
}

static void fail(jw *w, rp_status st, const char *why)
{
	if (!w->st) {
		w->st = st;
		w->why = why;
	}
}

/* A newline and the indentation of level depth, as jansson's dump_indent;
 * JW_MAX_DEPTH levels of two spaces fit in the one string. */
static const char indent_line[] = ",\n                                "
				  "                                ";
_Static_assert(sizeof(indent_line) - 2 >= 1 + JW_MAX_DEPTH * 2,
	       "indent line too short");

static void indent(jw *w, int depth)
{
	put(w, indent_line + 1, 1 + (size_t)depth * 2);
}

/* What comes before a member of the container being written: nothing
 * after a key, else a newline (after "," from the second member on), in
 * one copy. */
static void member(jw *w)
{
	int comma;

	if (w->depth == 0 || w->after_key) {
		w->after_key = 0;
		return;
	}
	comma = w->nonempty[w->depth];
	w->nonempty[w->depth] = 1;
	put(w, indent_line + !comma, (size_t)comma + 1 + (size_t)w->depth * 2);
}

/* The start of any value: after a key, in an array, or alone. */
static int value_start(jw *w)
{
	if (w->st)
		return 0;
	if (w->depth > 0 && w->kind[w->depth] == 'o' && !w->after_key) {
		fail(w, RP_ERR_INTERNAL, "an object member without a key");
		return 0;
	}
	member(w);
	return 1;
}

static void begin(jw *w, char kind, const char *open)
{
	if (w->depth == JW_MAX_DEPTH) {
		fail(w, RP_ERR_INTERNAL, "the document is nested too deeply");
		return;
	}
	if (!value_start(w))
		return;
	put(w, open, 1);
	w->depth++;
	w->kind[w->depth] = (unsigned char)kind;
	w->nonempty[w->depth] = 0;
}

static void end(jw *w, char kind, const char *close)
{
	if (w->st)
		return;
	if (w->depth == 0 || w->kind[w->depth] != kind || w->after_key) {
		fail(w, RP_ERR_INTERNAL, "the document's containers do not nest");
		return;
	}
	if (w->nonempty[w->depth])
		indent(w, w->depth - 1);
	put(w, close, 1);
	w->depth--;
}

void jw_begin_object(jw *w)
{
	begin(w, 'o', "{");
}

void jw_end_object(jw *w)
{
	end(w, 'o', "}");
}

void jw_begin_array(jw *w)
{
	begin(w, 'a', "[");
}

void jw_end_array(jw *w)
{
	end(w, 'a', "]");
}

static int dump_to_writer(const char *p, size_t n, void *data)
{
	jw *w = data;

	put(w, p, n);
	return w->st ? -1 : 0;
}

/* A string as jansson writes it with the document's flags (no
 * JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH).  Printable ASCII other than
 * '"' and '\\' is written as it is by jansson too, so only strings
 * holding anything else are handed to it. */
static void plain(jw *w, const char *s, size_t n)
{
	char *d = reserve(w, n + 2);

	if (!d) {
		put(w, "\"", 1);
		put(w, s, n);
		put(w, "\"", 1);
		return;
	}
	*d = '"';
	memcpy(d + 1, s, n);
	d[n + 1] = '"';
	w->len += n + 2;
}

static void string(jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	json_t *v;

	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	if (!*p) {
		plain(w, s, (size_t)(p - (const unsigned char *)s));
		return;
	}
	v = json_string(s);
	if (!v) {
		fail(w, RP_ERR_PARSE, "a text value is not valid UTF-8 (or memory ran out)");
		return;
	}
	if (json_dump_callback(v, dump_to_writer, w, JSON_ENCODE_ANY))
		fail(w, RP_ERR_NOMEM, "out of memory escaping a text value");
	json_decref(v);
}

static int key_start(jw *w)
{
	if (w->st)
		return 0;
	if (w->depth == 0 || w->kind[w->depth] != 'o' || w->after_key) {
		fail(w, RP_ERR_INTERNAL, "a key outside an object");
		return 0;
	}
	return 1;
}

void jw_key(jw *w, const char *key)
{
	if (!key_start(w))
		return;
	member(w);
	string(w, key);
	put(w, ": ", 2);
	w->after_key = 1;
}

/* The separator, the indentation and "key": in one copy: most of a
 * document's bytes around its values are these (issue #7). */
void jw_key_plain(jw *w, const char *key, size_t n)
{
	int comma;
	size_t lead;
	char *d;

	if (!key_start(w))
		return;
	comma = w->nonempty[w->depth];
	lead = (size_t)comma + 1 + (size_t)w->depth * 2;
	d = reserve(w, lead + n + 4);
	if (!d) {
		jw_key(w, key);
		return;
	}
	w->nonempty[w->depth] = 1;
	memcpy(d, indent_line + !comma, lead);
	d += lead;
	*d++ = '"';
	memcpy(d, key, n);
	memcpy(d + n, "\": ", 3);
	w->len += lead + n + 4;
	w->after_key = 1;
}

void jw_string(jw *w, const char *s)
{
	if (value_start(w))
		string(w, s);
}

void jw_string_plain(jw *w, const char *s, size_t n)
{
	if (value_start(w))
		plain(w, s, n);
}

void jw_integer(jw *w, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	/* The magnitude as unsigned: -LLONG_MIN does not fit a long long. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;

	if (!value_start(w))
		return;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void jw_bool(jw *w, int on)
{
	if (value_start(w))
		put(w, on ? "true" : "false", on ? 4 : 5);
}

void jw_null(jw *w)
{
	if (value_start(w))
		put(w, "null", 4);
}

rp_status jw_finish(jw *w)
{
	if (!w->st && w->depth != 0)
		fail(w, RP_ERR_INTERNAL, "the document ends inside a container");
	flush(w);
	return w->st;
}
