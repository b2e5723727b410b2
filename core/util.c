/* util.c - small helpers the core shares: growable buffers, strings,
 * paths and whole-file reads. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Buffers of megabytes (the artifacts: an HTML summary or a JSON document
 * of 5,000 users is 11 MB) are written once from start to end, and each
 * 4 KB page costs a page fault, 7,000 of them for the formatting
 * benchmark's renders, a third of their CPU (docs/performance.md).  From
 * BIG_BUFFER on, a buffer lives in a mapping of its own, 2 MB-aligned and
 * marked for transparent huge pages where the kernel allows them (THP
 * "madvise" or "always"): one fault per 2 MB.  It grows with mremap,
 * which moves the pages rather than copying megabytes each time the
 * buffer doubles, and goes back to the kernel when freed. */
#define BIG_BUFFER ((size_t)4 << 20)
#define EARLY_BIG_BUFFER ((size_t)2 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

#if defined(MAP_ANONYMOUS) && defined(MREMAP_MAYMOVE)
static void advise_huge(char *p, size_t cap)
{
#ifdef MADV_HUGEPAGE
	uintptr_t from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t to = ((uintptr_t)p + cap) & ~(HUGE_PAGE - 1);

	/* Only advice: where it is refused, pages are small. */
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)cap;
#endif
}

/* cap bytes (a multiple of the page size) at a 2 MB boundary. */
static char *map_aligned(size_t cap)
{
	size_t len = cap + HUGE_PAGE;
	char *raw, *p;
	uintptr_t at;

	if (len < cap)
		return NULL;
	raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	at = ((uintptr_t)raw + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = (char *)at;
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + len > p + cap)
		munmap(p + cap, (size_t)(raw + len - (p + cap)));
	return p;
}

static char *grow_big(rp_buf *b, size_t cap)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	if (page <= 0 || cap > (size_t)-1 - (size_t)page)
		return NULL;
	cap = (cap + (size_t)page - 1) & ~((size_t)page - 1);
	if (b->mapped) {
		p = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return NULL;
	} else {
		p = map_aligned(cap);
		if (!p)
			return NULL;
		if (b->data) {
			memcpy(p, b->data, b->len + 1);
			free(b->data);
		}
		b->mapped = 1;
	}
	advise_huge(p, cap);
	b->cap = cap;
	return p;
}
#else
static char *grow_big(rp_buf *b, size_t cap)
{
	char *p = realloc(b->data, cap);

	if (p)
		b->cap = cap;
	return p;
}
#endif

static rp_status buf_reserve(rp_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 - b->len - 1)
		return RP_ERR_NOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return RP_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	if ((b->early ? cap > EARLY_BIG_BUFFER : cap >= BIG_BUFFER) || b->mapped) {
		/* grow_big sets cap (rounded to whole pages) */
		p = grow_big(b, cap);
		if (!p)
			return RP_ERR_NOMEM;
		b->data = p;
		return RP_OK;
	}
	p = realloc(b->data, cap);
	if (!p)
		return RP_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return RP_OK;
}

rp_status rp_buf_reserve(rp_buf *b, size_t extra)
{
	return buf_reserve(b, extra);
}

rp_status rp_buf_append(rp_buf *b, const void *data, size_t len)
{
	rp_status st = buf_reserve(b, len);

	if (st)
		return st;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return RP_OK;
}

rp_status rp_buf_puts(rp_buf *b, const char *s)
{
	return rp_buf_append(b, s, strlen(s));
}

rp_status rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	rp_status st;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return RP_ERR_INVALID;
	st = buf_reserve(b, (size_t)n);
	if (st)
		return st;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return RP_OK;
}

rp_status rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
	va_list ap;
	rp_status st;

	va_start(ap, fmt);
	st = rp_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return st;
}

char *rp_buf_steal(rp_buf *b)
{
	char *p = b->data;

	if (b->mapped) {
		/* The caller frees with free(): a copy on the heap. */
		p = malloc(b->len + 1);
		if (p) {
			memcpy(p, b->data, b->len);
			p[b->len] = '\0';
		}
		rp_buf_free(b);
		return p;
	}
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void rp_buf_free(rp_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->cap);
	else
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->mapped = 0;
}

char *rp_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *rp_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rp_asprintf(const char *fmt, ...)
{
	rp_buf b = {0};
	va_list ap;
	rp_status st;

	va_start(ap, fmt);
	st = rp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (st) {
		rp_buf_free(&b);
		return NULL;
	}
	return rp_buf_steal(&b);
}

char *rp_strtrim(char *s)
{
	char *end;

	while (*s && isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

size_t rp_edit_distance(const char *a, const char *b)
{
	/* Optimal string alignment: a swapped pair ("paht") costs one, as a
	 * typist would count it.  Keys are short; longer is never a near miss. */
	unsigned char d[64][64];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= 64 || lb >= 64)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1u < best)
				best = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < best)
				best = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1u < best)
				best = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)best;
		}
	return d[la][lb];
}

char *rp_path_join(const char *dir, const char *rel)
{
	size_t dlen;

	if (rel[0] == '/' || !dir || !*dir)
		return rp_strdup(rel);
	/* Leading ./ and ../ are folded into dir, so messages and `check`
	 * show /srv/out rather than /srv/etc/../out.  The rest of rel is kept
	 * as written: it may be a template with '/' inside a placeholder. */
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (;;) {
		if (rel[0] == '.' && rel[1] == '/') {
			rel += 2;
		} else if (rel[0] == '.' && rel[1] == '.' &&
			   (rel[2] == '/' || rel[2] == '\0')) {
			while (dlen > 1 && dir[dlen - 1] != '/')
				dlen--;
			if (dlen > 1)
				dlen--;
			rel += 2;
		} else if (rel[0] == '/') {
			rel++;
		} else {
			break;
		}
	}
	if (!*rel)
		return rp_strndup(dir, dlen);
	if (dlen == 1 && dir[0] == '/')
		return rp_asprintf("/%s", rel);
	return rp_asprintf("%.*s/%s", (int)dlen, dir, rel);
}

char *rp_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return rp_strdup(".");
	if (slash == path)
		return rp_strdup("/");
	return rp_strndup(path, (size_t)(slash - path));
}

char *rp_path_absdir(const char *path)
{
	char *dir = rp_path_dirname(path), *abs;

	if (!dir)
		return NULL;
	abs = realpath(dir, NULL);
	free(dir);
	return abs;
}

rp_status rp_read_file(const char *path, char **data, size_t *len)
{
	return rp_read_file_lead(path, 0, data, len);
}

rp_status rp_read_file_lead(const char *path, size_t lead, char **data,
			    size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	rp_buf b = {0};
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int saved;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? RP_ERR_NOT_FOUND : RP_ERR_IO;
	if (lead > 64) {
		close(fd);
		return RP_ERR_INVALID;
	}
	/* A regular file is read into a buffer of its size at once (a
	 * report is megabytes); what else, or a file that grew meanwhile,
	 * in chunks after it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < (uintmax_t)SIZE_MAX / 2) {
		size_t want = lead + (size_t)st.st_size;

		b.data = malloc(want + 1);
		if (!b.data) {
			close(fd);
			return RP_ERR_NOMEM;
		}
		b.cap = want + 1;
		b.len = lead;
		while (b.len < want) {
			n = read(fd, b.data + b.len, want - b.len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			b.len += (size_t)n;
		}
		b.data[b.len] = '\0';
	} else if (lead) {
		memset(chunk, 0, lead);
		if (rp_buf_append(&b, chunk, lead)) {
			close(fd);
			return RP_ERR_NOMEM;
		}
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (rp_buf_append(&b, chunk, (size_t)n)) {
			errno = ENOMEM;
			n = -1;
			break;
		}
	}
	saved = errno;
	close(fd);
	if (n < 0) {
		rp_buf_free(&b);
		errno = saved;
		return RP_ERR_IO;
	}
	*len = b.len - lead;
	*data = rp_buf_steal(&b);
	return *data ? RP_OK : RP_ERR_NOMEM;
}

/* Creates path (which must not exist) with mode 0600, writes and
 * fsyncs it; err says what failed. */
rp_status rp_write_new_file(const char *path, const void *data, size_t len,
			   char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *p = data;

	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return RP_OK;
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return RP_ERR_IO;
}

