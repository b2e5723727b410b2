/* mime.h - the one MIME message builder both mail sinks (ses, smtp) use:
 * headers safe for UTF-8 (Japanese) names and subjects, a text body with
 * an optional HTML alternative, and the report files as attachments.
 *
 * Nothing here talks to a server: the result is the raw RFC 5322 message
 * (CRLF line ends) that SES SendRawEmail or SMTP DATA takes as is.  The
 * envelope (SMTP RCPT TO, SES Destinations) is the caller's: Bcc
 * recipients are validated here but never written into the message. */
#ifndef RP_MIME_H
#define RP_MIME_H

#include <stddef.h>
#include <time.h>

#include "reportpipe/plugin.h"
#include "util.h"

typedef struct rp_mime_part {
	const char *filename;   /* UTF-8, not empty */
	const char *media_type; /* "text/csv; charset=utf-8"; NULL: application/octet-stream */
	const void *data;       /* sent byte for byte (base64) */
	size_t len;
} rp_mime_part;

typedef struct rp_mime_message {
	/* Addresses are "addr" or "Display Name <addr>"; the display name may
	 * be UTF-8 (or a "quoted string"), the addr-spec must be ASCII. */
	const char *from;
	const char *const *to;
	size_t nto;
	const char *const *cc;
	size_t ncc;
	const char *const *bcc; /* checked, never written into the headers */
	size_t nbcc;
	const char *reply_to;   /* or NULL */
	const char *subject;    /* UTF-8 */
	const char *text;       /* text/plain body, UTF-8; required */
	const char *html;       /* text/html alternative, or NULL */
	const rp_mime_part *attachments;
	size_t nattachments;
	time_t date;            /* Date header; 0: now */
	/* Right side of the Message-ID; NULL: the From address's domain. */
	const char *message_id_domain;
	/* NULL: random boundaries and Message-ID.  Otherwise both are derived
	 * from it (SHA-256), so golden tests get the same bytes every run. */
	const char *boundary_seed;
} rp_mime_message;

/* Appends the whole message to out.  A header value that is unsafe or
 * malformed (a line break, a control character, invalid UTF-8, a bad
 * address) is refused with RP_ERR_CONFIG and a sentence in err naming the
 * field; nothing is then appended.  RP_ERR_INVALID: a required field is
 * NULL (a caller bug).  err may be NULL. */
rp_status rp_mime_build(const rp_mime_message *m, rp_buf *out, char *err,
			size_t errlen);

/* Where an attachment's body goes in a message built without them. */
typedef struct rp_mime_hole {
	size_t at;                  /* offset in the message built */
	const unsigned char *data;  /* the attachment (rp_mime_part.data) */
	size_t len;
} rp_mime_hole;

/* rp_mime_build, but each non-empty attachment's base64 lines are left
 * out: *holes (malloc'd, *nholes of them, in order) says where each
 * goes, so a message of megabytes can be made as it is read
 * (rp_mime_b64_lines) and never held whole.  The message then refers
 * to the attachments' data: keep them. */
rp_status rp_mime_build_holes(const rp_mime_message *m, rp_buf *out,
			      rp_mime_hole **holes, size_t *nholes, char *err,
			      size_t errlen);

/* The length of len bytes as base64 lines of 76 characters and CRLF, as
 * the message carries an attachment. */
size_t rp_mime_b64_lines_len(size_t len);
/* Bytes [off, off + n) of those lines, into buf (n bytes). */
void rp_mime_b64_lines(const unsigned char *data, size_t len, size_t off,
		       char *buf, size_t n);

/* RP_OK, or RP_ERR_CONFIG when value contains CR or LF (header
 * injection), another control character or invalid UTF-8; err starts
 * with `what` ("subject contains a line break ..."). */
rp_status rp_mime_check_header_value(const char *what, const char *value,
				     char *err, size_t errlen);

/* RP_OK for "a@b.c", "Name <a@b.c>" or "\"Name, Q.\" <a@b.c>";
 * RP_ERR_CONFIG otherwise, err naming `what` and the value. */
rp_status rp_mime_check_address(const char *what, const char *addr,
				char *err, size_t errlen);

/* Appends the bare addr-spec of a checked address ("a@b.c" for
 * "Name <a@b.c>"): what SMTP MAIL FROM / RCPT TO and SES want. */
rp_status rp_mime_address_spec(const char *what, const char *addr,
			       rp_buf *out, char *err, size_t errlen);

/* Appends a readable plain-text rendering of a simple HTML report: no
 * head, style or script; block elements and <br> become line breaks,
 * table rows lines with cells joined by " | ", list items "- "; entities
 * decoded; at most one blank line in a row; lines end in "\n" and are
 * not wrapped. */
rp_status rp_html_to_text(const char *html, rp_buf *out);

#endif
