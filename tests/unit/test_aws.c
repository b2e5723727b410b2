/* test_aws.c - endpoints and partitions as the SDKs choose them, the URL
 * rules for plain http, query bodies, throttling codes, and the XML reader
 * AWS answers go through. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "tap.h"
#include "xml.h"

static void endpoint_is(const rp_aws_config *cfg, const char *service,
			const char *region, const char *want_url,
			const char *want_sign, const char *what)
{
	char *url = NULL, *sign = NULL, err[512] = "";
	rp_status st = rp_aws_endpoint(cfg, service, region, &url, &sign, err,
				       sizeof(err));

	ok(st == RP_OK, "%s: resolves (%s)", what, err);
	is_str(url, want_url, "%s: url", what);
	is_str(sign, want_sign, "%s: signing region", what);
	free(url);
	free(sign);
}

int main(void)
{
	rp_aws_config cfg = {0}, over = {.endpoint_url = "http://127.0.0.1:4566/"};
	char *url = NULL, *sign = NULL, *text = NULL, err[512];
	rp_buf body = {0};
	const char *params[] = {"RoleArn", "arn:aws:iam::1:role/a b",
				"RoleSessionName", "x+y=z&w"};

	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_IAM");
	unsetenv("AWS_ENDPOINT_URL_STS");
	endpoint_is(&cfg, "iam", "eu-west-1", "https://iam.amazonaws.com", "us-east-1",
		    "IAM is global in aws");
	endpoint_is(&cfg, "iam", "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn",
		    "cn-north-1", "IAM in aws-cn");
	endpoint_is(&cfg, "iam", "us-gov-east-1", "https://iam.us-gov.amazonaws.com",
		    "us-gov-west-1", "IAM in aws-us-gov");
	endpoint_is(&cfg, "iam", NULL, "https://iam.amazonaws.com", "us-east-1",
		    "IAM needs no region");
	endpoint_is(&cfg, "sts", "ap-northeast-1", "https://sts.ap-northeast-1.amazonaws.com",
		    "ap-northeast-1", "STS is regional");
	endpoint_is(&cfg, "sts", NULL, "https://sts.us-east-1.amazonaws.com", "us-east-1",
		    "STS without a region uses us-east-1");
	endpoint_is(&cfg, "s3", "cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn",
		    "cn-north-1", "S3 in China");
	endpoint_is(&cfg, "ses", "eu-west-1", "https://email.eu-west-1.amazonaws.com",
		    "eu-west-1", "SES lives at email.*");
	endpoint_is(&cfg, "organizations", "eu-west-1",
		    "https://organizations.us-east-1.amazonaws.com", "us-east-1",
		    "Organizations is global in aws");
	endpoint_is(&cfg, "organizations", "cn-north-1",
		    "https://organizations.cn-northwest-1.amazonaws.com.cn",
		    "cn-northwest-1", "Organizations in aws-cn");
	endpoint_is(&cfg, "organizations", "us-gov-east-1",
		    "https://organizations.us-gov-west-1.amazonaws.com",
		    "us-gov-west-1", "Organizations in aws-us-gov");
	endpoint_is(&over, "organizations", "eu-west-1", "http://127.0.0.1:4566",
		    "us-east-1", "endpoint_url wins; Organizations signs for us-east-1");
	endpoint_is(&over, "iam", "eu-west-1", "http://127.0.0.1:4566", "us-east-1",
		    "endpoint_url wins; IAM still signs for us-east-1");
	setenv("AWS_ENDPOINT_URL", "https://all.example.com", 1);
	setenv("AWS_ENDPOINT_URL_STS", "https://sts.example.com/", 1);
	endpoint_is(&cfg, "sts", "eu-west-1", "https://sts.example.com", "eu-west-1",
		    "AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL");
	endpoint_is(&cfg, "iam", "eu-west-1", "https://all.example.com", "us-east-1",
		    "AWS_ENDPOINT_URL for the rest");
	endpoint_is(&over, "sts", "eu-west-1", "http://127.0.0.1:4566", "eu-west-1",
		    "the section's endpoint_url beats both");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_STS");
	is_str(rp_aws_partition_of_region("us-gov-west-1"), "aws-us-gov", "partition of us-gov");
	is_str(rp_aws_partition_of_region("eu-central-1"), "aws", "partition of eu-central-1");

	over.endpoint_url = "http://iam.internal.example:8080";
	ok(rp_aws_endpoint(&over, "iam", "us-east-1", &url, &sign, err, sizeof(err)) == RP_ERR_CONFIG,
	   "plain http to a remote host is refused");
	like(err, "set allow_http = true", "  naming the option");
	over.allow_http = 1;
	ok(rp_aws_endpoint(&over, "iam", "us-east-1", &url, &sign, err, sizeof(err)) == RP_OK,
	   "allow_http = true accepts it");
	free(url);
	free(sign);
	ok(rp_http_check_url("http://localhost:9000", 0, err, sizeof(err)) == RP_OK &&
	   rp_http_check_url("http://[::1]:9000", 0, err, sizeof(err)) == RP_OK &&
	   rp_http_check_url("http://127.0.0.2/", 0, err, sizeof(err)) == RP_OK,
	   "loopback http is fine without allow_http");
	ok(rp_http_check_url("ftp://example.com/", 1, err, sizeof(err)) == RP_ERR_CONFIG,
	   "other schemes are refused");
	ok(rp_http_check_url("http://127.0.0.1.evil.example/", 0, err, sizeof(err)) == RP_ERR_CONFIG,
	   "a host that merely starts like loopback is not loopback");

	ok(rp_aws_query_body(&body, "AssumeRole", "2011-06-15", params, 2) == RP_OK,
	   "query body builds");
	is_str(body.data,
	       "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&RoleSessionName=x%2By%3Dz%26w",
	       "values are percent-encoded per RFC 3986");
	rp_buf_free(&body);

	ok(rp_aws_is_throttling("Throttling") && rp_aws_is_throttling("SlowDown") &&
	   rp_aws_is_throttling("TooManyRequestsException") &&
	   rp_aws_is_throttling("RequestLimitExceeded"), "throttling codes are known");
	ok(!rp_aws_is_throttling("AccessDenied"), "AccessDenied is not throttling");

	{
		static const char xml[] =
			"<?xml version=\"1.0\"?>\n"
			"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
			"<Error><Type>Sender</Type><Code>ReportInProgress</Code>"
			"<Message>Report is &lt;not&gt; ready</Message></Error>"
			"<RequestId>abc-123</RequestId></ErrorResponse>";
		static const char *const code[] = {"Error", "Code"};
		static const char *const msg[] = {"Error", "Message"};
		static const char *const none[] = {"Error", "Nope"};

		ok(rp_xml_text(xml, sizeof(xml) - 1, code, 2, &text, err, sizeof(err)) == RP_OK,
		   "error XML parses");
		is_str(text, "ReportInProgress", "Error/Code, namespace ignored");
		free(text);
		rp_xml_text(xml, sizeof(xml) - 1, msg, 2, &text, err, sizeof(err));
		is_str(text, "Report is <not> ready", "entities decoded");
		free(text);
		ok(rp_xml_text(xml, sizeof(xml) - 1, none, 2, &text, err, sizeof(err)) == RP_OK &&
		   text == NULL, "a missing element is NULL, not an error");
		ok(rp_xml_text("<a><b>x</a>", 11, code, 2, &text, err, sizeof(err)) == RP_ERR_PARSE,
		   "malformed XML is refused");
		like(err, "malformed XML at line 1", "  with its position");
	}
	{
		/* Several fields in one pass, as the IAM source reads a report:
		 * each gets its first match, text split by entities and
		 * nesting is joined, a missing one is NULL. */
		static const char xml[] =
			"<R xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Result>"
			"<Content>QUJD&#x0A;REVG</Content><Format>text/csv</Format>"
			"<Content>second</Content>"
			"<Outer><Inner>in</Inner>tail</Outer>"
			"<Time>2026-11-30T06:00:00Z</Time></Result></R>";
		static const char *const content[] = {"Result", "Content"};
		static const char *const format[] = {"Format"};
		static const char *const none[] = {"Result", "Nope"};
		static const char *const time_[] = {"Result", "Time"};
		static const char *const outer[] = {"Outer"};
		static const char *const inner[] = {"Outer", "Inner"};
		char *v[6] = {0};
		const rp_xml_field f[] = {{content, 2, &v[0]}, {format, 1, &v[1]},
					  {none, 2, &v[2]}, {time_, 2, &v[3]},
					  {outer, 1, &v[4]}, {inner, 2, &v[5]}};

		ok(rp_xml_fields(xml, sizeof(xml) - 1, f, 6, err, sizeof(err)) == RP_OK,
		   "rp_xml_fields: six paths in one pass");
		is_str(v[0], "QUJD\nREVG", "  the first Content, its character reference decoded");
		is_str(v[1], "text/csv", "  Format");
		ok(v[2] == NULL, "  a missing path is NULL");
		is_str(v[3], "2026-11-30T06:00:00Z", "  a field after the others");
		is_str(v[4], "intail", "  an element's text includes its children's");
		is_str(v[5], "in", "  and a path inside another one's element is read too");
		for (size_t i = 0; i < 6; i++)
			free(v[i]);
		memset(v, 0, sizeof(v));
		static const char cut[] = "<R><Result><Content>x</Content><Format>";

		ok(rp_xml_fields(cut, sizeof(cut) - 1, f, 6, err, sizeof(err)) == RP_ERR_PARSE,
		   "rp_xml_fields: a document cut short is refused");
		ok(!v[0] && !v[1] && !v[3], "  and no field is returned, even those read before the cut");

		/* The same document in two pieces split at every byte, as an
		 * answer arrives: the same six fields each time. */
		{
			size_t len = sizeof(xml) - 1, bad = 0;

			for (size_t cut_at = 0; cut_at <= len; cut_at++) {
				char *w[6];
				const rp_xml_field g[] = {{content, 2, &w[0]}, {format, 1, &w[1]},
							  {none, 2, &w[2]}, {time_, 2, &w[3]},
							  {outer, 1, &w[4]}, {inner, 2, &w[5]}};
				rp_xml_stream *x;

				if (rp_xml_stream_new(g, 6, &x) != RP_OK) {
					bad++;
					continue;
				}
				/* a first attempt cut short, then the retry */
				rp_xml_stream_feed(x, xml, cut_at / 2);
				rp_xml_stream_reset(x);
				rp_xml_stream_feed(x, xml, cut_at);
				rp_xml_stream_feed(x, xml + cut_at, len - cut_at);
				if (rp_xml_stream_finish(x, err, sizeof(err)) != RP_OK ||
				    !w[0] || strcmp(w[0], "QUJD\nREVG") || !w[1] ||
				    strcmp(w[1], "text/csv") || w[2] || !w[3] ||
				    strcmp(w[3], "2026-11-30T06:00:00Z") || !w[4] ||
				    strcmp(w[4], "intail") || !w[5] || strcmp(w[5], "in"))
					bad++;
				for (size_t i = 0; i < 6; i++)
					free(w[i]);
				rp_xml_stream_free(x);
			}
			is_int((long long)bad, 0,
			       "rp_xml_stream: split at any byte, after a reset, the same fields");
		}
		{
			char *w[6];
			const rp_xml_field g[] = {{content, 2, &w[0]}, {format, 1, &w[1]},
						  {none, 2, &w[2]}, {time_, 2, &w[3]},
						  {outer, 1, &w[4]}, {inner, 2, &w[5]}};
			rp_xml_stream *x;

			ok(rp_xml_stream_new(g, 6, &x) == RP_OK, "rp_xml_stream: a second stream");
			ok(rp_xml_stream_feed(x, "<R><a></b>", 10) != 0,
			   "rp_xml_stream: a bad piece is refused at once");
			rp_xml_stream_feed(x, "<c/>", 4);
			ok(rp_xml_stream_finish(x, err, sizeof(err)) == RP_ERR_PARSE &&
			   !w[0] && !w[3], "  and finish reports it, with no field");
			like(err, "malformed XML at line 1", "  saying where");
			rp_xml_stream_free(x);
		}
	}
	return done_testing();
}
