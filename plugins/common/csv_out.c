/* csv_out.c - writing CSV cells into an artifact (see csv_out.h). */
#include <string.h>

#include "csv_out.h"

/* 1: the cell must be quoted; 2: and it holds a quote to double. */
static const unsigned char special[256] = {
	[','] = 1, ['\r'] = 1, ['\n'] = 1, ['"'] = 3};

static int formula_like(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	       s[0] == '\t' || s[0] == '\r';
}

void csv_out_init(csv_out *w, const rp_host *host, rp_artifact *out,
		  int excel)
{
	w->host = host;
	w->out = out;
	w->excel = excel;
	w->st = RP_OK;
	w->len = 0;
}

static void flush(csv_out *w)
{
	if (!w->st && w->len)
		w->st = w->host->artifact_append(w->out, w->buf, w->len);
	w->len = 0;
}

void csv_out_raw(csv_out *w, const void *data, size_t len)
{
	if (w->st)
		return;
	if (len > sizeof(w->buf) - w->len) {
		flush(w);
		if (!w->st && len > sizeof(w->buf)) {
			w->st = w->host->artifact_append(w->out, data, len);
			return;
		}
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

/* The quoted form of s (n bytes) at o; returns its end. */
static char *quoted(char *o, const char *s, size_t n, unsigned sp, int inert)
{
	*o++ = '"';
	if (inert)
		*o++ = '\'';
	if (sp & 2) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"')
				*o++ = '"';
			*o++ = s[i];
		}
	} else {
		memcpy(o, s, n);
		o += n;
	}
	*o++ = '"';
	return o;
}

void csv_out_cell(csv_out *w, const char *s, int first)
{
	const unsigned char *u = (const unsigned char *)s;
	int inert = w->excel && formula_like(s);
	unsigned sp = 0;
	size_t n = 0, worst;
	char *o;

	if (w->st)
		return;
	for (; u[n]; n++)
		sp |= special[u[n]];
	if (!sp && !inert) {
		if (!first)
			csv_out_raw(w, ",", 1);
		csv_out_raw(w, s, n);
		return;
	}
	/* a comma, two quotes, the inert quote and every byte doubled */
	worst = n > (sizeof(w->buf) - 4) / 2 ? sizeof(w->buf) + 1 : 2 * n + 4;
	if (worst > sizeof(w->buf) - w->len)
		flush(w);
	if (w->st)
		return;
	if (worst > sizeof(w->buf)) {
		/* A cell too big for the buffer, written in pieces. */
		if (!first)
			csv_out_raw(w, ",", 1);
		csv_out_raw(w, inert ? "\"'" : "\"", inert ? 2 : 1);
		while (n) {
			const char *q = memchr(s, '"', n);
			size_t k = q ? (size_t)(q - s) + 1 : n;

			csv_out_raw(w, s, k);
			if (q)
				csv_out_raw(w, "\"", 1);
			s += k;
			n -= k;
		}
		csv_out_raw(w, "\"", 1);
		return;
	}
	o = w->buf + w->len;
	if (!first)
		*o++ = ',';
	o = quoted(o, s, n, sp, inert);
	w->len = (size_t)(o - w->buf);
}

void csv_out_eol(csv_out *w)
{
	csv_out_raw(w, w->excel ? "\r\n" : "\n", w->excel ? 2 : 1);
}

rp_status csv_out_finish(csv_out *w)
{
	flush(w);
	return w->st;
}
