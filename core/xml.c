/* xml.c - the text of the first element at a path, over libexpat.
 *
 * AWS answers are small; one streaming pass with a stack of local names
 * is all it takes, and expat does the hard part (entities, encodings,
 * well-formedness). */
#include "config.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xml.h"

#define MAX_DEPTH 64

typedef struct xml_ctx {
	const char *const *path;
	size_t npath;
	const char *stack[MAX_DEPTH]; /* local names (pointers into names) */
	char *names[MAX_DEPTH];
	size_t depth;
	size_t capture_depth;         /* depth of the element being read; 0 none */
	int found;
	rp_buf text;
	int nomem;
} xml_ctx;

static const char *local_name(const char *name)
{
	/* With namespace processing expat joins "uri|local". */
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

static int path_matches(const xml_ctx *c)
{
	if (c->depth < c->npath)
		return 0;
	for (size_t i = 0; i < c->npath; i++)
		if (strcmp(c->stack[c->depth - c->npath + i], c->path[i]) != 0)
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
	if (!c->found && !c->capture_depth && path_matches(c))
		c->capture_depth = c->depth;
}

static void on_end(void *user, const XML_Char *name)
{
	xml_ctx *c = user;

	(void)name;
	if (c->capture_depth && c->depth == c->capture_depth) {
		c->capture_depth = 0;
		c->found = 1;
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

	if (c->capture_depth && rp_buf_append(&c->text, s, (size_t)len))
		c->nomem = 1;
}

rp_status rp_xml_text(const char *xml, size_t len, const char *const *path,
		      size_t npath, char **out, char *err, size_t errlen)
{
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	xml_ctx c = {.path = path, .npath = npath};
	rp_status st = RP_OK;

	*out = NULL;
	if (!p)
		return RP_ERR_NOMEM;
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
	} else if (c.found) {
		*out = rp_buf_steal(&c.text);
		if (!*out)
			st = RP_ERR_NOMEM;
	}
	for (size_t i = 0; i < MAX_DEPTH; i++)
		free(c.names[i]);
	rp_buf_free(&c.text);
	XML_ParserFree(p);
	return st;
}
