/* spool.h - what was not delivered yet, kept on disk for the next run.
 *
 * A spool entry is written before any sink is called (write-ahead) and
 * holds the dataset, its artifacts and the sinks still to deliver; a sink
 * that succeeds is crossed off, and an entry with none left is removed.
 * So a crash at any point leaves each artifact delivered or spooled. */
#ifndef RP_SPOOL_H
#define RP_SPOOL_H

#include "dataset.h"
#include "reportpipe/plugin.h"
#include "util.h"

typedef struct rp_spooled_artifact {
	char *format;        /* [format.NAME] it came from */
	char *media_type;
	char *extension;
	char *data;
	size_t len;
} rp_spooled_artifact;

typedef struct rp_spool_entry {
	char *dir;           /* state_dir/spool/ID */
	char *id;
	rp_dataset *ds;      /* as it was when spooled */
	rp_spooled_artifact *arts;
	size_t narts;
	char **pending;      /* sink names still to deliver */
	size_t npending;
} rp_spool_entry;

/* Writes an entry atomically (temporary directory, fsync, rename).  arts
 * and pending describe what to keep; *dir (free()) names the entry.  Its
 * dataset.csv is a hard link to the first artifact that holds exactly
 * what rp_dataset_to_csv would write (a csv artifact usually does), and
 * is written only when none does or the link fails.  Files in an entry
 * are never changed, only removed with it. */
rp_status rp_spool_write(const char *state_dir, const rp_dataset *ds,
			 const rp_spooled_artifact *arts, size_t narts,
			 const char *const *pending, size_t npending, char **dir,
			 char *err, size_t errlen);
/* Crosses sink off; removes the entry when nothing is left. */
rp_status rp_spool_done(const char *dir, const char *sink, char *err,
			size_t errlen);
/* Entry directories, oldest first. */
rp_status rp_spool_list(const char *state_dir, char ***dirs, size_t *n);
rp_status rp_spool_load(const char *dir, rp_spool_entry *e, char *err,
			size_t errlen);
void rp_spool_entry_free(rp_spool_entry *e);

/* mkdir -p with mode for each created level. */
rp_status rp_mkdirs(const char *path, unsigned mode, char *err, size_t errlen);

/* The lock against overlapping runs: state_dir/lock, held with flock(2)
 * for the life of the process, so a crashed run leaves no stale lock.
 * RP_ERR_EXISTS when another process holds it (err names its pid). */
rp_status rp_lock_acquire(const char *state_dir, int *fd, char *err,
			  size_t errlen);
void rp_lock_release(int fd);

#endif
