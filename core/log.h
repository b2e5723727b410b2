/* log.h - the engine's diagnostics on stderr: levels, verbosity and the
 * "reportpipe: section: message" shape every message has. */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stdarg.h>

#include "reportpipe/plugin.h"

/* Messages above this level are dropped.  Default RP_LOG_WARN: silent on
 * success, as cron wants. */
void rp_log_set_level(rp_log_level level);
rp_log_level rp_log_get_level(void);

/* where: "sink.archive", a file name, or NULL. */
void rp_log(rp_log_level level, const char *where, const char *fmt, ...)
	RP_PRINTF(3, 4);
void rp_vlog(rp_log_level level, const char *where, const char *fmt,
	     va_list ap) RP_PRINTF(3, 0);

const char *rp_status_str(rp_status st);

#endif
