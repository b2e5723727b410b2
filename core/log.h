/* log.h - the engine's diagnostics: levels, verbosity, where they go
 * (stderr or syslog) and their shape ("reportpipe: section: message", or
 * one JSON object per line). */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stdarg.h>

#include "reportpipe/plugin.h"

/* Messages above this level are dropped.  Default RP_LOG_WARN: silent on
 * success, as cron wants. */
void rp_log_set_level(rp_log_level level);
rp_log_level rp_log_get_level(void);

typedef enum rp_log_format {
	RP_LOG_FORMAT_TEXT = 0, /* reportpipe: error: sink.archive: message */
	RP_LOG_FORMAT_JSON = 1  /* {"time","level","pipeline","where","message"} */
} rp_log_format;

/* --log-format.  With syslog, JSON is the syslog message's text. */
void rp_log_set_format(rp_log_format format);
/* The JSON "pipeline" from now on (NULL: null, before the file is read). */
rp_status rp_log_set_pipeline(const char *name);
/* Syslog facility code of "user", "daemon", "local0".."local7" ...; -1
 * for an unknown name. */
int rp_log_facility_code(const char *name);
/* From now on messages go to the local syslog socket (/dev/log; the test
 * hook RP_SYSLOG_SOCKET names another) as ident[pid] with the facility;
 * when it cannot be reached, to stderr after one warning.  Call it
 * before threads start. */
rp_status rp_log_use_syslog(const char *ident, int facility);
/* Back to stderr; frees the state. */
void rp_log_close(void);

/* where: "sink.archive", a file name, or NULL. */
void rp_log(rp_log_level level, const char *where, const char *fmt, ...)
	RP_PRINTF(3, 4);
void rp_vlog(rp_log_level level, const char *where, const char *fmt,
	     va_list ap) RP_PRINTF(3, 0);

const char *rp_status_str(rp_status st);

#endif
