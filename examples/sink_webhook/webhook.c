/* webhook.c - an out-of-tree sink plugin: posts a short summary of each
 * credential report to an incoming-webhook URL as {"text": "..."}, the
 * shape both Slack and Microsoft Teams accept.
 *
 * Built with nothing but pkg-config (see Makefile and
 * docs/writing-a-plugin.md); everything it needs from reportpipe comes
 * through the rp_host table: options, the dataset, templates, HTTP. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <reportpipe/plugin.h>

/* Names of console users without MFA quoted in the message; the rest are
 * counted, so a large account does not make a wall of text. */
#define MAX_NAMED 10

static const rp_option options[] = {
	{.key = "url", .type = RP_OPT_STRING,
	 .flags = RP_OPT_REQUIRED | RP_OPT_SECRET,
	 .description = "incoming-webhook URL (Slack, Microsoft Teams); keep it out of the file: url = ${WEBHOOK_URL}"},
	{.key = "link", .type = RP_OPT_STRING, .flags = RP_OPT_TEMPLATE,
	 .description = "where the archived report is, quoted in the message, e.g. https://reports.example.com/{date:%Y%m%d}_{account_id}.{ext}"},
	{.key = "ca_file", .type = RP_OPT_PATH,
	 .description = "PEM file of CA certificates added to the system's (TLS is always verified)"},
	{.key = "allow_http", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "allow a plain http:// url that is not loopback"},
	{0}
};

/* The url is a secret (the token is in its path): messages name only its
 * origin, "https://hooks.slack.com/...". */
static char *url_origin(const char *url)
{
	const char *p = strstr(url, "://"), *host, *end, *at;
	char *out;
	size_t n;

	if (!p)
		return strdup("(the url)");
	host = p + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at)
		host = at + 1; /* never repeat user:password@ */
	n = (size_t)(p + 3 - url) + (size_t)(end - host);
	out = malloc(n + 5);
	if (!out)
		return NULL;
	snprintf(out, n + 5, "%.*s%.*s%s", (int)(p + 3 - url), url,
		 (int)(end - host), host, *end ? "/..." : "");
	return out;
}

static rp_status webhook_init(rp_instance *self, const rp_host *host)
{
	const char *url = host->opt_string(self, "url");
	char *origin;

	if (!url || !*url) {
		host->set_error(self,
				"url: is empty; if it names an environment variable (url = ${WEBHOOK_URL}), give that variable the webhook's URL");
		return RP_ERR_CONFIG;
	}
	if (strncasecmp(url, "https://", 8) != 0 &&
	    strncasecmp(url, "http://", 7) != 0) {
		host->set_error(self,
				"url: not an https:// incoming-webhook URL (the value is not shown: it is secret)");
		return RP_ERR_CONFIG;
	}
	origin = url_origin(url);
	if (!origin)
		return RP_ERR_NOMEM;
	host->set_instance_data(self, origin);
	return RP_OK;
}

static void webhook_fini(rp_instance *self, const rp_host *host)
{
	free(host->instance_data(self));
}

/* 1 if the cell holds "true"; "N/A", "not_supported" and the like are not. */
static int cell_true(const rp_host *host, const rp_dataset *ds, size_t row,
		     long col)
{
	int v = 0;

	return host->ds_cell_bool(ds, row, (size_t)col, &v) == RP_CELL_VALUE && v;
}

static rp_status column(rp_instance *self, const rp_host *host,
			const rp_dataset *ds, const char *name, long *col)
{
	*col = host->ds_column_index(ds, name);
	if (*col >= 0)
		return RP_OK;
	host->set_error(self,
			"the dataset has no column '%s'; feed this sink from a credential-report source",
			name);
	return RP_ERR_PARSE;
}

/* The message: who, when, how many, what needs attention, where to read. */
static rp_status summary_text(rp_instance *self, const rp_host *host,
			      const rp_dataset *ds, const rp_artifact *a,
			      char **out)
{
	const rp_dataset_meta *m = host->ds_meta(ds);
	long c_user, c_pw, c_mfa, c_k1, c_k2;
	size_t users = 0, keys = 0, nomfa = 0, len;
	const char *link = host->opt_string(self, "link");
	char when[64] = "at an unknown time", *text = NULL, *url = NULL;
	struct tm tm;
	rp_status st;
	FILE *f;

	if ((st = column(self, host, ds, "user", &c_user)) ||
	    (st = column(self, host, ds, "password_enabled", &c_pw)) ||
	    (st = column(self, host, ds, "mfa_active", &c_mfa)) ||
	    (st = column(self, host, ds, "access_key_1_active", &c_k1)) ||
	    (st = column(self, host, ds, "access_key_2_active", &c_k2)))
		return st;
	if (link && (st = host->expand(self, link, ds, a, &url)))
		return st;
	f = open_memstream(&text, &len);
	if (!f) {
		host->free(url);
		return RP_ERR_NOMEM;
	}
	if (m->generated_time && gmtime_r(&m->generated_time, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	for (size_t r = 0; r < host->ds_rows(ds); r++) {
		keys += (size_t)cell_true(host, ds, r, c_k1) +
			(size_t)cell_true(host, ds, r, c_k2);
		if (host->ds_row_is_root(ds, r))
			continue;
		users++;
		if (cell_true(host, ds, r, c_pw) && !cell_true(host, ds, r, c_mfa))
			nomfa++;
	}
	fprintf(f, "IAM credential report for account %s, generated %s\n",
		m->account_id[0] ? m->account_id : "(unknown)", when);
	fprintf(f, "%zu users, %zu active access keys, %zu console users without MFA",
		users, keys, nomfa);
	for (size_t r = 0, named = 0; r < host->ds_rows(ds) && nomfa; r++) {
		if (host->ds_row_is_root(ds, r) || !cell_true(host, ds, r, c_pw) ||
		    cell_true(host, ds, r, c_mfa))
			continue;
		if (named == MAX_NAMED) {
			fprintf(f, ", and %zu more", nomfa - named);
			break;
		}
		fprintf(f, "%s%s", named++ ? ", " : ": ", host->ds_cell(ds, r, (size_t)c_user));
	}
	if (url)
		fprintf(f, "\nReport: %s", url);
	host->free(url);
	if (fclose(f) != 0) {
		free(text);
		return RP_ERR_NOMEM;
	}
	*out = text;
	return RP_OK;
}

/* A printable excerpt of an error answer ("invalid_payload", "no_service"). */
static void excerpt(const char *body, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < size; i++)
		buf[n++] = body[i] >= 0x20 && body[i] < 0x7f ? body[i] : ' ';
	buf[n] = '\0';
}

static rp_status webhook_deliver(rp_instance *self, const rp_host *host,
				 const rp_dataset *ds,
				 const rp_artifact *const *arts, size_t n)
{
	static const rp_header headers[] = {{"Content-Type", "application/json"}};
	const char *origin = host->instance_data(self);
	rp_response *resp = NULL;
	json_t *msg = NULL;
	char *text = NULL, *body = NULL;
	rp_status st;
	long status;

	st = summary_text(self, host, ds, n ? arts[0] : NULL, &text);
	if (st)
		goto out;
	msg = json_pack("{s:s}", "text", text);
	body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	if (!body) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	{
		rp_request req = {
			.method = "POST",
			.target = host->opt_string(self, "url"),
			.headers = headers, .nheaders = 1,
			.body = body, .body_len = strlen(body),
		};
		st = host->http_request(self, &req, &resp);
	}
	if (st) {
		/* The host's sentence quotes the whole URL; ours keeps the
		 * secret part out of logs. */
		host->set_error(self, "could not post to the webhook at %s: %s; check the url and the network",
				origin, host->strerror(st));
		goto out;
	}
	status = host->response_status(resp);
	if (status < 200 || status > 299) {
		size_t len;
		const char *b = host->response_body(resp, &len);
		char why[160];

		excerpt(b, len, why, sizeof(why));
		host->set_error(self,
				"the webhook at %s answered HTTP %ld%s%s; a revoked or mistyped url answers 403, 404 or 410",
				origin, status, why[0] ? ": " : "", why);
		st = RP_ERR_REMOTE;
		goto out;
	}
	host->log(self, RP_LOG_INFO, "posted the summary to %s", origin);
out:
	host->response_free(resp);
	free(body);
	json_decref(msg);
	free(text);
	return st;
}

static rp_status webhook_preview(rp_instance *self, const rp_host *host,
				 const rp_dataset *ds, const rp_artifact *a,
				 char **line)
{
	const char *origin = host->instance_data(self);
	size_t n = strlen(origin) + 32;

	(void)ds;
	(void)a;
	*line = malloc(n);
	if (!*line)
		return RP_ERR_NOMEM;
	snprintf(*line, n, "post a summary to %s", origin);
	return RP_OK;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "webhook",
	.description = "posts a summary of the report to a Slack or Microsoft Teams incoming webhook",
	.options = options,
	.init = webhook_init,
	.fini = webhook_fini,
	.deliver = webhook_deliver,
	.preview = webhook_preview,
};
