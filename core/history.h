/* history.h - earlier reports, kept per source and account so formatters
 * can tell what changed since last time. */
#ifndef RP_HISTORY_H
#define RP_HISTORY_H

#include "dataset.h"

/* Saves ds as state_dir/history/SOURCE/ACCOUNT/GENERATED.csv (atomically,
 * 0600) and removes the oldest beyond keep.  keep 0: saves nothing.
 * from, if not NULL, is a file that already holds ds as
 * rp_dataset_to_csv writes it, synced and never changed (the spool
 * entry's dataset.csv): it is hard-linked instead of writing the table
 * again, which is done only when the link fails. */
rp_status rp_history_save(const char *state_dir, const rp_dataset *ds,
			  long keep, const char *from, char *err,
			  size_t errlen);

/* The newest report of ds's source and account generated at or before
 * ds (the same report when it ran before: a re-run has no changes), or
 * *prev NULL when there is none. */
rp_status rp_history_previous(const char *state_dir, const rp_dataset *ds,
			      rp_dataset **prev, char *err, size_t errlen);

#endif
