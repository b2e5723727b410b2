/* credentials.c - the AWS credential chain as the SDKs (botocore first)
 * resolve it: the environment; the shared credentials and config files
 * (static keys, role_arn with source_profile or credential_source,
 * credential_process); container credentials; EC2 instance metadata
 * (IMDSv2).  Also the region a profile names.
 *
 * Secrets never reach a message or a log line, and every copy of one made
 * here is wiped before it is freed.  (Copies inside libcurl, jansson and
 * libc's stdio are out of reach.) */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "credentials.h"
#include "dataset.h"
#include "log.h"
#include "util.h"

#define ECS_BASE_URL "http://169.254.170.2"
#define IMDS_BASE_URL "http://169.254.169.254"
#define IMDS_IPV6_BASE_URL "http://[fd00:ec2::254]"
/* As the SDKs: a laptop without IMDS must not wait long for it.  (http.c
 * has no separate connect timeout; the total bounds it.) */
#define IMDS_TIMEOUT_MS 2000L
#define CONTAINER_TIMEOUT_MS 2000L
#define CONTAINER_ATTEMPTS 3
#define PROCESS_TIMEOUT_MS 60000LL
#define PROCESS_MAX_OUTPUT (1024 * 1024)
#define DEFAULT_DURATION_S 3600L
#define MAX_ROLE_HOPS 16
/* inih 55 cuts section names and keys at 50 bytes (MAX_SECTION). */
#define INIH_MAX_SECTION 50

/* ------------------------------------------------------------ secrets */

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void wipe_buf(rp_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	rp_buf_free(b);
}

static void wipe_response(rp_http_response *r)
{
	wipe_buf(&r->body);
	rp_http_response_free(r);
}

void rp_aws_credentials_free(rp_aws_credentials *c)
{
	if (!c)
		return;
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	free(c->provider);
	memset(c, 0, sizeof(*c));
}

/* to is overwritten, not freed first. */
rp_status rp_aws_credentials_copy(const rp_aws_credentials *from,
				  rp_aws_credentials *to)
{
	rp_aws_credentials t = {0};

	t.access_key_id = rp_strdup(from->access_key_id);
	t.secret_access_key = rp_strdup(from->secret_access_key);
	t.session_token = rp_strdup(from->session_token);
	t.provider = rp_strdup(from->provider);
	t.expiration = from->expiration;
	if ((from->access_key_id && !t.access_key_id) ||
	    (from->secret_access_key && !t.secret_access_key) ||
	    (from->session_token && !t.session_token) ||
	    (from->provider && !t.provider)) {
		rp_aws_credentials_free(&t);
		memset(to, 0, sizeof(*to));
		return RP_ERR_NOMEM;
	}
	*to = t;
	return RP_OK;
}

/* An environment variable, with "" counted as unset (as botocore does). */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------- command-line words */

typedef struct argv_list {
	char **v;   /* NULL-terminated */
	size_t n;
} argv_list;

static void argv_free(argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static rp_status argv_push(argv_list *a, rp_buf *word)
{
	char **g = realloc(a->v, (a->n + 2) * sizeof(*g));

	if (!g)
		return RP_ERR_NOMEM;
	a->v = g;
	g[a->n] = rp_buf_steal(word);
	if (!g[a->n])
		return RP_ERR_NOMEM;
	g[++a->n] = NULL;
	return RP_OK;
}

/* Python's shlex.split() in POSIX mode, which is how botocore turns
 * credential_process into a program and its arguments (no shell runs):
 * blanks separate words; '...' is literal; inside "..." a backslash
 * escapes only " and \; outside quotes it escapes any character.  No
 * comments, no expansions.  RP_ERR_CONFIG with *why on a syntax error. */
static rp_status shell_split(const char *s, argv_list *out, const char **why)
{
	rp_buf word = {0};
	int in_word = 0;
	rp_status st = RP_OK;
	const char *p;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	for (p = s;; p++) {
		if (!*p || strchr(" \t\r\n", *p)) {
			if (in_word && (st = argv_push(out, &word)))
				goto fail;
			in_word = 0;
			if (!*p)
				break;
			continue;
		}
		in_word = 1;
		if (*p == '\\') {
			if (!*++p) {
				*why = "it ends with a lone backslash";
				goto bad;
			}
			st = rp_buf_append(&word, p, 1);
		} else if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q) {
				*why = "a ' quote is not closed";
				goto bad;
			}
			st = rp_buf_append(&word, p + 1, (size_t)(q - p - 1));
			p = q;
		} else if (*p == '"') {
			for (p++; *p != '"' && !st; p++) {
				if (!*p) {
					*why = "a \" quote is not closed";
					goto bad;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				st = rp_buf_append(&word, p, 1);
			}
		} else {
			st = rp_buf_append(&word, p, 1);
		}
		if (st)
			goto fail;
	}
	rp_buf_free(&word);
	return RP_OK;
bad:
	st = RP_ERR_CONFIG;
fail:
	rp_buf_free(&word);
	argv_free(out);
	return st;
}

/* ------------------------------------------------------- shared files */

typedef struct ini_entry {
	char *key;      /* lower-case, as configparser reads keys */
	char *value;    /* may be a secret */
	int line;
} ini_entry;

typedef struct aws_profile {
	char *name;
	ini_entry *e;
	size_t n;
} aws_profile;

typedef struct shared_file {
	const char *label;  /* "the shared credentials file", "the config file" */
	int is_config;      /* profiles are [profile NAME] and [default] */
	char *path;         /* NULL: no HOME to find it in */
	int present;
	aws_profile *p;
	size_t n;
} shared_file;

static void shared_file_free(shared_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->p[i].n; j++) {
			free(f->p[i].e[j].key);
			wipe_free(f->p[i].e[j].value);
		}
		free(f->p[i].e);
		free(f->p[i].name);
	}
	free(f->p);
	free(f->path);
	f->p = NULL;
	f->n = 0;
	f->path = NULL;
}

static const aws_profile *file_profile(const shared_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->p[i].name, name) == 0)
			return &f->p[i];
	return NULL;
}

static const ini_entry *file_entry(const shared_file *f, const char *profile,
				   const char *key)
{
	const aws_profile *p = file_profile(f, profile);

	for (size_t i = 0; p && i < p->n; i++)
		if (strcmp(p->e[i].key, key) == 0)
			return &p->e[i];
	return NULL;
}

/* "profile NAME" -> NAME as botocore's build_profile_map reads it (the
 * section split like a shell line into exactly two words); "default" is
 * a profile too.  *name NULL: not a profile section. */
static rp_status config_profile_name(const char *section, char **name)
{
	argv_list words;
	const char *why;
	rp_status st;

	*name = NULL;
	if (strcmp(section, "default") == 0) {
		*name = rp_strdup(section);
		return *name ? RP_OK : RP_ERR_NOMEM;
	}
	if (strncmp(section, "profile", 7) != 0)
		return RP_OK;
	st = shell_split(section, &words, &why);
	if (st == RP_ERR_CONFIG)
		return RP_OK;
	if (st)
		return st;
	if (words.n == 2 && strcmp(words.v[0], "profile") == 0) {
		*name = words.v[1];
		words.v[1] = NULL;
	}
	argv_free(&words);
	return RP_OK;
}

/* inih 55 reads into a fixed 200-byte line buffer and would split a
 * longer line in two: an 800-byte aws_session_token (what SSO helpers and
 * aws-vault write) would arrive cut, and its tail be read as a bad line.
 * So inih reads the file through this reader, which hands over every line
 * as it is, except that a value (or section name) too long for inih is
 * parked here and replaced by "\1N"; the handler puts it back. */
typedef struct ini_read {
	shared_file *f;
	const char *text;
	size_t len, pos;
	int lineno;
	int indented;  /* the line inih is looking at starts with a blank */
	int have_key;  /* inih's prev_name: a key was seen in this section */
	char **parked;
	size_t nparked;
	rp_status st;
	char *err;
	size_t errlen;
} ini_read;

static void ini_fail(ini_read *r, rp_status st, const char *fmt, ...)
	RP_PRINTF(3, 4);
static void ini_fail(ini_read *r, rp_status st, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->st)
		return;
	r->st = st;
	n = snprintf(r->err, r->errlen, "%s:%d: ", r->f->path, r->lineno);
	if (n < 0 || (size_t)n >= r->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int park(ini_read *r, const char *s, size_t n)
{
	char **g = realloc(r->parked, (r->nparked + 1) * sizeof(*g));

	if (!g)
		return -1;
	r->parked = g;
	g[r->nparked] = rp_strndup(s, n);
	if (!g[r->nparked])
		return -1;
	return (int)r->nparked++;
}

static const char *unpark(const ini_read *r, const char *s)
{
	if (s && s[0] == '\1') {
		unsigned long i = strtoul(s + 1, NULL, 10);

		if (i < r->nparked)
			return r->parked[i];
	}
	return s;
}

static void trim_span(const char **s, const char **end)
{
	while (*s < *end && isspace((unsigned char)**s))
		(*s)++;
	while (*end > *s && isspace((unsigned char)(*end)[-1]))
		(*end)--;
}

/* Where inih's inline comment starts: ';' after a blank. */
static const char *inline_comment(const char *s, const char *end)
{
	for (const char *p = s; p < end; p++)
		if (*p == ';' && p > s && isspace((unsigned char)p[-1]))
			return p;
	return end;
}

static char *read_ini_line(char *buf, int num, void *stream)
{
	ini_read *r = stream;
	size_t cap = num > 0 ? (size_t)num : 0, n;
	const char *p, *nl, *end, *s;
	int id;

	if (r->pos >= r->len || cap < 32)
		return NULL;
	p = r->text + r->pos;
	nl = memchr(p, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - p) : r->len - r->pos;
	r->pos += n + (nl ? 1 : 0);
	r->lineno++;
	end = p + n;
	if (end > p && end[-1] == '\r')
		end--;
	for (s = p; s < end && isspace((unsigned char)*s); s++)
		;
	r->indented = s > p;
	buf[0] = '\0';
	if (s == end || *s == ';' || *s == '#')
		return buf;                       /* blank or comment */
	if (r->have_key && r->indented) {         /* continuation line */
		if ((size_t)(end - p) + 2 <= cap)
			goto as_is;
		end = inline_comment(s, end);
		trim_span(&s, &end);
		if ((id = park(r, s, (size_t)(end - s))) < 0)
			goto nomem;
		snprintf(buf, cap, " \1%d", id);
		return buf;
	}
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s)), *name = s + 1;

		r->have_key = 0;
		if (!close) {
			if ((size_t)(end - p) + 2 <= cap)
				goto as_is;               /* inih reports it */
			ini_fail(r, RP_ERR_CONFIG, "a [section] line without its ']'");
			return buf;
		}
		trim_span(&name, &close);
		if ((size_t)(close - name) < INIH_MAX_SECTION) {
			if ((size_t)(end - p) + 2 <= cap)
				goto as_is;
			snprintf(buf, cap, "[%.*s]", (int)(close - name), name);
			return buf;
		}
		if ((id = park(r, name, (size_t)(close - name))) < 0)
			goto nomem;
		snprintf(buf, cap, "[\1%d]", id);
		return buf;
	}
	{
		const char *sep = s, *key_end, *value;

		while (sep < end && *sep != '=' && *sep != ':')
			sep++;
		if (sep < end)
			r->have_key = 1;
		if ((size_t)(end - p) + 2 <= cap)
			goto as_is;
		if (sep == end) {
			ini_fail(r, RP_ERR_CONFIG,
				 "expected [section], key = value, or a comment");
			return buf;
		}
		key_end = sep;
		trim_span(&s, &key_end);
		value = sep + 1;
		end = inline_comment(value, end);
		trim_span(&value, &end);
		if ((size_t)(key_end - s) + 16 > cap) {
			ini_fail(r, RP_ERR_CONFIG, "key is too long");
			return buf;
		}
		if ((id = park(r, value, (size_t)(end - value))) < 0)
			goto nomem;
		snprintf(buf, cap, "%.*s=\1%d", (int)(key_end - s), s, id);
		return buf;
	}
as_is:
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\n';
	buf[end - p + 1] = '\0';
	return buf;
nomem:
	ini_fail(r, RP_ERR_NOMEM, "out of memory");
	return buf;
}

static int on_ini_entry(void *user, const char *section, const char *name,
			const char *value)
{
	ini_read *r = user;
	shared_file *f = r->f;
	char *pname = NULL, *key = NULL;
	aws_profile *p = NULL;
	ini_entry *e = NULL, *g;
	rp_status st;

	if (r->st)
		return 1;
	section = unpark(r, section);
	value = unpark(r, value);
	if (!*section) {
		ini_fail(r, RP_ERR_CONFIG, "'%s' comes before any [section]", name);
		return 1;
	}
	if (f->is_config) {
		st = config_profile_name(section, &pname);
		if (st)
			goto nomem;
		if (!pname)
			return 1;             /* [preview], [sso-session x]: not ours */
	} else if (!(pname = rp_strdup(section))) {
		goto nomem;
	}
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->p[i].name, pname) == 0)
			p = &f->p[i];
	if (!p) {
		aws_profile *grown = realloc(f->p, (f->n + 1) * sizeof(*grown));

		if (!grown)
			goto nomem;
		f->p = grown;
		p = &f->p[f->n++];
		memset(p, 0, sizeof(*p));
		p->name = pname;
		pname = NULL;
	}
	if (!(key = rp_strdup(name)))
		goto nomem;
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->e[i].key, key) == 0)
			e = &p->e[i];
	if (e && r->indented) {
		/* A continuation line: configparser joins it with '\n'. */
		char *joined = rp_asprintf("%s\n%s", e->value, value);

		if (!joined)
			goto nomem;
		wipe_free(e->value);
		e->value = joined;
	} else if (e) {
		ini_fail(r, RP_ERR_CONFIG,
			 "profile '%s' sets %s twice (first on line %d); keep one",
			 p->name, key, e->line);
	} else {
		g = realloc(p->e, (p->n + 1) * sizeof(*g));
		if (!g)
			goto nomem;
		p->e = g;
		g[p->n].key = key;
		g[p->n].value = rp_strdup(value);
		g[p->n].line = r->lineno;
		if (!g[p->n].value)
			goto nomem;
		p->n++;
		key = NULL;
	}
	free(key);
	free(pname);
	return 1;
nomem:
	free(key);
	free(pname);
	ini_fail(r, RP_ERR_NOMEM, "out of memory");
	return 1;
}

static rp_status load_shared_file(shared_file *f, char *err, size_t errlen)
{
	ini_read r = {.f = f, .err = err, .errlen = errlen};
	char *text = NULL;
	size_t len = 0;
	rp_status st;
	int rc;

	if (!f->path)
		return RP_OK;
	st = rp_read_file(f->path, &text, &len);
	if (st == RP_ERR_NOT_FOUND)
		return RP_OK;
	if (st) {
		snprintf(err, errlen, "cannot read %s %s: %s", f->label, f->path,
			 st == RP_ERR_NOMEM ? "out of memory" : strerror(errno));
		return st;
	}
	f->present = 1;
	r.text = text;
	r.len = len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		r.pos = 3;
	rc = ini_parse_stream(read_ini_line, &r, on_ini_entry, &r);
	OPENSSL_cleanse(text, len);
	free(text);
	for (size_t i = 0; i < r.nparked; i++)
		wipe_free(r.parked[i]);
	free(r.parked);
	if (r.st)
		return r.st;
	if (rc > 0) {
		snprintf(err, errlen,
			 "%s:%d: expected [section], key = value, or a comment",
			 f->path, rc);
		return RP_ERR_CONFIG;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot parse %s %s: out of memory",
			 f->label, f->path);
		return RP_ERR_NOMEM;
	}
	return RP_OK;
}

/* The file an AWS_* variable names ("~/" expanded), else ~/.aws/NAME.
 * *path stays NULL when there is no home directory to look in. */
static rp_status shared_file_path(const char *var, const char *name,
				  char **path)
{
	const char *given = env(var), *home = env("HOME");

	*path = NULL;
	if (!home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	if (given && strncmp(given, "~/", 2) != 0 && strcmp(given, "~") != 0)
		*path = rp_strdup(given);
	else if (given && home)
		*path = rp_asprintf("%s%s", home, given + 1);
	else if (given)
		*path = rp_strdup(given);
	else if (home)
		*path = rp_asprintf("%s/.aws/%s", home, name);
	else
		return RP_OK;
	return *path ? RP_OK : RP_ERR_NOMEM;
}

/* ---------------------------------------------------------- the chain */

typedef struct chain {
	rp_http *http;
	rp_http *own_http;      /* made here when the caller gave none */
	const rp_aws_config *cfg;
	char *err;
	size_t errlen;
	shared_file creds, config;
	int files_loaded;
	rp_status files_status;
	const char *profile;    /* the profile in use */
	const char *profile_by; /* who named it; NULL: the implicit default */
	rp_buf looked;          /* where the chain looked, for the last error */
	char **visited;         /* role_arn profiles on the way (loop check) */
	size_t nvisited;
	char *region;
	int region_done;
} chain;

static const rp_aws_config no_config;

static void chain_init(chain *c, rp_http *http, const rp_aws_config *cfg,
		       char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->http = http;
	c->cfg = cfg ? cfg : &no_config;
	c->err = err;
	c->errlen = errlen;
	c->creds.label = "the shared credentials file";
	c->config.label = "the config file";
	c->config.is_config = 1;
	if (errlen)
		err[0] = '\0';
}

static void chain_free(chain *c)
{
	shared_file_free(&c->creds);
	shared_file_free(&c->config);
	rp_buf_free(&c->looked);
	for (size_t i = 0; i < c->nvisited; i++)
		free(c->visited[i]);
	free(c->visited);
	free(c->region);
	rp_http_free(c->own_http);
}

static rp_status fail(chain *c, rp_status st, const char *fmt, ...)
	RP_PRINTF(3, 4);
static rp_status fail(chain *c, rp_status st, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* Adds to what err already says. */
static void err_append(chain *c, const char *fmt, ...) RP_PRINTF(2, 3);
static void err_append(chain *c, const char *fmt, ...)
{
	size_t n = c->errlen ? strnlen(c->err, c->errlen) : 0;
	va_list ap;

	if (n + 1 >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
}

static rp_status looked(chain *c, const char *fmt, ...) RP_PRINTF(2, 3);
static rp_status looked(chain *c, const char *fmt, ...)
{
	size_t start = c->looked.len;
	va_list ap;
	rp_status st;

	if (start && (st = rp_buf_puts(&c->looked, ", ")))
		return st;
	va_start(ap, fmt);
	st = rp_buf_vprintf(&c->looked, fmt, ap);
	va_end(ap);
	if (!st)
		rp_log(RP_LOG_DEBUG, "aws", "credentials: nothing in %s",
		       c->looked.data + start + (start ? 2 : 0));
	return st;
}

static rp_status need_http(chain *c)
{
	rp_status st;

	if (c->http)
		return RP_OK;
	st = rp_http_new(&c->own_http);
	if (st)
		return fail(c, st, "cannot set up HTTP (libcurl): %s",
			    rp_status_str(st));
	c->http = c->own_http;
	return RP_OK;
}

static rp_status load_files(chain *c)
{
	const rp_aws_config *cfg = c->cfg;
	rp_status st;

	if (c->files_loaded)
		return c->files_status;
	c->files_loaded = 1;
	st = shared_file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials",
			      &c->creds.path);
	if (!st)
		st = shared_file_path("AWS_CONFIG_FILE", "config", &c->config.path);
	if (st)
		st = fail(c, st, "out of memory");
	if (!st)
		st = load_shared_file(&c->creds, c->err, c->errlen);
	if (!st)
		st = load_shared_file(&c->config, c->err, c->errlen);
	if (!st) {
		if (cfg->profile && *cfg->profile) {
			c->profile = cfg->profile;
			c->profile_by = "the section's profile option";
		} else if (env("AWS_PROFILE")) {
			c->profile = env("AWS_PROFILE");
			c->profile_by = "AWS_PROFILE";
		} else {
			c->profile = "default";
		}
		/* botocore: a named profile must exist (ProfileNotFound). */
		if (c->profile_by && !file_profile(&c->creds, c->profile) &&
		    !file_profile(&c->config, c->profile))
			st = fail(c, RP_ERR_CONFIG,
				  "AWS profile '%s' (named by %s) is in neither %s %s nor %s %s",
				  c->profile, c->profile_by, c->creds.label,
				  c->creds.path ? c->creds.path : "(no HOME)",
				  c->config.label,
				  c->config.path ? c->config.path : "(no HOME)");
	}
	c->files_status = st;
	return st;
}

static int profile_exists(const chain *c, const char *name)
{
	return file_profile(&c->creds, name) || file_profile(&c->config, name);
}

/* A profile's key as botocore's full_config has it: the credentials
 * file's value over the config file's. */
static const ini_entry *profile_entry(const chain *c, const char *profile,
				      const char *key, const shared_file **from)
{
	const ini_entry *e = file_entry(&c->creds, profile, key);
	const shared_file *f = &c->creds;

	if (!e) {
		e = file_entry(&c->config, profile, key);
		f = &c->config;
	}
	if (from)
		*from = f;
	return e;
}

static const char *profile_value(const chain *c, const char *profile,
				 const char *key)
{
	const ini_entry *e = profile_entry(c, profile, key, NULL);

	return e ? e->value : NULL;
}

static int has_static_keys(const chain *c, const char *profile)
{
	return profile_value(c, profile, "aws_access_key_id") ||
	       profile_value(c, profile, "aws_secret_access_key");
}

/* ------------------------------------------------------------- region */

/* A region goes into host names: botocore's validate_region_name. */
static int valid_region(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 63 || !isalnum((unsigned char)r[0]) ||
	    !isalnum((unsigned char)r[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)r[i]) && r[i] != '-')
			return 0;
	return 1;
}

static rp_status chain_region(chain *c, char **region)
{
	const char *r = NULL, *by = NULL;
	char where[512];
	rp_status st;

	*region = NULL;
	if (c->cfg->region && *c->cfg->region) {
		r = c->cfg->region;
		by = "the section's region option";
	} else if ((r = env("AWS_REGION"))) {
		by = "AWS_REGION";
	} else if ((r = env("AWS_DEFAULT_REGION"))) {
		by = "AWS_DEFAULT_REGION";
	} else {
		const shared_file *f;
		const ini_entry *e;

		st = load_files(c);
		if (st)
			return st;
		e = profile_entry(c, c->profile, "region", &f);
		if (!e || !*e->value)
			return RP_OK;
		r = e->value;
		snprintf(where, sizeof(where), "%s:%d (profile '%s')", f->path,
			 e->line, c->profile);
		by = where;
	}
	if (!valid_region(r))
		return fail(c, RP_ERR_CONFIG,
			    "region '%s' (from %s) is not a region name such as eu-west-1",
			    r, by);
	*region = rp_strdup(r);
	return *region ? RP_OK : fail(c, RP_ERR_NOMEM, "out of memory");
}

rp_status rp_aws_resolve_region(const rp_aws_config *cfg, char **region,
				char *err, size_t errlen)
{
	chain c;
	rp_status st;

	chain_init(&c, NULL, cfg, err, errlen);
	st = chain_region(&c, region);
	chain_free(&c);
	return st;
}

/* ----------------------------------------------------- JSON answers */

static rp_status json_member(json_t *root, const char *key, int required,
			     char **out, char *why, size_t whylen)
{
	json_t *v = json_object_get(root, key);

	*out = NULL;
	if (!v && !required)
		return RP_OK;
	if (!json_is_string(v) || (required && !*json_string_value(v))) {
		snprintf(why, whylen, "%s is missing or not a string", key);
		return RP_ERR_PARSE;
	}
	*out = rp_strdup(json_string_value(v));
	return *out ? RP_OK : RP_ERR_NOMEM;
}

/* AccessKeyId, SecretAccessKey, the token under token_key and
 * Expiration; strict: the last two are required (container, IMDS). */
static rp_status json_credentials(json_t *root, const char *token_key,
				  int strict, rp_aws_credentials *out,
				  char *why, size_t whylen)
{
	char *exp = NULL;
	rp_status st;

	memset(out, 0, sizeof(*out));
	st = json_member(root, "AccessKeyId", 1, &out->access_key_id, why, whylen);
	if (!st)
		st = json_member(root, "SecretAccessKey", 1, &out->secret_access_key,
				 why, whylen);
	if (!st)
		st = json_member(root, token_key, strict, &out->session_token, why,
				 whylen);
	if (!st)
		st = json_member(root, "Expiration", strict, &exp, why, whylen);
	if (!st && exp && rp_parse_iso8601(exp, &out->expiration)) {
		snprintf(why, whylen,
			 "Expiration '%.64s' is not an ISO 8601 time such as 2030-01-02T03:04:05Z",
			 exp);
		st = RP_ERR_PARSE;
	}
	if (!st && out->session_token && !*out->session_token) {
		free(out->session_token);
		out->session_token = NULL;
	}
	if (st == RP_ERR_NOMEM)
		snprintf(why, whylen, "out of memory");
	free(exp);
	if (st)
		rp_aws_credentials_free(out);
	return st;
}

/* credential_process must say which format it speaks; only Version 1
 * exists.  Otherwise why tells what it printed instead. */
static int process_version_ok(json_t *root, char *why, size_t whylen)
{
	json_t *version = json_object_get(root, "Version");

	if (version && json_is_number(version) &&
	    json_number_value(version) == 1.0)
		return 1;
	if (json_is_integer(version))
		snprintf(why, whylen,
			 "printed Version %lld; reportpipe understands Version 1",
			 (long long)json_integer_value(version));
	else if (json_is_number(version))
		snprintf(why, whylen,
			 "printed Version %g; reportpipe understands Version 1",
			 json_number_value(version));
	else
		snprintf(why, whylen, "printed %s; reportpipe understands Version 1",
			 version ? "a Version that is not a number" : "no Version");
	return 0;
}

/* One function for the three JSON answers, so what the fuzzer and the
 * unit tests feed it is exactly what a run would parse. */
rp_status rp_creds_parse_json(const char *buf, size_t len, rp_creds_json kind,
			      rp_aws_credentials *out, char *why,
			      size_t whylen)
{
	json_t *root, *code;
	json_error_t je;
	rp_status st;

	memset(out, 0, sizeof(*out));
	root = json_loadb(buf ? buf : "", buf ? len : 0, 0, &je);
	if (!json_is_object(root)) {
		/* je.text may quote the answer, secrets and all: not shown. */
		if (kind == RP_CREDS_JSON_IMDS)
			snprintf(why, whylen, "the answer is not a JSON object");
		else
			snprintf(why, whylen, "%s a JSON object (line %d, column %d)",
				 kind == RP_CREDS_JSON_PROCESS ? "did not print"
							       : "the answer is not",
				 je.line, je.column);
		st = RP_ERR_REMOTE;
		goto out;
	}
	code = json_object_get(root, "Code");
	if (kind == RP_CREDS_JSON_IMDS && json_is_string(code) &&
	    strcmp(json_string_value(code), "Success") != 0) {
		/* The code is the whole reason given; an empty one must not
		 * leave the message ending in "role NAME: ". */
		if (*json_string_value(code))
			snprintf(why, whylen, "%.64s", json_string_value(code));
		else
			snprintf(why, whylen, "the answer's Code is empty, not \"Success\"");
		st = RP_ERR_REMOTE;
		goto out;
	}
	if (kind == RP_CREDS_JSON_PROCESS && !process_version_ok(root, why, whylen)) {
		st = RP_ERR_REMOTE;
		goto out;
	}
	st = json_credentials(root,
			      kind == RP_CREDS_JSON_PROCESS ? "SessionToken" : "Token",
			      kind != RP_CREDS_JSON_PROCESS, out, why, whylen);
out:
	json_decref(root);
	return st;
}

/* --------------------------------------------------- the environment */

static rp_status env_credentials(chain *c, rp_aws_credentials *out, int *found)
{
	const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
	const char *token = env("AWS_SESSION_TOKEN"), *exp = env("AWS_CREDENTIAL_EXPIRATION");

	*found = 0;
	if (!token)
		token = env("AWS_SECURITY_TOKEN");   /* botocore's older name */
	if (!id && !secret)
		return RP_OK;
	if (!secret)
		return fail(c, RP_ERR_CONFIG,
			    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset both to use a profile");
	if (!id)
		return fail(c, RP_ERR_CONFIG,
			    "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or unset both to use a profile");
	if (exp && rp_parse_iso8601(exp, &out->expiration))
		return fail(c, RP_ERR_CONFIG,
			    "AWS_CREDENTIAL_EXPIRATION '%.64s' is not an ISO 8601 time such as 2030-01-02T03:04:05Z",
			    exp);
	out->access_key_id = rp_strdup(id);
	out->secret_access_key = rp_strdup(secret);
	out->session_token = rp_strdup(token);
	out->provider = rp_strdup("environment");
	if (!out->access_key_id || !out->secret_access_key ||
	    (token && !out->session_token) || !out->provider) {
		rp_aws_credentials_free(out);
		return fail(c, RP_ERR_NOMEM, "out of memory");
	}
	*found = 1;
	return RP_OK;
}

/* ------------------------------------------------- container (ECS/EKS) */

/* botocore: plain http only to a loopback address or the ECS / EKS Pod
 * Identity agents. */
static int container_host_allowed(const char *host)
{
	static const unsigned char eks6[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 0x23};
	unsigned char a[16];
	char h[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof(h))
		return 0;
	memcpy(h, host, n);
	h[n] = '\0';
	if (inet_pton(AF_INET, h, a) == 1)
		return a[0] == 127 ||
		       (a[0] == 169 && a[1] == 254 && a[2] == 170 &&
			(a[3] == 2 || a[3] == 23));
	if (inet_pton(AF_INET6, h, a) == 1)
		return IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a) ||
		       memcmp(a, eks6, 16) == 0;
	return 0;
}

static rp_status check_container_url(chain *c, const char *url)
{
	char msg[512];
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	rp_status st;

	st = rp_http_check_url(url, 1, msg, sizeof(msg));
	if (st)
		return fail(c, st, "AWS_CONTAINER_CREDENTIALS_FULL_URI: %s", msg);
	u = curl_url();
	if (!u)
		return fail(c, RP_ERR_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		st = fail(c, RP_ERR_CONFIG,
			  "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is not a URL", url);
	else if (strcasecmp(scheme, "https") != 0 && !container_host_allowed(host))
		st = fail(c, RP_ERR_CONFIG,
			  "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s': plain http:// may only go to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23; use https:// for host '%s'",
			  url, host);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return st;
}

/* The Authorization value: the token file (re-read each time: EKS
 * rotates it) over the variable. */
static rp_status container_token(chain *c, char **token)
{
	const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *var = file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
			       : "AWS_CONTAINER_AUTHORIZATION_TOKEN";
	size_t len;
	rp_status st;

	*token = NULL;
	if (file) {
		st = rp_read_file(file, token, &len);
		if (st)
			return fail(c, st == RP_ERR_NOMEM ? st : RP_ERR_CONFIG,
				    "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
				    file, st == RP_ERR_NOMEM ? "out of memory"
							     : strerror(errno));
		while (len && isspace((unsigned char)(*token)[len - 1]))
			(*token)[--len] = '\0';
	} else if (env(var)) {
		*token = rp_strdup(env(var));
		if (!*token)
			return fail(c, RP_ERR_NOMEM, "out of memory");
	} else {
		return RP_OK;
	}
	if (strpbrk(*token, "\r\n")) {
		wipe_free(*token);
		*token = NULL;
		return fail(c, RP_ERR_CONFIG,
			    "the container authorization token from %s holds a line break, so it cannot be sent as a header",
			    var);
	}
	return RP_OK;
}

static void strip_request_prefix(char *msg, const char *method, const char *url)
{
	size_t m = strlen(method), u = strlen(url);

	if (strncmp(msg, method, m) == 0 && msg[m] == ' ' &&
	    strncmp(msg + m + 1, url, u) == 0 && msg[m + 1 + u] == ':' &&
	    msg[m + 2 + u] == ' ')
		memmove(msg, msg + m + u + 3, strlen(msg + m + u + 3) + 1);
}

static rp_status container_credentials(chain *c, rp_aws_credentials *out,
				       int *found)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	rp_http_header h[2] = {{"Accept", "application/json"}, {"Authorization", ""}};
	rp_http_response resp = {0};
	char *url = NULL, *token = NULL, msg[512], why[256];
	rp_status st;

	*found = 0;
	if (!rel && !full)
		return looked(c, "container credentials (not configured)");
	url = rel ? rp_asprintf(ECS_BASE_URL "%s", rel) : rp_strdup(full);
	if (!url)
		return fail(c, RP_ERR_NOMEM, "out of memory");
	st = rel ? RP_OK : check_container_url(c, url);
	if (!st)
		st = container_token(c, &token);
	if (!st)
		st = need_http(c);
	if (st)
		goto out;
	h[1].value = token;
	for (int attempt = 1;; attempt++) {
		rp_http_request req = {.method = "GET", .url = url, .headers = h,
				       .nheaders = token ? 2 : 1,
				       .timeout_ms = CONTAINER_TIMEOUT_MS};

		st = rp_http_perform(c->http, &req, &resp, msg, sizeof(msg));
		if (!st && resp.status == 200)
			break;
		if (st == RP_ERR_NOMEM)
			goto out;
		if (attempt >= CONTAINER_ATTEMPTS ||
		    (!st && resp.status < 500)) {
			if (st) {
				strip_request_prefix(msg, "GET", url);
				st = fail(c, st, "container credentials from %s: %s",
					  url, msg);
			} else {
				st = fail(c, resp.status == 401 || resp.status == 403
						     ? RP_ERR_AUTH : RP_ERR_REMOTE,
					  "container credentials from %s: the agent answered HTTP %ld",
					  url, resp.status);
			}
			goto out;
		}
		wipe_response(&resp);
		rp_aws_backoff_sleep(attempt);
	}
	st = rp_creds_parse_json(resp.body.data, resp.body.len,
				 RP_CREDS_JSON_CONTAINER, out, why, sizeof(why));
	if (st) {
		st = fail(c, st == RP_ERR_NOMEM ? st : RP_ERR_REMOTE,
			  "container credentials from %s: %s", url, why);
		goto out;
	}
	out->provider = rp_strdup("container credentials");
	if (!out->provider) {
		rp_aws_credentials_free(out);
		st = fail(c, RP_ERR_NOMEM, "out of memory");
		goto out;
	}
	*found = 1;
out:
	wipe_response(&resp);
	wipe_free(token);
	free(url);
	return st;
}

/* ------------------------------------------------ EC2 instance metadata */

/* IMDS as botocore asks it: a token (IMDSv2), falling back to IMDSv1 when
 * the token request is refused with 403/404/405 unless
 * AWS_EC2_METADATA_V1_DISABLED.  Anything short of credentials is "none
 * here" (*found 0, the reason in why), not an error: most machines have
 * no IMDS. */
static rp_status imds_credentials(chain *c, rp_aws_credentials *out,
				  int *found, char *why, size_t whylen)
{
	const char *disabled = getenv("AWS_EC2_METADATA_DISABLED");
	const char *v1_off = getenv("AWS_EC2_METADATA_V1_DISABLED");
	const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	const char *given = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	rp_http_header h = {NULL, NULL};
	rp_http_response resp = {0};
	rp_http_request req = {.timeout_ms = IMDS_TIMEOUT_MS};
	char *base = NULL, *url = NULL, *token = NULL, *role = NULL;
	char msg[512], jwhy[256];
	rp_buf path = {0};
	size_t n;
	rp_status st;

	*found = 0;
	if (disabled && strcasecmp(disabled, "true") == 0) {
		snprintf(why, whylen, "disabled by AWS_EC2_METADATA_DISABLED");
		return RP_OK;
	}
	base = rp_strdup(given ? given
			 : mode && strcasecmp(mode, "IPv6") == 0 ? IMDS_IPV6_BASE_URL
								 : IMDS_BASE_URL);
	if (!base)
		return fail(c, RP_ERR_NOMEM, "out of memory");
	for (n = strlen(base); n > 0 && base[n - 1] == '/';)
		base[--n] = '\0';
	if (given && (st = rp_http_check_url(base, 1, msg, sizeof(msg)))) {
		st = fail(c, st, "AWS_EC2_METADATA_SERVICE_ENDPOINT: %s", msg);
		goto out;
	}
	if ((st = need_http(c)))
		goto out;

	url = rp_asprintf("%s/latest/api/token", base);
	if (!url)
		goto nomem;
	h.name = "X-aws-ec2-metadata-token-ttl-seconds";
	h.value = "21600";
	req.method = "PUT";
	req.url = url;
	req.headers = &h;
	req.nheaders = 1;
	st = rp_http_perform(c->http, &req, &resp, msg, sizeof(msg));
	if (st == RP_ERR_NOMEM)
		goto out;
	if (st) {
		strip_request_prefix(msg, "PUT", url);
		snprintf(why, whylen, "%.120s: %.380s", base, msg);
		st = RP_OK;
		goto out;
	}
	if (resp.status == 200 && resp.body.len) {
		token = rp_strdup(rp_strtrim(resp.body.data));
		if (!token)
			goto nomem;
	} else if (resp.status == 403 || resp.status == 404 || resp.status == 405) {
		if (v1_off && strcasecmp(v1_off, "true") == 0) {
			snprintf(why, whylen,
				 "%s: no IMDSv2 token (HTTP %ld) and AWS_EC2_METADATA_V1_DISABLED is set",
				 base, resp.status);
			goto out;
		}
	} else {
		snprintf(why, whylen, "%s: the token request was answered with HTTP %ld",
			 base, resp.status);
		goto out;
	}
	wipe_response(&resp);
	free(url);

	url = rp_asprintf("%s/latest/meta-data/iam/security-credentials/", base);
	if (!url)
		goto nomem;
	h.name = "X-aws-ec2-metadata-token";
	h.value = token;
	req.method = "GET";
	req.url = url;
	req.nheaders = token ? 1 : 0;
	st = rp_http_perform(c->http, &req, &resp, msg, sizeof(msg));
	if (st == RP_ERR_NOMEM)
		goto out;
	if (st) {
		strip_request_prefix(msg, "GET", url);
		snprintf(why, whylen, "%.120s: %.380s", base, msg);
		st = RP_OK;
		goto out;
	}
	if (resp.status == 404 || (resp.status == 200 && !resp.body.len)) {
		snprintf(why, whylen, "%s: no IAM role is attached to this instance",
			 base);
		goto out;
	}
	if (resp.status != 200) {
		snprintf(why, whylen, "%s: the role list was answered with HTTP %ld",
			 base, resp.status);
		goto out;
	}
	role = rp_strndup(resp.body.data, strcspn(resp.body.data, "\r\n"));
	if (!role)
		goto nomem;
	rp_strtrim(role);
	wipe_response(&resp);
	if ((st = rp_buf_puts(&path, url)) ||
	    (st = rp_url_encode(&path, role, strlen(role), 0)))
		goto out;
	req.url = path.data;
	st = rp_http_perform(c->http, &req, &resp, msg, sizeof(msg));
	if (st == RP_ERR_NOMEM)
		goto out;
	if (st) {
		strip_request_prefix(msg, "GET", path.data);
		snprintf(why, whylen, "%.120s: %.380s", base, msg);
		st = RP_OK;
		goto out;
	}
	if (resp.status != 200) {
		snprintf(why, whylen, "%s: role %s: answered HTTP %ld", base, role,
			 resp.status);
		goto out;
	}
	st = rp_creds_parse_json(resp.body.data, resp.body.len,
				 RP_CREDS_JSON_IMDS, out, jwhy, sizeof(jwhy));
	if (st == RP_ERR_NOMEM)
		goto nomem;
	if (st) {
		snprintf(why, whylen, "%s: role %s: %s", base, role, jwhy);
		st = RP_OK;
		goto out;
	}
	out->provider = rp_asprintf("instance metadata role %s", role);
	if (!out->provider) {
		rp_aws_credentials_free(out);
		goto nomem;
	}
	*found = 1;
	goto out;
nomem:
	st = fail(c, RP_ERR_NOMEM, "out of memory");
out:
	wipe_response(&resp);
	wipe_free(token);
	rp_buf_free(&path);
	free(role);
	free(url);
	free(base);
	return st;
}

/* ------------------------------------------------- credential_process */

static void child_fail(int fd)
{
	int e = errno;
	ssize_t w = write(fd, &e, sizeof(e));

	(void)w;
	_exit(127);
}

/* Runs argv without a shell: stdout captured, stderr passed through (the
 * tool's own messages reach the user), stdin inherited, bounded in time
 * and output.  Non-zero on any failure, with why. */
static rp_status run_process(char *const *argv, rp_buf *out, char *why,
			     size_t whylen)
{
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, status = 0, timed_out = 0;
	int too_big = 0, exec_errno = 0, waited = 0;
	long long deadline = now_ms() + PROCESS_TIMEOUT_MS;
	char chunk[4096];
	rp_status st = RP_OK;
	pid_t pid;

	if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		snprintf(why, whylen, "cannot create a pipe: %s", strerror(errno));
		st = RP_ERR_IO;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "cannot start '%s': %s", argv[0],
			 strerror(errno));
		st = RP_ERR_IO;
		goto out;
	}
	if (pid == 0) {
		if (outp[1] == STDOUT_FILENO) {
			if (fcntl(outp[1], F_SETFD, 0) < 0)
				child_fail(errp[1]);
		} else if (dup2(outp[1], STDOUT_FILENO) < 0) {
			child_fail(errp[1]);
		}
		execvp(argv[0], argv);
		child_fail(errp[1]);
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;

	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = {.fd = outp[0], .events = POLLIN};
		ssize_t n;
		int r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR) {
			snprintf(why, whylen, "cannot read the output of '%s': %s",
				 argv[0], strerror(errno));
			st = RP_ERR_IO;
			break;
		}
		if (r <= 0)
			continue;
		n = read(outp[0], chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > PROCESS_MAX_OUTPUT) {
			too_big = 1;
			break;
		}
		if ((st = rp_buf_append(out, chunk, (size_t)n))) {
			snprintf(why, whylen, "out of memory");
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (timed_out || too_big || st)
		kill(pid, SIGKILL);
	/* stdout closed; the program should be gone by now, but a tool that
	 * closes stdout and lingers must not hang a cron job. */
	while (!waited) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			waited = 1;
		} else if (r < 0 && errno != EINTR) {
			snprintf(why, whylen, "cannot wait for '%s': %s", argv[0],
				 strerror(errno));
			return st ? st : RP_ERR_INTERNAL;
		} else if (r == 0) {
			struct timespec ts = {0, 10 * 1000 * 1000};

			if (!timed_out && now_ms() >= deadline) {
				timed_out = 1;
				kill(pid, SIGKILL);
			}
			nanosleep(&ts, NULL);
		}
	}
	if (st)
		goto out;
	if (read(errp[0], &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno)) {
		snprintf(why, whylen, "cannot run '%s': %s", argv[0],
			 strerror(exec_errno));
		st = RP_ERR_CONFIG;
	} else if (timed_out) {
		snprintf(why, whylen, "'%s' did not finish within %lld s", argv[0],
			 PROCESS_TIMEOUT_MS / 1000);
		st = RP_ERR_TIMEOUT;
	} else if (too_big) {
		snprintf(why, whylen, "'%s' printed more than %d bytes", argv[0],
			 PROCESS_MAX_OUTPUT);
		st = RP_ERR_AUTH;
	} else if (WIFSIGNALED(status)) {
		snprintf(why, whylen, "'%s' was killed by signal %d", argv[0],
			 WTERMSIG(status));
		st = RP_ERR_AUTH;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whylen,
			 "'%s' exited with status %d (its own messages are on stderr)",
			 argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		st = RP_ERR_AUTH;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return st;
}

static rp_status process_credentials(chain *c, const char *profile,
				     const ini_entry *e, const shared_file *f,
				     rp_aws_credentials *out)
{
	argv_list argv = {0};
	rp_buf output = {0};
	const char *why;
	char msg[512];
	rp_status st;

	st = shell_split(e->value, &argv, &why);
	if (st == RP_ERR_CONFIG)
		return fail(c, st,
			    "%s:%d: credential_process of profile '%s' cannot be split into words: %s",
			    f->path, e->line, profile, why);
	if (st)
		return fail(c, st, "out of memory");
	if (argv.n == 0) {
		st = fail(c, RP_ERR_CONFIG,
			  "%s:%d: credential_process of profile '%s' is empty",
			  f->path, e->line, profile);
		goto out;
	}
	rp_log(RP_LOG_DEBUG, "aws", "credentials: running credential_process of profile '%s' (%s)",
	       profile, argv.v[0]);
	st = run_process(argv.v, &output, msg, sizeof(msg));
	if (st) {
		st = fail(c, st, "credential_process of profile '%s' (%s): %s",
			  profile, f->path, msg);
		goto out;
	}
	st = rp_creds_parse_json(output.data, output.len, RP_CREDS_JSON_PROCESS,
				 out, msg, sizeof(msg));
	if (st == RP_ERR_REMOTE) {
		st = fail(c, RP_ERR_AUTH,
			  "credential_process of profile '%s' (%s): '%s' %s",
			  profile, f->path, argv.v[0], msg);
		goto out;
	}
	if (st) {
		st = fail(c, st == RP_ERR_NOMEM ? st : RP_ERR_AUTH,
			  "credential_process of profile '%s' (%s): %s", profile,
			  f->path, msg);
		goto out;
	}
	if (out->expiration && out->expiration <= time(NULL)) {
		rp_aws_credentials_free(out);
		st = fail(c, RP_ERR_AUTH,
			  "credential_process of profile '%s' (%s): '%s' gave credentials that have already expired",
			  profile, f->path, argv.v[0]);
		goto out;
	}
	out->provider = rp_asprintf("credential_process of profile %s", profile);
	if (!out->provider) {
		rp_aws_credentials_free(out);
		st = fail(c, RP_ERR_NOMEM, "out of memory");
	}
out:
	wipe_buf(&output);
	argv_free(&argv);
	return st;
}

/* ------------------------------------------------------------ profiles */

/* Static keys of a profile in one file: both or neither. */
static rp_status static_keys(chain *c, const shared_file *f, const char *name,
			     rp_aws_credentials *out, int *found)
{
	const ini_entry *id = file_entry(f, name, "aws_access_key_id");
	const ini_entry *secret = file_entry(f, name, "aws_secret_access_key");
	const ini_entry *token = file_entry(f, name, "aws_session_token");

	*found = 0;
	if (!token)
		token = file_entry(f, name, "aws_security_token");
	if (!id && !secret)
		return RP_OK;
	if (!id || !secret)
		return fail(c, RP_ERR_CONFIG,
			    "%s:%d: profile '%s' sets %s but not %s; set both",
			    f->path, (id ? id : secret)->line, name,
			    id ? "aws_access_key_id" : "aws_secret_access_key",
			    id ? "aws_secret_access_key" : "aws_access_key_id");
	if (!*id->value || !*secret->value)
		return fail(c, RP_ERR_CONFIG, "%s:%d: profile '%s': %s is empty",
			    f->path, (*id->value ? secret : id)->line, name,
			    *id->value ? "aws_secret_access_key" : "aws_access_key_id");
	out->access_key_id = rp_strdup(id->value);
	out->secret_access_key = rp_strdup(secret->value);
	out->session_token = token && *token->value ? rp_strdup(token->value) : NULL;
	out->provider = rp_asprintf("%s %s, profile %s",
				    f->is_config ? "config file" : "shared credentials file",
				    f->path, name);
	if (!out->access_key_id || !out->secret_access_key || !out->provider ||
	    (token && *token->value && !out->session_token)) {
		rp_aws_credentials_free(out);
		return fail(c, RP_ERR_NOMEM, "out of memory");
	}
	*found = 1;
	return RP_OK;
}

static rp_status assume_profile_role(chain *c, const char *name,
				     rp_aws_credentials *out);

/* What botocore's profile providers find in one profile, in their order:
 * (role_arn: only for the profile in use, top) web identity and SSO
 * (refused: reportpipe cannot do them), the credentials file's keys,
 * credential_process, the config file's keys.  *found 0: nothing. */
static rp_status profile_credentials(chain *c, const char *name, int top,
				     rp_aws_credentials *out, int *found)
{
	static const char *const sso_keys[] = {"sso_session", "sso_start_url",
					       "sso_account_id", "sso_role_name"};
	const shared_file *f;
	const ini_entry *e;
	rp_status st;

	*found = 0;
	if (top && profile_value(c, name, "role_arn")) {
		e = profile_entry(c, name, "web_identity_token_file", &f);
		if (e)
			return fail(c, RP_ERR_CONFIG,
				    "%s:%d: profile '%s' uses web_identity_token_file (AssumeRoleWithWebIdentity), which reportpipe does not support; use keys, source_profile, or credential_process",
				    f->path, e->line, name);
		st = assume_profile_role(c, name, out);
		*found = !st;
		return st;
	}
	if (top && !(c->cfg->profile && *c->cfg->profile) &&
	    env("AWS_WEB_IDENTITY_TOKEN_FILE") && env("AWS_ROLE_ARN"))
		return fail(c, RP_ERR_CONFIG,
			    "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN ask for web identity federation (AssumeRoleWithWebIdentity), which reportpipe does not support; unset them, or name a profile with keys, a role or credential_process");
	for (size_t i = 0; i < sizeof(sso_keys) / sizeof(sso_keys[0]); i++) {
		e = profile_entry(c, name, sso_keys[i], &f);
		if (e)
			return fail(c, RP_ERR_CONFIG,
				    "%s:%d: profile '%s' signs in with IAM Identity Center (%s), which reportpipe cannot do unattended; give another profile credential_process = aws configure export-credentials --profile %s --format process",
				    f->path, e->line, name, sso_keys[i], name);
	}
	st = static_keys(c, &c->creds, name, out, found);
	if (st || *found)
		return st;
	e = profile_entry(c, name, "credential_process", &f);
	if (e) {
		st = process_credentials(c, name, e, f, out);
		*found = !st;
		return st;
	}
	return static_keys(c, &c->config, name, out, found);
}

static rp_status sts_region(chain *c, const char **region)
{
	rp_status st;

	if (!c->region_done) {
		st = chain_region(c, &c->region);
		if (st)
			return st;
		c->region_done = 1;
	}
	*region = c->region ? c->region : "us-east-1";
	return RP_OK;
}

/* AssumeRole with source.  STS is reached as the SDKs' credential
 * providers reach it: the section's endpoint_url belongs to the section's
 * own service (an S3-compatible store, say), not to STS, so it is left
 * out; AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL still apply. */
static rp_status assume(chain *c, const rp_aws_credentials *source,
			const char *role_arn, const char *external_id,
			const char *session_name, long duration,
			rp_aws_credentials *out)
{
	rp_aws_config sts = *c->cfg;
	const char *region;
	char name[64];
	rp_status st;

	sts.endpoint_url = NULL;
	sts.role_arn = NULL;
	if ((st = need_http(c)) || (st = sts_region(c, &region)))
		return st;
	if (!session_name || !*session_name) {
		snprintf(name, sizeof(name), "reportpipe-%lld", (long long)time(NULL));
		session_name = name;
	}
	rp_log(RP_LOG_DEBUG, "aws", "credentials: assuming %s (session %s) in %s with %s",
	       role_arn, session_name, region, source->provider ? source->provider : "?");
	st = rp_aws_assume_role(c->http, &sts, source, region, role_arn,
				external_id && *external_id ? external_id : NULL,
				session_name, duration, out, c->err, c->errlen);
	if (st) {
		rp_aws_credentials_free(out);
		return st;
	}
	free(out->provider);
	out->provider = NULL;
	return RP_OK;
}

static rp_status visited_push(chain *c, const char *name)
{
	char **g = realloc(c->visited, (c->nvisited + 1) * sizeof(*g));

	if (!g)
		return fail(c, RP_ERR_NOMEM, "out of memory");
	c->visited = g;
	g[c->nvisited] = rp_strdup(name);
	if (!g[c->nvisited])
		return fail(c, RP_ERR_NOMEM, "out of memory");
	c->nvisited++;
	return RP_OK;
}

static rp_status source_from_profile(chain *c, const char *parent,
				     const char *src, rp_aws_credentials *out)
{
	int seen = 0, found = 0;
	rp_status st;

	if (!profile_exists(c, src))
		return fail(c, RP_ERR_CONFIG,
			    "profile '%s' names source_profile '%s', which is in neither %s nor %s",
			    parent, src, c->creds.path ? c->creds.path : "~/.aws/credentials",
			    c->config.path ? c->config.path : "~/.aws/config");
	for (size_t i = 0; i < c->nvisited; i++)
		seen |= strcmp(c->visited[i], src) == 0;
	/* A profile may name itself to take its own keys (botocore). */
	if (seen && (strcmp(src, parent) != 0 || !has_static_keys(c, src))) {
		rp_buf cycle = {0};

		st = RP_OK;
		for (size_t i = 0; i < c->nvisited && !st; i++)
			st = rp_buf_printf(&cycle, "%s -> ", c->visited[i]);
		if (!st)
			st = rp_buf_puts(&cycle, src);
		st = fail(c, st ? st : RP_ERR_CONFIG,
			  "the AWS profiles' source_profile settings go round in a circle: %s; one of them needs keys, credential_process or credential_source",
			  st ? "?" : cycle.data);
		rp_buf_free(&cycle);
		return st;
	}
	if (c->nvisited >= MAX_ROLE_HOPS)
		return fail(c, RP_ERR_CONFIG,
			    "more than %d source_profile hops from profile '%s'",
			    MAX_ROLE_HOPS, c->visited[0]);
	if ((st = visited_push(c, src)))
		return st;
	if (has_static_keys(c, src) || !profile_value(c, src, "role_arn")) {
		st = profile_credentials(c, src, 0, out, &found);
		if (!st && !found)
			st = fail(c, RP_ERR_CONFIG,
				  "profile '%s' (the source_profile of '%s') has no credentials: give it aws_access_key_id and aws_secret_access_key, credential_process, or role_arn",
				  src, parent);
		return st;
	}
	return assume_profile_role(c, src, out);
}

static rp_status source_from_credential_source(chain *c, const char *parent,
					       const ini_entry *e,
					       const shared_file *f,
					       rp_aws_credentials *out)
{
	const char *src = e->value;
	char why[512] = "";
	int found = 0;
	rp_status st;

	if (strcasecmp(src, "Environment") == 0) {
		st = env_credentials(c, out, &found);
		if (!st && !found)
			st = fail(c, RP_ERR_AUTH,
				  "profile '%s' takes its credentials from the environment (credential_source = %s), but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
				  parent, src);
	} else if (strcasecmp(src, "Ec2InstanceMetadata") == 0) {
		st = imds_credentials(c, out, &found, why, sizeof(why));
		if (!st && !found)
			st = fail(c, RP_ERR_AUTH,
				  "profile '%s' takes its credentials from instance metadata (credential_source = %s), which has none: %s",
				  parent, src, why);
	} else if (strcasecmp(src, "EcsContainer") == 0) {
		st = container_credentials(c, out, &found);
		if (!st && !found)
			st = fail(c, RP_ERR_AUTH,
				  "profile '%s' takes its credentials from the container (credential_source = %s), but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
				  parent, src);
	} else {
		st = fail(c, RP_ERR_CONFIG,
			  "%s:%d: profile '%s': credential_source '%s' is not one of Environment, Ec2InstanceMetadata, EcsContainer",
			  f->path, e->line, parent, src);
	}
	return st;
}

static rp_status assume_profile_role(chain *c, const char *name,
				     rp_aws_credentials *out)
{
	const shared_file *rf, *f;
	const ini_entry *role = profile_entry(c, name, "role_arn", &rf);
	const ini_entry *src = profile_entry(c, name, "source_profile", NULL);
	const ini_entry *csrc = profile_entry(c, name, "credential_source", NULL);
	const ini_entry *e;
	rp_aws_credentials source = {0};
	long duration = DEFAULT_DURATION_S;
	rp_status st;

	if ((e = profile_entry(c, name, "mfa_serial", &f)))
		return fail(c, RP_ERR_CONFIG,
			    "%s:%d: profile '%s' sets mfa_serial, but reportpipe runs unattended and cannot ask for an MFA code; use a role without the MFA condition",
			    f->path, e->line, name);
	if (src && csrc)
		return fail(c, RP_ERR_CONFIG,
			    "%s:%d: profile '%s' sets both source_profile and credential_source; keep one",
			    rf->path, role->line, name);
	if (!src && !csrc)
		return fail(c, RP_ERR_CONFIG,
			    "%s:%d: profile '%s' sets role_arn but neither source_profile nor credential_source, so there is nothing to assume the role with",
			    rf->path, role->line, name);
	if (!*role->value)
		return fail(c, RP_ERR_CONFIG, "%s:%d: profile '%s': role_arn is empty",
			    rf->path, role->line, name);
	if ((e = profile_entry(c, name, "duration_seconds", &f))) {
		char *end;

		errno = 0;
		duration = strtol(e->value, &end, 10);
		if (errno || end == e->value || *end || duration < 900 ||
		    duration > 43200)
			return fail(c, RP_ERR_CONFIG,
				    "%s:%d: profile '%s': duration_seconds '%s' is not a number of seconds from 900 to 43200",
				    f->path, e->line, name, e->value);
	}
	if (csrc) {
		profile_entry(c, name, "credential_source", &f);
		st = source_from_credential_source(c, name, csrc, f, &source);
	} else {
		st = source_from_profile(c, name, src->value, &source);
	}
	if (st)
		goto out;
	st = assume(c, &source, role->value,
		    profile_value(c, name, "external_id"),
		    profile_value(c, name, "role_session_name"), duration, out);
	if (st) {
		err_append(c, " (role_arn of profile '%s' in %s)", name, rf->path);
		goto out;
	}
	out->provider = rp_asprintf("assumed role %s via profile %s (source: %s)",
				    role->value, name,
				    source.provider ? source.provider : "?");
	if (!out->provider) {
		rp_aws_credentials_free(out);
		st = fail(c, RP_ERR_NOMEM, "out of memory");
	}
out:
	rp_aws_credentials_free(&source);
	return st;
}

static rp_status note_file(chain *c, const shared_file *f)
{
	const char *p = c->profile;

	if (!f->path)
		return looked(c, "%s (no HOME to find it in)", f->label);
	if (!f->present)
		return looked(c, "%s %s (not found)", f->label, f->path);
	if (!file_profile(f, p)) {
		if (!f->is_config)
			return looked(c, "%s %s (no profile '%s')", f->label, f->path, p);
		if (strcmp(p, "default") == 0)
			return looked(c, "%s %s (no [default])", f->label, f->path);
		return looked(c, "%s %s (no [profile %s])", f->label, f->path, p);
	}
	return looked(c, "%s %s (profile '%s' has no credentials)", f->label,
		      f->path, p);
}

static rp_status run_chain(chain *c, rp_aws_credentials *out)
{
	const rp_aws_config *cfg = c->cfg;
	char why[512] = "";
	int found = 0;
	rp_status st;

	if (!cfg->profile || !*cfg->profile) {
		st = env_credentials(c, out, &found);
		if (st || found)
			return st;
		st = looked(c, "the environment (AWS_ACCESS_KEY_ID unset)");
	} else {
		st = looked(c, "the environment (skipped: the section names profile '%s')",
			    cfg->profile);
	}
	if (st)
		return fail(c, st, "out of memory");
	if ((st = load_files(c)) || (st = visited_push(c, c->profile)))
		return st;
	st = profile_credentials(c, c->profile, 1, out, &found);
	if (st || found)
		return st;
	if ((st = note_file(c, &c->creds)) || (st = note_file(c, &c->config)))
		return fail(c, st, "out of memory");
	st = container_credentials(c, out, &found);
	if (st || found)
		return st;
	st = imds_credentials(c, out, &found, why, sizeof(why));
	if (st || found)
		return st;
	if ((st = looked(c, "instance metadata (%s)", why)))
		return fail(c, st, "out of memory");
	return fail(c, RP_ERR_AUTH,
		    "no AWS credentials found: looked in %s; set one of them or name a profile",
		    c->looked.data);
}

rp_status rp_aws_credentials_resolve(rp_http *http, const rp_aws_config *cfg,
				     rp_aws_credentials *out, char *err,
				     size_t errlen)
{
	rp_aws_credentials found = {0};
	chain c;
	rp_status st;

	memset(out, 0, sizeof(*out));
	chain_init(&c, http, cfg, err, errlen);
	cfg = c.cfg;
	st = run_chain(&c, &found);
	if (!st && cfg->role_arn && *cfg->role_arn) {
		st = assume(&c, &found, cfg->role_arn, cfg->external_id,
			    cfg->role_session_name, DEFAULT_DURATION_S, out);
		if (st)
			err_append(&c, " (the section's role_arn, with credentials from %s)",
				   found.provider ? found.provider : "?");
		else if (!(out->provider = rp_asprintf("assumed role %s (the section's role_arn; source: %s)",
						       cfg->role_arn,
						       found.provider ? found.provider : "?"))) {
			rp_aws_credentials_free(out);
			st = fail(&c, RP_ERR_NOMEM, "out of memory");
		}
		rp_aws_credentials_free(&found);
	} else if (!st) {
		*out = found;
	} else {
		rp_aws_credentials_free(&found);
	}
	chain_free(&c);
	return st;
}
