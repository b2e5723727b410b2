/* test_csv.c - unit tests for the CSV parser (core/csv.c).
 *
 * Usage: test_csv [sample-credential-report.csv]
 * Without the argument the check of the shipped sample report is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "tap.h"

/* Assertions made by each helper, for the plan. */
#define ACCEPT_TESTS 6
#define REJECT_TESTS 6
#define MISC_TESTS 19
#define BIG_TESTS 7
#define SAMPLE_TESTS 8
#define NUM_ACCEPTS 20
#define NUM_REJECTS 55

#define SAMPLE_ROWS 11

#define IAM_HEADER \
	"user,arn,user_creation_time,password_enabled,password_last_used," \
	"password_last_changed,password_next_rotation,mfa_active," \
	"access_key_1_active,access_key_1_last_rotated," \
	"access_key_1_last_used_date,access_key_1_last_used_region," \
	"access_key_1_last_used_service,access_key_2_active," \
	"access_key_2_last_rotated,access_key_2_last_used_date," \
	"access_key_2_last_used_region,access_key_2_last_used_service," \
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

static const char *const iam_columns[22] = {
	"user", "arn", "user_creation_time", "password_enabled",
	"password_last_used", "password_last_changed", "password_next_rotation",
	"mfa_active", "access_key_1_active", "access_key_1_last_rotated",
	"access_key_1_last_used_date", "access_key_1_last_used_region",
	"access_key_1_last_used_service", "access_key_2_active",
	"access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active",
	"cert_2_last_rotated",
};

static int accepts_run, rejects_run;

/* A copy of data behind one spare byte, as rp_csv_parse_inplace takes it. */
static char *inplace_copy(const char *data, size_t len)
{
	char *base = malloc(len + 1);

	if (!base)
		abort();
	if (len)
		memcpy(base + 1, data, len);
	return base;
}

/* The same input parsed in place gives the same table. */
static void inplace_accepts(const char *name, const char *data, size_t len,
			    size_t ncols, size_t nrows, const char *const *want,
			    size_t nwant)
{
	rp_csv_table t;
	rp_csv_error e;
	int same;

	memset(&e, 0, sizeof(e));
	same = rp_csv_parse_inplace(inplace_copy(data, len), len, &t, &e) == 0 &&
	       t.ncols == ncols && t.nrows == nrows;
	for (size_t i = 0; same && i < nwant; i++)
		same = strcmp(rp_csv_text(&t, i), want[i]) == 0 &&
		       rp_csv_len(&t, i) == strlen(want[i]);
	ok(same, "%s: in place, the same table", name);
	if (t.buf)
		rp_csv_table_free(&t);
}

/* Parses data and compares the shape and every cell (header first) with
 * want, which holds nwant = (nrows + 1) * ncols strings. */
static void accepts(const char *name, const char *data, size_t len,
		    size_t ncols, size_t nrows, const char *const *want,
		    size_t nwant)
{
	rp_csv_table t;
	rp_csv_error e;
	size_t i, bad_cell = (size_t)-1, bad_len = (size_t)-1;
	int rc;

	accepts_run++;
	if (nwant != (nrows + 1) * ncols) {
		/* A mistake in this file, not in the parser. */
		fprintf(stderr, "%s: %zu expected cells for %zu x %zu\n", name,
			nwant, nrows + 1, ncols);
		exit(99);
	}
	memset(&e, 0, sizeof(e));
	rc = rp_csv_parse(data, len, &t, &e);
	if (!is_int(rc, 0, "%s: parses", name))
		diag("  %zu:%zu: %s", e.line, e.column, e.message);
	is_int((long long)t.ncols, (long long)ncols, "%s: column count", name);
	is_int((long long)t.nrows, (long long)nrows, "%s: row count", name);
	if (rc == 0 && t.ncols == ncols && t.nrows == nrows) {
		for (i = 0; i < nwant; i++) {
			if (bad_cell == (size_t)-1 &&
			    strcmp(rp_csv_text(&t, i), want[i]) != 0)
				bad_cell = i;
			if (bad_len == (size_t)-1 &&
			    rp_csv_len(&t, i) != strlen(want[i]))
				bad_len = i;
		}
	}
	else
		bad_cell = bad_len = 0;
	if (!ok(bad_cell == (size_t)-1, "%s: cells", name) && rc == 0 &&
	    bad_cell < nwant && t.ncols == ncols && t.nrows == nrows)
		diag("  cell %zu is '%s', expected '%s'", bad_cell,
		     rp_csv_text(&t, bad_cell), want[bad_cell]);
	ok(bad_len == (size_t)-1, "%s: cell lengths", name);
	if (rc == 0)
		rp_csv_table_free(&t);
	inplace_accepts(name, data, len, ncols, nrows, want, nwant);
}

#define ACCEPTS(name, lit, ncols, nrows, ...) \
	accepts(name, lit, sizeof(lit) - 1, ncols, nrows, \
		(const char *const[]){__VA_ARGS__}, \
		sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

/* Parses data, expects it refused at line:column with exactly message, and
 * the table zeroed even though it held garbage before. */
static void rejects(const char *name, const char *data, size_t len,
		    size_t line, size_t column, const char *message)
{
	rp_csv_table t;
	rp_csv_error e;
	int rc;

	rejects_run++;
	memset(&t, 0x5a, sizeof(t));
	memset(&e, 0, sizeof(e));
	rc = rp_csv_parse(data, len, &t, &e);
	is_int(rc, -1, "%s: rejected", name);
	is_int((long long)e.line, (long long)line, "%s: line", name);
	is_int((long long)e.column, (long long)column, "%s: column", name);
	is_str(e.message, message, "%s: message", name);
	ok(!t.offs && !t.buf && !t.ncols && !t.nrows,
	   "%s: table left zeroed", name);
	if (rc == 0)
		rp_csv_table_free(&t);
	{
		rp_csv_error e2;

		memset(&e2, 0, sizeof(e2));
		memset(&t, 0x5a, sizeof(t));
		rc = rp_csv_parse_inplace(inplace_copy(data, len), len, &t, &e2);
		ok(rc == -1 && e2.line == e.line && e2.column == e.column &&
		   strcmp(e2.message, e.message) == 0 && !t.buf,
		   "%s: in place, the same refusal", name);
	}
}

#define REJECTS(name, lit, line, column, message) \
	rejects(name, lit, sizeof(lit) - 1, line, column, message)

static void test_accepts(void)
{
	ACCEPTS("simple", "a,b,c\n1,2,3\n4,5,6\n", 3, 2,
		"a", "b", "c", "1", "2", "3", "4", "5", "6");
	ACCEPTS("no final newline", "a,b,c\n1,2,3\n4,5,6", 3, 2,
		"a", "b", "c", "1", "2", "3", "4", "5", "6");
	ACCEPTS("BOM stripped", "\xef\xbb\xbfuser,arn\nx,y\n", 2, 1,
		"user", "arn", "x", "y");
	ACCEPTS("BOM before a quoted header", "\xef\xbb\xbf\"user\",b\n1,2\n",
		2, 1, "user", "b", "1", "2");
	ACCEPTS("CRLF", "a,b\r\n1,2\r\n", 2, 1, "a", "b", "1", "2");
	ACCEPTS("mixed line ends", "a,b\r\n1,2\n3,4\r\n5,6", 2, 3,
		"a", "b", "1", "2", "3", "4", "5", "6");
	ACCEPTS("quoted comma, quote, LF and CRLF",
		"name,note\n\"x,y\",\"say \"\"hi\"\"\"\n"
		"\"multi\nline\",\"cr\r\nlf\"\n", 2, 2,
		"name", "note", "x,y", "say \"hi\"", "multi\nline", "cr\r\nlf");
	ACCEPTS("bare CR inside quotes is data", "a\n\"x\ry\"\n", 1, 1,
		"a", "x\ry");
	ACCEPTS("single trailing blank line", "a,b\n1,2\n\n", 2, 1,
		"a", "b", "1", "2");
	ACCEPTS("single trailing blank line, CRLF", "a,b\r\n1,2\r\n\r\n", 2, 1,
		"a", "b", "1", "2");
	ACCEPTS("header only, trailing blank line", "a,b\n\n", 2, 0,
		"a", "b");
	ACCEPTS("header only", "a,b\n", 2, 0, "a", "b");
	ACCEPTS("header only, no newline", "a,b", 2, 0, "a", "b");
	ACCEPTS("empty cells", "a,b,c\n,,\n\"\",x,\n", 3, 2,
		"a", "b", "c", "", "", "", "", "x", "");
	ACCEPTS("quoted empty last cell, no newline", "a,b\n1,\"\"", 2, 1,
		"a", "b", "1", "");
	ACCEPTS("1 column", "name\nalice\n\"\"\nbob", 1, 3,
		"name", "alice", "", "bob");
	ACCEPTS("spaces are data", "a,b\n 1 , 2 \n", 2, 1,
		"a", "b", " 1 ", " 2 ");
	ACCEPTS("names differing in case are distinct", "User,user\n1,2\n",
		2, 1, "User", "user", "1", "2");
	ACCEPTS("valid UTF-8 edges",
		"n,s\n\xc3\xa9,\xe2\x82\xac\n\xf0\x9d\x84\x9e,\xf4\x8f\xbf\xbf\n"
		"\xed\x9f\xbf,\"\xee\x80\x80\"\n", 2, 3,
		"n", "s", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e",
		"\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80");
	ACCEPTS("row of commas only", "x,y\n,\n", 2, 1, "x", "y", "", "");
}

static void test_rejects(void)
{
	static const char bad_header_row[] = IAM_HEADER "\nalice,arn,x\n";
	char dup[4096];
	size_t n = 0, dup_col;
	int i;

	/* Empty input and the header row. */
	REJECTS("empty input", "", 1, 1, "no header row (the input is empty)");
	REJECTS("BOM only", "\xef\xbb\xbf", 1, 1,
		"no header row (the input is empty)");
	rejects("NULL input", NULL, 0, 1, 1,
		"no header row (the input is empty)");
	REJECTS("blank first line", "\nA\n", 1, 1,
		"no header row (the first line is blank)");
	REJECTS("header column 5 empty", "a,b,c,d,,f\n1,2,3,4,5,6\n", 1, 9,
		"header column 5 is empty");
	REJECTS("header ends in a comma", "a,b,\n", 1, 5,
		"header column 3 is empty");
	REJECTS("header with a quoted empty name", "a,\"\"\n", 1, 3,
		"header column 2 is empty");
	REJECTS("header repeats a name", "user,arn,a,b,c,d,arn\n1,2,3,4,5,6,7\n",
		1, 18, "header names column 'arn' twice (columns 2 and 7)");
	REJECTS("header repeats a long name",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		1, 62,
		"header names column 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' twice (columns 1 and 2)");
	/* The cut falls inside a 2-byte character and must back off. */
	REJECTS("header repeats a long non-ASCII name",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\xc3\xa9,"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9\xc3\xa9\n",
		1, 53,
		"header names column 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' twice (columns 1 and 2)");
	/* 300 names make the duplicate set grow several times first. */
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(dup + n, "c%d,", i);
	dup_col = n + 1;
	n += (size_t)sprintf(dup + n, "c57\n");
	rejects("header repeats a name after 300 columns", dup, n, 1, dup_col,
		"header names column 'c57' twice (columns 58 and 301)");

	/* Quotes. */
	REJECTS("quote in an unquoted field", "a,b\n1,x\"y\n", 2, 4,
		"unexpected '\"' in an unquoted field; quote the whole field and double the quote");
	REJECTS("text after a closing quote", "a,b\n\"x\"y,1\n", 2, 4,
		"unexpected 'y' after a closing quote; a quoted field must end at a comma or a line end");
	REJECTS("space after a closing quote", "a,b\n\"x\" ,1\n", 2, 4,
		"unexpected ' ' after a closing quote; a quoted field must end at a comma or a line end");
	REJECTS("non-ASCII after a closing quote", "a,b\n\"x\"\xc3\xa9,1\n", 2, 4,
		"unexpected byte 0xc3 after a closing quote; a quoted field must end at a comma or a line end");
	REJECTS("text after a closing quote, after a BOM",
		"\xef\xbb\xbf" "a,\"b\"c\n", 1, 6,
		"unexpected 'c' after a closing quote; a quoted field must end at a comma or a line end");
	REJECTS("unterminated quote", "a,b\n1,\"open\n2,3\n", 2, 3,
		"unterminated quoted field (opened here)");
	REJECTS("unterminated quote after a multi-line field",
		"a,b\n\"1\n2\",3\n4,\"5\n", 4, 3,
		"unterminated quoted field (opened here)");
	REJECTS("quote in an unquoted field after a multi-line field",
		"a,b\n\"x\ny\",1\"\n", 3, 5,
		"unexpected '\"' in an unquoted field; quote the whole field and double the quote");

	/* NUL and CR. */
	REJECTS("NUL in an unquoted field", "a,b\n1,x\0y\n", 2, 4,
		"NUL byte in input");
	REJECTS("NUL in a quoted field", "a,b\n1,\"x\0\"\n", 2, 5,
		"NUL byte in input");
	REJECTS("NUL in the header", "a\0,b\n", 1, 2, "NUL byte in input");
	REJECTS("bare CR as a line end", "a,b\r1,2\n", 1, 4,
		"carriage return without a line feed (line ends must be LF or CRLF)");
	REJECTS("bare CR at the end", "a,b\n1,2\r", 2, 4,
		"carriage return without a line feed (line ends must be LF or CRLF)");
	REJECTS("bare CR after a closing quote", "a\n\"x\"\ry\n", 2, 4,
		"carriage return without a line feed (line ends must be LF or CRLF)");

	/* Field counts. */
	REJECTS("too few fields", "a,b,c\n1,2,3\n1,2\n", 3, 1,
		"row has 2 fields, the header has 3");
	REJECTS("too many fields", "a,b,c\n1,2,3,4\n", 2, 1,
		"row has 4 fields, the header has 3");
	REJECTS("one field", "a,b,c\n1\n", 2, 1,
		"row has 1 field, the header has 3");
	REJECTS("trailing comma", "a,b\n1,2,\n", 2, 1,
		"row has 3 fields, the header has 2");
	REJECTS("3 of 22 fields", bad_header_row, 2, 1,
		"row has 3 fields, the header has 22");
	REJECTS("field count after a multi-line field",
		"a,b\n\"x\ny\",1\n1,2,3\n", 4, 1,
		"row has 3 fields, the header has 2");
	REJECTS("field count of a row spanning lines",
		"a,b\n1,\"x\ny\",3\n", 2, 1,
		"row has 3 fields, the header has 2");

	/* Blank lines. */
	REJECTS("blank line between rows", "a,b\n1,2\n\n3,4\n", 3, 1,
		"blank line inside the data (row 3)");
	REJECTS("blank line after the header", "a,b\n\n1,2\n", 2, 1,
		"blank line inside the data (row 2)");
	REJECTS("blank line between rows, CRLF", "a,b\r\n1,2\r\n\r\n3,4\r\n",
		3, 1, "blank line inside the data (row 3)");
	REJECTS("blank line then a space", "a,b\n1,2\n\n \n", 3, 1,
		"blank line inside the data (row 3)");
	REJECTS("two trailing blank lines", "a,b\n1,2\n\n\n", 4, 1,
		"more than one blank line at the end of the input");
	REJECTS("two trailing blank lines, CRLF", "a,b\r\n1,2\r\n\r\n\r\n", 4, 1,
		"more than one blank line at the end of the input");
	REJECTS("1 column: an empty cell must be quoted", "a\n1\n\n2\n", 3, 1,
		"blank line inside the data (row 3)");

	/* UTF-8. */
	REJECTS("byte 0xff", "a,b\n1,\xff\n", 2, 3,
		"invalid UTF-8 byte 0xff (never used in UTF-8)");
	REJECTS("stray continuation byte", "a\n\x80\n", 2, 1,
		"invalid UTF-8 byte 0x80 (continuation byte without a lead byte)");
	REJECTS("overlong 2-byte, 0xc0", "a\nx\xc0\xaf\n", 2, 2,
		"invalid UTF-8 byte 0xc0 (overlong encoding)");
	REJECTS("overlong 2-byte, 0xc1", "a\n\xc1\xbf\n", 2, 1,
		"invalid UTF-8 byte 0xc1 (overlong encoding)");
	REJECTS("overlong 3-byte", "a\nab\xe0\x80\xaf\n", 2, 4,
		"invalid UTF-8 byte 0x80 (overlong encoding)");
	REJECTS("overlong 4-byte", "a\n\xf0\x8f\xbf\xbf\n", 2, 2,
		"invalid UTF-8 byte 0x8f (overlong encoding)");
	REJECTS("high surrogate", "a\n\xed\xa0\x80\n", 2, 2,
		"invalid UTF-8 byte 0xa0 (UTF-16 surrogate)");
	REJECTS("low surrogate", "a\n\"\xed\xbf\xbf\"\n", 2, 3,
		"invalid UTF-8 byte 0xbf (UTF-16 surrogate)");
	REJECTS("above U+10FFFF", "a\n\xf4\x90\x80\x80\n", 2, 2,
		"invalid UTF-8 byte 0x90 (above U+10FFFF)");
	REJECTS("lead byte 0xf5", "a\n\xf5\x80\x80\x80\n", 2, 1,
		"invalid UTF-8 byte 0xf5 (above U+10FFFF)");
	REJECTS("truncated at the end", "a\nx\xc3", 2, 2,
		"truncated UTF-8 sequence starting with byte 0xc3");
	REJECTS("truncated by a comma", "a,b\n\xe2\x82,x\n", 2, 1,
		"truncated UTF-8 sequence starting with byte 0xe2");
	REJECTS("truncated 4-byte", "a\n\xf0\x9f\x98\n", 2, 1,
		"truncated UTF-8 sequence starting with byte 0xf0");
	REJECTS("Latin-1 in the header", "us\xe9r\n", 1, 3,
		"truncated UTF-8 sequence starting with byte 0xe9");
	REJECTS("column counts bytes", "a\n\xc3\xa9\xff\n", 2, 3,
		"invalid UTF-8 byte 0xff (never used in UTF-8)");
	REJECTS("bad UTF-8 on a later line of a quoted field",
		"a\n\"x\ny\xff\"\n", 3, 2,
		"invalid UTF-8 byte 0xff (never used in UTF-8)");
}

/* rp_csv_parse for inputs that must fail; frees the table if they do not,
 * so a parser bug shows as a failed test rather than a leak. */
static int parse_fails(const char *data, size_t len, rp_csv_table *t,
		       rp_csv_error *e)
{
	int rc = rp_csv_parse(data, len, t, e);

	if (rc == 0)
		rp_csv_table_free(t);
	return rc;
}

static void test_misc(void)
{
	static const char simple[] = "a,b,c\n1,2,3\n4,5,6\n";
	char hdr[4096];
	size_t n, m;
	rp_csv_table t;
	rp_csv_error e;
	int rc, i, bad = 0;

	memset(&e, 0, sizeof(e));
	rc = rp_csv_parse(simple, sizeof(simple) - 1, &t, &e);
	is_int(rc, 0, "accessors: parses");
	if (rc == 0) {
		is_str(rp_csv_header(&t, 0), "a", "rp_csv_header(0)");
		is_str(rp_csv_header(&t, 2), "c", "rp_csv_header(2)");
		is_str(rp_csv_cell(&t, 0, 0), "1", "rp_csv_cell(0, 0)");
		is_str(rp_csv_cell(&t, 1, 2), "6", "rp_csv_cell(1, 2)");
		ok(t.offs[0] == 0 && rp_csv_len(&t, 8) == 1 &&
		   rp_csv_text(&t, 8) + 1 < t.buf + sizeof(simple),
		   "cells lie in buf");
		rp_csv_table_free(&t);
		ok(!t.offs && !t.buf && !t.ncols && !t.nrows,
		   "rp_csv_table_free zeroes the table");
		rp_csv_table_free(&t); /* must be harmless */
		ok(!t.offs, "freeing twice is harmless");
	}
	else
		for (rc = 0; rc < 7; rc++)
			ok(0, "accessors: skipped, the parse failed");
	rp_csv_table_free(NULL);

	/* Every one of 300 names is found again, whatever slot it hashed to
	 * and however far it had to probe. */
	for (i = 0, n = 0; i < 300; i++)
		n += (size_t)sprintf(hdr + n, "c%d,", i);
	for (i = 0; i < 300 && !bad; i++) {
		char want[80];

		m = n + (size_t)sprintf(hdr + n, "c%d\n", i);
		snprintf(want, sizeof(want),
			 "header names column 'c%d' twice (columns %d and 301)",
			 i, i + 1);
		if (parse_fails(hdr, m, &t, &e) != -1 || e.line != 1 ||
		    e.column != n + 1 || strcmp(e.message, want) != 0) {
			diag("  repeating c%d: %zu:%zu: %s", i, e.line,
			     e.column, e.message);
			bad = 1;
		}
	}
	ok(!bad, "each of 300 header names is found when repeated");

	/* The error struct is optional. */
	memset(&t, 0x5a, sizeof(t));
	is_int(parse_fails("a\n\"", 3, &t, NULL), -1, "NULL err: rejected");
	ok(!t.offs && !t.buf, "NULL err: table zeroed");
	is_int(parse_fails(NULL, 1, &t, &e), -1, "NULL data with a length");
	is_int(rp_csv_parse("a", 1, NULL, &e), -1, "NULL table");

	/* Offsets are 32 bits: a bigger input is refused before a byte past
	 * its first three (a BOM) is read, so a short buffer can stand in. */
	memset(&t, 0x5a, sizeof(t));
	is_int(parse_fails("a\n", RP_CSV_MAX_INPUT + 1, &t, &e), -1,
	       "an input over 4 GiB is refused");
	is_str(e.message,
	       "input of 4294967295 bytes is over the limit of 4294967294 (4 GiB); split it",
	       "  saying how big it is and what the limit is");
	ok(e.line == 1 && e.column == 1 && !t.offs && !t.buf,
	   "  at 1:1, the table zeroed");

	/* The messages the rest of reportpipe documents, by substring. */
	memset(&e, 0, sizeof(e));
	parse_fails("a\n\xff", 4, &t, &e);
	like(e.message, "invalid UTF-8 byte 0xff", "0xff message");
	parse_fails("a\n\"x", 4, &t, &e);
	like(e.message, "unterminated quoted field", "unterminated message");
	parse_fails(IAM_HEADER "\nx,y,z\n", sizeof(IAM_HEADER "\nx,y,z\n") - 1,
		    &t, &e);
	like(e.message, "row has 3 fields, the header has 22",
	     "field count message");
}

/* 5,000 rows of 22 columns, with a quoted cell every 7th, as one string. */
static char *make_big(size_t rows, size_t cols, size_t *len)
{
	size_t cap = (rows + 1) * cols * 24 + 1, n = 0, r, c;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	for (c = 0; c < cols; c++)
		n += (size_t)snprintf(s + n, cap - n, "%sc%zu", c ? "," : "", c);
	s[n++] = '\n';
	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++) {
			if ((r * cols + c) % 7 == 0)
				n += (size_t)snprintf(s + n, cap - n,
						      "%s\"r%zu,\"\"c%zu\"",
						      c ? "," : "", r, c);
			else
				n += (size_t)snprintf(s + n, cap - n,
						      "%sr%zu_c%zu",
						      c ? "," : "", r, c);
		}
		s[n++] = '\n';
	}
	*len = n;
	return s;
}

static void test_big(void)
{
	const size_t rows = 5000, cols = 22;
	rp_csv_table t;
	rp_csv_error e;
	size_t len = 0, r, c, bad = 0;
	char want[64];
	clock_t t0;
	char *s = make_big(rows, cols, &len);
	int rc;

	if (!s) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	memset(&e, 0, sizeof(e));
	t0 = clock();
	rc = rp_csv_parse(s, len, &t, &e);
	diag("parsed %zu bytes in %.1f ms", len,
	     (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC);
	free(s);
	if (!is_int(rc, 0, "5000 x 22: parses"))
		diag("  %zu:%zu: %s", e.line, e.column, e.message);
	is_int((long long)t.ncols, 22, "5000 x 22: columns");
	is_int((long long)t.nrows, 5000, "5000 x 22: rows");
	if (rc == 0 && t.nrows == rows && t.ncols == cols) {
		is_str(rp_csv_cell(&t, rows - 1, cols - 1), "r4999_c21",
		       "5000 x 22: last cell");
		is_str(rp_csv_header(&t, 21), "c21", "5000 x 22: last header");
		is_str(rp_csv_cell(&t, 0, 0), "r0,\"c0",
		       "5000 x 22: quoted first cell");
		for (r = 0; r < rows && !bad; r++) {
			for (c = 0; c < cols; c++) {
				if ((r * cols + c) % 7 == 0)
					snprintf(want, sizeof(want),
						 "r%zu,\"c%zu", r, c);
				else
					snprintf(want, sizeof(want),
						 "r%zu_c%zu", r, c);
				if (strcmp(rp_csv_cell(&t, r, c), want) ||
				    rp_csv_len(&t, (r + 1) * cols + c) != strlen(want)) {
					diag("  cell %zu,%zu is '%s', expected '%s'",
					     r, c, rp_csv_cell(&t, r, c), want);
					bad = 1;
					break;
				}
			}
		}
		ok(!bad, "5000 x 22: every cell and length");
	}
	else
		for (r = 0; r < 4; r++)
			ok(0, "5000 x 22: cells skipped, the parse failed");
	if (rc == 0)
		rp_csv_table_free(&t);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			p = realloc(data, cap);
			if (!p) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

static void test_sample(const char *path)
{
	rp_csv_table t;
	rp_csv_error e;
	size_t len = 0, r, c;
	int rc, names = 1, arns = 1;
	char *data = read_all(path, &len);

	if (!ok(data != NULL, "sample: read %s", path))
		rc = -1;
	else {
		memset(&e, 0, sizeof(e));
		rc = rp_csv_parse(data, len, &t, &e);
		free(data);
	}
	if (!is_int(rc, 0, "sample: parses") && data)
		diag("  %s:%zu:%zu: %s", path, e.line, e.column, e.message);
	if (rc != 0) {
		for (r = 0; r < SAMPLE_TESTS - 2; r++)
			ok(0, "sample: skipped, the parse failed");
		return;
	}
	is_int((long long)t.ncols, 22, "sample: 22 columns");
	is_int((long long)t.nrows, SAMPLE_ROWS, "sample: %d rows", SAMPLE_ROWS);
	for (c = 0; c < 22 && c < t.ncols; c++)
		if (strcmp(rp_csv_header(&t, c), iam_columns[c]) != 0) {
			diag("  column %zu is '%s', expected '%s'", c + 1,
			     rp_csv_header(&t, c), iam_columns[c]);
			names = 0;
		}
	ok(names && t.ncols == 22, "sample: the real column names in order");
	is_str(rp_csv_cell(&t, 0, 0), "<root_account>",
	       "sample: the root account comes first");
	is_str(rp_csv_cell(&t, 0, 1), "arn:aws:iam::123456789012:root",
	       "sample: the root ARN");
	for (r = 0; r < t.nrows && t.ncols >= 2; r++)
		if (strncmp(rp_csv_cell(&t, r, 1), "arn:aws:iam::123456789012:",
			    26) != 0) {
			diag("  row %zu: ARN '%s'", r + 2, rp_csv_cell(&t, r, 1));
			arns = 0;
		}
	ok(arns, "sample: every ARN is in account 123456789012");
	rp_csv_table_free(&t);
}

int main(int argc, char **argv)
{
	int total = NUM_ACCEPTS * ACCEPT_TESTS + NUM_REJECTS * REJECT_TESTS +
		    MISC_TESTS + BIG_TESTS + SAMPLE_TESTS;
	const char *srcdir = getenv("top_srcdir");
	char sample[4096];

	/* make check exports top_srcdir; by hand, pass the sample's path. */
	if (argc > 1)
		snprintf(sample, sizeof(sample), "%s", argv[1]);
	else if (srcdir)
		snprintf(sample, sizeof(sample),
			 "%s/etc/sample-credential-report.csv", srcdir);
	else {
		fprintf(stderr, "usage: %s SAMPLE.csv (or set top_srcdir)\n", argv[0]);
		return 2;
	}
	plan(total);
	test_accepts();
	test_rejects();
	test_misc();
	test_big();
	test_sample(sample);
	if (accepts_run != NUM_ACCEPTS || rejects_run != NUM_REJECTS)
		diag("update the plan: %d accepts, %d rejects", accepts_run,
		     rejects_run);
	return done_testing();
}
