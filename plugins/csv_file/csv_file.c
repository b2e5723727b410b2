/* csv_file.c - source plugin: an IAM credential report saved as a CSV
 * file (downloaded from the console, or kept from an earlier run). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <reportpipe/plugin.h>

static const rp_option options[] = {
	{.key = "path", .type = RP_OPT_PATH, .flags = RP_OPT_REQUIRED,
	 .description = "the credential report CSV to read"},
	{.key = "account_id", .type = RP_OPT_STRING,
	 .description = "the 12-digit account (default: from the arn column; rows must agree)"},
	{.key = "generated_time", .type = RP_OPT_STRING,
	 .description = "when the report was generated, ISO 8601 (default: the file's modification time)"},
	{0}
};

static rp_status csv_file_init(rp_instance *self, const rp_host *host)
{
	const char *gt = host->opt_string(self, "generated_time");
	const char *acct = host->opt_string(self, "account_id");
	time_t t;

	if (acct && (strlen(acct) != 12 || strspn(acct, "0123456789") != 12)) {
		host->set_error(self,
				"account_id: '%s' is not a 12-digit AWS account id",
				acct);
		return RP_ERR_CONFIG;
	}
	if (gt && host->parse_time(gt, &t)) {
		host->set_error(self,
				"generated_time: '%s' is not an ISO 8601 time; write it like 2026-11-30T06:00:00+00:00",
				gt);
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

static rp_status read_all(FILE *f, char **data, size_t *len)
{
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap), *g;

	if (!buf)
		return RP_ERR_NOMEM;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			g = realloc(buf, cap * 2);
			if (!g) {
				free(buf);
				return RP_ERR_NOMEM;
			}
			buf = g;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return RP_ERR_IO;
	}
	*data = buf;
	*len = n;
	return RP_OK;
}

static rp_status csv_file_produce(rp_instance *self, const rp_host *host)
{
	const char *path = host->opt_string(self, "path");
	const char *gt = host->opt_string(self, "generated_time");
	rp_dataset *ds = NULL;
	char *data = NULL;
	size_t len = 0;
	struct stat sb;
	time_t generated;
	rp_status st;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		host->set_error(self, "cannot open %s: %s; check 'path'", path,
				strerror(errno));
		return errno == ENOENT ? RP_ERR_NOT_FOUND : RP_ERR_IO;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		host->set_error(self, "%s is not a regular file; check 'path'", path);
		fclose(f);
		return RP_ERR_IO;
	}
	st = read_all(f, &data, &len);
	fclose(f);
	if (st) {
		host->set_error(self, "cannot read %s: %s", path, host->strerror(st));
		return st;
	}
	generated = sb.st_mtime;
	if (gt)
		host->parse_time(gt, &generated); /* checked in init */
	st = host->dataset_from_csv(self, data, len, path, &ds);
	free(data);
	if (st)
		return st;
	st = host->dataset_set_meta(self, ds, host->opt_string(self, "account_id"),
				    NULL, generated);
	if (st) {
		host->dataset_free(ds);
		return st;
	}
	return host->emit_dataset(self, ds);
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SOURCE,
	.name = "csv_file",
	.description = "reads an IAM credential report from a CSV file",
	.options = options,
	.init = csv_file_init,
	.produce = csv_file_produce,
};
