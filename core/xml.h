/* xml.h - the little XML reading AWS answers need, over libexpat: the text
 * of the first element found at each of a few paths, in one pass. */
#ifndef RP_XML_H
#define RP_XML_H

#include <stddef.h>

#include "reportpipe/plugin.h"

/* Finds the first element whose innermost ancestors match path (local
 * names, namespaces ignored), e.g. {"Error", "Code"} matches
 * ErrorResponse/Error/Code and S3's Error/Code.  *out (free()) gets its
 * text, or NULL when there is no such element.  RP_ERR_PARSE when the
 * document is not well-formed XML (err says where). */
rp_status rp_xml_text(const char *xml, size_t len, const char *const *path,
		      size_t npath, char **out, char *err, size_t errlen);

/* One field of rp_xml_fields: path as above; *out gets its text. */
typedef struct rp_xml_field {
	const char *const *path;
	size_t npath;
	char **out;
} rp_xml_field;

/* rp_xml_text for n paths in one pass over the document: on success each
 * *fields[i].out is the text of its first match or NULL; on error every
 * one is NULL. */
rp_status rp_xml_fields(const char *xml, size_t len, const rp_xml_field *fields,
			size_t n, char *err, size_t errlen);

/* rp_xml_fields over a document that arrives in pieces (an answer read
 * as it downloads): new, then feed each piece, then finish, which fills
 * the fields' *out as rp_xml_fields does.  fields must outlive the
 * stream.  feed returns nonzero once the document is refused (the rest
 * is ignored; finish says where).  reset starts over (a retried
 * request). */
typedef struct rp_xml_stream rp_xml_stream;
rp_status rp_xml_stream_new(const rp_xml_field *fields, size_t n,
			    rp_xml_stream **out);
int rp_xml_stream_feed(void *stream, const char *data, size_t len);
rp_status rp_xml_stream_reset(rp_xml_stream *stream);
rp_status rp_xml_stream_finish(rp_xml_stream *stream, char *err,
			       size_t errlen);
void rp_xml_stream_free(rp_xml_stream *stream);

#endif
