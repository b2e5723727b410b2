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

struct rp_xml_stream {
	XML_Parser parser;
	xml_ctx c;      /* c.want[i].f: the caller's fields */
	int failed;      /* a chunk was refused: the rest is ignored */
	char err[128];
};

static void stream_clear(rp_xml_stream *x)
{
	if (x->parser)
		XML_ParserFree(x->parser);
	x->parser = NULL;
	for (size_t i = 0; i < MAX_DEPTH; i++) {
		free(x->c.names[i]);
		x->c.names[i] = NULL;
	}
	for (size_t i = 0; i < x->c.nwant; i++) {
		rp_buf_free(&x->c.want[i].text);
		x->c.want[i].capture_depth = 0;
		x->c.want[i].found = 0;
	}
	x->c.nfound = x->c.capturing = x->c.depth = 0;
	x->c.nomem = 0;
	x->failed = 0;
	x->err[0] = '\0';
}

rp_status rp_xml_stream_reset(rp_xml_stream *x)
{
	stream_clear(x);
	x->parser = XML_ParserCreateNS(NULL, '|');
	if (!x->parser)
		return RP_ERR_NOMEM;
	XML_SetUserData(x->parser, &x->c);
	XML_SetElementHandler(x->parser, on_start, on_end);
	XML_SetCharacterDataHandler(x->parser, on_text);
	return RP_OK;
}

rp_status rp_xml_stream_new(const rp_xml_field *fields, size_t n,
			    rp_xml_stream **out)
{
	rp_xml_stream *x = calloc(1, sizeof(*x));
	rp_status st;

	*out = NULL;
	if (!x)
		return RP_ERR_NOMEM;
	x->c.want = calloc(n ? n : 1, sizeof(*x->c.want));
	if (!x->c.want) {
		free(x);
		return RP_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		x->c.want[i].f = &fields[i];
		*fields[i].out = NULL;
	}
	x->c.nwant = n;
	st = rp_xml_stream_reset(x);
	if (st) {
		rp_xml_stream_free(x);
		return st;
	}
	*out = x;
	return RP_OK;
}

static void refuse(rp_xml_stream *x)
{
	snprintf(x->err, sizeof(x->err), "malformed XML at line %lu, column %lu: %s",
		 (unsigned long)XML_GetCurrentLineNumber(x->parser),
		 (unsigned long)XML_GetCurrentColumnNumber(x->parser),
		 XML_ErrorString(XML_GetErrorCode(x->parser)));
	x->failed = 1;
}

int rp_xml_stream_feed(void *arg, const char *data, size_t len)
{
	rp_xml_stream *x = arg;

	while (!x->failed && len) {
		int n = len > (size_t)INT32_MAX ? INT32_MAX : (int)len;

		if (XML_Parse(x->parser, data, n, 0) == XML_STATUS_ERROR)
			refuse(x);
		data += n;
		len -= (size_t)n;
	}
	return x->failed;
}

rp_status rp_xml_stream_finish(rp_xml_stream *x, char *err, size_t errlen)
{
	rp_status st = RP_OK;

	if (!x->failed && XML_Parse(x->parser, "", 0, 1) == XML_STATUS_ERROR)
		refuse(x);
	if (x->failed) {
		snprintf(err, errlen, "%s", x->err);
		st = RP_ERR_PARSE;
	} else if (x->c.nomem) {
		st = RP_ERR_NOMEM;
	}
	for (size_t i = 0; i < x->c.nwant && !st; i++)
		if (x->c.want[i].found) {
			*x->c.want[i].f->out = rp_buf_steal(&x->c.want[i].text);
			if (!*x->c.want[i].f->out)
				st = RP_ERR_NOMEM;
		}
	if (st)
		for (size_t i = 0; i < x->c.nwant; i++) {
			free(*x->c.want[i].f->out);
			*x->c.want[i].f->out = NULL;
		}
	return st;
}

void rp_xml_stream_free(rp_xml_stream *x)
{
	if (!x)
		return;
	stream_clear(x);
	free(x->c.want);
	free(x);
}

rp_status rp_xml_fields(const char *xml, size_t len, const rp_xml_field *fields,
			size_t n, char *err, size_t errlen)
{
	rp_xml_stream *x;
	rp_status st;

	st = rp_xml_stream_new(fields, n, &x);
	if (st)
		return st;
	rp_xml_stream_feed(x, xml, len);
	st = rp_xml_stream_finish(x, err, errlen);
	rp_xml_stream_free(x);
	return st;
}

rp_status rp_xml_text(const char *xml, size_t len, const char *const *path,
		      size_t npath, char **out, char *err, size_t errlen)
{
	rp_xml_field f = {path, npath, out};

	return rp_xml_fields(xml, len, &f, 1, err, errlen);
}
