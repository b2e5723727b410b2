/* dataset.h - the dataset: a parsed table plus its metadata, and the typed
 * accessors for credential-report cells. */
#ifndef RP_DATASET_H
#define RP_DATASET_H

#include "csv.h"
#include "util.h"
#include "reportpipe/plugin.h"

/* What formatters derived from a dataset and left for each other
 * (host->ds_cache_put): a short list, a handful of keys per dataset. */
typedef struct rp_ds_cache_entry {
	struct rp_ds_cache_entry *next;
	char *key;
	void *data;
	void (*free_fn)(void *data);
} rp_ds_cache_entry;

struct rp_dataset {
	rp_csv_table table;
	rp_dataset_meta meta;  /* strings below are owned */
	char *source;
	char *account_id;
	char *partition;
	char *origin;          /* file path or URL, for messages */
	rp_ds_cache_entry *cache;
};

/* Parses CSV; on failure writes "ORIGIN:LINE:COL: message" into err. */
rp_status rp_dataset_from_csv(const char *data, size_t len, const char *origin,
			      const char *source, rp_dataset **out, char *err,
			      size_t errlen);
/* rp_dataset_from_csv over a buffer it takes (rp_csv_parse_inplace): the
 * CSV is the len bytes at base + 1; base is freed with the dataset, or at
 * once on error. */
rp_status rp_dataset_from_csv_inplace(char *base, size_t len,
				      const char *origin, const char *source,
				      rp_dataset **out, char *err,
				      size_t errlen);
/* NULL account_id/partition: derived from the arn column; rows must agree. */
rp_status rp_dataset_set_meta(rp_dataset *ds, const char *account_id,
			      const char *partition, time_t generated,
			      char *err, size_t errlen);
void rp_dataset_free(rp_dataset *ds);

/* The formatters' cache of ds (host->ds_cache_get, ds_cache_put): NULL
 * when key is absent; put returns RP_ERR_EXISTS for a taken key and on
 * any error leaves data the caller's.  Clearing calls each free_fn. */
void *rp_dataset_cache_get(const rp_dataset *ds, const char *key);
rp_status rp_dataset_cache_put(rp_dataset *ds, const char *key, void *data,
			       void (*free_fn)(void *data));
void rp_dataset_cache_clear(rp_dataset *ds);

long rp_dataset_column(const rp_dataset *ds, const char *name);
const char *rp_dataset_cell(const rp_dataset *ds, size_t row, size_t col);
rp_cell_kind rp_dataset_cell_bool(const rp_dataset *ds, size_t row, size_t col,
				  int *out);
rp_cell_kind rp_dataset_cell_time(const rp_dataset *ds, size_t row, size_t col,
				  time_t *out);
int rp_dataset_row_is_root(const rp_dataset *ds, size_t row);

/* The table as CSV (LF line ends), for the spool and the history. */
rp_status rp_dataset_to_csv(const rp_dataset *ds, rp_buf *b);
/* Are the len bytes at data exactly what rp_dataset_to_csv writes for ds?
 * Compared as it goes, without writing anything: a csv artifact often is,
 * and then the spool stores it once. */
int rp_dataset_csv_equals(const rp_dataset *ds, const void *data, size_t len);

/* The sentinel kinds shared by every typed accessor. */
rp_cell_kind rp_cell_sentinel(const char *text);
/* ISO 8601 "2019-08-15T01:02:03+00:00" (also "Z", fractional seconds). */
int rp_parse_iso8601(const char *text, time_t *out);

#endif
