/* aws.h - calling AWS without an SDK: endpoints and partitions, the
 * credential chain, SigV4-signed requests with the SDKs' standard retry
 * mode, and errors turned into sentences. */
#ifndef RP_AWS_H
#define RP_AWS_H

#include <time.h>

#include "http.h"
#include "reportpipe/plugin.h"

typedef struct rp_aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;     /* NULL for long-term keys */
	time_t expiration;       /* 0: does not expire */
	char *provider;          /* where they came from, for -v: "environment",
				    "profile audit (shared credentials file)", ... */
} rp_aws_credentials;

void rp_aws_credentials_free(rp_aws_credentials *c); /* wipes secrets */
rp_status rp_aws_credentials_copy(const rp_aws_credentials *from,
				  rp_aws_credentials *to);

/* What a section says about AWS access (the RP_AWS_OPTIONS of a plugin).
 * NULL / 0 members mean "not set". */
typedef struct rp_aws_config {
	const char *profile;
	const char *role_arn;
	const char *external_id;
	const char *role_session_name;
	const char *region;
	const char *endpoint_url;
	const char *ca_file;
	int allow_http;
	int max_attempts;        /* 0: AWS_MAX_ATTEMPTS, else 3 */
	long timeout_ms;         /* per request; 0: 60 s */
} rp_aws_config;

typedef struct rp_aws_error {
	long status;             /* HTTP status, 0 for a transport error */
	char code[96];           /* "AccessDenied", "Throttling", ... */
	char message[512];
	char request_id[128];
} rp_aws_error;

/* A partition's facts: "aws", "aws-cn", "aws-us-gov". */
const char *rp_aws_partition_of_region(const char *region);
/* Where IAM lives and which region signs for it, per partition. */
const char *rp_aws_iam_signing_region(const char *partition);

/* The endpoint for service ("iam", "sts", "s3", "ses", "sesv2",
 * "organizations") as the
 * SDKs choose it: cfg->endpoint_url, AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, else the partition's.  The URL is checked
 * (rp_http_check_url).  *url and *signing_region are allocated. */
rp_status rp_aws_endpoint(const rp_aws_config *cfg, const char *service,
			  const char *region, char **url, char **signing_region,
			  char *err, size_t errlen);

/* Region: cfg->region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region in the config file; NULL (not an error) when none is set. */
rp_status rp_aws_resolve_region(const rp_aws_config *cfg, char **region,
				char *err, size_t errlen);

/* The credential chain, as the SDKs resolve it: unless cfg->profile is
 * set, the environment; then the shared files (AWS_SHARED_CREDENTIALS_FILE,
 * AWS_CONFIG_FILE, ~/.aws/; AWS_PROFILE) with role_arn + source_profile or
 * credential_source, external_id, role_session_name, duration_seconds, and
 * credential_process; then container credentials
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)); then EC2 instance metadata
 * with IMDSv2 tokens (AWS_EC2_METADATA_SERVICE_ENDPOINT,
 * AWS_EC2_METADATA_DISABLED).  cfg->role_arn, when set, is assumed with
 * whatever the chain found.  err never holds a secret. */
rp_status rp_aws_credentials_resolve(rp_http *http, const rp_aws_config *cfg,
				     rp_aws_credentials *out, char *err,
				     size_t errlen);

/* One AWS API call. */
typedef struct rp_aws_call {
	const char *service;     /* endpoint key and signing name: "iam", "sts", "s3", "ses" */
	const char *operation;   /* for messages: "GetCredentialReport" */
	const char *method;
	const char *path;        /* encoded, "/" at least */
	const char *query;       /* encoded, without '?', or NULL */
	const rp_http_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
	/* Instead of body: body_len bytes made as they are sent, once for
	 * the payload hash and again for each attempt (rp_http_request.gen). */
	int (*gen)(void *arg, size_t off, char *buf, size_t n);
	void *gen_arg;
	int s3;                  /* S3 signing rules: no normalisation, single
				    encoding, signed x-amz-content-sha256 */
	const char *host_prefix; /* "bucket." for virtual-hosted S3, or NULL */
	/* On an AWS error, leave the answer (status, headers, body) in resp
	 * for the caller to read and free; otherwise it is freed. */
	int keep_error_response;
	/* The SigV4 payload hash, worked out in advance
	 * (rp_aws_payload_hash), or NULL: computed once for all attempts. */
	const char *payload_hash;
	/* A 2xx answer's body read as it arrives (rp_http_request.body_fn);
	 * body_reset (nonzero: out of memory) runs before every attempt. */
	int (*body_fn)(void *arg, const char *data, size_t len);
	int (*body_reset)(void *arg);
	void *body_arg;
} rp_aws_call;

/* The payload hash every attempt of call signs: S3's x-amz-content-sha256
 * when the caller sent it, else the body's SHA-256 as hex in hex.  NULL
 * when libcrypto fails. */
const char *rp_aws_payload_hash(const rp_aws_call *call, char hex[65]);

/* A client: a section's config with its region, endpoint cache and
 * credentials (resolved on first use, refreshed before they expire). */
typedef struct rp_aws_client rp_aws_client;

rp_status rp_aws_client_new(rp_http *http, const rp_aws_config *cfg,
			    rp_aws_client **out, char *err, size_t errlen);
void rp_aws_client_free(rp_aws_client *c);
/* A client with parent's settings over its own HTTP handle that, with
 * role_arn, signs with credentials from assuming role_arn with parent's
 * (external_id and role_session_name as parent's); role_arn NULL:
 * parent's credentials.  Derived clients of one parent may
 * run on different threads; parent must outlive them and make no
 * requests of its own meanwhile. */
rp_status rp_aws_client_derive(rp_aws_client *parent, rp_http *http,
			       const char *role_arn, rp_aws_client **out,
			       char *err, size_t errlen);
const char *rp_aws_client_region(const rp_aws_client *c);
/* The current credentials (resolving or refreshing them). */
rp_status rp_aws_client_credentials(rp_aws_client *c,
				    const rp_aws_credentials **out, char *err,
				    size_t errlen);

/* Signs and sends call, retrying throttling, 5xx, timeouts and dropped
 * connections (full-jitter exponential backoff capped at 20 s, up to
 * max_attempts).  2xx: RP_OK with resp filled.  Otherwise RP_ERR_REMOTE /
 * RP_ERR_AUTH / RP_ERR_NETWORK / RP_ERR_TIMEOUT with aerr filled from the
 * XML or JSON error body, and err holding "SERVICE OPERATION: Code:
 * message (request id ...)". */
rp_status rp_aws_request(rp_aws_client *c, const rp_aws_call *call,
			 rp_http_response *resp, rp_aws_error *aerr, char *err,
			 size_t errlen);

/* The same with explicit credentials and signing region (what AssumeRole
 * and the chain use before a client exists). */
rp_status rp_aws_request_with(rp_http *http, const rp_aws_config *cfg,
			      const rp_aws_credentials *creds,
			      const char *region, const rp_aws_call *call,
			      rp_http_response *resp, rp_aws_error *aerr,
			      char *err, size_t errlen);

/* Query-protocol helpers (IAM, STS, SES v1): a form POST of
 * Action=...&Version=... plus params (name/value pairs, raw). */
rp_status rp_aws_query_body(rp_buf *body, const char *action,
			    const char *version, const char *const *params,
			    size_t nparams);

/* STS AssumeRole with creds; fills out with the temporary credentials. */
rp_status rp_aws_assume_role(rp_http *http, const rp_aws_config *cfg,
			     const rp_aws_credentials *creds, const char *region,
			     const char *role_arn, const char *external_id,
			     const char *session_name, long duration_seconds,
			     rp_aws_credentials *out, char *err, size_t errlen);

/* Fills e (zeroed by the caller) with status, code, message and request
 * id from an error answer: its XML or JSON body, else its x-amzn-*
 * headers, else "HTTP<status>".  Server text is cleaned of control
 * characters. */
void rp_aws_parse_error(const rp_http_response *resp, rp_aws_error *e);

/* Is this error code throttling (retried with backoff)? */
int rp_aws_is_throttling(const char *code);

/* Sleeps; the tests shorten backoff with RP_AWS_BACKOFF_SCALE (0..1). */
void rp_aws_backoff_sleep(int attempt);

#endif
