/* test_loader.c - the plugin loader: the built-in plugins load, and each
 * deliberately broken module is refused with its file named. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "tap.h"

static char tmp[256];

/* A directory holding just one test module (a symlink to it). */
static const char *dir_with(const char *module)
{
	static char dir[512];
	char link[600], target[600];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, module);
	mkdir(dir, 0700);
	snprintf(link, sizeof(link), "%s/%s.so", dir, module);
	snprintf(target, sizeof(target), "%s/%s.so", getenv("RP_TEST_PLUGINS"), module);
	unlink(link);
	if (symlink(target, link) != 0)
		perror(link);
	return dir;
}

static void refused(const char *module, const char *needle)
{
	const char *dirs[1] = {dir_with(module)};
	rp_registry reg;
	char err[1024] = "";

	ok(rp_registry_load(&reg, dirs, 1, err, sizeof(err)) == RP_ERR_ABI,
	   "%s.so is refused", module);
	like(err, needle, "  because: %s", needle);
	like(err, module, "  and the message names the file");
	rp_registry_free(&reg);
}

int main(void)
{
	const char *builddir = getenv("top_builddir");
	char builtin[512], err[1024] = "";
	const char *dirs[2];
	const rp_loaded_plugin *lp;
	rp_registry reg;
	size_t nbuiltin;

	if (!builddir || !getenv("RP_TEST_PLUGINS")) {
		skip_all("run through make check (needs top_builddir and RP_TEST_PLUGINS)");
		return 0;
	}
	snprintf(builtin, sizeof(builtin), "%s/plugins/.libs", builddir);
	snprintf(tmp, sizeof(tmp), "%s/rp-loader-%d",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	mkdir(tmp, 0700);

	dirs[0] = builtin;
	dirs[1] = "/nonexistent/reportpipe/plugins";
	ok(rp_registry_load(&reg, dirs, 2, err, sizeof(err)) == RP_OK,
	   "the built-in plugins load; a missing directory is skipped (%s)", err);
	nbuiltin = reg.n;
	ok(nbuiltin >= 5 && rp_registry_find(&reg, "csv_file") &&
	   rp_registry_find(&reg, "iam_credential_report") &&
	   rp_registry_find(&reg, "ses"), "the built-in plugins are all there (%zu)", nbuiltin);
	lp = rp_registry_find(&reg, "file");
	ok(lp && lp->desc.kind == RP_KIND_SINK && lp->desc.deliver,
	   "'file' is a sink with a deliver callback");
	lp = rp_registry_find(&reg, "csv");
	ok(lp && lp->desc.kind == RP_KIND_FORMATTER &&
	   strcmp(lp->desc.extension, "csv") == 0, "'csv' is a formatter of .csv");
	ok(rp_registry_find(&reg, "nosuch") == NULL, "an unknown name is not found");
	is_str(rp_registry_suggest(&reg, "fil"), "file", "suggests 'file' for 'fil'");
	ok(rp_registry_suggest(&reg, "zzzzzz") == NULL, "no suggestion for nonsense");
	rp_registry_free(&reg);

	refused("nodesc", "exports no 'reportpipe_plugin' descriptor");
	refused("abi_major", "built for plugin ABI 2.3, but this reportpipe speaks ABI 1.x");
	refused("abi_minor", "built for plugin ABI 1.10, newer than this reportpipe's 1.3");
	refused("tiny", "its descriptor is 12 bytes, smaller than");

	dirs[0] = builtin;
	dirs[1] = dir_with("dupname");
	ok(rp_registry_load(&reg, dirs, 2, err, sizeof(err)) == RP_ERR_ABI,
	   "a second plugin named 'csv' is refused");
	like(err, "a second plugin named 'csv' (the first is ", "  naming the name");
	like(err, "plugins/.libs/csv.so", "  and the first file");
	rp_registry_free(&reg);

	dirs[0] = dir_with("failsink");
	dirs[1] = builtin;
	ok(rp_registry_load(&reg, dirs, 2, err, sizeof(err)) == RP_OK &&
	   reg.n == nbuiltin + 1 && rp_registry_find(&reg, "failsink"),
	   "an extra directory adds its plugins to the built-in ones");
	rp_registry_free(&reg);

	dirs[0] = builtin;
	dirs[1] = builtin;
	ok(rp_registry_load(&reg, dirs, 2, err, sizeof(err)) == RP_OK && reg.n == nbuiltin,
	   "the same directory twice is searched once");
	rp_registry_free(&reg);
	return done_testing();
}
