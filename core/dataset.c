/* dataset.c - the dataset: a parsed table plus its metadata, and typed
 * accessors for the cells of an IAM credential report. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "util.h"

/* data (len bytes) parsed into a dataset; or, with base, the len bytes at
 * base + 1, in place (rp_csv_parse_inplace), base taken over. */
static rp_status from_csv(const char *data, char *base, size_t len,
			  const char *origin, const char *source,
			  rp_dataset **out, char *err, size_t errlen)
{
	rp_dataset *ds;
	rp_csv_error cerr;
	int rc;

	*out = NULL;
	ds = calloc(1, sizeof(*ds));
	if (!ds) {
		free(base);
		return RP_ERR_NOMEM;
	}
	rc = base ? rp_csv_parse_inplace(base, len, &ds->table, &cerr)
		  : rp_csv_parse(data, len, &ds->table, &cerr);
	if (rc) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", origin, cerr.line,
			 cerr.column, cerr.message);
		free(ds);
		return RP_ERR_PARSE;
	}
	ds->origin = rp_strdup(origin);
	ds->source = rp_strdup(source ? source : "");
	ds->account_id = rp_strdup("");
	ds->partition = rp_strdup("");
	if (!ds->origin || !ds->source || !ds->account_id || !ds->partition) {
		rp_dataset_free(ds);
		return RP_ERR_NOMEM;
	}
	ds->meta.source = ds->source;
	ds->meta.account_id = ds->account_id;
	ds->meta.partition = ds->partition;
	*out = ds;
	return RP_OK;
}

rp_status rp_dataset_from_csv(const char *data, size_t len, const char *origin,
			      const char *source, rp_dataset **out, char *err,
			      size_t errlen)
{
	return from_csv(data, NULL, len, origin, source, out, err, errlen);
}

rp_status rp_dataset_from_csv_inplace(char *base, size_t len,
				      const char *origin, const char *source,
				      rp_dataset **out, char *err, size_t errlen)
{
	return from_csv(NULL, base, len, origin, source, out, err, errlen);
}

/* "arn:aws:iam::123456789012:user/x" -> partition "aws", account. */
static int arn_split(const char *arn, char *partition, size_t plen,
		     char *account, size_t alen)
{
	const char *p = arn, *colon;
	size_t n;

	if (strncmp(p, "arn:", 4) != 0)
		return -1;
	p += 4;
	colon = strchr(p, ':');
	if (!colon || (n = (size_t)(colon - p)) == 0 || n >= plen)
		return -1;
	memcpy(partition, p, n);
	partition[n] = '\0';
	p = colon + 1;
	colon = strchr(p, ':');                 /* service */
	if (!colon)
		return -1;
	p = strchr(colon + 1, ':');             /* region (empty for IAM) */
	if (!p)
		return -1;
	p++;
	colon = strchr(p, ':');
	if (!colon || (n = (size_t)(colon - p)) != 12 || n >= alen)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return -1;
	memcpy(account, p, n);
	account[n] = '\0';
	return 0;
}

static int valid_account_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]))
			return 0;
	return n == 12;
}

rp_status rp_dataset_set_meta(rp_dataset *ds, const char *account_id,
			      const char *partition, time_t generated,
			      char *err, size_t errlen)
{
	char acct[16] = "", part[32] = "", a[16], p[32];
	long arn_col = rp_dataset_column(ds, "arn");
	char *na = NULL, *np = NULL;

	if (account_id && !valid_account_id(account_id)) {
		snprintf(err, errlen, "account_id '%s' is not a 12-digit AWS account id",
			 account_id);
		return RP_ERR_CONFIG;
	}
	if ((!account_id || !partition) && arn_col >= 0) {
		for (size_t r = 0; r < ds->table.nrows; r++) {
			const char *arn = rp_dataset_cell(ds, r, (size_t)arn_col);

			if (arn_split(arn, p, sizeof(p), a, sizeof(a))) {
				snprintf(err, errlen,
					 "%s: row %zu: column 'arn' holds '%.80s', which is not an IAM ARN (arn:PARTITION:iam::ACCOUNT:...)",
					 ds->origin, r + 2, arn);
				return RP_ERR_PARSE;
			}
			if (!acct[0]) {
				strcpy(acct, a);
				strcpy(part, p);
			} else if (strcmp(acct, a) != 0 && !account_id) {
				snprintf(err, errlen,
					 "%s: rows disagree on the account: row 2 is in %s, row %zu in %s; split the file or set account_id",
					 ds->origin, acct, r + 2, a);
				return RP_ERR_PARSE;
			}
		}
	}
	if (!account_id && !acct[0]) {
		snprintf(err, errlen,
			 "%s: cannot tell the account: no 'arn' column with rows; set account_id",
			 ds->origin);
		return RP_ERR_PARSE;
	}
	na = rp_strdup(account_id ? account_id : acct);
	np = rp_strdup(partition ? partition : part);
	if (!na || !np) {
		free(na);
		free(np);
		return RP_ERR_NOMEM;
	}
	free(ds->account_id);
	free(ds->partition);
	ds->account_id = na;
	ds->partition = np;
	ds->meta.account_id = na;
	ds->meta.partition = np;
	ds->meta.generated_time = generated;
	return RP_OK;
}

void *rp_dataset_cache_get(const rp_dataset *ds, const char *key)
{
	if (!ds || !key)
		return NULL;
	for (const rp_ds_cache_entry *e = ds->cache; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->data;
	return NULL;
}

rp_status rp_dataset_cache_put(rp_dataset *ds, const char *key, void *data,
			       void (*free_fn)(void *data))
{
	rp_ds_cache_entry *e;

	if (!ds || !key || !data || !free_fn)
		return RP_ERR_INVALID;
	if (rp_dataset_cache_get(ds, key))
		return RP_ERR_EXISTS;
	e = calloc(1, sizeof(*e));
	if (!e)
		return RP_ERR_NOMEM;
	e->key = rp_strdup(key);
	if (!e->key) {
		free(e);
		return RP_ERR_NOMEM;
	}
	e->data = data;
	e->free_fn = free_fn;
	e->next = ds->cache;
	ds->cache = e;
	return RP_OK;
}

void rp_dataset_cache_clear(rp_dataset *ds)
{
	if (!ds)
		return;
	while (ds->cache) {
		rp_ds_cache_entry *e = ds->cache;

		ds->cache = e->next;
		e->free_fn(e->data);
		free(e->key);
		free(e);
	}
}

void rp_dataset_free(rp_dataset *ds)
{
	if (!ds)
		return;
	rp_dataset_cache_clear(ds);
	rp_csv_table_free(&ds->table);
	free(ds->source);
	free(ds->account_id);
	free(ds->partition);
	free(ds->origin);
	free(ds);
}

long rp_dataset_column(const rp_dataset *ds, const char *name)
{
	for (size_t c = 0; c < ds->table.ncols; c++)
		if (strcmp(rp_csv_header(&ds->table, c), name) == 0)
			return (long)c;
	return -1;
}

const char *rp_dataset_cell(const rp_dataset *ds, size_t row, size_t col)
{
	if (row >= ds->table.nrows || col >= ds->table.ncols)
		return NULL;
	return rp_csv_cell(&ds->table, row, col);
}

/* Called for every typed cell a formatter reads (365,000 times for a
 * report of 5,000 users): the first byte rules out most values. */
rp_cell_kind rp_cell_sentinel(const char *text)
{
	if (!text || !*text)
		return RP_CELL_EMPTY;
	if (text[0] == 'N' && strcmp(text, "N/A") == 0)
		return RP_CELL_NA;
	if (text[0] == 'n' && text[1] == 'o') {
		if (strcmp(text, "no_information") == 0)
			return RP_CELL_NO_INFORMATION;
		if (strcmp(text, "not_supported") == 0)
			return RP_CELL_NOT_SUPPORTED;
	}
	return RP_CELL_VALUE;
}

rp_cell_kind rp_dataset_cell_bool(const rp_dataset *ds, size_t row, size_t col,
				  int *out)
{
	const char *t = rp_dataset_cell(ds, row, col);
	rp_cell_kind k = rp_cell_sentinel(t);

	if (k != RP_CELL_VALUE)
		return k;
	if ((t[0] == 't' && strcmp(t, "true") == 0) ||
	    (t[0] == 'T' && strcmp(t, "TRUE") == 0)) {
		*out = 1;
		return RP_CELL_VALUE;
	}
	if ((t[0] == 'f' && strcmp(t, "false") == 0) ||
	    (t[0] == 'F' && strcmp(t, "FALSE") == 0)) {
		*out = 0;
		return RP_CELL_VALUE;
	}
	return RP_CELL_INVALID;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Seconds from 1970-01-01T00:00:00Z to the given UTC time of the
 * proleptic Gregorian calendar, as timegm gives them: Howard Hinnant's
 * days_from_civil, as in sigv4.c.  It is linear in d and se, so a day past
 * the month's end (February 29 of a common year) and second 60 roll over
 * into the next day and minute as they do with timegm.  timegm took 70%
 * of the time of parsing 130,000 report times (issue #7). */
static long long utc_seconds(int y, int mo, int d, int h, int mi, int se)
{
	long long yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;

	return days * 86400 + h * 3600 + mi * 60 + se;
}

int rp_parse_iso8601(const char *s, time_t *out)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	long long secs;
	time_t t;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	s += 19;
	if (*s == '.') {                       /* fractional seconds: dropped */
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' && s[1] == '\0') {
		sign = 0;
	} else if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':') {
		if (digits(s + 1, 2, &oh) || digits(s + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		sign = *s == '+' ? 1 : -1;
	} else {
		return -1;
	}
	secs = utc_seconds(y, mo, d, h, mi, se);
	t = (time_t)secs;
	/* What timegm refused: a time that does not fit time_t, and -1
	 * (1969-12-31T23:59:59Z), which is its error value. */
	if ((long long)t != secs || t == (time_t)-1)
		return -1;
	*out = t - sign * (oh * 3600 + om * 60);
	return 0;
}

rp_cell_kind rp_dataset_cell_time(const rp_dataset *ds, size_t row, size_t col,
				  time_t *out)
{
	const char *t = rp_dataset_cell(ds, row, col);
	rp_cell_kind k = rp_cell_sentinel(t);

	if (k != RP_CELL_VALUE)
		return k;
	return rp_parse_iso8601(t, out) ? RP_CELL_INVALID : RP_CELL_VALUE;
}

int rp_dataset_row_is_root(const rp_dataset *ds, size_t row)
{
	long c = rp_dataset_column(ds, "user");
	const char *u;

	if (c < 0)
		return 0;
	u = rp_dataset_cell(ds, row, (size_t)c);
	return u && strcmp(u, "<root_account>") == 0;
}

/* RFC 4180, quoting only where needed (or when forced); parses back to
 * the same table.  Written straight into the buffer, or compared where it
 * lies: this runs for every cell of every report saved to the history or
 * the spool. */
#define QUOTE 1  /* the cell goes in quotes */
#define DOUBLE 2 /* and holds quotes, each written twice */
static const unsigned char csv_special[256] = {
	[','] = QUOTE, ['\r'] = QUOTE, ['\n'] = QUOTE, ['"'] = QUOTE | DOUBLE};

/* How cell (r, c) is written: 0 as it is, else QUOTE and maybe DOUBLE. */
static unsigned cell_quoting(const rp_csv_table *t, size_t r, size_t c)
{
	const char *cell = rp_csv_text(t, r * t->ncols + c);
	size_t n = rp_csv_len(t, r * t->ncols + c);
	unsigned q = 0;

	for (size_t i = 0; i < n; i++)
		q |= csv_special[(unsigned char)cell[i]];
	/* Unquoted, rp_csv_parse would read these back differently: an
	 * empty cell alone on its line is a blank line (dropped at the end,
	 * refused mid-file), and U+FEFF opening the file is a byte-order
	 * mark. */
	if ((t->ncols == 1 && !n) ||
	    (r == 0 && c == 0 && strncmp(cell, "\xef\xbb\xbf", 3) == 0))
		q |= QUOTE;
	return q;
}

static char *csv_cell(char *o, const char *s, size_t n, unsigned q)
{
	if (!q) {
		memcpy(o, s, n);
		return o + n;
	}
	*o++ = '"';
	if (q & DOUBLE) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"')
				*o++ = '"';
			*o++ = s[i];
		}
	} else {
		memcpy(o, s, n);
		o += n;
	}
	*o++ = '"';
	return o;
}

int rp_dataset_csv_equals(const rp_dataset *ds, const void *data, size_t len)
{
	const rp_csv_table *t = &ds->table;
	const char *p = data, *end = p + len;

	if (!t->ncols)
		return 0;
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = rp_csv_text(t, r * t->ncols + c);
			size_t n = rp_csv_len(t, r * t->ncols + c);
			unsigned q = cell_quoting(t, r, c);

			if (c && (p == end || *p++ != ','))
				return 0;
			if (!q) {
				if ((size_t)(end - p) < n || memcmp(p, cell, n) != 0)
					return 0;
				p += n;
				continue;
			}
			if (p == end || *p++ != '"')
				return 0;
			for (size_t i = 0; i < n; i++) {
				if (cell[i] == '"' && (p == end || *p++ != '"'))
					return 0;
				if (p == end || *p++ != cell[i])
					return 0;
			}
			if (p == end || *p++ != '"')
				return 0;
		}
		if (p == end || *p++ != '\n')
			return 0;
	}
	return p == end;
}

rp_status rp_dataset_to_csv(const rp_dataset *ds, rp_buf *b)
{
	const rp_csv_table *t = &ds->table;

	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = rp_csv_len(t, r * t->ncols + c);
			char *o;

			/* worst case: the separator, two quotes, every byte a
			 * doubled quote, and the line's end */
			if (n > ((size_t)-1 - 4) / 2 || rp_buf_reserve(b, 2 * n + 4))
				return RP_ERR_NOMEM;
			o = b->data + b->len;
			if (c)
				*o++ = ',';
			o = csv_cell(o, rp_csv_text(t, r * t->ncols + c), n,
				     cell_quoting(t, r, c));
			if (c + 1 == t->ncols)
				*o++ = '\n';
			b->len = (size_t)(o - b->data);
		}
		if (!t->ncols && rp_buf_append(b, "\n", 1))
			return RP_ERR_NOMEM;
	}
	if (b->data)
		b->data[b->len] = '\0';
	return RP_OK;
}

