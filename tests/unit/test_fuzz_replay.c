/* test_fuzz_replay.c - replays every file of fuzz/corpus/NAME/ and
 * fuzz/regressions/NAME/ through the fuzz targets' own entries
 * (fuzz/fuzz_NAME.c, built here by gcc with -DRP_FUZZ_REPLAY), so a crash
 * found once stays fixed even where clang is not installed.
 *
 * A target aborts when the code under test breaks a promise; otherwise it
 * says whether the input was accepted.  Seeds named good-* must be
 * accepted and bad-* refused; any other file must merely not crash.  A
 * few seeds are also checked for what they must parse to. */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "csv.h"
#include "dataset.h"
#include "fuzz.h"
#include "tap.h"
#include "util.h"

static const struct {
	const char *name;
	int (*entry)(const uint8_t *data, size_t size);
} targets[] = {
	{"csv", rp_fuzz_csv},
	{"xml", rp_fuzz_xml},
	{"creds", rp_fuzz_creds},
	{"conffile", rp_fuzz_conffile},
	{"template", rp_fuzz_template},
};

static const char *srcdir;

static char *slurp(const char *dir, const char *name, const char *file,
		   size_t *len)
{
	char *path = rp_asprintf("%s/fuzz/%s/%s/%s", srcdir, dir, name, file);
	char *data = NULL;

	if (path && rp_read_file(path, &data, len) != RP_OK)
		data = NULL;
	free(path);
	return data;
}

static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Returns how many files dir/name/ holds (0 when it does not exist). */
static int replay_dir(size_t t, const char *dir)
{
	struct dirent **list;
	char *path = rp_asprintf("%s/fuzz/%s/%s", srcdir, dir, targets[t].name);
	int n = path ? scandir(path, &list, visible, alphasort) : -1;

	free(path);
	for (int i = 0; i < n; i++) {
		const char *file = list[i]->d_name;
		size_t len;
		char *data = slurp(dir, targets[t].name, file, &len);
		int rc;

		if (!ok(data != NULL, "%s/%s/%s is readable", dir, targets[t].name,
			file)) {
			free(list[i]);
			continue;
		}
		rc = targets[t].entry((const uint8_t *)data, len);
		if (strncmp(file, "good-", 5) == 0)
			is_int(rc, RP_FUZZ_ACCEPTED, "%s/%s/%s is accepted", dir,
			       targets[t].name, file);
		else if (strncmp(file, "bad-", 4) == 0)
			is_int(rc, RP_FUZZ_REFUSED, "%s/%s/%s is refused", dir,
			       targets[t].name, file);
		else
			ok(rc == RP_FUZZ_ACCEPTED || rc == RP_FUZZ_REFUSED,
			   "%s/%s/%s replays", dir, targets[t].name, file);
		free(data);
		free(list[i]);
	}
	if (n > 0)
		free(list);
	return n < 0 ? 0 : n;
}

static void csv_seeds(void)
{
	rp_csv_table t = {0};
	rp_csv_error e = {0};
	rp_dataset *ds = NULL;
	rp_buf b = {0};
	char err[256] = "", *data;
	size_t len;

	data = slurp("corpus", "csv", "good-sample-report.csv", &len);
	ok(data && rp_csv_parse(data, len, &t, &e) == 0,
	   "the sample credential report parses");
	if (data && t.offs) {
		is_int((long long)t.nrows, 11, "  to its 11 users");
		is_int((long long)t.ncols, 22, "  in the report's 22 columns");
		rp_csv_table_free(&t);
	}
	free(data);

	data = slurp("corpus", "csv", "bad-unterminated.csv", &len);
	ok(data && rp_csv_parse(data, len, &t, &e) == -1,
	   "an unterminated quoted field is refused");
	like(e.message, "unterminated quoted field", "  with the reason");
	is_int((long long)e.line, 2, "  at the line of its opening quote");
	free(data);

	/* Found by fuzz_csv: the spool's CSV of a one-column table lost an
	 * empty cell (a blank line). */
	data = slurp("regressions", "csv", "one-column-empty-cell.csv", &len);
	ok(data && rp_dataset_from_csv(data, len, "x.csv", "x", &ds, err,
				       sizeof(err)) == RP_OK,
	   "a one-column table with an empty cell loads");
	if (ds) {
		ok(rp_dataset_to_csv(ds, &b) == RP_OK && b.data &&
		   rp_csv_parse(b.data, b.len, &t, &e) == 0 && t.nrows == 1,
		   "  and its CSV parses back to one row");
		rp_csv_table_free(&t);
		rp_dataset_free(ds);
	}
	rp_buf_free(&b);
	free(data);
}

static void creds_seeds(void)
{
	rp_aws_credentials c = {0};
	char why[256] = "", *data;
	size_t len;

	data = slurp("corpus", "creds", "good-container.json", &len);
	ok(data && rp_creds_parse_json(data, len, RP_CREDS_JSON_CONTAINER, &c,
				       why, sizeof(why)) == RP_OK,
	   "the container agent's answer parses (%s)", why);
	is_str(c.access_key_id, "ASIAIOSFODNN7EXAMPLE", "  access key id");
	is_int((long long)c.expiration, 1893553445LL, "  Expiration");
	rp_aws_credentials_free(&c);
	free(data);

	data = slurp("corpus", "creds", "bad-process-version-2.json", &len);
	ok(data && rp_creds_parse_json(data, len, RP_CREDS_JSON_PROCESS, &c,
				       why, sizeof(why)) == RP_ERR_REMOTE,
	   "credential_process Version 2 is refused");
	is_str(why, "printed Version 2; reportpipe understands Version 1",
	       "  saying which Version it printed");
	free(data);

	/* Found by fuzz_creds: an empty Code left the reason empty. */
	why[0] = '\0';
	data = slurp("regressions", "creds", "imds-empty-code.json", &len);
	ok(data && rp_creds_parse_json(data, len, RP_CREDS_JSON_IMDS, &c, why,
				       sizeof(why)) == RP_ERR_REMOTE,
	   "instance metadata with an empty Code is refused");
	like(why, "Code is empty", "  with a reason");
	free(data);
}

int main(void)
{
	srcdir = getenv("top_srcdir");
	if (!srcdir)
		srcdir = ".";
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		int seeds = replay_dir(t, "corpus");

		ok(seeds >= 3, "fuzz/corpus/%s has seeds (%d)", targets[t].name,
		   seeds);
		replay_dir(t, "regressions");
	}
	csv_seeds();
	creds_seeds();
	return done_testing();
}
