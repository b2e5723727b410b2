/* mail.c - the host's mail services: a section's RP_MAIL_OPTIONS checked
 * at load time, and one dataset's artifacts composed into a MIME message
 * that any transport (SES, SMTP, a third party's) can send as it is. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "log.h"
#include "mail.h"
#include "mime.h"

/* The message is kept as rp_mime_build_holes leaves it: everything but
 * the attachments' base64, which is made where it is read (rp_mail_read)
 * from the artifacts, so a mail of megabytes is not held beside them;
 * rp_mail_data makes the whole once, for the sinks that want it so. */
struct rp_mail {
	rp_buf data;           /* the message without the attachments' bodies */
	rp_mime_hole *holes;   /* where they go, in order */
	size_t nholes;
	size_t size;           /* the whole message's */
	rp_buf whole;          /* rp_mail_data's */
	char *sender;
	char **rcpt;
	size_t nrcpt;
};

static const rp_optval *opt(const rp_instance *in, const char *key)
{
	return rp_optset_get(&in->opts, key);
}

static void set_error(rp_instance *in, const char *fmt, ...) RP_PRINTF(2, 3);
static void set_error(rp_instance *in, const char *fmt, ...)
{
	rp_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	if (rp_buf_vprintf(&b, fmt, ap) == RP_OK) {
		free(in->error);
		in->error = rp_buf_steal(&b);
	}
	va_end(ap);
	rp_buf_free(&b);
}

/* "Name <a@b>" -> "a@b", parsed as the headers are, so the envelope and
 * the headers agree on the address. */
static char *addr_spec(const char *addr)
{
	rp_buf b = {0};
	char err[256];

	if (rp_mime_address_spec("address", addr, &b, err, sizeof(err))) {
		rp_buf_free(&b);
		return NULL;
	}
	return rp_buf_steal(&b);
}

static const rp_instance *input_named(const rp_instance *in, const char *name)
{
	for (size_t i = 0; i < in->ninputs; i++)
		if (strcmp(in->inputs[i]->sec->inst, name) == 0)
			return in->inputs[i];
	return NULL;
}

/* Is input i attached?  `attach` if set, else every input but the body. */
static int attached(const rp_instance *in, size_t i)
{
	const rp_optval *at = opt(in, "attach"), *body = opt(in, "body");
	const char *name = in->inputs[i]->sec->inst;

	if (at && at->list.count) {
		for (size_t k = 0; k < at->list.count; k++)
			if (strcmp(at->list.items[k], name) == 0)
				return 1;
		return 0;
	}
	return !(body && body->text && strcmp(body->text, name) == 0);
}

static rp_status check_list(rp_instance *in, const char *key, int required)
{
	const rp_optval *v = opt(in, key);
	char err[512];

	if (!v || !v->list.count) {
		if (required) {
			set_error(in, "%s: name at least one address", key);
			return RP_ERR_CONFIG;
		}
		return RP_OK;
	}
	for (size_t i = 0; i < v->list.count; i++)
		if (rp_mime_check_address(key, v->list.items[i], err, sizeof(err))) {
			set_error(in, "%s", err);
			return RP_ERR_CONFIG;
		}
	return RP_OK;
}

rp_status rp_mail_check(rp_instance *in)
{
	const rp_optval *from = opt(in, "from"), *rt = opt(in, "reply_to");
	const rp_optval *subject = opt(in, "subject"), *body = opt(in, "body");
	const rp_optval *at = opt(in, "attach"), *archive = opt(in, "archive");
	char err[512];
	rp_status st;

	if (!from || !subject) {
		set_error(in, "plugin bug: '%s' sends mail but has no RP_MAIL_OPTIONS",
			  in->plugin->desc.name);
		return RP_ERR_INVALID;
	}
	if (rp_mime_check_address("from", from->text, err, sizeof(err)) ||
	    (rt && rt->text &&
	     rp_mime_check_address("reply_to", rt->text, err, sizeof(err))) ||
	    rp_mime_check_header_value("subject", subject->text, err, sizeof(err)) ||
	    (archive && archive->text &&
	     rp_mime_check_header_value("archive", archive->text, err, sizeof(err)))) {
		set_error(in, "%s", err);
		return RP_ERR_CONFIG;
	}
	if ((st = check_list(in, "to", 1)) || (st = check_list(in, "cc", 0)) ||
	    (st = check_list(in, "bcc", 0)))
		return st;
	if (body && body->text && !input_named(in, body->text)) {
		set_error(in, "body: '%s' is not among this sink's input formats; add it to input",
			  body->text);
		return RP_ERR_CONFIG;
	}
	for (size_t k = 0; at && k < at->list.count; k++)
		if (!input_named(in, at->list.items[k])) {
			set_error(in, "attach: '%s' is not among this sink's input formats; add it to input",
				  at->list.items[k]);
			return RP_ERR_CONFIG;
		}
	return RP_OK;
}

static rp_status expand(rp_instance *in, const char *key, const rp_dataset *ds,
			const rp_artifact *a, char **out)
{
	char err[256];
	rp_status st = rp_engine_expand(in, opt(in, key)->text, ds, a, out, err,
					sizeof(err));

	if (st)
		set_error(in, "%s: %s", key, err);
	return st;
}

static rp_status default_body(rp_instance *in, const rp_dataset *ds,
			      const char *const *names,
			      const rp_artifact *const *atts, size_t natt,
			      rp_buf *b)
{
	const rp_optval *archive = opt(in, "archive");
	char when[64] = "";
	struct tm tm;
	rp_status st;

	if (localtime_r(&ds->meta.generated_time, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M %Z", &tm);
	st = rp_buf_printf(b,
			   "IAM credential report\r\n\r\n"
			   "Pipeline:  %s\r\nAccount:   %s\r\nGenerated: %s\r\n",
			   in->eng->name, ds->meta.account_id, when);
	if (!st && natt)
		st = rp_buf_puts(b, "\r\nAttached:\r\n");
	for (size_t i = 0; i < natt && !st; i++)
		st = rp_buf_printf(b, "  - %s (%zu bytes)\r\n", names[i], atts[i]->buf.len);
	if (!st && archive && archive->text) {
		char *where = NULL;

		st = expand(in, "archive", ds, NULL, &where);
		if (!st)
			st = rp_buf_printf(b, "\r\nArchive:   %s\r\n", where);
		free(where);
	}
	return st;
}

static rp_status add_rcpts(rp_mail *m, const rp_optval *v)
{
	for (size_t i = 0; v && i < v->list.count; i++) {
		char **g = realloc(m->rcpt, (m->nrcpt + 1) * sizeof(*g));

		if (!g)
			return RP_ERR_NOMEM;
		m->rcpt = g;
		g[m->nrcpt] = addr_spec(v->list.items[i]);
		if (!g[m->nrcpt])
			return RP_ERR_NOMEM;
		m->nrcpt++;
	}
	return RP_OK;
}

void rp_mail_free(rp_mail *m)
{
	if (!m)
		return;
	rp_buf_free(&m->data);
	free(m->holes);
	rp_buf_free(&m->whole);
	free(m->sender);
	for (size_t i = 0; i < m->nrcpt; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	free(m);
}

rp_status rp_mail_compose(rp_instance *in, const rp_dataset *ds,
			  const rp_artifact *const *arts, size_t n, rp_mail **out)
{
	const rp_optval *body = opt(in, "body"), *rt = opt(in, "reply_to");
	const rp_optval *to = opt(in, "to"), *cc = opt(in, "cc"), *bcc = opt(in, "bcc");
	rp_mime_part *parts = calloc(n + 1, sizeof(*parts));
	char **names = calloc(n + 1, sizeof(*names));
	const rp_artifact **atts = calloc(n + 1, sizeof(*atts));
	char *subject = NULL, *domain, err[512];
	rp_buf text = {0}, html_text = {0};
	const char *html = NULL;
	size_t natt = 0;
	rp_mail *m = calloc(1, sizeof(*m));
	rp_status st = RP_OK;

	*out = NULL;
	if (!parts || !names || !atts || !m) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	st = expand(in, "subject", ds, NULL, &subject);
	if (st)
		goto out;
	if (rp_mime_check_header_value("subject", subject, err, sizeof(err))) {
		set_error(in, "%s (after expanding the template)", err);
		st = RP_ERR_CONFIG;
		goto out;
	}
	for (size_t i = 0; i < n && i < in->ninputs; i++) {
		const rp_artifact *a = arts[i];

		if (body && body->text && strcmp(a->name, body->text) == 0) {
			if (strncmp(a->media_type, "text/html", 9) == 0) {
				html = a->buf.data ? a->buf.data : "";
				st = rp_html_to_text(html, &html_text);
			} else {
				st = rp_buf_append(&text, a->buf.data ? a->buf.data : "",
						   a->buf.len);
			}
			if (st)
				goto out;
		}
		if (!attached(in, i))
			continue;
		st = expand(in, "attachment_name", ds, a, &names[natt]);
		if (st)
			goto out;
		if (rp_mime_check_header_value("attachment_name", names[natt], err,
					       sizeof(err))) {
			set_error(in, "%s", err);
			st = RP_ERR_CONFIG;
			goto out;
		}
		parts[natt] = (rp_mime_part){names[natt], a->media_type,
					     a->buf.data ? a->buf.data : "", a->buf.len};
		atts[natt] = a;
		for (size_t k = 0; k < natt; k++)
			if (strcmp(names[k], names[natt]) == 0) {
				set_error(in, "attachment_name: two attachments would both be called %s; put {format} in attachment_name",
					  names[k]);
				st = RP_ERR_CONFIG;
				goto out;
			}
		natt++;
	}
	if (html)
		text = html_text, html_text = (rp_buf){0};
	else if (!text.len)
		st = default_body(in, ds, (const char *const *)names, atts, natt, &text);
	if (st)
		goto out;
	m->sender = addr_spec(opt(in, "from")->text);
	if (!m->sender) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	domain = strchr(m->sender, '@');
	{
		rp_mime_message msg = {
			.from = opt(in, "from")->text,
			.to = to->list.items, .nto = to->list.count,
			.cc = cc ? cc->list.items : NULL, .ncc = cc ? cc->list.count : 0,
			.bcc = bcc ? bcc->list.items : NULL,
			.nbcc = bcc ? bcc->list.count : 0,
			.reply_to = rt ? rt->text : NULL,
			.subject = subject,
			.text = text.data ? text.data : "",
			.html = html,
			.attachments = parts, .nattachments = natt,
			.date = time(NULL),
			.message_id_domain = domain ? domain + 1 : NULL,
			.boundary_seed = getenv("RP_MIME_BOUNDARY_SEED"),
		};
		err[0] = '\0';
		st = rp_mime_build_holes(&msg, &m->data, &m->holes, &m->nholes,
					 err, sizeof(err));
		if (st) {
			set_error(in, "cannot compose the message: %s", err);
			goto out;
		}
		m->size = m->data.len;
		for (size_t i = 0; i < m->nholes; i++)
			m->size += rp_mime_b64_lines_len(m->holes[i].len);
	}
	if ((st = add_rcpts(m, to)) || (st = add_rcpts(m, cc)) ||
	    (st = add_rcpts(m, bcc)))
		goto out;
	*out = m;
	m = NULL;
out:
	rp_mail_free(m);
	for (size_t i = 0; names && i <= n; i++)
		free(names[i]);
	free(names);
	free(parts);
	free(atts);
	free(subject);
	rp_buf_free(&text);
	rp_buf_free(&html_text);
	return st;
}

size_t rp_mail_size(const rp_mail *m)
{
	return m->size;
}

int rp_mail_read(const rp_mail *m, size_t off, void *buf, size_t n)
{
	char *o = buf;
	size_t at = 0, hole_at = 0; /* in the message, and in m->data */

	if (off > m->size || n > m->size - off)
		return 1;
	/* Each hole: the text before it, then its lines. */
	for (size_t i = 0; i <= m->nholes && n; i++) {
		size_t text = (i < m->nholes ? m->holes[i].at : m->data.len) - hole_at;
		size_t lines = i < m->nholes ? rp_mime_b64_lines_len(m->holes[i].len) : 0;

		if (off < at + text) {
			size_t k = at + text - off < n ? at + text - off : n;

			memcpy(o, m->data.data + hole_at + (off - at), k);
			o += k;
			off += k;
			n -= k;
		}
		at += text;
		if (n && off < at + lines) {
			size_t k = at + lines - off < n ? at + lines - off : n;

			rp_mime_b64_lines(m->holes[i].data, m->holes[i].len,
					  off - at, o, k);
			o += k;
			off += k;
			n -= k;
		}
		at += lines;
		hole_at = i < m->nholes ? m->holes[i].at : hole_at;
	}
	return 0;
}

const char *rp_mail_data(const rp_mail *m, size_t *len)
{
	rp_mail *w = (rp_mail *)m; /* made once, on first use */

	*len = 0;
	if (!m->nholes) {
		*len = m->data.len;
		return m->data.data ? m->data.data : "";
	}
	if (!w->whole.data) {
		if (rp_buf_reserve(&w->whole, m->size))
			return NULL;
		rp_mail_read(m, 0, w->whole.data, m->size);
		w->whole.len = m->size;
		w->whole.data[m->size] = '\0';
	}
	*len = m->size;
	return w->whole.data;
}

const char *rp_mail_sender(const rp_mail *m)
{
	return m->sender;
}

size_t rp_mail_recipient_count(const rp_mail *m)
{
	return m->nrcpt;
}

const char *rp_mail_recipient(const rp_mail *m, size_t i)
{
	return i < m->nrcpt ? m->rcpt[i] : NULL;
}
