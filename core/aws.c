/* aws.c - calling AWS without an SDK: endpoints, signed requests with the
 * SDKs' standard retry mode, AssumeRole, and errors as sentences.  The
 * credential chain itself is in credentials.c. */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws.h"
#include "dataset.h"
#include "log.h"
#include "sigv4.h"
#include "xml.h"

#define MAX_BACKOFF_S 20.0
/* Refresh temporary credentials this long before they expire, so a
 * request signed now is not refused mid-flight. */
#define REFRESH_MARGIN_S 300

const char *rp_aws_partition_of_region(const char *region)
{
	if (region && strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (region && strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}

const char *rp_aws_iam_signing_region(const char *partition)
{
	if (strcmp(partition, "aws-cn") == 0)
		return "cn-north-1";
	if (strcmp(partition, "aws-us-gov") == 0)
		return "us-gov-west-1";
	return "us-east-1";
}

static const char *partition_domain(const char *partition)
{
	return strcmp(partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

/* Organizations is global: one endpoint per partition, in this region. */
static const char *org_region(const char *partition)
{
	if (strcmp(partition, "aws-cn") == 0)
		return "cn-northwest-1";
	if (strcmp(partition, "aws-us-gov") == 0)
		return "us-gov-west-1";
	return "us-east-1";
}

rp_status rp_aws_endpoint(const rp_aws_config *cfg, const char *service,
			  const char *region, char **url, char **signing_region,
			  char *err, size_t errlen)
{
	const char *partition = rp_aws_partition_of_region(region);
	const char *given = cfg->endpoint_url, *sign = region;
	char envname[64];
	char *u = NULL;
	rp_status st;

	*url = *signing_region = NULL;
	if (!region && strcmp(service, "sts") == 0) {
		/* STS answers globally in us-east-1, as the SDKs' legacy default. */
		region = sign = "us-east-1";
	}
	if (!given) {
		snprintf(envname, sizeof(envname), "AWS_ENDPOINT_URL_%s", service);
		for (char *p = envname; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		given = getenv(envname);
		if (!given || !*given)
			given = getenv("AWS_ENDPOINT_URL");
		if (given && !*given)
			given = NULL;
	}
	if (strcmp(service, "iam") == 0)
		sign = rp_aws_iam_signing_region(partition);
	else if (strcmp(service, "organizations") == 0)
		sign = org_region(partition);
	if (!sign) {
		snprintf(err, errlen,
			 "no region for %s: set region on the section, AWS_REGION, or region in the profile",
			 service);
		return RP_ERR_CONFIG;
	}
	if (given) {
		st = rp_http_check_url(given, cfg->allow_http, err, errlen);
		if (st)
			return st;
		u = rp_strdup(given);
	} else if (strcmp(service, "iam") == 0) {
		if (strcmp(partition, "aws") == 0)
			u = rp_strdup("https://iam.amazonaws.com");
		else if (strcmp(partition, "aws-cn") == 0)
			u = rp_strdup("https://iam.cn-north-1.amazonaws.com.cn");
		else
			u = rp_strdup("https://iam.us-gov.amazonaws.com");
	} else if (strcmp(service, "organizations") == 0) {
		u = rp_asprintf("https://organizations.%s.%s", sign,
				partition_domain(partition));
	} else {
		const char *host = strcmp(service, "ses") == 0 ||
					   strcmp(service, "sesv2") == 0
					   ? "email" : service;
		u = rp_asprintf("https://%s.%s.%s", host, region,
				partition_domain(partition));
	}
	if (u) {
		size_t n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
	}
	*url = u;
	*signing_region = rp_strdup(sign);
	if (!*url || !*signing_region) {
		free(*url);
		free(*signing_region);
		*url = *signing_region = NULL;
		return RP_ERR_NOMEM;
	}
	return RP_OK;
}

int rp_aws_is_throttling(const char *code)
{
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int is_transient(const rp_aws_error *e)
{
	static const char *const codes[] = {"RequestTimeout",
					    "RequestTimeoutException",
					    "InternalError", "ServiceUnavailable"};

	if (e->status == 500 || e->status == 502 || e->status == 503 ||
	    e->status == 504)
		return 1;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(e->code, codes[i]) == 0)
			return 1;
	return 0;
}

void rp_aws_backoff_sleep(int attempt)
{
	/* Full jitter (AWS SDK standard mode): uniform in [0, min(20, 2^n)). */
	double cap = 1.0;
	unsigned int r = 0;
	struct timespec ts;

	for (int i = 1; i < attempt && cap < MAX_BACKOFF_S; i++)
		cap *= 2;
	if (cap > MAX_BACKOFF_S)
		cap = MAX_BACKOFF_S;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (unsigned int)time(NULL) * 2654435761u;
	cap *= (double)r / 4294967296.0;
	{
		/* Tests shorten the waits; the schedule stays the same. */
		const char *scale = getenv("RP_AWS_BACKOFF_SCALE");
		if (scale && *scale) {
			double f = atof(scale);
			if (f >= 0 && f <= 1)
				cap *= f;
		}
	}
	ts.tv_sec = (time_t)cap;
	ts.tv_nsec = (long)((cap - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Copies text into dst, replacing control characters: server text goes
 * into logs and terminals. */
static void copy_clean(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	if (!dstlen)
		return;
	for (; src && *src && i + 1 < dstlen; src++)
		dst[i++] = ((unsigned char)*src < 0x20 || *src == 0x7f) ? ' ' : *src;
	dst[i] = '\0';
}

void rp_aws_parse_error(const rp_http_response *resp, rp_aws_error *e)
{
	const char *body = resp->body.data ? resp->body.data : "";
	const char *rid = rp_http_header_get(resp, "x-amzn-requestid");
	const char *type = rp_http_header_get(resp, "x-amzn-errortype");
	char xerr[128];

	e->status = resp->status;
	if (!rid)
		rid = rp_http_header_get(resp, "x-amz-request-id");
	copy_clean(e->request_id, sizeof(e->request_id), rid);
	if (resp->body.len && body[strspn(body, " \t\r\n")] == '<') {
		static const char *const code[] = {"Error", "Code"};
		static const char *const msg[] = {"Error", "Message"};
		static const char *const req[] = {"RequestId"};

		char *ctext, *mtext, *rtext;
		const rp_xml_field f[] = {{code, 2, &ctext}, {msg, 2, &mtext},
					  {req, 1, &rtext}};

		if (rp_xml_fields(body, resp->body.len, f, 3, xerr,
				  sizeof(xerr)) == RP_OK) {
			if (ctext)
				copy_clean(e->code, sizeof(e->code), ctext);
			if (mtext)
				copy_clean(e->message, sizeof(e->message), mtext);
			if (rtext && !e->request_id[0])
				copy_clean(e->request_id, sizeof(e->request_id), rtext);
			free(ctext);
			free(mtext);
			free(rtext);
		}
	} else if (resp->body.len && body[strspn(body, " \t\r\n")] == '{') {
		json_t *j = json_loadb(body, resp->body.len, 0, NULL);
		const char *c = NULL, *m = NULL;

		if (j) {
			c = json_string_value(json_object_get(j, "__type"));
			if (!c)
				c = json_string_value(json_object_get(j, "code"));
			if (!c)
				c = json_string_value(json_object_get(j, "Code"));
			m = json_string_value(json_object_get(j, "message"));
			if (!m)
				m = json_string_value(json_object_get(j, "Message"));
			if (c && strchr(c, '#'))
				c = strchr(c, '#') + 1;
			copy_clean(e->code, sizeof(e->code), c);
			copy_clean(e->message, sizeof(e->message), m);
			json_decref(j);
		}
	}
	if (!e->code[0] && type) {
		copy_clean(e->code, sizeof(e->code), type);
		e->code[strcspn(e->code, ":")] = '\0';
	}
	if (!e->code[0])
		snprintf(e->code, sizeof(e->code), "HTTP%ld", resp->status);
}

static const char *hint(const char *code)
{
	if (strcmp(code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(code, "InvalidSignatureException") == 0)
		return "; check the secret access key";
	if (strcmp(code, "InvalidClientTokenId") == 0 ||
	    strcmp(code, "InvalidAccessKeyId") == 0 ||
	    strcmp(code, "UnrecognizedClientException") == 0)
		return "; the access key id is not known to AWS";
	if (strcmp(code, "ExpiredToken") == 0 ||
	    strcmp(code, "ExpiredTokenException") == 0 ||
	    strcmp(code, "RequestExpired") == 0)
		return "; the session token has expired: refresh the credentials";
	if (strcmp(code, "AccessDenied") == 0 ||
	    strcmp(code, "AccessDeniedException") == 0)
		return "; grant the permission to the identity reportpipe runs as";
	return "";
}

static int is_auth_error(const char *code)
{
	return strcmp(code, "SignatureDoesNotMatch") == 0 ||
	       strcmp(code, "InvalidSignatureException") == 0 ||
	       strcmp(code, "IncompleteSignatureException") == 0 ||
	       strcmp(code, "MissingAuthenticationTokenException") == 0 ||
	       strcmp(code, "InvalidClientTokenId") == 0 ||
	       strcmp(code, "InvalidAccessKeyId") == 0 ||
	       strcmp(code, "UnrecognizedClientException") == 0 ||
	       strcmp(code, "ExpiredToken") == 0 ||
	       strcmp(code, "ExpiredTokenException") == 0 ||
	       strcmp(code, "IncompleteSignature") == 0 ||
	       strcmp(code, "MissingAuthenticationToken") == 0;
}

typedef struct target {
	char *base;      /* scheme://host[:port] */
	char *host;      /* Host header value */
	char *prefix;    /* the endpoint's own path, "" if none */
} target;

static void target_free(target *t)
{
	free(t->base);
	free(t->host);
	free(t->prefix);
}

static rp_status target_parse(const char *endpoint, const char *prefix,
			      target *t, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	rp_status st = RP_OK;

	memset(t, 0, sizeof(*t));
	if (!u)
		return RP_ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "endpoint '%s' is not a URL", endpoint);
		st = RP_ERR_CONFIG;
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (!prefix)
		prefix = "";
	t->host = port ? rp_asprintf("%s%s:%s", prefix, host, port)
		       : rp_asprintf("%s%s", prefix, host);
	t->base = rp_asprintf("%s://%s", scheme, t->host ? t->host : "");
	t->prefix = rp_strdup(path && strcmp(path, "/") != 0 ? path : "");
	if (t->prefix) {
		size_t n = strlen(t->prefix);
		while (n && t->prefix[n - 1] == '/')
			t->prefix[--n] = '\0';
	}
	if (!t->host || !t->base || !t->prefix)
		st = RP_ERR_NOMEM;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	if (st)
		target_free(t);
	return st;
}

static const char *service_label(const char *service)
{
	if (strcmp(service, "iam") == 0) return "IAM";
	if (strcmp(service, "sts") == 0) return "STS";
	if (strcmp(service, "s3") == 0) return "S3";
	if (strcmp(service, "ses") == 0) return "SES";
	if (strcmp(service, "sesv2") == 0) return "SES";
	return service;
}

/* One signed attempt. */
static rp_status send_signed(rp_http *http, const rp_aws_config *cfg,
			     const rp_aws_credentials *creds,
			     const char *signing_region, const target *t,
			     const rp_aws_call *call, const char *payload_hash,
			     rp_http_response *resp, char *err, size_t errlen)
{
	rp_sigv4_header *sh = NULL;
	rp_http_header *hh = NULL;
	rp_sigv4_result sig = {0};
	char *path = NULL, *url = NULL;
	size_t n = call->nheaders + 1, total;
	rp_status st;
	int rc;

	path = rp_asprintf("%s%s", t->prefix, call->path && *call->path ? call->path : "/");
	sh = calloc(n, sizeof(*sh));
	if (!path || !sh) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	sh[0].name = "Host";
	sh[0].value = t->host;
	for (size_t i = 0; i < call->nheaders; i++) {
		sh[i + 1].name = call->headers[i].name;
		sh[i + 1].value = call->headers[i].value;
	}
	{
		rp_sigv4_request req = {
			.method = call->method, .path = path, .query = call->query,
			.headers = sh, .nheaders = n,
			.payload = call->body, .payload_len = call->body_len,
			.payload_hash = payload_hash,
		};
		rp_sigv4_credentials sc = {creds->access_key_id,
					   creds->secret_access_key,
					   creds->session_token};
		rp_sigv4_params sp = {
			.region = signing_region,
			.service = strcmp(call->service, "sesv2") == 0 ? "ses" : call->service,
			.time = time(NULL),
			.flags = call->s3 ? RP_SIGV4_FLAGS_S3 : RP_SIGV4_FLAGS_DEFAULT,
		};

		rc = rp_sigv4_sign(&req, &sc, &sp, &sig, err, errlen);
		if (rc) {
			st = (rp_status)rc;
			goto out;
		}
	}
	/* Host is libcurl's to send; everything else goes as signed. */
	total = call->nheaders + sig.nadd_headers + 1;
	hh = calloc(total, sizeof(*hh));
	if (!hh) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	n = 0;
	for (size_t i = 0; i < call->nheaders; i++)
		hh[n++] = (rp_http_header){call->headers[i].name, call->headers[i].value};
	for (size_t i = 0; i < sig.nadd_headers; i++)
		hh[n++] = (rp_http_header){sig.add_headers[i].name, sig.add_headers[i].value};
	hh[n++] = (rp_http_header){"Authorization", sig.authorization};
	url = call->query && *call->query
		      ? rp_asprintf("%s%s?%s", t->base, path, call->query)
		      : rp_asprintf("%s%s", t->base, path);
	if (!url) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	{
		rp_http_request hr = {
			.method = call->method, .url = url, .headers = hh,
			.nheaders = n, .body = call->body, .body_len = call->body_len,
			.gen = call->gen, .gen_arg = call->gen_arg,
			.timeout_ms = cfg->timeout_ms, .ca_file = cfg->ca_file,
			.body_fn = call->body_fn, .body_arg = call->body_arg,
		};
		/* A body read as it arrives starts over with each attempt. */
		if (call->body_reset && call->body_reset(call->body_arg)) {
			st = RP_ERR_NOMEM;
			goto out;
		}
		st = rp_http_perform(http, &hr, resp, err, errlen);
	}
out:
	free(url);
	free(hh);
	free(sh);
	free(path);
	rp_sigv4_result_free(&sig);
	return st;
}

static int max_attempts(const rp_aws_config *cfg)
{
	const char *env = getenv("AWS_MAX_ATTEMPTS");
	int n = cfg->max_attempts;

	if (n <= 0 && env && *env)
		n = atoi(env);
	return n > 0 ? n : 3;
}

/* The retries are used up: err (what the last attempt got) is followed by
 * how many attempts were made and what to do, which depends on why. */
static void give_up_advice(char *err, size_t errlen, rp_status st,
			   const rp_aws_error *aerr, int attempts,
			   const rp_aws_config *cfg)
{
	size_t n = strlen(err);

	if (n >= errlen)
		return;
	if (aerr->code[0] && rp_aws_is_throttling(aerr->code))
		snprintf(err + n, errlen - n,
			 "; still throttled after %d attempt%s: raise max_attempts (now %d) or run when the account is quieter",
			 attempts, attempts == 1 ? "" : "s", attempts);
	else if (st == RP_ERR_TIMEOUT)
		snprintf(err + n, errlen - n,
			 "; no answer within request_timeout (%g s) in %d attempt%s: raise request_timeout or max_attempts, or run again later",
			 (double)(cfg->timeout_ms > 0 ? cfg->timeout_ms : 60000L) / 1e3,
			 attempts,
			 attempts == 1 ? "" : "s");
	else if (st == RP_ERR_NETWORK)
		snprintf(err + n, errlen - n,
			 "; gave up after %d attempt%s: check endpoint_url and the network, or run again later",
			 attempts, attempts == 1 ? "" : "s");
	else
		snprintf(err + n, errlen - n,
			 "; gave up after %d attempt%s: the service is failing, run again later",
			 attempts, attempts == 1 ? "" : "s");
}

/* The retry loop, shared by clients and explicit-credential calls.  get
 * supplies fresh credentials before each attempt. */
typedef rp_status (*creds_fn)(void *user, const rp_aws_credentials **out,
			      int force_refresh, char *err, size_t errlen);

/* S3's x-amz-content-sha256 when the caller sent it (the s3 sink hashes
 * the body for its checksum header anyway), else the body's SHA-256. */
const char *rp_aws_payload_hash(const rp_aws_call *call, char hex[65])
{
	if (call->s3)
		for (size_t i = 0; i < call->nheaders; i++)
			if (strcasecmp(call->headers[i].name, "x-amz-content-sha256") == 0)
				return call->headers[i].value;
	if (call->gen ? rp_sigv4_payload_hash_gen(call->gen, call->gen_arg,
						  call->body_len, hex)
		      : rp_sigv4_payload_hash(call->body, call->body_len, hex))
		return NULL;
	return hex;
}

static rp_status request_loop(rp_http *http, const rp_aws_config *cfg,
			      creds_fn get, void *user, const char *region,
			      const rp_aws_call *call, rp_http_response *resp,
			      rp_aws_error *aerr, char *err, size_t errlen)
{
	char *endpoint = NULL, *signing = NULL, terr[512], hex[65];
	const char *payload_hash;
	int attempts = max_attempts(cfg), refreshed = 0;
	const char *label = service_label(call->service);
	target t = {0};
	rp_status st;

	memset(aerr, 0, sizeof(*aerr));
	memset(resp, 0, sizeof(*resp));
	st = rp_aws_endpoint(cfg, call->service, region, &endpoint, &signing,
			     err, errlen);
	if (!st)
		st = target_parse(endpoint, call->host_prefix, &t, err, errlen);
	if (st)
		goto out;
	payload_hash = call->payload_hash ? call->payload_hash
					  : rp_aws_payload_hash(call, hex);
	if (!payload_hash) {
		snprintf(err, errlen, "%s %s: libcrypto could not compute SHA-256",
			 label, call->operation);
		st = RP_ERR_INTERNAL;
		goto out;
	}
	for (int attempt = 1;; attempt++) {
		const rp_aws_credentials *creds = NULL;
		int retry = 0;

		st = get(user, &creds, 0, err, errlen);
		if (st)
			goto out;
		memset(aerr, 0, sizeof(*aerr));
		st = send_signed(http, cfg, creds, signing, &t, call, payload_hash,
				 resp, terr, sizeof(terr));
		if (st == RP_ERR_NETWORK || st == RP_ERR_TIMEOUT) {
			snprintf(err, errlen, "%s %s: %s", label, call->operation, terr);
			retry = 1;
		} else if (st) {
			snprintf(err, errlen, "%s %s: %s", label, call->operation, terr);
			goto out;
		} else if (resp->status >= 200 && resp->status < 300) {
			goto out;
		} else {
			rp_aws_parse_error(resp, aerr);
			snprintf(err, errlen, "%s %s: %s: %s%s (HTTP %ld%s%s)", label,
				 call->operation, aerr->code,
				 aerr->message[0] ? aerr->message : "no message",
				 hint(aerr->code), aerr->status,
				 aerr->request_id[0] ? ", request id " : "",
				 aerr->request_id);
			retry = is_transient(aerr) || rp_aws_is_throttling(aerr->code);
			if (!refreshed && creds->expiration &&
			    (strcmp(aerr->code, "ExpiredToken") == 0 ||
			     strcmp(aerr->code, "ExpiredTokenException") == 0)) {
				/* Refreshable credentials went stale early:
				 * fetch new ones once and try again. */
				refreshed = 1;
				st = get(user, &creds, 1, err, errlen);
				if (st)
					goto out;
				retry = 1;
				attempt--;
			}
			st = is_auth_error(aerr->code) ? RP_ERR_AUTH : RP_ERR_REMOTE;
		}
		if (retry && attempt >= attempts) {
			give_up_advice(err, errlen, st, aerr, attempts, cfg);
			goto out;
		}
		if (!retry)
			goto out;
		rp_log(RP_LOG_INFO, label, "%s: attempt %d of %d failed (%s); retrying",
		       call->operation, attempt, attempts,
		       aerr->code[0] ? aerr->code : "connection");
		rp_http_response_free(resp);
		rp_aws_backoff_sleep(attempt);
	}
out:
	if (st && st != RP_ERR_NOMEM && resp->status >= 200 && resp->status < 300)
		st = RP_OK;
	if (st && !(call->keep_error_response && resp->status))
		rp_http_response_free(resp);
	target_free(&t);
	free(endpoint);
	free(signing);
	return st;
}

static rp_status fixed_creds(void *user, const rp_aws_credentials **out,
			     int force, char *err, size_t errlen)
{
	(void)force;
	(void)err;
	(void)errlen;
	*out = user;
	return RP_OK;
}

rp_status rp_aws_request_with(rp_http *http, const rp_aws_config *cfg,
			      const rp_aws_credentials *creds,
			      const char *region, const rp_aws_call *call,
			      rp_http_response *resp, rp_aws_error *aerr,
			      char *err, size_t errlen)
{
	return request_loop(http, cfg, fixed_creds, (void *)creds, region, call,
			    resp, aerr, err, errlen);
}

rp_status rp_aws_query_body(rp_buf *body, const char *action,
			    const char *version, const char *const *params,
			    size_t nparams)
{
	rp_status st = rp_buf_printf(body, "Action=%s&Version=%s", action, version);

	for (size_t i = 0; i + 1 < nparams * 2 && !st; i += 2) {
		st = rp_buf_puts(body, "&");
		if (!st)
			st = rp_url_encode(body, params[i], strlen(params[i]), 0);
		if (!st)
			st = rp_buf_puts(body, "=");
		if (!st)
			st = rp_url_encode(body, params[i + 1], strlen(params[i + 1]), 0);
	}
	return st;
}

static const rp_http_header form_headers[] = {
	{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
};

rp_status rp_aws_assume_role(rp_http *http, const rp_aws_config *cfg,
			     const rp_aws_credentials *creds, const char *region,
			     const char *role_arn, const char *external_id,
			     const char *session_name, long duration_seconds,
			     rp_aws_credentials *out, char *err, size_t errlen)
{
	static const char *const p_key[] = {"Credentials", "AccessKeyId"};
	static const char *const p_secret[] = {"Credentials", "SecretAccessKey"};
	static const char *const p_token[] = {"Credentials", "SessionToken"};
	static const char *const p_exp[] = {"Credentials", "Expiration"};
	char duration[32], xerr[128], *exp = NULL;
	const char *params[8];
	size_t np = 0;
	rp_buf body = {0};
	rp_http_response resp;
	rp_aws_error aerr;
	rp_status st;
	const rp_xml_field fields[] = {
		{p_key, 2, &out->access_key_id},
		{p_secret, 2, &out->secret_access_key},
		{p_token, 2, &out->session_token},
		{p_exp, 2, &exp}};
	rp_aws_call call = {
		.service = "sts", .operation = "AssumeRole", .method = "POST",
		.path = "/", .headers = form_headers, .nheaders = 1,
	};

	memset(out, 0, sizeof(*out));
	snprintf(duration, sizeof(duration), "%ld",
		 duration_seconds > 0 ? duration_seconds : 3600);
	params[np++] = "RoleArn";
	params[np++] = role_arn;
	params[np++] = "RoleSessionName";
	params[np++] = session_name;
	params[np++] = "DurationSeconds";
	params[np++] = duration;
	if (external_id) {
		params[np++] = "ExternalId";
		params[np++] = external_id;
	}
	st = rp_aws_query_body(&body, "AssumeRole", "2011-06-15", params, np / 2);
	if (st)
		return st;
	call.body = body.data;
	call.body_len = body.len;
	st = rp_aws_request_with(http, cfg, creds, region ? region : "us-east-1",
				 &call, &resp, &aerr, err, errlen);
	/* The form holds no secret, but clean it like everything else. */
	rp_buf_free(&body);
	if (st) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, " (assuming role %s)", role_arn);
		return st;
	}
	if (rp_xml_fields(resp.body.data, resp.body.len, fields, 4, xerr,
			  sizeof(xerr)) ||
	    !out->access_key_id || !out->secret_access_key || !out->session_token ||
	    !exp || rp_parse_iso8601(exp, &out->expiration)) {
		snprintf(err, errlen,
			 "STS AssumeRole %s: the answer lacks Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)",
			 role_arn);
		rp_aws_credentials_free(out);
		st = RP_ERR_PARSE;
	} else {
		out->provider = rp_asprintf("assumed role %s", role_arn);
		if (!out->provider) {
			rp_aws_credentials_free(out);
			st = RP_ERR_NOMEM;
		}
	}
	free(exp);
	OPENSSL_cleanse(resp.body.data, resp.body.len);
	rp_http_response_free(&resp);
	return st;
}

struct rp_aws_client {
	rp_http *http;
	rp_aws_config cfg;
	char *strings[8];         /* owned copies of cfg's strings */
	char *region;
	rp_aws_credentials creds;
	int have_creds;
	/* A derived client assumes cfg.role_arn with its parent's credentials;
	 * derived clients of one parent run on several threads, so the
	 * parent's credentials are read and refreshed under its lock. */
	rp_aws_client *parent;
	pthread_mutex_t lock;
};

static const char *keep(rp_aws_client *c, size_t i, const char *s)
{
	c->strings[i] = s ? rp_strdup(s) : NULL;
	return c->strings[i];
}

rp_status rp_aws_client_new(rp_http *http, const rp_aws_config *cfg,
			    rp_aws_client **out, char *err, size_t errlen)
{
	rp_aws_client *c = calloc(1, sizeof(*c));
	rp_status st;

	*out = NULL;
	if (!c)
		return RP_ERR_NOMEM;
	c->http = http;
	pthread_mutex_init(&c->lock, NULL);
	c->cfg = *cfg;
	c->cfg.profile = keep(c, 0, cfg->profile);
	c->cfg.role_arn = keep(c, 1, cfg->role_arn);
	c->cfg.external_id = keep(c, 2, cfg->external_id);
	c->cfg.role_session_name = keep(c, 3, cfg->role_session_name);
	c->cfg.region = keep(c, 4, cfg->region);
	c->cfg.endpoint_url = keep(c, 5, cfg->endpoint_url);
	c->cfg.ca_file = keep(c, 6, cfg->ca_file);
	st = rp_aws_resolve_region(&c->cfg, &c->region, err, errlen);
	if (st) {
		rp_aws_client_free(c);
		return st;
	}
	*out = c;
	return RP_OK;
}

void rp_aws_client_free(rp_aws_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < sizeof(c->strings) / sizeof(c->strings[0]); i++)
		free(c->strings[i]);
	free(c->region);
	rp_aws_credentials_free(&c->creds);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

rp_status rp_aws_client_derive(rp_aws_client *parent, rp_http *http,
			       const char *role_arn, rp_aws_client **out,
			       char *err, size_t errlen)
{
	rp_aws_config cfg = parent->cfg;
	rp_status st;

	cfg.role_arn = role_arn;
	st = rp_aws_client_new(http, &cfg, out, err, errlen);
	if (!st)
		(*out)->parent = parent;
	return st;
}

const char *rp_aws_client_region(const rp_aws_client *c)
{
	return c->region;
}

static rp_status client_creds(void *user, const rp_aws_credentials **out,
			      int force, char *err, size_t errlen);

/* A derived client's credentials: its role, assumed with a copy of the
 * parent's (taken under the parent's lock).  STS is reached as the chain
 * reaches it: the section's endpoint_url is its own service's. */
static rp_status assume_from_parent(rp_aws_client *c, char *err, size_t errlen)
{
	const rp_aws_credentials *pc;
	rp_aws_credentials base = {0};
	rp_aws_config sts = c->cfg;
	char name[64];
	const char *session = c->cfg.role_session_name;
	rp_status st;

	pthread_mutex_lock(&c->parent->lock);
	st = client_creds(c->parent, &pc, 0, err, errlen);
	if (!st)
		st = rp_aws_credentials_copy(pc, &base);
	pthread_mutex_unlock(&c->parent->lock);
	if (st)
		return st;
	if (!c->cfg.role_arn) {
		c->creds = base; /* the parent's own, e.g. the management account's */
		return RP_OK;
	}
	sts.endpoint_url = NULL;
	sts.role_arn = NULL;
	if (!session || !*session) {
		snprintf(name, sizeof(name), "reportpipe-%lld", (long long)time(NULL));
		session = name;
	}
	st = rp_aws_assume_role(c->http, &sts, &base,
				c->region ? c->region : "us-east-1",
				c->cfg.role_arn,
				c->cfg.external_id && *c->cfg.external_id ?
					c->cfg.external_id : NULL,
				session, 3600, &c->creds, err, errlen);
	if (!st) {
		char *p = rp_asprintf("assumed role %s (source: %s)", c->cfg.role_arn,
				      base.provider ? base.provider : "?");

		free(c->creds.provider);
		c->creds.provider = p;
	}
	rp_aws_credentials_free(&base);
	return st;
}

static rp_status client_creds(void *user, const rp_aws_credentials **out,
			      int force, char *err, size_t errlen)
{
	rp_aws_client *c = user;
	rp_status st;

	if (c->have_creds && !force &&
	    (!c->creds.expiration ||
	     time(NULL) < c->creds.expiration - REFRESH_MARGIN_S)) {
		*out = &c->creds;
		return RP_OK;
	}
	if (c->have_creds) {
		/* Static credentials cannot be refreshed: keep them. */
		if (!c->creds.expiration && force) {
			*out = &c->creds;
			return RP_OK;
		}
		rp_log(RP_LOG_INFO, "aws", "refreshing credentials from %s",
		       c->creds.provider ? c->creds.provider : "the chain");
		rp_aws_credentials_free(&c->creds);
		c->have_creds = 0;
	}
	if (c->parent)
		st = assume_from_parent(c, err, errlen);
	else
		st = rp_aws_credentials_resolve(c->http, &c->cfg, &c->creds, err,
						errlen);
	if (st)
		return st;
	c->have_creds = 1;
	rp_log(RP_LOG_INFO, "aws", "using credentials from %s",
	       c->creds.provider ? c->creds.provider : "the chain");
	*out = &c->creds;
	return RP_OK;
}

rp_status rp_aws_client_credentials(rp_aws_client *c,
				    const rp_aws_credentials **out, char *err,
				    size_t errlen)
{
	return client_creds(c, out, 0, err, errlen);
}

rp_status rp_aws_request(rp_aws_client *c, const rp_aws_call *call,
			 rp_http_response *resp, rp_aws_error *aerr, char *err,
			 size_t errlen)
{
	return request_loop(c->http, &c->cfg, client_creds, c, c->region, call,
			    resp, aerr, err, errlen);
}
