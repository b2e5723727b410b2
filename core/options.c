/* options.c - binds a section of the pipeline file to an option table:
 * validation, defaults and typed values. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "template.h"
#include "util.h"

const char *rp_option_type_name(rp_option_type type)
{
	switch (type) {
	case RP_OPT_STRING: return "string";
	case RP_OPT_INT: return "int";
	case RP_OPT_BOOL: return "bool";
	case RP_OPT_DURATION: return "duration";
	case RP_OPT_SIZE: return "size";
	case RP_OPT_LIST: return "list";
	case RP_OPT_ENUM: return "enum";
	case RP_OPT_PATH: return "path";
	}
	return "?";
}

rp_status rp_split_list(const char *text, char ***items, size_t *count)
{
	char **v = NULL;
	size_t n = 0;

	*items = NULL;
	*count = 0;
	while (*text) {
		size_t len = strcspn(text, ",\n");
		char *item = rp_strndup(text, len), **g;

		if (!item)
			goto nomem;
		rp_strtrim(item);
		if (!*item) {
			free(item);
		} else {
			g = realloc(v, (n + 2) * sizeof(*v));
			if (!g) {
				free(item);
				goto nomem;
			}
			v = g;
			v[n++] = item;
			v[n] = NULL;
		}
		text += len;
		if (*text)
			text++;
	}
	*items = v;
	*count = n;
	return RP_OK;
nomem:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return RP_ERR_NOMEM;
}

/* Number with an optional unit suffix from units[] (scale[]). */
static int parse_scaled(const char *s, const char *const *units,
			const int64_t *scale, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end) {
		*out = v;
		return 0;
	}
	for (size_t i = 0; units[i]; i++)
		if (strcasecmp(end, units[i]) == 0) {
			if (v > INT64_MAX / scale[i])
				return -1;
			*out = v * scale[i];
			return 0;
		}
	return -1;
}

/* "90", "90s", "1.5s", "250ms", "2h", "1d" -> milliseconds.  Fractions
 * matter: a poll interval of half a second is reasonable. */
static int parse_duration_ms(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000},
		     {"h", 3600000}, {"d", 86400000}};
	char *end;
	double v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			double ms = v * units[i].ms;

			if (ms > 9e15)
				return -1;
			*out = (int64_t)(ms + 0.5);
			return 0;
		}
	return -1;
}

static void errf(char *err, size_t errlen, const rp_config *cfg, int line,
		 const rp_section *sec, const char *fmt, ...) RP_PRINTF(6, 7);
static void errf(char *err, size_t errlen, const rp_config *cfg, int line,
		 const rp_section *sec, const char *fmt, ...)
{
	va_list ap;
	int n = line > 0 ? snprintf(err, errlen, "%s:%d: [%s] ", cfg->path,
				    line, sec->name)
			 : snprintf(err, errlen, "%s: [%s] ", cfg->path,
				    sec->name);

	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char *closest(const char *word, const char *const *cands,
			   size_t ncands)
{
	const char *best = NULL;
	size_t bestd = strlen(word) > 4 ? 3 : 2;

	for (size_t i = 0; i < ncands; i++) {
		size_t d = rp_edit_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}

static rp_status parse_value(rp_optval *ov, const char *raw,
			     const rp_config *cfg, const rp_section *sec,
			     int line, char *err, size_t errlen)
{
	const rp_option *o = ov->def;
	char terr[256];
	rp_status st;

	if (o->type != RP_OPT_STRING && o->type != RP_OPT_LIST &&
	    strchr(raw, '\n')) {
		errf(err, errlen, cfg, line, sec,
		     "%s: this %s value must fit on one line (is an indented line below it meant as a new key?)",
		     o->key, rp_option_type_name(o->type));
		return RP_ERR_CONFIG;
	}
	switch (o->type) {
	case RP_OPT_STRING:
		ov->text = rp_strdup(raw);
		break;
	case RP_OPT_PATH:
		if (!*raw) {
			errf(err, errlen, cfg, line, sec, "%s: the path is empty",
			     o->key);
			return RP_ERR_CONFIG;
		}
		ov->text = rp_path_join(cfg->dir, raw);
		break;
	case RP_OPT_INT: {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(raw, &end, (o->flags & RP_OPT_OCTAL) ? 8 : 10);
		if (errno || end == raw || *end) {
			errf(err, errlen, cfg, line, sec,
			     "%s: '%s' is not %s integer", o->key, raw,
			     (o->flags & RP_OPT_OCTAL) ? "an octal" : "an");
			return RP_ERR_CONFIG;
		}
		if (o->min < o->max && (v < o->min || v > o->max)) {
			if (o->flags & RP_OPT_OCTAL)
				errf(err, errlen, cfg, line, sec,
				     "%s: %s is out of range (%#llo to %#llo)",
				     o->key, raw, (long long)o->min,
				     (long long)o->max);
			else
				errf(err, errlen, cfg, line, sec,
				     "%s: %s is out of range (%lld to %lld)",
				     o->key, raw, (long long)o->min,
				     (long long)o->max);
			return RP_ERR_CONFIG;
		}
		ov->i = v;
		ov->text = rp_strdup(raw);
		break;
	}
	case RP_OPT_BOOL:
		if (!strcasecmp(raw, "true") || !strcasecmp(raw, "yes") ||
		    !strcasecmp(raw, "on") || !strcmp(raw, "1"))
			ov->b = 1;
		else if (!strcasecmp(raw, "false") || !strcasecmp(raw, "no") ||
			 !strcasecmp(raw, "off") || !strcmp(raw, "0"))
			ov->b = 0;
		else {
			errf(err, errlen, cfg, line, sec,
			     "%s: '%s' is not a boolean; use true or false",
			     o->key, raw);
			return RP_ERR_CONFIG;
		}
		ov->text = rp_strdup(raw);
		break;
	case RP_OPT_DURATION:
		if (parse_duration_ms(raw, &ov->i)) {
			errf(err, errlen, cfg, line, sec,
			     "%s: '%s' is not a duration; write seconds or a number with ms, s, m, h or d (\"90s\", \"1.5s\", \"2h\")",
			     o->key, raw);
			return RP_ERR_CONFIG;
		}
		ov->text = rp_strdup(raw);
		break;
	case RP_OPT_SIZE: {
		static const char *const u[] = {"B", "K", "KB", "KiB", "M", "MB",
						"MiB", "G", "GB", "GiB", NULL};
		static const int64_t sc[] = {1, 1 << 10, 1 << 10, 1 << 10,
					     1 << 20, 1 << 20, 1 << 20,
					     1 << 30, 1 << 30, 1 << 30};

		if (parse_scaled(raw, u, sc, &ov->i)) {
			errf(err, errlen, cfg, line, sec,
			     "%s: '%s' is not a size; write bytes or a number with K, M or G (\"10M\")",
			     o->key, raw);
			return RP_ERR_CONFIG;
		}
		ov->text = rp_strdup(raw);
		break;
	}
	case RP_OPT_LIST:
		st = rp_split_list(raw, &ov->items, &ov->list.count);
		if (st)
			return st;
		ov->list.items = (const char *const *)ov->items;
		ov->text = rp_strdup(raw);
		break;
	case RP_OPT_ENUM: {
		const char *c = o->choices ? o->choices : "";
		size_t n = strlen(raw);
		char *choices[32] = {0};
		size_t nc = 0;

		for (const char *p = c; *p && nc < 32;) {
			size_t l = strcspn(p, "|");
			if (l == n && strncmp(p, raw, n) == 0) {
				ov->text = rp_strdup(raw);
				goto enum_ok;
			}
			choices[nc++] = rp_strndup(p, l);
			p += l + (p[l] == '|');
		}
		{
			const char *near = closest(raw, (const char *const *)choices, nc);
			errf(err, errlen, cfg, line, sec,
			     "%s: '%s' is not one of %s%s%s%s", o->key, raw, c,
			     near ? "; did you mean '" : "", near ? near : "",
			     near ? "'?" : "");
		}
		for (size_t i = 0; i < nc; i++)
			free(choices[i]);
		return RP_ERR_CONFIG;
enum_ok:
		for (size_t i = 0; i < nc; i++)
			free(choices[i]);
		break;
	}
	default:
		errf(err, errlen, cfg, line, sec, "%s: option type %d unknown",
		     o->key, (int)o->type);
		return RP_ERR_INTERNAL;
	}
	if (!ov->text)
		return RP_ERR_NOMEM;
	if (o->flags & RP_OPT_TEMPLATE) {
		st = rp_template_check(raw, terr, sizeof(terr));
		if (st) {
			errf(err, errlen, cfg, line, sec, "%s: %s", o->key, terr);
			return st;
		}
	}
	return RP_OK;
}

rp_status rp_options_bind(const rp_option *table, rp_section *sec,
			  const rp_config *cfg, const char *owner,
			  rp_optset *out, char *err, size_t errlen)
{
	size_t n = 0;
	rp_status st;

	memset(out, 0, sizeof(*out));
	while (table && table[n].key)
		n++;
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (!out->v)
		return RP_ERR_NOMEM;
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		rp_optval *ov = &out->v[i];
		rp_kv *kv = rp_section_get(sec, table[i].key);

		ov->def = &table[i];
		if (kv) {
			kv->used = 1;
			ov->is_set = 1;
			ov->line = kv->line;
			st = parse_value(ov, kv->value, cfg, sec, kv->line, err,
					 errlen);
		} else if (table[i].flags & RP_OPT_REQUIRED) {
			errf(err, errlen, cfg, sec->line, sec,
			     "missing required option '%s' of %s (%s)",
			     table[i].key, owner,
			     table[i].description ? table[i].description : "");
			st = RP_ERR_CONFIG;
		} else if (table[i].default_value) {
			st = parse_value(ov, table[i].default_value, cfg, sec,
					 sec->line, err, errlen);
		} else {
			st = RP_OK;
		}
		if (st) {
			rp_optset_free(out);
			return st;
		}
	}
	return RP_OK;
}

rp_status rp_options_reject_unknown(const rp_option *table,
				    const char *const *extra_keys,
				    rp_section *sec, const rp_config *cfg,
				    const char *owner, char *err, size_t errlen)
{
	for (size_t k = 0; k < sec->nkv; k++) {
		const char *cands[128];
		size_t nc = 0;
		const char *near;

		int known = 0;

		for (size_t i = 0; table && table[i].key && !known; i++)
			known = strcmp(table[i].key, sec->kvs[k].key) == 0;
		for (size_t i = 0; extra_keys && extra_keys[i] && !known; i++)
			known = strcmp(extra_keys[i], sec->kvs[k].key) == 0;
		if (known)
			continue;
		for (size_t i = 0; table && table[i].key && nc < 120; i++)
			cands[nc++] = table[i].key;
		for (size_t i = 0; extra_keys && extra_keys[i] && nc < 128; i++)
			cands[nc++] = extra_keys[i];
		near = closest(sec->kvs[k].key, cands, nc);
		errf(err, errlen, cfg, sec->kvs[k].line, sec,
		     "unknown key '%s' for %s%s%s%s (`reportpipe plugins` lists the options)",
		     sec->kvs[k].key, owner, near ? "; did you mean '" : "",
		     near ? near : "", near ? "'?" : "");
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

const rp_optval *rp_optset_get(const rp_optset *set, const char *key)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].def->key, key) == 0)
			return &set->v[i];
	return NULL;
}

void rp_optset_free(rp_optset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		rp_optval *ov = &set->v[i];

		if (ov->text) {
			volatile char *p = ov->text;
			while (*p)
				*p++ = 0;
		}
		free(ov->text);
		for (size_t j = 0; j < ov->list.count; j++)
			free(ov->items[j]);
		free(ov->items);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}
