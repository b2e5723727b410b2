/* template.c - {placeholder} expansion in option values.
 *
 * {pipeline} {source} {account_id} {format} {ext} {date} {date:FMT}
 * {now:FMT}; "{{" and "}}" are literal braces.  One walker serves both
 * checking (ctx NULL) and expanding, so they cannot disagree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "util.h"

static const char *const names[] = {"pipeline", "source", "account_id",
				    "format", "ext", "date", "now"};

static const char *ctx_value(const rp_template_ctx *ctx, size_t i)
{
	switch (i) {
	case 0: return ctx->pipeline;
	case 1: return ctx->source;
	case 2: return ctx->account_id;
	case 3: return ctx->format;
	case 4: return ctx->ext;
	}
	return NULL;
}

static rp_status put_time(rp_buf *b, time_t t, const char *fmt, size_t fmtlen,
			  char *err, size_t errlen)
{
	char f[128], out[256];
	struct tm tm;
	size_t n;

	if (fmtlen >= sizeof(f)) {
		snprintf(err, errlen, "date format '%.*s' is too long",
			 (int)fmtlen, fmt);
		return RP_ERR_CONFIG;
	}
	memcpy(f, fmt, fmtlen);
	f[fmtlen] = '\0';
	if (!localtime_r(&t, &tm)) {
		snprintf(err, errlen, "cannot convert time %lld", (long long)t);
		return RP_ERR_INVALID;
	}
	/* The format is the user's own, from the pipeline file. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(out, sizeof(out), f, &tm);
#pragma GCC diagnostic pop
	if (n == 0) {
		snprintf(err, errlen, "date format '%s' gives an empty result", f);
		return RP_ERR_CONFIG;
	}
	return rp_buf_append(b, out, n);
}

static rp_status walk(const char *t, const rp_template_ctx *ctx, rp_buf *b,
		      char *err, size_t errlen)
{
	rp_status st = RP_OK;

	while (*t && !st) {
		const char *close, *colon;
		size_t n, i;

		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			if (b)
				st = rp_buf_append(b, t, 1);
			t += 2;
			continue;
		}
		if (*t == '}') {
			snprintf(err, errlen,
				 "unmatched '}' (write '}}' for a literal brace)");
			return RP_ERR_CONFIG;
		}
		if (*t != '{') {
			n = strcspn(t, "{}");
			if (b)
				st = rp_buf_append(b, t, n);
			t += n;
			continue;
		}
		close = strchr(t + 1, '}');
		if (!close) {
			snprintf(err, errlen,
				 "'{' without a closing '}' (write '{{' for a literal brace)");
			return RP_ERR_CONFIG;
		}
		colon = memchr(t + 1, ':', (size_t)(close - t - 1));
		n = (size_t)((colon ? colon : close) - (t + 1));
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n && strncmp(t + 1, names[i], n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]) || (colon && i < 5) ||
		    (!colon && i == 6)) {
			snprintf(err, errlen,
				 "unknown placeholder '%.*s'; use {pipeline}, {source}, {account_id}, {format}, {ext}, {date}, {date:FORMAT} or {now:FORMAT}",
				 (int)(close - t + 1), t);
			return RP_ERR_CONFIG;
		}
		if (colon && close == colon + 1) {
			snprintf(err, errlen, "'%.*s' has an empty date format",
				 (int)(close - t + 1), t);
			return RP_ERR_CONFIG;
		}
		if (b) {
			if (i < 5) {
				const char *v = ctx_value(ctx, i);
				st = rp_buf_puts(b, v ? v : "");
			} else if (i == 5 && !colon) {
				st = put_time(b, ctx->date, "%Y-%m-%d", 8, err, errlen);
			} else {
				st = put_time(b, i == 5 ? ctx->date : ctx->now,
					      colon + 1, (size_t)(close - colon - 1),
					      err, errlen);
			}
		}
		t = close + 1;
	}
	return st;
}

rp_status rp_template_check(const char *tmpl, char *err, size_t errlen)
{
	return walk(tmpl, NULL, NULL, err, errlen);
}

rp_status rp_template_expand(const char *tmpl, const rp_template_ctx *ctx,
			     char **out, char *err, size_t errlen)
{
	rp_buf b = {0};
	rp_status st;

	*out = NULL;
	st = walk(tmpl, ctx, &b, err, errlen);
	if (st) {
		rp_buf_free(&b);
		return st;
	}
	*out = rp_buf_steal(&b);
	return *out ? RP_OK : RP_ERR_NOMEM;
}
