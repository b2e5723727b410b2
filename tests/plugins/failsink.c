/* failsink.c - a test sink that always fails, with a sentence, so tests
 * can show that one failing sink does not stop the others. */
#include <reportpipe/plugin.h>

static const rp_option options[] = {
	{.key = "reason", .type = RP_OPT_STRING, .default_value = "the test said so",
	 .description = "the error sentence"},
	{0}
};

static rp_status failsink_deliver(rp_instance *self, const rp_host *host,
				  const rp_dataset *ds,
				  const rp_artifact *const *arts, size_t n)
{
	(void)ds; (void)arts; (void)n;
	host->set_error(self, "refused: %s", host->opt_string(self, "reason"));
	return RP_ERR_REMOTE;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "failsink",
	.description = "a test sink that always fails",
	.options = options,
	.deliver = failsink_deliver,
};
