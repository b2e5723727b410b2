/* test_dataset.c - the dataset: metadata from the arn column, typed cells,
 * sentinels and the root row; rp_parse_iso8601 against the timegm-based
 * parser it replaced. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "tap.h"

static const char report[] =
	"user,arn,password_enabled,mfa_active,password_last_used,user_creation_time\n"
	"<root_account>,arn:aws:iam::123456789012:root,not_supported,true,2026-11-01T10:00:00+00:00,2019-01-01T00:00:00+00:00\n"
	"alice,arn:aws:iam::123456789012:user/alice,true,false,no_information,2020-02-29T23:59:59+09:00\n"
	"bob,arn:aws:iam::123456789012:user/ops/bob,false,maybe,N/A,2021-06-01T12:00:00Z\n"
	"carol,arn:aws:iam::123456789012:user/carol,,TRUE,2021-06-01 12:00,not-a-time\n";

static rp_dataset *load(const char *csv, char *err, size_t errlen)
{
	rp_dataset *ds = NULL;

	if (rp_dataset_from_csv(csv, strlen(csv), "mem.csv", "src", &ds, err,
				errlen))
		return NULL;
	return ds;
}

/* rp_dataset_csv_equals: true exactly for rp_dataset_to_csv's bytes. */
static void csv_equals(void)
{
	static const char *const tables[] = {
		report,
		"user,note\n\"a,b\",\"say \"\"hi\"\"\"\n\"line\nbreak\",\n",
		"\xef\xbb\xbfuser\n\"\"\nx\n",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		rp_dataset *ds = load(tables[i], err, sizeof(err));
		rp_buf b = {0};
		char *bad;

		if (!ok(ds && rp_dataset_to_csv(ds, &b) == RP_OK,
			"csv_equals: table %zu written", i)) {
			rp_dataset_free(ds);
			continue;
		}
		ok(rp_dataset_csv_equals(ds, b.data, b.len),
		   "csv_equals: table %zu equals what rp_dataset_to_csv wrote", i);
		ok(!rp_dataset_csv_equals(ds, b.data, b.len - 1) &&
		   !rp_dataset_csv_equals(ds, b.data, 0),
		   "csv_equals: table %zu cut short is not equal", i);
		bad = malloc(b.len + 2);
		memcpy(bad, b.data, b.len);
		memcpy(bad + b.len, "x", 2);
		ok(!rp_dataset_csv_equals(ds, bad, b.len + 1),
		   "csv_equals: table %zu with a byte more is not equal", i);
		{
			size_t k, same = 0;

			/* Every byte in turn: a changed letter, quote, comma
			 * or line end is seen. */
			for (k = 0; k < b.len; k++) {
				memcpy(bad, b.data, b.len);
				bad[k] ^= 0x20;
				same += rp_dataset_csv_equals(ds, bad, b.len);
			}
			is_int((long long)same, 0,
			       "csv_equals: table %zu with any one byte changed is not equal", i);
		}
		free(bad);
		rp_buf_free(&b);
		rp_dataset_free(ds);
	}
}

/* rp_parse_iso8601 as it was before its own date arithmetic (timegm), kept
 * as the reference the present one must agree with on every input. */
static int digits_ref(const char *s, int n, int *out)
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

static int parse_ref(const char *s, time_t *out)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct tm tm = {0};
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	time_t t;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits_ref(s, 4, &y) || digits_ref(s + 5, 2, &mo) || digits_ref(s + 8, 2, &d) ||
	    digits_ref(s + 11, 2, &h) || digits_ref(s + 14, 2, &mi) ||
	    digits_ref(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' && s[1] == '\0') {
		sign = 0;
	} else if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':') {
		if (digits_ref(s + 1, 2, &oh) || digits_ref(s + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		sign = *s == '+' ? 1 : -1;
	} else {
		return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - sign * (oh * 3600 + om * 60);
	return 0;
}

/* Both parsers on text; counts a disagreement in *bad, showing the first. */
static void agree(const char *text, long *n, long *bad)
{
	time_t a = 0, b = 0;
	int ra = rp_parse_iso8601(text, &a), rb = parse_ref(text, &b);

	(*n)++;
	if (ra != rb || (ra == 0 && a != b)) {
		if (!*bad)
			diag("'%s': %d %lld, timegm's parser %d %lld", text, ra,
			     (long long)a, rb, (long long)b);
		(*bad)++;
	}
}

/* Every month and day a report could hold (and the 29th-31st of months
 * without them, which both roll over), across years that matter to the
 * calendar, hours, minutes and seconds at their edges, the offsets and
 * fractions, and the malformed. */
static void iso8601_like_timegm(void)
{
	static const int years[] = {0, 1, 4, 99, 100, 399, 400, 1600, 1899, 1900,
				    1969, 1970, 1971, 1999, 2000, 2001, 2024,
				    2026, 2038, 2100, 2400, 9999};
	static const char *const times[] = {"00:00:00", "23:59:59", "23:59:60",
					    "12:30:45", "00:00:60"};
	static const char *const zones[] = {"Z", "+00:00", "-00:00", "+09:00",
					    "-12:00", "+23:59", ".5Z", ".123456+00:00",
					    "+24:00", "+09:60", "z", "", "+0900", "Z ", ".Z"};
	static const char *const bad_texts[] = {
		"1969-12-31T23:59:59Z", "1970-01-01T09:59:59+10:00",
		"1970-01-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-32T00:00:00Z",
		"2026-11-30T24:00:00Z", "2026-11-30T23:60:00Z", "2026-11-30T23:59:61Z",
		"2026-11-30 06:00:00+00:00", "2026-11-30t06:00:00Z", "2026-1-30T06:00:00Z",
		"20261130T060000Z", "2026-11-30T06:00:0Z", "+026-11-30T06:00:00Z",
		"2026-11-30T06:00:00", "", "2026-02-29T00:00:00+00:00",
		"2027-02-29T23:59:60Z", "0000-01-01T00:00:00Z",
	};
	char text[64];
	long n = 0, bad = 0;

	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t y = 0; y < sizeof(years) / sizeof(*years); y++)
		for (int mo = 0; mo <= 13; mo++)
			for (int d = 0; d <= 32; d++)
				for (size_t t = 0; t < sizeof(times) / sizeof(*times); t++)
					for (size_t z = 0; z < sizeof(zones) / sizeof(*zones); z++) {
						snprintf(text, sizeof(text), "%04d-%02d-%02dT%s%s",
							 years[y], mo, d, times[t], zones[z]);
						agree(text, &n, &bad);
					}
	for (size_t i = 0; i < sizeof(bad_texts) / sizeof(*bad_texts); i++)
		agree(bad_texts[i], &n, &bad);
	/* Every second of a leap day and of the turn of 1969 to 1970. */
	for (int s = 0; s < 86400; s++) {
		snprintf(text, sizeof(text), "2024-02-29T%02d:%02d:%02d+00:00",
			 s / 3600, s / 60 % 60, s % 60);
		agree(text, &n, &bad);
		snprintf(text, sizeof(text), "1969-12-31T%02d:%02d:%02d-01:00",
			 s / 3600, s / 60 % 60, s % 60);
		agree(text, &n, &bad);
	}
	is_int(bad, 0, "rp_parse_iso8601 agrees with the timegm parser on %ld texts", n);
}

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

/* host->ds_cache_get/put: what one formatter leaves for the others. */
static void cache(void)
{
	char err[256];
	rp_dataset *ds = load("user,arn\na,arn:aws:iam::123456789012:user/a\n",
			      err, sizeof(err));
	int *one = malloc(sizeof(*one)), *two = malloc(sizeof(*two));

	ok(ds && rp_dataset_cache_get(ds, "k/1") == NULL, "an empty cache has nothing");
	is_int(rp_dataset_cache_put(ds, "k/1", one, count_free), RP_OK, "put");
	ok(rp_dataset_cache_get(ds, "k/1") == one, "get finds what was put");
	ok(rp_dataset_cache_get(ds, "k/2") == NULL, "another key finds nothing");
	is_int(rp_dataset_cache_put(ds, "k/1", two, count_free), RP_ERR_EXISTS,
	       "a taken key is refused");
	ok(rp_dataset_cache_get(ds, "k/1") == one, "and the first entry stays");
	is_int(rp_dataset_cache_put(ds, NULL, two, count_free), RP_ERR_INVALID,
	       "a NULL key is refused");
	is_int(rp_dataset_cache_put(ds, "k/2", two, NULL), RP_ERR_INVALID,
	       "a NULL free function is refused");
	is_int(rp_dataset_cache_put(ds, "k/2", two, count_free), RP_OK, "a second key");
	rp_dataset_cache_clear(ds);
	is_int(freed, 2, "clearing frees every entry once");
	ok(rp_dataset_cache_get(ds, "k/1") == NULL, "and leaves the cache empty");
	one = malloc(sizeof(*one));
	is_int(rp_dataset_cache_put(ds, "k/1", one, count_free), RP_OK,
	       "the key can be put again");
	rp_dataset_free(ds);
	is_int(freed, 3, "freeing the dataset frees its cache");
}

int main(void)
{
	char err[512] = "";
	rp_dataset *ds = load(report, err, sizeof(err));
	int b = -1;
	time_t t = 0;
	long pw, mfa, last, created;

	ok(ds != NULL, "report parses (%s)", err);
	if (!ds)
		return done_testing();
	is_int((long long)ds->table.nrows, 4, "four data rows");
	pw = rp_dataset_column(ds, "password_enabled");
	mfa = rp_dataset_column(ds, "mfa_active");
	last = rp_dataset_column(ds, "password_last_used");
	created = rp_dataset_column(ds, "user_creation_time");
	is_int(pw, 2, "columns are found by header name");
	is_int(rp_dataset_column(ds, "access_key_3_active"), -1,
	       "an absent column is -1");

	is_int(rp_dataset_set_meta(ds, NULL, NULL, 1700000000, err, sizeof(err)),
	       RP_OK, "account and partition derive from the arn column");
	is_str(ds->meta.account_id, "123456789012", "account id");
	is_str(ds->meta.partition, "aws", "partition");
	is_str(ds->meta.source, "src", "source name");
	is_int((long long)ds->meta.generated_time, 1700000000, "generated time kept");

	ok(rp_dataset_row_is_root(ds, 0), "row 0 is the root account");
	ok(!rp_dataset_row_is_root(ds, 1), "row 1 is a user");

	is_int(rp_dataset_cell_bool(ds, 0, (size_t)pw, &b), RP_CELL_NOT_SUPPORTED,
	       "not_supported is a sentinel, not a bool");
	is_int(rp_dataset_cell_bool(ds, 1, (size_t)pw, &b), RP_CELL_VALUE, "true parses");
	is_int(b, 1, "true is 1");
	is_int(rp_dataset_cell_bool(ds, 1, (size_t)mfa, &b), RP_CELL_VALUE, "false parses");
	is_int(b, 0, "false is 0");
	is_int(rp_dataset_cell_bool(ds, 2, (size_t)mfa, &b), RP_CELL_INVALID,
	       "'maybe' is not a bool");
	is_int(rp_dataset_cell_bool(ds, 3, (size_t)pw, &b), RP_CELL_EMPTY,
	       "an empty cell is EMPTY");

	is_int(rp_dataset_cell_time(ds, 0, (size_t)last, &t), RP_CELL_VALUE,
	       "ISO 8601 with +00:00 parses");
	is_int((long long)t, 1793527200LL, "2026-11-01T10:00:00Z as epoch");
	is_int(rp_dataset_cell_time(ds, 1, (size_t)created, &t), RP_CELL_VALUE,
	       "an offset of +09:00 parses");
	is_int((long long)t, 1582988399LL, "+09:00 is subtracted (2020-02-29T14:59:59Z)");
	is_int(rp_dataset_cell_time(ds, 2, (size_t)created, &t), RP_CELL_VALUE,
	       "a Z suffix parses");
	is_int((long long)t, 1622548800LL, "2021-06-01T12:00:00Z");
	is_int(rp_dataset_cell_time(ds, 1, (size_t)last, &t), RP_CELL_NO_INFORMATION,
	       "no_information is a sentinel");
	is_int(rp_dataset_cell_time(ds, 2, (size_t)last, &t), RP_CELL_NA,
	       "N/A is a sentinel");
	is_int(rp_dataset_cell_time(ds, 3, (size_t)last, &t), RP_CELL_INVALID,
	       "a time without seconds or zone is invalid");
	is_int(rp_dataset_cell_time(ds, 3, (size_t)created, &t), RP_CELL_INVALID,
	       "text is not a time");
	is_int(rp_parse_iso8601("2026-13-01T00:00:00Z", &t), -1, "month 13 refused");
	is_int(rp_parse_iso8601("2026-11-30T06:00:00.123456+00:00", &t), 0,
	       "fractional seconds accepted");
	rp_dataset_free(ds);

	ds = load("user,arn\na,arn:aws:iam::123456789012:user/a\n"
		  "b,arn:aws:iam::210987654321:user/b\n", err, sizeof(err));
	ok(ds && rp_dataset_set_meta(ds, NULL, NULL, 0, err, sizeof(err)) == RP_ERR_PARSE,
	   "rows from two accounts are refused");
	like(err, "row 3 in 210987654321", "the message names the row and account");
	ok(ds && rp_dataset_set_meta(ds, "111122223333", "aws", 0, err, sizeof(err)) == RP_OK &&
	   strcmp(ds->meta.account_id, "111122223333") == 0,
	   "an explicit account_id wins over the rows");
	rp_dataset_free(ds);

	ds = load("user,arn\na,arn:aws-cn:iam::123456789012:user/a\n", err, sizeof(err));
	ok(ds && rp_dataset_set_meta(ds, NULL, NULL, 0, err, sizeof(err)) == RP_OK &&
	   strcmp(ds->meta.partition, "aws-cn") == 0, "aws-cn partition");
	rp_dataset_free(ds);

	ds = load("user,arn\na,not-an-arn\n", err, sizeof(err));
	ok(ds && rp_dataset_set_meta(ds, NULL, NULL, 0, err, sizeof(err)) == RP_ERR_PARSE,
	   "a malformed arn is refused");
	like(err, "mem.csv: row 2: column 'arn'", "naming file, row and column");
	rp_dataset_free(ds);

	ds = load("user,arn\n\"unterminated,x\n", err, sizeof(err));
	ok(!ds && strstr(err, "mem.csv:2:1:"), "CSV errors carry origin:line:column (%s)", err);
	iso8601_like_timegm();
	cache();
	csv_equals();
	return done_testing();
}
