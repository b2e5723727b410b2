/* options.h - binds a section of the pipeline file to an option table:
 * validation, defaults and typed values.  Plugins never parse keys. */
#ifndef RP_OPTIONS_H
#define RP_OPTIONS_H

#include "conffile.h"
#include "reportpipe/plugin.h"

typedef struct rp_optval {
	const rp_option *def;
	int is_set;       /* given in the file (not a default) */
	int line;         /* where, when is_set */
	char *text;       /* the value: paths resolved, NULL when unset */
	int64_t i;        /* INT, DURATION, SIZE */
	int b;            /* BOOL */
	rp_list list;     /* LIST; items point into the items array */
	char **items;
} rp_optval;

typedef struct rp_optset {
	rp_optval *v;
	size_t n;
} rp_optset;

/* Binds every option of table to sec: required keys present, values
 * parsed by type, defaults applied, paths resolved against config_dir,
 * templates checked.  Marks the keys it consumed as used.  owner names
 * what the table belongs to in messages ("plugin 'file'").  On error err
 * holds "FILE:LINE: [section] key: what is wrong; what to do". */
rp_status rp_options_bind(const rp_option *table, rp_section *sec,
			  const rp_config *cfg, const char *owner,
			  rp_optset *out, char *err, size_t errlen);

/* Reports the first key of sec that is neither in table nor in extra_keys
 * (NULL-terminated), with a "did you mean".  Run it before binding, so a
 * misspelt required key reads as a typo, not as a missing option. */
rp_status rp_options_reject_unknown(const rp_option *table,
				    const char *const *extra_keys,
				    rp_section *sec, const rp_config *cfg,
				    const char *owner, char *err, size_t errlen);

const rp_optval *rp_optset_get(const rp_optset *set, const char *key);
void rp_optset_free(rp_optset *set);

/* Parses a value of a given type the way the file's values are parsed
 * (used for defaults, so a bad default is caught by the tests). */
const char *rp_option_type_name(rp_option_type type);

/* Splits "a, b,\n c" into trimmed non-empty items. */
rp_status rp_split_list(const char *text, char ***items, size_t *count);

#endif
