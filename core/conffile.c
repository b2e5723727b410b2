/* conffile.c - the pipeline file.  inih parses it; a light pre-scan of the
 * same text supplies what inih 55 does not: line numbers for messages,
 * a clear error for lines over its 200-byte buffer (instead of silently
 * split values), and duplicate keys told apart from continuation lines
 * (inih reports both the same way). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conffile.h"
#include "log.h"
#include "util.h"

/* The pre-scan: walks the text the way inih does and records, per
 * (section, key), the line where it starts.  Reports over-long lines,
 * duplicate sections and duplicate keys. */
typedef struct scan_entry {
	char *section;
	char *key;   /* NULL for the section header itself */
	int line;
} scan_entry;

typedef struct scan {
	scan_entry *e;
	size_t n;
} scan;

typedef struct load_ctx {
	rp_config *cfg;
	char *err;
	size_t errlen;
	int failed;
	const char *text;   /* the file's contents, for the pre-scan */
	scan *sc;           /* its findings: line numbers */
	size_t len;
} load_ctx;

static const struct {
	const char *prefix;
	rp_section_kind kind;
} section_kinds[] = {
	{"source", RP_SECTION_SOURCE},
	{"format", RP_SECTION_FORMAT},
	{"sink", RP_SECTION_SINK},
};

const char *rp_section_kind_name(rp_section_kind kind)
{
	switch (kind) {
	case RP_SECTION_PIPELINE: return "pipeline";
	case RP_SECTION_SOURCE: return "source";
	case RP_SECTION_FORMAT: return "format";
	case RP_SECTION_SINK: return "sink";
	}
	return "?";
}

static void fail(load_ctx *c, int line, const char *fmt, ...) RP_PRINTF(3, 4);
static void fail(load_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return;
	c->failed = 1;
	n = line > 0 ? snprintf(c->err, c->errlen, "%s:%d: ", c->cfg->path, line)
		     : snprintf(c->err, c->errlen, "%s: ", c->cfg->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int valid_instance_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static rp_section *add_section(load_ctx *c, const char *name, int line)
{
	rp_config *cfg = c->cfg;
	rp_section *s, *grown;
	const char *dot = strchr(name, '.');
	size_t i;

	grown = realloc(cfg->sections, (cfg->nsections + 1) * sizeof(*grown));
	if (!grown) {
		fail(c, line, "out of memory");
		return NULL;
	}
	cfg->sections = grown;
	s = &cfg->sections[cfg->nsections];
	memset(s, 0, sizeof(*s));
	s->name = rp_strdup(name);
	s->line = line;
	if (!s->name) {
		fail(c, line, "out of memory");
		return NULL;
	}
	cfg->nsections++;
	if (strcmp(name, "pipeline") == 0) {
		s->kind = RP_SECTION_PIPELINE;
		s->inst = s->name;
		return s;
	}
	for (i = 0; dot && i < sizeof(section_kinds) / sizeof(section_kinds[0]); i++) {
		size_t n = strlen(section_kinds[i].prefix);

		if ((size_t)(dot - name) == n &&
		    strncmp(name, section_kinds[i].prefix, n) == 0) {
			s->kind = section_kinds[i].kind;
			s->inst = s->name + n + 1;
			if (!valid_instance_name(s->inst)) {
				fail(c, line,
				     "section [%s]: the name after '%s.' must be letters, digits, '_' or '-'",
				     name, section_kinds[i].prefix);
				return NULL;
			}
			return s;
		}
	}
	{
		/* Suggest the closest kind: "[sinks.x]" -> "[sink.x]". */
		char kind[64];
		const char *best = NULL;
		size_t bestd = 3, n = dot ? (size_t)(dot - name) : strlen(name);

		snprintf(kind, sizeof(kind), "%.*s", (int)n, name);
		for (i = 0; i < sizeof(section_kinds) / sizeof(section_kinds[0]); i++) {
			size_t d = rp_edit_distance(kind, section_kinds[i].prefix);

			if (d < bestd) {
				bestd = d;
				best = section_kinds[i].prefix;
			}
		}
		if (best && dot)
			fail(c, line,
			     "unknown section kind [%s]; did you mean [%s.%s]? (sections are [pipeline], [source.NAME], [format.NAME], [sink.NAME])",
			     name, best, dot + 1);
		else
			fail(c, line,
			     "unknown section kind [%s]; sections are [pipeline], [source.NAME], [format.NAME], [sink.NAME]",
			     name);
	}
	return NULL;
}

static void scan_free(scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].section);
		free(s->e[i].key);
	}
	free(s->e);
}

static int scan_find(const scan *s, const char *section, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].section, section) == 0 &&
		    ((!key && !s->e[i].key) ||
		     (key && s->e[i].key && strcmp(s->e[i].key, key) == 0)))
			return s->e[i].line;
	return 0;
}

static int scan_add(scan *s, const char *section, const char *key, int line)
{
	scan_entry *g = realloc(s->e, (s->n + 1) * sizeof(*g));

	if (!g)
		return -1;
	s->e = g;
	g[s->n].section = rp_strdup(section);
	g[s->n].key = key ? rp_strdup(key) : NULL;
	g[s->n].line = line;
	if (!g[s->n].section || (key && !g[s->n].key)) {
		free(g[s->n].section);
		free(g[s->n].key);
		return -1;
	}
	s->n++;
	return 0;
}

static int prescan(load_ctx *c, scan *sc)
{
	const char *p = c->text, *end = c->text + c->len;
	char section[256] = "", line[RP_INI_MAX_LINE + 2];
	int lineno = 0, have_key = 0;

	if (c->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *s, *e;

		lineno++;
		if (memchr(p, '\0', n)) {
			fail(c, lineno, "NUL byte in the pipeline file");
			return -1;
		}
		if (n > RP_INI_MAX_LINE) {
			fail(c, lineno,
			     "line is %zu bytes long; the INI reader takes at most %d. Split a long value over indented continuation lines (lists continue after a comma)",
			     n, RP_INI_MAX_LINE);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (s > line && have_key)
			continue;                  /* continuation line */
		if (*s == '[') {
			e = strchr(s, ']');
			if (!e)
				continue;          /* inih reports it */
			*e = '\0';
			snprintf(section, sizeof(section), "%s", rp_strtrim(s + 1));
			int prev = scan_find(sc, section, NULL);
			if (prev) {
				fail(c, lineno,
				     "section [%s] appears twice (first on line %d); merge them",
				     section, prev);
				return -1;
			}
			if (scan_add(sc, section, NULL, lineno))
				goto nomem;
			have_key = 0;
			continue;
		}
		e = s + strcspn(s, "=:");
		if (!*e)
			continue;                  /* inih reports it */
		*e = '\0';
		rp_strtrim(s);
		{
			int prev = scan_find(sc, section, s);

			if (prev) {
				fail(c, lineno,
				     "[%s] key '%s' is set twice (first on line %d); to continue a value, indent the next line",
				     section, s, prev);
				return -1;
			}
		}
		if (scan_add(sc, section, s, lineno))
			goto nomem;
		have_key = 1;
	}
	return 0;
nomem:
	fail(c, lineno, "out of memory");
	return -1;
}

/* ${NAME} reads the environment; $$ is a literal $.  A lone $ stays. */
static char *expand_env(load_ctx *c, int line, const char *section,
			const char *key, const char *v)
{
	rp_buf b = {0};

	while (*v) {
		if (v[0] == '$' && v[1] == '$') {
			if (rp_buf_append(&b, "$", 1))
				goto nomem;
			v += 2;
		} else if (v[0] == '$' && v[1] == '{') {
			const char *close = strchr(v + 2, '}');
			char name[128];
			const char *val;
			size_t n;

			if (!close) {
				fail(c, line, "[%s] %s: '${' without a closing '}'",
				     section, key);
				goto fail;
			}
			n = (size_t)(close - (v + 2));
			if (n == 0 || n >= sizeof(name)) {
				fail(c, line, "[%s] %s: empty or over-long ${NAME}",
				     section, key);
				goto fail;
			}
			memcpy(name, v + 2, n);
			name[n] = '\0';
			val = getenv(name);
			if (!val) {
				fail(c, line,
				     "[%s] %s: environment variable %s is not set; export it before running reportpipe",
				     section, key, name);
				goto fail;
			}
			if (rp_buf_puts(&b, val))
				goto nomem;
			v = close + 1;
		} else {
			if (rp_buf_append(&b, v, 1))
				goto nomem;
			v++;
		}
	}
	return rp_buf_steal(&b);
nomem:
	fail(c, line, "out of memory");
fail:
	rp_buf_free(&b);
	return NULL;
}

static int on_entry(void *user, const char *section, const char *name,
		    const char *value)
{
	load_ctx *c = user;
	rp_config *cfg = c->cfg;
	rp_section *s = NULL;
	rp_kv *kv = NULL;

	if (c->failed)
		return 1;
	if (!*section) {
		fail(c, 0, "key '%s' appears before any [section]; start the file with [pipeline] or [source.NAME]",
		     name);
		return 1;
	}
	for (size_t i = 0; i < cfg->nsections; i++)
		if (strcmp(cfg->sections[i].name, section) == 0)
			s = &cfg->sections[i];
	if (!s) {
		s = add_section(c, section, scan_find(c->sc, section, NULL));
		if (!s)
			return 1;
	}
	for (size_t i = 0; i < s->nkv; i++)
		if (strcmp(s->kvs[i].key, name) == 0)
			kv = &s->kvs[i];
	if (kv) {
		/* inih calls us again for each continuation line. */
		char *joined = rp_asprintf("%s\n%s", kv->value, value);

		if (!joined) {
			fail(c, kv->line, "out of memory");
			return 1;
		}
		free(kv->value);
		kv->value = joined;
		return 1;
	}
	kv = realloc(s->kvs, (s->nkv + 1) * sizeof(*kv));
	if (!kv) {
		fail(c, 0, "out of memory");
		return 1;
	}
	s->kvs = kv;
	kv = &s->kvs[s->nkv];
	memset(kv, 0, sizeof(*kv));
	kv->key = rp_strdup(name);
	kv->value = rp_strdup(value);
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		fail(c, 0, "out of memory");
		return 1;
	}
	s->nkv++;
	return 1;
}

/* Both entries end here: text is NUL-terminated and owned (freed here). */
static rp_status load_text(const char *path, char *text, size_t len,
			   rp_config *cfg, char *err, size_t errlen)
{
	load_ctx c = {.cfg = cfg, .err = err, .errlen = errlen};
	scan sc = {0};
	rp_status st;
	int rc;

	cfg->dir = rp_path_absdir(path);
	if (!cfg->dir) {
		snprintf(err, errlen, "%s: cannot resolve its directory: %s",
			 path, strerror(errno));
		st = RP_ERR_IO;
		goto fail;
	}
	c.text = text;
	c.len = len;
	c.sc = &sc;
	if (prescan(&c, &sc)) {
		st = RP_ERR_CONFIG;
		goto fail;
	}
	rc = ini_parse_string(text, on_entry, &c);
	if (!c.failed && rc > 0)
		fail(&c, rc,
		     "cannot parse this line: expected [section], 'key = value', an indented continuation or a ; comment");
	if (c.failed) {
		st = RP_ERR_CONFIG;
		goto fail;
	}
	/* Attach line numbers and expand ${ENV} now that values are whole. */
	for (size_t i = 0; i < cfg->nsections; i++) {
		rp_section *s = &cfg->sections[i];

		s->line = scan_find(&sc, s->name, NULL);
		for (size_t k = 0; k < s->nkv; k++) {
			rp_kv *kv = &s->kvs[k];
			char *v;

			kv->line = scan_find(&sc, s->name, kv->key);
			v = expand_env(&c, kv->line, s->name, kv->key, kv->value);
			if (!v) {
				st = RP_ERR_CONFIG;
				goto fail;
			}
			free(kv->value);
			kv->value = v;
		}
	}
	scan_free(&sc);
	free(text);
	return RP_OK;
fail:
	scan_free(&sc);
	free(text);
	rp_config_free(cfg);
	return st;
}

rp_status rp_config_load(const char *path, rp_config *cfg, char *err,
			 size_t errlen)
{
	char *text = NULL;
	size_t len;
	rp_status st;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = rp_strdup(path);
	if (!cfg->path)
		return RP_ERR_NOMEM;
	st = rp_read_file(path, &text, &len);
	if (st) {
		snprintf(err, errlen, "%s: cannot read the pipeline file: %s",
			 path, strerror(errno));
		rp_config_free(cfg);
		return st;
	}
	return load_text(path, text, len, cfg, err, errlen);
}

rp_status rp_config_load_text(const char *path, const char *text, size_t len,
			      rp_config *cfg, char *err, size_t errlen)
{
	char *copy;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = rp_strdup(path);
	copy = rp_strndup(text ? text : "", text ? len : 0);
	if (!cfg->path || !copy) {
		free(copy);
		rp_config_free(cfg);
		return RP_ERR_NOMEM;
	}
	return load_text(path, copy, text ? len : 0, cfg, err, errlen);
}

void rp_config_free(rp_config *cfg)
{
	for (size_t i = 0; i < cfg->nsections; i++) {
		rp_section *s = &cfg->sections[i];

		for (size_t k = 0; k < s->nkv; k++) {
			free(s->kvs[k].key);
			/* Values may hold secrets from ${ENV}; do not leave them. */
			if (s->kvs[k].value) {
				volatile char *p = s->kvs[k].value;
				while (*p)
					*p++ = 0;
			}
			free(s->kvs[k].value);
		}
		free(s->kvs);
		free(s->name);
	}
	free(cfg->sections);
	free(cfg->path);
	free(cfg->dir);
	memset(cfg, 0, sizeof(*cfg));
}

rp_section *rp_config_find(rp_config *cfg, rp_section_kind kind,
			   const char *inst)
{
	for (size_t i = 0; i < cfg->nsections; i++)
		if (cfg->sections[i].kind == kind &&
		    strcmp(cfg->sections[i].inst, inst) == 0)
			return &cfg->sections[i];
	return NULL;
}

rp_kv *rp_section_get(rp_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->nkv; i++)
		if (strcmp(sec->kvs[i].key, key) == 0)
			return &sec->kvs[i];
	return NULL;
}
