/* test_template.c - {placeholder} expansion and checking. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "template.h"

static char *x(const char *tmpl, const rp_template_ctx *ctx, char *err,
	       size_t errlen)
{
	char *out = NULL;

	err[0] = '\0';
	if (rp_template_expand(tmpl, ctx, &out, err, errlen))
		return NULL;
	return out;
}

static void expands(const char *tmpl, const rp_template_ctx *ctx,
		    const char *want)
{
	char err[256], *got = x(tmpl, ctx, err, sizeof(err));

	is_str(got, want, "%s", tmpl);
	if (!got)
		diag("error: %s", err);
	free(got);
}

static void refuses(const char *tmpl, const char *needle)
{
	char err[256] = "";
	rp_status st = rp_template_check(tmpl, err, sizeof(err));

	ok(st == RP_ERR_CONFIG, "'%s' is refused", tmpl);
	like(err, needle, "  with a message naming '%s'", needle);
}

int main(void)
{
	/* 2026-11-30T20:30:00Z: already 12-01 in Tokyo. */
	rp_template_ctx ctx = {
		.pipeline = "weekly", .source = "iam", .account_id = "123456789012",
		.format = "html", .ext = "html", .date = 1796070600, .now = 1796074200,
	};

	setenv("TZ", "UTC", 1);
	tzset();
	expands("plain/path.csv", &ctx, "plain/path.csv");
	expands("{pipeline}/{source}/{account_id}.{format}.{ext}", &ctx,
		"weekly/iam/123456789012.html.html");
	expands("{date}", &ctx, "2026-11-30");
	expands("out/{date:%Y%m%d}_{account_id}.{ext}", &ctx,
		"out/20261130_123456789012.html");
	expands("{now:%H%M}", &ctx, "2130");
	expands("{{literal}} and }}", &ctx, "{literal} and }");
	expands("", &ctx, "");
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	expands("{date}", &ctx, "2026-12-01");
	expands("{date:%Y-%m-%dT%H:%M%z}", &ctx, "2026-12-01T05:30+0900");
	setenv("TZ", "UTC", 1);
	tzset();

	refuses("{dat}", "unknown placeholder '{dat}'");
	refuses("{now}", "unknown placeholder '{now}'");
	refuses("{account_id:%Y}", "unknown placeholder");
	refuses("{date:}", "empty date format");
	refuses("out/{date", "'{' without a closing '}'");
	refuses("out}", "unmatched '}'");
	ok(rp_template_check("{date:%Y}/{source}_{{x}}", (char[64]){0}, 64) == RP_OK,
	   "a valid template passes the check");
	{
		char err[128];
		char *got = x("{date:%Y%m%d}{ext}", &ctx, err, sizeof(err));
		ok(got && strcmp(got, "20261130html") == 0, "adjacent placeholders");
		free(got);
	}
	return done_testing();
}
