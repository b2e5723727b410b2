/* loader.h - finds plugin modules in the search directories, opens them
 * with libltdl and checks their descriptors before anything runs. */
#ifndef RP_LOADER_H
#define RP_LOADER_H

#include <ltdl.h>

#include "reportpipe/plugin.h"

typedef struct rp_loaded_plugin {
	rp_plugin desc;      /* the module's descriptor, zero-extended */
	char *file;          /* the module's path */
	lt_dlhandle handle;
} rp_loaded_plugin;

typedef struct rp_registry {
	rp_loaded_plugin *p;
	size_t n;
	char **dirs;         /* searched, in order (for messages) */
	size_t ndirs;
} rp_registry;

/* Opens every module in dirs (missing directories are skipped).  Refuses,
 * with a message naming the file and what to do: no descriptor, another
 * ABI major or a newer minor, a descriptor smaller than the minimum, an
 * invalid descriptor, and two modules declaring one name. */
rp_status rp_registry_load(rp_registry *reg, const char *const *dirs,
			   size_t ndirs, char *err, size_t errlen);
const rp_loaded_plugin *rp_registry_find(const rp_registry *reg,
					 const char *name);
/* Nearest plugin name, for "did you mean"; NULL if none is close. */
const char *rp_registry_suggest(const rp_registry *reg, const char *name);
void rp_registry_free(rp_registry *reg);

const char *rp_kind_name(rp_plugin_kind kind); /* "sink" */

#endif
