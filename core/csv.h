/* csv.h - RFC 4180 CSV parsing into a flat, immutable table.
 *
 * The parser copies the input once into a single buffer of NUL-terminated
 * cells, back to back, and records where each starts: a table is two
 * allocations however many rows it has, and 4 bytes a cell beside the
 * text. */
#ifndef RP_CSV_H
#define RP_CSV_H

#include <stddef.h>
#include <stdint.h>

/* The longest input the parser takes: offsets into a table's text are
 * 32 bits.  A credential report of IAM's 5,000 users is about 1.3 MB. */
#define RP_CSV_MAX_INPUT ((size_t)UINT32_MAX - 1)

typedef struct rp_csv_table {
	size_t ncols;   /* number of columns (fields in the header row) */
	size_t nrows;   /* number of data rows, the header not counted */
	/* (nrows + 1) * ncols cells, row-major, row 0 the header: where each
	 * starts in buf, and one offset more, past the last cell's NUL.  Each
	 * cell is followed by its NUL and then the next cell, so cell i is
	 * offs[i + 1] - offs[i] - 1 bytes long (cells never hold NUL bytes). */
	uint32_t *offs;
	char *buf;      /* backing store of every cell */
} rp_csv_table;

/* Where and why parsing failed.  line and column are 1-based and count
 * physical lines of the input (a quoted field spanning lines advances the
 * line); column counts bytes from the start of that line (on line 1, from
 * after a BOM).  They point at the offending byte, except: an unterminated
 * quoted field points at its opening quote, a truncated UTF-8 sequence at
 * its lead byte, a row with the wrong field count at column 1 of the line
 * the row starts on, and a bad header name at the start of its field. */
typedef struct rp_csv_error {
	size_t line;
	size_t column;
	char message[160]; /* a sentence without the position, e.g.
			      "unterminated quoted field" */
} rp_csv_error;

/* Parses data[0..len).  Accepts an optional UTF-8 BOM, LF or CRLF line ends
 * (mixed is fine), quoted fields with embedded commas, doubled quotes and
 * line breaks (kept as they are, CRLF included), and an optional final line
 * end.  Rejects, with position: a quote inside an unquoted field, characters
 * after a closing quote other than a comma or line end, an unterminated
 * quoted field, a NUL byte, a CR outside quotes that is not followed by LF,
 * a row whose field count differs from the header's ("row has 3 fields, the
 * header has 22"), invalid UTF-8 (overlongs, surrogates, past U+10FFFF,
 * stray or missing continuation bytes), a header with an empty or a
 * repeated column name, an empty input ("no header row"), and an input
 * longer than RP_CSV_MAX_INPUT.
 * Blank lines are not allowed between rows, except a single trailing one
 * after the final line end; so in a 1-column table an empty cell must be
 * written as "".  err may be NULL.
 * Returns 0 and fills *out on success; -1 and fills *err on failure (in
 * which case *out is left zeroed and nothing needs freeing). */
int rp_csv_parse(const char *data, size_t len, rp_csv_table *out,
		 rp_csv_error *err);

/* rp_csv_parse without a copy: the CSV is the len bytes at base + 1,
 * base holds len + 1 bytes (malloc'd) and is the table's buffer from now
 * on: freed with the table, or at once when the input is refused.  The
 * cells are written over the input (one byte behind it), so a report is
 * held once. */
int rp_csv_parse_inplace(char *base, size_t len, rp_csv_table *out,
			 rp_csv_error *err);

/* Frees what rp_csv_parse allocated and zeroes the table. */
void rp_csv_table_free(rp_csv_table *t);

/* Cell i of the row-major array (row 0 the header) and its length. */
static inline const char *rp_csv_text(const rp_csv_table *t, size_t i)
{
	return t->buf + t->offs[i];
}

static inline size_t rp_csv_len(const rp_csv_table *t, size_t i)
{
	return (size_t)(t->offs[i + 1] - t->offs[i]) - 1;
}

/* The cell at data row r (0-based, header excluded) and column c. */
static inline const char *rp_csv_cell(const rp_csv_table *t, size_t r, size_t c)
{
	return rp_csv_text(t, (r + 1) * t->ncols + c);
}

static inline const char *rp_csv_header(const rp_csv_table *t, size_t c)
{
	return rp_csv_text(t, c);
}

#endif
