/* test_register.c - the register library's own formatting of times
 * (plugins/common): what it counts by hand must be what the C library
 * gives, for every day the fast paths cover and at their edges. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "register.h"
#include "register_changes.h"
#include "tap.h"

static size_t libc_iso8601(char *buf, size_t n, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return 0;
	return strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Every third day from 1970 to 9999 at a varying time of day, and the
 * edges of the range counted by hand. */
static void iso8601_like_libc(void)
{
	static const long long edges[] = {
		0, 1, 59, 60, 86399, 86400, 951782400 /* 2000-02-29 */,
		4107456000LL /* 2100-02-28 */, 4107542400LL /* 2100-03-01 */,
		253402300799LL, 253402300800LL, -1, -86400, -62135596800LL,
	};
	char got[32], want[32];
	long bad = 0, n = 0;

	for (long long day = 0; day <= 2932896; day += 3) {
		time_t t = (time_t)(day * 86400 + (day * 7919) % 86400);
		size_t gl = reg_format_iso8601(got, sizeof(got), t);
		size_t wl = libc_iso8601(want, sizeof(want), t);

		n++;
		if (gl != wl || strcmp(got, want) != 0) {
			if (bad++ < 5)
				diag("%lld: got %s, want %s", (long long)t, got, want);
		}
	}
	is_int(bad, 0, "reg_format_iso8601 agrees with gmtime_r and strftime on %ld days", n);
	bad = 0;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		size_t gl = reg_format_iso8601(got, sizeof(got), (time_t)edges[i]);
		size_t wl = libc_iso8601(want, sizeof(want), (time_t)edges[i]);

		if (gl != wl || strcmp(got, want) != 0) {
			bad++;
			diag("%lld: got %s, want %s", edges[i], got, want);
		}
	}
	is_int(bad, 0, "and at the edges of the range it counts itself");
	is_int((long long)reg_format_iso8601(got, 8, 0), 0,
	       "a buffer too small gives 0");
}

int main(void)
{
	iso8601_like_libc();
	return done_testing();
}
