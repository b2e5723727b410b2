/* fuzz_csv.c - the CSV parser (rp_csv_parse) and the dataset built on it
 * (rp_dataset_from_csv, the typed cell readers, rp_dataset_to_csv and
 * rp_dataset_csv_equals).
 *
 * Besides memory errors it checks what the headers promise: a parsed
 * table is consistent, a refusal has a position and a sentence, and the
 * dataset written back as CSV (what the spool and the history store)
 * parses to the same table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dataset.h"
#include "fuzz.h"

static void check_table(const rp_csv_table *t, size_t size)
{
	FUZZ_CHECK(t->ncols >= 1);
	size_t n = (t->nrows + 1) * t->ncols;

	FUZZ_CHECK(t->offs[0] == 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(t->offs[i] < t->offs[i + 1]);
		FUZZ_CHECK(strlen(rp_csv_text(t, i)) == rp_csv_len(t, i));
	}
	/* The cells never take more than the input had, plus the NUL. */
	FUZZ_CHECK(t->offs[n] <= size + 1);
	for (size_t c = 0; c < t->ncols; c++)
		FUZZ_CHECK(rp_csv_len(t, c) > 0);
}

static int same_table(const rp_csv_table *a, const rp_csv_table *b)
{
	if (a->ncols != b->ncols || a->nrows != b->nrows)
		return 0;
	for (size_t i = 0; i < (a->nrows + 1) * a->ncols; i++)
		if (rp_csv_len(a, i) != rp_csv_len(b, i) ||
		    memcmp(rp_csv_text(a, i), rp_csv_text(b, i), rp_csv_len(a, i)) != 0)
			return 0;
	return 1;
}

/* Every typed reader on every cell; their answers are not checked beyond
 * staying in range, the sanitizers watch the parsing. */
static void read_cells(const rp_dataset *ds)
{
	for (size_t r = 0; r < ds->table.nrows; r++) {
		for (size_t c = 0; c < ds->table.ncols; c++) {
			rp_cell_kind k;
			time_t t;
			int b;

			k = rp_dataset_cell_bool(ds, r, c, &b);
			FUZZ_CHECK(k >= RP_CELL_VALUE && k <= RP_CELL_INVALID);
			k = rp_dataset_cell_time(ds, r, c, &t);
			FUZZ_CHECK(k >= RP_CELL_VALUE && k <= RP_CELL_INVALID);
		}
		(void)rp_dataset_row_is_root(ds, r);
	}
}

static void check_dataset(const char *data, size_t size)
{
	rp_dataset *ds = NULL;
	rp_csv_table again;
	rp_csv_error cerr;
	rp_buf b = {0};
	char err[512];

	err[0] = '\0';
	if (rp_dataset_from_csv(data, size, "fuzz.csv", "fuzz", &ds, err,
				sizeof(err)) != RP_OK) {
		FUZZ_CHECK(ds == NULL);
		FUZZ_CHECK(strncmp(err, "fuzz.csv:", 9) == 0);
		return;
	}
	read_cells(ds);
	err[0] = '\0';
	if (rp_dataset_set_meta(ds, NULL, NULL, 0, err, sizeof(err)) != RP_OK)
		FUZZ_CHECK(err[0] != '\0');
	FUZZ_CHECK(rp_dataset_to_csv(ds, &b) == RP_OK);
	/* What the spool relies on to store a csv artifact as the table. */
	FUZZ_CHECK(rp_dataset_csv_equals(ds, b.data, b.len));
	FUZZ_CHECK(!rp_dataset_csv_equals(ds, b.data, b.len - 1));
	FUZZ_CHECK(rp_csv_parse(b.data, b.len, &again, &cerr) == 0);
	FUZZ_CHECK(same_table(&ds->table, &again));
	rp_csv_table_free(&again);
	rp_buf_free(&b);
	rp_dataset_free(ds);
}

int rp_fuzz_csv(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	rp_csv_table t;
	rp_csv_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = rp_csv_parse(text, size, &t, &e);
	/* In place, over a copy behind one spare byte: the same outcome. */
	{
		char *base = malloc(size + 1);
		rp_csv_table t2;
		rp_csv_error e2;
		int rc2;

		FUZZ_CHECK(base != NULL);
		if (size)
			memcpy(base + 1, text, size);
		memset(&e2, 0, sizeof(e2));
		rc2 = rp_csv_parse_inplace(base, size, &t2, &e2);
		FUZZ_CHECK(rc2 == rc);
		if (rc) {
			FUZZ_CHECK(e2.line == e.line && e2.column == e.column);
			FUZZ_CHECK(strcmp(e2.message, e.message) == 0);
		} else {
			FUZZ_CHECK(t2.ncols == t.ncols && t2.nrows == t.nrows);
			for (size_t i = 0; i < (t.nrows + 1) * t.ncols; i++)
				FUZZ_CHECK(t2.offs[i + 1] == t.offs[i + 1] &&
					   memcmp(rp_csv_text(&t2, i), rp_csv_text(&t, i),
						  rp_csv_len(&t, i) + 1) == 0);
			rp_csv_table_free(&t2);
		}
	}
	if (rc) {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(e.line >= 1 && e.column >= 1);
		FUZZ_CHECK(e.message[0] != '\0');
		FUZZ_CHECK(t.offs == NULL && t.buf == NULL);
	} else {
		check_table(&t, size);
		rp_csv_table_free(&t);
	}
	check_dataset(text, size);
	return rc ? RP_FUZZ_REFUSED : RP_FUZZ_ACCEPTED;
}

#ifndef RP_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_fuzz_csv(data, size);
	return 0;
}
#endif
