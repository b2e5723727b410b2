/* test_dataset.c - the dataset: metadata from the arn column, typed cells,
 * sentinels and the root row. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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
	return done_testing();
}
