/* xml.c - the text of the first element at each of a few paths, over
 * libexpat.
 *
 * One streaming pass with a stack of local names reads every field an
 * answer is wanted for (an IAM report's Content is megabytes: it is
 * parsed once, not once per field), and expat does the hard part
 * (entities, encodings, well-formedness). */
#include "config.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xml.h"

#define MAX_DEPTH 64

typedef struct xml_want {
	const rp_xml_field *f;
	size_t capture_depth; /* depth of the element being read; 0 none */
	int found;
	rp_buf text;
} xml_want;

typedef struct xml_ctx {
	xml_want *want;
	size_t nwant;
	size_t nfound;
	size_t capturing;             /* how many wants are being read */
	const char *stack[MAX_DEPTH]; /* local names (pointers into names) */
	char *names[MAX_DEPTH];
	size_t depth;
	int nomem;
} xml_ctx;

static const char *local_name(const char *name)
{
	/* With namespace processing expat joins "uri|local". */
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

static int path_matches(const xml_ctx *c, const rp_xml_field *f)
{
	if (c->depth < f->npath)
		return 0;
	for (size_t i = 0; i < f->npath; i++)
		if (strcmp(c->stack[c->depth - f->npath + i], f->path[i]) != 0)
			return 0;
	return 1;
}

static void on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
	xml_ctx *c = user;

	(void)attrs;
	if (c->depth >= MAX_DEPTH) {
		c->depth++;
		return;
	}
	c->names[c->depth] = rp_strdup(local_name(name));
	if (!c->names[c->depth])
		c->nomem = 1;
	c->stack[c->depth] = c->names[c->depth] ? c->names[c->depth] : "";
	c->depth++;
	if (c->nfound == c->nwant)
		return;
	for (size_t i = 0; i < c->nwant; i++) {
		xml_want *w = &c->want[i];

		if (!w->found && !w->capture_depth && path_matches(c, w->f)) {
			w->capture_depth = c->depth;
			c->capturing++;
		}
	}
}

static void on_end(void *user, const XML_Char *name)
{
	xml_ctx *c = user;

	(void)name;
	for (size_t i = 0; c->capturing && i < c->nwant; i++) {
		xml_want *w = &c->want[i];

		if (w->capture_depth && c->depth == w->capture_depth) {
			w->capture_depth = 0;
			w->found = 1;
			c->capturing--;
			c->nfound++;
		}
	}
	c->depth--;
	if (c->depth < MAX_DEPTH) {
		free(c->names[c->depth]);
		c->names[c->depth] = NULL;
	}
}

static void on_text(void *user, const XML_Char *s, int len)
{
	xml_ctx *c = user;

	for (size_t i = 0; c->capturing && i < c->nwant; i++)
		if (c->want[i].capture_depth &&
		    rp_buf_append(&c->want[i].text, s, (size_t)len))
			c->nomem = 1;
}

rp_status rp_xml_fields(const char *xml, size_t len, const rp_xml_field *fields,
			size_t n, char *err, size_t errlen)
{
	XML_Parser p;
	xml_want *want;
	xml_ctx c = {0};
	rp_status st = RP_OK;

	for (size_t i = 0; i < n; i++)
		*fields[i].out = NULL;
	want = calloc(n ? n : 1, sizeof(*want));
	if (!want)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		want[i].f = &fields[i];
	c.want = want;
	c.nwant = n;
	p = XML_ParserCreateNS(NULL, '|');
	if (!p) {
		free(want);
		return RP_ERR_NOMEM;
	}
	XML_SetUserData(p, &c);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	if (len > (size_t)INT32_MAX ||
	    XML_Parse(p, xml, (int)len, 1) == XML_STATUS_ERROR) {
		snprintf(err, errlen, "malformed XML at line %lu, column %lu: %s",
			 (unsigned long)XML_GetCurrentLineNumber(p),
			 (unsigned long)XML_GetCurrentColumnNumber(p),
			 XML_ErrorString(XML_GetErrorCode(p)));
		st = RP_ERR_PARSE;
	} else if (c.nomem) {
		st = RP_ERR_NOMEM;
	}
	for (size_t i = 0; i < n && !st; i++)
		if (want[i].found) {
			*fields[i].out = rp_buf_steal(&want[i].text);
			if (!*fields[i].out)
				st = RP_ERR_NOMEM;
		}
	if (st)
		for (size_t i = 0; i < n; i++) {
			free(*fields[i].out);
			*fields[i].out = NULL;
		}
	for (size_t i = 0; i < MAX_DEPTH; i++)
		free(c.names[i]);
	for (size_t i = 0; i < n; i++)
		rp_buf_free(&want[i].text);
	free(want);
	XML_ParserFree(p);
	return st;
}

rp_status rp_xml_text(const char *xml, size_t len, const char *const *path,
		      size_t npath, char **out, char *err, size_t errlen)
{
	rp_xml_field f = {path, npath, out};

	return rp_xml_fields(xml, len, &f, 1, err, errlen);
}
