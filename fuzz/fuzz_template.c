/* fuzz_template.c - {placeholder} templates: rp_template_check, then
 * rp_template_expand with a fixed context.
 *
 * The two share one walker, so they must agree: a template the check
 * refuses does not expand, and one it accepts expands unless a date
 * format is unusable (too long, or strftime gives nothing), which only
 * expanding can tell.  The input stops at its first NUL, as an option
 * value does. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "template.h"

int rp_fuzz_template(const uint8_t *data, size_t size)
{
	/* Fixed times and UTC: the same input always does the same. */
	static const rp_template_ctx ctx = {
		.pipeline = "weekly", .source = "iam", .account_id = "123456789012",
		.format = "csv", .ext = "csv", .date = 1767225600, .now = 1767229200,
	};
	static int pinned;
	char *tmpl, *out = NULL, err[512] = "";
	rp_status checked, expanded;

	/* Dates use the local time zone. */
	if (!pinned) {
		setenv("TZ", "UTC", 1);
		tzset();
		pinned = 1;
	}
	tmpl = malloc(size + 1);
	FUZZ_CHECK(tmpl != NULL);
	memcpy(tmpl, data, size);
	tmpl[size] = '\0';

	checked = rp_template_check(tmpl, err, sizeof(err));
	FUZZ_CHECK(checked == RP_OK || checked == RP_ERR_CONFIG);
	FUZZ_CHECK(checked == RP_OK || err[0] != '\0');

	err[0] = '\0';
	expanded = rp_template_expand(tmpl, &ctx, &out, err, sizeof(err));
	if (checked != RP_OK)
		FUZZ_CHECK(expanded == checked);
	if (expanded == RP_OK) {
		FUZZ_CHECK(out != NULL);
	} else {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strstr(err, "date format") != NULL || checked != RP_OK);
	}
	free(out);
	free(tmpl);
	return expanded == RP_OK ? RP_FUZZ_ACCEPTED : RP_FUZZ_REFUSED;
}

#ifndef RP_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_fuzz_template(data, size);
	return 0;
}
#endif
