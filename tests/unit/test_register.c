/* test_register.c - the register library's own formatting of times
 * (plugins/common): what it counts by hand, or remembers, must be what the
 * C library gives, for every day the fast paths cover and at their edges. */
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

/* reg_format_local_date against reg_format_date (localtime_r) in zones
 * with DST, half- and quarter-hour offsets, the date line and leap
 * seconds, before 1970 and after, in both languages. */
static void local_date_like_localtime(void)
{
	static const char *const zones[] = {
		"UTC", "Asia/Tokyo", "America/New_York", "Europe/London",
		"Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham",
		"Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Apia",
		"America/Sao_Paulo", "Africa/Casablanca", "right/Europe/Berlin",
	};
	reg_date_cache *c = malloc(sizeof(*c));
	char got[64], want[64];
	unsigned long long rng = 88172645463325252ULL;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		long bad = 0, n = 0;

		setenv("TZ", zones[z], 1);
		tzset();
		memset(c, 0, sizeof(*c));
		/* Every 11 hours and a bit from 1965 to 2045, then at random. */
		for (long long t = -157766400LL; t < 2366841600LL; t += 40009, n++) {
			reg_lang lang = (reg_lang)(n & 1);
			size_t gl = reg_format_local_date(c, got, sizeof(got), (time_t)t, lang);
			size_t wl = reg_format_date(want, sizeof(want), (time_t)t, lang, 0);

			if (gl != wl || strcmp(got, want) != 0) {
				if (bad++ < 3)
					diag("%s %lld: got %s, want %s", zones[z], t, got, want);
			}
		}
		for (int i = 0; i < 20000; i++, n++) {
			time_t t;
			reg_lang lang = (reg_lang)(i & 1);

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			t = (time_t)(rng % 2524608000ULL);   /* 1970 to 2050 */
			if (reg_format_local_date(c, got, sizeof(got), t, lang) !=
			    reg_format_date(want, sizeof(want), t, lang, 0) ||
			    strcmp(got, want) != 0) {
				if (bad++ < 3)
					diag("%s %lld: got %s, want %s", zones[z],
					     (long long)t, got, want);
			}
		}
		is_int(bad, 0, "reg_format_local_date agrees with localtime_r in %s (%ld dates)",
		       zones[z], n);
	}
	reg_format_local_date(c, got, 8, 1700000000, REG_LANG_EN);
	reg_format_date(want, 8, 1700000000, REG_LANG_EN, 0);
	is_str(got, want, "and cuts a short buffer as snprintf does");
	free(c);
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	iso8601_like_libc();
	local_date_like_localtime();
	return done_testing();
}
