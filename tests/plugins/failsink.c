/* failsink.c - a test sink whose behaviour the test scripts: it fails
 * (with a sentence) until accept_file exists, then "delivers" by appending
 * a line to that file; it can also take its time (to hold the lock) or
 * die mid-delivery (to show the spool survives a crash). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <reportpipe/plugin.h>

static const rp_option options[] = {
	{.key = "reason", .type = RP_OPT_STRING, .default_value = "the test said so",
	 .description = "the error sentence"},
	{.key = "accept_file", .type = RP_OPT_PATH,
	 .description = "once this file exists, deliveries succeed and are appended to it"},
	{.key = "crash", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "end the process abruptly inside deliver"},
	{.key = "sleep", .type = RP_OPT_DURATION, .default_value = "0",
	 .description = "wait this long in deliver"},
	{0}
};

static rp_status failsink_deliver(rp_instance *self, const rp_host *host,
				  const rp_dataset *ds,
				  const rp_artifact *const *arts, size_t n)
{
	const char *accept = host->opt_string(self, "accept_file");
	int64_t ms = host->opt_int(self, "sleep");
	FILE *f;

	if (ms > 0) {
		struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (host->opt_bool(self, "crash"))
		_exit(70);
	if (accept && (f = fopen(accept, "r+")) != NULL) {
		fseek(f, 0, SEEK_END);
		for (size_t i = 0; i < n; i++) {
			size_t len;

			host->artifact_data(arts[i], &len);
			fprintf(f, "%s %s %s %zu\n", host->ds_meta(ds)->source,
				host->ds_meta(ds)->account_id,
				host->artifact_format(arts[i]), len);
		}
		fclose(f);
		return RP_OK;
	}
	host->set_error(self, "refused: %s", host->opt_string(self, "reason"));
	return RP_ERR_REMOTE;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	/* Declared 1.0 on purpose, the minor it needs: a plugin built for an
	 * older minor must keep loading and working. */
	.abi_minor = 0,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "failsink",
	.description = "a test sink that fails until told otherwise",
	.options = options,
	.deliver = failsink_deliver,
};
