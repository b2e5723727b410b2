/* smtp.c - sink plugin: the composed message to an SMTP submission server
 * with libcurl, over STARTTLS (smtp://host:587) or implicit TLS
 * (smtps://host:465), the certificate always verified.
 *
 * The host composes the message (RP_MAIL_OPTIONS); this file only knows
 * SMTP: where to connect, how to log in, and how to turn a refusal into a
 * sentence that quotes the server's reply.  The password is never logged:
 * the protocol trace (at debug level) blanks the AUTH exchange and never
 * shows the message itself. */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reportpipe/plugin.h>

#define MAX_FILE_BYTES (16u * 1024 * 1024)

static const rp_option options[] = {
	{.key = "url", .type = RP_OPT_STRING, .flags = RP_OPT_REQUIRED,
	 .description = "server: smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)"},
	{.key = "starttls", .type = RP_OPT_ENUM, .choices = "required|optional",
	 .default_value = "required",
	 .description = "smtp:// only: optional sends in clear text when the server offers no STARTTLS"},
	{.key = "username", .type = RP_OPT_STRING,
	 .description = "login name for SMTP AUTH (none: send without logging in)"},
	{.key = "password", .type = RP_OPT_STRING, .flags = RP_OPT_SECRET,
	 .description = "password for username; write ${SMTP_PASSWORD} to take it from the environment"},
	{.key = "password_file", .type = RP_OPT_PATH,
	 .description = "file whose first line is the password (mode 0600 or stricter)"},
	{.key = "ca_file", .type = RP_OPT_PATH,
	 .description = "PEM file of CA certificates added to the system's (TLS is always verified)"},
	{.key = "timeout", .type = RP_OPT_DURATION, .default_value = "60s",
	 .description = "time limit for one delivery, connecting included"},
	RP_MAIL_OPTIONS,
	{0}
};

typedef struct smtp_sink {
	const char *url;     /* the host's copy, valid while the section lives */
	long use_ssl;        /* CURLUSESSL_ALL or CURLUSESSL_TRY */
	char *password;      /* from password or password_file; wiped at fini */
	char *ca_blob;       /* system bundle + ca_file, or NULL: the system's */
	size_t ca_len;
} smtp_sink;

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Reads a whole regular file; *len excludes the NUL added at the end. */
static int read_file(int fd, char **out, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap), *g;

	if (!buf)
		return ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap >= MAX_FILE_BYTES) {
				free(buf);
				return EFBIG;
			}
			g = realloc(buf, cap * 2);
			if (!g) {
				free(buf);
				return ENOMEM;
			}
			buf = g;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int read_path(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), e;

	if (fd < 0)
		return errno;
	e = read_file(fd, out, len);
	close(fd);
	return e;
}

/* ------------------------------------------------------------ init */

static int is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
	       strcmp(host, "::1") == 0 || strcasecmp(host, "localhost") == 0;
}

static rp_status check_url(rp_instance *self, const rp_host *host, smtp_sink *s)
{
	static const char usage[] =
		"write smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)";
	CURLU *u = curl_url();
	char *scheme = NULL, *hostname = NULL, *user = NULL, *pass = NULL;
	char *query = NULL, *fragment = NULL;
	const char *starttls = host->opt_string(self, "starttls");
	int optional = starttls && strcmp(starttls, "optional") == 0;
	rp_status st = RP_ERR_CONFIG;

	if (!u)
		return RP_ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, s->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &hostname, 0) != CURLUE_OK) {
		host->set_error(self, "url: '%s' is not a URL; %s", s->url, usage);
		goto out;
	}
	if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
		host->set_error(self, "url: '%s' is not an SMTP URL; %s", s->url, usage);
		goto out;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (user || pass) {
		/* The URL appears in every message; a password in it would too. */
		host->set_error(self,
				"url: put no login in the URL; set username and password (or password_file) instead");
		goto out;
	}
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0);
	if (query || fragment) {
		host->set_error(self, "url: '%s' has a ?query or #fragment, which SMTP has no use for; %s",
				s->url, usage);
		goto out;
	}
	if (strcmp(scheme, "smtps") == 0) {
		if (optional) {
			host->set_error(self,
					"starttls: smtps:// is always TLS; starttls = optional applies to smtp:// only");
			goto out;
		}
		s->use_ssl = CURLUSESSL_ALL;
	} else {
		s->use_ssl = optional ? CURLUSESSL_TRY : CURLUSESSL_ALL;
	}
	if (optional && host->opt_is_set(self, "username") && !is_loopback(hostname)) {
		host->set_error(self,
				"starttls: with starttls = optional the password could cross the network in clear text; use a server that offers STARTTLS, or smtps://");
		goto out;
	}
	st = RP_OK;
out:
	curl_free(scheme);
	curl_free(hostname);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(fragment);
	curl_url_cleanup(u);
	return st;
}

/* The first line of a private file. */
static rp_status read_password_file(rp_instance *self, const rp_host *host,
				    const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;
	struct stat sb;
	char *data = NULL;
	size_t len, n;

	if (fd < 0) {
		host->set_error(self, "password_file: cannot open %s: %s", path,
				strerror(errno));
		return RP_ERR_CONFIG;
	}
	/* fstat the file we opened, not the name: no race with a rename. */
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		host->set_error(self, "password_file: %s is not a regular file", path);
		return RP_ERR_CONFIG;
	}
	if (sb.st_mode & 077) {
		close(fd);
		host->set_error(self,
				"password_file: %s can be read by others (mode %04o); run chmod 600 %s",
				path, (unsigned)(sb.st_mode & 07777), path);
		return RP_ERR_CONFIG;
	}
	e = read_file(fd, &data, &len);
	close(fd);
	if (e) {
		host->set_error(self, "password_file: cannot read %s: %s", path,
				strerror(e));
		return RP_ERR_CONFIG;
	}
	n = strcspn(data, "\n");
	if (n && data[n - 1] == '\r')
		n--;
	if (!n) {
		explicit_bzero(data, len);
		free(data);
		host->set_error(self, "password_file: the first line of %s is empty; put the password there",
				path);
		return RP_ERR_CONFIG;
	}
	*out = strndup(data, n);
	/* The whole file, not just the first line, may be secret. */
	explicit_bzero(data, len);
	free(data);
	return *out ? RP_OK : RP_ERR_NOMEM;
}

/* The system bundle plus ca_file as one blob: CURLOPT_CAINFO would
 * replace the system's CAs instead of adding to them. */
static rp_status load_ca(rp_instance *self, const rp_host *host,
			 const char *ca_file, smtp_sink *s)
{
	CURL *c = curl_easy_init();
	char *def = NULL, *sys = NULL, *pem = NULL;
	size_t syslen = 0, pemlen = 0;
	int e;

	if (!c)
		return RP_ERR_NOMEM;
	curl_easy_getinfo(c, CURLINFO_CAINFO, &def);
	if (def && read_path(def, &sys, &syslen) != 0)
		sys = NULL, syslen = 0;
	curl_easy_cleanup(c);
	e = read_path(ca_file, &pem, &pemlen);
	if (e) {
		free(sys);
		host->set_error(self, "ca_file: cannot read %s: %s", ca_file, strerror(e));
		return RP_ERR_CONFIG;
	}
	if (!strstr(pem, "-----BEGIN CERTIFICATE-----")) {
		free(sys);
		free(pem);
		host->set_error(self,
				"ca_file: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
				ca_file);
		return RP_ERR_CONFIG;
	}
	s->ca_blob = malloc(syslen + pemlen + 2);
	if (!s->ca_blob) {
		free(sys);
		free(pem);
		return RP_ERR_NOMEM;
	}
	if (syslen)
		memcpy(s->ca_blob, sys, syslen);
	s->ca_blob[syslen] = '\n';
	memcpy(s->ca_blob + syslen + 1, pem, pemlen);
	s->ca_len = syslen + 1 + pemlen;
	free(sys);
	free(pem);
	return RP_OK;
}

static void smtp_fini(rp_instance *self, const rp_host *host)
{
	smtp_sink *s = host->instance_data(self);

	if (!s)
		return;
	wipe_free(s->password);
	free(s->ca_blob);
	free(s);
	host->set_instance_data(self, NULL);
}

static rp_status smtp_init(rp_instance *self, const rp_host *host)
{
	int has_password = host->opt_is_set(self, "password");
	int has_file = host->opt_is_set(self, "password_file");
	const char *ca_file = host->opt_string(self, "ca_file");
	smtp_sink *s;
	rp_status st;

	st = host->mail_check(self);
	if (st)
		return st;
	if (has_password && has_file) {
		host->set_error(self,
				"password_file: set either password or password_file, not both");
		return RP_ERR_CONFIG;
	}
	if ((has_password || has_file) && !host->opt_is_set(self, "username")) {
		host->set_error(self, "%s: a password needs a username; set username too",
				has_file ? "password_file" : "password");
		return RP_ERR_CONFIG;
	}
	if (host->opt_is_set(self, "username") && !has_password && !has_file) {
		host->set_error(self,
				"username: needs a password; set password (say ${SMTP_PASSWORD}) or password_file");
		return RP_ERR_CONFIG;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return RP_ERR_NOMEM;
	host->set_instance_data(self, s);
	s->url = host->opt_string(self, "url");
	st = check_url(self, host, s);
	if (st)
		return st;
	if (has_file) {
		st = read_password_file(self, host, host->opt_string(self, "password_file"),
					&s->password);
	} else if (has_password) {
		const char *pw = host->opt_string(self, "password");

		if (!pw || !pw[0]) {
			host->set_error(self,
					"password: is empty; if it comes from ${VAR}, give that variable the password");
			return RP_ERR_CONFIG;
		}
		s->password = strdup(pw);
		if (!s->password)
			st = RP_ERR_NOMEM;
	}
	if (!st && ca_file)
		st = load_ca(self, host, ca_file, s);
	return st;
}

/* ------------------------------------------------------------ deliver */

/* What the protocol trace learns: the server's last refusal and the
 * command it answered, for the error sentence. */
typedef struct smtp_trace {
	rp_instance *self;
	const rp_host *host;
	int in_auth;         /* between AUTH and its final reply: blank our lines */
	char cmd[300];       /* our last command, e.g. "RCPT TO:<a@b>" */
	char reply[512];     /* the reply being read (lines joined by a space) */
	int reply_open;      /* reply[] holds an unfinished multi-line reply */
	char fail_cmd[300];  /* the command the last 4xx/5xx reply answered */
	char fail_reply[512];
	long fail_code;
} smtp_trace;

/* strlcpy: a long line is cut, not an error. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Copies one protocol line without its line end, unprintable bytes as '?'. */
static void copy_line(char *dst, size_t cap, const char *src, size_t len)
{
	size_t n = 0;

	while (len && (src[len - 1] == '\n' || src[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

static void trace_reply_line(smtp_trace *t, const char *line)
{
	size_t have = strlen(t->reply);
	int final = strlen(line) < 4 || line[3] != '-';
	long code = strtol(line, NULL, 10);

	if (!t->reply_open)
		t->reply[0] = '\0', have = 0;
	snprintf(t->reply + have, sizeof(t->reply) - have, "%s%s", have ? " " : "",
		 line);
	t->reply_open = !final;
	if (!final)
		return;
	/* The last refusal is the one that ended the session (a refused
	 * EHLO is followed by HELO, which may succeed). */
	if (code >= 400) {
		t->fail_code = code;
		copy_str(t->fail_reply, sizeof(t->fail_reply), t->reply);
		copy_str(t->fail_cmd, sizeof(t->fail_cmd), t->cmd);
	}
	if (code != 334)
		t->in_auth = 0;
}

static int trace_cb(CURL *c, curl_infotype type, char *data, size_t size,
		    void *userp)
{
	smtp_trace *t = userp;
	char line[600];

	(void)c;
	switch (type) {
	case CURLINFO_TEXT:
		copy_line(line, sizeof(line), data, size);
		t->host->log(t->self, RP_LOG_DEBUG, "* %s", line);
		break;
	case CURLINFO_HEADER_IN:
		/* libcurl hands over one reply line at a time; split anyway. */
		while (size) {
			const char *nl = memchr(data, '\n', size);
			size_t n = nl ? (size_t)(nl - data) + 1 : size;

			copy_line(line, sizeof(line), data, n);
			if (line[0]) {
				t->host->log(t->self, RP_LOG_DEBUG, "S: %s", line);
				trace_reply_line(t, line);
			}
			data += n;
			size -= n;
		}
		break;
	case CURLINFO_HEADER_OUT:
		copy_line(line, sizeof(line), data, size);
		if (t->in_auth) {
			t->host->log(t->self, RP_LOG_DEBUG, "C: (credentials hidden)");
		} else if (strncasecmp(line, "AUTH ", 5) == 0) {
			/* "AUTH PLAIN <base64 of user and password>": keep the
			 * mechanism only, and hide the lines that follow it. */
			line[5 + strcspn(line + 5, " ")] = '\0';
			t->in_auth = 1;
			copy_str(t->cmd, sizeof(t->cmd), line);
			t->host->log(t->self, RP_LOG_DEBUG, "C: %s (credentials hidden)", line);
		} else {
			copy_str(t->cmd, sizeof(t->cmd), line);
			t->host->log(t->self, RP_LOG_DEBUG, "C: %s", line);
		}
		break;
	default:
		/* DATA_OUT is the message: never shown.  SSL_DATA_*: binary. */
		break;
	}
	return 0;
}

/* The message, read as libcurl sends it (host->mail_read): its
 * attachments are base64-encoded as they go and never held whole. */
typedef struct upload {
	const rp_host *host;
	const rp_mail *m;
	size_t off, len;
} upload;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	upload *u = userp;
	size_t n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	if (n && u->host->mail_read(u->m, u->off, buf, n))
		return CURL_READFUNC_ABORT;
	u->off += n;
	return n;
}

/* "RCPT TO:<a@b> ..." -> "the recipient <a@b>". */
static void refused_what(const char *cmd, char *out, size_t cap)
{
	const char *lt = strchr(cmd, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	int alen = lt && gt ? (int)(gt - lt + 1) : 0;

	if (strncasecmp(cmd, "RCPT", 4) == 0 && alen)
		snprintf(out, cap, "the recipient %.*s", alen, lt);
	else if (strncasecmp(cmd, "MAIL", 4) == 0 && alen)
		snprintf(out, cap, "the sender %.*s", alen, lt);
	else if (strncasecmp(cmd, "AUTH", 4) == 0)
		snprintf(out, cap, "the login");
	else if (strncasecmp(cmd, "STARTTLS", 8) == 0)
		snprintf(out, cap, "STARTTLS");
	else if (strncasecmp(cmd, "EHLO", 4) == 0 || strncasecmp(cmd, "HELO", 4) == 0)
		snprintf(out, cap, "the greeting %s", cmd);
	else
		snprintf(out, cap, "the message");
}

static rp_status report_failure(rp_instance *self, const rp_host *host,
				const char *url, CURLcode rc, const char *errbuf,
				const smtp_trace *t, int64_t timeout_ms)
{
	char what[400], why[CURL_ERROR_SIZE];
	size_t n;

	/* curl's sentence, without its final period: ours goes on after it. */
	copy_str(why, sizeof(why), errbuf[0] ? errbuf : curl_easy_strerror(rc));
	n = strlen(why);
	while (n && (why[n - 1] == '.' || why[n - 1] == '\n' || why[n - 1] == ' '))
		why[--n] = '\0';

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		host->set_error(self,
				"%s: cannot verify the server's TLS certificate (%s); if a private CA signed it, name that CA's PEM file in ca_file",
				url, why);
		return RP_ERR_NETWORK;
	case CURLE_USE_SSL_FAILED:
		host->set_error(self,
				"%s: cannot start TLS (%s) and starttls = required; use a server that offers STARTTLS, or smtps://, or set starttls = optional to send in clear text",
				url, why);
		return RP_ERR_NETWORK;
	case CURLE_SSL_CONNECT_ERROR:
		host->set_error(self, "%s: the TLS handshake failed: %s", url, why);
		return RP_ERR_NETWORK;
	case CURLE_OPERATION_TIMEDOUT:
		host->set_error(self,
				"%s: not done within timeout = %lld%s (%s); raise timeout or check the server",
				url,
				(long long)(timeout_ms % 1000 ? timeout_ms : timeout_ms / 1000),
				timeout_ms % 1000 ? "ms" : "s", why);
		return RP_ERR_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		host->set_error(self, "%s: cannot connect: %s", url, why);
		return RP_ERR_NETWORK;
	default:
		break;
	}
	if (t->fail_code) {
		refused_what(t->fail_cmd, what, sizeof(what));
		if (t->fail_code == 535 || t->fail_code == 534 ||
		    strncasecmp(t->fail_cmd, "AUTH", 4) == 0) {
			host->set_error(self,
					"%s: the server refused the login of user '%s': %s; check username and password",
					url, host->opt_string(self, "username"), t->fail_reply);
			return RP_ERR_AUTH;
		}
		if (t->fail_code == 530) {
			host->set_error(self,
					"%s: the server refused %s: %s; it wants a login: set username and password",
					url, what, t->fail_reply);
			return RP_ERR_AUTH;
		}
		host->set_error(self, "%s: the server refused %s: %s", url, what,
				t->fail_reply);
		return RP_ERR_REMOTE;
	}
	if (rc == CURLE_LOGIN_DENIED) {
		host->set_error(self, "%s: cannot log in: %s", url, why);
		return RP_ERR_AUTH;
	}
	host->set_error(self, "%s: sending failed: %s", url, why);
	return RP_ERR_NETWORK;
}

static rp_status smtp_deliver(rp_instance *self, const rp_host *host,
			      const rp_dataset *ds, const rp_artifact *const *arts,
			      size_t n)
{
	smtp_sink *s = host->instance_data(self);
	const char *username = host->opt_string(self, "username");
	int64_t timeout_ms = host->opt_int(self, "timeout");
	char errbuf[CURL_ERROR_SIZE] = "", *from = NULL;
	struct curl_slist *rcpt = NULL, *g;
	smtp_trace trace = {.self = self, .host = host};
	rp_mail *m = NULL;
	upload up;
	CURL *c = NULL;
	CURLcode rc;
	rp_status st;
	size_t len;

	st = host->mail_compose(self, ds, arts, n, &m);
	if (st)
		return st;
	len = host->mail_size(m);
	up = (upload){host, m, 0, len};
	from = malloc(strlen(host->mail_sender(m)) + 3);
	if (!from) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	sprintf(from, "<%s>", host->mail_sender(m));
	/* Every recipient, bcc included: bcc lives only in the envelope. */
	for (size_t i = 0; i < host->mail_recipient_count(m); i++) {
		const char *r = host->mail_recipient(m, i);
		char *a = malloc(strlen(r) + 3);

		if (!a) {
			st = RP_ERR_NOMEM;
			goto out;
		}
		sprintf(a, "<%s>", r);
		g = curl_slist_append(rcpt, a);
		free(a);
		if (!g) {
			st = RP_ERR_NOMEM;
			goto out;
		}
		rcpt = g;
	}
	c = curl_easy_init();
	if (!c) {
		st = RP_ERR_NOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->use_ssl);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_blob) {
		struct curl_blob blob = {s->ca_blob, s->ca_len, CURL_BLOB_NOCOPY};

		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, username);
		if (s->password)
			curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* Verbose only into trace_cb, which hides AUTH and the message:
	 * it also catches the server's reply text for the error sentence. */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &trace);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		st = report_failure(self, host, s->url, rc, errbuf, &trace, timeout_ms);
		goto out;
	}
	host->log(self, RP_LOG_INFO, "sent %zu bytes to %zu recipients via %s", len,
		  host->mail_recipient_count(m), s->url);
out:
	/* Drop the connection now, while trace still exists (QUIT is traced). */
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	free(from);
	host->mail_free(m);
	return st;
}

/* ------------------------------------------------------------ preview */

static rp_status add_text(char **buf, size_t *len, const char *s, size_t n)
{
	char *g = realloc(*buf, *len + n + 1);

	if (!g)
		return RP_ERR_NOMEM;
	memcpy(g + *len, s, n);
	*len += n;
	g[*len] = '\0';
	*buf = g;
	return RP_OK;
}

static rp_status add_str(char **buf, size_t *len, const char *s)
{
	return add_text(buf, len, s, strlen(s));
}

/* "Name <a@b>" -> "a@b" for the preview line. */
static rp_status add_addr(char **buf, size_t *len, const char *addr)
{
	const char *lt = strrchr(addr, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		return add_text(buf, len, lt + 1, (size_t)(gt - lt - 1));
	return add_str(buf, len, addr);
}

/* The engine calls this once per input; one mail carries them all, so
 * each line says how this input travels in it. */
static rp_status smtp_preview(rp_instance *self, const rp_host *host,
			      const rp_dataset *ds, const rp_artifact *a,
			      char **line)
{
	static const char *const keys[] = {"to", "cc", "bcc"};
	const rp_list *attach = host->opt_list(self, "attach");
	const char *body = host->opt_string(self, "body");
	const char *format = host->artifact_format(a);
	char *buf = NULL, *name = NULL;
	size_t len = 0, count = 0;
	int attached;
	rp_status st = add_str(&buf, &len, "mail to ");

	for (size_t k = 0; k < 3 && !st; k++) {
		const rp_list *l = host->opt_list(self, keys[k]);

		for (size_t i = 0; l && i < l->count && !st; i++) {
			if (count++)
				st = add_str(&buf, &len, ", ");
			if (!st && k && i == 0) {
				st = add_str(&buf, &len, keys[k]);
				if (!st)
					st = add_str(&buf, &len, " ");
			}
			if (!st)
				st = add_addr(&buf, &len, l->items[i]);
		}
	}
	if (!st)
		st = add_str(&buf, &len, " via ");
	if (!st)
		st = add_str(&buf, &len, host->opt_string(self, "url"));
	if (attach && attach->count) {
		attached = 0;
		for (size_t i = 0; i < attach->count; i++)
			if (strcmp(attach->items[i], format) == 0)
				attached = 1;
	} else {
		attached = !(body && strcmp(body, format) == 0);
	}
	if (!st && attached) {
		st = host->expand(self, host->opt_string(self, "attachment_name"), ds, a,
				  &name);
		if (!st)
			st = add_str(&buf, &len, ", attached as ");
		if (!st)
			st = add_str(&buf, &len, name);
		host->free(name);
	}
	if (!st && body && strcmp(body, format) == 0)
		st = add_str(&buf, &len, ", as the message body");
	if (!st && !attached && !(body && strcmp(body, format) == 0))
		st = add_str(&buf, &len, ", not sent (neither body nor in attach)");
	if (st) {
		free(buf);
		return st;
	}
	*line = buf;
	return RP_OK;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SINK,
	.name = "smtp",
	.description = "mails the report through an SMTP server (STARTTLS or implicit TLS)",
	.options = options,
	.init = smtp_init,
	.fini = smtp_fini,
	.deliver = smtp_deliver,
	.preview = smtp_preview,
	.flags = RP_PLUGIN_CONCURRENT,
};
