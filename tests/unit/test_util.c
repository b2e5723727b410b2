/* test_util.c - path joining (what `check` shows) and the edit distance
 * behind every "did you mean". */
#include "config.h"

#include <stdlib.h>

#include "tap.h"
#include "util.h"

static void joins(const char *dir, const char *rel, const char *want)
{
	char *got = rp_path_join(dir, rel);

	is_str(got, want, "%s + %s", dir, rel);
	free(got);
}

int main(void)
{
	rp_buf b = {0};
	char *s;

	joins("/srv/etc", "sample.csv", "/srv/etc/sample.csv");
	joins("/srv/etc", "./sample.csv", "/srv/etc/sample.csv");
	joins("/srv/etc", "../out/{date}.csv", "/srv/out/{date}.csv");
	joins("/srv/etc/", "../../x", "/x");
	joins("/", "../x", "/x");
	joins("/srv/etc", "/abs/path", "/abs/path");
	joins("/srv/etc", "..", "/srv");
	joins("/srv/etc", "out/{date:%Y/%m}/../x", "/srv/etc/out/{date:%Y/%m}/../x");

	is_int((long long)rp_edit_distance("path", "path"), 0, "same word: 0");
	is_int((long long)rp_edit_distance("paht", "path"), 1, "a swapped pair costs 1");
	is_int((long long)rp_edit_distance("plugn", "plugin"), 1, "a dropped letter costs 1");
	is_int((long long)rp_edit_distance("format", "formatter"), 3, "three insertions");
	is_int((long long)rp_edit_distance("", "abc"), 3, "from empty");

	ok(rp_buf_printf(&b, "%s-%d", "a", 1) == RP_OK && rp_buf_puts(&b, "/z") == RP_OK,
	   "buffer appends");
	s = rp_buf_steal(&b);
	is_str(s, "a-1/z", "and hands over its text");
	ok(b.data == NULL && b.len == 0, "leaving the buffer empty");
	free(s);
	return done_testing();
}
