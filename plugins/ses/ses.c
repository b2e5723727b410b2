/* ses.c - sink plugin: the composed message through Amazon SES, as the
 * API v2 SendEmail with Content.Raw (default) or v1 SendRawEmail.
 *
 * The host composes the message (RP_MAIL_OPTIONS) and signs the request
 * (RP_AWS_OPTIONS); this file only knows SES: its two wire formats and
 * its limits, checked before sending so the error says which limit. */
#define _POSIX_C_SOURCE 200809L

#include <openssl/evp.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "ses_body.h"

#define MAX_RECIPIENTS 50
#define MAX_V1_BYTES ((size_t)10 * 1024 * 1024)
#define MAX_V2_BYTES ((size_t)40 * 1024 * 1024)

static const rp_option options[] = {
	{.key = "api", .type = RP_OPT_ENUM, .choices = "v2|v1", .default_value = "v2",
	 .description = "SES API: v2 SendEmail (40 MB) or v1 SendRawEmail (10 MB)"},
	{.key = "configuration_set", .type = RP_OPT_STRING,
	 .description = "SES configuration set (event publishing, dedicated IPs)"},
	RP_MAIL_OPTIONS,
	RP_AWS_OPTIONS,
	{0}
};

static size_t list_count(const rp_host *host, rp_instance *self, const char *key)
{
	const rp_list *l = host->opt_list(self, key);

	return l ? l->count : 0;
}

static rp_status ses_init(rp_instance *self, const rp_host *host)
{
	size_t n = list_count(host, self, "to") + list_count(host, self, "cc") +
		   list_count(host, self, "bcc");

	if (n > MAX_RECIPIENTS) {
		host->set_error(self,
				"to, cc and bcc name %zu recipients; SES takes at most %d per message (%zu too many)",
				n, MAX_RECIPIENTS, n - MAX_RECIPIENTS);
		return RP_ERR_CONFIG;
	}
	return host->mail_check(self);
}

static char *base64(const char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data,
				(int)len);
	return out;
}

/* A growable form body; `failed` sticks so callers check once. */
typedef struct form {
	char *data;
	size_t len, cap;
	int failed;
} form;

static void form_put(form *f, const char *s, int encode)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = f->len + strlen(s) * 3 + 1;

	if (f->failed)
		return;
	if (need > f->cap) {
		char *g = realloc(f->data, need * 2);

		if (!g) {
			f->failed = 1;
			return;
		}
		f->data = g;
		f->cap = need * 2;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!encode || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~') {
			f->data[f->len++] = (char)c;
		} else {
			f->data[f->len++] = '%';
			f->data[f->len++] = hex[c >> 4];
			f->data[f->len++] = hex[c & 15];
		}
	}
	f->data[f->len] = '\0';
}

/* SendRawEmail's form: Source, Destinations.member.N, the raw message in
 * base64 (percent-encoded like every form value). */
static rp_status body_v1(const rp_host *host, rp_instance *self,
			 const rp_mail *m, const char *raw64, char **body,
			 size_t *len)
{
	const char *cs = host->opt_string(self, "configuration_set");
	form f = {0};
	char name[64];

	form_put(&f, "Action=SendRawEmail&Version=2010-12-01&Source=", 0);
	form_put(&f, host->mail_sender(m), 1);
	for (size_t i = 0; i < host->mail_recipient_count(m); i++) {
		snprintf(name, sizeof(name), "&Destinations.member.%zu=", i + 1);
		form_put(&f, name, 0);
		form_put(&f, host->mail_recipient(m, i), 1);
	}
	if (cs) {
		form_put(&f, "&ConfigurationSetName=", 0);
		form_put(&f, cs, 1);
	}
	form_put(&f, "&RawMessage.Data=", 0);
	form_put(&f, raw64, 1);
	if (f.failed) {
		free(f.data);
		return RP_ERR_NOMEM;
	}
	*body = f.data;
	*len = f.len;
	return RP_OK;
}

/* SendEmail's JSON.  jansson writes the envelope with Content last and an
 * empty Raw.Data; the message goes base64-encoded between those two
 * quotes: base64 needs no JSON escaping, and letting jansson copy,
 * validate and escape a message of several MB cost a fifth of a whole
 * run's CPU (docs/performance.md).  The body is never held: ses_v2_gen
 * (ses_body.c) makes it as the host hashes and sends it
 * (host->aws_request_gen), so a mail of megabytes is not kept a second
 * time, a third larger. */
/* The message's bytes, for ses_v2_gen. */
struct mail_reader {
	const rp_host *host;
	const rp_mail *m;
};

static int read_mail(void *ctx, size_t off, void *buf, size_t n)
{
	const struct mail_reader *r = ctx;

	return r->host->mail_read(r->m, off, buf, n);
}

static rp_status body_v2(const rp_host *host, rp_instance *self,
			 const rp_mail *m, struct mail_reader *r,
			 ses_v2_body *b)
{
	static const char tail[] = "\"Content\":{\"Raw\":{\"Data\":\"\"}}}";
	const char *cs = host->opt_string(self, "configuration_set");
	json_t *root = json_object(), *to = json_array();
	char *envelope = NULL;
	size_t elen;

	memset(b, 0, sizeof(*b));
	if (!root || !to)
		goto nomem;
	for (size_t i = 0; i < host->mail_recipient_count(m); i++)
		if (json_array_append_new(to, json_string(host->mail_recipient(m, i))))
			goto nomem;
	if (json_object_set_new(root, "FromEmailAddress", json_string(host->mail_sender(m))) ||
	    json_object_set_new(root, "Destination", json_pack("{s:O}", "ToAddresses", to)) ||
	    (cs && json_object_set_new(root, "ConfigurationSetName", json_string(cs))) ||
	    json_object_set_new(root, "Content", json_pack("{s:{s:s}}", "Raw", "Data", "")))
		goto nomem;
	envelope = json_dumps(root, JSON_COMPACT);
	if (!envelope)
		goto nomem;
	elen = strlen(envelope);
	/* jansson keeps insertion order, so the envelope ends with tail. */
	if (elen < sizeof(tail) - 1 ||
	    strcmp(envelope + elen - (sizeof(tail) - 1), tail) != 0) {
		host->set_error(self, "internal error: unexpected SendEmail envelope %s", envelope);
		free(envelope);
		json_decref(to);
		json_decref(root);
		return RP_ERR_INTERNAL;
	}
	b->head = envelope;
	b->hlen = elen - 4; /* up to the opening quote of Data's value */
	r->host = host;
	r->m = m;
	b->read = read_mail;
	b->ctx = r;
	b->rawlen = host->mail_size(m);
	b->blen = 4 * ((b->rawlen + 2) / 3);
	json_decref(to);
	json_decref(root);
	return RP_OK;
nomem:
	free(envelope);
	json_decref(to);
	json_decref(root);
	return RP_ERR_NOMEM;
}

static rp_status ses_deliver(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, const rp_artifact *const *arts,
			     size_t n)
{
	static const rp_header json_hdr[] = {{"Content-Type", "application/json"}};
	static const rp_header form_hdr[] = {
		{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
	int v1 = strcmp(host->opt_string(self, "api"), "v1") == 0;
	size_t limit = v1 ? MAX_V1_BYTES : MAX_V2_BYTES, rawlen, encoded, blen = 0;
	rp_mail *m = NULL;
	rp_response *r = NULL;
	char *raw64 = NULL, *body = NULL, *id = NULL;
	const char *raw;
	struct mail_reader reader;
	ses_v2_body b2 = {0};
	rp_status st;

	st = host->mail_compose(self, ds, arts, n, &m);
	if (st)
		return st;
	rawlen = host->mail_size(m);
	/* SES counts the message as sent, base64-encoded. */
	encoded = 4 * ((rawlen + 2) / 3);
	if (encoded > limit) {
		host->set_error(self,
				"the message is %.1f MB once base64-encoded, over SES %s's %zu MB limit by %.1f MB; %s",
				encoded / 1048576.0, v1 ? "v1" : "v2", limit >> 20,
				(encoded - limit) / 1048576.0,
				v1 ? "use api = v2 (40 MB) or attach fewer formats"
				   : "attach fewer formats");
		st = RP_ERR_LIMIT;
		goto out;
	}
	if (v1) {
		/* SendRawEmail's form body percent-encodes the base64: made
		 * whole. */
		raw = host->mail_data(m, &rawlen);
		raw64 = raw ? base64(raw, rawlen) : NULL;
		st = raw64 ? body_v1(host, self, m, raw64, &body, &blen)
			   : RP_ERR_NOMEM;
	} else {
		st = body_v2(host, self, m, &reader, &b2);
	}
	if (st)
		goto out;
	if (v1) {
		rp_request req = {
			.method = "POST", .target = "/",
			.headers = form_hdr, .nheaders = 1,
			.body = body, .body_len = blen,
		};
		st = host->aws_request(self, "ses", "SendRawEmail", 0, &req, &r);
	} else {
		rp_request req = {
			.method = "POST", .target = "/v2/email/outbound-emails",
			.headers = json_hdr, .nheaders = 1,
			.body_len = ses_v2_len(&b2),
		};
		st = host->aws_request_gen(self, "sesv2", "SendEmail", 0, &req,
					   ses_v2_gen, &b2, &r);
	}
	if (st)
		goto out;
	{
		size_t len;
		const char *resp = host->response_body(r, &len);

		if (v1) {
			host->xml_text(resp, len, "SendRawEmailResult/MessageId", &id);
		} else {
			json_t *j = json_loadb(resp, len, 0, NULL);
			const char *s = j ? json_string_value(json_object_get(j, "MessageId")) : NULL;

			id = s ? strdup(s) : NULL;
			json_decref(j);
		}
		host->log(self, RP_LOG_INFO, "sent to %zu recipients, SES message id %s",
			  host->mail_recipient_count(m), id ? id : "(none)");
	}
out:
	free(id);
	host->response_free(r);
	free(body);
	free(raw64);
	free(b2.head);
	host->mail_free(m);
	return st;
}

static rp_status ses_preview(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, const rp_artifact *a,
			     char **line)
{
	const rp_list *to = host->opt_list(self, "to");
	size_t n = 0;

	(void)ds;
	(void)a;
	for (size_t i = 0; to && i < to->count; i++)
		n += strlen(to->items[i]) + 2;
	*line = malloc(n + 64);
	if (!*line)
		return RP_ERR_NOMEM;
	strcpy(*line, "mail to ");
	for (size_t i = 0; to && i < to->count; i++) {
		if (i)
			strcat(*line, ", ");
		strcat(*line, to->items[i]);
	}
	strcat(*line, strcmp(host->opt_string(self, "api"), "v1") == 0
			      ? " via SES v1" : " via SES v2");
	return RP_OK;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "ses",
	.description = "mails the report through Amazon SES (API v2 or v1)",
	.options = options,
	.init = ses_init,
	.deliver = ses_deliver,
	.preview = ses_preview,
	.flags = RP_PLUGIN_CONCURRENT | RP_PLUGIN_EARLY_START,
};
