/* log.c - the engine's diagnostics on stderr, and status texts. */
#include "config.h"

#include <stdio.h>

#include "log.h"

static rp_log_level threshold = RP_LOG_WARN;

void rp_log_set_level(rp_log_level level)
{
	threshold = level;
}

rp_log_level rp_log_get_level(void)
{
	return threshold;
}

void rp_vlog(rp_log_level level, const char *where, const char *fmt,
	     va_list ap)
{
	static const char *const names[] = {"error: ", "warning: ", "", ""};

	if (level > threshold)
		return;
	/* One fprintf per part; stderr is unbuffered, so build the line first
	 * to keep concurrent writers (cron mail, journald) from interleaving. */
	char line[4096];
	int n = snprintf(line, sizeof(line), "reportpipe: %s%s%s", names[level],
			 where ? where : "", where ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void rp_log(rp_log_level level, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rp_vlog(level, where, fmt, ap);
	va_end(ap);
}

const char *rp_status_str(rp_status st)
{
	switch (st) {
	case RP_OK: return "success";
	case RP_ERR_NOMEM: return "out of memory";
	case RP_ERR_INVALID: return "invalid argument";
	case RP_ERR_CONFIG: return "configuration error";
	case RP_ERR_IO: return "input/output error";
	case RP_ERR_PARSE: return "malformed input";
	case RP_ERR_NOT_FOUND: return "not found";
	case RP_ERR_EXISTS: return "destination exists with different content";
	case RP_ERR_ABI: return "plugin ABI mismatch";
	case RP_ERR_UNSUPPORTED: return "not supported";
	case RP_ERR_NETWORK: return "network error";
	case RP_ERR_REMOTE: return "the server reported an error";
	case RP_ERR_TIMEOUT: return "timed out";
	case RP_ERR_AUTH: return "authentication failed";
	case RP_ERR_LIMIT: return "limit exceeded";
	case RP_ERR_INTERRUPTED: return "interrupted";
	case RP_ERR_INTERNAL: return "internal error";
	case RP_ERR_PARTIAL: return "failed in part";
	}
	return "unknown status";
}
