/* util.h - small helpers the core shares: growable buffers, strings,
 * paths and whole-file reads. */
#ifndef RP_UTIL_H
#define RP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "reportpipe/plugin.h"

typedef struct rp_buf {
	char *data; /* always NUL-terminated when len > 0 or after rp_buf_cstr */
	size_t len;
	size_t cap;
	int mapped; /* big: a mapping of its own (util.c), not malloc's */
	int early;  /* set by the owner: likely to grow big (an artifact), so
		       mapped past 2 MB rather than from 4 MB */
} rp_buf;

rp_status rp_buf_append(rp_buf *b, const void *data, size_t len);
/* Makes room for extra more bytes (and the NUL) without changing len:
 * then up to extra bytes may be written at data + len directly. */
rp_status rp_buf_reserve(rp_buf *b, size_t extra);
rp_status rp_buf_puts(rp_buf *b, const char *s);
rp_status rp_buf_printf(rp_buf *b, const char *fmt, ...) RP_PRINTF(2, 3);
rp_status rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap)
	RP_PRINTF(2, 0);
/* Hands the (NUL-terminated) contents to the caller and resets b. */
char *rp_buf_steal(rp_buf *b);
void rp_buf_free(rp_buf *b);

char *rp_strdup(const char *s);
char *rp_strndup(const char *s, size_t n);
char *rp_asprintf(const char *fmt, ...) RP_PRINTF(1, 2);
/* Trims ASCII white space in place; returns s. */
char *rp_strtrim(char *s);
/* Edit distance (swaps count one), for "did you mean". */
size_t rp_edit_distance(const char *a, const char *b);

/* dir + "/" + rel unless rel is absolute; NULL on allocation failure. */
char *rp_path_join(const char *dir, const char *rel);
/* Directory part of an absolute or relative path ("." if none). */
char *rp_path_dirname(const char *path);
/* Absolute directory holding path (resolves symlinks). */
char *rp_path_absdir(const char *path);

/* Reads a whole file.  On failure returns RP_ERR_IO / RP_ERR_NOT_FOUND and
 * leaves errno set. */
rp_status rp_read_file(const char *path, char **data, size_t *len);
/* rp_read_file with lead (at most 64) spare bytes in front: the file's
 * *len bytes are at *data + lead (and a NUL after them); free *data. */
rp_status rp_read_file_lead(const char *path, size_t lead, char **data,
			    size_t *len);

/* Creates path (0600; it must not exist yet), writes data, fsyncs. */
rp_status rp_write_new_file(const char *path, const void *data, size_t len,
			    char *err, size_t errlen);

#endif
