/* log.c - the engine's diagnostics: on stderr as text or JSON lines, or to
 * the local syslog socket; and status texts.
 *
 * Syslog is written here (RFC 3164's local form, one datagram per message)
 * rather than through syslog(3): glibc hard-codes /dev/log, so the code
 * that runs in production could not be tested without a syslog daemon, and
 * syslog(3) drops a message silently when no daemon listens, where this
 * falls back to stderr so cron still mails the error. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define SYSLOG_SOCKET "/dev/log"

static rp_log_level threshold = RP_LOG_WARN;
static rp_log_format format = RP_LOG_FORMAT_TEXT;
static char *pipeline;           /* the JSON "pipeline"; NULL before the file */

/* Syslog state: set up by the main thread before any worker starts; the
 * socket is (re)connected under the lock, as sources log from threads. */
static pthread_mutex_t syslog_lock = PTHREAD_MUTEX_INITIALIZER;
static int use_syslog;
static char *syslog_ident;
static int syslog_facility;
static int syslog_fd = -1;
static int syslog_failed_said;

void rp_log_set_level(rp_log_level level)
{
	threshold = level;
}

rp_log_level rp_log_get_level(void)
{
	return threshold;
}

void rp_log_set_format(rp_log_format f)
{
	format = f;
}

rp_status rp_log_set_pipeline(const char *name)
{
	char *copy = name ? rp_strdup(name) : NULL;

	if (name && !copy)
		return RP_ERR_NOMEM;
	free(pipeline);
	pipeline = copy;
	return RP_OK;
}

int rp_log_facility_code(const char *name)
{
	static const char *const names[] = {"user", "daemon", "auth", "local0",
					    "local1", "local2", "local3", "local4",
					    "local5", "local6", "local7"};
	static const int codes[] = {1, 3, 4, 16, 17, 18, 19, 20, 21, 22, 23};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return codes[i];
	return -1;
}

rp_status rp_log_use_syslog(const char *ident, int facility)
{
	char *id = rp_strdup(ident && *ident ? ident : "reportpipe");

	if (!id)
		return RP_ERR_NOMEM;
	/* The tag ends at the first character that is not part of a name;
	 * a pipeline called "a b: c" must not forge another tag. */
	for (char *p = id; *p; p++)
		if (!(*p == '-' || *p == '_' || *p == '.' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			*p = '_';
	pthread_mutex_lock(&syslog_lock);
	free(syslog_ident);
	syslog_ident = id;
	syslog_facility = facility;
	use_syslog = 1;
	pthread_mutex_unlock(&syslog_lock);
	return RP_OK;
}

void rp_log_close(void)
{
	pthread_mutex_lock(&syslog_lock);
	if (syslog_fd >= 0)
		close(syslog_fd);
	syslog_fd = -1;
	use_syslog = 0;
	free(syslog_ident);
	syslog_ident = NULL;
	pthread_mutex_unlock(&syslog_lock);
	free(pipeline);
	pipeline = NULL;
}

/* Under syslog_lock.  RP_SYSLOG_SOCKET is a test hook: the tests listen on
 * a socket of their own instead of the system's /dev/log. */
static int syslog_connect(void)
{
	const char *path = getenv("RP_SYSLOG_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!path || !*path)
		path = SYSLOG_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (syslog_fd < 0)
		return -1;
	if (connect(syslog_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	close(syslog_fd);
	syslog_fd = -1;
	return -1;
}

/* One datagram "<PRI>Mmm dd hh:mm:ss ident[pid]: msg".  0 when sent; -1
 * with the reason in why when the socket cannot be reached. */
static int syslog_send(rp_log_level level, const char *msg, char *why,
		       size_t whylen)
{
	static const int severity[] = {3, 4, 6, 7}; /* err warning info debug */
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *dgram;
	int rc = -1;

	/* RFC 3164 stamps in local time, as syslog(3) does; the local
	 * daemons (rsyslog, journald) use their receive time anyway. */
	if (!localtime_r(&now, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm))
		strcpy(stamp, "Jan  1 00:00:00");
	pthread_mutex_lock(&syslog_lock);
	dgram = rp_asprintf("<%d>%s %s[%ld]: %s", syslog_facility * 8 + severity[level],
			    stamp, syslog_ident, (long)getpid(), msg);
	if (!dgram) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* Twice: the daemon may have restarted since the last message. */
	for (int attempt = 0; attempt < 2 && rc; attempt++) {
		if (syslog_fd < 0 && syslog_connect())
			continue;
		if (send(syslog_fd, dgram, strlen(dgram), MSG_NOSIGNAL) >= 0) {
			rc = 0;
		} else {
			close(syslog_fd);
			syslog_fd = -1;
		}
	}
	if (rc)
		snprintf(why, whylen, "%s", strerror(errno));
out:
	pthread_mutex_unlock(&syslog_lock);
	free(dgram);
	return rc;
}

/* s with every invalid UTF-8 sequence replaced by U+FFFD, so a message
 * quoting a hostile file name still makes a valid JSON string. */
static char *utf8_clean(const char *s)
{
	rp_buf b = {0};
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2
			 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		unsigned long cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
		size_t i;

		for (i = 1; n && i < n && (p[i] & 0xc0) == 0x80; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		if (n == 1 ||
		    (n > 1 && i == n &&
		     cp >= (n == 2 ? 0x80ul : n == 3 ? 0x800ul : 0x10000ul) &&
		     cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff))) {
			if (rp_buf_append(&b, p, n))
				goto nomem;
			p += n;
		} else {
			if (rp_buf_puts(&b, "\xef\xbf\xbd"))
				goto nomem;
			p += i ? i : 1;
		}
	}
	return rp_buf_steal(&b);
nomem:
	rp_buf_free(&b);
	return NULL;
}

/* {"time":..., "level":..., "pipeline":..., "where":..., "message":...} */
static char *json_line(rp_log_level level, const char *where, const char *msg)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	struct timespec ts;
	struct tm tm;
	char stamp[80], *clean = utf8_clean(msg), *line = NULL;
	json_t *o;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	o = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "time", stamp, "level",
		      names[level], "pipeline", pipeline, "where", where,
		      "message", clean ? clean : "(out of memory)");
	if (o)
		line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(clean);
	return line;
}

/* One write per line on stderr, so threads never interleave. */
static void stderr_line(rp_log_level level, const char *where, const char *msg)
{
	static const char *const names[] = {"error: ", "warning: ", "", ""};
	char *line;

	if (format == RP_LOG_FORMAT_JSON) {
		char *json = json_line(level, where, msg);

		line = json ? rp_asprintf("%s\n", json) : NULL;
		free(json);
	} else {
		line = rp_asprintf("reportpipe: %s%s%s%s\n", names[level],
				   where ? where : "", where ? ": " : "", msg);
	}
	fputs(line ? line : "reportpipe: out of memory\n", stderr);
	free(line);
}

void rp_vlog(rp_log_level level, const char *where, const char *fmt,
	     va_list ap)
{
	rp_buf b = {0};
	char *msg, *line, why[256];
	int said;

	if (level > threshold)
		return;
	msg = rp_buf_vprintf(&b, fmt, ap) ? NULL : rp_buf_steal(&b);
	rp_buf_free(&b);
	if (!msg) {
		fputs("reportpipe: out of memory\n", stderr);
		return;
	}
	if (use_syslog) {
		line = format == RP_LOG_FORMAT_JSON
			       ? json_line(level, where, msg)
			       : rp_asprintf("%s%s%s", where ? where : "",
					     where ? ": " : "", msg);
		snprintf(why, sizeof(why), "out of memory");
		if (line && syslog_send(level, line, why, sizeof(why)) == 0) {
			free(line);
			free(msg);
			return;
		}
		free(line);
		/* Never lose a message: say once why, then use stderr. */
		pthread_mutex_lock(&syslog_lock);
		said = syslog_failed_said++;
		pthread_mutex_unlock(&syslog_lock);
		if (!said && RP_LOG_WARN <= threshold) {
			const char *path = getenv("RP_SYSLOG_SOCKET");
			char *warn = rp_asprintf("cannot send to %s (%s); logging to stderr",
						 path && *path ? path : SYSLOG_SOCKET,
						 why);

			stderr_line(RP_LOG_WARN, "syslog", warn ? warn : "out of memory");
			free(warn);
		}
	}
	stderr_line(level, where, msg);
	free(msg);
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
