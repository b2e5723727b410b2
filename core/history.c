/* history.c - earlier reports, kept per source and account.
 *
 * state_dir/history/SOURCE/ACCOUNT/20261130T060000Z.csv: the file name is
 * the report's generated time, so names sort by time and a re-run of the
 * same report replaces its own entry instead of adding one. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "spool.h"

static char *entry_dir(const char *state_dir, const rp_dataset *ds)
{
	return rp_asprintf("%s/history/%s/%s", state_dir, ds->meta.source,
			   ds->meta.account_id[0] ? ds->meta.account_id : "unknown");
}

static void stamp(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y%m%dT%H%M%SZ.csv", &tm);
}

static int is_entry(const char *name)
{
	size_t n = strlen(name);

	return n == 20 && strcmp(name + 16, ".csv") == 0 && name[8] == 'T';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entry names in dir, sorted oldest first. */
static rp_status list(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL, **g;
	size_t count = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return RP_OK;
	while ((e = readdir(d))) {
		if (!is_entry(e->d_name))
			continue;
		g = realloc(v, (count + 1) * sizeof(*g));
		if (!g || !(g[count] = rp_strdup(e->d_name))) {
			if (g)
				v = g;
			closedir(d);
			for (size_t i = 0; i < count; i++)
				free(v[i]);
			free(v);
			return RP_ERR_NOMEM;
		}
		v = g;
		count++;
	}
	closedir(d);
	if (v)
		qsort(v, count, sizeof(*v), by_name);
	*names = v;
	*n = count;
	return RP_OK;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

rp_status rp_history_save(const char *state_dir, const rp_dataset *ds,
			  long keep, const char *from, char *err,
			  size_t errlen)
{
	char *dir = NULL, *tmp = NULL, *final = NULL, name[32], **names = NULL;
	rp_buf csv = {0};
	size_t n = 0;
	rp_status st;

	if (keep <= 0)
		return RP_OK;
	dir = entry_dir(state_dir, ds);
	if (!dir)
		return RP_ERR_NOMEM;
	stamp(ds->meta.generated_time, name, sizeof(name));
	tmp = rp_asprintf("%s/.tmp-%ld-%s", dir, (long)getpid(), name);
	final = rp_asprintf("%s/%s", dir, name);
	st = tmp && final ? rp_mkdirs(dir, 0700, err, errlen) : RP_ERR_NOMEM;
	if (!st) {
		unlink(tmp);
		if (!(from && link(from, tmp) == 0)) {
			st = rp_dataset_to_csv(ds, &csv);
			if (!st)
				st = rp_write_new_file(tmp, csv.data ? csv.data : "",
						       csv.len, err, errlen);
		}
	}
	if (!st && rename(tmp, final) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, final,
			 strerror(errno));
		unlink(tmp);
		st = RP_ERR_IO;
	}
	/* Keep the newest `keep`; the oldest go first. */
	if (!st && !(st = list(dir, &names, &n)))
		for (size_t i = 0; i + (size_t)keep < n; i++) {
			char *old = rp_asprintf("%s/%s", dir, names[i]);

			if (old)
				unlink(old);
			free(old);
		}
	free_names(names, n);
	rp_buf_free(&csv);
	free(tmp);
	free(final);
	free(dir);
	return st;
}

rp_status rp_history_previous(const char *state_dir, const rp_dataset *ds,
			      rp_dataset **prev, char *err, size_t errlen)
{
	char *dir = entry_dir(state_dir, ds), name[32], **names = NULL;
	char *path = NULL, *data = NULL;
	const char *pick = NULL;
	size_t n = 0, len;
	struct tm tm = {0};
	rp_status st;

	*prev = NULL;
	if (!dir)
		return RP_ERR_NOMEM;
	stamp(ds->meta.generated_time, name, sizeof(name));
	st = list(dir, &names, &n);
	/* The same report seen before counts as its own previous one, so a
	 * re-run (cron twice, or by hand) shows no changes instead of
	 * appending the same events to a ledger again. */
	for (size_t i = 0; !st && i < n; i++)
		if (strcmp(names[i], name) <= 0)
			pick = names[i];
	if (st || !pick)
		goto out;
	path = rp_asprintf("%s/%s", dir, pick);
	/* Read with a spare byte in front and parsed where it lies. */
	st = path ? rp_read_file_lead(path, 1, &data, &len) : RP_ERR_NOMEM;
	if (!st) {
		st = rp_dataset_from_csv_inplace(data, len, path, ds->meta.source,
						 prev, err, errlen);
		data = NULL; /* the dataset's now, or freed */
	}
	if (!st && !strptime(pick, "%Y%m%dT%H%M%SZ", &tm))
		st = RP_ERR_PARSE;
	if (!st)
		st = rp_dataset_set_meta(*prev, ds->meta.account_id[0] ? ds->meta.account_id : NULL,
					 ds->meta.partition, timegm(&tm), err, errlen);
	if (st) {
		if (!err[0])
			snprintf(err, errlen, "cannot read the previous report %s", path);
		rp_dataset_free(*prev);
		*prev = NULL;
	}
out:
	free_names(names, n);
	free(data);
	free(path);
	free(dir);
	return st;
}
