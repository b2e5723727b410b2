/* iam_credential_report.c - source plugin: the IAM credential report,
 * straight from AWS.
 *
 * GenerateCredentialReport is asked until the state is COMPLETE, waiting
 * with a growing interval, then GetCredentialReport.  Unlike the Lambda it
 * replaces, it never waits without a limit: past `timeout` the run fails
 * saying how long it waited and in which state.
 *
 * With `accounts`, the same is done for every listed account (or every
 * active account of the organization, from Organizations ListAccounts),
 * each in a worker instance that assumes `role_name` in that account,
 * `max_parallel` at a time.  Each account becomes its own dataset; a
 * failed account is named and the others are still delivered. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <reportpipe/plugin.h>

#define MAX_POLL_MS 15000

static const rp_option options[] = {
	{.key = "poll_interval", .type = RP_OPT_DURATION, .default_value = "2s",
	 .description = "first wait between GenerateCredentialReport calls; grows to 15 s"},
	{.key = "timeout", .type = RP_OPT_DURATION, .default_value = "300s",
	 .description = "give up (exit 3) when the report is not ready within this time"},
	{.key = "accounts", .type = RP_OPT_LIST,
	 .description = "account ids to report on, or 'organization' for every active account (default: the credentials' own)"},
	{.key = "role_name", .type = RP_OPT_STRING,
	 .default_value = "OrganizationAccountAccessRole",
	 .description = "with accounts: the role assumed in each account (not in the credentials' own)"},
	{.key = "max_parallel", .type = RP_OPT_INT, .default_value = "8",
	 .min = 1, .max = 64,
	 .description = "with accounts: how many accounts are worked on at once"},
	RP_AWS_OPTIONS,
	{0}
};

#define ORG_TARGET "AWSOrganizationsV20161128.ListAccounts"
#define MAX_ORG_PAGES 1000

static const rp_header form[] = {
	{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* IAM's Query request for action, its form written into body. */
static rp_request iam_request(const char *action, char body[96])
{
	rp_request req = {.method = "POST", .target = "/", .headers = form,
			  .nheaders = 1, .body = body};

	req.body_len = (size_t)snprintf(body, 96, "Action=%s&Version=2010-05-08",
					action);
	return req;
}

static rp_status iam_call(rp_instance *self, const rp_host *host,
			  const char *action, rp_response **out)
{
	char body[96];
	rp_request req = iam_request(action, body);

	return host->aws_request(self, "iam", action, 0, &req, out);
}

/* Base64 (with or without line breaks) to bytes, in place: the bytes
 * take *outlen bytes of text from text + 1 on (the spare byte in front
 * that dataset_from_csv_inplace wants), a report's megabytes decoded
 * without a second buffer.  White space goes first; then each block of
 * 4,096 characters is decoded to the side and copied back behind the
 * block being read (three bytes for every four characters, plus one). */
static rp_status decode_base64(char *text, size_t *outlen)
{
	enum { BLOCK = 4096 };
	unsigned char bytes[BLOCK / 4 * 3 + 1];
	size_t n = strlen(text), j = strcspn(text, "\n\r \t"), out = 0;

	for (size_t i = j; i < n; i++)
		if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ' &&
		    text[i] != '\t')
			text[j++] = text[i];
	text[j] = '\0';
	/* Padding only at the very end, at most two. */
	if (j % 4 || memchr(text, '=', j >= 2 ? j - 2 : 0) ||
	    (j >= 2 && text[j - 2] == '=' && text[j - 1] != '='))
		return RP_ERR_PARSE;
	for (size_t i = 0; i < j; i += BLOCK) {
		size_t k = j - i < BLOCK ? j - i : BLOCK;
		int got = EVP_DecodeBlock(bytes, (const unsigned char *)text + i,
					  (int)k);

		if (got < 0)
			return RP_ERR_PARSE;
		/* EVP_DecodeBlock counts the padding as bytes. */
		if (i + k == j)
			got -= (text[j - 1] == '=') + (text[j - 2] == '=');
		memcpy(text + 1 + out, bytes, (size_t)got);
		out += (size_t)got;
	}
	*outlen = out;
	return RP_OK;
}

/* The report from GetCredentialReport's Content, ReportFormat and
 * GeneratedTime (taken over, st: how reading them went) as a dataset
 * (*out); expect: the account it must be of, or NULL. */
static rp_status take_report(rp_instance *self, const rp_host *host,
			     rp_status st, char *content, char *format,
			     char *generated, const char *expect,
			     rp_dataset **out)
{
	size_t csvlen = 0;
	rp_dataset *ds = NULL;
	time_t gt;

	if (st || !content || !generated) {
		host->set_error(self,
				"IAM GetCredentialReport: %s; it was cut short or garbled on the way (a proxy?): run again, and check what sits between reportpipe and endpoint_url if it persists",
				st ? "the answer is not well-formed XML"
				   : "the answer lacks Content or GeneratedTime");
		st = st ? st : RP_ERR_PARSE;
		goto out;
	}
	if (format && strcmp(format, "text/csv") != 0) {
		host->set_error(self,
				"IAM GetCredentialReport: ReportFormat is '%.40s', not text/csv; this reportpipe reads only CSV reports",
				format);
		st = RP_ERR_PARSE;
		goto out;
	}
	if (host->parse_time(generated, &gt)) {
		host->set_error(self, "IAM GetCredentialReport: GeneratedTime '%.40s' is not ISO 8601",
				generated);
		st = RP_ERR_PARSE;
		goto out;
	}
	st = decode_base64(content, &csvlen);
	if (st) {
		host->set_error(self,
				"IAM GetCredentialReport: Content is not valid base64, so the report was damaged on the way: run again, and check what sits between reportpipe and endpoint_url if it persists");
		goto out;
	}
	/* The decoded report becomes the dataset where it lies. */
	st = host->dataset_from_csv_inplace(self, content, csvlen,
					    "IAM credential report", &ds);
	content = NULL;
	if (st)
		goto out;
	st = host->dataset_set_meta(self, ds, NULL, NULL, gt);
	if (st) {
		/* No ARN to read the account from: ask STS who we are. */
		char *account = NULL, *arn = NULL;

		if (host->aws_caller_identity(self, &account, &arn) == RP_OK) {
			st = host->dataset_set_meta(self, ds, account, NULL, gt);
			free(account);
			free(arn);
		}
	}
	if (!st && expect && strcmp(host->ds_meta(ds)->account_id, expect) != 0) {
		host->set_error(self,
				"IAM GetCredentialReport: the report is of account %s, not %s; check role_name's trust policy and the endpoint",
				host->ds_meta(ds)->account_id, expect);
		st = RP_ERR_REMOTE;
	}
	if (st) {
		host->dataset_free(ds);
		goto out;
	}
	host->log(self, RP_LOG_INFO, "report generated %s, %zu bytes", generated,
		  csvlen);
	*out = ds;
out:
	free(content);
	free(format);
	free(generated);
	return st;
}

/* Generates and fetches one account's report with self's credentials. */
static rp_status fetch_report(rp_instance *self, const rp_host *host,
			      const char *expect, rp_dataset **out)
{
	double start = now_ms();
	double timeout = (double)host->opt_int(self, "timeout");
	double delay = (double)host->opt_int(self, "poll_interval");
	char state[32] = "not asked yet";
	int need_generate = 1;

	for (;;) {
		rp_response *r = NULL;
		const char *code;
		rp_status st;

		if (need_generate) {
			size_t len;
			char *s = NULL;

			st = iam_call(self, host, "GenerateCredentialReport", &r);
			code = r ? host->response_error_code(r) : "";
			if (st && strcmp(code, "LimitExceeded") != 0) {
				host->response_free(r);
				return st;
			}
			if (!st) {
				const char *xml = host->response_body(r, &len);

				rp_status xst = host->xml_text(xml, len,
							       "GenerateCredentialReportResult/State",
							       &s);

				if (xst || !s) {
					/* Polling on would only wait out timeout
					 * and then blame the report. */
					host->set_error(self,
							"IAM GenerateCredentialReport: %s; it was cut short or garbled on the way (a proxy?): run again, and check what sits between reportpipe and endpoint_url if it persists",
							xst ? "the answer is not well-formed XML"
							    : "the answer has no State");
					free(s);
					host->response_free(r);
					return RP_ERR_PARSE;
				}
				snprintf(state, sizeof(state), "%s", s);
				free(s);
				host->log(self, RP_LOG_INFO, "report state %s", state);
			}
			host->response_free(r);
			if (!st && strcmp(state, "COMPLETE") == 0)
				need_generate = 0;
		} else {
			static const char *const paths[] = {
				"GetCredentialReportResult/Content",
				"GetCredentialReportResult/ReportFormat",
				"GetCredentialReportResult/GeneratedTime"};
			char *got[3], body[96];
			rp_request req = iam_request("GetCredentialReport", body);

			/* Read as it downloads: Content is megabytes. */
			st = host->aws_request_xml(self, "iam", "GetCredentialReport",
						   0, &req, paths, 3, got, &r);
			if (!st || st == RP_ERR_PARSE) {
				host->response_free(r);
				return take_report(self, host, st, got[0], got[1],
						   got[2], expect, out);
			}
			code = r ? host->response_error_code(r) : "";
			if (strcmp(code, "ReportNotPresent") == 0 ||
			    strcmp(code, "ReportExpired") == 0) {
				host->log(self, RP_LOG_INFO, "%s: generating again", code);
				need_generate = 1;
				snprintf(state, sizeof(state), "%s", code);
				host->response_free(r);
				continue;
			}
			if (strcmp(code, "ReportInProgress") != 0) {
				host->response_free(r);
				return st;
			}
			snprintf(state, sizeof(state), "%s", code);
			host->response_free(r);
		}
		if (!need_generate && strcmp(state, "COMPLETE") == 0)
			continue;
		/* Not ready: wait, unless that would pass the deadline. */
		if (now_ms() + delay > start + timeout) {
			host->set_error(self,
					"the credential report was not ready after %.1f s (last state: %s); raise timeout (now %.0f s) or run again later",
					(now_ms() - start) / 1e3, state, timeout / 1e3);
			return RP_ERR_TIMEOUT;
		}
		sleep_ms(delay);
		delay = delay * 1.5 > MAX_POLL_MS ? MAX_POLL_MS : delay * 1.5;
	}
}

/* ------------------------------------------------------ many accounts */

static int is_account_id(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n == 12 && !s[n];
}

static rp_status iam_init(rp_instance *self, const rp_host *host)
{
	const rp_list *l = host->opt_list(self, "accounts");
	const char *role = host->opt_string(self, "role_name");

	if (!l || !host->opt_is_set(self, "accounts"))
		return RP_OK;
	if (l->count == 0) {
		host->set_error(self, "accounts is empty; list account ids, write 'organization', or remove the key");
		return RP_ERR_CONFIG;
	}
	for (size_t i = 0; i < l->count; i++) {
		if (strcmp(l->items[i], "organization") == 0) {
			if (l->count == 1)
				break;
			host->set_error(self, "accounts: 'organization' stands alone; it already means every active account");
			return RP_ERR_CONFIG;
		}
		if (!is_account_id(l->items[i])) {
			host->set_error(self,
					"accounts: '%.40s' is not a 12-digit account id; list ids like 111122223333, or write 'organization'",
					l->items[i]);
			return RP_ERR_CONFIG;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->items[i], l->items[j]) == 0) {
				host->set_error(self, "accounts: %s is listed twice",
						l->items[i]);
				return RP_ERR_CONFIG;
			}
	}
	if (!role || !*role || strchr(role, ':') || role[0] == '/') {
		host->set_error(self,
				"role_name '%.60s' is not a role name; give the name (or path/name) of the role in each account, e.g. OrganizationAccountAccessRole",
				role ? role : "");
		return RP_ERR_CONFIG;
	}
	return RP_OK;
}

typedef struct id_list {
	char **v;
	size_t n;
} id_list;

static void ids_free(id_list *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

static rp_status ids_push(id_list *ids, const char *id)
{
	char **g = realloc(ids->v, (ids->n + 1) * sizeof(*g));

	if (!g)
		return RP_ERR_NOMEM;
	ids->v = g;
	if (!(g[ids->n] = strdup(id)))
		return RP_ERR_NOMEM;
	ids->n++;
	return RP_OK;
}

/* One page of ListAccounts: the active accounts' ids into ids, *next set
 * to the next page's token (NULL at the end). */
static rp_status org_page(rp_instance *self, const rp_host *host,
			  const char *token, id_list *ids, size_t *inactive,
			  char **next)
{
	static const rp_header hdrs[] = {
		{"Content-Type", "application/x-amz-json-1.1"},
		{"X-Amz-Target", ORG_TARGET},
	};
	json_t *req_json = json_object(), *root = NULL, *accts, *tok;
	char *body = NULL;
	rp_response *r = NULL;
	rp_status st = RP_ERR_NOMEM;
	size_t len, i;
	const char *text;

	*next = NULL;
	if (!req_json || (token && json_object_set_new(req_json, "NextToken",
							   json_string(token))))
		goto out;
	if (!(body = json_dumps(req_json, JSON_COMPACT)))
		goto out;
	{
		rp_request req = {.method = "POST", .target = "/", .headers = hdrs,
				  .nheaders = 2, .body = body,
				  .body_len = strlen(body)};
		st = host->aws_request(self, "organizations", "ListAccounts", 0,
				       &req, &r);
	}
	if (st)
		goto out;
	text = host->response_body(r, &len);
	root = json_loadb(text, len, 0, NULL);
	accts = root ? json_object_get(root, "Accounts") : NULL;
	if (!json_is_array(accts)) {
		host->set_error(self, "Organizations ListAccounts: the answer is not JSON with an Accounts list");
		st = RP_ERR_PARSE;
		goto out;
	}
	for (i = 0; i < json_array_size(accts); i++) {
		json_t *a = json_array_get(accts, i);
		const char *id = json_string_value(json_object_get(a, "Id"));
		const char *state = json_string_value(json_object_get(a, "State"));

		if (!state)
			state = json_string_value(json_object_get(a, "Status"));
		if (!id || !is_account_id(id) || !state) {
			host->set_error(self, "Organizations ListAccounts: account %zu of the answer has no 12-digit Id or no Status",
					i + 1);
			st = RP_ERR_PARSE;
			goto out;
		}
		if (strcmp(state, "ACTIVE") != 0) {
			host->log(self, RP_LOG_INFO, "skipping account %s: %s", id, state);
			(*inactive)++;
			continue;
		}
		if ((st = ids_push(ids, id)))
			goto out;
	}
	tok = json_object_get(root, "NextToken");
	if (json_is_string(tok) && *json_string_value(tok) &&
	    !(*next = strdup(json_string_value(tok))))
		st = RP_ERR_NOMEM;
out:
	json_decref(req_json);
	json_decref(root);
	free(body);
	host->response_free(r);
	return st;
}

static rp_status org_accounts(rp_instance *self, const rp_host *host,
			      id_list *ids)
{
	char *token = NULL;
	size_t inactive = 0, pages = 0;
	rp_status st;

	do {
		char *next = NULL;

		st = org_page(self, host, token, ids, &inactive, &next);
		free(token);
		token = next;
		if (st) {
			char *why = strdup(host->instance_error(self));

			host->set_error(self,
					"%s; accounts = organization lists the accounts with organizations:ListAccounts, allowed in the management account or a delegated administrator account",
					why ? why : host->strerror(st));
			free(why);
			break;
		}
		if (++pages > MAX_ORG_PAGES && token) {
			host->set_error(self, "Organizations ListAccounts: more than %d pages; the NextToken never ends",
					MAX_ORG_PAGES);
			st = RP_ERR_REMOTE;
		}
	} while (!st && token);
	free(token);
	if (!st && ids->n == 0) {
		host->set_error(self, "Organizations ListAccounts: no active account (%zu inactive)",
				inactive);
		st = RP_ERR_NOT_FOUND;
	}
	if (!st)
		host->log(self, RP_LOG_INFO, "organization: %zu active accounts, %zu skipped",
			  ids->n, inactive);
	return st;
}

typedef struct fanout {
	const rp_host *host;
	const id_list *ids;
	rp_instance **workers;
	rp_dataset **ds;
	rp_status *st;
} fanout;

static void fetch_one(void *arg, size_t i)
{
	fanout *f = arg;

	f->st[i] = fetch_report(f->workers[i], f->host, f->ids->v[i], &f->ds[i]);
}

/* The failed accounts, "111122223333, 444455556666" (the first few). */
static void failed_names(char *buf, size_t n, const id_list *ids,
			 const rp_status *st)
{
	size_t used = 0, shown = 0, more = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ids->n; i++) {
		if (!st[i])
			continue;
		if (shown == 8 || used + 16 >= n) {
			more++;
			continue;
		}
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 shown ? ", " : "", ids->v[i]);
		shown++;
	}
	if (more)
		snprintf(buf + used, n - used, " and %zu more", more);
}

static rp_status many_accounts(rp_instance *self, const rp_host *host)
{
	const rp_list *l = host->opt_list(self, "accounts");
	const char *role = host->opt_string(self, "role_name");
	id_list ids = {0};
	char *me = NULL, *arn = NULL, names[256];
	fanout f = {.host = host, .ids = &ids};
	size_t good = 0, failed = 0;
	rp_status st, first = RP_OK;

	/* Who the section is: its own account needs no role, and the ARN
	 * gives the partition of the role ARNs. */
	st = host->aws_caller_identity(self, &me, &arn);
	if (st)
		return st;
	if (l->count == 1 && strcmp(l->items[0], "organization") == 0)
		st = org_accounts(self, host, &ids);
	else
		for (size_t i = 0; !st && i < l->count; i++)
			st = ids_push(&ids, l->items[i]);
	if (!st) {
		f.workers = calloc(ids.n, sizeof(*f.workers));
		f.ds = calloc(ids.n, sizeof(*f.ds));
		f.st = calloc(ids.n, sizeof(*f.st));
		if (!f.workers || !f.ds || !f.st)
			st = RP_ERR_NOMEM;
	}
	for (size_t i = 0; !st && i < ids.n; i++) {
		char *role_arn = NULL;
		char partition[32] = "aws";

		sscanf(arn, "arn:%31[^:]:", partition);
		if (strcmp(ids.v[i], me) != 0 &&
		    !(role_arn = malloc(strlen(partition) + strlen(role) + 40))) {
			st = RP_ERR_NOMEM;
			break;
		}
		if (role_arn)
			sprintf(role_arn, "arn:%s:iam::%s:role/%s", partition,
				ids.v[i], role);
		st = host->instance_derive(self, ids.v[i], role_arn, &f.workers[i]);
		free(role_arn);
	}
	if (!st) {
		host->log(self, RP_LOG_INFO, "%zu accounts, %d at a time", ids.n,
			  (int)host->opt_int(self, "max_parallel"));
		/* Not started (interrupted) counts as failed. */
		for (size_t i = 0; i < ids.n; i++)
			f.st[i] = RP_ERR_INTERRUPTED;
		st = host->parallel(self, ids.n,
				    (unsigned)host->opt_int(self, "max_parallel"),
				    fetch_one, &f);
		if (st && st != RP_ERR_INTERRUPTED)
			goto out;
		for (size_t i = 0; i < ids.n; i++) {
			if (f.st[i]) {
				failed++;
				if (!first)
					first = f.st[i];
				host->log(f.workers[i], RP_LOG_ERROR, "%s",
					  *host->instance_error(f.workers[i]) ?
					  host->instance_error(f.workers[i]) :
					  "not fetched: the run was interrupted");
				continue;
			}
			/* In account order, whatever order they finished in. */
			st = host->emit_dataset(self, f.ds[i]);
			f.ds[i] = NULL;
			if (st)
				goto out;
			good++;
		}
		st = RP_OK;
		if (failed) {
			failed_names(names, sizeof(names), &ids, f.st);
			char rest[64] = "";

			if (good)
				snprintf(rest, sizeof(rest), "; the other %zu %s delivered",
					 good, good == 1 ? "is" : "are");
			host->set_error(self, "%zu of %zu accounts failed (%s)%s",
					failed, ids.n, names, rest);
			st = good ? RP_ERR_PARTIAL : first;
		}
	}
out:
	for (size_t i = 0; i < ids.n; i++) {
		if (f.workers)
			host->instance_release(f.workers[i]);
		if (f.ds && f.ds[i])
			host->dataset_free(f.ds[i]);
	}
	free(f.workers);
	free(f.ds);
	free(f.st);
	ids_free(&ids);
	free(me);
	free(arn);
	return st;
}

static rp_status iam_produce(rp_instance *self, const rp_host *host)
{
	rp_dataset *ds = NULL;
	rp_status st;

	if (host->opt_is_set(self, "accounts"))
		return many_accounts(self, host);
	st = fetch_report(self, host, NULL, &ds);
	return st ? st : host->emit_dataset(self, ds);
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SOURCE,
	.name = "iam_credential_report",
	.description = "generates and fetches the IAM credential report from AWS",
	.options = options,
	.init = iam_init,
	.produce = iam_produce,
};
