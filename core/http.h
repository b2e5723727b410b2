/* http.h - HTTP for reportpipe: one reused libcurl handle per run, TLS
 * verification always on, timeouts, proxies from the environment, and a
 * debug trace that never shows a credential. */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <stddef.h>

#include "reportpipe/plugin.h"
#include "util.h"

typedef struct rp_http rp_http;

/* The plugin ABI's header pair, so requests pass through unchanged. */
typedef rp_header rp_http_header;

typedef struct rp_http_request {
	const char *method;          /* "GET", "POST", "PUT" */
	const char *url;
	const rp_http_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
	/* Instead of body: a body of body_len bytes made as it is sent,
	 * gen(gen_arg, off, buf, n) writing bytes [off, off + n); nonzero
	 * aborts the transfer (RP_ERR_NETWORK). */
	int (*gen)(void *arg, size_t off, char *buf, size_t n);
	void *gen_arg;
	long timeout_ms;             /* whole request; 0: the handle's default */
	const char *ca_file;         /* PEM added to the system CAs, or NULL */
	/* When set, a 2xx answer's body goes to body_fn(body_arg, ...) as it
	 * arrives and resp->body stays empty; other answers are kept in
	 * resp->body as usual (their error).  A nonzero return only means
	 * the consumer refused the data: the transfer goes on. */
	int (*body_fn)(void *arg, const char *data, size_t len);
	void *body_arg;
} rp_http_request;

typedef struct rp_http_response {
	long status;
	rp_buf body;
	/* While performing: where a 2xx body goes instead (rp_http_request) */
	int (*body_fn)(void *arg, const char *data, size_t len);
	void *body_arg;
	int streaming;               /* 1: this answer's body went to body_fn */
	char **headers;              /* "name", "value" pairs, names lower-case */
	size_t nheaders;
	int headers_ended;           /* the blank line ending them arrived */
} rp_http_response;

rp_status rp_http_new(rp_http **out);
void rp_http_free(rp_http *h);

/* Performs one request.  A transport failure returns RP_ERR_NETWORK or
 * RP_ERR_TIMEOUT with a sentence in err; any HTTP status is RP_OK with
 * resp->status set (the caller decides what a 4xx means). */
rp_status rp_http_perform(rp_http *h, const rp_http_request *req,
			  rp_http_response *resp, char *err, size_t errlen);
const char *rp_http_header_get(const rp_http_response *r, const char *name);
void rp_http_response_free(rp_http_response *r);

/* https:// always; http:// only to a loopback address unless allow_http.
 * err says what to set when refused. */
rp_status rp_http_check_url(const char *url, int allow_http, char *err,
			    size_t errlen);

/* Percent-encodes per RFC 3986 (unreserved kept); appends to b. */
rp_status rp_url_encode(rp_buf *b, const char *s, size_t len, int keep_slash);

#endif
