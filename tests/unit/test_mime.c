/* test_mime.c - the MIME builder both mail sinks use: a fixed weekly
 * report mail byte for byte against tests/golden/mime/weekly.eml, line
 * lengths and CRLF, Bcc never in the headers, header injection refused
 * field by field, address checks, encoded-words that never split a
 * character, and the HTML-to-text rendering.
 *
 * The inputs of the weekly mail are repeated in tests/fakes/check_mime.py,
 * which checks the same golden file with Python's email package: change
 * both together.  To regenerate the golden file after an intended change,
 * run with RP_MIME_GOLDEN_OUT=path and read the result before copying it
 * over tests/golden/mime/weekly.eml. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mime.h"
#include "tap.h"
#include "util.h"

#define WEEKLY_DATE ((time_t)1796018400) /* Mon, 30 Nov 2026 06:00:00 UTC */

static const char SUBJECT[] =
	"IAM認証情報レポート 123456789012 2026-11-30 週次の監査用";
static const char FROM[] = "情報セキュリティ監査室 <iam-audit@example.co.jp>";
static const char FROM_NAME[] = "情報セキュリティ監査室";
static const char *const TO[] = {
	"山田 太郎 <taro.yamada@example.co.jp>",
	"audit-archive@example.co.jp",
};
static const char *const CC[] = {"\"Security, Team\" <security@example.com>"};
static const char *const BCC[] = {"hidden-bcc@example.net"};
static const char REPLY_TO[] = "監査窓口 <audit-desk@example.co.jp>";

static const char TEXT[] =
	"IAM認証情報レポート（週次）\n"
	"アカウント: 123456789012\n"
	"生成日時: 2026-11-30 06:00 UTC\n"
	"\n"
	"ユーザー数: 3\n"
	"MFA未設定: 1 (alice)\n"
	"\n"
	"添付ファイル:\n"
	"- 20261130_123456789012_iam_credential_report.csv (AWSの原本)\n"
	"- IAMユーザー管理簿.csv (Excel用)\n"
	"\n"
	"このメールは reportpipe が自動送信しています。\n";

static const char HTML[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"ja\"><head><meta charset=\"utf-8\">"
	"<title>IAM認証情報レポート</title>\n"
	"<style>table { border-collapse: collapse } td, th { padding: 2px 6px }</style>\n"
	"</head>\n"
	"<body>\n"
	"<h1>IAM認証情報レポート（週次）</h1>\n"
	"<p>アカウント 123456789012 &#8212; 生成日時 2026-11-30 06:00 UTC</p>\n"
	"<table>\n"
	"  <tr><th>ユーザー</th><th>MFA</th><th>最終ログイン</th></tr>\n"
	"  <tr><td>&lt;root_account&gt;</td><td>true</td><td>2026-11-02</td></tr>\n"
	"  <tr><td>alice</td><td><b>false</b></td><td>2026-11-29</td></tr>\n"
	"  <tr><td>yamada.taro</td><td>false</td><td></td></tr>\n"
	"</table>\n"
	"<p>MFA未設定: 1 &amp; 未使用キー: 0<br>\n"
	"質問は &quot;監査窓口&quot; へ &#x2713;</p>\n"
	"<script>document.write('not text')</script>\n"
	"</body></html>\n";

/* What rp_html_to_text makes of HTML. */
static const char HTML_AS_TEXT[] =
	"IAM認証情報レポート（週次）\n"
	"\n"
	"アカウント 123456789012 \xE2\x80\x94 生成日時 2026-11-30 06:00 UTC\n"
	"\n"
	"ユーザー | MFA | 最終ログイン\n"
	"<root_account> | true | 2026-11-02\n"
	"alice | false | 2026-11-29\n"
	"yamada.taro | false |\n"
	"\n"
	"MFA未設定: 1 & 未使用キー: 0\n"
	"質問は \"監査窓口\" へ \xE2\x9C\x93\n";

static const char CSV_NAME[] = "20261130_123456789012_iam_credential_report.csv";
static const char CSV_DATA[] =
	"user,arn,user_creation_time,password_enabled,password_last_used,"
	"mfa_active,access_key_1_active,access_key_1_last_used_date\n"
	"<root_account>,arn:aws:iam::123456789012:root,2020-01-15T09:00:00+00:00,"
	"not_supported,2026-11-02T01:12:00+00:00,true,false,N/A\n"
	"alice,arn:aws:iam::123456789012:user/alice,2023-04-01T00:00:00+00:00,"
	"true,2026-11-29T23:10:00+00:00,false,true,2026-11-29T22:00:00+00:00\n"
	"yamada.taro,arn:aws:iam::123456789012:user/yamada.taro,"
	"2024-07-10T00:00:00+00:00,false,N/A,false,true,2026-06-01T00:00:00+00:00\n";
static const char JA_NAME[] = "IAMユーザー管理簿.csv";
/* Excel in Japan: a BOM and CRLF, which must arrive untouched. */
static const char JA_DATA[] =
	"\xEF\xBB\xBFユーザー,氏名,部署,MFA\r\n"
	"alice,アリス,情報システム部,未設定\r\n"
	"yamada.taro,山田 太郎,監査室,設定済み\r\n";

static rp_mime_part parts[2];

static void weekly(rp_mime_message *m)
{
	memset(m, 0, sizeof(*m));
	parts[0].filename = CSV_NAME;
	parts[0].media_type = "text/csv; charset=utf-8";
	parts[0].data = CSV_DATA;
	parts[0].len = sizeof(CSV_DATA) - 1;
	parts[1].filename = JA_NAME;
	parts[1].media_type = "text/csv; charset=utf-8";
	parts[1].data = JA_DATA;
	parts[1].len = sizeof(JA_DATA) - 1;
	m->from = FROM;
	m->to = TO;
	m->nto = 2;
	m->cc = CC;
	m->ncc = 1;
	m->bcc = BCC;
	m->nbcc = 1;
	m->reply_to = REPLY_TO;
	m->subject = SUBJECT;
	m->text = TEXT;
	m->html = HTML;
	m->attachments = parts;
	m->nattachments = 2;
	m->date = WEEKLY_DATE;
	m->boundary_seed = "weekly-golden";
}

/* ------------------------------------------------------------ helpers */

static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;

	while (i < len) {
		if (s[i] < 0x80)
			n = 1;
		else if (s[i] >= 0xC2 && s[i] <= 0xDF)
			n = 2;
		else if (s[i] >= 0xE0 && s[i] <= 0xEF)
			n = 3;
		else if (s[i] >= 0xF0 && s[i] <= 0xF4)
			n = 4;
		else
			return 0;
		if (i + n > len)
			return 0;
		for (k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

/* The header block: everything before the first empty line. */
static size_t header_len(const char *msg)
{
	const char *e = strstr(msg, "\r\n\r\n");

	return e ? (size_t)(e - msg) + 2 : strlen(msg);
}

/* The unfolded value of header `name` (in the top header block), or
 * NULL; free it. */
static char *header(const char *msg, const char *name)
{
	size_t hl = header_len(msg), nl = strlen(name);
	const char *p = msg, *end = msg + hl, *e;
	rp_buf b = {0};

	while (p < end && (e = strstr(p, "\r\n")) != NULL) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			for (;;) {
				rp_buf_append(&b, p, (size_t)(e - p));
				/* A line starting with white space continues it. */
				if (!(e + 2 < end && (e[2] == ' ' || e[2] == '\t')))
					break;
				p = e + 2;
				if (!(e = strstr(p, "\r\n"))) {
					rp_buf_puts(&b, p);
					break;
				}
			}
			return rp_buf_steal(&b);
		}
		p = e + 2;
	}
	return NULL;
}

struct words {
	int count;
	int all_short;     /* every word at most 75 characters */
	int all_utf8;      /* every word decodes to whole UTF-8 characters */
	rp_buf text;       /* the words decoded and joined */
};

/* Decodes every "=?UTF-8?B?...?=" in s, each on its own. */
static void decode_words(const char *s, struct words *w)
{
	const char *p = s, *q;
	unsigned char out[128];
	int n, pad;
	size_t len;

	memset(w, 0, sizeof(*w));
	w->all_short = w->all_utf8 = 1;
	rp_buf_append(&w->text, "", 0);
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		q = strstr(p + 10, "?=");
		if (!q)
			break;
		len = (size_t)(q - (p + 10));
		if ((size_t)(q + 2 - p) > 75)
			w->all_short = 0;
		if (len > 4 * sizeof(out) / 3 || len % 4) {
			w->all_utf8 = 0;
			break;
		}
		n = EVP_DecodeBlock(out, (const unsigned char *)p + 10, (int)len);
		pad = (len && p[10 + len - 1] == '=') + (len > 1 && p[10 + len - 2] == '=');
		if (n < 0) {
			w->all_utf8 = 0;
			break;
		}
		n -= pad;
		if (!valid_utf8(out, (size_t)n))
			w->all_utf8 = 0;
		rp_buf_append(&w->text, out, (size_t)n);
		w->count++;
		p = q + 2;
	}
}

struct lines {
	size_t longest;
	size_t longest_ew;     /* longest line holding an encoded-word */
	size_t longest_header; /* longest line of any header block */
	int bare;              /* a CR or LF not in a CRLF pair */
	int last_crlf;         /* the message ends with CRLF */
};

static void measure(const char *msg, size_t len, struct lines *l)
{
	size_t i, start = 0, n;
	int in_headers = 1;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < len; i++) {
		if (msg[i] == '\r' && (i + 1 >= len || msg[i + 1] != '\n'))
			l->bare = 1;
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			l->bare = 1;
		if (msg[i] != '\n')
			continue;
		n = i - start - (i > start && msg[i - 1] == '\r');
		if (n > l->longest)
			l->longest = n;
		if (in_headers && n > l->longest_header)
			l->longest_header = n;
		if (memmem(msg + start, n, "=?", 2) && n > l->longest_ew)
			l->longest_ew = n;
		/* A delimiter line starts a part's header block. */
		if (n == 0)
			in_headers = 0;
		else if (n > 2 && msg[start] == '-' && msg[start + 1] == '-')
			in_headers = 1;
		start = i + 1;
	}
	l->last_crlf = len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n';
}

static char *golden_path(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	size_t n;

	if (!top && argc > 1) {
		n = strlen(argv[1]);
		if (n > 4 && strcmp(argv[1] + n - 4, ".eml") == 0)
			return rp_strdup(argv[1]);
		top = argv[1];
	}
	return rp_path_join(top ? top : ".", "tests/golden/mime/weekly.eml");
}

/* s with CR and LF spelled out, for a TAP line they must not break. */
static const char *printable(char dst[128], const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < 128; s++) {
		if (*s == '\r' || *s == '\n') {
			dst[o++] = '\\';
			dst[o++] = *s == '\r' ? 'r' : 'n';
		} else {
			dst[o++] = *s;
		}
	}
	dst[o] = '\0';
	return dst;
}

/* ------------------------------------------------------------- tests */

static void test_golden(int argc, char **argv)
{
	rp_mime_message m;
	rp_buf out = {0};
	char err[512], *path, *want = NULL, *v;
	size_t want_len = 0, i, line;
	const char *regen = getenv("RP_MIME_GOLDEN_OUT");
	struct lines l;
	struct words w;
	rp_status st;

	weekly(&m);
	st = rp_mime_build(&m, &out, err, sizeof(err));
	is_int(st, RP_OK, "the weekly mail builds");
	if (st)
		diag("%s", err);
	if (regen) {
		FILE *f = fopen(regen, "wb");

		if (f) {
			fwrite(out.data, 1, out.len, f);
			fclose(f);
		}
		diag("wrote %s", regen);
	}

	path = golden_path(argc, argv);
	st = rp_read_file(path, &want, &want_len);
	ok(st == RP_OK, "golden file %s is readable", path);
	ok(st == RP_OK && want_len == out.len && memcmp(want, out.data, out.len) == 0,
	   "the weekly mail equals the golden file byte for byte");
	if (st == RP_OK && (want_len != out.len || memcmp(want, out.data, out.len))) {
		for (i = 0, line = 1; i < want_len && i < out.len && want[i] == out.data[i]; i++)
			if (want[i] == '\n')
				line++;
		diag("first difference at byte %zu (line %zu); %zu bytes built, %zu expected",
		     i, line, out.len, want_len);
	}
	free(want);
	free(path);

	measure(out.data, out.len, &l);
	ok(!l.bare && l.last_crlf, "every line ends in CRLF, no bare CR or LF");
	ok(l.longest <= 998, "no line longer than 998 bytes (longest %zu)", l.longest);
	ok(l.longest <= 78, "here even none longer than 78 (longest %zu)", l.longest);
	ok(l.longest_header <= 78, "header lines fit 78 columns (longest %zu)",
	   l.longest_header);
	ok(l.longest_ew > 0 && l.longest_ew <= 76,
	   "lines with encoded-words fit RFC 2047's 76 (longest %zu)", l.longest_ew);

	ok(strstr(out.data, "hidden-bcc") == NULL, "the Bcc address appears nowhere");
	v = header(out.data, "Bcc");
	ok(v == NULL, "there is no Bcc header");
	free(v);

	v = header(out.data, "Date");
	is_str(v, " Mon, 30 Nov 2026 06:00:00 +0000", "Date in RFC 5322 form, UTC");
	free(v);
	v = header(out.data, "MIME-Version");
	is_str(v, " 1.0", "MIME-Version: 1.0");
	free(v);
	v = header(out.data, "Message-ID");
	ok(v && strlen(v) == 49 && strncmp(v, " <", 2) == 0 &&
	   strspn(v + 2, "0123456789abcdef") == 32 &&
	   strcmp(v + 34, "@example.co.jp>") == 0,
	   "Message-ID is <32 hex digits@the From domain> (%s)", v ? v : "none");
	free(v);

	ok(memmem(out.data, header_len(out.data), "\r\nSubject: =?UTF-8?B?", 21) &&
	   strstr(out.data, "?=\r\n =?UTF-8?B?"),
	   "the subject is encoded and folded with CRLF SP");
	v = header(out.data, "Subject");
	decode_words(v ? v : "", &w);
	ok(w.count >= 2, "the subject needs %d encoded-words", w.count);
	ok(w.all_short, "each at most 75 characters long");
	ok(w.all_utf8, "each decodes to whole UTF-8 characters");
	is_str(w.text.data, SUBJECT, "together they decode to the subject");
	rp_buf_free(&w.text);
	free(v);

	v = header(out.data, "From");
	decode_words(v ? v : "", &w);
	is_str(w.text.data, FROM_NAME, "From's display name decodes to the Japanese name");
	like(v, " <iam-audit@example.co.jp>", "From's address is written as is");
	rp_buf_free(&w.text);
	free(v);
	v = header(out.data, "To");
	like(v, ", audit-archive@example.co.jp", "To lists both recipients");
	free(v);
	v = header(out.data, "Cc");
	is_str(v, " \"Security, Team\" <security@example.com>",
	       "Cc keeps an ASCII name with a comma quoted");
	free(v);

	like(out.data, "filename*0*=UTF-8''IAM%E3%83%A6", "the Japanese file name is RFC 2231 encoded");
	like(out.data, "filename=\"20261130_123456789012_iam_credential_report.csv\"",
	     "the ASCII file name is a quoted string");
	rp_buf_free(&out);
}

/* Subjects of 1 to 90 characters mixing 1-, 2-, 3- and 4-byte UTF-8:
 * whatever the length, the words stay short and whole. */
static void test_encoded_word_splitting(void)
{
	static const char *const pieces[] = {"a", "é", "認", "😀", " ", "証", "Z"};
	int all_short = 1, all_utf8 = 1, all_equal = 1, all_lines = 1, built = 1;
	rp_mime_message m;
	rp_buf subject = {0}, out = {0};
	struct words w;
	struct lines l;
	char err[256], *v;
	int k;

	weekly(&m);
	for (k = 1; k <= 90; k++) {
		subject.len = 0;
		for (int i = 0; i < k; i++)
			rp_buf_puts(&subject, pieces[(i * 3 + k) % 7]);
		m.subject = subject.data;
		out.len = 0;
		if (rp_mime_build(&m, &out, err, sizeof(err)) != RP_OK) {
			built = 0;
			diag("%s", err);
			continue;
		}
		v = header(out.data, "Subject");
		decode_words(v ? v : "", &w);
		all_short &= w.all_short;
		all_utf8 &= w.all_utf8;
		/* An all-ASCII subject may stay plain. */
		if (w.count && strcmp(w.text.data, subject.data) != 0) {
			all_equal = 0;
			diag("subject %d decodes to '%s'", k, w.text.data);
		}
		rp_buf_free(&w.text);
		free(v);
		measure(out.data, header_len(out.data), &l);
		if (l.longest_ew > 76 || l.longest > 78)
			all_lines = 0;
	}
	ok(built, "90 subjects of mixed 1- to 4-byte characters build");
	ok(all_short, "their encoded-words are never longer than 75");
	ok(all_utf8, "no encoded-word splits a UTF-8 character");
	ok(all_equal, "each subject decodes back to itself");
	ok(all_lines, "their header lines fit 76 (encoded) and 78 columns");
	rp_buf_free(&subject);
	rp_buf_free(&out);
}

static void test_ascii_subject(void)
{
	static const char long_subject[] =
		"Weekly IAM credential report for account 123456789012 "
		"(production)  generated 2026-11-30 by reportpipe";
	rp_mime_message m;
	rp_buf out = {0};
	char err[256], *v;
	struct lines l;
	struct words w;

	weekly(&m);
	m.subject = long_subject;
	ok(rp_mime_build(&m, &out, err, sizeof(err)) == RP_OK, "a long ASCII subject builds");
	v = header(out.data, "Subject");
	is_str(v, " Weekly IAM credential report for account 123456789012 "
		  "(production)  generated 2026-11-30 by reportpipe",
	       "it stays plain text and unfolds to itself, double space included");
	ok(strstr(out.data, "\r\nSubject: Weekly") && strstr(out.data, "(production) \r\n "),
	   "it is folded at a space");
	measure(out.data, header_len(out.data), &l);
	ok(l.longest_header <= 78, "its lines fit 78 columns (longest %zu)", l.longest_header);
	free(v);

	out.len = 0;
	m.subject = "looks like =?UTF-8?B?YQ==?= but is not";
	v = NULL;
	ok(rp_mime_build(&m, &out, err, sizeof(err)) == RP_OK &&
	   (v = header(out.data, "Subject")) != NULL,
	   "an ASCII subject that looks like an encoded-word builds");
	decode_words(v ? v : "", &w);
	ok(w.count >= 1 && strcmp(w.text.data, m.subject) == 0,
	   "it is encoded, so no reader decodes the look-alike");
	rp_buf_free(&w.text);
	free(v);

	out.len = 0;
	m.subject = "";
	ok(rp_mime_build(&m, &out, err, sizeof(err)) == RP_OK &&
	   strstr(out.data, "\r\nSubject:\r\n"), "an empty subject is an empty field");
	rp_buf_free(&out);
}

/* A line break in any header value is refused, naming the field, and
 * leaves the output as it was. */
static void test_injection(void)
{
	static const char *const breaks[] = {"\r\n", "\n"};
	static const char *const fields[] = {"subject", "from", "to", "cc", "bcc",
					     "reply_to", "attachment filename"};
	char evil[3][128], err[512], want[128];
	const char *list[2];
	rp_mime_message m;
	rp_mime_part p[2];
	rp_buf out = {0};
	size_t b, f;
	rp_status st;

	for (b = 0; b < 2; b++) {
		snprintf(evil[0], sizeof(evil[0]), "Weekly report%sBcc: evil@example.org",
			 breaks[b]);
		snprintf(evil[1], sizeof(evil[1]), "Audit <audit@example.jp>%sBcc: evil@example.org",
			 breaks[b]);
		snprintf(evil[2], sizeof(evil[2]), "report.csv%sBcc: evil@example.org",
			 breaks[b]);
		for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			weekly(&m);
			list[0] = "ok@example.jp";
			list[1] = evil[1];
			switch (f) {
			case 0: m.subject = evil[0]; break;
			case 1: m.from = evil[1]; break;
			case 2: m.to = list; m.nto = 2; break;
			case 3: m.cc = list; m.ncc = 2; break;
			case 4: m.bcc = list; m.nbcc = 2; break;
			case 5: m.reply_to = evil[1]; break;
			default:
				memcpy(p, parts, sizeof(p));
				p[1].filename = evil[2];
				m.attachments = p;
				break;
			}
			rp_buf_free(&out);
			rp_buf_puts(&out, "keep");
			st = rp_mime_build(&m, &out, err, sizeof(err));
			is_int(st, RP_ERR_CONFIG, "%s with %s is refused", fields[f],
			       b ? "LF" : "CRLF");
			snprintf(want, sizeof(want), "%s contains a line break (CR or LF)",
				 fields[f]);
			like(err, want, "... and the message names %s", fields[f]);
			ok(out.len == 4 && strcmp(out.data, "keep") == 0,
			   "... and nothing is appended");
		}
	}
	rp_buf_free(&out);

	st = rp_mime_check_header_value("subject", "a\rb", err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "a lone CR is a line break too");
	is_str(err, "subject contains a line break (CR or LF); remove it \xE2\x80\x94 "
		    "a line break would let the value inject mail headers",
	       "the sentence says what to do and why");
	st = rp_mime_check_header_value("subject", "a\tb", err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "a tab is refused");
	like(err, "subject contains the control character 0x09 at byte 2",
	     "... as a control character, with its place");
	st = rp_mime_check_header_value("subject", "a\xC2\x85z", err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "U+0085 (a C1 control, NEL) is refused");
	st = rp_mime_check_header_value("subject", "caf\xE9", err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "Latin-1 bytes are refused");
	like(err, "subject is not valid UTF-8", "... as not UTF-8");
	st = rp_mime_check_header_value("subject", "\xED\xA0\x80", err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "an encoded surrogate is not UTF-8 either");
	is_int(rp_mime_check_header_value("subject", SUBJECT, err, sizeof(err)), RP_OK,
	       "the Japanese subject passes");
}

static void test_addresses(void)
{
	static const char *const good[] = {
		"a@b.c",
		"Name <a@b.c>",
		"山田 太郎 <taro.yamada@example.co.jp>",
		"\"Doe, John \\\"JD\\\"\" <john.doe@example.com>",
		"  spaced@example.com  ",
		"first.last+tag@sub.example-domain.org",
		"root@localhost",
		"<bare@example.com>",
		"O'Brien <o.brien@example.ie>",
	};
	static const struct {
		const char *addr;
		const char *why;
	} bad[] = {
		{"", "is empty"},
		{"no-at-sign.example.com", "has no @"},
		{"a@@b.c", "more than one @"},
		{"a@b@c.d", "more than one @"},
		{"a b@c.d", "a space in the address"},
		{"Name a@b.c", "a space in the address"},
		{"Name <a@b.c", "does not close"},
		{"Name <a@b.c> trailing", "does not close"},
		{"Name <>", "nothing between < and >"},
		{"Two <a@b.c> <d@e.f>", "more than one <address>"},
		{"@b.c", "nothing before the @"},
		{"a@", "the domain after the @ is empty"},
		{"a@b..c", "empty label"},
		{".a@b.c", "'.' in the part before the @"},
		{"a..b@c.d", "'.' in the part before the @"},
		{"a,b@c.d", "',' in the part before the @"},
		{"a@exa_mple.com", "only letters, digits"},
		{"山田@example.jp", "non-ASCII characters in name@domain"},
		{"\"unterminated <a@b.c>", "opens a quote (\") that does not close"},
		{"\"Quoted\" extra <a@b.c>", "text around the quoted display name"},
		{"Name <a@b.c>\r\nBcc: x@y.z", "line break"},
	};
	char err[512], want[256], shown[128];
	rp_buf spec = {0};
	size_t i;
	rp_status st;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		st = rp_mime_check_address("to", good[i], err, sizeof(err));
		is_int(st, RP_OK, "good address: %s", good[i]);
		if (st)
			diag("%s", err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = rp_mime_check_address("cc", bad[i].addr, err, sizeof(err));
		is_int(st, RP_ERR_CONFIG, "bad address refused: '%s'",
		       printable(shown, bad[i].addr));
		like(err, bad[i].why, "... because it %s", bad[i].why);
		/* The message names the field, and the value unless the value
		 * is what would break the message. */
		ok(strncmp(err, "cc ", 3) == 0, "... naming the field (%s)", err);
		if (bad[i].addr[0] && !strpbrk(bad[i].addr, "\r\n")) {
			snprintf(want, sizeof(want), "'%s'", bad[i].addr);
			like(err, want, "... and the value");
		}
	}
	st = rp_mime_address_spec("from", "情報セキュリティ監査室 <iam-audit@example.co.jp>",
				  &spec, err, sizeof(err));
	is_str(spec.data, "iam-audit@example.co.jp", "the addr-spec of a named address");
	spec.len = 0;
	st = rp_mime_address_spec("from", " plain@example.com ", &spec, err, sizeof(err));
	is_str(spec.data, "plain@example.com", "the addr-spec of a bare address, trimmed");
	rp_buf_free(&spec);
}

/* The base64 body that follows the header line `after`, decoded. */
static void part_body(const char *msg, const char *after, rp_buf *got)
{
	const char *p = strstr(msg, after), *end;
	rp_buf b64 = {0};
	unsigned char *raw;
	int n;

	got->len = 0;
	rp_buf_append(got, "", 0);
	if (!p || !(p = strstr(p, "\r\n\r\n")))
		return;
	p += 4;
	end = strstr(p, "\r\n--");
	if (!end)
		return;
	for (; p < end; p++)
		if (*p != '\r' && *p != '\n')
			rp_buf_append(&b64, p, 1);
	raw = malloc(b64.len + 1);
	n = EVP_DecodeBlock(raw, (const unsigned char *)(b64.data ? b64.data : ""),
			    (int)b64.len);
	if (n > 0) {
		n -= (b64.len && b64.data[b64.len - 1] == '=') +
		     (b64.len > 1 && b64.data[b64.len - 2] == '=');
		rp_buf_append(got, raw, (size_t)n);
	}
	free(raw);
	rp_buf_free(&b64);
}

static void test_structure(void)
{
	rp_mime_message m;
	rp_buf out = {0}, body = {0}, crlf = {0};
	char err[512], *id1, *id2;
	const char *p;
	rp_mime_part empty = {"empty.txt", "text/plain", NULL, 0};
	rp_status st;

	weekly(&m);
	m.html = NULL;
	m.nattachments = 0;
	st = rp_mime_build(&m, &out, err, sizeof(err));
	is_int(st, RP_OK, "a text-only mail builds");
	ok(strstr(out.data, "multipart/mixed") && !strstr(out.data, "multipart/alternative"),
	   "without html: multipart/mixed and no multipart/alternative");
	for (p = TEXT; *p; p++)
		rp_buf_puts(&crlf, *p == '\n' ? "\r\n" : (char[2]){*p, 0});
	part_body(out.data, "Content-Type: text/plain; charset=utf-8", &body);
	is_str(body.data, crlf.data, "the text body decodes to the text, in CRLF form");

	out.len = 0;
	weekly(&m);
	m.attachments = &empty;
	m.nattachments = 1;
	st = rp_mime_build(&m, &out, err, sizeof(err));
	is_int(st, RP_OK, "an empty attachment builds");
	like(out.data, "filename=\"empty.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\r\n--",
	     "its body is one empty line before the boundary");

	out.len = 0;
	weekly(&m);
	m.nto = m.ncc = m.nbcc = 0;
	is_int(rp_mime_build(&m, &out, err, sizeof(err)), RP_ERR_CONFIG,
	       "a mail without recipients is refused");
	like(err, "no recipients", "... saying so");
	weekly(&m);
	m.nto = m.ncc = 0;
	is_int(rp_mime_build(&m, &out, err, sizeof(err)), RP_OK, "Bcc alone is enough");
	ok(!strstr(out.data, "\r\nTo:") && !strstr(out.data, "hidden-bcc"),
	   "... and then there is no To header and still no Bcc address");
	out.len = 0;
	weekly(&m);
	m.text = NULL;
	is_int(rp_mime_build(&m, &out, err, sizeof(err)), RP_ERR_INVALID,
	       "a mail without a text body is a caller bug");
	weekly(&m);
	m.message_id_domain = "bad domain";
	is_int(rp_mime_build(&m, &out, err, sizeof(err)), RP_ERR_CONFIG,
	       "a message_id_domain with a space is refused");
	like(err, "message_id_domain 'bad domain'", "... naming it");
	weekly(&m);
	parts[0].media_type = "text csv";
	is_int(rp_mime_build(&m, &out, err, sizeof(err)), RP_ERR_CONFIG,
	       "a media type without a slash is refused");
	like(err, "attachment media type 'text csv' is not a media type", "... naming it");

	out.len = 0;
	weekly(&m);
	m.message_id_domain = "reports.example.org";
	m.boundary_seed = NULL;
	rp_mime_build(&m, &out, err, sizeof(err));
	id1 = header(out.data, "Message-ID");
	out.len = 0;
	rp_mime_build(&m, &out, err, sizeof(err));
	id2 = header(out.data, "Message-ID");
	ok(id1 && id2 && strcmp(id1, id2) != 0, "without a seed Message-IDs are random");
	ok(id1 && strlen(id1) == 55 && strncmp(id1, " <", 2) == 0 &&
	   strspn(id1 + 2, "0123456789abcdef") == 32 &&
	   strcmp(id1 + 34, "@reports.example.org>") == 0,
	   "... and use message_id_domain (%s)", id1 ? id1 : "none");
	ok(strstr(out.data, "boundary=\"=_rp_mixed_") != NULL,
	   "boundaries hold \"=_\", which base64 never produces");
	free(id1);
	free(id2);
	rp_buf_free(&out);
	rp_buf_free(&body);
	rp_buf_free(&crlf);
}

static void html_is(const char *html, const char *want, const char *what)
{
	rp_buf out = {0};
	rp_status st = rp_html_to_text(html, &out);

	is_str(st == RP_OK ? (out.data ? out.data : "") : "(failed)", want, "%s", what);
	rp_buf_free(&out);
}

static void test_html_to_text(void)
{
	html_is(HTML, HTML_AS_TEXT, "the weekly report's HTML as text");
	html_is("a<br>b<br/><br />c", "a\nb\n\nc\n", "<br> breaks lines, two leave a blank line");
	html_is("<p>x</p>\n\n<p>y</p><div>z</div><div>w</div>", "x\n\ny\n\nz\nw\n",
		"paragraphs are separated by one blank line, divs by a line break");
	html_is("<ul><li>one<li>two</ul>after", "- one\n- two\n\nafter\n", "list items");
	html_is("  a \n\n\t b  ", "a b\n", "white space collapses");
	html_is("<pre>a  b\nc</pre>d", "a  b\nc\n\nd\n", "... except in <pre>");
	html_is("1 < 2 &unknown; &amp &#65;&#x42;&#0;", "1 < 2 &unknown; &amp AB\xEF\xBF\xBD\n",
		"entities: unknown ones stay, NUL becomes U+FFFD");
	html_is("<HEAD><TITLE>t</TITLE></HEAD><BODY>Upper<!-- no --></BODY>", "Upper\n",
		"tags in upper case, comments dropped");
	html_is("<table><tr><td></td><td>x</td><td></td><td>y</td></tr></table>",
		"| x | | y\n", "empty cells keep their separators");
	html_is("<td>a<br>b</td><td><p>c</p></td>", "a b | c\n",
		"blocks inside a cell do not break the row");
	html_is("", "", "nothing gives nothing");
}

/* rp_mime_build_holes leaves each attachment's base64 out; put back with
 * rp_mime_b64_lines, whole or in pieces, the message is rp_mime_build's
 * byte for byte, whatever the attachments' lengths against the 57 bytes
 * of a line. */
static void test_holes(void)
{
	static const size_t lens[][2] = {
		{0, 0}, {1, 0}, {0, 2}, {56, 57}, {58, 113}, {114, 115},
		{1000, 3}, {100000, 57 * 1000}};
	static const size_t pieces[] = {1, 3, 7, 76, 77, 78, 79, 4096, 65536};
	int bad_whole = 0, bad_pieces = 0, bad_len = 0, nholes_ok = 1;

	for (size_t c = 0; c < sizeof(lens) / sizeof(*lens); c++) {
		rp_mime_message m;
		rp_buf want = {0}, skel = {0};
		rp_mime_hole *holes = NULL;
		size_t nholes = 0, total;
		unsigned char *data[2];
		char *got;

		weekly(&m);
		for (int i = 0; i < 2; i++) {
			data[i] = malloc(lens[c][i] + 1);
			for (size_t k = 0; k < lens[c][i]; k++)
				data[i][k] = (unsigned char)(k * 31 + i + k / 251);
			parts[i].data = data[i];
			parts[i].len = lens[c][i];
		}
		if (rp_mime_build(&m, &want, NULL, 0) ||
		    rp_mime_build_holes(&m, &skel, &holes, &nholes, NULL, 0)) {
			bad_whole++;
			goto next;
		}
		nholes_ok &= nholes == (size_t)(lens[c][0] > 0) + (lens[c][1] > 0);
		total = skel.len;
		for (size_t h = 0; h < nholes; h++)
			total += rp_mime_b64_lines_len(holes[h].len);
		if (total != want.len) {
			diag("  %zu + %zu bytes: %zu bytes, want %zu", lens[c][0],
			     lens[c][1], total, want.len);
			bad_len++;
			goto next;
		}
		/* whole lines, then in pieces of every size */
		for (size_t p = 0; p <= sizeof(pieces) / sizeof(*pieces); p++) {
			size_t at = 0, from = 0, step = p ? pieces[p - 1] : (size_t)-1;

			got = malloc(want.len + 1);
			for (size_t h = 0; h <= nholes; h++) {
				size_t upto = h < nholes ? holes[h].at : skel.len;
				size_t lines = h < nholes ? rp_mime_b64_lines_len(holes[h].len) : 0;

				memcpy(got + at, skel.data + from, upto - from);
				at += upto - from;
				for (size_t o = 0; o < lines;) {
					size_t k = lines - o < step ? lines - o : step;

					rp_mime_b64_lines(holes[h].data, holes[h].len, o,
							  got + at + o, k);
					o += k;
				}
				at += lines;
				from = upto;
			}
			if (memcmp(got, want.data, want.len) != 0) {
				diag("  %zu + %zu bytes, pieces of %zu: differ",
				     lens[c][0], lens[c][1], p ? step : 0);
				if (p)
					bad_pieces++;
				else
					bad_whole++;
			}
			free(got);
		}
next:
		free(holes);
		rp_buf_free(&want);
		rp_buf_free(&skel);
		for (int i = 0; i < 2; i++)
			free(data[i]);
	}
	ok(nholes_ok, "holes: one a non-empty attachment, none for an empty one");
	ok(!bad_len, "holes: the message's length is the skeleton's and the lines'");
	ok(!bad_whole, "holes: filled with whole lines, the message rp_mime_build makes");
	ok(!bad_pieces, "holes: filled in pieces of 1 byte to 64 KB, the same message");
}

int main(int argc, char **argv)
{
	test_golden(argc, argv);
	test_holes();
	test_encoded_word_splitting();
	test_ascii_subject();
	test_injection();
	test_addresses();
	test_structure();
	test_html_to_text();
	return done_testing();
}
