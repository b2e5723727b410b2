/* mime.c - builds the RFC 5322 / MIME message both mail sinks send, and
 * renders an HTML report as plain text for its text/plain alternative.
 *
 * Why it looks the way it does:
 *  - Every header value is checked and refused, never cleaned: a CR or LF
 *    that reached a subject or an address from a template or an option
 *    would otherwise let it add headers (a Bcc to an outsider).  All
 *    checks run before a byte is written, so a refusal appends nothing.
 *  - Non-ASCII header text goes out as RFC 2047 "B" encoded-words, cut
 *    only between UTF-8 characters (RFC 2047 section 5 forbids splitting
 *    one, and decoders that convert word by word show mojibake if we do).
 *    Lines holding encoded-words stay within RFC 2047's 76 columns, all
 *    other header lines within RFC 5322's 78 wherever a fold point exists.
 *  - Bodies and attachments are base64 in 76-column lines: Japanese text
 *    is three times smaller than in quoted-printable and no line of a
 *    report can ever exceed SMTP's 998-byte limit.
 *  - Boundaries contain "=_", which base64 never produces, so they cannot
 *    occur inside a part.
 *  - Attachment names that are not plain ASCII use RFC 2231 (name*= and
 *    filename*=, with continuations when long), not RFC 2047 words inside
 *    quotes, which RFC 2047 section 5 forbids. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mime.h"

#define LINE_SOFT 78       /* RFC 5322 2.1.1: SHOULD not exceed */
#define LINE_EW 76         /* RFC 2047 2: a line holding an encoded-word */
#define EW_MAX 75          /* RFC 2047 2: one encoded-word */
#define EW_PREFIX "=?UTF-8?B?"
#define EW_OVERHEAD 12     /* "=?UTF-8?B?" + "?=" */
/* An ASCII word longer than this is encoded anyway, since an unbreakable
 * word could otherwise push its line past SMTP's 998 bytes. */
#define PLAIN_WORD_MAX 900
#define B64_LINE_BYTES 57  /* 76 base64 characters */
#define ADDR_SPEC_MAX 254  /* RFC 5321 4.5.3.1.3 path, less the <> */
#define ID_BYTES 16
#define ID_HEX (2 * ID_BYTES)
#define SHOWN 96           /* bytes of a value quoted back in a message */

static const char injection_why[] =
	"remove it \xE2\x80\x94 a line break would let the value inject mail headers";

static void set_err(char *err, size_t errlen, const char *fmt, ...) RP_PRINTF(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The value as it may appear in a one-line message: control characters
 * escaped (the value may hold the very line break we complain about),
 * long values cut at a character boundary. */
static const char *shown(char dst[SHOWN], const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)v;
	size_t o = 0;

	for (; *s; s++) {
		size_t need = *s < 0x20 || *s == 0x7f ? 4 : 1;

		if (o + need + 4 >= SHOWN) {
			/* Mid-character: drop the partial character. */
			if ((*s & 0xC0) == 0x80) {
				while (o > 0 && ((unsigned char)dst[o - 1] & 0xC0) == 0x80)
					o--;
				if (o > 0)
					o--;
			}
			memcpy(dst + o, "...", 4);
			return dst;
		}
		if (*s == '\r' || *s == '\n' || *s == '\t') {
			dst[o++] = '\\';
			dst[o++] = *s == '\r' ? 'r' : *s == '\n' ? 'n' : 't';
		} else if (need == 4) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[*s >> 4];
			dst[o++] = hex[*s & 15];
		} else {
			dst[o++] = (char)*s;
		}
	}
	dst[o] = '\0';
	return dst;
}

/* ------------------------------------------------------------ UTF-8 */

/* Length (1-4) of the well-formed UTF-8 sequence at s, 0 if there is
 * none: overlong forms, surrogates and code points past U+10FFFF are
 * refused as RFC 3629 says. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	size_t n, i;

	if (left == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

/* Writes code point cp as UTF-8 into u; returns the length. */
static size_t utf8_encode(unsigned long cp, char u[4])
{
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD; /* the replacement character, as browsers do */
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	u[0] = (char)(0xF0 | cp >> 18);
	u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	u[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ----------------------------------------------------- value checks */

rp_status rp_mime_check_header_value(const char *what, const char *value,
				     char *err, size_t errlen)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t len, i, n;

	if (!what)
		what = "header value";
	if (!value) {
		set_err(err, errlen, "%s is missing", what);
		return RP_ERR_INVALID;
	}
	len = strlen(value);
	/* Line breaks first: they are the attack, and the message should
	 * say so even when the value also holds other oddities. */
	if (strpbrk(value, "\r\n")) {
		set_err(err, errlen, "%s contains a line break (CR or LF); %s",
			what, injection_why);
		return RP_ERR_CONFIG;
	}
	for (i = 0; i < len; i += n) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			set_err(err, errlen,
				"%s contains the control character 0x%02X at byte %zu; "
				"remove it (mail headers hold printable text only)",
				what, s[i], i + 1);
			return RP_ERR_CONFIG;
		}
		n = utf8_seq_len(s + i, len - i);
		if (n == 0) {
			set_err(err, errlen,
				"%s is not valid UTF-8 (byte 0x%02X at byte %zu); "
				"write it in UTF-8",
				what, s[i], i + 1);
			return RP_ERR_CONFIG;
		}
		/* U+0080..U+009F are the C1 control characters. */
		if (s[i] == 0xC2 && s[i + 1] < 0xA0) {
			set_err(err, errlen,
				"%s contains the control character U+%04X at byte %zu; "
				"remove it (mail headers hold printable text only)",
				what, (unsigned)s[i + 1], i + 1);
			return RP_ERR_CONFIG;
		}
	}
	return RP_OK;
}

/* RFC 5322 atext: what an unquoted word of a display name or the local
 * part of an address may hold. */
static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* A host name: dot-separated labels of letters, digits and hyphens.
 * Returns NULL when fine, else what is wrong. */
static const char *domain_problem(const char *d, size_t len)
{
	size_t i, label = 0;

	if (len == 0)
		return "is empty";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0)
				return "has an empty label (a leading, trailing or double dot)";
			label = 0;
		} else if (is_alnum(c) || c == '-') {
			if (++label > 63)
				return "has a label longer than 63 characters";
		} else {
			return "may hold only letters, digits, '-' and '.'";
		}
	}
	if (label == 0)
		return "has an empty label (a leading, trailing or double dot)";
	return NULL;
}

struct address {
	const char *name;  /* display name as written, without its quotes */
	size_t name_len;   /* 0: none */
	int name_quoted;   /* a quoted-string: backslash escapes to undo */
	const char *spec;  /* local@domain */
	size_t spec_len;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static rp_status parse_address(const char *what, const char *addr,
			       struct address *a, char *err, size_t errlen)
{
	static const char form[] = "write it as name@example.com or Name <name@example.com>";
	const char *p, *end, *lt = NULL, *at = NULL, *q;
	char show[SHOWN];
	int in_quote = 0;
	rp_status st;
	size_t i;

	st = rp_mime_check_header_value(what, addr, err, errlen);
	if (st)
		return st;
	memset(a, 0, sizeof(*a));
	shown(show, addr);
	p = addr;
	end = addr + strlen(addr);
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end) {
		set_err(err, errlen, "%s address is empty; %s", what, form);
		return RP_ERR_CONFIG;
	}
	/* The '<' that opens the address is the first one outside the
	 * display name's quotes. */
	for (q = p; q < end && !lt; q++) {
		if (in_quote && *q == '\\' && q + 1 < end)
			q++;
		else if (*q == '"')
			in_quote = !in_quote;
		else if (!in_quote && *q == '<')
			lt = q;
	}
	if (in_quote) {
		set_err(err, errlen,
			"%s address '%s' opens a quote (\") that does not close; %s",
			what, show, form);
		return RP_ERR_CONFIG;
	}
	if (lt) {
		if (end[-1] != '>' || end - 1 <= lt) {
			set_err(err, errlen,
				"%s address '%s' opens a < that does not close at its end; %s",
				what, show, form);
			return RP_ERR_CONFIG;
		}
		a->spec = lt + 1;
		a->spec_len = (size_t)(end - 1 - a->spec);
		a->name = p;
		q = lt;
		while (q > p && is_space(q[-1]))
			q--;
		a->name_len = (size_t)(q - p);
		if (a->name_len && *p == '"') {
			/* A quoted display name must be one quoted-string. */
			for (q = p + 1; q < p + a->name_len && *q != '"'; q++)
				if (*q == '\\')
					q++;
			if (q != p + a->name_len - 1 || a->name_len < 2) {
				set_err(err, errlen,
					"%s address '%s' has text around the quoted display name; "
					"quote the whole name: \"Name\" <name@example.com>",
					what, show);
				return RP_ERR_CONFIG;
			}
			a->name = p + 1;
			a->name_len -= 2;
			a->name_quoted = 1;
		}
	} else {
		a->spec = p;
		a->spec_len = (size_t)(end - p);
	}

	if (memchr(a->spec, '<', a->spec_len) || memchr(a->spec, '>', a->spec_len)) {
		set_err(err, errlen,
			"%s address '%s' holds more than one <address> or a stray < or >; "
			"give one address per entry",
			what, show);
		return RP_ERR_CONFIG;
	}
	if (a->spec_len == 0) {
		set_err(err, errlen, "%s address '%s' has nothing between < and >; %s",
			what, show, form);
		return RP_ERR_CONFIG;
	}
	if (a->spec_len > ADDR_SPEC_MAX) {
		set_err(err, errlen, "%s address '%s' is longer than %d bytes",
			what, show, ADDR_SPEC_MAX);
		return RP_ERR_CONFIG;
	}
	for (i = 0; i < a->spec_len; i++) {
		unsigned char c = (unsigned char)a->spec[i];

		if (c >= 0x80) {
			set_err(err, errlen,
				"%s address '%s' has non-ASCII characters in name@domain; "
				"addresses are never encoded, so use an ASCII address "
				"(a domain in its xn-- form); only the display name may be UTF-8",
				what, show);
			return RP_ERR_CONFIG;
		}
		if (is_space((char)c)) {
			set_err(err, errlen,
				"%s address '%s' has a space in the address itself; %s",
				what, show, form);
			return RP_ERR_CONFIG;
		}
		if (c == '@') {
			if (at) {
				set_err(err, errlen,
					"%s address '%s' has more than one @; %s",
					what, show, form);
				return RP_ERR_CONFIG;
			}
			at = a->spec + i;
		}
	}
	if (!at) {
		set_err(err, errlen, "%s address '%s' has no @; %s", what, show, form);
		return RP_ERR_CONFIG;
	}
	if (at == a->spec) {
		set_err(err, errlen, "%s address '%s' has nothing before the @; %s",
			what, show, form);
		return RP_ERR_CONFIG;
	}
	/* Local part: a dot-atom (quoted local parts are legal but nobody
	 * audits IAM with one, and they are a classic parser confusion). */
	for (q = a->spec; q < at; q++) {
		if (!is_atext((unsigned char)*q) &&
		    !(*q == '.' && q > a->spec && q + 1 < at && q[1] != '.')) {
			set_err(err, errlen,
				"%s address '%s' has '%c' in the part before the @, "
				"which an address may not hold there",
				what, show, *q);
			return RP_ERR_CONFIG;
		}
	}
	q = domain_problem(at + 1, (size_t)(a->spec + a->spec_len - at - 1));
	if (q) {
		set_err(err, errlen, "%s address '%s': the domain after the @ %s",
			what, show, q);
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

rp_status rp_mime_check_address(const char *what, const char *addr,
				char *err, size_t errlen)
{
	struct address a;

	return parse_address(what ? what : "address", addr, &a, err, errlen);
}

rp_status rp_mime_address_spec(const char *what, const char *addr,
			       rp_buf *out, char *err, size_t errlen)
{
	struct address a;
	rp_status st;

	if (!out)
		return RP_ERR_INVALID;
	st = parse_address(what ? what : "address", addr, &a, err, errlen);
	if (st)
		return st;
	return rp_buf_append(out, a.spec, a.spec_len);
}

/* ----------------------------------------------------- media types */

static int is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

static const char *skip_token(const char *p)
{
	while (*p && is_token_char((unsigned char)*p))
		p++;
	return p;
}

/* Steps through a media type: "type/subtype" first, then each
 * "attr=value" parameter, white space and ';' left out.  1: a piece in
 * [*piece, *piece + *len); 0: the end; -1: not a media type. */
static int media_type_next(const char **pp, int first, const char **piece,
			   size_t *len)
{
	const char *p = *pp, *start, *t;

	while (is_space(*p))
		p++;
	if (!first) {
		if (!*p)
			return 0;
		if (*p != ';')
			return -1;
		p++;
		while (is_space(*p))
			p++;
		if (!*p)
			return 0; /* a trailing ';' is harmless */
	}
	start = p;
	t = skip_token(p);
	if (t == p)
		return -1;
	p = t;
	if (first) {
		if (*p++ != '/')
			return -1;
		t = skip_token(p);
		if (t == p)
			return -1;
		p = t;
	} else {
		if (*p++ != '=')
			return -1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p++ != '"')
				return -1;
		} else {
			t = skip_token(p);
			if (t == p)
				return -1;
			p = t;
		}
	}
	*piece = start;
	*len = (size_t)(p - start);
	while (is_space(*p))
		p++;
	*pp = p;
	return 1;
}

static rp_status check_media_type(const char *what, const char *mt,
				  char *err, size_t errlen)
{
	const char *p = mt, *piece;
	size_t len;
	char show[SHOWN];
	int r, first = 1;
	rp_status st;

	st = rp_mime_check_header_value(what, mt, err, errlen);
	if (st)
		return st;
	while ((r = media_type_next(&p, first, &piece, &len)) > 0)
		first = 0;
	if (r < 0) {
		set_err(err, errlen,
			"%s '%s' is not a media type like \"text/csv; charset=utf-8\"",
			what, shown(show, mt));
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

/* -------------------------------------------------- header writing */

/* Writes one header field, folding it (CRLF before white space) where a
 * piece would push the current line past its limit.  Pieces that begin
 * with a space are the fold points; RFC 5322 unfolding removes only the
 * CRLF, so the text survives folding unchanged. */
struct hdr {
	rp_buf *b;
	rp_buf piece;    /* scratch for composing one piece */
	size_t col;      /* bytes on the current line */
	int has_piece;   /* the line holds a piece beyond the field name */
	int has_ew;      /* ... and one of them is an encoded-word */
};

static rp_status hdr_begin(struct hdr *h, rp_buf *b, const char *name)
{
	h->b = b;
	h->col = strlen(name) + 1;
	h->has_piece = 0;
	h->has_ew = 0;
	return rp_buf_printf(b, "%s:", name);
}

static rp_status hdr_end(struct hdr *h)
{
	return rp_buf_puts(h->b, "\r\n");
}

static rp_status hdr_fold(struct hdr *h)
{
	h->col = 0;
	h->has_piece = 0;
	h->has_ew = 0;
	return rp_buf_puts(h->b, "\r\n");
}

/* Appends " " (when space is set) and s.  The piece may move to a new
 * line if it starts with white space and holds more than white space (a
 * line of nothing but white space would end the header block). */
static rp_status hdr_word(struct hdr *h, int space, const char *s, size_t len)
{
	size_t limit = h->has_ew ? LINE_EW : LINE_SOFT, i = 0;
	int may_fold = space;
	rp_status st;

	if (!space) {
		while (i < len && s[i] == ' ')
			i++;
		may_fold = i > 0 && i < len;
	}
	if (may_fold && h->has_piece && h->col + (space ? 1 : 0) + len > limit) {
		st = hdr_fold(h);
		if (st)
			return st;
	}
	if (space && (st = rp_buf_puts(h->b, " ")) != RP_OK)
		return st;
	st = rp_buf_append(h->b, s, len);
	h->col += (space ? 1 : 0) + len;
	h->has_piece = 1;
	return st;
}

/* hdr_word with the piece in h->piece. */
static rp_status hdr_piece(struct hdr *h, int space)
{
	return hdr_word(h, space, h->piece.data, h->piece.len);
}

/* Text as it stands, folded only where a space precedes a word.  Each
 * piece is that space, the word, and any further spaces of the run after
 * it but the last (the next piece's fold point), so "a  b" folds as
 * "a " CRLF " b" and unfolds to itself, and trailing spaces count when
 * deciding where to fold. */
static rp_status hdr_text(struct hdr *h, const char *s, size_t len)
{
	size_t i = 0, start, run;
	rp_status st = RP_OK;
	int first = 1;

	while (!st && i < len) {
		start = i;
		if (!first)
			i++; /* the space this piece may fold at */
		while (i < len && s[i] == ' ')
			i++; /* leading spaces of the text */
		while (i < len && s[i] != ' ')
			i++;
		for (run = i; run < len && s[run] == ' '; run++)
			;
		if (run == len)
			i = len;
		else if (run - i > 1)
			i = run - 1;
		st = hdr_word(h, first, s + start, i - start);
		first = 0;
	}
	return st;
}

/* Whether text must be written as encoded-words: it is not printable
 * ASCII, it holds "=?" (a reader would try to decode it), or a word of
 * it is too long to fit any line. */
static int needs_encoding(const char *s, size_t len)
{
	size_t i, word = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return 1;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return 1;
		word = c == ' ' ? 0 : word + 1;
		if (word > PLAIN_WORD_MAX)
			return 1;
	}
	return 0;
}

static size_t ew_len(size_t nbytes)
{
	return EW_OVERHEAD + 4 * ((nbytes + 2) / 3);
}

/* How many bytes of s, whole characters only, fit one encoded-word of at
 * most room bytes. */
static size_t ew_fit(const unsigned char *s, size_t len, size_t room)
{
	size_t n = 0, step;

	while (n < len) {
		step = utf8_seq_len(s + n, len - n);
		if (step == 0)
			step = 1; /* not reached: values are checked first */
		if (ew_len(n + step) > room)
			break;
		n += step;
	}
	return n;
}

/* s as RFC 2047 B encoded-words, each preceded by a space (a fold point;
 * decoders drop the white space between adjacent encoded-words), each
 * filling what is left of the current line. */
static rp_status hdr_encoded(struct hdr *h, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char b64[EW_MAX];
	size_t room, n;
	rp_status st;

	while (len > 0) {
		room = h->col + 1 < LINE_EW ? LINE_EW - h->col - 1 : 0;
		if (room > EW_MAX)
			room = EW_MAX;
		n = ew_fit(s, len, room);
		/* Fold first when nothing fits, or when the rest would fit
		 * one word on a fresh line: fewer words, and some parsers
		 * (Python's, for display names) keep the white space
		 * between words that RFC 2047 6.2 says to drop. */
		if (h->has_piece && n < len &&
		    (n == 0 || ew_fit(s, len, EW_MAX) == len)) {
			st = hdr_fold(h);
			if (st)
				return st;
			room = EW_MAX;
			n = ew_fit(s, len, room);
		}
		if (n == 0)
			return RP_ERR_INTERNAL; /* a field name longer than a line */
		EVP_EncodeBlock(b64, s, (int)n);
		st = rp_buf_printf(h->b, " " EW_PREFIX "%s?=", (const char *)b64);
		if (st)
			return st;
		h->col += 1 + ew_len(n);
		h->has_piece = 1;
		h->has_ew = 1;
		s += n;
		len -= n;
	}
	return RP_OK;
}

/* Unstructured text (the subject): as is when it is plain ASCII, else
 * encoded-words.  The whole value is encoded rather than word by word:
 * simpler, and every decoder joins adjacent encoded-words exactly. */
static rp_status hdr_unstructured(struct hdr *h, const char *s)
{
	size_t len = strlen(s);

	if (needs_encoding(s, len))
		return hdr_encoded(h, s, len);
	return hdr_text(h, s, len);
}

/* A display name: atoms as they are, other ASCII as a quoted-string
 * (foldable at its spaces, RFC 5322 3.2.4), anything else encoded. */
static rp_status hdr_phrase(struct hdr *h, const struct address *a)
{
	rp_buf *q = &h->piece, quoted = {0};
	size_t i;
	int atoms = 1;
	rp_status st;

	q->len = 0;
	for (i = 0; i < a->name_len; i++) {
		char c = a->name[i];

		if (a->name_quoted && c == '\\' && i + 1 < a->name_len)
			c = a->name[++i];
		if ((st = rp_buf_append(q, &c, 1)) != RP_OK)
			return st;
		if (c != ' ' && !is_atext((unsigned char)c))
			atoms = 0;
	}
	if (q->len == 0)
		return RP_OK;
	/* The writers below never touch h->piece, so q can be handed on. */
	if (needs_encoding(q->data, q->len))
		return hdr_encoded(h, q->data, q->len);
	if (atoms)
		return hdr_text(h, q->data, q->len);
	st = rp_buf_puts(&quoted, "\"");
	for (i = 0; !st && i < q->len; i++) {
		if (q->data[i] == '"' || q->data[i] == '\\')
			st = rp_buf_puts(&quoted, "\\");
		if (!st)
			st = rp_buf_append(&quoted, q->data + i, 1);
	}
	if (!st)
		st = rp_buf_puts(&quoted, "\"");
	if (!st)
		st = hdr_text(h, quoted.data, quoted.len);
	rp_buf_free(&quoted);
	return st;
}

static rp_status hdr_address(struct hdr *h, const struct address *a, int last)
{
	rp_status st;

	if (a->name_len) {
		st = hdr_phrase(h, a);
		if (st)
			return st;
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "<%.*s>%s", (int)a->spec_len,
				   a->spec, last ? "" : ",");
	} else {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "%.*s%s", (int)a->spec_len,
				   a->spec, last ? "" : ",");
	}
	if (st)
		return st;
	return hdr_piece(h, 1);
}

static rp_status put_address_field(struct hdr *h, rp_buf *b, const char *name,
				   const char *const *list, size_t n)
{
	struct address a;
	rp_status st;
	size_t i;

	if (n == 0)
		return RP_OK;
	st = hdr_begin(h, b, name);
	for (i = 0; !st && i < n; i++) {
		st = parse_address(name, list[i], &a, NULL, 0);
		if (!st)
			st = hdr_address(h, &a, i + 1 == n);
	}
	if (!st)
		st = hdr_end(h);
	return st;
}

/* RFC 2231 attr-char: what may stand unencoded in an extended value. */
static int is_attr_char(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$&+-.^_`|~", c));
}

static size_t pct_len(const unsigned char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += is_attr_char(s[i]) ? 1 : 3;
	return len;
}

static rp_status put_pct(rp_buf *b, const unsigned char *s, size_t n)
{
	rp_status st = RP_OK;
	size_t i;

	for (i = 0; !st && i < n; i++)
		st = is_attr_char(s[i]) ? rp_buf_append(b, s + i, 1)
					: rp_buf_printf(b, "%%%02X", s[i]);
	return st;
}

/* One parameter, ";" after it unless it is the last: attr="value" when
 * value is short printable ASCII, else RFC 2231 attr*=UTF-8''%XX...,
 * split into attr*0*=, attr*1*=... sections (whole characters each, so
 * a client that decodes section by section still gets the text right)
 * when one line cannot hold it. */
static rp_status hdr_param(struct hdr *h, const char *attr, const char *value,
			   int last)
{
	const unsigned char *v = (const unsigned char *)value;
	size_t vlen = strlen(value), alen = strlen(attr), i, pos, n, step;
	size_t room, head;
	const char *semi = last ? "" : ";";
	int plain = !needs_encoding(value, vlen);
	unsigned section;
	rp_status st;

	for (i = 0; plain && i < vlen; i++)
		if (v[i] == '"' || v[i] == '\\')
			plain = 0;
	/* " attr=\"value\";" */
	if (plain && 1 + alen + 3 + vlen + 1 <= LINE_SOFT) {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "%s=\"%s\"%s", attr, value, semi);
		return st ? st : hdr_piece(h, 1);
	}
	/* " attr*=UTF-8''...;" */
	if (1 + alen + 9 + pct_len(v, vlen) + 1 <= LINE_SOFT) {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "%s*=UTF-8''", attr);
		if (!st)
			st = put_pct(&h->piece, v, vlen);
		if (!st)
			st = rp_buf_puts(&h->piece, semi);
		return st ? st : hdr_piece(h, 1);
	}
	for (pos = 0, section = 0; pos < vlen; section++) {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "%s*%u*=%s", attr, section,
				   section == 0 ? "UTF-8''" : "");
		if (st)
			return st;
		head = 1 + h->piece.len;
		room = head + 1 < LINE_SOFT ? LINE_SOFT - head - 1 : 0;
		for (n = 0; pos + n < vlen; n += step) {
			step = utf8_seq_len(v + pos + n, vlen - pos - n);
			if (step == 0)
				step = 1; /* not reached: values are checked first */
			if (pct_len(v + pos, n + step) > room)
				break;
		}
		if (n == 0)
			return RP_ERR_INTERNAL; /* an attribute name longer than a line */
		st = put_pct(&h->piece, v + pos, n);
		pos += n;
		if (!st)
			st = rp_buf_puts(&h->piece, pos < vlen ? ";" : semi);
		if (!st)
			st = hdr_piece(h, 1);
		if (st)
			return st;
	}
	return RP_OK;
}

/* ----------------------------------------------------- the message */

static rp_status put_base64(rp_buf *b, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t lines = (len + B64_LINE_BYTES - 1) / B64_LINE_BYTES, n;
	char *o;

	/* Every line at its full 76 characters and CRLF: room for all of
	 * them, then each is encoded where it goes. */
	if (lines > ((size_t)-1 - 1) / (4 * B64_LINE_BYTES / 3 + 2) ||
	    rp_buf_reserve(b, lines * (4 * B64_LINE_BYTES / 3 + 2)))
		return RP_ERR_NOMEM;
	o = b->data + b->len;
	while (len > 0) {
		n = len < B64_LINE_BYTES ? len : B64_LINE_BYTES;
		o += EVP_EncodeBlock((unsigned char *)o, p, (int)n);
		*o++ = '\r';
		*o++ = '\n';
		p += n;
		len -= n;
	}
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return RP_OK;
}

/* Where attachments' bodies were left out (rp_mime_build_holes). */
struct holes {
	rp_mime_hole *h;
	size_t n;
};

size_t rp_mime_b64_lines_len(size_t len)
{
	size_t full = len / B64_LINE_BYTES, rest = len % B64_LINE_BYTES;

	return full * (4 * B64_LINE_BYTES / 3 + 2) +
	       (rest ? 4 * ((rest + 2) / 3) + 2 : 0);
}

void rp_mime_b64_lines(const unsigned char *data, size_t len, size_t off,
		       char *buf, size_t n)
{
	enum { LINE = 4 * B64_LINE_BYTES / 3 + 2 };
	char line[LINE + 1];

	while (n) {
		size_t l = off / LINE, col = off % LINE, in = l * B64_LINE_BYTES;
		size_t take = len - in < B64_LINE_BYTES ? len - in : B64_LINE_BYTES;
		size_t chars = 4 * ((take + 2) / 3), k;

		if (col == 0 && take == B64_LINE_BYTES && n >= LINE) {
			/* whole lines straight into buf (the NUL is
			 * overwritten by the CRLF) */
			EVP_EncodeBlock((unsigned char *)buf, data + in, (int)take);
			buf[chars] = '\r';
			buf[chars + 1] = '\n';
			k = LINE;
		} else {
			EVP_EncodeBlock((unsigned char *)line, data + in, (int)take);
			line[chars] = '\r';
			line[chars + 1] = '\n';
			k = chars + 2 - col < n ? chars + 2 - col : n;
			memcpy(buf, line + col, k);
		}
		buf += k;
		off += k;
		n -= k;
	}
}

/* A part's body after its header block.  An empty body still gets its
 * own empty line: the CRLF before the next boundary belongs to the
 * boundary, so without it the header block would never end.  With
 * holes, a non-empty body is left out and its place recorded. */
static rp_status put_body(rp_buf *b, const void *data, size_t len,
			  struct holes *holes)
{
	rp_status st = rp_buf_puts(b, "\r\n");
	rp_mime_hole *g;

	if (st)
		return st;
	if (!len)
		return rp_buf_puts(b, "\r\n");
	if (!holes)
		return put_base64(b, data, len);
	g = realloc(holes->h, (holes->n + 1) * sizeof(*g));
	if (!g)
		return RP_ERR_NOMEM;
	holes->h = g;
	g[holes->n++] = (rp_mime_hole){b->len, data, len};
	return RP_OK;
}

/* A text part.  Text is sent in canonical form (RFC 2045 6.8): every
 * line break CRLF before base64, whatever the caller used. */
static rp_status put_text_part(rp_buf *b, const char *boundary,
			       const char *subtype, const char *text,
			       rp_buf *scratch)
{
	const char *p;
	rp_status st;

	scratch->len = 0;
	st = rp_buf_append(scratch, "", 0);
	for (p = text; !st && *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		st = *p == '\n' || *p == '\r' ? rp_buf_puts(scratch, "\r\n")
					      : rp_buf_append(scratch, p, 1);
	}
	if (!st)
		st = rp_buf_printf(b,
				   "--%s\r\n"
				   "Content-Type: text/%s; charset=utf-8\r\n"
				   "Content-Transfer-Encoding: base64\r\n",
				   boundary, subtype);
	if (!st)
		st = put_body(b, scratch->data, scratch->len, NULL);
	return st;
}

static rp_status put_attachment(struct hdr *h, rp_buf *b, const char *boundary,
				const rp_mime_part *a, struct holes *holes)
{
	const char *mt = a->media_type ? a->media_type : "application/octet-stream";
	const char *p = mt, *piece;
	size_t len;
	int first = 1;
	rp_status st;

	st = rp_buf_printf(b, "--%s\r\n", boundary);
	if (!st)
		st = hdr_begin(h, b, "Content-Type");
	while (!st && media_type_next(&p, first, &piece, &len) > 0) {
		/* Ours is the name parameter; the caller's would be a second. */
		if (!first && len >= 4 && strncmp(piece, "name", 4) == 0 &&
		    (piece[4] == '=' || piece[4] == '*'))
			continue;
		first = 0;
		h->piece.len = 0;
		st = rp_buf_append(&h->piece, piece, len);
		if (!st)
			st = rp_buf_puts(&h->piece, ";");
		if (!st)
			st = hdr_piece(h, 1);
	}
	if (!st)
		st = hdr_param(h, "name", a->filename, 1);
	if (!st)
		st = hdr_end(h);
	if (!st)
		st = hdr_begin(h, b, "Content-Disposition");
	if (!st)
		st = hdr_word(h, 1, "attachment;", 11);
	if (!st)
		st = hdr_param(h, "filename", a->filename, 1);
	if (!st)
		st = hdr_end(h);
	if (!st)
		st = rp_buf_puts(b, "Content-Transfer-Encoding: base64\r\n");
	if (!st)
		st = put_body(b, a->data, a->len, holes);
	return st;
}

/* "Content-Type: multipart/SUBTYPE; boundary=..." (the boundary is
 * quoted: it holds '=', a tspecial). */
static rp_status put_multipart_type(struct hdr *h, rp_buf *b,
				    const char *subtype, const char *boundary)
{
	rp_status st = hdr_begin(h, b, "Content-Type");

	if (!st) {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "multipart/%s;", subtype);
	}
	if (!st)
		st = hdr_piece(h, 1);
	if (!st) {
		h->piece.len = 0;
		st = rp_buf_printf(&h->piece, "boundary=\"%s\"", boundary);
	}
	if (!st)
		st = hdr_piece(h, 1);
	return st ? st : hdr_end(h);
}

/* 32 hex digits: random, or SHA-256 of seed and label so a golden test
 * gets the same boundaries and Message-ID on every run. */
static rp_status make_id(const char *seed, const char *label,
			 char hex[ID_HEX + 1], char *err, size_t errlen)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = NULL;
	rp_status st = RP_ERR_INTERNAL;
	size_t i;

	if (seed) {
		ctx = EVP_MD_CTX_new();
		if (!ctx) {
			st = RP_ERR_NOMEM;
			goto fail;
		}
		if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, seed, strlen(seed) + 1) != 1 ||
		    EVP_DigestUpdate(ctx, label, strlen(label)) != 1 ||
		    EVP_DigestFinal_ex(ctx, raw, NULL) != 1) {
			set_err(err, errlen, "SHA-256 failed while deriving MIME boundaries");
			goto fail;
		}
	} else if (RAND_bytes(raw, ID_BYTES) != 1) {
		set_err(err, errlen,
			"OpenSSL's random generator failed; cannot make MIME boundaries");
		goto fail;
	}
	for (i = 0; i < ID_BYTES; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[ID_HEX] = '\0';
	st = RP_OK;
fail:
	EVP_MD_CTX_free(ctx);
	return st;
}

/* RFC 5322 3.3 date in UTC, with English names whatever the locale. */
static rp_status format_date(time_t t, char out[40])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1900)
		return RP_ERR_INVALID;
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return RP_OK;
}

static rp_status check_list(const char *what, const char *const *list,
			    size_t n, char *err, size_t errlen)
{
	rp_status st;
	size_t i;

	if (n && !list) {
		set_err(err, errlen, "%s: %zu addresses but no list", what, n);
		return RP_ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		st = rp_mime_check_address(what, list[i], err, errlen);
		if (st)
			return st;
	}
	return RP_OK;
}

/* Everything a header will hold, before anything is written. */
static rp_status check_message(const rp_mime_message *m, struct address *from,
			       char *err, size_t errlen)
{
	const char *problem;
	char show[SHOWN];
	rp_status st;
	size_t i;

	if (!m->from || !m->subject || !m->text) {
		set_err(err, errlen, "the message has no %s",
			!m->from ? "from address" : !m->subject ? "subject" : "text body");
		return RP_ERR_INVALID;
	}
	st = parse_address("from", m->from, from, err, errlen);
	if (!st)
		st = check_list("to", m->to, m->nto, err, errlen);
	if (!st)
		st = check_list("cc", m->cc, m->ncc, err, errlen);
	if (!st)
		st = check_list("bcc", m->bcc, m->nbcc, err, errlen);
	if (!st && m->reply_to)
		st = rp_mime_check_address("reply_to", m->reply_to, err, errlen);
	if (!st)
		st = rp_mime_check_header_value("subject", m->subject, err, errlen);
	if (st)
		return st;
	if (m->nto + m->ncc + m->nbcc == 0) {
		set_err(err, errlen, "the message has no recipients; set to, cc or bcc");
		return RP_ERR_CONFIG;
	}
	if (m->nattachments && !m->attachments) {
		set_err(err, errlen, "%zu attachments but no list", m->nattachments);
		return RP_ERR_INVALID;
	}
	for (i = 0; i < m->nattachments; i++) {
		const rp_mime_part *a = &m->attachments[i];

		if (!a->filename || !a->filename[0]) {
			set_err(err, errlen, "attachment %zu has no filename", i + 1);
			return a->filename ? RP_ERR_CONFIG : RP_ERR_INVALID;
		}
		if (a->len && !a->data) {
			set_err(err, errlen, "attachment filename '%s' has no data",
				shown(show, a->filename));
			return RP_ERR_INVALID;
		}
		st = rp_mime_check_header_value("attachment filename", a->filename,
						err, errlen);
		if (!st && a->media_type)
			st = check_media_type("attachment media type", a->media_type,
					      err, errlen);
		if (st)
			return st;
	}
	if (m->message_id_domain) {
		st = rp_mime_check_header_value("message_id_domain",
						m->message_id_domain, err, errlen);
		if (st)
			return st;
		problem = domain_problem(m->message_id_domain,
					 strlen(m->message_id_domain));
		if (problem) {
			set_err(err, errlen, "message_id_domain '%s' %s",
				shown(show, m->message_id_domain), problem);
			return RP_ERR_CONFIG;
		}
	}
	return RP_OK;
}

static rp_status build(const rp_mime_message *m, rp_buf *out,
		       struct holes *holes, char *err, size_t errlen)
{
	struct address from;
	struct hdr h;
	rp_buf scratch = {0};
	char mixed[ID_HEX + 16], alt[ID_HEX + 16], id[ID_HEX + 1], date[40];
	const char *at;
	size_t start = 0, i;
	rp_status st;

	memset(&h, 0, sizeof(h));
	if (err && errlen)
		err[0] = '\0';
	if (!m || !out) {
		set_err(err, errlen, "rp_mime_build called without a message or buffer");
		return RP_ERR_INVALID;
	}
	start = out->len;
	st = check_message(m, &from, err, errlen);
	if (st)
		goto fail;
	st = format_date(m->date ? m->date : time(NULL), date);
	if (st) {
		set_err(err, errlen, "the message date is out of range");
		goto fail;
	}
	st = make_id(m->boundary_seed, "mixed", id, err, errlen);
	if (st)
		goto fail;
	snprintf(mixed, sizeof(mixed), "=_rp_mixed_%s", id);
	st = make_id(m->boundary_seed, "alternative", id, err, errlen);
	if (st)
		goto fail;
	snprintf(alt, sizeof(alt), "=_rp_alt_%s", id);
	st = make_id(m->boundary_seed, "message-id", id, err, errlen);
	if (st)
		goto fail;

	st = rp_buf_printf(out, "Date: %s\r\n", date);
	if (!st)
		st = put_address_field(&h, out, "From", &m->from, 1);
	if (!st)
		st = put_address_field(&h, out, "To", m->to, m->nto);
	if (!st)
		st = put_address_field(&h, out, "Cc", m->cc, m->ncc);
	if (!st && m->reply_to)
		st = put_address_field(&h, out, "Reply-To", &m->reply_to, 1);
	if (!st)
		st = hdr_begin(&h, out, "Subject");
	if (!st)
		st = hdr_unstructured(&h, m->subject);
	if (!st)
		st = hdr_end(&h);
	if (st)
		goto fail;
	if (m->message_id_domain) {
		st = rp_buf_printf(out, "Message-ID: <%s@%s>\r\n", id,
				   m->message_id_domain);
	} else {
		at = memchr(from.spec, '@', from.spec_len);
		st = rp_buf_printf(out, "Message-ID: <%s@%.*s>\r\n", id,
				   (int)(from.spec + from.spec_len - at - 1), at + 1);
	}
	if (!st)
		st = rp_buf_puts(out, "MIME-Version: 1.0\r\n");
	if (!st)
		st = put_multipart_type(&h, out, "mixed", mixed);
	/* The preamble is for readers that know no MIME; the blank line
	 * before it ends the header block. */
	if (!st)
		st = rp_buf_puts(out, "\r\nThis is a multi-part message in MIME format.\r\n");
	if (st)
		goto fail;

	if (m->html) {
		st = rp_buf_printf(out, "--%s\r\n", mixed);
		if (!st)
			st = put_multipart_type(&h, out, "alternative", alt);
		if (!st)
			st = rp_buf_puts(out, "\r\n");
		if (!st)
			st = put_text_part(out, alt, "plain", m->text, &scratch);
		if (!st)
			st = put_text_part(out, alt, "html", m->html, &scratch);
		if (!st)
			st = rp_buf_printf(out, "--%s--\r\n", alt);
	} else {
		st = put_text_part(out, mixed, "plain", m->text, &scratch);
	}
	for (i = 0; !st && i < m->nattachments; i++)
		st = put_attachment(&h, out, mixed, &m->attachments[i], holes);
	if (!st)
		st = rp_buf_printf(out, "--%s--\r\n", mixed);
	if (st)
		goto fail;
	rp_buf_free(&scratch);
	rp_buf_free(&h.piece);
	return RP_OK;

fail:
	if (st == RP_ERR_NOMEM)
		set_err(err, errlen, "out of memory while building the mail message");
	else if (err && errlen && !err[0])
		set_err(err, errlen, "building the mail message failed (status %d)", st);
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	rp_buf_free(&scratch);
	rp_buf_free(&h.piece);
	return st;
}

rp_status rp_mime_build(const rp_mime_message *m, rp_buf *out, char *err,
			size_t errlen)
{
	return build(m, out, NULL, err, errlen);
}

rp_status rp_mime_build_holes(const rp_mime_message *m, rp_buf *out,
			      rp_mime_hole **holes, size_t *nholes, char *err,
			      size_t errlen)
{
	struct holes hl = {NULL, 0};
	rp_status st = build(m, out, &hl, err, errlen);

	if (st) {
		free(hl.h);
		hl.h = NULL;
		hl.n = 0;
	}
	*holes = hl.h;
	*nholes = hl.n;
	return st;
}

/* --------------------------------------------------- HTML to text */

struct h2t {
	rp_buf *out;
	size_t start;   /* where our text begins in out */
	int breaks;     /* line breaks owed before the next text (0..2) */
	int space;      /* white space seen since the last text */
	int pre;        /* inside <pre>: white space kept */
	int in_cell;    /* inside <td>/<th>: blocks do not break the row */
	size_t cells;   /* cells so far in the current table row */
};

static char last_char(const struct h2t *t)
{
	return t->out->len > t->start ? t->out->data[t->out->len - 1] : '\n';
}

/* Pays the owed line breaks, counting those already written (a <pre>
 * ends with its own), trailing spaces dropped first. */
static rp_status h2t_flush(struct h2t *t)
{
	int have = 0;
	size_t i;

	if (t->breaks == 0)
		return RP_OK;
	while (t->out->len > t->start && t->out->data[t->out->len - 1] == ' ')
		t->out->len--;
	if (t->out->len > t->start) {
		for (i = t->out->len; i > t->start && have < 2 &&
		     t->out->data[i - 1] == '\n'; i--)
			have++;
		for (; have < t->breaks; have++)
			if (rp_buf_puts(t->out, "\n"))
				return RP_ERR_NOMEM;
	}
	if (t->out->data)
		t->out->data[t->out->len] = '\0';
	t->breaks = 0;
	t->space = 0;
	return RP_OK;
}

/* Text that is not white space (or is, inside <pre>). */
static rp_status h2t_put(struct h2t *t, const char *s, size_t len)
{
	rp_status st = h2t_flush(t);

	if (!st && t->space && last_char(t) != '\n' && last_char(t) != ' ')
		st = rp_buf_puts(t->out, " ");
	t->space = 0;
	return st ? st : rp_buf_append(t->out, s, len);
}

static void h2t_break(struct h2t *t, int n)
{
	if (t->breaks < n)
		t->breaks = n;
}

/* Block elements and how many line breaks surround them: 2 leaves a
 * blank line (a paragraph), 1 starts a new line. */
static const struct {
	const char *name;
	int breaks;
} h2t_blocks[] = {
	{"p", 2}, {"h1", 2}, {"h2", 2}, {"h3", 2}, {"h4", 2}, {"h5", 2},
	{"h6", 2}, {"table", 2}, {"ul", 2}, {"ol", 2}, {"dl", 2},
	{"pre", 2}, {"blockquote", 2}, {"hr", 2}, {"div", 1}, {"tr", 1},
	{"li", 1}, {"dt", 1}, {"dd", 1}, {"caption", 1}, {"thead", 1},
	{"tbody", 1}, {"tfoot", 1}, {"section", 1}, {"article", 1},
	{"header", 1}, {"footer", 1}, {"main", 1}, {"nav", 1}, {"aside", 1},
	{"address", 1}, {"figure", 1}, {"figcaption", 1}, {"form", 1},
	{"fieldset", 1}, {"body", 1}, {"html", 1},
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The first "</name" at or after p (any case), or NULL. */
static const char *find_close(const char *p, const char *name)
{
	size_t n = strlen(name), i;

	for (; (p = strchr(p, '<')) != NULL; p++) {
		if (p[1] != '/')
			continue;
		for (i = 0; i < n && lower((unsigned char)p[2 + i]) == name[i]; i++)
			;
		if (i == n && !is_alnum((unsigned char)p[2 + n]))
			return p;
	}
	return NULL;
}

/* End of a tag that starts at p ('<'): the '>' outside quoted attribute
 * values, or NULL when there is none. */
static const char *tag_end(const char *p)
{
	char quote = 0;

	for (p++; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

static rp_status h2t_tag(struct h2t *t, const char *name, int closing)
{
	size_t i;

	if (strcmp(name, "br") == 0) {
		/* Inside a cell a break would split the row. */
		if (t->in_cell)
			t->space = 1;
		else
			t->breaks = t->breaks < 2 ? t->breaks + 1 : 2;
		return RP_OK;
	}
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		t->in_cell = !closing;
		if (!closing && t->cells++ > 0) {
			rp_status st;

			t->space = 0;
			st = h2t_flush(t);
			/* After an empty cell: "a | | c", not "a |  | c". */
			while (t->out->len > t->start && last_char(t) == ' ')
				t->out->len--;
			if (!st)
				st = rp_buf_puts(t->out, last_char(t) == '\n' ? "| " : " | ");
			return st;
		}
		return RP_OK;
	}
	if (strcmp(name, "tr") == 0 || strcmp(name, "table") == 0) {
		t->cells = 0;
		t->in_cell = 0;
	}
	if (strcmp(name, "pre") == 0)
		t->pre = !closing;
	if (t->in_cell)
		return RP_OK;
	for (i = 0; i < sizeof(h2t_blocks) / sizeof(h2t_blocks[0]); i++) {
		if (strcmp(name, h2t_blocks[i].name) == 0) {
			h2t_break(t, h2t_blocks[i].breaks);
			if (strcmp(name, "li") == 0 && !closing)
				return h2t_put(t, "- ", 2);
			break;
		}
	}
	return RP_OK;
}

/* &name; or &#N; / &#xH; at p: appends the character, returns the bytes
 * used, 0 when p holds no entity we know (the '&' is then text). */
static size_t h2t_entity(struct h2t *t, const char *p, rp_status *st)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {
		{"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""},
		{"apos;", "'"}, {"nbsp;", " "},
	};
	unsigned long cp = 0;
	size_t i, n;
	int base = 10, digits = 0;
	char u[4];

	*st = RP_OK;
	p++;
	if (*p == '#') {
		i = 1;
		if (p[1] == 'x' || p[1] == 'X') {
			base = 16;
			i = 2;
		}
		for (; digits < 8; i++, digits++) {
			int c = lower((unsigned char)p[i]), d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (base == 16 && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else
				break;
			cp = cp * (unsigned long)base + (unsigned long)d;
		}
		if (digits == 0 || p[i] != ';')
			return 0;
		*st = h2t_put(t, u, utf8_encode(cp, u));
		return i + 2;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		n = strlen(named[i].name);
		if (strncmp(p, named[i].name, n) == 0) {
			/* A no-break space is still a space in plain text, and
			 * tables full of "&nbsp;" read better collapsed. */
			if (named[i].text[0] == ' ')
				t->space = 1;
			else
				*st = h2t_put(t, named[i].text, 1);
			return n + 1;
		}
	}
	return 0;
}

rp_status rp_html_to_text(const char *html, rp_buf *out)
{
	static const char *const skipped[] = {"head", "style", "script", "title",
					       "template", "noscript"};
	struct h2t t;
	const char *p, *end, *close;
	char name[16];
	size_t n, i;
	int closing;
	rp_status st = RP_OK;

	if (!html || !out)
		return RP_ERR_INVALID;
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.start = out->len;
	for (p = html; *p && !st;) {
		if (*p == '&') {
			n = h2t_entity(&t, p, &st);
			if (n) {
				p += n;
				continue;
			}
			st = h2t_put(&t, p++, 1);
			continue;
		}
		if (*p != '<') {
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			    *p == '\f') {
				if (t.pre && *p != '\r')
					st = h2t_put(&t, p, 1);
				else if (!t.pre && last_char(&t) != '\n')
					t.space = 1;
				p++;
			} else {
				st = h2t_put(&t, p++, 1);
			}
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			end = strstr(p + 4, "-->");
			p = end ? end + 3 : p + strlen(p);
			continue;
		}
		closing = p[1] == '/';
		if (p[1] == '!' || p[1] == '?') {
			end = tag_end(p);
			p = end ? end + 1 : p + strlen(p);
			continue;
		}
		if (!((p[1 + closing] >= 'a' && p[1 + closing] <= 'z') ||
		      (p[1 + closing] >= 'A' && p[1 + closing] <= 'Z')) ||
		    !(end = tag_end(p))) {
			st = h2t_put(&t, p++, 1); /* a lone '<' is text */
			continue;
		}
		for (n = 0, i = 1 + (size_t)closing;
		     is_alnum((unsigned char)p[i]); i++)
			if (n + 1 < sizeof(name))
				name[n++] = (char)lower((unsigned char)p[i]);
		name[n] = '\0';
		p = end + 1;
		if (!closing) {
			for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
				if (strcmp(name, skipped[i]) == 0) {
					/* Unclosed, it is ignored rather than
					 * allowed to swallow the report. */
					close = find_close(p, name);
					if (close) {
						end = tag_end(close);
						p = end ? end + 1 : close + strlen(close);
					}
					break;
				}
			}
			if (i < sizeof(skipped) / sizeof(skipped[0]))
				continue;
		}
		st = h2t_tag(&t, name, closing);
	}
	if (st)
		goto fail;
	/* One final line break, no blank lines at either end. */
	while (out->len > t.start && (out->data[out->len - 1] == '\n' ||
				      out->data[out->len - 1] == ' '))
		out->len--;
	for (i = t.start; i < out->len && out->data[i] == '\n'; i++)
		;
	if (i > t.start) {
		memmove(out->data + t.start, out->data + i, out->len - i);
		out->len -= i - t.start;
	}
	if (out->len > t.start)
		st = rp_buf_puts(out, "\n");
	else if (out->data)
		out->data[out->len] = '\0';
	if (st)
		goto fail;
	return RP_OK;
fail:
	out->len = t.start;
	if (out->data)
		out->data[t.start] = '\0';
	return st;
}
