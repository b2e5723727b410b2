/* s3.c - sink plugin: puts each artifact into an S3 bucket, one PutObject
 * per artifact, with a SHA-256 checksum (and Content-MD5 if asked) so S3
 * refuses a body damaged on the way, and optional encryption, storage
 * class, Object Lock retention and user metadata.
 *
 * Everything that can be wrong in the configuration (the key template, a
 * retention without a mode, a metadata item S3 would refuse) is refused at
 * init, so `check` catches it before a report is fetched. */
#define _POSIX_C_SOURCE 200809L

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <reportpipe/plugin.h>

#define MAX_KEY_BYTES 1024      /* S3's limit on an object key */
#define MAX_METADATA_BYTES 2048 /* S3's limit on all x-amz-meta-* together */
#define MAX_ERROR_MESSAGE 300   /* of a server's message, in our sentence */
/* Per-section headers: 2 for SSE, 1 storage class, 2 Object Lock. */
#define MAX_EXTRA_HEADERS 5

static const rp_option options[] = {
	{.key = "bucket", .type = RP_OPT_STRING, .flags = RP_OPT_REQUIRED,
	 .description = "the bucket to put the artifacts in"},
	{.key = "key", .type = RP_OPT_STRING,
	 .flags = RP_OPT_REQUIRED | RP_OPT_TEMPLATE,
	 .description = "object key, e.g. iam/{date:%Y%m%d}_{account_id}_iam_credential_report.{ext}"},
	{.key = "path_style", .type = RP_OPT_ENUM, .default_value = "auto",
	 .choices = "auto|true|false",
	 .description = "address the bucket in the path (auto: when endpoint_url is set or the bucket has dots)"},
	{.key = "sse", .type = RP_OPT_ENUM, .default_value = "none",
	 .choices = "none|AES256|aws:kms",
	 .description = "server-side encryption to ask for (none: the bucket's default)"},
	{.key = "kms_key_id", .type = RP_OPT_STRING,
	 .description = "with sse = aws:kms: key id, ARN or alias (default: the account's aws/s3 key)"},
	{.key = "storage_class", .type = RP_OPT_ENUM,
	 .choices = "STANDARD|REDUCED_REDUNDANCY|STANDARD_IA|ONEZONE_IA|INTELLIGENT_TIERING|GLACIER|DEEP_ARCHIVE|GLACIER_IR|OUTPOSTS|SNOW|EXPRESS_ONEZONE",
	 .description = "storage class of the objects (default: STANDARD)"},
	{.key = "object_lock_mode", .type = RP_OPT_ENUM, .default_value = "none",
	 .choices = "none|GOVERNANCE|COMPLIANCE",
	 .description = "Object Lock retention for each object (the bucket must have Object Lock)"},
	{.key = "object_lock_retain_days", .type = RP_OPT_INT, .min = 1,
	 .max = 36500,
	 .description = "with object_lock_mode: days from the run's start the objects stay locked"},
	{.key = "metadata", .type = RP_OPT_LIST,
	 .description = "user metadata, key=value items sent as x-amz-meta-KEY (keys: letters, digits, - and _)"},
	{.key = "content_type", .type = RP_OPT_STRING,
	 .description = "Content-Type of the objects (default: the format's media type)"},
	{.key = "content_md5", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "also send Content-MD5, for S3-compatible stores that want it (AWS S3 checks the SHA-256 checksum, Object Lock included)"},
	RP_AWS_OPTIONS,
	{0}
};

typedef struct s3_sink {
	const char *bucket;
	int path_style;
	char *host_prefix;        /* "bucket." in virtual-hosted style */
	/* Headers every object gets, values owned here or by the options. */
	rp_header extra[MAX_EXTRA_HEADERS];
	size_t nextra;
	char retain_until[32];    /* ISO 8601 UTC */
	rp_header *meta;          /* x-amz-meta-* */
	size_t nmeta;
	int object_lock, kms;
	/* Keys put in this run and for which dataset ("source account"), so
	 * two sources or accounts that expand to one key are caught instead
	 * of the second silently replacing the first.  The same dataset
	 * again (a spooled delivery replayed, then today's) may replace it. */
	struct put_record {
		char *key, *owner;
	} *done;
	size_t ndone;
} s3_sink;

static void s3_fini(rp_instance *self, const rp_host *host)
{
	s3_sink *s = host->instance_data(self);

	if (!s)
		return;
	for (size_t i = 0; i < s->nmeta; i++) {
		free((char *)s->meta[i].name);
		free((char *)s->meta[i].value);
	}
	free(s->meta);
	for (size_t i = 0; i < s->ndone; i++) {
		free(s->done[i].key);
		free(s->done[i].owner);
	}
	free(s->done);
	free(s->host_prefix);
	free(s);
	host->set_instance_data(self, NULL);
}

static int bucket_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '-';
}

/* Bucket names of the us-east-1 legacy rules (upper case, '_') still
 * exist; they work in path style only, as they are no DNS names. */
static rp_status check_bucket(rp_instance *self, const rp_host *host,
			      const char *bucket, int *dns_compatible)
{
	size_t n = strlen(bucket);

	*dns_compatible = n >= 3 && n <= 63;
	if (n < 3 || n > 255) {
		host->set_error(self, "bucket: '%.64s' is not a bucket name (3 to 63 characters: a-z, 0-9, '.' and '-')",
				bucket);
		return RP_ERR_CONFIG;
	}
	for (size_t i = 0; i < n; i++) {
		char c = bucket[i];

		if (bucket_char_ok(c))
			continue;
		if ((c >= 'A' && c <= 'Z') || c == '_') {
			*dns_compatible = 0;
			continue;
		}
		host->set_error(self, "bucket: '%.64s' is not a bucket name: it holds '%c' (allowed: a-z, 0-9, '.' and '-'); give the name alone, without s3:// or a key",
				bucket, c >= 0x20 && c < 0x7f ? c : '?');
		return RP_ERR_CONFIG;
	}
	if (bucket[0] == '.' || bucket[0] == '-' || bucket[n - 1] == '.' ||
	    bucket[n - 1] == '-' || strstr(bucket, ".."))
		*dns_compatible = 0;
	return RP_OK;
}

/* An expanded key S3 and libcurl carry unchanged, or a sentence. */
static const char *key_problem(const char *key)
{
	size_t n = strlen(key);

	if (!n)
		return "is empty";
	if (n > MAX_KEY_BYTES)
		return "is longer than S3's 1024 bytes";
	if (key[0] == '/')
		return "starts with '/' (S3 keys have no leading slash)";
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	/* libcurl would resolve "." and ".." away, putting another key. */
	for (const char *seg = key; seg; seg = strchr(seg, '/')) {
		size_t len;

		if (*seg == '/')
			seg++;
		len = strcspn(seg, "/");
		if ((len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return "has a '.' or '..' segment";
	}
	return NULL;
}

/* The key as S3 wants it in the path: every byte but A-Za-z0-9-_.~ and
 * '/' percent-encoded (so ' ' is %20, '+' %2B, UTF-8 byte by byte). */
static char *encode_key(const char *key)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(key) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~' || c == '/') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static int meta_key_ok(const char *k, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static void trim_span(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static rp_status load_metadata(rp_instance *self, const rp_host *host,
			       s3_sink *s)
{
	const rp_list *l = host->opt_is_set(self, "metadata")
				   ? host->opt_list(self, "metadata") : NULL;
	size_t total = 0;

	if (!l || !l->count)
		return RP_OK;
	s->meta = calloc(l->count, sizeof(*s->meta));
	if (!s->meta)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < l->count; i++) {
		const char *item = l->items[i], *eq = strchr(item, '=');
		const char *k = item, *v;
		size_t kn, vn;
		char *name, *value;

		if (!eq) {
			host->set_error(self, "metadata: '%.80s' is not key=value",
					item);
			return RP_ERR_CONFIG;
		}
		kn = (size_t)(eq - item);
		v = eq + 1;
		vn = strlen(v);
		trim_span(&k, &kn);
		trim_span(&v, &vn);
		if (!meta_key_ok(k, kn)) {
			host->set_error(self, "metadata: key '%.*s' of '%.80s' may hold only letters, digits, '-' and '_'",
					(int)(kn > 64 ? 64 : kn), k, item);
			return RP_ERR_CONFIG;
		}
		/* Header values: printable ASCII, so nothing can end the
		 * header early or reach S3 in an encoding it rewrites. */
		for (size_t j = 0; j < vn; j++)
			if ((unsigned char)v[j] < 0x20 || (unsigned char)v[j] > 0x7e) {
				host->set_error(self, "metadata: the value of '%.*s' holds a line break, control or non-ASCII character; S3 metadata values are printable ASCII",
						(int)(kn > 64 ? 64 : kn), k);
				return RP_ERR_CONFIG;
			}
		for (size_t j = 0; j < s->nmeta; j++)
			if (strlen(s->meta[j].name) == kn + 11 &&
			    strncasecmp(s->meta[j].name + 11, k, kn) == 0) {
				host->set_error(self, "metadata: key '%.*s' is given twice (S3 keys ignore case)",
						(int)(kn > 64 ? 64 : kn), k);
				return RP_ERR_CONFIG;
			}
		total += kn + vn;
		if (total > MAX_METADATA_BYTES) {
			host->set_error(self, "metadata: keys and values together are longer than S3's %d bytes",
					MAX_METADATA_BYTES);
			return RP_ERR_CONFIG;
		}
		name = malloc(kn + 12);
		value = malloc(vn + 1);
		if (!name || !value) {
			free(name);
			free(value);
			return RP_ERR_NOMEM;
		}
		/* S3 keeps metadata keys in lower case; send them so. */
		memcpy(name, "x-amz-meta-", 11);
		for (size_t j = 0; j < kn; j++)
			name[11 + j] = (k[j] >= 'A' && k[j] <= 'Z') ? (char)(k[j] + 32) : k[j];
		name[11 + kn] = '\0';
		memcpy(value, v, vn);
		value[vn] = '\0';
		s->meta[s->nmeta].name = name;
		s->meta[s->nmeta].value = value;
		s->nmeta++;
	}
	return RP_OK;
}

static int endpoint_overridden(rp_instance *self, const rp_host *host)
{
	const char *e = getenv("AWS_ENDPOINT_URL_S3");

	if (host->opt_is_set(self, "endpoint_url"))
		return 1;
	if (!e || !*e)
		e = getenv("AWS_ENDPOINT_URL");
	return e && *e;
}

static rp_status load_encryption_and_lock(rp_instance *self,
					  const rp_host *host, s3_sink *s)
{
	const char *sse = host->opt_string(self, "sse");
	const char *mode = host->opt_string(self, "object_lock_mode");
	int has_days = host->opt_is_set(self, "object_lock_retain_days");

	s->kms = strcmp(sse, "aws:kms") == 0;
	if (host->opt_is_set(self, "kms_key_id") && !s->kms) {
		host->set_error(self, "kms_key_id: is used only with sse = aws:kms (sse is %s)",
				sse);
		return RP_ERR_CONFIG;
	}
	if (strcmp(sse, "none") != 0) {
		s->extra[s->nextra++] = (rp_header){"x-amz-server-side-encryption", sse};
		if (host->opt_is_set(self, "kms_key_id"))
			s->extra[s->nextra++] = (rp_header){
				"x-amz-server-side-encryption-aws-kms-key-id",
				host->opt_string(self, "kms_key_id")};
	}
	if (host->opt_is_set(self, "storage_class"))
		s->extra[s->nextra++] = (rp_header){
			"x-amz-storage-class", host->opt_string(self, "storage_class")};
	s->object_lock = strcmp(mode, "none") != 0;
	if (s->object_lock && !has_days) {
		host->set_error(self, "object_lock_mode: %s needs object_lock_retain_days, how many days each object stays locked",
				mode);
		return RP_ERR_CONFIG;
	}
	if (!s->object_lock && has_days) {
		host->set_error(self, "object_lock_retain_days: needs object_lock_mode = GOVERNANCE or COMPLIANCE");
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

/* Retention counts from the run's start, so every object of one run is
 * locked until the same second. */
static rp_status set_retention(rp_instance *self, const rp_host *host,
			       s3_sink *s)
{
	const rp_run_info *ri = host->run_info(self);
	time_t until = ri->run_time +
		       (time_t)host->opt_int(self, "object_lock_retain_days") * 86400;
	struct tm tm;

	if (!gmtime_r(&until, &tm) ||
	    !strftime(s->retain_until, sizeof(s->retain_until),
		      "%Y-%m-%dT%H:%M:%SZ", &tm))
		return RP_ERR_INTERNAL;
	return RP_OK;
}

static rp_status s3_init(rp_instance *self, const rp_host *host)
{
	const char *tmpl = host->opt_string(self, "key");
	const char *ps = host->opt_string(self, "path_style");
	size_t n = host->sink_input_count(self);
	char **keys = NULL;
	s3_sink *s = calloc(1, sizeof(*s));
	int dns_ok;
	rp_status st;

	if (!s)
		return RP_ERR_NOMEM;
	host->set_instance_data(self, s);
	s->bucket = host->opt_string(self, "bucket");
	st = check_bucket(self, host, s->bucket, &dns_ok);
	if (st)
		goto fail;
	if (strcmp(ps, "auto") == 0)
		s->path_style = endpoint_overridden(self, host) ||
				strchr(s->bucket, '.') || !dns_ok;
	else
		s->path_style = strcmp(ps, "true") == 0;
	if (!s->path_style && !dns_ok) {
		host->set_error(self, "path_style: bucket '%s' is no DNS name, so it cannot be virtual-hosted; set path_style = true (or auto)",
				s->bucket);
		st = RP_ERR_CONFIG;
		goto fail;
	}
	if (!s->path_style) {
		s->host_prefix = malloc(strlen(s->bucket) + 2);
		if (!s->host_prefix) {
			st = RP_ERR_NOMEM;
			goto fail;
		}
		sprintf(s->host_prefix, "%s.", s->bucket);
	}
	st = load_encryption_and_lock(self, host, s);
	if (!st && s->object_lock) {
		st = set_retention(self, host, s);
		if (!st) {
			s->extra[s->nextra++] = (rp_header){
				"x-amz-object-lock-mode",
				host->opt_string(self, "object_lock_mode")};
			s->extra[s->nextra++] = (rp_header){
				"x-amz-object-lock-retain-until-date", s->retain_until};
		}
	}
	if (!st)
		st = load_metadata(self, host, s);
	if (st)
		goto fail;

	/* Every input's key, with sample values: two inputs on one key
	 * would overwrite each other in every run. */
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys) {
		st = RP_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n && !st; i++) {
		const rp_artifact *a = host->sink_input(self, i);
		const char *why;

		st = host->expand(self, tmpl, NULL, a, &keys[i]);
		if (st)
			break;
		why = key_problem(keys[i]);
		if (why) {
			host->set_error(self, "key: for input '%s' it expands to '%.100s', which %s",
					host->artifact_format(a), keys[i], why);
			st = RP_ERR_CONFIG;
		}
		for (size_t j = 0; j < i && !st; j++)
			if (strcmp(keys[i], keys[j]) == 0) {
				host->set_error(self,
						"key: inputs '%s' and '%s' would both be put at s3://%s/%s; put {format} or {ext} in key",
						host->artifact_format(host->sink_input(self, j)),
						host->artifact_format(a), s->bucket, keys[i]);
				st = RP_ERR_CONFIG;
			}
	}
	for (size_t i = 0; i < n; i++)
		host->free(keys[i]);
	free(keys);
	if (st)
		goto fail;
	return RP_OK;
fail:
	s3_fini(self, host);
	return st;
}

static rp_status base64_digest(const EVP_MD *md, const void *data, size_t len,
			       char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	/* MD5 may be refused (FIPS mode): the caller then goes without. */
	if (!md || EVP_Digest(data, len, d, &dlen, md, NULL) != 1)
		return RP_ERR_UNSUPPORTED;
	EVP_EncodeBlock((unsigned char *)out, d, (int)dlen);
	return RP_OK;
}

/* Server text goes into a sentence for a terminal: no control characters,
 * and not too long. */
static void clean_text(char *t)
{
	size_t n = strlen(t);

	if (n > MAX_ERROR_MESSAGE) {
		/* Cut between UTF-8 characters, not inside one. */
		n = MAX_ERROR_MESSAGE - 3;
		while (n && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
		memcpy(t + n, "...", 4);
	}
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static const char *error_hint(const s3_sink *s, const char *code,
			      const char *bucket_region, char *buf, size_t len)
{
	if (strcmp(code, "AccessDenied") == 0) {
		snprintf(buf, len, "; allow s3:PutObject on arn:aws:s3:::%s/*%s%s to the identity reportpipe runs as",
			 s->bucket,
			 s->object_lock ? " (and s3:PutObjectRetention)" : "",
			 s->kms ? " and kms:GenerateDataKey on the KMS key" : "");
		return buf;
	}
	if (strcmp(code, "NoSuchBucket") == 0)
		return "; check bucket (and endpoint_url)";
	if (strcmp(code, "InvalidRequest") == 0 && s->object_lock)
		return "; a bucket without Object Lock refuses retention: enable Object Lock on the bucket or remove object_lock_mode";
	if (strcmp(code, "InvalidBucketState") == 0 && s->object_lock)
		return "; Object Lock needs versioning on the bucket";
	if (strncmp(code, "KMS.", 4) == 0)
		return "; check kms_key_id and the key's policy";
	if (strcmp(code, "SignatureDoesNotMatch") == 0)
		return "; check the secret access key";
	if (strcmp(code, "InvalidAccessKeyId") == 0)
		return "; the access key id is not known to AWS";
	if (strcmp(code, "ExpiredToken") == 0)
		return "; the session token has expired: refresh the credentials";
	if (bucket_region && *bucket_region &&
	    (strcmp(code, "PermanentRedirect") == 0 ||
	     strcmp(code, "AuthorizationHeaderMalformed") == 0 ||
	     strcmp(code, "IllegalLocationConstraintException") == 0 ||
	     strcmp(code, "HTTP301") == 0)) {
		snprintf(buf, len, "; the bucket is in %.40s: set region = %.40s",
			 bucket_region, bucket_region);
		return buf;
	}
	return "";
}

/* What the host's sentence says after the AWS error's "(HTTP ...)": how
 * the retries went when they were used up ("; still throttled after 3
 * attempts: ..."), or "". */
static const char *retry_tail(const char *host_sentence)
{
	const char *p = host_sentence, *last = NULL;

	while (p && (p = strstr(p, " (HTTP ")))
		last = p++;
	p = last ? strchr(last, ')') : NULL;
	return p ? p + 1 : "";
}

/* The sentence for a refused PutObject: the host's names the AWS error but
 * not the object, so compose one that names both. */
static char *failure_sentence(rp_instance *self, const rp_host *host,
			      const s3_sink *s, const char *key,
			      const rp_response *r)
{
	size_t blen = 0, need;
	const char *body = host->response_body(r, &blen);
	const char *code = host->response_error_code(r);
	const char *rid = host->response_header(r, "x-amz-request-id");
	const char *region = host->response_header(r, "x-amz-bucket-region");
	char *message = NULL, *out, hintbuf[256], ridbuf[80] = "";
	const char *hint, *tail = retry_tail(host->instance_error(self));

	if (body && blen)
		host->xml_text(body, blen, "Error/Message", &message);
	if (message)
		clean_text(message);
	if (rid && *rid)
		snprintf(ridbuf, sizeof(ridbuf), ", request id %.60s", rid);
	for (char *p = ridbuf; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	hint = error_hint(s, code, region, hintbuf, sizeof(hintbuf));
	need = strlen(s->bucket) + strlen(key) + strlen(code) +
	       (message ? strlen(message) : 16) + strlen(hint) + strlen(ridbuf) +
	       strlen(tail) + 80;
	out = malloc(need);
	if (out)
		snprintf(out, need, "s3://%s/%s: S3 PutObject: %s: %s%s (HTTP %ld%s)%s",
			 s->bucket, key, code, message && *message ? message : "no message",
			 hint, host->response_status(r), ridbuf, tail);
	host->free(message);
	return out;
}

static rp_status remember(s3_sink *s, const char *key, const char *owner)
{
	struct put_record *g = realloc(s->done, (s->ndone + 1) * sizeof(*g));

	if (!g)
		return RP_ERR_NOMEM;
	s->done = g;
	g[s->ndone].key = strdup(key);
	g[s->ndone].owner = strdup(owner);
	if (!g[s->ndone].key || !g[s->ndone].owner) {
		free(g[s->ndone].key);
		free(g[s->ndone].owner);
		return RP_ERR_NOMEM;
	}
	s->ndone++;
	return RP_OK;
}

static char *sentence_printf(const char *fmt, ...) RP_PRINTF(1, 2);

static char *sentence_printf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(out = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* Puts one artifact.  On failure *sentence is the message naming the
 * object, or NULL when only the host's sentence (set already) exists. */
static rp_status put_one(rp_instance *self, const rp_host *host,
			 const rp_dataset *ds, const rp_artifact *a,
			 char **sentence)
{
	s3_sink *s = host->instance_data(self);
	rp_header h[4 + MAX_EXTRA_HEADERS];
	rp_header *all = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char md5[32], sha[48], hex[65], owner[128] = "", *key = NULL,
	     *enc = NULL, *target = NULL;
	const char *why;
	const void *data;
	size_t len, nh = 0;
	rp_response *r = NULL;
	rp_status st;

	*sentence = NULL;
	st = host->expand(self, host->opt_string(self, "key"), ds, a, &key);
	if (st)
		return st;
	why = key_problem(key);
	if (why) {
		*sentence = sentence_printf("key: '%.100s' %s", key, why);
		st = RP_ERR_CONFIG;
		goto out;
	}
	if (ds) {
		const rp_dataset_meta *m = host->ds_meta(ds);

		snprintf(owner, sizeof(owner), "source.%.60s (account %.20s)",
			 m->source, m->account_id[0] ? m->account_id : "unknown");
	}
	for (size_t i = 0; i < s->ndone; i++)
		if (strcmp(s->done[i].key, key) == 0 &&
		    strcmp(s->done[i].owner, owner) != 0) {
			*sentence = sentence_printf(
				"s3://%s/%s was already put in this run for %s; put {source} or {account_id} in key",
				s->bucket, key, s->done[i].owner);
			st = RP_ERR_CONFIG;
			goto out;
		}
	enc = encode_key(key);
	target = enc ? malloc(strlen(s->bucket) + strlen(enc) + 3) : NULL;
	if (!target) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	if (s->path_style)
		sprintf(target, "/%s/%s", s->bucket, enc);
	else
		sprintf(target, "/%s", enc);

	data = host->artifact_data(a, &len);
	h[nh++] = (rp_header){"Content-Type",
			      host->opt_is_set(self, "content_type")
				      ? host->opt_string(self, "content_type")
				      : host->artifact_media_type(a)};
	/* The SHA-256 checksum below is what S3 verifies (and what Object
	 * Lock asks for, "Content-MD5 OR x-amz-checksum-"); MD5 over again
	 * would cost more than both SHA-256s, so only when asked for. */
	if (host->opt_bool(self, "content_md5")) {
		if (base64_digest(EVP_md5(), data, len, md5) == RP_OK)
			h[nh++] = (rp_header){"Content-MD5", md5};
		else
			host->log(self, RP_LOG_DEBUG, "MD5 is not available (FIPS mode?): sending the SHA-256 checksum alone");
	}
	/* One SHA-256 for both headers: the checksum S3 stores, and the
	 * payload hash SigV4 signs (the host takes it from the header). */
	if (EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL) != 1 ||
	    dlen != 32) {
		*sentence = sentence_printf("s3://%s/%s: libcrypto could not compute SHA-256",
					    s->bucket, key);
		st = RP_ERR_INTERNAL;
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)sha, digest, 32);
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
	}
	hex[64] = '\0';
	h[nh++] = (rp_header){"x-amz-checksum-sha256", sha};
	h[nh++] = (rp_header){"x-amz-content-sha256", hex};
	for (size_t i = 0; i < s->nextra; i++)
		h[nh++] = s->extra[i];
	all = malloc((nh + s->nmeta) * sizeof(*all));
	if (!all) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	memcpy(all, h, nh * sizeof(*all));
	if (s->nmeta)
		memcpy(all + nh, s->meta, s->nmeta * sizeof(*all));
	{
		rp_request req = {
			.method = "PUT", .target = target, .headers = all,
			.nheaders = nh + s->nmeta, .body = data, .body_len = len,
			.host_prefix = s->host_prefix,
		};
		st = host->aws_request(self, "s3", "PutObject", RP_AWS_S3, &req, &r);
	}
	if (st) {
		/* With S3's answer at hand, one sentence says what and why;
		 * without (a network error, or a host that does not keep the
		 * answer of an error), the host's sentence says why and this
		 * line what. */
		if (r && host->response_status(r))
			*sentence = failure_sentence(self, host, s, key, r);
		else
			host->log(self, RP_LOG_ERROR, "s3://%s/%s: not put",
				  s->bucket, key);
		goto out;
	}
	{
		const char *etag = host->response_header(r, "ETag");
		const char *version = host->response_header(r, "x-amz-version-id");

		host->log(self, RP_LOG_INFO, "s3://%s/%s: %zu bytes, ETag %.80s%s%.80s",
			  s->bucket, key, len, etag ? etag : "(none)",
			  version && *version ? ", version " : "",
			  version ? version : "");
	}
	st = remember(s, key, owner);
out:
	host->response_free(r);
	free(all);
	free(target);
	free(enc);
	host->free(key);
	return st;
}

static rp_status s3_deliver(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, const rp_artifact *const *arts,
			    size_t n)
{
	rp_status first = RP_OK;
	char *first_sentence = NULL;

	/* One refused object does not keep the others from being put.  The
	 * engine shows one sentence, the first failure's; later ones are
	 * logged as they happen. */
	for (size_t i = 0; i < n; i++) {
		char *sentence = NULL;
		rp_status st = put_one(self, host, ds, arts[i], &sentence);

		if (!st)
			continue;
		if (!first) {
			first = st;
			first_sentence = sentence;
			continue;
		}
		if (sentence)
			host->log(self, RP_LOG_ERROR, "%s", sentence);
		free(sentence);
	}
	/* Later requests replaced the host's sentence: set the first one.
	 * Without one of ours (a network error) the host's stands. */
	if (first_sentence)
		host->set_error(self, "%s", first_sentence);
	free(first_sentence);
	return first;
}

static rp_status s3_preview(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, const rp_artifact *a,
			    char **line)
{
	const char *bucket = host->opt_string(self, "bucket");
	char *key = NULL;
	size_t len, need;
	rp_status st = host->expand(self, host->opt_string(self, "key"), ds, a, &key);

	*line = NULL;
	if (st)
		return st;
	host->artifact_data(a, &len);
	need = strlen(bucket) + strlen(key) + 64;
	*line = malloc(need);
	if (*line)
		snprintf(*line, need, "put s3://%s/%s (%zu bytes)", bucket, key, len);
	host->free(key);
	return *line ? RP_OK : RP_ERR_NOMEM;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "s3",
	.description = "puts each artifact into an S3 bucket (PutObject, checksummed)",
	.options = options,
	.init = s3_init,
	.fini = s3_fini,
	.deliver = s3_deliver,
	.preview = s3_preview,
	.flags = RP_PLUGIN_CONCURRENT | RP_PLUGIN_EARLY_START,
};
