/* test_sigv4.c - runs the SigV4 signer against both public AWS test suites.
 *
 * RP_SIGV4_TESTDATA names the directory holding aws4_testsuite/ (botocore's
 * copy: .req .creq .sts .authz .sreq) and aws-c-auth-v4/ (context.json,
 * request.txt, header-*.txt).  Every case directory found there is signed
 * and its canonical request, string to sign, signature, Authorization value
 * and finished header set are compared byte for byte.  Cases the signer
 * cannot express are listed in skips[] with the reason and reported as TAP
 * skips.  The query-* (presigned URL) files are out of scope.
 *
 * Without the data the test fails, unless RP_SIGV4_ALLOW_MISSING=1 turns
 * that into a skip of the whole program. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "sigv4.h"
#include "tap.h"

/* Assertions per case that runs; a case that cannot even be signed
 * reports the same number of failures, so the plan holds. */
#define CASE_TESTS 5
/* Assertions in api_tests(). */
#define API_TESTS 28

#define AWS4_DIR "aws4_testsuite"
#define CAUTH_DIR "aws-c-auth-v4"

/* Fixed parameters of aws4_testsuite, from botocore's test_sigv4.py. */
#define AWS4_ACCESS_KEY "AKIDEXAMPLE"
#define AWS4_SECRET_KEY "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define AWS4_TIMESTAMP "2015-08-30T12:36:00Z"
#define AWS4_REGION "us-east-1"
#define AWS4_SERVICE "service"

/* Cases a header signer cannot express, with the reason, reported as TAP
 * skips.  Empty today: botocore's four skips all run here - get-space's
 * raw space is encoded like any other byte, and repeated query keys
 * (get-vanilla-query-order-key, -key-case, -value) are sorted by key, then
 * value.  The table ends with a NULL entry. */
static struct skip {
	const char *layout; /* AWS4_DIR or CAUTH_DIR */
	const char *name;   /* case path below the layout directory */
	const char *reason;
	int used;           /* set when a case matched it */
} skips[] = {
	{ NULL, NULL, NULL, 0 }
};

/* One parsed HTTP request file. */
struct http_req {
	char *method;
	char *path;
	char *query;
	rp_sigv4_header *headers; /* names and values malloc'd */
	size_t nheaders;
	char *body;
	size_t body_len;
};

struct strlist {
	char **items;
	size_t n, cap;
};

static char *xstrndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d) {
		perror("malloc");
		exit(2);
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

static void strlist_push(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->items = realloc(l->items, l->cap * sizeof(*l->items));
		if (!l->items) {
			perror("realloc");
			exit(2);
		}
	}
	l->items[l->n++] = s;
}

static void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whole file, NUL-terminated; NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = realloc(buf, cap + 1);
			if (!buf) {
				perror("realloc");
				exit(2);
			}
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *read_case_file(const char *dir, const char *name, size_t *len)
{
	char *path = path_join(dir, name);
	char *data = read_file(path, len);

	if (!data)
		diag("cannot read %s", path);
	free(path);
	return data;
}

/* Case directories below root/rel, depth first in name order, so the TAP
 * numbering is the same on every machine.  A directory is a case when
 * holds_case() says so; otherwise it is a group and is searched. */
static void find_cases(const char *root, const char *rel,
		       int (*holds_case)(const char *dir, const char *base),
		       struct strlist *cases)
{
	char *dir = rel ? path_join(root, rel) : xstrdup(root);
	struct strlist names = { 0 };
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t i;

	if (!d) {
		diag("cannot open directory %s", dir);
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_push(&names, xstrdup(de->d_name));
	closedir(d);
	qsort(names.items, names.n, sizeof(*names.items), compare_strings);
	for (i = 0; i < names.n; i++) {
		char *sub = path_join(dir, names.items[i]);
		char *subrel = rel ? path_join(rel, names.items[i])
				   : xstrdup(names.items[i]);

		if (!is_dir(sub)) {
			free(subrel);
		} else if (holds_case(sub, names.items[i])) {
			strlist_push(cases, subrel);
		} else {
			find_cases(root, subrel, holds_case, cases);
			free(subrel);
		}
		free(sub);
	}
	strlist_free(&names);
	free(dir);
}

static int aws4_holds_case(const char *dir, const char *base)
{
	char *file = malloc(strlen(base) + 5);
	char *path;
	int yes;

	if (!file)
		exit(2);
	sprintf(file, "%s.req", base);
	path = path_join(dir, file);
	yes = is_file(path);
	free(path);
	free(file);
	return yes;
}

static int cauth_holds_case(const char *dir, const char *base)
{
	char *path = path_join(dir, "request.txt");
	int yes = is_file(path);

	(void)base;
	free(path);
	return yes;
}

static void http_req_free(struct http_req *r)
{
	size_t i;

	free(r->method);
	free(r->path);
	free(r->query);
	for (i = 0; i < r->nheaders; i++) {
		free((char *)r->headers[i].name);
		free((char *)r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Parses a request file of the suites: request line, header lines (a line
 * starting with a blank continues the previous value, kept with its line
 * break so the signer sees the fold), an empty line, the body.  The
 * request target runs from the first space to the last one: get-space has
 * a raw space in it.  Returns 0, or -1 with a diag. */
static int parse_http_request(const char *text, size_t len, const char *what,
			      struct http_req *r)
{
	const char *p = text, *end = text + len, *nl, *sp1, *sp2, *q;
	size_t cap = 0, linelen;
	int first = 1;

	memset(r, 0, sizeof(*r));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		linelen = (size_t)((nl ? nl : end) - p);
		if (linelen && p[linelen - 1] == '\r')
			linelen--;
		if (first) {
			sp1 = memchr(p, ' ', linelen);
			sp2 = p + linelen;
			while (sp2 > p && sp2[-1] != ' ')
				sp2--;
			if (!sp1 || sp2 - 1 <= sp1) {
				diag("%s: malformed request line", what);
				goto fail;
			}
			r->method = xstrndup(p, (size_t)(sp1 - p));
			q = memchr(sp1 + 1, '?', (size_t)(sp2 - 1 - (sp1 + 1)));
			if (q) {
				r->path = xstrndup(sp1 + 1, (size_t)(q - sp1 - 1));
				r->query = xstrndup(q + 1, (size_t)(sp2 - 1 - q - 1));
			} else {
				r->path = xstrndup(sp1 + 1,
						   (size_t)(sp2 - 1 - sp1 - 1));
				r->query = xstrdup("");
			}
			first = 0;
		} else if (linelen == 0) {
			/* The body is whatever follows the empty line. */
			p = nl ? nl + 1 : end;
			r->body = xstrndup(p, (size_t)(end - p));
			r->body_len = (size_t)(end - p);
			return 0;
		} else if (*p == ' ' || *p == '\t') {
			size_t old;
			char *v;

			if (!r->nheaders) {
				diag("%s: continuation line before any header",
				     what);
				goto fail;
			}
			old = strlen(r->headers[r->nheaders - 1].value);
			v = malloc(old + 1 + linelen + 1);
			if (!v)
				exit(2);
			memcpy(v, r->headers[r->nheaders - 1].value, old);
			v[old] = '\n';
			memcpy(v + old + 1, p, linelen);
			v[old + 1 + linelen] = '\0';
			free((char *)r->headers[r->nheaders - 1].value);
			r->headers[r->nheaders - 1].value = v;
		} else {
			const char *colon = memchr(p, ':', linelen);

			if (!colon || colon == p) {
				diag("%s: header line without a name", what);
				goto fail;
			}
			if (r->nheaders == cap) {
				cap = cap ? 2 * cap : 8;
				r->headers = realloc(r->headers,
						     cap * sizeof(*r->headers));
				if (!r->headers)
					exit(2);
			}
			r->headers[r->nheaders].name =
				xstrndup(p, (size_t)(colon - p));
			r->headers[r->nheaders].value = xstrndup(
				colon + 1, (size_t)(p + linelen - colon - 1));
			r->nheaders++;
		}
		p = nl ? nl + 1 : end;
	}
	if (first) {
		diag("%s: empty request", what);
		goto fail;
	}
	r->body = xstrdup("");
	return 0;
fail:
	http_req_free(r);
	return -1;
}

static const char *find_header(const struct http_req *r, const char *name)
{
	size_t i, j;

	for (i = 0; i < r->nheaders; i++) {
		const char *n = r->headers[i].name;

		for (j = 0; n[j] && name[j]; j++) {
			char a = n[j], b = name[j];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (!n[j] && !name[j])
			return r->headers[i].value;
	}
	return NULL;
}

/* "name:value" with the name lower-cased and blanks trimmed and squeezed:
 * how two header sets are compared regardless of spelling and order. */
static char *header_line(const char *name, const char *value)
{
	size_t n = strlen(name), o = 0;
	char *line = malloc(n + strlen(value) + 2);
	int blank = 0;

	if (!line)
		exit(2);
	for (; *name; name++)
		line[o++] = (*name >= 'A' && *name <= 'Z')
				    ? (char)(*name - 'A' + 'a') : *name;
	line[o++] = ':';
	n = o;
	for (; *value; value++) {
		if (strchr(" \t\r\n", *value)) {
			blank = o > n;
			continue;
		}
		if (blank)
			line[o++] = ' ';
		blank = 0;
		line[o++] = *value;
	}
	line[o] = '\0';
	return line;
}

/* The header set as text, one sorted line each, Authorization left out
 * (it is checked on its own, and one .sreq file has a stale one). */
static char *header_set_text(struct strlist *lines)
{
	size_t i, total = 1;
	char *out, *p;

	qsort(lines->items, lines->n, sizeof(*lines->items), compare_strings);
	for (i = 0; i < lines->n; i++)
		total += strlen(lines->items[i]) + 1;
	out = p = malloc(total);
	if (!out)
		exit(2);
	*p = '\0';
	for (i = 0; i < lines->n; i++)
		p += sprintf(p, "%s\n", lines->items[i]);
	return out;
}

static char *sent_header_set(const struct http_req *r,
			     const rp_sigv4_result *res)
{
	struct strlist lines = { 0 };
	char *text;
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		strlist_push(&lines, header_line(r->headers[i].name,
						 r->headers[i].value));
	for (i = 0; i < res->nadd_headers; i++)
		strlist_push(&lines, header_line(res->add_headers[i].name,
						 res->add_headers[i].value));
	text = header_set_text(&lines);
	strlist_free(&lines);
	return text;
}

static char *expected_header_set(const struct http_req *signed_req)
{
	struct strlist lines = { 0 };
	char *text;
	size_t i;

	for (i = 0; i < signed_req->nheaders; i++) {
		char *line = header_line(signed_req->headers[i].name,
					 signed_req->headers[i].value);

		if (!strncmp(line, "authorization:", 14))
			free(line);
		else
			strlist_push(&lines, line);
	}
	text = header_set_text(&lines);
	strlist_free(&lines);
	return text;
}

/* Prints a multi-line text as diag lines, so a TAP harness never sees a
 * bare line it cannot parse. */
static void diag_text(const char *label, const char *text)
{
	const char *p = text, *nl;

	diag("  %s:", label);
	if (!text) {
		diag("    (null)");
		return;
	}
	do {
		nl = strchr(p, '\n');
		diag("    |%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	} while (p);
}

/* Byte-exact comparison of two texts that may span lines. */
static int is_text(const char *got, const char *want, const char *name,
		   const char *what)
{
	int same = got && want && strcmp(got, want) == 0;

	ok(same, "%s: %s", name, what);
	if (!same) {
		diag_text("got", got);
		diag_text("expected", want);
	}
	return same;
}

/* The value after "Signature=" in an Authorization value. */
static char *signature_of(const char *authz)
{
	const char *s = authz ? strstr(authz, "Signature=") : NULL;

	return s ? xstrdup(s + 10) : xstrdup("(no Signature= in the file)");
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ"; -1 if malformed.
 * Days-from-civil arithmetic, since timegm() is not standard C. */
static long long parse_timestamp(const char *s)
{
	int y, mo, d, h, mi, se;
	long long era, yoe, doy, doe;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi,
			 &se) != 6)
		return -1;
	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + se;
}

static const struct skip *find_skip(const char *layout, const char *name)
{
	struct skip *s;

	for (s = skips; s->layout; s++) {
		if (!strcmp(s->layout, layout) && !strcmp(s->name, name)) {
			s->used = 1;
			return s;
		}
	}
	return NULL;
}

/* Reports all CASE_TESTS assertions of a case as failed. */
static void fail_case(const char *name, const char *why)
{
	int i;

	for (i = 0; i < CASE_TESTS; i++)
		ok(0, "%s: %s", name, why);
}

/* Signs req and runs the CASE_TESTS comparisons every case gets. */
static void check_case(const char *name, const struct http_req *req,
		       const rp_sigv4_credentials *creds,
		       const rp_sigv4_params *params, const char *want_creq,
		       const char *want_sts, const char *want_sig,
		       const char *want_authz, const struct http_req *want_sent)
{
	rp_sigv4_request sreq = {
		.method = req->method,
		.path = req->path,
		.query = req->query,
		.headers = req->headers,
		.nheaders = req->nheaders,
		.payload = req->body,
		.payload_len = req->body_len,
	};
	rp_sigv4_result res = { 0 };
	char err[256];
	char *got_set, *want_set;
	int rc = rp_sigv4_sign(&sreq, creds, params, &res, err, sizeof(err));

	if (rc != RP_SIGV4_OK) {
		diag("  rp_sigv4_sign returned %d: %s", rc, err);
		fail_case(name, "signs");
		return;
	}
	is_text(res.canonical_request, want_creq, name, "canonical request");
	is_text(res.string_to_sign, want_sts, name, "string to sign");
	is_text(res.signature, want_sig, name, "signature");
	is_text(res.authorization, want_authz, name, "Authorization value");
	got_set = sent_header_set(req, &res);
	want_set = expected_header_set(want_sent);
	is_text(got_set, want_set, name, "request headers plus add_headers "
		"are the signed request's");
	free(got_set);
	free(want_set);
	rp_sigv4_result_free(&res);
}

/* The second to last line of a canonical request: the signed headers. */
static char *signed_headers_line(const char *creq)
{
	const char *end = strrchr(creq, '\n'), *start;

	if (!end)
		return xstrdup("");
	for (start = end; start > creq && start[-1] != '\n'; start--)
		;
	return xstrndup(start, (size_t)(end - start));
}

/* aws4_testsuite/<group>/<case>/<case>.{req,creq,sts,authz,sreq}.  The
 * files do not say which token to use or whether to sign it; the .sreq
 * shows the token sent, and the .creq whether it was signed (readme.txt of
 * post-sts-token: "before" signs it, "after" adds it afterwards). */
static void run_aws4_case(const char *root, const char *rel)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	char *dir = path_join(root, rel), *name = path_join(AWS4_DIR, rel);
	char *files[5] = { NULL };
	static const char *const ext[5] = { "req", "creq", "sts", "authz",
					    "sreq" };
	size_t lens[5] = { 0 };
	struct http_req req = { 0 }, sent = { 0 };
	rp_sigv4_credentials creds = {
		.access_key_id = AWS4_ACCESS_KEY,
		.secret_access_key = AWS4_SECRET_KEY,
	};
	rp_sigv4_params params = {
		.region = AWS4_REGION,
		.service = AWS4_SERVICE,
		.time = (time_t)parse_timestamp(AWS4_TIMESTAMP),
		.flags = RP_SIGV4_FLAGS_DEFAULT,
	};
	char *signed_line, *sig = NULL;
	int i, ready = 1;

	for (i = 0; i < 5; i++) {
		char file[512];

		snprintf(file, sizeof(file), "%s.%s", base, ext[i]);
		files[i] = read_case_file(dir, file, &lens[i]);
		ready = ready && files[i];
	}
	if (!ready || parse_http_request(files[0], lens[0], "request", &req) ||
	    parse_http_request(files[4], lens[4], "signed request", &sent)) {
		fail_case(name, "test files readable and parsable");
		goto done;
	}
	creds.session_token = find_header(&sent, "X-Amz-Security-Token");
	signed_line = signed_headers_line(files[1]);
	if (creds.session_token && !strstr(signed_line, "x-amz-security-token"))
		params.flags |= RP_SIGV4_OMIT_SESSION_TOKEN;
	free(signed_line);
	sig = signature_of(files[3]);
	check_case(name, &req, &creds, &params, files[1], files[2], sig,
		   files[3], &sent);
done:
	for (i = 0; i < 5; i++)
		free(files[i]);
	free(sig);
	http_req_free(&req);
	http_req_free(&sent);
	free(dir);
	free(name);
}

static const char *json_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* aws-c-auth-v4/<case>/: context.json gives the parameters.  aws-c-auth's
 * own harness always double-encodes the path; "normalize" only switches
 * dot-segment removal. */
static void run_cauth_case(const char *root, const char *rel)
{
	char *dir = path_join(root, rel), *name = path_join(CAUTH_DIR, rel);
	static const char *const file[6] = {
		"request.txt", "header-canonical-request.txt",
		"header-string-to-sign.txt", "header-signature.txt",
		"header-signed-request.txt", "context.json"
	};
	char *files[6] = { NULL };
	size_t lens[6] = { 0 };
	struct http_req req = { 0 }, sent = { 0 };
	json_t *ctx = NULL, *cred;
	json_error_t jerr;
	rp_sigv4_credentials creds = { 0 };
	rp_sigv4_params params = { 0 };
	long long when;
	int i, ready = 1;

	for (i = 0; i < 6; i++) {
		files[i] = read_case_file(dir, file[i], &lens[i]);
		ready = ready && files[i];
	}
	if (!ready || parse_http_request(files[0], lens[0], "request", &req) ||
	    parse_http_request(files[4], lens[4], "signed request", &sent)) {
		fail_case(name, "test files readable and parsable");
		goto done;
	}
	ctx = json_loadb(files[5], lens[5], 0, &jerr);
	if (!ctx) {
		diag("  line %d: %s", jerr.line, jerr.text);
		fail_case(name, "context.json parses");
		goto done;
	}
	cred = json_object_get(ctx, "credentials");
	creds.access_key_id = json_str(cred, "access_key_id");
	creds.secret_access_key = json_str(cred, "secret_access_key");
	creds.session_token = json_str(cred, "token");
	params.region = json_str(ctx, "region");
	params.service = json_str(ctx, "service");
	when = parse_timestamp(json_str(ctx, "timestamp"));
	if (!creds.access_key_id || !creds.secret_access_key ||
	    !params.region || !params.service || when < 0 ||
	    !json_is_boolean(json_object_get(ctx, "normalize")) ||
	    !json_is_boolean(json_object_get(ctx, "sign_body"))) {
		fail_case(name, "context.json has credentials, region, "
			  "service, timestamp, normalize and sign_body");
		goto done;
	}
	params.time = (time_t)when;
	params.flags = RP_SIGV4_DOUBLE_ENCODE;
	if (json_is_true(json_object_get(ctx, "normalize")))
		params.flags |= RP_SIGV4_NORMALIZE_PATH;
	if (json_is_true(json_object_get(ctx, "sign_body")))
		params.flags |= RP_SIGV4_SIGN_BODY;
	if (json_is_true(json_object_get(ctx, "omit_session_token")))
		params.flags |= RP_SIGV4_OMIT_SESSION_TOKEN;
	check_case(name, &req, &creds, &params, files[1], files[2], files[3],
		   find_header(&sent, "Authorization"), &sent);
done:
	json_decref(ctx);
	for (i = 0; i < 6; i++)
		free(files[i]);
	http_req_free(&req);
	http_req_free(&sent);
	free(dir);
	free(name);
}

/* One suite layout: where its cases are and how to run one. */
struct layout {
	const char *dir;
	int (*holds_case)(const char *dir, const char *base);
	void (*run)(const char *root, const char *rel);
	char *root;
	int present;
	struct strlist cases;
};

/* Finds the cases and returns how many assertions they will make. */
static int layout_discover(struct layout *l, const char *data)
{
	int n = 1, i;

	l->root = path_join(data, l->dir);
	l->present = is_dir(l->root);
	if (!l->present)
		return n;
	find_cases(l->root, NULL, l->holds_case, &l->cases);
	for (i = 0; i < (int)l->cases.n; i++)
		n += find_skip(l->dir, l->cases.items[i]) ? 1 : CASE_TESTS;
	return n;
}

static void layout_run(struct layout *l, int *skipped)
{
	size_t i;

	if (!l->present) {
		ok(0, "%s exists", l->root);
		return;
	}
	ok(l->cases.n > 0, "%s: found %zu cases", l->dir, l->cases.n);
	for (i = 0; i < l->cases.n; i++) {
		const struct skip *s = find_skip(l->dir, l->cases.items[i]);

		if (s) {
			ok(1, "%s/%s # SKIP %s", l->dir, l->cases.items[i],
			   s->reason);
			(*skipped)++;
			continue;
		}
		l->run(l->root, l->cases.items[i]);
	}
}

static void layout_free(struct layout *l)
{
	strlist_free(&l->cases);
	free(l->root);
	l->root = NULL;
}

/* The contract around the vectors: errors, owned headers, S3 encoding. */
/* A body made on demand (rp_sigv4_payload_hash_gen): from a buffer. */
struct body {
	char *p;
	size_t len;
	int failing;
};

static int body_at(void *arg, size_t off, char *buf, size_t n)
{
	const struct body *b = arg;

	if (b->failing || off > b->len || n > b->len - off)
		return 1;
	memcpy(buf, b->p + off, n);
	return 0;
}

static void api_tests(void)
{
	rp_sigv4_header hs[3] = { { "Host", "example.amazonaws.com" } };
	rp_sigv4_request req = {
		.method = "GET", .path = "/", .headers = hs, .nheaders = 1,
	};
	rp_sigv4_credentials creds = { AWS4_ACCESS_KEY, AWS4_SECRET_KEY,
				       "TOKEN-VALUE" };
	rp_sigv4_params params = { AWS4_REGION, AWS4_SERVICE,
				   (time_t)1440938160, RP_SIGV4_FLAGS_DEFAULT };
	rp_sigv4_result res = { 0 };
	char err[256];
	int rc;

	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_OK, "api: signs a GET with a session token");
	is_int((long long)res.nadd_headers, 2, "api: two headers to add");
	is_str(res.nadd_headers > 0 ? res.add_headers[0].name : NULL,
	       "X-Amz-Date", "api: X-Amz-Date first");
	is_str(res.nadd_headers > 0 ? res.add_headers[0].value : NULL,
	       "20150830T123600Z", "api: its value is the signing time");
	is_str(res.nadd_headers > 1 ? res.add_headers[1].name : NULL,
	       "X-Amz-Security-Token", "api: then X-Amz-Security-Token");
	rp_sigv4_result_free(&res);

	hs[0].name = "Content-Type";
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_ERR_INVALID, "api: refuses a request without Host");
	like(err, "Host", "api: the message names Host");

	hs[0].name = "Host";
	hs[1] = (rp_sigv4_header){ "X-Amz-Date", "20200101T000000Z" };
	req.nheaders = 2;
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_ERR_INVALID, "api: refuses a different X-Amz-Date");
	like(err, "X-Amz-Date", "api: the message names X-Amz-Date");

	hs[1] = (rp_sigv4_header){ "X-Amz-Security-Token", "OTHER" };
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_ERR_INVALID, "api: refuses a different token");
	ok(!strstr(err, "TOKEN-VALUE") && !strstr(err, "OTHER") &&
	   !strstr(err, AWS4_SECRET_KEY), "api: the message shows no token "
	   "or secret");

	hs[1] = (rp_sigv4_header){ "Authorization", "AWS4-HMAC-SHA256 x" };
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_ERR_INVALID, "api: refuses an Authorization header");

	hs[1] = (rp_sigv4_header){ "X-Evil", "a\r\nInjected: 1" };
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_ERR_INVALID, "api: refuses a line break that is "
	       "not a fold");

	hs[1] = (rp_sigv4_header){ "X-Folded", "a\r\n\tb" };
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_OK, "api: accepts a CR LF fold");
	like(res.canonical_request, "\nx-folded:a b\n", "api: a fold signs "
	     "as one space");
	rp_sigv4_result_free(&res);

	/* S3: no normalisation, each segment encoded once ("%2F" stays data,
	 * "%7E" is '~'), payload hash signed in x-amz-content-sha256. */
	req.nheaders = 1;
	req.path = "/bucket/a%2Fb/./c%20d/%7e";
	req.payload_hash = "UNSIGNED-PAYLOAD";
	creds.session_token = NULL;
	params.service = "s3";
	params.flags = RP_SIGV4_FLAGS_S3;
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_OK, "api: signs an S3 request");
	like(res.canonical_request, "GET\n/bucket/a%2Fb/./c%20d/~\n",
	     "api: S3 path encoded once, not normalised");
	like(res.canonical_request, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n",
	     "api: S3 signs x-amz-content-sha256");
	ok(res.nadd_headers == 2 && !strcmp(res.add_headers[1].name,
					     "x-amz-content-sha256"),
	   "api: S3 is told to add x-amz-content-sha256");
	rp_sigv4_result_free(&res);

	params.flags = RP_SIGV4_FLAGS_DEFAULT;
	req.query = "b=2&a=x+y&a=%7e&c";
	rc = rp_sigv4_sign(&req, &creds, &params, &res, err, sizeof(err));
	is_int(rc, RP_SIGV4_OK, "api: signs with a query");
	/* "%7e" decodes to '~', which is unreserved, and sorts after 'x'. */
	like(res.canonical_request, "GET\n/bucket/a%252Fb/c%2520d/%257e\n"
	     "a=x%2By&a=~&b=2&c=\n", "api: double-encoded normalised path, "
	     "sorted re-encoded query");
	rp_sigv4_result_free(&res);

	rp_sigv4_result_free(&res);
	ok(res.canonical_request == NULL, "api: freeing twice is harmless");

	{
		/* What the AWS client signs once for every attempt. */
		char hex[65];

		is_int(rp_sigv4_payload_hash(NULL, 0, hex), RP_SIGV4_OK,
		       "api: the payload hash of no body");
		is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		       "api: is SHA-256 of nothing");
		rp_sigv4_payload_hash("Action=ListUsers&Version=2010-05-08", 35, hex);
		is_str(hex, "b6359072c78d70ebee1e81adcbab4f01bf2c23245fa365ef83fe8f1f955085e2",
		       "api: and of a form, in lower-case hex");
	}
	{
		/* A body made as it is sent, hashed in pieces. */
		struct body big = {NULL, 200001, 0};
		char want[65], got[65];

		big.p = malloc(big.len);
		for (size_t i = 0; i < big.len; i++)
			big.p[i] = (char)(i * 7 + i / 1000);
		rp_sigv4_payload_hash(big.p, big.len, want);
		is_int(rp_sigv4_payload_hash_gen(body_at, &big, big.len, got),
		       RP_SIGV4_OK, "api: a made body of 200,001 bytes is hashed");
		is_str(got, want, "api: to the hash of the body held whole");
		big.failing = 1;
		is_int(rp_sigv4_payload_hash_gen(body_at, &big, big.len, got),
		       RP_SIGV4_ERR_INVALID, "api: a body that cannot be made is an error");
		free(big.p);
	}
}

int main(void)
{
	const char *data = getenv("RP_SIGV4_TESTDATA");
	const char *allow = getenv("RP_SIGV4_ALLOW_MISSING");
	struct layout layouts[2] = {
		{ .dir = AWS4_DIR, .holds_case = aws4_holds_case,
		  .run = run_aws4_case },
		{ .dir = CAUTH_DIR, .holds_case = cauth_holds_case,
		  .run = run_cauth_case },
	};
	const struct skip *s;
	int planned = API_TESTS, skipped = 0, i;
	size_t found = 0;

	if (!data || !*data || !is_dir(data)) {
		if (allow && !strcmp(allow, "1")) {
			skip_all("RP_SIGV4_TESTDATA is unset or not a "
				 "directory (RP_SIGV4_ALLOW_MISSING=1)");
			return 0;
		}
		plan(1);
		ok(0, "RP_SIGV4_TESTDATA names the SigV4 test suites");
		diag("RP_SIGV4_TESTDATA is %s%s%s: point it at the directory "
		     "holding aws4_testsuite/ and aws-c-auth-v4/ (e.g. "
		     "../shared/testdata/sigv4), or set "
		     "RP_SIGV4_ALLOW_MISSING=1 to skip this test",
		     data ? "\"" : "", data ? data : "unset",
		     data ? "\", not a directory" : "");
		return done_testing();
	}

	for (i = 0; i < 2; i++) {
		planned += layout_discover(&layouts[i], data);
		found += layouts[i].cases.n;
	}
	for (s = skips; s->layout; s++)
		planned++;
	plan(planned);

	api_tests();
	for (i = 0; i < 2; i++)
		layout_run(&layouts[i], &skipped);
	/* A skip entry that matches nothing is stale: a renamed case would
	 * otherwise quietly stop being skipped. */
	for (s = skips; s->layout; s++)
		ok(s->used, "skip entry %s/%s names an existing case",
		   s->layout, s->name);
	diag("%zu cases found, %zu run, %d skipped", found,
	     found - (size_t)skipped, skipped);
	for (i = 0; i < 2; i++)
		layout_free(&layouts[i]);
	return done_testing();
}
