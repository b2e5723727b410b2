/* test_json_writer.c - plugins/json/json_writer.c against jansson: trees
 * of every kind of value, with every ASCII character, multi-byte UTF-8,
 * U+2028/U+2029 and the integer limits, written once through json_dumps
 * (JSON_INDENT(2) | JSON_PRESERVE_ORDER, the json formatter's former call)
 * and once through the writer, must give the same bytes. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/json/json_writer.h"
#include "tap.h"
#include "text_sink.h"

static rp_status to_text(void *ctx, const char *p, size_t n)
{
	return text_write(ctx, p, n);
}

/* Nonzero: keys and strings that need no escaping go through
 * jw_key_plain and jw_string_plain, as the json formatter's do. */
static int use_plain;

static int is_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* The tree through the writer, in jansson's (insertion) order. */
static void walk(jw *w, json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_begin_object(w);
		json_object_foreach(v, key, m) {
			if (use_plain && is_plain(key))
				jw_key_plain(w, key, strlen(key));
			else
				jw_key(w, key);
			walk(w, m);
		}
		jw_end_object(w);
		break;
	case JSON_ARRAY:
		jw_begin_array(w);
		json_array_foreach(v, i, m)
			walk(w, m);
		jw_end_array(w);
		break;
	case JSON_STRING:
		if (use_plain && is_plain(json_string_value(v)))
			jw_string_plain(w, json_string_value(v),
					json_string_length(v));
		else
			jw_string(w, json_string_value(v));
		break;
	case JSON_INTEGER:
		jw_integer(w, json_integer_value(v));
		break;
	case JSON_TRUE:
		jw_bool(w, 1);
		break;
	case JSON_FALSE:
		jw_bool(w, 0);
		break;
	default:
		jw_null(w);
		break;
	}
}

/* Both writings of v; 1 when they are the same bytes. */
static int same(json_t *v, const char *what)
{
	char *want = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	text got = {0};
	jw *w = malloc(sizeof(*w));
	rp_status st;
	int eq;

	jw_init(w, to_text, &got);
	walk(w, v);
	st = jw_finish(w);
	eq = !st && want && got.p && strcmp(got.p, want) == 0;
	ok(eq, "%s: the writer gives json_dumps's bytes", what);
	if (!eq) {
		size_t i = 0;

		while (want && got.p && want[i] && want[i] == got.p[i])
			i++;
		diag("status %d; first difference at byte %zu of %zu/%zu", st, i,
		     want ? strlen(want) : 0, got.len);
	}
	free(w);
	free(got.p);
	free(want);
	return eq;
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Valid UTF-8 of up to 24 characters, any code point likely to need care. */
static json_t *random_string(void)
{
	static const char *const pieces[] = {
		"\"", "\\", "/", "\x7f", "\xc2\x80", "\xc2\xa0", "\xc3\xa9",
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xef\xbf\xbf",
		"\xe7\x9b\xa3", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "<", "&",
	};
	char buf[24 * 4 + 1];
	size_t n = 0, len = next() % 25;

	for (size_t i = 0; i < len; i++) {
		unsigned r = (unsigned)(next() % 3);

		if (r == 0) {
			buf[n++] = (char)(1 + next() % 0x7f);  /* any ASCII but NUL */
		} else if (r == 1) {
			const char *p = pieces[next() % (sizeof(pieces) / sizeof(*pieces))];

			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		} else {
			buf[n++] = (char)('a' + next() % 26);
		}
	}
	buf[n] = '\0';
	return json_string(buf);
}

static json_t *random_value(int depth)
{
	static const long long ints[] = {0, 1, -1, 42, LLONG_MAX, LLONG_MIN, 1000000007};
	unsigned kind = (unsigned)(next() % (depth >= 5 ? 6 : 8));
	json_t *v;

	switch (kind) {
	case 0: return json_null();
	case 1: return json_boolean(next() & 1);
	case 2: return json_integer(ints[next() % 7]);
	case 3: return json_integer((json_int_t)(next() % 2000000) - 1000000);
	case 4: case 5: return random_string();
	case 6:
		v = json_array();
		for (unsigned i = 0, n = (unsigned)(next() % 6); i < n; i++)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (unsigned i = 0, n = (unsigned)(next() % 6); i < n; i++) {
			json_t *k = random_string();

			json_object_set_new(v, json_string_value(k), random_value(depth + 1));
			json_decref(k);
		}
		return v;
	}
}

int main(void)
{
	char ascii[128];
	json_t *v;
	jw *w = malloc(sizeof(*w));
	text t = {0};

	plan(28);

	/* Every ASCII character but NUL, as a value and as a key. */
	for (int c = 1; c < 128; c++)
		ascii[c - 1] = (char)c;
	ascii[127] = '\0';
	v = json_pack("{s:s, s:[s, s, s]}", ascii, ascii, "k", "\xe2\x80\xa8\xe2\x80\xa9",
		      "a/b\\c\"d", "");
	same(v, "every ASCII character, U+2028, U+2029");
	json_decref(v);

	v = json_pack("{s:{}, s:[], s:[{}, []], s:{s:[[]]}}", "o", "a", "both", "deep", "x");
	same(v, "empty objects and arrays, nested");
	json_decref(v);

	v = json_pack("[I, I, I, b, b, n]", (json_int_t)LLONG_MAX, (json_int_t)LLONG_MIN,
		      (json_int_t)0, 1, 0);
	same(v, "integer limits, booleans, null");
	json_decref(v);

	v = json_string("alone \x01");
	same(v, "a string alone");
	json_decref(v);

	for (int i = 0; i < 10; i++) {
		char what[64];

		v = json_object();
		for (int k = 0; k < 8; k++) {
			char key[16];

			snprintf(key, sizeof(key), "k%d", k);
			json_object_set_new(v, key, random_value(1));
		}
		snprintf(what, sizeof(what), "random tree %d", i);
		same(v, what);
		json_decref(v);
	}

	/* Large enough to cross the writer's buffer many times. */
	v = json_array();
	for (int i = 0; i < 20000; i++)
		json_array_append_new(v, random_value(1));
	same(v, "20,000 random values in one array (over 1 MB, many times the buffer)");
	json_decref(v);

	/* The same with the plain paths for what needs no escaping: every
	 * random tree again, and keys and strings across the buffer. */
	use_plain = 1;
	rng = 88172645463325252ULL;
	for (int i = 0; i < 10; i++) {
		char what[64];

		v = json_object();
		for (int k = 0; k < 8; k++) {
			char key[16];

			snprintf(key, sizeof(key), "k%d", k);
			json_object_set_new(v, key, random_value(1));
		}
		snprintf(what, sizeof(what), "plain paths: random tree %d", i);
		same(v, what);
		json_decref(v);
	}
	v = json_array();
	for (int i = 0; i < 20000; i++) {
		json_t *o = json_object();
		char key[40], val[40];

		snprintf(key, sizeof(key), "key_%d_%.*s", i, i % 17, "abcdefghijklmnopq");
		snprintf(val, sizeof(val), "2026-11-%02dT06:00:%02dZ", 1 + i % 30, i % 60);
		json_object_set_new(o, key, json_string(val));
		json_object_set_new(o, "n", json_integer(i * 7919LL - 50000000LL));
		json_array_append_new(v, o);
	}
	same(v, "plain paths: 20,000 objects (keys and strings across the buffer)");
	json_decref(v);
	v = json_pack("[I, I, I, I, I]", (json_int_t)LLONG_MAX, (json_int_t)LLONG_MIN,
		      (json_int_t)0, (json_int_t)-1, (json_int_t)1000000000000LL);
	same(v, "plain paths: integer limits");
	json_decref(v);
	use_plain = 0;

	/* Invalid UTF-8 fails the document, as json_string refuses it. */
	jw_init(w, to_text, &t);
	jw_begin_array(w);
	jw_string(w, "bad \xc3(");
	jw_end_array(w);
	is_int(jw_finish(w), RP_ERR_PARSE, "invalid UTF-8 fails the document");
	free(w);
	free(t.p);
	return done_testing();
}
