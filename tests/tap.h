/* tap.h - a tiny Test Anything Protocol helper for reportpipe's unit tests.
 *
 * Each test program calls plan(N) (or done_testing() at the end), then ok(),
 * is_int(), is_str() as often as it likes.  The automake TAP driver reads
 * the output; the exit status is 0 only when every test passed. */
#ifndef RP_TAP_H
#define RP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((unused)) static int tap_run, tap_failed, tap_planned = -1;

static inline void plan(int n) { tap_planned = n; printf("1..%d\n", n); }

__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

__attribute__((format(printf, 2, 0)))
static inline int ok_v(int cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ok_v(cond, fmt, ap);
	va_end(ap);
	return cond;
}

__attribute__((format(printf, 3, 4)))
static inline int is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ok_v(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		diag("  got: %lld, expected: %lld", got, want);
	return got == want;
}

__attribute__((format(printf, 3, 4)))
static inline int is_str(const char *got, const char *want, const char *fmt, ...)
{
	int same = (got == NULL && want == NULL) ||
		   (got && want && strcmp(got, want) == 0);
	va_list ap;
	va_start(ap, fmt);
	ok_v(same, fmt, ap);
	va_end(ap);
	if (!same)
		diag("  got: '%s', expected: '%s'", got ? got : "(null)",
		     want ? want : "(null)");
	return same;
}

/* Substring check: error messages must name the file, line, key... */
__attribute__((format(printf, 3, 4)))
static inline int like(const char *got, const char *needle, const char *fmt, ...)
{
	int found = got && needle && strstr(got, needle) != NULL;
	va_list ap;
	va_start(ap, fmt);
	ok_v(found, fmt, ap);
	va_end(ap);
	if (!found)
		diag("  '%s' does not contain '%s'", got ? got : "(null)",
		     needle ? needle : "(null)");
	return found;
}

static inline void skip_all(const char *why) { printf("1..0 # SKIP %s\n", why); }

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		diag("planned %d tests but ran %d", tap_planned, tap_run);
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
