/* file.c - sink plugin: writes each artifact to a local file, atomically
 * (temporary file in the same directory, fsync, rename), never clobbering
 * a different report unless told to; or, with append = true, adds each
 * run's rows to one growing file (the change ledger) just as atomically. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reportpipe/plugin.h>

static const rp_option options[] = {
	{.key = "path", .type = RP_OPT_PATH,
	 .flags = RP_OPT_REQUIRED | RP_OPT_TEMPLATE,
	 .description = "where to write, e.g. out/{date:%Y%m%d}_{account_id}_iam_credential_report.{ext}"},
	{.key = "mode", .type = RP_OPT_INT, .flags = RP_OPT_OCTAL,
	 .default_value = "0640", .min = 0, .max = 0777,
	 .description = "permissions of the written files (octal)"},
	{.key = "overwrite", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "replace an existing file whose content differs"},
	{.key = "append", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "add each artifact but its first (header) line to the file; the whole artifact when the file is new"},
	{0}
};

/* Paths written in this run and whose dataset they held, so two datasets
 * (sources or accounts) that expand to one path are caught instead of the
 * second silently winning.  The same source and account may come twice:
 * an older report from the spool, then this run's. */
typedef struct file_sink {
	char **paths;
	char **owners;  /* "source/account" */
	size_t n;
} file_sink;

static rp_status file_init(rp_instance *self, const rp_host *host)
{
	const char *tmpl = host->opt_string(self, "path");
	size_t n = host->sink_input_count(self);
	char **paths = calloc(n ? n : 1, sizeof(*paths));
	rp_status st = RP_OK;

	if (host->opt_bool(self, "append") && host->opt_bool(self, "overwrite")) {
		host->set_error(self,
				"append = true adds rows to the file and overwrite = true replaces it: set only one");
		free(paths);
		return RP_ERR_CONFIG;
	}
	if (!paths)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < n && !st; i++) {
		st = host->expand(self, tmpl, NULL, host->sink_input(self, i),
				  &paths[i]);
		for (size_t j = 0; j < i && !st; j++)
			if (strcmp(paths[i], paths[j]) == 0) {
				host->set_error(self,
						"path: inputs '%s' and '%s' would both be written to %s; put {format} or {ext} in path",
						host->artifact_format(host->sink_input(self, j)),
						host->artifact_format(host->sink_input(self, i)),
						paths[i]);
				st = RP_ERR_CONFIG;
			}
	}
	for (size_t i = 0; i < n; i++)
		host->free(paths[i]);
	free(paths);
	if (st)
		return st;
	file_sink *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return RP_ERR_NOMEM;
	host->set_instance_data(self, fs);
	return RP_OK;
}

static void file_fini(rp_instance *self, const rp_host *host)
{
	file_sink *fs = host->instance_data(self);

	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->paths[i]);
		free(fs->owners[i]);
	}
	free(fs->paths);
	free(fs->owners);
	free(fs);
}

static rp_status mkdirs(rp_instance *self, const rp_host *host, char *path)
{
	/* path is a file path; create every missing parent. */
	for (char *p = path + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			host->set_error(self, "cannot create directory %s: %s", path,
					strerror(errno));
			*p = '/';
			return RP_ERR_IO;
		}
		*p = '/';
	}
	return RP_OK;
}

/* 1 identical, 0 different, -1 absent. */
static int compare_existing(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t off = 0, n;
	int same = 1;

	if (!f)
		return -1;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (off + n > len || memcmp(buf, (const char *)data + off, n) != 0)
			same = 0;
		off += n;
	}
	if (ferror(f) || off != len)
		same = 0;
	fclose(f);
	return same;
}

/* A hidden temporary file beside path (rename(2) is atomic only within
 * one file system); *tmp is freed by the caller. */
static rp_status temp_open(rp_instance *self, const rp_host *host,
			   const char *path, mode_t mode, char **tmp, int *fd)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) : 0;

	*fd = -1;
	*tmp = malloc(strlen(path) + 16);
	if (!*tmp)
		return RP_ERR_NOMEM;
	sprintf(*tmp, "%.*s/.%s.XXXXXX", (int)dirlen, path, slash ? slash + 1 : path);
	*fd = mkstemp(*tmp);
	if (*fd < 0) {
		host->set_error(self, "cannot create a temporary file beside %s: %s",
				path, strerror(errno));
		return RP_ERR_IO;
	}
	if (fchmod(*fd, mode) != 0) {
		host->set_error(self, "cannot write %s: %s", path, strerror(errno));
		close(*fd);
		*fd = -1;
		unlink(*tmp);
		return RP_ERR_IO;
	}
	return RP_OK;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Makes the finished temporary file path: fsync, rename, and the
 * directory synced so the rename is durable.  Closes fd; on failure the
 * temporary file is removed and the old file left as it was. */
static rp_status temp_commit(rp_instance *self, const rp_host *host,
			     const char *path, const char *tmp, int fd)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	char *dir;
	int dfd;

	if (fsync(fd) != 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) != 0)
		goto fail;
	if (rename(tmp, path) != 0)
		goto fail;
	dir = strndup(path, dirlen ? dirlen : 1);
	if (dir) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	return RP_OK;
fail:
	host->set_error(self, "cannot write %s: %s", path, strerror(errno));
	unlink(tmp);
	return RP_ERR_IO;
}

static rp_status write_atomically(rp_instance *self, const rp_host *host,
				  const char *path, const void *data, size_t len,
				  mode_t mode)
{
	char *tmp = NULL;
	int fd;
	rp_status st = temp_open(self, host, path, mode, &tmp, &fd);

	if (!st && write_all(fd, data, len) != 0) {
		host->set_error(self, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		st = RP_ERR_IO;
	} else if (!st) {
		st = temp_commit(self, host, path, tmp, fd);
	}
	free(tmp);
	return st;
}

/* The length of the artifact's first line, its line end included. */
static size_t header_length(const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);

	return nl ? (size_t)(nl - data) + 1 : len;
}

/* What appending would do: 1 rows to add, 0 nothing to add, -1 the file
 * is new (written whole), -2 the file has another first line, -3 it
 * cannot be read.  *size is the existing file's size. */
static int append_plan(const char *path, const char *data, size_t len,
		       off_t *size)
{
	size_t hlen = header_length(data, len), got = 0;
	char buf[4096];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	*size = 0;
	if (fd < 0)
		return errno == ENOENT ? -1 : -3;
	if (fstat(fd, &sb) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -3;
	}
	*size = sb.st_size;
	if (sb.st_size == 0) {
		close(fd);
		return -1;
	}
	rc = len > hlen ? 1 : 0;
	while (got < hlen && rc >= 0) {
		size_t want = hlen - got < sizeof(buf) ? hlen - got : sizeof(buf);
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -3;
		} else if (n == 0 || memcmp(buf, data + got, (size_t)n) != 0)
			rc = -2;
		else
			got += (size_t)n;
	}
	close(fd);
	return rc;
}

/* The old file and the new rows into a temporary file, then rename: a
 * run that dies leaves the old ledger or the new one, never a torn row.
 * Rereading the old file each time is the price of that promise. */
static rp_status append_atomically(rp_instance *self, const rp_host *host,
				   const char *path, const char *data, size_t len,
				   mode_t mode)
{
	size_t hlen = header_length(data, len);
	char buf[65536], last = '\n', *tmp = NULL;
	int in, out = -1;
	rp_status st;

	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		host->set_error(self, "cannot read %s: %s", path, strerror(errno));
		return RP_ERR_IO;
	}
	st = temp_open(self, host, path, mode, &tmp, &out);
	for (;;) {
		ssize_t n;

		if (st)
			break;
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			host->set_error(self, "cannot read %s: %s", path, strerror(errno));
			st = RP_ERR_IO;
		} else if (n == 0) {
			break;
		} else if (write_all(out, buf, (size_t)n) != 0) {
			host->set_error(self, "cannot write %s: %s", path, strerror(errno));
			st = RP_ERR_IO;
		} else {
			last = buf[n - 1];
		}
	}
	close(in);
	if (!st && last != '\n') {
		host->set_error(self,
				"%s does not end with a line end, so its last row may have been cut by hand; end it with a newline or move it away",
				path);
		st = RP_ERR_PARSE;
	}
	if (!st && write_all(out, data + hlen, len - hlen) != 0) {
		host->set_error(self, "cannot write %s: %s", path, strerror(errno));
		st = RP_ERR_IO;
	}
	if (!st) {
		st = temp_commit(self, host, path, tmp, out);
	} else if (out >= 0) {
		close(out);
		unlink(tmp);
	}
	free(tmp);
	return st;
}

static rp_status deliver_append(rp_instance *self, const rp_host *host,
				const char *path, const char *data, size_t len)
{
	mode_t mode = (mode_t)host->opt_int(self, "mode");
	off_t size;
	rp_status st = RP_OK;

	switch (append_plan(path, data, len, &size)) {
	case -1:
		st = write_atomically(self, host, path, data, len, mode);
		if (!st)
			host->log(self, RP_LOG_INFO, "started %s (%zu bytes)", path, len);
		break;
	case 0:
		host->log(self, RP_LOG_INFO, "%s: no new rows", path);
		break;
	case 1:
		st = append_atomically(self, host, path, data, len, mode);
		if (!st)
			host->log(self, RP_LOG_INFO, "appended %zu bytes to %s",
				  len - header_length(data, len), path);
		break;
	case -2:
		host->set_error(self,
				"%s does not start with the header line this format writes, so it is not its ledger (or excel was switched); move it away or choose another path",
				path);
		st = RP_ERR_EXISTS;
		break;
	default:
		host->set_error(self, "cannot read %s: %s", path, strerror(errno));
		st = RP_ERR_IO;
	}
	return st;
}

static char *owner_of(const rp_host *host, const rp_dataset *ds)
{
	const rp_dataset_meta *m = host->ds_meta(ds);
	size_t n = strlen(m->source) + strlen(m->account_id) + 2;
	char *o = malloc(n);

	if (o)
		snprintf(o, n, "%s/%s", m->source, m->account_id);
	return o;
}

static rp_status remember(file_sink *fs, const char *path, char *owner)
{
	char **g = realloc(fs->paths, (fs->n + 1) * sizeof(*g)), **h;

	if (!g) {
		free(owner);
		return RP_ERR_NOMEM;
	}
	fs->paths = g;
	h = realloc(fs->owners, (fs->n + 1) * sizeof(*h));
	if (!h) {
		free(owner);
		return RP_ERR_NOMEM;
	}
	fs->owners = h;
	g[fs->n] = strdup(path);
	h[fs->n] = owner;
	if (!g[fs->n] || !owner) {
		free(g[fs->n]);
		free(owner);
		return RP_ERR_NOMEM;
	}
	fs->n++;
	return RP_OK;
}

static rp_status deliver_one(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, const rp_artifact *a)
{
	file_sink *fs = host->instance_data(self);
	char *path = NULL;
	const void *data;
	size_t len;
	rp_status st;
	int same, append = host->opt_bool(self, "append");
	char *owner;

	st = host->expand(self, host->opt_string(self, "path"), ds, a, &path);
	if (st)
		return st;
	owner = owner_of(host, ds);
	if (!owner) {
		host->free(path);
		return RP_ERR_NOMEM;
	}
	/* A ledger may gather several sources and accounts: no conflict. */
	for (size_t i = 0; i < fs->n && !append; i++)
		if (strcmp(fs->paths[i], path) == 0 &&
		    strcmp(fs->owners[i], owner) != 0) {
			free(owner);
			host->set_error(self,
					"%s was already written in this run for another dataset; put {source} or {account_id} in path",
					path);
			host->free(path);
			return RP_ERR_CONFIG;
		}
	data = host->artifact_data(a, &len);
	st = mkdirs(self, host, path);
	if (st)
		goto out;
	same = append ? -2 : compare_existing(path, data, len);
	if (append) {
		st = deliver_append(self, host, path, data, len);
	} else if (same == 1) {
		host->log(self, RP_LOG_INFO, "%s is already up to date", path);
	} else if (same == 0 && !host->opt_bool(self, "overwrite")) {
		host->set_error(self,
				"%s exists with different content; move it away, set overwrite = true, or put {now:%%H%%M%%S} in path",
				path);
		st = RP_ERR_EXISTS;
	} else {
		st = write_atomically(self, host, path, data, len,
				      (mode_t)host->opt_int(self, "mode"));
		if (!st)
			host->log(self, RP_LOG_INFO, "wrote %s (%zu bytes)", path, len);
	}
	if (!st) {
		st = remember(fs, path, owner);
		owner = NULL;
	}
out:
	free(owner);
	host->free(path);
	return st;
}

static rp_status file_deliver(rp_instance *self, const rp_host *host,
			      const rp_dataset *ds, const rp_artifact *const *arts,
			      size_t n)
{
	rp_status first = RP_OK;

	/* One failed file does not keep the others from being written. */
	for (size_t i = 0; i < n; i++) {
		rp_status st = deliver_one(self, host, ds, arts[i]);

		if (st && !first)
			first = st;
	}
	return first;
}

static rp_status file_preview(rp_instance *self, const rp_host *host,
			      const rp_dataset *ds, const rp_artifact *a,
			      char **line)
{
	char *path = NULL;
	const void *data;
	size_t len;
	rp_status st = host->expand(self, host->opt_string(self, "path"), ds, a, &path);
	const char *note = "";
	int same;

	if (st)
		return st;
	data = host->artifact_data(a, &len);
	if (host->opt_bool(self, "append")) {
		off_t size;
		size_t rows = 0, hlen = header_length(data, len);
		char count[48];

		for (size_t i = hlen; i < len; i++)
			rows += ((const char *)data)[i] == '\n';
		switch (append_plan(path, data, len, &size)) {
		case -1:
			note = " (new file)";
			break;
		case 0:
			note = " (no new rows)";
			break;
		case 1:
			snprintf(count, sizeof(count), " (%zu new row%s)", rows,
				 rows == 1 ? "" : "s");
			note = count;
			break;
		case -2:
			note = " (has another header line: would fail)";
			break;
		default:
			note = " (cannot be read: would fail)";
		}
		*line = malloc(strlen(path) + strlen(note) + 16);
		if (*line)
			sprintf(*line, "append to %s%s", path, note);
		host->free(path);
		return *line ? RP_OK : RP_ERR_NOMEM;
	}
	same = compare_existing(path, data, len);
	if (same == 1)
		note = " (already up to date)";
	else if (same == 0)
		note = host->opt_bool(self, "overwrite")
			       ? " (replacing different content)"
			       : " (exists with different content: would fail)";
	*line = malloc(strlen(path) + strlen(note) + 8);
	if (*line)
		sprintf(*line, "write %s%s", path, note);
	host->free(path);
	return *line ? RP_OK : RP_ERR_NOMEM;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "file",
	.description = "writes each artifact to a local file, atomically",
	.options = options,
	.init = file_init,
	.fini = file_fini,
	.deliver = file_deliver,
	.preview = file_preview,
};
