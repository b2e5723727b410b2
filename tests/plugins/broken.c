/* broken.c - test modules with one defect each, chosen at build time:
 * another ABI major, a newer minor, a descriptor smaller than the minimum,
 * or a name another plugin already has.  The loader must refuse each. */
#include <reportpipe/plugin.h>

__attribute__((unused)) static rp_status broken_deliver(rp_instance *self, const rp_host *host,
				const rp_dataset *ds,
				const rp_artifact *const *arts, size_t n)
{
	(void)self; (void)host; (void)ds; (void)arts; (void)n;
	return RP_OK;
}

__attribute__((unused)) static rp_status broken_render(rp_instance *self, const rp_host *host,
			       const rp_dataset *ds, rp_artifact *out)
{
	(void)self; (void)host; (void)ds; (void)out;
	return RP_OK;
}

#if defined(BROKEN_TINY)
/* What an old or foreign header might have produced: just the versions. */
RP_PLUGIN_EXPORT const struct {
	uint32_t abi_major, abi_minor, struct_size;
} reportpipe_plugin = {RP_ABI_MAJOR, RP_ABI_MINOR, 12};
#else
RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
#if defined(BROKEN_ABI_MAJOR)
	.abi_major = RP_ABI_MAJOR + 1,
#else
	.abi_major = RP_ABI_MAJOR,
#endif
#if defined(BROKEN_ABI_MINOR)
	.abi_minor = RP_ABI_MINOR + 7,
#else
	.abi_minor = RP_ABI_MINOR,
#endif
	.struct_size = sizeof(rp_plugin),
#if defined(BROKEN_DUPNAME)
	.kind = RP_KIND_FORMATTER,
	.name = "csv",
	.media_type = "text/csv",
	.extension = "csv",
	.render = broken_render,
#else
	.kind = RP_KIND_SINK,
	.name = "broken",
	.deliver = broken_deliver,
#endif
	.description = "a deliberately broken test plugin",
};
#endif
