/* iam_credential_report.c - source plugin: the IAM credential report,
 * straight from AWS.
 *
 * GenerateCredentialReport is asked until the state is COMPLETE, waiting
 * with a growing interval, then GetCredentialReport.  Unlike the Lambda it
 * replaces, it never waits without a limit: past `timeout` the run fails
 * saying how long it waited and in which state. */
#define _POSIX_C_SOURCE 200809L

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
	RP_AWS_OPTIONS,
	{0}
};

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

static rp_status iam_call(rp_instance *self, const rp_host *host,
			  const char *action, rp_response **out)
{
	char body[96];
	rp_request req = {.method = "POST", .target = "/", .headers = form,
			  .nheaders = 1, .body = body};

	req.body_len = (size_t)snprintf(body, sizeof(body),
					"Action=%s&Version=2010-05-08", action);
	return host->aws_request(self, "iam", action, 0, &req, out);
}

/* Base64 (with or without line breaks) to bytes. */
static rp_status decode_base64(const char *in, unsigned char **out,
			       size_t *outlen)
{
	size_t n = strlen(in), j = 0, pad = 0;
	char *clean = malloc(n + 1);
	unsigned char *buf;
	int got;

	if (!clean)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (in[i] != '\n' && in[i] != '\r' && in[i] != ' ' && in[i] != '\t')
			clean[j++] = in[i];
	clean[j] = '\0';
	if (j % 4) {
		free(clean);
		return RP_ERR_PARSE;
	}
	buf = malloc(j / 4 * 3 + 1);
	if (!buf) {
		free(clean);
		return RP_ERR_NOMEM;
	}
	got = j ? EVP_DecodeBlock(buf, (const unsigned char *)clean, (int)j) : 0;
	if (got < 0) {
		free(clean);
		free(buf);
		return RP_ERR_PARSE;
	}
	/* EVP_DecodeBlock counts the padding as bytes. */
	if (j >= 1 && clean[j - 1] == '=')
		pad++;
	if (j >= 2 && clean[j - 2] == '=')
		pad++;
	free(clean);
	*out = buf;
	*outlen = (size_t)got - pad;
	return RP_OK;
}

static rp_status take_report(rp_instance *self, const rp_host *host,
			     rp_response *r)
{
	size_t len, csvlen = 0;
	const char *xml = host->response_body(r, &len);
	char *content = NULL, *format = NULL, *generated = NULL;
	unsigned char *csv = NULL;
	rp_dataset *ds = NULL;
	time_t gt;
	rp_status st;

	st = host->xml_text(xml, len, "GetCredentialReportResult/Content", &content);
	if (!st)
		st = host->xml_text(xml, len, "GetCredentialReportResult/ReportFormat", &format);
	if (!st)
		st = host->xml_text(xml, len, "GetCredentialReportResult/GeneratedTime", &generated);
	if (st || !content || !generated) {
		host->set_error(self,
				"IAM GetCredentialReport: the answer lacks Content or GeneratedTime (%s)",
				st ? "malformed XML" : "missing element");
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
	st = decode_base64(content, &csv, &csvlen);
	if (st) {
		host->set_error(self, "IAM GetCredentialReport: Content is not valid base64");
		goto out;
	}
	st = host->dataset_from_csv(self, (const char *)csv, csvlen,
				    "IAM credential report", &ds);
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
	if (st) {
		host->dataset_free(ds);
		goto out;
	}
	host->log(self, RP_LOG_INFO, "report generated %s, %zu bytes", generated,
		  csvlen);
	st = host->emit_dataset(self, ds);
out:
	free(content);
	free(format);
	free(generated);
	free(csv);
	return st;
}

static rp_status iam_produce(rp_instance *self, const rp_host *host)
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

				host->xml_text(xml, len, "GenerateCredentialReportResult/State", &s);
				snprintf(state, sizeof(state), "%s", s ? s : "?");
				free(s);
				host->log(self, RP_LOG_INFO, "report state %s", state);
			}
			host->response_free(r);
			if (!st && strcmp(state, "COMPLETE") == 0)
				need_generate = 0;
		} else {
			st = iam_call(self, host, "GetCredentialReport", &r);
			if (!st) {
				st = take_report(self, host, r);
				host->response_free(r);
				return st;
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

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_SOURCE,
	.name = "iam_credential_report",
	.description = "generates and fetches the IAM credential report from AWS",
	.options = options,
	.produce = iam_produce,
};
