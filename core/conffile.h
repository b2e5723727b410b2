/* conffile.h - the pipeline file: read with inih into sections of key/value
 * pairs, with the line numbers inih does not report, and ${ENV} expanded. */
#ifndef RP_CONFFILE_H
#define RP_CONFFILE_H

#include <stddef.h>

#include "reportpipe/plugin.h"

/* inih 55 (Debian) reads lines with fgets into a 200-byte buffer. */
#define RP_INI_MAX_LINE 198

typedef struct rp_kv {
	char *key;
	char *value; /* continuation lines joined with '\n', ${ENV} expanded */
	int line;
	int used;    /* claimed by an option table */
} rp_kv;

typedef enum rp_section_kind {
	RP_SECTION_PIPELINE = 0,
	RP_SECTION_SOURCE = RP_KIND_SOURCE,
	RP_SECTION_FORMAT = RP_KIND_FORMATTER,
	RP_SECTION_SINK = RP_KIND_SINK
} rp_section_kind;

typedef struct rp_section {
	char *name;          /* "sink.archive" as written */
	const char *inst;    /* "archive" (points into name) */
	rp_section_kind kind;
	int line;
	rp_kv *kvs;
	size_t nkv;
} rp_section;

typedef struct rp_config {
	char *path;          /* as given */
	char *dir;           /* absolute directory of the file */
	rp_section *sections;
	size_t nsections;
} rp_config;

/* Loads and checks the file's shape (line lengths, section names,
 * duplicate sections and keys, environment references).  On error writes
 * "FILE:LINE: message" into err and returns RP_ERR_CONFIG or RP_ERR_IO. */
rp_status rp_config_load(const char *path, rp_config *cfg, char *err,
			 size_t errlen);
/* The same from text[0..len) as if read from path, which is not opened:
 * it names the file in messages and relative paths resolve against its
 * directory.  For tests and the fuzzer. */
rp_status rp_config_load_text(const char *path, const char *text, size_t len,
			      rp_config *cfg, char *err, size_t errlen);
void rp_config_free(rp_config *cfg);

rp_section *rp_config_find(rp_config *cfg, rp_section_kind kind,
			   const char *inst);
rp_kv *rp_section_get(rp_section *sec, const char *key);

const char *rp_section_kind_name(rp_section_kind kind); /* "sink" */

#endif
