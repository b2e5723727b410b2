/* http.c - HTTP for reportpipe over libcurl.
 *
 * One easy handle serves the whole run so connections (and TLS sessions)
 * are reused.  TLS verification is never turned off; a ca_file adds to the
 * system's CAs instead of replacing them, so a private CA for a proxy does
 * not break AWS.  The debug trace shows headers only, with credential
 * headers redacted: bodies may hold secrets (an AssumeRole answer does). */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "log.h"

struct rp_http {
	CURL *curl;
	char *ca_file;      /* the CA blob built for this file */
	rp_buf ca_blob;
};

/* Workers of a fanning-out source make their own handles. */
static pthread_mutex_t curl_users_lock = PTHREAD_MUTEX_INITIALIZER;
static int curl_users;

rp_status rp_http_new(rp_http **out)
{
	rp_http *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return RP_ERR_NOMEM;
	pthread_mutex_lock(&curl_users_lock);
	if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		curl_users--;
		pthread_mutex_unlock(&curl_users_lock);
		free(h);
		return RP_ERR_INTERNAL;
	}
	pthread_mutex_unlock(&curl_users_lock);
	h->curl = curl_easy_init();
	if (!h->curl) {
		rp_http_free(h);
		return RP_ERR_NOMEM;
	}
	*out = h;
	return RP_OK;
}

void rp_http_free(rp_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->ca_file);
	rp_buf_free(&h->ca_blob);
	free(h);
	pthread_mutex_lock(&curl_users_lock);
	if (curl_users > 0 && --curl_users == 0)
		curl_global_cleanup();
	pthread_mutex_unlock(&curl_users_lock);
}

/* A body made as it is sent (rp_http_request.gen). */
struct gen_body {
	const rp_http_request *req;
	size_t off;
};

static size_t on_read(char *buf, size_t size, size_t n, void *user)
{
	struct gen_body *g = user;
	size_t want = size * n, left = g->req->body_len - g->off;

	if (want > left)
		want = left;
	if (!want)
		return 0;
	if (g->req->gen(g->req->gen_arg, g->off, buf, want))
		return CURL_READFUNC_ABORT;
	g->off += want;
	return want;
}

/* libcurl rewinds a body to send it again (a reused connection that was
 * closed under it, say). */
static int on_seek(void *user, curl_off_t offset, int origin)
{
	struct gen_body *g = user;

	if (origin != SEEK_SET || offset < 0 ||
	    (curl_off_t)g->req->body_len < offset)
		return CURL_SEEKFUNC_FAIL;
	g->off = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	rp_http_response *r = user;

	/* The status line has been parsed by now (on_header). */
	if (r->body_fn && r->status >= 200 && r->status < 300) {
		r->streaming = 1;
		r->body_fn(r->body_arg, data, size * n);
		return size * n;
	}
	return rp_buf_append(&r->body, data, size * n) ? 0 : size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	rp_http_response *r = user;
	size_t len = size * n, nl;
	char *colon = memchr(data, ':', len), *name, *value, **g;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or 100-continue) starts
		 * over: keep only the final one's headers. */
		const char *sp = memchr(data, ' ', len);

		for (size_t i = 0; i < r->nheaders * 2; i++)
			free(r->headers[i]);
		r->nheaders = 0;
		r->headers_ended = 0;
		/* Its status, for on_body to know where the body goes. */
		r->status = sp && sp + 4 <= data + len ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if ((len == 1 && data[0] == '\n') ||
	    (len == 2 && data[0] == '\r' && data[1] == '\n')) {
		r->headers_ended = 1;
		return len;
	}
	if (!colon)
		return len;
	nl = len;
	while (nl && (data[nl - 1] == '\r' || data[nl - 1] == '\n'))
		nl--;
	name = rp_strndup(data, (size_t)(colon - data));
	value = rp_strndup(colon + 1, nl - (size_t)(colon + 1 - data));
	g = name && value ? realloc(r->headers, (r->nheaders + 1) * 2 * sizeof(*g)) : NULL;
	if (!g) {
		free(name);
		free(value);
		return 0;
	}
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	r->headers = g;
	g[r->nheaders * 2] = name;
	g[r->nheaders * 2 + 1] = rp_strtrim(value);
	r->nheaders++;
	return len;
}

const char *rp_http_header_get(const rp_http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i * 2], name) == 0)
			return r->headers[i * 2 + 1];
	return NULL;
}

void rp_http_response_free(rp_http_response *r)
{
	rp_buf_free(&r->body);
	for (size_t i = 0; i < r->nheaders * 2; i++)
		free(r->headers[i]);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

static int redacted_header(const char *line, size_t len)
{
	static const char *const secret[] = {
		"authorization:", "x-amz-security-token:",
		"x-aws-ec2-metadata-token:", "proxy-authorization:", "cookie:",
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		size_t n = strlen(secret[i]);

		if (len >= n && strncasecmp(line, secret[i], n) == 0)
			return (int)n;
	}
	return 0;
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size,
		    void *user)
{
	const char *dir = type == CURLINFO_HEADER_OUT ? "> "
			: type == CURLINFO_HEADER_IN ? "< "
			: type == CURLINFO_TEXT ? "* " : NULL;

	(void)c;
	(void)user;
	if (!dir)
		return 0; /* bodies are never traced */
	while (size) {
		char *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) + 1 : size, shown = len;
		int secret;

		while (shown && (data[shown - 1] == '\n' || data[shown - 1] == '\r'))
			shown--;
		secret = redacted_header(data, shown);
		if (shown && secret)
			rp_log(RP_LOG_DEBUG, "http", "%s%.*s (redacted)", dir, secret, data);
		else if (shown)
			rp_log(RP_LOG_DEBUG, "http", "%s%.*s", dir, (int)shown, data);
		data += len;
		size -= len;
	}
	return 0;
}

/* The system bundle plus the user's PEM, as one blob for libcurl. */
static rp_status load_ca(rp_http *h, const char *ca_file, char *err,
			 size_t errlen)
{
	char *sys = NULL, *data = NULL, *def = NULL;
	size_t len;
	rp_status st;

	if (h->ca_file && strcmp(h->ca_file, ca_file) == 0)
		return RP_OK;
	rp_buf_free(&h->ca_blob);
	free(h->ca_file);
	h->ca_file = NULL;
	curl_easy_getinfo(h->curl, CURLINFO_CAINFO, &def);
	if (def && rp_read_file(def, &sys, &len) == RP_OK) {
		st = rp_buf_append(&h->ca_blob, sys, len);
		free(sys);
		if (!st)
			st = rp_buf_puts(&h->ca_blob, "\n");
		if (st)
			return st;
	}
	st = rp_read_file(ca_file, &data, &len);
	if (st) {
		snprintf(err, errlen, "cannot read ca_file %s: %s", ca_file,
			 rp_status_str(st));
		return st;
	}
	if (!strstr(data, "-----BEGIN CERTIFICATE-----")) {
		snprintf(err, errlen,
			 "ca_file %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
			 ca_file);
		free(data);
		return RP_ERR_CONFIG;
	}
	st = rp_buf_append(&h->ca_blob, data, len);
	free(data);
	if (!st) {
		h->ca_file = rp_strdup(ca_file);
		if (!h->ca_file)
			st = RP_ERR_NOMEM;
	}
	return st;
}

/* How much of url is its origin (scheme://host:port): messages show only
 * that, since a webhook's path is its secret. */
static int origin_length(const char *url)
{
	size_t origin = strcspn(url, ":");

	if (strncmp(url + origin, "://", 3) == 0)
		origin += 3 + strcspn(url + origin + 3, "/?#");
	return (int)origin;
}

rp_status rp_http_perform(rp_http *h, const rp_http_request *req,
			  rp_http_response *resp, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL, *g;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = h->curl;
	struct gen_body gen = {req, 0};
	rp_buf line = {0};
	rp_status st = RP_OK;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	resp->body_fn = req->body_fn;
	resp->body_arg = req->body_arg;
	curl_easy_reset(c);
	if (req->ca_file) {
		st = load_ca(h, req->ca_file, err, errlen);
		if (st)
			return st;
		struct curl_blob blob = {h->ca_blob.data, h->ca_blob.len,
					 CURL_BLOB_NOCOPY};
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	for (size_t i = 0; i < req->nheaders; i++) {
		line.len = 0;
		/* "Name;" is curl's way to send a header with an empty value. */
		st = req->headers[i].value[0]
			     ? rp_buf_printf(&line, "%s: %s", req->headers[i].name,
					     req->headers[i].value)
			     : rp_buf_printf(&line, "%s;", req->headers[i].name);
		if (st)
			goto out;
		g = curl_slist_append(hdrs, line.data);
		if (!g) {
			st = RP_ERR_NOMEM;
			goto out;
		}
		hdrs = g;
	}
	/* libcurl would add these on its own for a POST body. */
	g = curl_slist_append(hdrs, "Expect:");
	if (!g) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	hdrs = g;
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (req->gen) {
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, &gen);
			curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
			curl_easy_setopt(c, CURLOPT_SEEKDATA, &gen);
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS,
					 req->body ? req->body : "");
		}
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "reportpipe/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms > 0 ? req->timeout_ms : 60000L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	if (rp_log_get_level() >= RP_LOG_DEBUG) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		int origin = origin_length(req->url);

		snprintf(err, errlen, "%s %.*s%s: %s", req->method, origin,
			 req->url, req->url[origin] ? "/..." : "",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		st = rc == CURLE_OPERATION_TIMEDOUT ? RP_ERR_TIMEOUT
		   : rc == CURLE_OUT_OF_MEMORY ? RP_ERR_NOMEM
		   : RP_ERR_NETWORK;
		rp_http_response_free(resp);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	{
		/* libcurl 7.88 takes a connection closed in the middle of an
		 * HTTP/1 header section for a complete answer: a PUT cut off
		 * there would pass for a success with no ETag, a GET for an
		 * empty body.  It is a transport failure, to be retried. */
		long version = 0;

		curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
		if (!resp->headers_ended && (version == CURL_HTTP_VERSION_1_0 ||
					     version == CURL_HTTP_VERSION_1_1)) {
			int origin = origin_length(req->url);

			snprintf(err, errlen,
				 "%s %.*s%s: the connection closed in the middle of the answer's headers (HTTP %ld)",
				 req->method, origin, req->url,
				 req->url[origin] ? "/..." : "", resp->status);
			rp_http_response_free(resp);
			st = RP_ERR_NETWORK;
		}
	}
out:
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	rp_buf_free(&line);
	return st;
}

static int host_is_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return 1;
	return strncmp(host, "127.", 4) == 0 &&
	       strspn(host + 4, "0123456789.") == strlen(host + 4);
}

rp_status rp_http_check_url(const char *url, int allow_http, char *err,
			    size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	rp_status st = RP_OK;

	if (!u)
		return RP_ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "'%s' is not a URL (expected https://host[:port][/path])",
			 url);
		st = RP_ERR_CONFIG;
	} else if (strcasecmp(scheme, "https") == 0) {
		st = RP_OK;
	} else if (strcasecmp(scheme, "http") != 0) {
		snprintf(err, errlen, "'%s': only https:// (or http:// to a loopback address) is supported",
			 url);
		st = RP_ERR_CONFIG;
	} else if (!allow_http && !host_is_loopback(host)) {
		snprintf(err, errlen,
			 "'%s' is plain http:// to a host that is not loopback; use https://, or set allow_http = true if you really mean it",
			 url);
		st = RP_ERR_CONFIG;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return st;
}

rp_status rp_url_encode(rp_buf *b, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		rp_status st;

		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
		    (keep_slash && ch == '/')) {
			st = rp_buf_append(b, &s[i], 1);
		} else {
			char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			st = rp_buf_append(b, esc, 3);
		}
		if (st)
			return st;
	}
	return RP_OK;
}
