/* loader.c - finds plugin modules, opens them with libltdl and checks
 * their descriptors.
 *
 * Only the three leading fields of a descriptor are read before its size
 * is known; the rest is copied up to the smaller of the two sizes, so a
 * module built against an older header is never read past its end. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "options.h"
#include "util.h"

#ifndef LT_MODULE_EXT
#define LT_MODULE_EXT ".so"
#endif

static int ltdl_users;

const char *rp_kind_name(rp_plugin_kind kind)
{
	switch (kind) {
	case RP_KIND_SOURCE: return "source";
	case RP_KIND_FORMATTER: return "formatter";
	case RP_KIND_SINK: return "sink";
	}
	return "unknown";
}

static int valid_plugin_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

/* The descriptor's contents, beyond its versions: what the engine will
 * rely on later, checked once here. */
static int check_descriptor(const rp_plugin *d, const char *file, char *err,
			    size_t errlen)
{
	if (!valid_plugin_name(d->name)) {
		snprintf(err, errlen,
			 "%s: the plugin's name must be 1-64 characters of a-z, 0-9 and '_'; fix the descriptor",
			 file);
		return -1;
	}
	switch (d->kind) {
	case RP_KIND_SOURCE:
		if (d->produce)
			break;
		snprintf(err, errlen, "%s: source plugin '%s' has no produce callback",
			 file, d->name);
		return -1;
	case RP_KIND_FORMATTER:
		if (d->render && d->media_type && d->extension)
			break;
		snprintf(err, errlen,
			 "%s: formatter plugin '%s' needs render, media_type and extension",
			 file, d->name);
		return -1;
	case RP_KIND_SINK:
		if (d->deliver)
			break;
		snprintf(err, errlen, "%s: sink plugin '%s' has no deliver callback",
			 file, d->name);
		return -1;
	default:
		snprintf(err, errlen,
			 "%s: plugin '%s' has kind %d, which is none of source (1), formatter (2), sink (3)",
			 file, d->name, (int)d->kind);
		return -1;
	}
	for (const rp_option *o = d->options; o && o->key; o++) {
		if (o->type < RP_OPT_STRING || o->type > RP_OPT_PATH ||
		    (o->type == RP_OPT_ENUM && !o->choices)) {
			snprintf(err, errlen,
				 "%s: plugin '%s' option '%s' has an invalid type or no choices",
				 file, d->name, o->key);
			return -1;
		}
	}
	return 0;
}

static rp_status open_module(rp_registry *reg, const char *file, char *err,
			     size_t errlen)
{
	lt_dlhandle h;
	const rp_plugin *sym;
	rp_loaded_plugin *lp, *g;
	uint32_t size;

	h = lt_dlopen(file);
	if (!h) {
		snprintf(err, errlen,
			 "%s: cannot load this plugin module: %s; remove it from the plugin directory or rebuild it",
			 file, lt_dlerror());
		return RP_ERR_ABI;
	}
	sym = lt_dlsym(h, RP_PLUGIN_SYMBOL);
	if (!sym) {
		snprintf(err, errlen,
			 "%s: not a reportpipe plugin: it exports no '%s' descriptor; remove it from the plugin directory",
			 file, RP_PLUGIN_SYMBOL);
		goto refuse;
	}
	if (sym->abi_major != RP_ABI_MAJOR) {
		snprintf(err, errlen,
			 "%s: built for plugin ABI %u.%u, but this reportpipe speaks ABI %d.x; rebuild the plugin against this reportpipe's <reportpipe/plugin.h>",
			 file, sym->abi_major, sym->abi_minor, RP_ABI_MAJOR);
		goto refuse;
	}
	if (sym->abi_minor > RP_ABI_MINOR) {
		snprintf(err, errlen,
			 "%s: built for plugin ABI %u.%u, newer than this reportpipe's %d.%d; upgrade reportpipe or rebuild the plugin against this version",
			 file, sym->abi_major, sym->abi_minor, RP_ABI_MAJOR,
			 RP_ABI_MINOR);
		goto refuse;
	}
	size = sym->struct_size;
	if (size < RP_PLUGIN_MIN_SIZE) {
		snprintf(err, errlen,
			 "%s: its descriptor is %u bytes, smaller than the %zu bytes of ABI %d.0; the descriptor is damaged or not built from <reportpipe/plugin.h>",
			 file, size, (size_t)RP_PLUGIN_MIN_SIZE, RP_ABI_MAJOR);
		goto refuse;
	}
	g = realloc(reg->p, (reg->n + 1) * sizeof(*g));
	if (!g) {
		lt_dlclose(h);
		return RP_ERR_NOMEM;
	}
	reg->p = g;
	lp = &reg->p[reg->n];
	memset(lp, 0, sizeof(*lp));
	memcpy(&lp->desc, sym, size < sizeof(lp->desc) ? size : sizeof(lp->desc));
	if (check_descriptor(&lp->desc, file, err, errlen))
		goto refuse;
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->p[i].desc.name, lp->desc.name) == 0) {
			snprintf(err, errlen,
				 "%s: a second plugin named '%s' (the first is %s); remove one of them from the plugin path",
				 file, lp->desc.name, reg->p[i].file);
			goto refuse;
		}
	lp->file = rp_strdup(file);
	if (!lp->file) {
		lt_dlclose(h);
		return RP_ERR_NOMEM;
	}
	lp->handle = h;
	reg->n++;
	return RP_OK;
refuse:
	lt_dlclose(h);
	return RP_ERR_ABI;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static rp_status scan_dir(rp_registry *reg, const char *dir, char *err,
			  size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **files = NULL, **g;
	size_t n = 0, extlen = strlen(LT_MODULE_EXT);
	rp_status st = RP_OK;

	if (!d)
		return RP_OK; /* a missing directory holds no plugins */
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l <= extlen || e->d_name[0] == '.' ||
		    strcmp(e->d_name + l - extlen, LT_MODULE_EXT) != 0)
			continue;
		g = realloc(files, (n + 1) * sizeof(*g));
		if (!g) {
			st = RP_ERR_NOMEM;
			break;
		}
		files = g;
		files[n] = rp_path_join(dir, e->d_name);
		if (!files[n]) {
			st = RP_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (files)
		qsort(files, n, sizeof(*files), by_name);
	for (size_t i = 0; i < n && !st; i++)
		st = open_module(reg, files[i], err, errlen);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return st;
}

rp_status rp_registry_load(rp_registry *reg, const char *const *dirs,
			   size_t ndirs, char *err, size_t errlen)
{
	rp_status st = RP_OK;

	memset(reg, 0, sizeof(*reg));
	if (ltdl_users++ == 0 && lt_dlinit() != 0) {
		snprintf(err, errlen, "cannot initialise libltdl: %s", lt_dlerror());
		ltdl_users--;
		return RP_ERR_INTERNAL;
	}
	reg->dirs = calloc(ndirs + 1, sizeof(*reg->dirs));
	if (!reg->dirs)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < ndirs && !st; i++) {
		char *real = realpath(dirs[i], NULL);
		int seen = 0;

		/* The same directory twice (an env var naming the built-in
		 * one) would otherwise look like duplicate plugins. */
		for (size_t j = 0; j < reg->ndirs && real; j++)
			if (strcmp(reg->dirs[j], real) == 0)
				seen = 1;
		if (!real) {
			real = rp_strdup(dirs[i]);
			if (!real)
				return RP_ERR_NOMEM;
		}
		if (seen) {
			free(real);
			continue;
		}
		reg->dirs[reg->ndirs++] = real;
		st = scan_dir(reg, real, err, errlen);
	}
	return st;
}

const rp_loaded_plugin *rp_registry_find(const rp_registry *reg,
					 const char *name)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->p[i].desc.name, name) == 0)
			return &reg->p[i];
	return NULL;
}

const char *rp_registry_suggest(const rp_registry *reg, const char *name)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (size_t i = 0; i < reg->n; i++) {
		size_t d = rp_edit_distance(name, reg->p[i].desc.name);

		if (d < bestd) {
			bestd = d;
			best = reg->p[i].desc.name;
		}
	}
	return best;
}

void rp_registry_free(rp_registry *reg)
{
	if (!reg->dirs && !reg->p)
		return;
	for (size_t i = 0; i < reg->n; i++) {
		lt_dlclose(reg->p[i].handle);
		free(reg->p[i].file);
	}
	free(reg->p);
	for (size_t i = 0; i < reg->ndirs; i++)
		free(reg->dirs[i]);
	free(reg->dirs);
	if (ltdl_users > 0 && --ltdl_users == 0)
		lt_dlexit();
	memset(reg, 0, sizeof(*reg));
}
