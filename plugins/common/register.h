/* register.h - the credential register shared by the summary formatters
 * (html_summary, text_summary, json): a typed model of one IAM credential
 * report, the CIS AWS Foundations Benchmark v3.0 findings on it, and the
 * fixed words and dates both summaries print in English and Japanese.
 *
 * Built from a dataset through the host services only, so a third-party
 * formatter can link this library too.  Every age is counted to the
 * report's generation time, never to the clock: the same report always
 * gives the same findings. */
#ifndef REPORTPIPE_REGISTER_H
#define REPORTPIPE_REGISTER_H

#include <stddef.h>
#include <time.h>

#include <reportpipe/plugin.h>

/* The thresholds' defaults, in days. */
#define REG_DEFAULT_ROOT_USE_DAYS 30
#define REG_DEFAULT_UNUSED_DAYS 45
#define REG_DEFAULT_ROTATION_DAYS 90
#define REG_STR_(x) #x
#define REG_STR(x) REG_STR_(x)

/* The thresholds, as option rows: put REG_THRESHOLD_OPTIONS in the option
 * table and pass the instance to reg_thresholds_read. */
#define REG_THRESHOLD_OPTIONS \
	{.key = "root_use_days", .type = RP_OPT_INT, \
	 .default_value = REG_STR(REG_DEFAULT_ROOT_USE_DAYS), \
	 .min = 1, .max = 3650, \
	 .description = "root signed in or used a key this many days before the report or less: a finding (CIS 1.7)"}, \
	{.key = "unused_days", .type = RP_OPT_INT, \
	 .default_value = REG_STR(REG_DEFAULT_UNUSED_DAYS), \
	 .min = 1, .max = 3650, \
	 .description = "password or active access key unused this many days or more: a finding (CIS 1.12)"}, \
	{.key = "rotation_days", .type = RP_OPT_INT, \
	 .default_value = REG_STR(REG_DEFAULT_ROTATION_DAYS), \
	 .min = 1, .max = 3650, \
	 .description = "active access key created more than this many days before the report: a finding (CIS 1.14)"}

/* An access key counts as created with its user when created this close
 * to the user (CIS 1.11: keys made in the same setup step). */
#define REG_SETUP_WINDOW_SECONDS 3600

typedef enum reg_lang {
	REG_LANG_EN = 0,
	REG_LANG_JA = 1,
	REG_LANG_COUNT
} reg_lang;

typedef enum reg_severity {
	REG_SEV_CRITICAL = 0,
	REG_SEV_HIGH,
	REG_SEV_MEDIUM,
	REG_SEV_LOW,
	REG_SEV_INFO,
	REG_SEV_COUNT
} reg_severity;

/* In the order the summaries list them: by severity, then CIS number. */
typedef enum reg_check {
	REG_CHECK_ROOT_NO_MFA = 0,   /* CIS 1.5 */
	REG_CHECK_ROOT_KEYS,         /* CIS 1.4 */
	REG_CHECK_ROOT_USED,         /* CIS 1.7 */
	REG_CHECK_CONSOLE_NO_MFA,    /* CIS 1.10 */
	REG_CHECK_UNUSED,            /* CIS 1.12 */
	REG_CHECK_ROTATION,          /* CIS 1.14 */
	REG_CHECK_MULTIPLE_KEYS,     /* CIS 1.13 */
	REG_CHECK_KEY_AT_SETUP,      /* CIS 1.11 */
	REG_CHECK_SIGNING_CERT,      /* no CIS recommendation */
	REG_CHECK_COUNT
} reg_check;

typedef struct reg_check_info {
	const char *id;          /* stable machine name, e.g. "root_mfa_missing" */
	const char *cis;         /* "1.5", or NULL: no CIS recommendation */
	reg_severity severity;
	/* "{N}" stands for the check's threshold in days. */
	const char *title[REG_LANG_COUNT];
} reg_check_info;

typedef struct reg_thresholds {
	int root_use_days;
	int unused_days;
	int rotation_days;
} reg_thresholds;

/* A cell read as a time or a boolean: the value only when kind is
 * RP_CELL_VALUE, else which sentinel (or empty, or invalid) it held. */
typedef struct reg_time {
	rp_cell_kind kind;
	time_t t;
} reg_time;

typedef struct reg_bool {
	rp_cell_kind kind;
	int on;
} reg_bool;

typedef struct reg_key {
	unsigned number;          /* N of access_key_N_* */
	int exists;               /* active, or has a creation time */
	reg_bool active;
	reg_time last_rotated;    /* created or last changed */
	reg_time last_used;
	const char *region;       /* cell text; "" when the column is absent */
	const char *service;
} reg_key;

typedef struct reg_cert {
	unsigned number;          /* N of cert_N_* */
	int exists;
	reg_bool active;
	reg_time last_rotated;
} reg_cert;

typedef struct reg_user {
	size_t row;               /* in the dataset */
	const char *name;
	const char *arn;
	int root;
	reg_time created;
	reg_bool password_enabled;
	reg_time password_last_used;
	reg_time password_last_changed;
	reg_time password_next_rotation;
	reg_bool mfa_active;
	reg_key *keys;            /* model.nkeys of them, in key number order */
	reg_cert *certs;          /* model.ncerts of them */
	unsigned checks;          /* bit (1u << reg_check) per finding */
} reg_user;

typedef enum reg_credential {
	REG_CRED_USER = 0,        /* the user as a whole */
	REG_CRED_PASSWORD,
	REG_CRED_KEY,
	REG_CRED_CERT
} reg_credential;

/* One credential that makes a finding; several may share a check and
 * user (both keys too old, say). */
typedef struct reg_hit {
	reg_check check;
	size_t user;              /* index into model.users */
	reg_credential credential;
	unsigned number;          /* key or certificate number */
	long days;                /* the age that matters, -1 when none */
	int never_used;           /* CIS 1.12: days counts from creation */
} reg_hit;

typedef struct reg_counts {
	size_t users;             /* every row but the root user's */
	size_t console_users;     /* password enabled */
	size_t console_users_mfa; /* ... and MFA active */
	size_t active_keys;       /* every active access key, root's too */
	int root_present;         /* the report has the root user's row */
	size_t checks_users[REG_CHECK_COUNT];   /* users with each finding */
	size_t findings[REG_SEV_COUNT];         /* (check, user) pairs */
} reg_counts;

typedef struct reg_model {
	time_t now;               /* the report's generation time */
	reg_thresholds th;
	reg_user *users;          /* every row, in report order */
	size_t nusers;
	size_t nkeys;             /* access key slots found in the header */
	unsigned *key_numbers;    /* N of each slot, ascending */
	size_t ncerts;            /* certificate slots */
	unsigned *cert_numbers;
	reg_hit *hits;            /* by check, then report order */
	size_t nhits;
	reg_counts counts;
	/* private */
	reg_key *key_block;
	reg_cert *cert_block;
} reg_model;

/* Adds c's user, key and finding counts to sum (a run's total). */
void reg_counts_add(reg_counts *sum, const reg_counts *c);

/* Reads REG_THRESHOLD_OPTIONS of the instance. */
void reg_thresholds_read(const rp_host *host, const rp_instance *self,
			 reg_thresholds *th);

/* Builds the model of ds.  Errors are set on self with host->set_error;
 * on failure *m is left empty and reg_model_free is still safe. */
rp_status reg_model_build(rp_instance *self, const rp_host *host,
			  const rp_dataset *ds, const reg_thresholds *th,
			  reg_model *m);
void reg_model_free(reg_model *m);

const reg_check_info *reg_check_get(reg_check c);
/* Nonzero for the checks of the root user, which say nothing when the
 * report lacks its row (counts.root_present). */
int reg_check_is_root(reg_check c);
/* The threshold of a check in days, or -1 when it has none. */
int reg_check_threshold(reg_check c, const reg_thresholds *th);
/* Whole days from t to the report's generation time (0 when later). */
long reg_days_before(const reg_model *m, time_t t);

/* ---------------------------------------------------- words and dates */

typedef enum reg_word {
	REG_W_TITLE = 0,          /* "IAM credential report" */
	REG_W_PIPELINE,
	REG_W_ACCOUNT,
	REG_W_GENERATED,
	REG_W_AGE,
	REG_W_USERS,
	REG_W_USERS_NOTE,         /* "root not counted" */
	REG_W_CONSOLE_USERS,
	REG_W_MFA_COVERAGE,
	REG_W_ACTIVE_KEYS,
	REG_W_FINDINGS,
	REG_W_CHECKS,
	REG_W_NO_FINDING,
	REG_W_NOT_CHECKED,        /* root checks without a root row */
	REG_W_NO_CIS,
	REG_W_SEVERITY,
	REG_W_REFERENCE,
	REG_W_CHECK,
	REG_W_AFFECTED,
	REG_W_PASSWORD,
	REG_W_ACCESS_KEY,         /* followed by " N" */
	REG_W_CERTIFICATE,
	REG_W_DAYS_OLD,           /* "{N} days old" */
	REG_W_DAYS_UNUSED,        /* "unused {N} days" */
	REG_W_NEVER_USED_FOR,     /* "never used, created {N} days ago" */
	REG_W_DAYS_AGO,           /* "used {N} days ago" */
	REG_W_AGES_NOTE,          /* ages counted to the generation time */
	REG_W_CHANGES,            /* "Changes since the previous report" */
	REG_W_NO_PREVIOUS,        /* the first report in the history */
	REG_W_NO_CHANGES,
	REG_W_USER,
	REG_W_EVENT,
	REG_W_DETAIL,
	REG_W_COUNT
} reg_word;

const char *reg_word_text(reg_lang lang, reg_word w);
const char *reg_severity_name(reg_lang lang, reg_severity s);
/* reg_severity_name in English, lower case: the JSON value. */
const char *reg_severity_id(reg_severity s);

/* "en" or "ja" (the lang option's values); anything else is English. */
reg_lang reg_lang_parse(const char *name);

/* Copies text into buf (size n, always terminated), each "{N}" replaced
 * by num, "{M}" by num2 and "{s}" by "s" unless num is 1.  Returns the
 * length it needed, as snprintf does. */
size_t reg_fill(char *buf, size_t n, const char *text, long num, long num2);

/* The check's title with its threshold filled in. */
size_t reg_check_title(char *buf, size_t n, reg_check c, reg_lang lang,
		       const reg_thresholds *th);
/* What a hit names: "access key 1, 274 days old". */
size_t reg_hit_detail(char *buf, size_t n, const reg_hit *h, reg_lang lang);

/* Dates as each language writes them: en "30 Nov 2026", ja "2026年11月30日";
 * with time "30 Nov 2026 15:00" / "2026年11月30日 15:00".  utc nonzero: in
 * UTC, else in the process's time zone (the pipeline's timezone). */
size_t reg_format_date(char *buf, size_t n, time_t t, reg_lang lang, int utc);
size_t reg_format_datetime(char *buf, size_t n, time_t t, reg_lang lang,
			   int utc);
/* reg_format_date in the process's time zone, for many dates in a row
 * (a register's four a user).  The cache remembers the zone's offset from
 * UTC at the start of each UTC day it has seen: one localtime_r call a
 * day instead of one a date.  Zero it before the first use; it belongs
 * to one caller (no locking) and one time zone (the pipeline's, set for
 * the whole run). */
typedef struct reg_date_midnight {
	long long day;    /* UTC day since 1970, + 1 (0: empty) */
	long offset;      /* seconds east of UTC at its first second */
	int known;        /* 0: localtime_r failed */
} reg_date_midnight;

typedef struct reg_date_cache {
	reg_date_midnight slot[4096];
} reg_date_cache;
size_t reg_format_local_date(reg_date_cache *c, char *buf, size_t n, time_t t,
			     reg_lang lang);
/* The local zone's abbreviation at t ("JST"). */
size_t reg_format_zone(char *buf, size_t n, time_t t);
/* A span of seconds as "21 hours", "3 days", "40 minutes" (localized). */
size_t reg_format_span(char *buf, size_t n, long long seconds, reg_lang lang);
/* The report's age when this run started: "21 hours before this run". */
size_t reg_format_report_age(char *buf, size_t n, time_t generated,
			     time_t run_time, reg_lang lang);
/* "3 of 6 (50%)", or "none" when total is 0. */
size_t reg_format_coverage(char *buf, size_t n, size_t have, size_t total,
			   reg_lang lang);

#endif
