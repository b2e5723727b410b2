/* fuzz_xml.c - reading AWS answers: rp_xml_text at the paths the engine
 * and the plugins ask for, rp_xml_fields at all of them in one pass,
 * rp_xml_stream over the same bytes in three pieces, and
 * rp_aws_parse_error on the same bytes as an error body (which also takes
 * the JSON branch when the input starts with '{').
 *
 * Checked beyond memory errors: a refusal says where and leaves nothing
 * to free, one pass over many paths (whole or in pieces) finds what
 * each path alone finds, and the error fields are never empty where
 * promised and hold no control characters (they go into logs and
 * terminals). */
#include "config.h"

#include <string.h>

#include "aws.h"
#include "fuzz.h"
#include "util.h"
#include "xml.h"

/* The paths asked in core/aws.c and plugins/ (IAM, STS, S3, SES). */
static const char *const p_code[] = {"Error", "Code"};
static const char *const p_rid[] = {"RequestId"};
static const char *const p_key[] = {"Credentials", "AccessKeyId"};
static const char *const p_report[] = {"GetCredentialReportResult", "Content"};
static const char *const p_state[] = {"GenerateCredentialReportResult", "State"};
static const char *const p_deep[] = {"a", "b", "c", "d", "e", "f", "g"};

static const struct {
	const char *const *path;
	size_t n;
} paths[] = {
	{p_code, 2}, {p_rid, 1}, {p_key, 2}, {p_report, 2}, {p_state, 2},
	{p_deep, 7},
};

static int clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void check_error_body(const char *text, size_t size)
{
	static char type_name[] = "x-amzn-errortype";
	static char type_value[] = "ThrottlingException:http://internal/";
	char *headers[] = {type_name, type_value};
	rp_http_response resp = {.status = 400};
	rp_aws_error e;

	FUZZ_CHECK(rp_buf_append(&resp.body, text, size) == RP_OK);
	/* Without headers, then with the header the JSON protocols send. */
	for (int with = 0; with < 2; with++) {
		memset(&e, 0, sizeof(e));
		resp.headers = with ? headers : NULL;
		resp.nheaders = with ? 1 : 0;
		rp_aws_parse_error(&resp, &e);
		FUZZ_CHECK(e.status == 400);
		FUZZ_CHECK(e.code[0] != '\0');
		FUZZ_CHECK(clean(e.code, sizeof(e.code)));
		FUZZ_CHECK(clean(e.message, sizeof(e.message)));
		FUZZ_CHECK(clean(e.request_id, sizeof(e.request_id)));
	}
	rp_buf_free(&resp.body);
}

#define NPATHS (sizeof(paths) / sizeof(paths[0]))

int rp_fuzz_xml(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char *one[NPATHS], *all[NPATHS], err[256] = "";
	rp_xml_field f[NPATHS];
	int refused = 0;
	rp_status st;

	for (size_t i = 0; i < NPATHS; i++) {
		one[i] = err;
		st = rp_xml_text(text, size, paths[i].path, paths[i].n, &one[i],
				 err, sizeof(err));
		FUZZ_CHECK(st == RP_OK || st == RP_ERR_PARSE);
		if (st == RP_ERR_PARSE) {
			FUZZ_CHECK(one[i] == NULL);
			FUZZ_CHECK(strncmp(err, "malformed XML at line ", 22) == 0);
			refused = 1;
		}
	}
	for (size_t i = 0; i < NPATHS; i++) {
		all[i] = err;
		f[i] = (rp_xml_field){paths[i].path, paths[i].n, &all[i]};
	}
	st = rp_xml_fields(text, size, f, NPATHS, err, sizeof(err));
	FUZZ_CHECK(st == (refused ? RP_ERR_PARSE : RP_OK));
	for (size_t i = 0; i < NPATHS; i++) {
		FUZZ_CHECK((one[i] == NULL) == (all[i] == NULL));
		FUZZ_CHECK(!one[i] || strcmp(one[i], all[i]) == 0);
		free(all[i]);
	}
	/* As an answer arrives: in three pieces, at places the input picks;
	 * the same result. */
	{
		rp_xml_stream *x;
		size_t a = size ? data[0] % (size + 1) : 0, b = size ? data[size - 1] % (size + 1) : 0;

		if (a > b) {
			size_t t = a;

			a = b;
			b = t;
		}
		for (size_t i = 0; i < NPATHS; i++)
			f[i] = (rp_xml_field){paths[i].path, paths[i].n, &all[i]};
		FUZZ_CHECK(rp_xml_stream_new(f, NPATHS, &x) == RP_OK);
		rp_xml_stream_feed(x, text, a);
		rp_xml_stream_feed(x, text + a, b - a);
		rp_xml_stream_feed(x, text + b, size - b);
		st = rp_xml_stream_finish(x, err, sizeof(err));
		FUZZ_CHECK(st == (refused ? RP_ERR_PARSE : RP_OK));
		for (size_t i = 0; i < NPATHS; i++) {
			FUZZ_CHECK((one[i] == NULL) == (all[i] == NULL));
			FUZZ_CHECK(!one[i] || strcmp(one[i], all[i]) == 0);
			free(one[i]);
			free(all[i]);
		}
		rp_xml_stream_free(x);
	}
	check_error_body(text, size);
	return refused ? RP_FUZZ_REFUSED : RP_FUZZ_ACCEPTED;
}

#ifndef RP_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_fuzz_xml(data, size);
	return 0;
}
#endif
