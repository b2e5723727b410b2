/* register_changes.h - what changed between two credential reports of one
 * account: the events of the change ledger (formatter `changes`), in a
 * form the summaries can also show at their top.
 *
 * Part of the register library (link libregister.la); built on reg_model
 * only, so it sees the reports through the host services like any
 * third-party formatter. */
#ifndef REPORTPIPE_REGISTER_CHANGES_H
#define REPORTPIPE_REGISTER_CHANGES_H

#include <stddef.h>

#include "register.h"

/* In the order a user's events are listed.  The names (reg_event_name)
 * are the ledger's `event` column: stable, never renamed. */
typedef enum reg_event_kind {
	REG_EV_USER_DELETED = 0,       /* before a re-creation of the same name */
	REG_EV_USER_CREATED,
	REG_EV_PASSWORD_ENABLED,       /* console password */
	REG_EV_PASSWORD_DISABLED,
	REG_EV_MFA_ENABLED,
	REG_EV_MFA_DISABLED,
	REG_EV_KEY_CREATED,            /* slot had no key, now has one */
	REG_EV_KEY_ROTATED,            /* last_rotated changed */
	REG_EV_KEY_ACTIVATED,
	REG_EV_KEY_DEACTIVATED,
	REG_EV_KEY_DELETED,            /* slot had a key, now has none */
	REG_EV_CERT_ACTIVATED,
	REG_EV_CERT_DEACTIVATED,
	REG_EV_ROOT_USED,              /* root's password or a key used since */
	REG_EV_COUNT
} reg_event_kind;

typedef enum reg_event_what {
	REG_EV_WHAT_USER = 0,
	REG_EV_WHAT_PASSWORD,
	REG_EV_WHAT_KEY,
	REG_EV_WHAT_CERT
} reg_event_what;

typedef struct reg_event {
	reg_event_kind kind;
	/* The user's row: in the new report, or the old for user_deleted. */
	const reg_user *user;
	reg_event_what what;   /* which credential the times below are of */
	unsigned number;       /* key or certificate number, else 0 */
	reg_time from, to;     /* the time that changed (rotated, used, created) */
	reg_bool active;       /* key or certificate state in the new report */
	const char *region;    /* root_used of a key: its last use, else NULL */
	const char *service;
} reg_event;

typedef struct reg_changes {
	reg_event *events;     /* by user name (bytewise), kind, number */
	size_t n;
} reg_changes;

/* The events from before to after (two models of one account's reports,
 * before generated earlier).  Users are matched by name and arn: the same
 * name with another arn or creation time is a deletion and a creation.
 * Key and certificate slots are compared only when both reports have the
 * columns.  The events point into both models: keep them alive. */
rp_status reg_changes_diff(const reg_model *before, const reg_model *after,
			   reg_changes *out);
void reg_changes_free(reg_changes *c);

/* "access_key_rotated" */
const char *reg_event_name(reg_event_kind k);

/* One line saying what changed, in English, times in ISO 8601 UTC:
 * "access key 1: last rotated 2026-06-03T11:20:00Z -> 2026-12-01T09:00:00Z".
 * Returns the length it needed, as snprintf does.  The JSON document and
 * the English ledger use this. */
size_t reg_event_detail(char *buf, size_t n, const reg_event *e);
/* The same line in lang: "アクセスキー1をローテーション（2026-06-03T11:20:00Z
 * → 2026-12-01T09:00:00Z、有効）".  Times stay ISO 8601 UTC, as the
 * ledger's date column, and the report's sentinels (N/A, no_information)
 * stay as the CSV writes them. */
size_t reg_event_detail_lang(char *buf, size_t n, const reg_event *e,
			     reg_lang lang);

/* t as "2026-11-30T06:00:00Z"; buf holds at least 21 bytes.  Returns the
 * length, or 0 when t is no time gmtime_r can break down (buf then
 * holds "?"). */
size_t reg_format_iso8601(char *buf, size_t n, time_t t);

/* The event in words for people: "Access key rotated", "アクセスキーの
 * ローテーション"; reg_event_detail_lang says what changed. */
const char *reg_event_title(reg_lang lang, reg_event_kind k);

/* The ledger's first line (formatter `changes`), before any rows. */
#define REG_LEDGER_HEADER "date,account_id,user,event,detail"

/* ------------------------------------- the changes a summary shows */

typedef enum reg_recent_state {
	REG_RECENT_UNAVAILABLE = 0, /* the engine keeps no history (too old) */
	REG_RECENT_FIRST,           /* no previous report: the first in the history */
	REG_RECENT_FOUND            /* compared with the previous report */
} reg_recent_state;

/* What the summaries show at their top: the same events the `changes`
 * formatter lists, since the previous report of ds's source and account
 * (host->ds_previous). */
typedef struct reg_recent {
	reg_recent_state state;
	time_t previous_time;  /* REG_RECENT_FOUND: the previous report's generation time */
	reg_changes changes;   /* REG_RECENT_FOUND: the events, maybe none */
	reg_model before;      /* private: the events point into it */
} reg_recent;

/* Compares ds (already built as after) with its previous report.  Errors
 * are set on self; on failure *r is left empty and reg_recent_free is
 * still safe.  after must outlive *r. */
rp_status reg_recent_build(rp_instance *self, const rp_host *host,
			   const rp_dataset *ds, const reg_model *after,
			   reg_recent *r);
void reg_recent_free(reg_recent *r);

/* What every summary (and json, and changes) starts from: the model of
 * ds with some thresholds, and its changes since the previous report.
 * Read only: it is built once per dataset and thresholds and shared
 * through the engine's per-dataset cache (host->ds_cache_put), so every
 * formatter of a run that asks with the same thresholds gets the same
 * one. */
typedef struct reg_summary {
	reg_model model;
	reg_recent recent;     /* its events point into model and recent.before */
	int owned;             /* private: not in the cache, release frees it */
} reg_summary;

/* The cache key names the layout of reg_summary and of everything it
 * points to (reg_model, reg_user, reg_key, reg_cert, reg_hit, reg_recent,
 * reg_event): every plugin links its own copy of this library, and only
 * the same layout may read another's entry.  Raise it whenever one of
 * those structs, or what a field means, changes.  The key also holds the
 * sizes of the main structs and the thresholds. */
#define REG_SUMMARY_LAYOUT 1

/* The summary of ds with thresholds th.  Errors are set on self; on
 * failure *out is NULL.  Release it with reg_summary_release (the cached
 * one stays the engine's until it is done with ds). */
rp_status reg_summary_get(rp_instance *self, const rp_host *host,
			  const rp_dataset *ds, const reg_thresholds *th,
			  const reg_summary **out);
/* The same with the section's thresholds (REG_THRESHOLD_OPTIONS). */
rp_status reg_summary_build(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, const reg_summary **out);
void reg_summary_release(const reg_summary *s);

/* The [format.NAME] of a change ledger already rendered for ds in this
 * run (a `changes` section before the caller's), or NULL: where a summary
 * that lists only some changes sends its reader for all of them. */
const char *reg_ledger_rendered(rp_instance *self, const rp_host *host,
				const rp_dataset *ds);

/* The line under a list of changes cut at shown of total: how many there
 * are and where all of them are (ledger from reg_ledger_rendered, or
 * NULL: the `changes` format lists them).  Returns the length it needed,
 * as snprintf does. */
size_t reg_changes_cut_note(char *buf, size_t n, reg_lang lang, size_t shown,
			    size_t total, const char *ledger);

#endif
