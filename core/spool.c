/* spool.c - undelivered artifacts kept on disk for the next run, and the
 * lock that keeps two runs off one spool.
 *
 * Layout of an entry, state_dir/spool/20261130T060000Z-1234-0/:
 *   meta          "key=value" lines: source, account_id, partition,
 *                 generated_time, origin, then one "artifact=" line per
 *                 artifact: format TAB media type TAB extension TAB file
 *   dataset.csv   the dataset's table
 *   a0.csv ...    the artifacts' bytes
 *   pending/NAME  one empty file per sink still to deliver
 * Files are created 0600 in directories 0700: reports hold account data. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

rp_status rp_mkdirs(const char *path, unsigned mode, char *err, size_t errlen)
{
	char *p = rp_strdup(path);

	if (!p)
		return RP_ERR_NOMEM;
	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", p,
				 strerror(errno));
			free(p);
			return RP_ERR_IO;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return RP_OK;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Values in meta are single-line by construction; make sure of it. */
static int one_line(const char *s)
{
	return !strpbrk(s, "\r\n\t");
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = rp_path_join(dir, e->d_name);
			if (!p)
				continue;
			if (unlink(p) != 0 && (errno == EISDIR || errno == EPERM))
				remove_tree(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

rp_status rp_spool_write(const char *state_dir, const rp_dataset *ds,
			 const rp_spooled_artifact *arts, size_t narts,
			 const char *const *pending, size_t npending, char **dir,
			 char *err, size_t errlen)
{
	static unsigned seq;
	char *spool = rp_path_join(state_dir, "spool"), *tmp = NULL, *final = NULL;
	char id[96], stamp[32], *p = NULL, *same = NULL;
	rp_buf meta = {0}, csv = {0};
	struct tm tm;
	time_t now = time(NULL);
	rp_status st;

	*dir = NULL;
	if (!spool)
		return RP_ERR_NOMEM;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(id, sizeof(id), "%s-%ld-%u", stamp, (long)getpid(), seq++);
	tmp = rp_asprintf("%s/.tmp-%s", spool, id);
	final = rp_asprintf("%s/%s", spool, id);
	if (!tmp || !final) {
		st = RP_ERR_NOMEM;
		goto fail;
	}
	st = rp_mkdirs(tmp, 0700, err, errlen);
	if (st)
		goto fail;
	if (!one_line(ds->meta.source) || !one_line(ds->meta.account_id) ||
	    !one_line(ds->meta.partition) || !one_line(ds->origin)) {
		snprintf(err, errlen, "dataset metadata holds a line break");
		st = RP_ERR_INVALID;
		goto fail;
	}
	st = rp_buf_printf(&meta,
			   "source=%s\naccount_id=%s\npartition=%s\ngenerated_time=%lld\norigin=%s\n",
			   ds->meta.source, ds->meta.account_id, ds->meta.partition,
			   (long long)ds->meta.generated_time, ds->origin);
	for (size_t i = 0; i < narts && !st; i++) {
		if (!one_line(arts[i].format) || !one_line(arts[i].media_type) ||
		    !one_line(arts[i].extension)) {
			st = RP_ERR_INVALID;
			break;
		}
		st = rp_buf_printf(&meta, "artifact=%s\t%s\t%s\ta%zu.%s\n",
				   arts[i].format, arts[i].media_type,
				   arts[i].extension, i, arts[i].extension);
		if (st)
			break;
		free(p);
		p = rp_asprintf("%s/a%zu.%s", tmp, i, arts[i].extension);
		if (!p) {
			st = RP_ERR_NOMEM;
			break;
		}
		st = rp_write_new_file(p, arts[i].data, arts[i].len, err, errlen);
		/* A csv artifact is often the dataset's table byte for byte:
		 * then dataset.csv is that file once more. */
		if (!st && !same && rp_dataset_csv_equals(ds, arts[i].data, arts[i].len)) {
			same = p;
			p = NULL;
		}
	}
	if (!st) {
		free(p);
		p = rp_path_join(tmp, "dataset.csv");
		if (!p)
			st = RP_ERR_NOMEM;
	}
	/* The table already on disk as an artifact: linked rather than
	 * written again.  Written if that fails. */
	if (!st && !(same && link(same, p) == 0)) {
		st = rp_dataset_to_csv(ds, &csv);
		if (!st)
			st = rp_write_new_file(p, csv.data ? csv.data : "", csv.len,
					       err, errlen);
	}
	if (!st) {
		free(p);
		p = rp_path_join(tmp, "meta");
		st = p ? rp_write_new_file(p, meta.data, meta.len, err, errlen) : RP_ERR_NOMEM;
	}
	if (!st) {
		free(p);
		p = rp_path_join(tmp, "pending");
		if (!p || mkdir(p, 0700) != 0)
			st = p ? RP_ERR_IO : RP_ERR_NOMEM;
	}
	for (size_t i = 0; i < npending && !st; i++) {
		free(p);
		p = rp_asprintf("%s/pending/%s", tmp, pending[i]);
		st = p ? rp_write_new_file(p, "", 0, err, errlen) : RP_ERR_NOMEM;
	}
	if (!st) {
		free(p);
		p = rp_path_join(tmp, "pending");
		if (p)
			sync_dir(p);
		sync_dir(tmp);
		if (rename(tmp, final) != 0) {
			snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, final,
				 strerror(errno));
			st = RP_ERR_IO;
		}
		sync_dir(spool);
	}
	if (st)
		goto fail;
	*dir = final;
	final = NULL;
fail:
	if (st && tmp)
		remove_tree(tmp);
	free(p);
	free(same);
	free(tmp);
	free(final);
	free(spool);
	rp_buf_free(&meta);
	rp_buf_free(&csv);
	return st;
}

rp_status rp_spool_done(const char *dir, const char *sink, char *err,
			size_t errlen)
{
	char *pend = rp_path_join(dir, "pending"), *p = NULL;
	DIR *d;
	struct dirent *e;
	int left = 0;

	if (!pend)
		return RP_ERR_NOMEM;
	p = rp_asprintf("%s/%s", pend, sink);
	if (!p) {
		free(pend);
		return RP_ERR_NOMEM;
	}
	if (unlink(p) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", p, strerror(errno));
		free(p);
		free(pend);
		return RP_ERR_IO;
	}
	sync_dir(pend);
	d = opendir(pend);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			left++;
	if (d)
		closedir(d);
	if (!left)
		remove_tree(dir);
	free(p);
	free(pend);
	return RP_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

rp_status rp_spool_list(const char *state_dir, char ***dirs, size_t *n)
{
	char *spool = rp_path_join(state_dir, "spool");
	DIR *d;
	struct dirent *e;
	char **v = NULL, **g;
	size_t count = 0;

	*dirs = NULL;
	*n = 0;
	if (!spool)
		return RP_ERR_NOMEM;
	d = opendir(spool);
	if (!d) {
		free(spool);
		return RP_OK; /* no spool yet */
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* also half-written .tmp-* entries */
		g = realloc(v, (count + 1) * sizeof(*g));
		if (!g)
			break;
		v = g;
		v[count] = rp_path_join(spool, e->d_name);
		if (v[count])
			count++;
	}
	closedir(d);
	free(spool);
	if (v)
		qsort(v, count, sizeof(*v), by_name);
	*dirs = v;
	*n = count;
	return RP_OK;
}

rp_status rp_spool_load(const char *dir, rp_spool_entry *e, char *err,
			size_t errlen)
{
	char *meta = NULL, *csv = NULL, *p = NULL, *line, *save = NULL;
	char *source = NULL, *account = NULL, *partition = NULL, *origin = NULL;
	long long gt = 0;
	size_t mlen, clen;
	rp_status st;
	DIR *d;
	struct dirent *de;

	memset(e, 0, sizeof(*e));
	e->dir = rp_strdup(dir);
	e->id = rp_strdup(strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
	if (!e->dir || !e->id)
		return RP_ERR_NOMEM;
	p = rp_path_join(dir, "meta");
	st = p ? rp_read_file(p, &meta, &mlen) : RP_ERR_NOMEM;
	if (st) {
		snprintf(err, errlen, "spool entry %s: cannot read its meta file", dir);
		goto out;
	}
	for (line = strtok_r(meta, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "source"))
			source = eq;
		else if (!strcmp(line, "account_id"))
			account = eq;
		else if (!strcmp(line, "partition"))
			partition = eq;
		else if (!strcmp(line, "origin"))
			origin = eq;
		else if (!strcmp(line, "generated_time"))
			gt = atoll(eq);
		else if (!strcmp(line, "artifact")) {
			char *f[4], *s2 = NULL, *file;
			rp_spooled_artifact *g;
			size_t k = 0;

			for (char *t = strtok_r(eq, "\t", &s2); t && k < 4;
			     t = strtok_r(NULL, "\t", &s2))
				f[k++] = t;
			if (k != 4 || strchr(f[3], '/')) {
				snprintf(err, errlen, "spool entry %s: malformed artifact line", dir);
				st = RP_ERR_PARSE;
				goto out;
			}
			g = realloc(e->arts, (e->narts + 1) * sizeof(*g));
			if (!g) {
				st = RP_ERR_NOMEM;
				goto out;
			}
			e->arts = g;
			memset(&g[e->narts], 0, sizeof(*g));
			g[e->narts].format = rp_strdup(f[0]);
			g[e->narts].media_type = rp_strdup(f[1]);
			g[e->narts].extension = rp_strdup(f[2]);
			file = rp_path_join(dir, f[3]);
			e->narts++;
			st = file ? rp_read_file(file, &g[e->narts - 1].data,
						 &g[e->narts - 1].len)
				  : RP_ERR_NOMEM;
			free(file);
			if (st || !g[e->narts - 1].format || !g[e->narts - 1].media_type ||
			    !g[e->narts - 1].extension) {
				snprintf(err, errlen, "spool entry %s: cannot read artifact %s",
					 dir, f[3]);
				st = st ? st : RP_ERR_NOMEM;
				goto out;
			}
		}
	}
	free(p);
	p = rp_path_join(dir, "dataset.csv");
	st = p ? rp_read_file_lead(p, 1, &csv, &clen) : RP_ERR_NOMEM;
	if (!st) {
		st = rp_dataset_from_csv_inplace(csv, clen, origin ? origin : dir,
						 source ? source : "", &e->ds, err,
						 errlen);
		csv = NULL; /* the dataset's now, or freed */
	}
	if (!st)
		st = rp_dataset_set_meta(e->ds, account && *account ? account : NULL,
					 partition ? partition : "", (time_t)gt, err,
					 errlen);
	if (st) {
		if (!err[0])
			snprintf(err, errlen, "spool entry %s: cannot read dataset.csv", dir);
		goto out;
	}
	free(p);
	p = rp_path_join(dir, "pending");
	d = p ? opendir(p) : NULL;
	while (d && (de = readdir(d))) {
		char **g;

		if (de->d_name[0] == '.')
			continue;
		g = realloc(e->pending, (e->npending + 1) * sizeof(*g));
		if (!g)
			break;
		e->pending = g;
		g[e->npending] = rp_strdup(de->d_name);
		if (g[e->npending])
			e->npending++;
	}
	if (d)
		closedir(d);
	if (e->pending)
		qsort(e->pending, e->npending, sizeof(*e->pending), by_name);
out:
	free(p);
	free(meta);
	free(csv);
	if (st)
		rp_spool_entry_free(e);
	return st;
}

void rp_spool_entry_free(rp_spool_entry *e)
{
	for (size_t i = 0; i < e->narts; i++) {
		free(e->arts[i].format);
		free(e->arts[i].media_type);
		free(e->arts[i].extension);
		free(e->arts[i].data);
	}
	free(e->arts);
	for (size_t i = 0; i < e->npending; i++)
		free(e->pending[i]);
	free(e->pending);
	rp_dataset_free(e->ds);
	free(e->dir);
	free(e->id);
	memset(e, 0, sizeof(*e));
}

rp_status rp_lock_acquire(const char *state_dir, int *fd, char *err,
			  size_t errlen)
{
	char *path = rp_path_join(state_dir, "lock"), pidbuf[32];
	int f;
	ssize_t n;

	*fd = -1;
	if (!path)
		return RP_ERR_NOMEM;
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0) {
		snprintf(err, errlen, "cannot open the lock file %s: %s", path,
			 strerror(errno));
		free(path);
		return RP_ERR_IO;
	}
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		n = pread(f, pidbuf, sizeof(pidbuf) - 1, 0);
		pidbuf[n > 0 ? n : 0] = '\0';
		pidbuf[strcspn(pidbuf, "\n")] = '\0';
		snprintf(err, errlen,
			 "another reportpipe run (pid %s) holds %s; this run stops to avoid overlapping it",
			 pidbuf[0] ? pidbuf : "unknown", path);
		close(f);
		free(path);
		return RP_ERR_EXISTS;
	}
	/* The lock is the flock, not the file: a dead holder's lock is gone
	 * with its process.  The pid is there for the message above. */
	if (ftruncate(f, 0) == 0) {
		n = snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
		if (pwrite(f, pidbuf, (size_t)n, 0) != n)
			(void)0;
	}
	free(path);
	*fd = f;
	return RP_OK;
}

void rp_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
