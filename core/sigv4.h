/* sigv4.h - AWS Signature Version 4 signing of an HTTP request's headers.
 *
 * Given a request as it will go on the wire, builds the canonical request,
 * the string to sign, the signature and the Authorization value, and says
 * which headers the caller must add before sending (libcurl does the
 * sending; there is no AWS SDK).  Matches the public AWS test suites in
 * testdata/sigv4 byte for byte.  Presigned URLs (query-string signing) are
 * not covered.
 *
 * This header deliberately stands alone (no <reportpipe/plugin.h>) so the
 * signer builds and tests on its own; its status values are chosen to equal
 * the rp_status of the same meaning. */
#ifndef RP_SIGV4_H
#define RP_SIGV4_H

#include <stddef.h>
#include <time.h>

/* Return values of rp_sigv4_sign().  Never renumbered; each equals the
 * rp_status of the same meaning, so a caller may pass it on unchanged. */
#define RP_SIGV4_OK 0
#define RP_SIGV4_ERR_NOMEM (-1)     /* = RP_ERR_NOMEM: out of memory */
#define RP_SIGV4_ERR_INVALID (-2)   /* = RP_ERR_INVALID: an input cannot be signed */
#define RP_SIGV4_ERR_INTERNAL (-16) /* = RP_ERR_INTERNAL: libcrypto failed */

/* rp_sigv4_params.flags */
#define RP_SIGV4_NORMALIZE_PATH 0x1u     /* drop "." and "..", collapse "//" */
#define RP_SIGV4_DOUBLE_ENCODE 0x2u      /* encode the (already encoded) path again */
#define RP_SIGV4_SIGN_BODY 0x4u          /* add and sign x-amz-content-sha256 */
#define RP_SIGV4_OMIT_SESSION_TOKEN 0x8u /* send X-Amz-Security-Token unsigned */

/* What every service but S3 expects. */
#define RP_SIGV4_FLAGS_DEFAULT (RP_SIGV4_NORMALIZE_PATH | RP_SIGV4_DOUBLE_ENCODE)
/* S3: the path is an object key signed as sent, and S3 wants the body hash
 * header on every request. */
#define RP_SIGV4_FLAGS_S3 RP_SIGV4_SIGN_BODY

typedef struct rp_sigv4_header {
	const char *name;
	const char *value; /* may hold runs of blanks and folds (CR LF + blank) */
} rp_sigv4_header;

/* The request as it will be sent. */
typedef struct rp_sigv4_request {
	const char *method;             /* "GET", "POST", ... */
	/* Percent-encoded as on the wire, without the query; may contain "//",
	 * "." and ".." segments.  NULL or "" means "/". */
	const char *path;
	/* As on the wire, without '?'; NULL or "" for none.  Parameters are
	 * decoded and re-encoded, so "%E1%88%B4" and the raw UTF-8 bytes sign
	 * alike.  Write a space as %20: a '+' is signed as a literal plus. */
	const char *query;
	const rp_sigv4_header *headers; /* must include Host */
	size_t nheaders;
	const void *payload;            /* the body; NULL with payload_len 0 if none */
	size_t payload_len;
	/* When set, used as the payload hash instead of hashing payload: 64
	 * lower-case hex digits of a hash computed elsewhere, or a marker such
	 * as "UNSIGNED-PAYLOAD". */
	const char *payload_hash;
} rp_sigv4_request;

typedef struct rp_sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key; /* never copied into any output or message */
	const char *session_token;     /* NULL or "" for long-term keys */
} rp_sigv4_credentials;

typedef struct rp_sigv4_params {
	const char *region;  /* "us-east-1" */
	const char *service; /* signing name: "s3", "ses", "sts", ... */
	time_t time;         /* signing time, seconds since the epoch */
	unsigned flags;      /* RP_SIGV4_FLAGS_DEFAULT, RP_SIGV4_FLAGS_S3, ... */
} rp_sigv4_params;

typedef struct rp_sigv4_result {
	/* Holds the session token when it is signed: log it at debug level at
	 * most. */
	char *canonical_request;
	char *string_to_sign;
	char signature[65];   /* 64 lower-case hex digits */
	char *authorization;  /* the value of the Authorization header */
	/* Headers to add to the request before sending, besides Authorization:
	 * X-Amz-Date, X-Amz-Security-Token when a token is set, and
	 * x-amz-content-sha256 with RP_SIGV4_SIGN_BODY; each only when the
	 * request does not already carry it with the same value.  One block,
	 * names and values included. */
	rp_sigv4_header *add_headers;
	size_t nadd_headers;
} rp_sigv4_result;

/* Signs req.  Headers the signer sets itself (X-Amz-Date, and when in use
 * X-Amz-Security-Token and x-amz-content-sha256) may already be in
 * req->headers only with the value the signer would give them; an
 * Authorization header may not be there at all.
 *
 * Returns RP_SIGV4_OK and fills *out, to be released with
 * rp_sigv4_result_free(); or a negative RP_SIGV4_ERR_* with a sentence in
 * errbuf (if not NULL) naming the input at fault, and *out zeroed.  Error
 * text never contains the secret key or the session token. */
int rp_sigv4_sign(const rp_sigv4_request *req,
		  const rp_sigv4_credentials *creds,
		  const rp_sigv4_params *params, rp_sigv4_result *out,
		  char *errbuf, size_t errlen);

/* The payload hash rp_sigv4_sign() computes when none is given: 64
 * lower-case hex digits of SHA-256(data), for a caller that signs the
 * same body more than once (retries).  RP_SIGV4_OK or an error. */
int rp_sigv4_payload_hash(const void *data, size_t len, char out[65]);
/* The same for a body that is made as it is sent: gen(arg, off, buf, n)
 * writes bytes [off, off + n) of its len bytes, nonzero on failure
 * (RP_SIGV4_ERR_INVALID then). */
int rp_sigv4_payload_hash_gen(int (*gen)(void *arg, size_t off, char *buf,
					 size_t n),
			      void *arg, size_t len, char out[65]);

/* Wipes and frees what rp_sigv4_sign() put in r and zeroes it.  Safe on a
 * zeroed result and on NULL. */
void rp_sigv4_result_free(rp_sigv4_result *r);

#endif
