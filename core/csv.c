/* csv.c - RFC 4180 CSV parsing into a flat, immutable table.
 *
 * One pass over the input.  Cell bytes are copied into a single buffer
 * allocated up front: a cell never needs more room than the input bytes it
 * came from plus the delimiter it ended at (which becomes its NUL), so
 * len + 1 bytes always suffice and the buffer never moves.  Cells are
 * written back to back, so one offset a cell says where it starts and,
 * with the next one, how long it is. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#if defined(__GNUC__)
#define CSV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CSV_PRINTF(f, a)
#endif

/* Longest header name quoted back in a message; message[] is 160 bytes. */
#define NAME_SHOWN 48

struct pos {
	size_t line;
	size_t column;
};

struct parser {
	const unsigned char *p;   /* next byte to read */
	const unsigned char *end;
	const unsigned char *bol; /* first byte of the current line */
	size_t line;

	char *buf;                /* every cell, NUL-terminated */
	char *w;                  /* write cursor in buf */
	uint32_t *offs;           /* ncells + 1 of them: rp_csv_table.offs */
	size_t ncells;
	size_t cap;               /* of offs */

	size_t ncols;             /* 0 while the header row is being read */
	size_t nrows;

	/* Open-addressing set of header columns (index + 1, 0 = free), so
	 * duplicate names are found in linear time even for huge headers. */
	size_t *names;
	size_t names_cap;         /* a power of two */

	rp_csv_error *err;
};

static struct pos pos_at(const struct parser *ps, const unsigned char *at)
{
	struct pos here;

	here.line = ps->line;
	here.column = (size_t)(at - ps->bol) + 1;
	return here;
}

static int fail_at(struct parser *ps, struct pos at, const char *fmt, ...)
	CSV_PRINTF(3, 4);

static int fail_at(struct parser *ps, struct pos at, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = at.line;
	ps->err->column = at.column;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Length of the valid UTF-8 sequence starting at p (a byte >= 0x80), or 0
 * after reporting the first byte that makes it invalid.  A sequence cut
 * short is reported at its lead byte, since no single later byte is wrong. */
static size_t utf8_seq(struct parser *ps, const unsigned char *p)
{
	unsigned char c = *p;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
	const char *why;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;      /* below would be overlong */
		else if (c == 0xed)
			hi = 0x9f;      /* above would be a surrogate */
	}
	else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;      /* below would be overlong */
		else if (c == 0xf4)
			hi = 0x8f;      /* above would be past U+10FFFF */
	}
	else {
		if (c < 0xc0)
			why = "continuation byte without a lead byte";
		else if (c < 0xc2)
			why = "overlong encoding";
		else if (c < 0xf8)
			why = "above U+10FFFF";
		else
			why = "never used in UTF-8";
		fail_at(ps, pos_at(ps, p), "invalid UTF-8 byte 0x%02x (%s)", c,
			why);
		return 0;
	}

	for (i = 1; i < n; i++) {
		if (p + i == ps->end || (p[i] & 0xc0) != 0x80) {
			fail_at(ps, pos_at(ps, p),
				"truncated UTF-8 sequence starting with byte 0x%02x",
				c);
			return 0;
		}
		if (i == 1 && (p[1] < lo || p[1] > hi)) {
			why = c == 0xed ? "UTF-16 surrogate" :
			      c == 0xf4 ? "above U+10FFFF" : "overlong encoding";
			fail_at(ps, pos_at(ps, p + 1),
				"invalid UTF-8 byte 0x%02x (%s)", p[1], why);
			return 0;
		}
	}
	return n;
}

static const char *cell_text(const struct parser *ps, size_t i)
{
	return ps->buf + ps->offs[i];
}

static size_t cell_len(const struct parser *ps, size_t i)
{
	return (size_t)(ps->offs[i + 1] - ps->offs[i]) - 1;
}

/* Ends the cell written since the last one ended. */
static int push_cell(struct parser *ps)
{
	if (ps->ncells + 2 > ps->cap) {
		size_t ncap = ps->cap * 2;
		uint32_t *offs;

		if (ncap < ps->cap || ncap > SIZE_MAX / sizeof(*offs))
			return fail_at(ps, pos_at(ps, ps->p), "out of memory");
		offs = realloc(ps->offs, ncap * sizeof(*offs));
		if (!offs)
			return fail_at(ps, pos_at(ps, ps->p), "out of memory");
		ps->offs = offs;
		ps->cap = ncap;
	}
	*ps->w++ = '\0';
	/* The input is at most RP_CSV_MAX_INPUT bytes, so is what was
	 * written from it. */
	ps->offs[++ps->ncells] = (uint32_t)(ps->w - ps->buf);
	return 0;
}

/* A CR is only a line end when an LF follows; alone it would make the
 * cell end in an invisible byte, so it is refused outside quotes. */
static int bare_cr(struct parser *ps, const unsigned char *p)
{
	return fail_at(ps, pos_at(ps, p),
		       "carriage return without a line feed (line ends must be LF or CRLF)");
}

/* Bytes that end a run of plain ones: what may end or break a field,
 * and every non-ASCII byte (UTF-8 is checked sequence by sequence).
 * Runs between them are copied in one go. */
#define STOP_UNQUOTED 1
#define STOP_QUOTED 2
static const unsigned char stop[256] = {
	[','] = STOP_UNQUOTED, ['\r'] = STOP_UNQUOTED,
	['"'] = STOP_UNQUOTED | STOP_QUOTED, ['\n'] = STOP_UNQUOTED | STOP_QUOTED,
	['\0'] = STOP_UNQUOTED | STOP_QUOTED,
#define HI4(x) [x] = 3, [x + 1] = 3, [x + 2] = 3, [x + 3] = 3
#define HI16(x) HI4(x), HI4(x + 4), HI4(x + 8), HI4(x + 12)
	HI16(0x80), HI16(0x90), HI16(0xa0), HI16(0xb0),
	HI16(0xc0), HI16(0xd0), HI16(0xe0), HI16(0xf0),
#undef HI16
#undef HI4
};

/* Copies the plain bytes from p on (those without the stop bit) to *w;
 * returns the first byte that is not. */
static const unsigned char *copy_run(const unsigned char *p,
				     const unsigned char *end, char **w,
				     unsigned bit)
{
	const unsigned char *run = p;

	while (p < end && !(stop[*p] & bit))
		p++;
	/* In place (rp_csv_parse_inplace) the copy may overlap its source,
	 * always from behind it. */
	memmove(*w, run, (size_t)(p - run));
	*w += p - run;
	return p;
}

static int parse_unquoted(struct parser *ps)
{
	const unsigned char *p = ps->p, *end = ps->end;
	char *w = ps->w;

	while (p < end) {
		unsigned char c;

		p = copy_run(p, end, &w, STOP_UNQUOTED);
		if (p == end)
			break;
		c = *p;
		if (c >= 0x80) {
			size_t n = utf8_seq(ps, p);

			if (!n)
				return -1;
			memmove(w, p, n);
			w += n;
			p += n;
			continue;
		}
		if (c == ',' || c == '\n')
			break;
		if (c == '\r') {
			if (p + 1 < end && p[1] == '\n')
				break;
			return bare_cr(ps, p);
		}
		if (c == '"')
			return fail_at(ps, pos_at(ps, p),
				       "unexpected '\"' in an unquoted field; quote the whole field and double the quote");
		if (c == '\0')
			return fail_at(ps, pos_at(ps, p), "NUL byte in input");
		*w++ = (char)c;
		p++;
	}
	ps->p = p;
	ps->w = w;
	return push_cell(ps);
}

/* ps->p is at the opening quote.  Line breaks inside are cell data, but
 * still advance the line so later positions match what an editor shows. */
static int parse_quoted(struct parser *ps)
{
	const unsigned char *p = ps->p + 1, *end = ps->end;
	struct pos open = pos_at(ps, ps->p);
	char *w = ps->w;
	unsigned char c;

	for (;;) {
		p = copy_run(p, end, &w, STOP_QUOTED);
		if (p == end)
			return fail_at(ps, open,
				       "unterminated quoted field (opened here)");
		c = *p;
		if (c == '"') {
			if (p + 1 < end && p[1] == '"') {
				*w++ = '"';
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(ps, p);

			if (!n)
				return -1;
			memmove(w, p, n);
			w += n;
			p += n;
			continue;
		}
		if (c == '\0')
			return fail_at(ps, pos_at(ps, p), "NUL byte in input");
		if (c == '\n') {
			ps->line++;
			ps->bol = p + 1;
		}
		*w++ = (char)c;
		p++;
	}

	if (p < end && *p != ',' && *p != '\n') {
		c = *p;
		if (c == '\r') {
			if (p + 1 >= end || p[1] != '\n')
				return bare_cr(ps, p);
		}
		else if (c >= 0x20 && c < 0x7f)
			return fail_at(ps, pos_at(ps, p),
				       "unexpected '%c' after a closing quote; a quoted field must end at a comma or a line end",
				       c);
		else
			return fail_at(ps, pos_at(ps, p),
				       "unexpected byte 0x%02x after a closing quote; a quoted field must end at a comma or a line end",
				       c);
	}
	ps->p = p;
	ps->w = w;
	return push_cell(ps);
}

static size_t name_hash(const char *s, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

/* Inserts header column i (0-based) into the name set; returns the 1-based
 * column that already has the same name, or 0. */
static size_t names_add(struct parser *ps, size_t i)
{
	size_t mask = ps->names_cap - 1;
	size_t n = cell_len(ps, i);
	size_t h = name_hash(cell_text(ps, i), n) & mask;

	while (ps->names[h]) {
		size_t j = ps->names[h] - 1;

		if (cell_len(ps, j) == n &&
		    !memcmp(cell_text(ps, j), cell_text(ps, i), n))
			return j + 1;
		h = (h + 1) & mask;
	}
	ps->names[h] = i + 1;
	return 0;
}

/* Called as each header cell ends, so the first problem in reading order
 * is the one reported, at the start of the offending field.  Empty and
 * duplicate names are refused because columns are looked up by name. */
static int check_header_cell(struct parser *ps, struct pos at)
{
	size_t i = ps->ncells - 1;
	size_t dup, shown, n = cell_len(ps, i);
	const char *name = cell_text(ps, i);

	if (!n)
		return fail_at(ps, at, "header column %zu is empty", i + 1);

	/* Keep the load at most one half so probes stay short. */
	if (i + 1 > ps->names_cap / 2) {
		size_t ncap = ps->names_cap ? ps->names_cap * 2 : 64;
		size_t j;

		if (ncap < ps->names_cap || ncap > SIZE_MAX / sizeof(size_t))
			return fail_at(ps, at, "out of memory");
		free(ps->names);
		ps->names = calloc(ncap, sizeof(size_t));
		if (!ps->names) {
			ps->names_cap = 0;
			return fail_at(ps, at, "out of memory");
		}
		ps->names_cap = ncap;
		/* Columns before i are known to be distinct. */
		for (j = 0; j < i; j++)
			names_add(ps, j);
	}

	dup = names_add(ps, i);
	if (!dup)
		return 0;
	/* Cut long names on a character boundary so the message stays
	 * valid UTF-8. */
	shown = n;
	if (shown > NAME_SHOWN) {
		shown = NAME_SHOWN;
		while (shown && (name[shown] & 0xc0) == 0x80)
			shown--;
	}
	return fail_at(ps, at, "header names column '%.*s%s' twice (columns %zu and %zu)",
		       (int)shown, name, shown < n ? "..." : "", dup, i + 1);
}

/* With the header read: room for a cell per column on every line left
 * (a line break inside quotes only makes it generous), so that a big
 * report is not copied from array to array as they double.  Only a
 * first guess: push_cell still grows them if it falls short. */
static int reserve_rows(struct parser *ps)
{
	size_t lines = 1, want;
	const unsigned char *q = ps->p;
	uint32_t *offs;

	while (q < ps->end && (q = memchr(q, '\n', (size_t)(ps->end - q)))) {
		lines++;
		q++;
	}
	if (lines > (SIZE_MAX / sizeof(*offs) - ps->ncells - 1) / ps->ncols)
		return 0;
	want = ps->ncells + lines * ps->ncols + 1;
	if (want <= ps->cap)
		return 0;
	offs = realloc(ps->offs, want * sizeof(*offs));
	if (!offs)
		return 0;
	ps->offs = offs;
	ps->cap = want;
	return 0;
}

/* ps->p is at the first byte of a line that is not blank (or at a CR). */
static int parse_row(struct parser *ps)
{
	size_t first = ps->ncells;
	size_t line = ps->line;
	size_t n;

	for (;;) {
		struct pos at = pos_at(ps, ps->p);

		if (ps->p < ps->end && *ps->p == '"') {
			if (parse_quoted(ps))
				return -1;
		}
		else if (parse_unquoted(ps))
			return -1;
		if (!ps->ncols && check_header_cell(ps, at))
			return -1;
		/* The field parsers stop only at the end, a comma or a line
		 * end (LF or CRLF). */
		if (ps->p == ps->end)
			break;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		ps->p += *ps->p == '\r' ? 2 : 1;
		ps->line++;
		ps->bol = ps->p;
		break;
	}

	n = ps->ncells - first;
	if (!ps->ncols) {
		ps->ncols = n;
		/* The name set is only needed while reading the header. */
		free(ps->names);
		ps->names = NULL;
		ps->names_cap = 0;
		return reserve_rows(ps);
	}
	if (n != ps->ncols) {
		struct pos at;

		/* A row may span lines; its start is the one place that is
		 * unambiguous. */
		at.line = line;
		at.column = 1;
		return fail_at(ps, at, "row has %zu field%s, the header has %zu",
			       n, n == 1 ? "" : "s", ps->ncols);
	}
	ps->nrows++;
	return 0;
}

/* Length of the line end at p (LF or CRLF), or 0. */
static size_t eol_len(const struct parser *ps, const unsigned char *p)
{
	if (p < ps->end && *p == '\n')
		return 1;
	if (p + 1 < ps->end && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

/* ps->p is at a line end where a row should start.  One blank line is
 * tolerated as the very last line, because editors and "echo >>" leave
 * one; anywhere else it would silently drop or misalign rows. */
static int blank_line(struct parser *ps, size_t eol)
{
	const unsigned char *q = ps->p + eol;
	struct pos at = pos_at(ps, ps->p);
	size_t more;

	if (!ps->ncols)
		return fail_at(ps, at, "no header row (the first line is blank)");
	if (q == ps->end) {
		ps->p = q;
		return 0;
	}
	/* Only more blank lines follow: say so instead of blaming a row
	 * that does not exist. */
	while ((more = eol_len(ps, q)) != 0)
		q += more;
	if (q == ps->end) {
		at.line++;
		return fail_at(ps, at,
			       "more than one blank line at the end of the input");
	}
	/* Rows are counted like a spreadsheet does: the header is row 1. */
	return fail_at(ps, at, "blank line inside the data (row %zu)",
		       ps->nrows + 2);
}

/* Parses data into buf (len + 1 bytes; buf may be data - 1, which the
 * parser then owns): the cells are written behind the byte being read. */
static int parse(const char *data, size_t len, char *buf, rp_csv_table *out,
		 rp_csv_error *err)
{
	static const struct pos first = {1, 1};
	struct parser ps;
	rp_csv_error ignored;
	size_t eol;

	memset(&ps, 0, sizeof(ps));
	ps.err = err ? err : &ignored;
	ps.line = 1;
	ps.buf = buf;
	if (!out) {
		fail_at(&ps, first, "no output table");
		goto fail;
	}
	memset(out, 0, sizeof(*out));
	if (!data && len) {
		fail_at(&ps, first, "no input");
		goto fail;
	}

	/* "" keeps the pointer arithmetic below defined when data is NULL. */
	ps.p = (const unsigned char *)(data ? data : "");
	ps.end = ps.p + len;
	/* Excel writes a BOM; it is not part of the first column's name, and
	 * columns on line 1 are counted after it, as editors show them. */
	if (len >= 3 && !memcmp(ps.p, "\xef\xbb\xbf", 3))
		ps.p += 3;
	ps.bol = ps.p;
	if (ps.p == ps.end) {
		fail_at(&ps, first, "no header row (the input is empty)");
		goto fail;
	}
	if (len > RP_CSV_MAX_INPUT) {
		fail_at(&ps, first,
			"input of %zu bytes is over the limit of %zu (4 GiB); split it",
			len, RP_CSV_MAX_INPUT);
		goto fail;
	}
	if (!ps.buf)
		ps.buf = malloc(len + 1);
	ps.cap = 256;
	ps.offs = malloc(ps.cap * sizeof(*ps.offs));
	if (!ps.buf || !ps.offs) {
		fail_at(&ps, pos_at(&ps, ps.p), "out of memory");
		goto fail;
	}
	ps.offs[0] = 0;
	ps.w = ps.buf;

	while (ps.p < ps.end) {
		eol = eol_len(&ps, ps.p);
		if (eol) {
			if (blank_line(&ps, eol))
				goto fail;
		}
		else if (parse_row(&ps))
			goto fail;
	}

	out->ncols = ps.ncols;
	out->nrows = ps.nrows;
	out->offs = ps.offs;
	out->buf = ps.buf;
	return 0;

fail:
	free(ps.names);
	free(ps.offs);
	free(ps.buf);
	return -1;
}

int rp_csv_parse(const char *data, size_t len, rp_csv_table *out,
		 rp_csv_error *err)
{
	return parse(data, len, NULL, out, err);
}

int rp_csv_parse_inplace(char *base, size_t len, rp_csv_table *out,
			 rp_csv_error *err)
{
	/* Each cell lands at least one byte behind where it was read, so
	 * its terminating NUL never overwrites the delimiter to be read. */
	return parse(base ? base + 1 : NULL, len, base, out, err);
}

void rp_csv_table_free(rp_csv_table *t)
{
	if (!t)
		return;
	free(t->offs);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
