/* test_csv_out.c - plugins/common/csv_out.c, the buffered CSV writer of
 * the csv and changes formatters, against a plain reference of the same
 * rules (RFC 4180 quoting; with excel, CRLF and formula-like cells made
 * inert), over cells with every special character, cells around and far
 * beyond the writer's 64 KB buffer, and an artifact that refuses. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "../../plugins/common/csv_out.h"
#include "tap.h"
#include "text_sink.h"

static rp_status append(rp_artifact *a, const void *data, size_t len)
{
	return text_write((text *)a, data, len);
}

/* The rules, written the obvious way. */
static void reference_cell(text *t, const char *s, int first, int excel)
{
	int inert = excel && strchr("=+-@\t\r", s[0]) && s[0];
	int quote = inert || strpbrk(s, ",\"\r\n");

	if (!first)
		text_add(t, ",", 1);
	if (quote)
		text_add(t, "\"", 1);
	if (inert)
		text_add(t, "'", 1);
	for (; *s; s++)
		if (*s == '"')
			text_add(t, "\"\"", 2);
		else
			text_add(t, s, 1);
	if (quote)
		text_add(t, "\"", 1);
}

static unsigned long seed = 12345;

static unsigned rnd(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(seed >> 33) % n;
}

static char *random_cell(size_t len)
{
	static const char alphabet[] = "ab,\"\r\n=+-@\t xyz'\xe3\x81\x82";
	char *s = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[rnd(sizeof(alphabet) - 1)];
	s[len] = '\0';
	return s;
}

/* Writes rows x cols cells of the given lengths (0: random up to 40)
 * both ways; 1 if the bytes are the same. */
static int same(int excel, size_t rows, size_t cols, size_t len)
{
	rp_host host = {.artifact_append = append};
	text got = {0}, want = {0};
	csv_out *w = malloc(sizeof(*w));
	int eq;

	csv_out_init(w, &host, (rp_artifact *)&got, excel);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			char *s = random_cell(len ? len : rnd(41));

			csv_out_cell(w, s, c == 0);
			reference_cell(&want, s, c == 0, excel);
			free(s);
		}
		csv_out_eol(w);
		text_add(&want, excel ? "\r\n" : "\n", excel ? 2 : 1);
	}
	eq = csv_out_finish(w) == RP_OK && got.len == want.len &&
	     (!got.len || memcmp(got.p, want.p, got.len) == 0);
	free(got.p);
	free(want.p);
	free(w);
	return eq;
}

int main(void)
{
	rp_host host = {.artifact_append = append};
	csv_out *w = malloc(sizeof(*w));
	text t = {0};

	csv_out_init(w, &host, (rp_artifact *)&t, 0);
	csv_out_cell(w, "plain", 1);
	csv_out_cell(w, "a,b", 0);
	csv_out_cell(w, "say \"hi\"", 0);
	csv_out_cell(w, "", 0);
	csv_out_cell(w, "line\nbreak", 0);
	csv_out_cell(w, "=1+1", 0);
	csv_out_eol(w);
	ok(csv_out_finish(w) == RP_OK, "a row is written");
	is_str(t.p, "plain,\"a,b\",\"say \"\"hi\"\"\",,\"line\nbreak\",=1+1\n",
	       "quoted only where RFC 4180 needs it");
	is_int((long long)t.calls, 1, "  in one append to the artifact");
	free(t.p);
	memset(&t, 0, sizeof(t));

	csv_out_init(w, &host, (rp_artifact *)&t, 1);
	csv_out_cell(w, "=HYPERLINK(\"x\")", 1);
	csv_out_cell(w, "-5", 0);
	csv_out_cell(w, "@user", 0);
	csv_out_cell(w, "a-b", 0);
	csv_out_eol(w);
	ok(csv_out_finish(w) == RP_OK, "excel: a row is written");
	is_str(t.p, "\"'=HYPERLINK(\"\"x\"\")\",\"'-5\",\"'@user\",a-b\r\n",
	       "excel: formula-like cells are made inert, CRLF ends the line");
	free(t.p);

	ok(same(0, 5000, 22, 0), "5,000 rows of random cells: the reference's bytes");
	ok(same(1, 5000, 22, 0), "  and with excel");
	for (size_t len = 32760; len <= 32780; len += 5)
		ok(same(0, 6, 3, len), "cells of %zu bytes (doubled, about the buffer's half)", len);
	ok(same(0, 3, 2, 65533), "cells of 65,533 bytes, about the whole buffer");
	ok(same(1, 2, 3, 200000), "cells of 200,000 bytes, written in pieces (excel)");

	for (size_t fail = 1; fail <= 3; fail++) {
		text f = {.fail_at = fail};
		size_t calls;

		csv_out_init(w, &host, (rp_artifact *)&f, 0);
		for (size_t i = 0; i < 30000; i++) {
			csv_out_cell(w, "a,\"cell\"", i % 10 == 0);
			if (i % 10 == 9)
				csv_out_eol(w);
		}
		calls = f.calls;
		ok(csv_out_finish(w) == RP_ERR_IO && f.calls == calls && calls == fail,
		   "the artifact refuses call %zu: the error is returned and nothing more is appended",
		   fail);
		free(f.p);
	}
	free(w);
	return done_testing();
}
