/* test_util.c - path joining (what `check` shows) and the edit distance
 * behind every "did you mean". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"

static void joins(const char *dir, const char *rel, const char *want)
{
	char *got = rp_path_join(dir, rel);

	is_str(got, want, "%s + %s", dir, rel);
	free(got);
}

/* rp_read_file_lead: a regular file is read at its size, anything else
 * in chunks; either way the bytes sit after `lead` spare ones, with a NUL
 * after them. */
static void read_file_lead(void)
{
	char dir[] = "/tmp/rp-util-XXXXXX", path[64], fifo[64], *data = NULL;
	size_t len = 0, big = 200000, bad = 0;
	char *want = malloc(big);
	FILE *f;
	pid_t pid;
	int status;

	if (!want || !mkdtemp(dir))
		abort();
	for (size_t i = 0; i < big; i++)
		want[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	if (!f || fwrite(want, 1, big, f) != big || fclose(f))
		abort();
	ok(rp_read_file_lead(path, 1, &data, &len) == RP_OK && len == big &&
	   memcmp(data + 1, want, big) == 0 && data[1 + big] == '\0',
	   "rp_read_file_lead: a regular file after one spare byte, NUL-terminated");
	free(data);
	ok(rp_read_file_lead(path, 65, &data, &len) == RP_ERR_INVALID && !data,
	   "rp_read_file_lead: more than 64 spare bytes are refused");

	/* A FIFO has no size: 200,000 bytes come in chunks. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	for (size_t lead = 0; lead <= 1; lead++) {
		if (mkfifo(fifo, 0600))
			abort();
		pid = fork();
		if (pid == 0) {
			int failed;

			f = fopen(fifo, "w");
			failed = !f || fwrite(want, 1, big, f) != big || fclose(f);
			free(want);
			_exit(failed);
		}
		data = NULL;
		if (rp_read_file_lead(fifo, lead, &data, &len) != RP_OK || len != big ||
		    memcmp(data + lead, want, big) != 0 || data[lead + big] != '\0')
			bad++;
		free(data);
		waitpid(pid, &status, 0);
		unlink(fifo);
	}
	is_int((long long)bad, 0,
	       "rp_read_file_lead: a FIFO read in chunks, with and without a spare byte");
	unlink(path);
	rmdir(dir);
	free(want);
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
	read_file_lead();
	return done_testing();
}
