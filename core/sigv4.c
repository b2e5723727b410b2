/* sigv4.c - AWS Signature Version 4 header signing (see sigv4.h).
 *
 * The canonical request is built in small growable strings; SHA-256 and
 * the HMAC key chain come from libcrypto (EVP_Digest, HMAC).  Buffers that
 * hold the secret, a key derived from it or the session token are wiped
 * with OPENSSL_cleanse before they are freed. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sigv4.h"

#if defined(__GNUC__)
#define SIGV4_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIGV4_PRINTF(f, a)
#endif

#define ALGORITHM "AWS4-HMAC-SHA256"
#define SHA256_LEN 32

/* The headers the signer owns.  Indexes into own_names[]. */
enum { OWN_DATE, OWN_TOKEN, OWN_CONTENT_SHA256, OWN_COUNT };

/* Spelled as aws-c-auth sends them; the lower-cased form is what is signed. */
static const char *const own_names[OWN_COUNT] = {
	"X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256"
};
static const char *const own_lower[OWN_COUNT] = {
	"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"
};

/* A growable NUL-terminated string.  A failed allocation sticks, so a
 * builder appends freely and checks once at the end. */
struct str {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

struct canon_header {
	char *name;   /* lower-cased */
	char *value;  /* trimmed, inner runs of white space made one space */
	size_t order; /* position in the request: duplicates keep their order */
};

struct query_param {
	char *key;   /* percent-encoded */
	char *value; /* percent-encoded */
};

static void set_error(char *errbuf, size_t errlen, const char *fmt, ...)
	SIGV4_PRINTF(3, 4);

static void set_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errbuf || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* Wipes the old block when growing: it may hold the session token, and
 * realloc would leave a stale copy behind in freed memory. */
static void str_add(struct str *s, const void *p, size_t n)
{
	char *grown;
	size_t cap;

	if (s->failed)
		return;
	if (n >= SIZE_MAX / 2 - s->len) {
		s->failed = 1;
		return;
	}
	if (s->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 256;
		while (cap < s->len + n + 1)
			cap *= 2;
		grown = malloc(cap);
		if (!grown) {
			s->failed = 1;
			return;
		}
		if (s->data) {
			memcpy(grown, s->data, s->len);
			OPENSSL_cleanse(s->data, s->cap);
			free(s->data);
		}
		s->data = grown;
		s->cap = cap;
	}
	memcpy(s->data + s->len, p, n);
	s->len += n;
	s->data[s->len] = '\0';
}

static void str_adds(struct str *s, const char *p)
{
	str_add(s, p, strlen(p));
}

static void str_addc(struct str *s, char c)
{
	str_add(s, &c, 1);
}

static void str_free(struct str *s)
{
	if (s->data) {
		OPENSSL_cleanse(s->data, s->cap);
		free(s->data);
	}
	memset(s, 0, sizeof(*s));
}

/* Hands over the contents; the empty string is returned as "" rather than
 * NULL so callers need not tell the two apart. */
static char *str_steal(struct str *s)
{
	char *p;

	if (!s->data)
		str_add(s, "", 0);
	if (s->failed)
		return NULL;
	p = s->data;
	memset(s, 0, sizeof(*s));
	return p;
}

static char *dup_n(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

static void wipe_free(char *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 3986 unreserved: the only bytes SigV4 leaves unencoded. */
static int is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 9110 token characters: what a method or header name may hold. */
static int is_tchar(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_token(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Visible ASCII without anything in reject: credential scope parts, the
 * key id and the token end up inside header values. */
static int is_visible(const char *s, const char *reject)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || strchr(reject, c))
			return 0;
	}
	return 1;
}

static int has_control(const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

/* A line break is only acceptable as a fold (CR LF or LF followed by a
 * blank): anything else would end the header on the wire and let the rest
 * of the value be read as a header of its own. */
static int header_value_ok(const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '\r') {
			if (v[1] != '\n')
				return 0;
			continue;
		}
		if (c == '\n') {
			if (v[1] != ' ' && v[1] != '\t')
				return 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static char *lower_dup(const char *s)
{
	size_t i, n = strlen(s);
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	for (i = 0; i <= n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a')
						    : s[i];
	return d;
}

/* Trims and turns every run of white space, folds included, into one
 * space: the test suites' "a   b   c" and multi-line values want this. */
static char *canonical_value_dup(const char *v)
{
	size_t n = strlen(v), o = 0;
	char *d = malloc(n + 1);
	int pending_space = 0;

	if (!d)
		return NULL;
	for (; *v; v++) {
		if (is_blank((unsigned char)*v)) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space)
			d[o++] = ' ';
		pending_space = 0;
		d[o++] = *v;
	}
	d[o] = '\0';
	return d;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_LEN];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != SHA256_LEN)
		return RP_SIGV4_ERR_INTERNAL;
	to_hex(md, SHA256_LEN, out);
	return RP_SIGV4_OK;
}

int rp_sigv4_payload_hash(const void *data, size_t len, char out[65])
{
	return sha256_hex(data ? data : "", data ? len : 0, out);
}

int rp_sigv4_payload_hash_gen(int (*gen)(void *arg, size_t off, char *buf,
					 size_t n),
			      void *arg, size_t len, char out[65])
{
	enum { CHUNK = 64 * 1024 };
	unsigned char md[SHA256_LEN];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *buf = malloc(CHUNK);
	int rc = RP_SIGV4_ERR_INTERNAL;

	if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (size_t off = 0; off < len;) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		if (gen(arg, off, buf, n)) {
			rc = RP_SIGV4_ERR_INVALID;
			goto out;
		}
		if (!EVP_DigestUpdate(ctx, buf, n))
			goto out;
		off += n;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != SHA256_LEN)
		goto out;
	to_hex(md, SHA256_LEN, out);
	rc = RP_SIGV4_OK;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int hmac_sha256(const void *key, size_t keylen, const char *msg,
		       size_t msglen, unsigned char out[SHA256_LEN])
{
	unsigned int outlen = 0;

	if (keylen > INT_MAX)
		return RP_SIGV4_ERR_INVALID;
	if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		  msglen, out, &outlen) || outlen != SHA256_LEN)
		return RP_SIGV4_ERR_INTERNAL;
	return RP_SIGV4_OK;
}

/* The "YYYYMMDDTHHMMSSZ" stamp for t.  Civil-from-days arithmetic (Howard
 * Hinnant's algorithm) instead of gmtime: no shared static buffer, no
 * dependency on POSIX gmtime_r, same answer on every platform. */
static int format_amz_date(time_t t, char out[17])
{
	long long secs = (long long)t, days, rem, era, y;
	unsigned doe, yoe, doy, mp, d, m;
	char buf[64];

	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	/* The stamp has room for four year digits only. */
	if (y < 0 || y > 9999)
		return -1;
	snprintf(buf, sizeof(buf), "%04lld%02u%02uT%02lld%02lld%02lldZ", y, m,
		 d, rem / 3600, rem / 60 % 60, rem % 60);
	memcpy(out, buf, 17);
	return 0;
}

#define ENC_KEEP_SLASH 0x1u /* a literal '/' separates path segments */
#define ENC_DECODE 0x2u     /* undo %XX first, so encoding happens once */

/* Appends s[0..n) percent-encoded the SigV4 way: unreserved bytes as they
 * are, everything else as %XX with upper-case hex. */
static void append_uri_encoded(struct str *out, const char *s, size_t n,
			       unsigned how)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int decoded = 0;
		char esc[3];

		if ((how & ENC_DECODE) && c == '%' && i + 2 < n &&
		    hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
			c = (unsigned char)(hex_value(s[i + 1]) * 16 +
					    hex_value(s[i + 2]));
			i += 2;
			decoded = 1;
		}
		/* An encoded "%2F" is data inside a segment, not a separator. */
		if (is_unreserved(c) ||
		    (c == '/' && !decoded && (how & ENC_KEEP_SLASH))) {
			str_addc(out, (char)c);
			continue;
		}
		esc[0] = '%';
		esc[1] = digits[c >> 4];
		esc[2] = digits[c & 15];
		str_add(out, esc, 3);
	}
}

/* Resolves "." and "..", drops empty segments and keeps a trailing slash,
 * as aws-c-auth does; ".." above the root stays at the root. */
static int append_normalized_path(struct str *out, const char *path)
{
	size_t nseg = 1, top = 0, i, len = strlen(path);
	const char *p, **seg = NULL;
	size_t *seglen = NULL;
	int rc = RP_SIGV4_ERR_NOMEM;

	for (p = path; *p; p++)
		if (*p == '/')
			nseg++;
	seg = malloc(nseg * sizeof(*seg));
	seglen = malloc(nseg * sizeof(*seglen));
	if (!seg || !seglen)
		goto fail;
	for (p = path; p <= path + len;) {
		const char *slash = memchr(p, '/', (size_t)(path + len - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(path + len - p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (top > 0)
				top--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			seg[top] = p;
			seglen[top++] = n;
		}
		p += n + 1;
	}
	str_addc(out, '/');
	for (i = 0; i < top; i++) {
		str_add(out, seg[i], seglen[i]);
		if (i + 1 < top || (len > 0 && path[len - 1] == '/'))
			str_addc(out, '/');
	}
	rc = RP_SIGV4_OK;
fail: /* reached on success too */
	free(seg);
	free(seglen);
	return rc;
}

static int append_canonical_path(struct str *out, const char *path,
				 unsigned flags)
{
	struct str normalized = { 0 };
	int rc;

	if (flags & RP_SIGV4_NORMALIZE_PATH) {
		rc = append_normalized_path(&normalized, path);
		if (rc)
			goto fail;
		str_add(&normalized, "", 0);
		if (normalized.failed) {
			rc = RP_SIGV4_ERR_NOMEM;
			goto fail;
		}
		path = normalized.data;
	}
	/* Services other than S3 check the signature against the path as it
	 * arrived, still encoded once, so it is encoded again ('%' -> %25).
	 * S3 decodes first, so its form is each segment encoded just once. */
	append_uri_encoded(out, path, strlen(path),
			   ENC_KEEP_SLASH | ((flags & RP_SIGV4_DOUBLE_ENCODE)
						     ? 0 : ENC_DECODE));
	rc = RP_SIGV4_OK;
fail: /* reached on success too */
	str_free(&normalized);
	return rc;
}

static int compare_query_params(const void *a, const void *b)
{
	const struct query_param *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	/* Keys alone first: comparing "k=v" strings would put "Param-3"
	 * before "Param" because '-' sorts before '='. */
	return c ? c : strcmp(x->value, y->value);
}

/* Each parameter is decoded and encoded again, sorted by key then value;
 * a parameter without '=' signs as "key=".  Only the query is looked at:
 * a form body is covered by the payload hash, not by this line. */
static int append_canonical_query(struct str *out, const char *query)
{
	struct query_param *params = NULL;
	size_t n = 0, cap = 1, i;
	const char *p, *end = query + strlen(query);
	int rc = RP_SIGV4_ERR_NOMEM;

	for (p = query; *p; p++)
		if (*p == '&')
			cap++;
	params = calloc(cap, sizeof(*params));
	if (!params)
		goto fail;
	for (p = query; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		struct str k = { 0 }, v = { 0 };

		if (stop > p) {
			append_uri_encoded(&k, p, (size_t)((eq ? eq : stop) - p),
					   ENC_DECODE);
			if (eq)
				append_uri_encoded(&v, eq + 1,
						   (size_t)(stop - eq - 1),
						   ENC_DECODE);
			params[n].key = str_steal(&k);
			params[n].value = str_steal(&v);
			n++;
			if (!params[n - 1].key || !params[n - 1].value) {
				str_free(&k);
				str_free(&v);
				goto fail;
			}
		}
		p = stop + 1;
	}
	qsort(params, n, sizeof(*params), compare_query_params);
	for (i = 0; i < n; i++) {
		if (i)
			str_addc(out, '&');
		str_adds(out, params[i].key);
		str_addc(out, '=');
		str_adds(out, params[i].value);
	}
	rc = RP_SIGV4_OK;
fail: /* reached on success too */
	for (i = 0; params && i < n; i++) {
		free(params[i].key);
		free(params[i].value);
	}
	free(params);
	return rc;
}

static int compare_headers(const void *a, const void *b)
{
	const struct canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* qsort is not stable; the request order breaks ties so repeated
	 * headers join in the order they were sent. */
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* HMAC chain of the SigV4 spec, from "AWS4" + secret down to the signing
 * key, then the signature of the string to sign. */
static int compute_signature(const char *secret, const char *date,
			     const char *region, const char *service,
			     const char *sts, size_t stslen, char out[65])
{
	size_t slen = strlen(secret);
	unsigned char *k_secret = NULL;
	unsigned char k1[SHA256_LEN], k2[SHA256_LEN];
	int rc = RP_SIGV4_ERR_NOMEM;

	k_secret = malloc(slen + 4);
	if (!k_secret)
		goto fail;
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, slen);
	if ((rc = hmac_sha256(k_secret, slen + 4, date, strlen(date), k1)) ||
	    (rc = hmac_sha256(k1, SHA256_LEN, region, strlen(region), k2)) ||
	    (rc = hmac_sha256(k2, SHA256_LEN, service, strlen(service), k1)) ||
	    (rc = hmac_sha256(k1, SHA256_LEN, "aws4_request", 12, k2)) ||
	    (rc = hmac_sha256(k2, SHA256_LEN, sts, stslen, k1)))
		goto fail;
	to_hex(k1, SHA256_LEN, out);
	rc = RP_SIGV4_OK;
fail: /* reached on success too */
	if (k_secret) {
		OPENSSL_cleanse(k_secret, slen + 4);
		free(k_secret);
	}
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

/* Size of the add_headers block: the array, then each name and value. */
static size_t add_headers_size(const char *const names[],
			       const char *const values[], size_t n)
{
	size_t i, size = n * sizeof(rp_sigv4_header);

	for (i = 0; i < n; i++)
		size += strlen(names[i]) + 1 + strlen(values[i]) + 1;
	return size;
}

/* One allocation, so the caller's single free covers names and values. */
static rp_sigv4_header *make_add_headers(const char *const names[],
					 const char *const values[], size_t n)
{
	size_t i, size = add_headers_size(names, values, n);
	rp_sigv4_header *h = malloc(size);
	char *p;

	if (!h)
		return NULL;
	p = (char *)(h + n);
	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]) + 1, vl = strlen(values[i]) + 1;

		memcpy(p, names[i], nl);
		h[i].name = p;
		p += nl;
		memcpy(p, values[i], vl);
		h[i].value = p;
		p += vl;
	}
	return h;
}

/* Checks everything that does not depend on the headers.  Messages name
 * the field and the fix but never echo a credential. */
static int check_inputs(const rp_sigv4_request *req,
			const rp_sigv4_credentials *creds,
			const rp_sigv4_params *params, char *errbuf,
			size_t errlen)
{
	if (!req || !creds || !params) {
		set_error(errbuf, errlen, "rp_sigv4_sign was called with a NULL "
			  "request, credentials or parameters");
		return RP_SIGV4_ERR_INVALID;
	}
	if (!is_token(req->method)) {
		set_error(errbuf, errlen, "the request method is empty or not "
			  "an HTTP token (e.g. \"GET\")");
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->path && *req->path && *req->path != '/') {
		set_error(errbuf, errlen, "the request path \"%.80s\" does not "
			  "start with '/'", req->path);
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->path && (strpbrk(req->path, "?#") || has_control(req->path))) {
		set_error(errbuf, errlen, "the request path \"%.80s\" holds "
			  "'?', '#' or a control character; pass the query "
			  "separately and percent-encode the rest", req->path);
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->query && (strchr(req->query, '#') || has_control(req->query))) {
		set_error(errbuf, errlen, "the query string holds '#' or a "
			  "control character; percent-encode it");
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->nheaders && !req->headers) {
		set_error(errbuf, errlen, "the request has %zu headers but no "
			  "header array", req->nheaders);
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->payload_len && !req->payload && !req->payload_hash) {
		set_error(errbuf, errlen, "the payload is NULL but its length "
			  "is %zu", req->payload_len);
		return RP_SIGV4_ERR_INVALID;
	}
	if (req->payload_hash && !is_visible(req->payload_hash, "")) {
		set_error(errbuf, errlen, "the precomputed payload hash is "
			  "empty or holds blanks or control characters; give 64 "
			  "hex digits or a marker like UNSIGNED-PAYLOAD");
		return RP_SIGV4_ERR_INVALID;
	}
	if (!is_visible(creds->access_key_id, ",/")) {
		set_error(errbuf, errlen, "the access key id is missing or "
			  "holds a blank, ',', '/' or a control character");
		return RP_SIGV4_ERR_INVALID;
	}
	if (!creds->secret_access_key || !*creds->secret_access_key ||
	    strlen(creds->secret_access_key) > INT_MAX - 4) {
		set_error(errbuf, errlen, "the secret access key is missing "
			  "or too long");
		return RP_SIGV4_ERR_INVALID;
	}
	if (creds->session_token && *creds->session_token &&
	    !is_visible(creds->session_token, "")) {
		set_error(errbuf, errlen, "the session token holds a blank or "
			  "a control character, so it cannot be sent in a "
			  "header; check how it was read");
		return RP_SIGV4_ERR_INVALID;
	}
	if (!is_visible(params->region, "/") ||
	    !is_visible(params->service, "/")) {
		set_error(errbuf, errlen, "the region or service is missing or "
			  "holds a blank, '/' or a control character");
		return RP_SIGV4_ERR_INVALID;
	}
	return RP_SIGV4_OK;
}

int rp_sigv4_sign(const rp_sigv4_request *req,
		  const rp_sigv4_credentials *creds,
		  const rp_sigv4_params *params, rp_sigv4_result *out,
		  char *errbuf, size_t errlen)
{
	struct canon_header *hs = NULL;
	size_t nhs = 0, i, j, nadd = 0;
	struct str creq = { 0 }, sts = { 0 }, names = { 0 }, authz = { 0 };
	char amz_date[17], date[9], payload_hex[65], creq_hash[65];
	const char *payload_hash, *token = NULL;
	const char *own_value[OWN_COUNT] = { NULL };
	int own_present[OWN_COUNT] = { 0 };
	const char *add_names[OWN_COUNT], *add_values[OWN_COUNT];
	int have_host = 0, omit_token, rc;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!out) {
		set_error(errbuf, errlen, "rp_sigv4_sign was called without a "
			  "result to fill");
		return RP_SIGV4_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	rc = check_inputs(req, creds, params, errbuf, errlen);
	if (rc)
		goto fail;
	if (format_amz_date(params->time, amz_date)) {
		set_error(errbuf, errlen, "the signing time %lld is outside "
			  "the years 0 to 9999", (long long)params->time);
		rc = RP_SIGV4_ERR_INVALID;
		goto fail;
	}
	memcpy(date, amz_date, 8);
	date[8] = '\0';

	if (req->payload_hash) {
		payload_hash = req->payload_hash;
	} else {
		rc = sha256_hex(req->payload ? req->payload : "",
				req->payload ? req->payload_len : 0,
				payload_hex);
		if (rc) {
			set_error(errbuf, errlen, "libcrypto could not compute "
				  "SHA-256 of the payload");
			goto fail;
		}
		payload_hash = payload_hex;
	}

	if (creds->session_token && *creds->session_token)
		token = creds->session_token;
	omit_token = token && (params->flags & RP_SIGV4_OMIT_SESSION_TOKEN);
	own_value[OWN_DATE] = amz_date;
	own_value[OWN_TOKEN] = token;
	if (params->flags & RP_SIGV4_SIGN_BODY)
		own_value[OWN_CONTENT_SHA256] = payload_hash;

	hs = calloc(req->nheaders + OWN_COUNT, sizeof(*hs));
	if (!hs) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < req->nheaders; i++) {
		const rp_sigv4_header *h = &req->headers[i];
		int own = -1, k;

		if (!is_token(h->name)) {
			set_error(errbuf, errlen, "header %zu has an empty or "
				  "invalid name \"%.60s\"; a name is an HTTP "
				  "token without blanks or ':'", i + 1,
				  h->name ? h->name : "(null)");
			rc = RP_SIGV4_ERR_INVALID;
			goto fail;
		}
		if (!h->value || !header_value_ok(h->value)) {
			set_error(errbuf, errlen, "header %s has no value, a "
				  "control character, or a line break that is "
				  "not a fold (CR LF then a blank)", h->name);
			rc = RP_SIGV4_ERR_INVALID;
			goto fail;
		}
		hs[nhs].name = lower_dup(h->name);
		hs[nhs].value = canonical_value_dup(h->value);
		hs[nhs].order = i;
		nhs++;
		if (!hs[nhs - 1].name || !hs[nhs - 1].value) {
			rc = RP_SIGV4_ERR_NOMEM;
			goto fail;
		}
		if (!strcmp(hs[nhs - 1].name, "authorization")) {
			set_error(errbuf, errlen, "the request already has an "
				  "Authorization header; remove it before "
				  "signing");
			rc = RP_SIGV4_ERR_INVALID;
			goto fail;
		}
		if (!strcmp(hs[nhs - 1].name, "host"))
			have_host = 1;
		for (k = 0; k < OWN_COUNT; k++)
			if (own_value[k] && !strcmp(hs[nhs - 1].name, own_lower[k]))
				own = k;
		if (own < 0)
			continue;
		/* A header the signer owns may already be present, as in the
		 * AWS suite's requests, but only once and with the value the
		 * signer would give it: two different values would go out. */
		if (own_present[own] ||
		    strcmp(hs[nhs - 1].value, own_value[own]) != 0) {
			set_error(errbuf, errlen, "the request's %s header %s; "
				  "drop it and send the one the signer returns",
				  own_names[own], own_present[own]
				  ? "appears twice"
				  : "differs from the value being signed");
			rc = RP_SIGV4_ERR_INVALID;
			goto fail;
		}
		own_present[own] = 1;
		if (own == OWN_TOKEN && omit_token) {
			/* Sent, but left out of the signature. */
			nhs--;
			wipe_free(hs[nhs].name);
			wipe_free(hs[nhs].value);
			hs[nhs].name = hs[nhs].value = NULL;
		}
	}
	if (!have_host) {
		set_error(errbuf, errlen, "the request has no Host header; "
			  "SigV4 requires it to be signed, so add it (the "
			  "endpoint's host name) before signing");
		rc = RP_SIGV4_ERR_INVALID;
		goto fail;
	}
	for (i = 0; i < OWN_COUNT; i++) {
		if (!own_value[i] || own_present[i])
			continue;
		add_names[nadd] = own_names[i];
		add_values[nadd] = own_value[i];
		nadd++;
		if (i == OWN_TOKEN && omit_token)
			continue;
		hs[nhs].name = dup_n(own_lower[i], strlen(own_lower[i]));
		hs[nhs].value = dup_n(own_value[i], strlen(own_value[i]));
		hs[nhs].order = req->nheaders + i;
		nhs++;
		if (!hs[nhs - 1].name || !hs[nhs - 1].value) {
			rc = RP_SIGV4_ERR_NOMEM;
			goto fail;
		}
	}
	qsort(hs, nhs, sizeof(*hs), compare_headers);

	str_adds(&creq, req->method);
	str_addc(&creq, '\n');
	rc = append_canonical_path(&creq, req->path && *req->path ? req->path
				   : "/", params->flags);
	if (rc) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}
	str_addc(&creq, '\n');
	rc = append_canonical_query(&creq, req->query ? req->query : "");
	if (rc) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}
	str_addc(&creq, '\n');
	for (i = 0; i < nhs; i = j) {
		str_adds(&creq, hs[i].name);
		str_addc(&creq, ':');
		if (names.len)
			str_addc(&names, ';');
		str_adds(&names, hs[i].name);
		for (j = i; j < nhs && !strcmp(hs[j].name, hs[i].name); j++) {
			if (j > i)
				str_addc(&creq, ',');
			str_adds(&creq, hs[j].value);
		}
		str_addc(&creq, '\n');
	}
	str_addc(&creq, '\n');
	str_add(&creq, names.data, names.len);
	str_addc(&creq, '\n');
	str_adds(&creq, payload_hash);
	if (creq.failed || names.failed) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}

	rc = sha256_hex(creq.data, creq.len, creq_hash);
	if (rc) {
		set_error(errbuf, errlen, "libcrypto could not compute SHA-256 "
			  "of the canonical request");
		goto fail;
	}
	str_adds(&sts, ALGORITHM "\n");
	str_adds(&sts, amz_date);
	str_addc(&sts, '\n');
	str_adds(&sts, date);
	str_addc(&sts, '/');
	str_adds(&sts, params->region);
	str_addc(&sts, '/');
	str_adds(&sts, params->service);
	str_adds(&sts, "/aws4_request\n");
	str_adds(&sts, creq_hash);
	if (sts.failed) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}

	rc = compute_signature(creds->secret_access_key, date, params->region,
			       params->service, sts.data, sts.len,
			       out->signature);
	if (rc) {
		set_error(errbuf, errlen, "libcrypto could not compute the "
			  "HMAC-SHA256 signature");
		goto fail;
	}

	str_adds(&authz, ALGORITHM " Credential=");
	str_adds(&authz, creds->access_key_id);
	str_addc(&authz, '/');
	str_adds(&authz, date);
	str_addc(&authz, '/');
	str_adds(&authz, params->region);
	str_addc(&authz, '/');
	str_adds(&authz, params->service);
	str_adds(&authz, "/aws4_request, SignedHeaders=");
	str_add(&authz, names.data, names.len);
	str_adds(&authz, ", Signature=");
	str_adds(&authz, out->signature);
	if (authz.failed) {
		rc = RP_SIGV4_ERR_NOMEM;
		goto fail;
	}

	if (nadd) {
		out->add_headers = make_add_headers(add_names, add_values, nadd);
		if (!out->add_headers) {
			rc = RP_SIGV4_ERR_NOMEM;
			goto fail;
		}
		out->nadd_headers = nadd;
	}
	out->canonical_request = str_steal(&creq);
	out->string_to_sign = str_steal(&sts);
	out->authorization = str_steal(&authz);
	rc = RP_SIGV4_OK;
fail: /* reached on success too: the scratch buffers go either way */
	if (rc == RP_SIGV4_ERR_NOMEM)
		set_error(errbuf, errlen, "out of memory while signing the "
			  "request");
	for (i = 0; hs && i < nhs; i++) {
		wipe_free(hs[i].name);
		wipe_free(hs[i].value);
	}
	free(hs);
	str_free(&creq);
	str_free(&sts);
	str_free(&names);
	str_free(&authz);
	if (rc)
		rp_sigv4_result_free(out);
	return rc;
}

void rp_sigv4_result_free(rp_sigv4_result *r)
{
	const char *names[OWN_COUNT], *values[OWN_COUNT];
	size_t i;

	if (!r)
		return;
	/* The canonical request and the added headers may carry the session
	 * token. */
	wipe_free(r->canonical_request);
	free(r->string_to_sign);
	free(r->authorization);
	if (r->add_headers) {
		for (i = 0; i < r->nadd_headers && i < OWN_COUNT; i++) {
			names[i] = r->add_headers[i].name;
			values[i] = r->add_headers[i].value;
		}
		OPENSSL_cleanse(r->add_headers,
				add_headers_size(names, values, i));
		free(r->add_headers);
	}
	memset(r, 0, sizeof(*r));
}
