/* template.h - {placeholder} expansion in option values: file paths, S3
 * keys and mail subjects. */
#ifndef RP_TEMPLATE_H
#define RP_TEMPLATE_H

#include <stddef.h>
#include <time.h>

#include "reportpipe/plugin.h"

typedef struct rp_template_ctx {
	const char *pipeline;
	const char *source;
	const char *account_id;
	const char *format;
	const char *ext;
	time_t date;   /* the report's generated time */
	time_t now;    /* the run's start */
} rp_template_ctx;

/* Checks every placeholder is known and every brace is matched, without
 * expanding.  err gets a sentence naming the bad placeholder. */
rp_status rp_template_check(const char *tmpl, char *err, size_t errlen);

/* Expands into a new string (free()).  Dates use the local time zone,
 * which the engine sets from [pipeline] timezone. */
rp_status rp_template_expand(const char *tmpl, const rp_template_ctx *ctx,
			     char **out, char *err, size_t errlen);

#endif
