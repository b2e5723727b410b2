/* html_summary.c - formatter plugin: the credential register as one
 * self-contained HTML document that reads the same in Outlook, Gmail and
 * a browser: tables for layout, inline styles only (mail clients drop
 * <style> blocks and never fetch anything), no script, UTF-8.
 *
 * Every value that comes from the report or the pipeline file goes
 * through put_text, which escapes it: a tampered report must not be able
 * to inject markup into a mail an auditor opens. */
#define _POSIX_C_SOURCE 200809L

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "register.h"
#include "register_changes.h"

static const rp_option options[] = {
	{.key = "lang", .type = RP_OPT_ENUM, .choices = "en|ja", .default_value = "en",
	 .description = "language of every fixed string and of the dates"},
	{.key = "max_rows", .type = RP_OPT_INT, .default_value = "0",
	 .min = 0, .max = 1000000,
	 .description = "rows of the user table at most, the rest left to the attached CSV (0: all)"},
	{.key = "max_changes", .type = RP_OPT_INT, .default_value = "200",
	 .min = 0, .max = 1000000,
	 .description = "rows of the changes table at most, the rest left to the change ledger (0: all)"},
	REG_THRESHOLD_OPTIONS,
	{0}
};

/* The strings only this document prints. */
enum html_word {
	H_REGISTER, H_USER, H_CREATED, H_CONSOLE, H_MFA, H_KEY, H_CERTS,
	H_ENABLED, H_DISABLED, H_YES, H_NO, H_LAST_SIGN_IN, H_NEVER_SIGNED_IN,
	H_NO_INFORMATION, H_ACTIVE, H_INACTIVE, H_LAST_USED, H_NEVER_USED,
	H_CREATED_ON, H_DATES_IN, H_CUT, H_FOOTER, H_ACCOUNTS, H_N_ACCOUNTS,
	H_TOTAL, H_CHANGES_N, H_NO_PREVIOUS_SHORT, H_NCOUNT
};

static const char *const hwords[H_NCOUNT][REG_LANG_COUNT] = {
	[H_REGISTER] = {"Users and credentials", "ユーザーと認証情報"},
	[H_USER] = {"User", "ユーザー"},
	[H_CREATED] = {"Created", "作成日"},
	[H_CONSOLE] = {"Console", "コンソール"},
	[H_MFA] = {"MFA", "MFA"},
	[H_KEY] = {"Access key", "アクセスキー"},
	[H_CERTS] = {"Signing certificates", "署名証明書"},
	[H_ENABLED] = {"enabled", "有効"},
	[H_DISABLED] = {"disabled", "無効"},
	[H_YES] = {"yes", "あり"},
	[H_NO] = {"no", "なし"},
	[H_LAST_SIGN_IN] = {"last sign-in", "最終サインイン"},
	[H_NEVER_SIGNED_IN] = {"never signed in", "サインイン履歴なし"},
	[H_NO_INFORMATION] = {"no sign-in information", "サインイン情報なし"},
	[H_ACTIVE] = {"active", "有効"},
	[H_INACTIVE] = {"inactive", "無効"},
	[H_LAST_USED] = {"last used", "最終使用"},
	[H_NEVER_USED] = {"never used", "未使用"},
	[H_CREATED_ON] = {"created", "作成"},
	[H_DATES_IN] = {"Dates are in {Z} unless marked UTC.",
			"日付は特記のない限り {Z} の時刻です。"},
	[H_CUT] = {"This table shows the first {N} of {M} rows; all {M} rows are in the attached CSV.",
		   "この表は {M} 行中、最初の {N} 行のみ表示しています。全 {M} 行は添付の CSV にあります。"},
	[H_FOOTER] = {"Made by reportpipe from the IAM credential report.",
		      "reportpipe が IAM 認証情報レポートから作成しました。"},
	[H_ACCOUNTS] = {"Accounts", "アカウント"},
	[H_N_ACCOUNTS] = {"{N} accounts", "{N} アカウント"},
	[H_TOTAL] = {"Total", "合計"},
	[H_CHANGES_N] = {"Changes", "変更"},
	[H_NO_PREVIOUS_SHORT] = {"first report", "初回"},
};

static const char *const severity_color[REG_SEV_COUNT] = {
	"#9b1c1c", "#d92d20", "#b54708", "#175cd3", "#667085"
};

#define FONT "font-family:Arial,Helvetica,'Hiragino Sans','Hiragino Kaku Gothic ProN',Meiryo,'Noto Sans CJK JP',sans-serif;"
#define TABLE "role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\""
#define TH "style=\"padding:6px 8px;border-bottom:2px solid #d0d5dd;text-align:left;font-size:12px;color:#475467;background-color:#f9fafb;\""
#define TD "style=\"padding:6px 8px;border-bottom:1px solid #eaecf0;vertical-align:top;font-size:13px;\""
#define MUTED "color:#667085;"

/* Output gathered in a buffer and handed over in large pieces; the first
 * failure sticks and ends the rendering. */
typedef struct html {
	const rp_host *host;
	rp_artifact *out;
	reg_lang lang;
	rp_status st;
	reg_date_cache dates;     /* the register's dates: four a user */
	size_t len;
	char buf[16384];
} html;

static void flush(html *h)
{
	if (!h->st && h->len)
		h->st = h->host->artifact_append(h->out, h->buf, h->len);
	h->len = 0;
}

static void put_raw_slow(html *h, const char *s, size_t n)
{
	while (n && !h->st) {
		size_t room = sizeof(h->buf) - h->len, k = n < room ? n : room;

		memcpy(h->buf + h->len, s, k);
		h->len += k;
		s += k;
		n -= k;
		if (h->len == sizeof(h->buf))
			flush(h);
	}
}

static inline void put_raw_n(html *h, const char *s, size_t n)
{
	if (n < sizeof(h->buf) - h->len) {   /* the usual case: it fits */
		memcpy(h->buf + h->len, s, n);
		h->len += n;
		return;
	}
	put_raw_slow(h, s, n);
}

/* Markup: only ever a literal of this file (inlined, its length is
 * known when compiled). */
static inline void put_raw(html *h, const char *s)
{
	put_raw_n(h, s, strlen(s));
}

static void put_rawf(html *h, const char *fmt, ...) RP_PRINTF(2, 3);
static void put_rawf(html *h, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k > 0)
		put_raw_n(h, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

static void put_uint(html *h, unsigned v)
{
	char d[12];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put_raw_n(h, d + i, sizeof(d) - i);
}

/* The bytes put_text replaces: & < > " ' and the control characters but
 * tab, LF and CR.  A table, since strcspn with a set of 37 bytes takes
 * glibc's byte-by-byte path (issue #7). */
static const unsigned char escaped[256] = {
	[0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x0b] = 1, [0x0c] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
	[0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [0x7f] = 1,
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

/* Text: escaped for element content and quoted attributes alike.
 * Control characters, which HTML forbids, become U+FFFD.  Runs without
 * any go out in one copy. */
static void put_text(html *h, const char *s)
{
	while (s && *s && !h->st) {
		size_t run = 0;

		while (s[run] && !escaped[(unsigned char)s[run]])
			run++;
		put_raw_n(h, s, run);
		s += run;
		switch (*s) {
		case '\0':
			return;
		case '&':
			put_raw(h, "&amp;");
			break;
		case '<':
			put_raw(h, "&lt;");
			break;
		case '>':
			put_raw(h, "&gt;");
			break;
		case '"':
			put_raw(h, "&quot;");
			break;
		case '\'':
			put_raw(h, "&#39;");
			break;
		default:
			put_raw(h, "&#xFFFD;");
			break;
		}
		s++;
	}
}

static const char *hw(const html *h, enum html_word w)
{
	return hwords[w][h->lang];
}

/* Brackets and separators: full width in Japanese text. */
static const char *open_paren(const html *h)
{
	return h->lang == REG_LANG_JA ? "\xef\xbc\x88" : " (";
}

static const char *close_paren(const html *h)
{
	return h->lang == REG_LANG_JA ? "\xef\xbc\x89" : ")";
}

static const char *rw(const html *h, reg_word w)
{
	return reg_word_text(h->lang, w);
}

static void put_date(html *h, time_t t)
{
	char d[64];

	reg_format_local_date(&h->dates, d, sizeof(d), t, h->lang);
	put_text(h, d);
}

/* A badge's opening tag, in its severity's colour; written once per
 * finding of every user, so without printf. */
static void put_badge_open(html *h, reg_severity sev)
{
	put_raw(h, "<span style=\"display:inline-block;padding:1px 6px;margin:1px 2px 1px 0;border-radius:3px;background-color:");
	put_raw(h, severity_color[sev]);
	put_raw(h, ";color:#ffffff;font-size:11px;font-weight:bold;white-space:nowrap;\">");
}

static void put_badge(html *h, reg_severity sev, const char *label)
{
	put_badge_open(h, sev);
	put_text(h, label);
	put_raw(h, "</span>");
}

static void put_check_badge(html *h, reg_check c)
{
	const reg_check_info *ci = reg_check_get(c);

	put_badge_open(h, ci->severity);
	if (ci->cis) {
		put_raw(h, "CIS ");
		put_text(h, ci->cis);
	} else {
		put_text(h, reg_severity_name(h->lang, ci->severity));
	}
	put_raw(h, "</span>");
}

/* ---------------------------------------------------------------- top */

static void put_head(html *h, const reg_model *m, const rp_dataset_meta *meta)
{
	char date[64];

	reg_format_date(date, sizeof(date), m->now, h->lang, 0);
	put_rawf(h, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n",
		 h->lang == REG_LANG_JA ? "ja" : "en");
	put_raw(h, "<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<meta name=\"color-scheme\" content=\"light\">\n<title>");
	put_text(h, rw(h, REG_W_TITLE));
	put_raw(h, " ");
	put_text(h, meta->account_id);
	put_raw(h, " ");
	put_text(h, date);
	put_raw(h, "</title>\n</head>\n");
	put_raw(h, "<body style=\"margin:0;padding:0;background-color:#f2f4f7;color:#101828;" FONT "\">\n");
	put_raw(h, "<table " TABLE " style=\"background-color:#f2f4f7;\">\n"
		   "<tr><td style=\"padding:16px;\">\n"
		   "<table " TABLE " style=\"background-color:#ffffff;border:1px solid #d0d5dd;" FONT "\">\n");
}

static void put_banner(html *h, const reg_model *m, const rp_dataset_meta *meta,
		       const rp_run_info *run)
{
	char utc[64], local[64], zone[32], age[160], date[64];

	reg_format_datetime(utc, sizeof(utc), m->now, h->lang, 1);
	reg_format_datetime(local, sizeof(local), m->now, h->lang, 0);
	reg_format_zone(zone, sizeof(zone), m->now);
	reg_format_report_age(age, sizeof(age), m->now, run->run_time, h->lang);

	put_raw(h, "<tr><td style=\"padding:16px 20px;background-color:#232f3e;color:#ffffff;\">\n"
		   "<div style=\"font-size:20px;font-weight:bold;\">");
	put_text(h, rw(h, REG_W_TITLE));
	put_raw(h, "</div>\n<div style=\"font-size:14px;padding-top:4px;\">");
	put_text(h, rw(h, REG_W_ACCOUNT));
	put_raw(h, " ");
	put_text(h, meta->account_id && meta->account_id[0] ? meta->account_id : "?");
	put_raw(h, " \xc2\xb7 ");
	reg_format_date(date, sizeof(date), m->now, h->lang, 0);
	put_text(h, date);
	put_raw(h, "</div>\n</td></tr>\n");

	put_raw(h, "<tr><td style=\"padding:12px 20px 4px 20px;\">\n<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"font-size:13px;\">\n");
	put_raw(h, "<tr><td style=\"padding:2px 16px 2px 0;" MUTED "\">");
	put_text(h, rw(h, REG_W_PIPELINE));
	put_raw(h, "</td><td style=\"padding:2px 0;\">");
	put_text(h, run->pipeline ? run->pipeline : "");
	put_raw(h, "</td></tr>\n<tr><td style=\"padding:2px 16px 2px 0;" MUTED "\">");
	put_text(h, rw(h, REG_W_ACCOUNT));
	put_raw(h, "</td><td style=\"padding:2px 0;\">");
	put_text(h, meta->account_id);
	if (meta->partition && meta->partition[0]) {
		put_raw(h, " <span style=\"" MUTED "\">(");
		put_text(h, meta->partition);
		put_raw(h, ")</span>");
	}
	put_raw(h, "</td></tr>\n<tr><td style=\"padding:2px 16px 2px 0;vertical-align:top;" MUTED "\">");
	put_text(h, rw(h, REG_W_GENERATED));
	put_raw(h, "</td><td style=\"padding:2px 0;\">");
	put_text(h, utc);
	put_raw(h, " UTC");
	if (strcmp(zone, "UTC") != 0) { /* the pipeline's zone is not UTC itself */
		put_raw(h, "<br>");
		put_text(h, local);
		put_raw(h, " ");
		put_text(h, zone);
		put_raw(h, " (");
		put_text(h, run->timezone ? run->timezone : "");
		put_raw(h, ")");
	}
	put_raw(h, "</td></tr>\n<tr><td style=\"padding:2px 16px 2px 0;" MUTED "\">");
	put_text(h, rw(h, REG_W_AGE));
	put_raw(h, "</td><td style=\"padding:2px 0;\">");
	put_text(h, age);
	put_raw(h, "</td></tr>\n</table>\n</td></tr>\n");
}

static void put_tile_start(html *h, const char *label)
{
	put_raw(h, "<td width=\"20%\" style=\"padding:6px;vertical-align:top;\">"
		   "<table " TABLE " style=\"border:1px solid #eaecf0;background-color:#f9fafb;\"><tr><td style=\"padding:10px 12px;\">"
		   "<div style=\"font-size:12px;" MUTED "\">");
	put_text(h, label);
	put_raw(h, "</div>\n<div style=\"font-size:22px;font-weight:bold;padding-top:2px;\">");
}

static void put_tile_end(html *h, const char *note)
{
	put_raw(h, "</div>");
	if (note) {
		put_raw(h, "<div style=\"font-size:11px;" MUTED "\">");
		put_text(h, note);
		put_raw(h, "</div>");
	}
	put_raw(h, "</td></tr></table></td>\n");
}

static void put_counts(html *h, const reg_model *m)
{
	const reg_counts *c = &m->counts;
	char cov[64];

	put_raw(h, "<tr><td style=\"padding:8px 14px;\">\n<table " TABLE "><tr>\n");
	put_tile_start(h, rw(h, REG_W_USERS));
	put_rawf(h, "%zu", c->users);
	put_tile_end(h, rw(h, REG_W_USERS_NOTE));
	put_tile_start(h, rw(h, REG_W_CONSOLE_USERS));
	put_rawf(h, "%zu", c->console_users);
	put_tile_end(h, NULL);
	put_tile_start(h, rw(h, REG_W_MFA_COVERAGE));
	reg_format_coverage(cov, sizeof(cov), c->console_users_mfa, c->console_users,
			    h->lang);
	put_text(h, cov);
	put_tile_end(h, NULL);
	put_tile_start(h, rw(h, REG_W_ACTIVE_KEYS));
	put_rawf(h, "%zu", c->active_keys);
	put_tile_end(h, NULL);
	put_tile_start(h, rw(h, REG_W_FINDINGS));
	put_raw(h, "<span style=\"font-size:12px;font-weight:normal;\">");
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++) {
		char label[64];

		snprintf(label, sizeof(label), "%s %zu", reg_severity_name(h->lang, s),
			 c->findings[s]);
		if (c->findings[s])
			put_badge(h, s, label);
		else {
			put_raw(h, "<span style=\"display:inline-block;padding:1px 6px;margin:1px 2px 1px 0;border:1px solid #d0d5dd;border-radius:3px;font-size:11px;white-space:nowrap;" MUTED "\">");
			put_text(h, label);
			put_raw(h, "</span>");
		}
		put_raw(h, " ");
	}
	put_raw(h, "</span>");
	put_tile_end(h, NULL);
	put_raw(h, "</tr></table>\n</td></tr>\n");
}

static void put_heading(html *h, const char *text)
{
	put_raw(h, "<tr><td style=\"padding:16px 20px 6px 20px;font-size:16px;font-weight:bold;\">");
	put_text(h, text);
	put_raw(h, "</td></tr>\n");
}

/* The events since the previous report, the `changes` formatter's rows,
 * right under the counts: what an auditor reads first.  At most max of
 * them (0: all), so a mass change cannot push the findings out of the
 * mail; ledger names where the rest are (reg_ledger_rendered). */
static void put_changes(html *h, const reg_recent *r, size_t max,
			const char *ledger)
{
	size_t shown = max && max < r->changes.n ? max : r->changes.n;

	if (r->state == REG_RECENT_UNAVAILABLE)
		return;
	put_raw(h, "<tr><td style=\"padding:16px 20px 6px 20px;font-size:16px;font-weight:bold;\">");
	put_text(h, rw(h, REG_W_CHANGES));
	if (r->state == REG_RECENT_FOUND) {
		char date[64];

		reg_format_datetime(date, sizeof(date), r->previous_time, h->lang, 0);
		put_raw(h, open_paren(h));
		put_text(h, date);
		put_raw(h, close_paren(h));
	}
	put_raw(h, "</td></tr>\n");
	if (r->state == REG_RECENT_FIRST || !r->changes.n) {
		put_raw(h, "<tr><td style=\"padding:0 20px 8px 20px;font-size:13px;" MUTED "\">");
		put_text(h, rw(h, r->state == REG_RECENT_FIRST ? REG_W_NO_PREVIOUS : REG_W_NO_CHANGES));
		put_raw(h, "</td></tr>\n");
		return;
	}
	put_raw(h, "<tr><td style=\"padding:0 20px 8px 20px;\">\n<table " TABLE " style=\"border-collapse:collapse;\">\n<tr>");
	put_raw(h, "<th " TH ">");
	put_text(h, rw(h, REG_W_USER));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_EVENT));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_DETAIL));
	put_raw(h, "</th></tr>\n");
	for (size_t i = 0; i < shown && !h->st; i++) {
		const reg_event *e = &r->changes.events[i];
		char detail[512];

		reg_event_detail_lang(detail, sizeof(detail), e, h->lang);
		put_raw(h, "<tr><td " TD "><b>");
		put_text(h, e->user->name);
		put_raw(h, "</b></td><td " TD "><span style=\"white-space:nowrap;\">");
		put_text(h, reg_event_title(h->lang, e->kind));
		put_raw(h, "</span></td><td " TD "><span style=\"font-size:12px;word-break:break-word;" MUTED "\">");
		put_text(h, detail);
		put_raw(h, "</span></td></tr>\n");
	}
	if (shown < r->changes.n) {
		char cut[512];

		reg_changes_cut_note(cut, sizeof(cut), h->lang, shown, r->changes.n, ledger);
		put_raw(h, "<tr><td colspan=\"3\" style=\"padding:10px 8px;font-size:13px;font-weight:bold;background-color:#fffaeb;border-bottom:1px solid #eaecf0;\">");
		put_text(h, cut);
		put_raw(h, "</td></tr>\n");
	}
	put_raw(h, "</table>\n</td></tr>\n");
}

/* One user of a check, with what about them made the finding. */
static void put_hit_user(html *h, const reg_model *m, size_t first, size_t end)
{
	const reg_hit *x = &m->hits[first];
	int any = 0;

	put_raw(h, "<div style=\"padding:1px 0;\"><b>");
	put_text(h, m->users[x->user].name);
	put_raw(h, "</b>");
	for (size_t i = first; i < end; i++) {
		char d[256];

		if (!reg_hit_detail(d, sizeof(d), &m->hits[i], h->lang))
			continue;
		if (!any) {
			put_raw(h, "<span style=\"" MUTED "\">");
			put_raw(h, open_paren(h));
		} else {
			put_raw(h, h->lang == REG_LANG_JA ? "\xef\xbc\x9b" : "; ");
		}
		put_text(h, d);
		any = 1;
	}
	if (any) {
		put_raw(h, close_paren(h));
		put_raw(h, "</span>");
	}
	put_raw(h, "</div>\n");
}

static void put_checks(html *h, const reg_model *m)
{
	size_t i = 0;

	put_heading(h, rw(h, REG_W_CHECKS));
	put_raw(h, "<tr><td style=\"padding:0 20px 8px 20px;\">\n<table " TABLE " style=\"border-collapse:collapse;\">\n<tr>");
	put_raw(h, "<th " TH ">");
	put_text(h, rw(h, REG_W_SEVERITY));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_REFERENCE));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_CHECK));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_AFFECTED));
	put_raw(h, "</th></tr>\n");
	for (reg_check c = 0; c < REG_CHECK_COUNT; c++) {
		const reg_check_info *ci = reg_check_get(c);
		int hit = m->counts.checks_users[c] > 0;
		char title[256], ref[64];

		reg_check_title(title, sizeof(title), c, h->lang, &m->th);
		if (ci->cis)
			snprintf(ref, sizeof(ref), "CIS %s", ci->cis);
		else
			snprintf(ref, sizeof(ref), "%s", rw(h, REG_W_NO_CIS));
		put_raw(h, hit ? "<tr>" : "<tr style=\"" MUTED "\">");
		put_raw(h, "<td " TD ">");
		if (hit)
			put_badge(h, ci->severity, reg_severity_name(h->lang, ci->severity));
		else
			put_text(h, reg_severity_name(h->lang, ci->severity));
		put_raw(h, "</td><td " TD "><span style=\"white-space:nowrap;\">");
		put_text(h, ref);
		put_raw(h, "</span></td><td " TD ">");
		put_text(h, title);
		put_raw(h, "</td><td " TD ">");
		if (!hit)
			put_text(h, rw(h, reg_check_is_root(c) && !m->counts.root_present ?
					REG_W_NOT_CHECKED : REG_W_NO_FINDING));
		for (; i < m->nhits && m->hits[i].check == c;) {
			size_t end = i + 1;

			while (end < m->nhits && m->hits[end].check == c &&
			       m->hits[end].user == m->hits[i].user)
				end++;
			put_hit_user(h, m, i, end);
			i = end;
		}
		put_raw(h, "</td></tr>\n");
	}
	put_raw(h, "</table>\n</td></tr>\n");
}

/* ----------------------------------------------------------- register */

static void put_muted(html *h, const char *text)
{
	put_raw(h, "<span style=\"" MUTED "\">");
	put_text(h, text);
	put_raw(h, "</span>");
}

static void put_console(html *h, const reg_user *u)
{
	const reg_bool pe = u->password_enabled;
	const reg_time lu = u->password_last_used;

	if (pe.kind == RP_CELL_VALUE && !pe.on) {
		put_muted(h, hw(h, H_DISABLED));
		return;
	}
	if (pe.kind == RP_CELL_VALUE)
		put_text(h, hw(h, H_ENABLED));
	else
		put_muted(h, "\xe2\x80\x94"); /* root: not_supported */
	put_raw(h, "<br><span style=\"font-size:12px;" MUTED "\">");
	if (lu.kind == RP_CELL_VALUE) {
		put_text(h, hw(h, H_LAST_SIGN_IN));
		put_raw(h, " ");
		put_date(h, lu.t);
	} else if (lu.kind == RP_CELL_NO_INFORMATION) {
		put_text(h, hw(h, H_NO_INFORMATION));
	} else {
		put_text(h, hw(h, H_NEVER_SIGNED_IN));
	}
	put_raw(h, "</span>");
}

static void put_mfa(html *h, const reg_user *u)
{
	int console = u->root || (u->password_enabled.kind == RP_CELL_VALUE &&
				  u->password_enabled.on);

	if (u->mfa_active.kind != RP_CELL_VALUE) {
		put_muted(h, "\xe2\x80\x94");
	} else if (u->mfa_active.on) {
		put_raw(h, "<span style=\"color:#067647;font-weight:bold;\">");
		put_text(h, hw(h, H_YES));
		put_raw(h, "</span>");
	} else if (console) {
		/* no MFA matters where someone signs in with a password */
		put_raw(h, "<span style=\"color:#d92d20;font-weight:bold;\">");
		put_text(h, hw(h, H_NO));
		put_raw(h, "</span>");
	} else {
		put_muted(h, hw(h, H_NO));
	}
}

static int usable(const char *s)
{
	if (!s || !s[0])
		return 0;
	if (s[0] == 'N')
		return strcmp(s, "N/A") != 0;
	if (s[0] == 'n')
		return strcmp(s, "no_information") != 0 && strcmp(s, "not_supported") != 0;
	return 1;
}

static void put_state(html *h, reg_bool active)
{
	if (active.kind == RP_CELL_VALUE && active.on) {
		put_raw(h, "<b>");
		put_text(h, hw(h, H_ACTIVE));
		put_raw(h, "</b>");
	} else {
		put_muted(h, hw(h, H_INACTIVE));
	}
}

static void put_key(html *h, const reg_model *m, const reg_key *k)
{
	char days[64];

	if (!k->exists) {
		put_muted(h, "\xe2\x80\x94");
		return;
	}
	put_state(h, k->active);
	put_raw(h, "<span style=\"font-size:12px;\">");
	if (k->last_rotated.kind == RP_CELL_VALUE) {
		put_raw(h, "<br>");
		reg_fill(days, sizeof(days), rw(h, REG_W_DAYS_OLD),
			 reg_days_before(m, k->last_rotated.t), 0);
		put_text(h, days);
		put_raw(h, "<span style=\"" MUTED "\">");
		put_raw(h, open_paren(h));
		put_text(h, hw(h, H_CREATED_ON));
		put_raw(h, " ");
		put_date(h, k->last_rotated.t);
		put_raw(h, close_paren(h));
		put_raw(h, "</span>");
	}
	put_raw(h, "<br>");
	if (k->last_used.kind == RP_CELL_VALUE) {
		put_text(h, hw(h, H_LAST_USED));
		put_raw(h, " ");
		put_date(h, k->last_used.t);
		if (usable(k->region) || usable(k->service)) {
			put_raw(h, "<br><span style=\"" MUTED "\">");
			if (usable(k->region))
				put_text(h, k->region);
			if (usable(k->region) && usable(k->service))
				put_raw(h, " \xc2\xb7 ");
			if (usable(k->service))
				put_text(h, k->service);
			put_raw(h, "</span>");
		}
	} else {
		put_muted(h, hw(h, H_NEVER_USED));
	}
	put_raw(h, "</span>");
}

static void put_certs(html *h, const reg_model *m, const reg_user *u)
{
	int any = 0;

	for (size_t i = 0; i < m->ncerts; i++) {
		const reg_cert *c = &u->certs[i];

		if (!c->exists)
			continue;
		put_raw(h, any ? "<br>" : "");
		any = 1;
		put_uint(h, c->number);
		put_raw(h, ": ");
		put_state(h, c->active);
		if (c->last_rotated.kind == RP_CELL_VALUE) {
			put_raw(h, "<span style=\"font-size:12px;" MUTED "\">");
			put_raw(h, open_paren(h));
			put_text(h, hw(h, H_CREATED_ON));
			put_raw(h, " ");
			put_date(h, c->last_rotated.t);
			put_raw(h, close_paren(h));
			put_raw(h, "</span>");
		}
	}
	if (!any)
		put_muted(h, "\xe2\x80\x94");
}

static void put_user_row(html *h, const reg_model *m, const reg_user *u)
{
	put_raw(h, "<tr><td " TD "><b>");
	put_text(h, u->name);
	put_raw(h, "</b><br><span style=\"font-size:11px;word-break:break-all;" MUTED "\">");
	put_text(h, u->arn);
	put_raw(h, "</span></td>\n<td " TD "><span style=\"white-space:nowrap;\">");
	if (u->created.kind == RP_CELL_VALUE)
		put_date(h, u->created.t);
	else
		put_muted(h, "\xe2\x80\x94");
	put_raw(h, "</span></td>\n<td " TD ">");
	put_console(h, u);
	put_raw(h, "</td>\n<td " TD "><span style=\"white-space:nowrap;\">");
	put_mfa(h, u);
	put_raw(h, "</span>");
	put_raw(h, "</td>\n");
	for (size_t k = 0; k < m->nkeys; k++) {
		put_raw(h, "<td " TD ">");
		put_key(h, m, &u->keys[k]);
		put_raw(h, "</td>\n");
	}
	put_raw(h, "<td " TD ">");
	put_certs(h, m, u);
	put_raw(h, "</td>\n<td " TD ">");
	for (reg_check c = 0; c < REG_CHECK_COUNT; c++)
		if (u->checks & (1u << c))
			put_check_badge(h, c);
	put_raw(h, "</td></tr>\n");
}

static void put_register(html *h, const reg_model *m, size_t max_rows)
{
	size_t shown = max_rows && max_rows < m->nusers ? max_rows : m->nusers;
	size_t ncols = 6 + m->nkeys;

	put_heading(h, hw(h, H_REGISTER));
	put_raw(h, "<tr><td style=\"padding:0 20px 8px 20px;\">\n<table " TABLE " style=\"border-collapse:collapse;\">\n<tr>");
	put_raw(h, "<th " TH ">");
	put_text(h, hw(h, H_USER));
	put_raw(h, "</th><th " TH ">");
	put_text(h, hw(h, H_CREATED));
	put_raw(h, "</th><th " TH ">");
	put_text(h, hw(h, H_CONSOLE));
	put_raw(h, "</th><th " TH ">");
	put_text(h, hw(h, H_MFA));
	put_raw(h, "</th>");
	for (size_t k = 0; k < m->nkeys; k++) {
		put_raw(h, "<th " TH ">");
		put_text(h, hw(h, H_KEY));
		put_rawf(h, " %u</th>", m->key_numbers[k]);
	}
	put_raw(h, "<th " TH ">");
	put_text(h, hw(h, H_CERTS));
	put_raw(h, "</th><th " TH ">");
	put_text(h, rw(h, REG_W_FINDINGS));
	put_raw(h, "</th></tr>\n");
	for (size_t i = 0; i < shown; i++)
		put_user_row(h, m, &m->users[i]);
	if (shown < m->nusers) {
		char cut[512];

		reg_fill(cut, sizeof(cut), hw(h, H_CUT), (long)shown, (long)m->nusers);
		put_rawf(h, "<tr><td colspan=\"%zu\" style=\"padding:10px 8px;font-size:13px;font-weight:bold;background-color:#fffaeb;border-bottom:1px solid #eaecf0;\">",
			 ncols);
		put_text(h, cut);
		put_raw(h, "</td></tr>\n");
	}
	put_raw(h, "</table>\n</td></tr>\n");
}

/* The CSV rendered before this page, by its SHA-256, so a printed mail
 * can be matched to the archived object (`sha256sum` of the file). */
static void put_csv_digest(html *h, rp_instance *self, const rp_dataset *ds)
{
	const rp_artifact *a;

	for (size_t i = 0; (a = h->host->ds_artifact(self, ds, i)) != NULL; i++) {
		unsigned char md[32];
		unsigned int n = 0;
		char hex[65], line[160];
		size_t len;
		const void *data;

		if (strcmp(h->host->artifact_extension(a), "csv") != 0)
			continue;
		data = h->host->artifact_data(a, &len);
		if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
			return;
		for (unsigned k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		snprintf(line, sizeof(line), "CSV (format.%.40s) SHA-256: ",
			 h->host->artifact_format(a));
		put_raw(h, "<br>");
		put_text(h, line);
		put_raw(h, "<span style=\"font-family:monospace\">");
		put_text(h, hex);
		put_raw(h, "</span>");
	}
}

static void put_footer(html *h, const rp_run_info *run, rp_instance *self,
		       const rp_dataset *ds)
{
	char dates[256];
	const char *z = hw(h, H_DATES_IN), *mark = strstr(z, "{Z}");

	put_raw(h, "<tr><td style=\"padding:8px 20px 16px 20px;font-size:12px;" MUTED "\">");
	if (mark) {
		snprintf(dates, sizeof(dates), "%.*s", (int)(mark - z), z);
		put_text(h, dates);
		put_text(h, run->timezone ? run->timezone : "UTC");
		put_text(h, mark + 3);
	}
	put_raw(h, h->lang == REG_LANG_JA ? "" : " ");
	put_text(h, rw(h, REG_W_AGES_NOTE));
	put_raw(h, "<br>");
	put_text(h, hw(h, H_FOOTER));
	put_csv_digest(h, self, ds);
	put_raw(h, "</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
}

/* ---------------------------------------------------- scope = run */

/* The findings tile's badges, for one account or the total. */
static void put_severity_badges(html *h, const size_t *findings)
{
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++) {
		char label[64];

		if (!findings[s])
			continue;
		snprintf(label, sizeof(label), "%s %zu", reg_severity_name(h->lang, s),
			 findings[s]);
		put_badge(h, s, label);
		put_raw(h, " ");
	}
}

static void put_totals_row(html *h, const char *account, const reg_counts *c,
			   const char *changes, int bold)
{
	char cov[64];

	reg_format_coverage(cov, sizeof(cov), c->console_users_mfa,
			    c->console_users, h->lang);
	put_raw(h, bold ? "<tr style=\"font-weight:bold;\"><td " TD ">" : "<tr><td " TD ">");
	put_text(h, account);
	put_rawf(h, "</td><td " TD ">%zu</td><td " TD ">%zu</td><td " TD ">",
		 c->users, c->console_users);
	put_text(h, cov);
	put_rawf(h, "</td><td " TD ">%zu</td><td " TD ">", c->active_keys);
	put_severity_badges(h, c->findings);
	put_raw(h, "</td><td " TD ">");
	put_text(h, changes);
	put_raw(h, "</td></tr>\n");
}

/* One table across the accounts: what a manager reads before any
 * account's own section. */
static void put_totals(html *h, const reg_summary *const *sum,
		       const rp_dataset_meta *const *meta, size_t n)
{
	reg_counts total = {0};
	size_t events = 0;
	char cell[64];

	put_heading(h, hw(h, H_ACCOUNTS));
	put_raw(h, "<tr><td style=\"padding:0 20px 8px 20px;\">\n<table " TABLE " style=\"border-collapse:collapse;\">\n<tr>");
	{
		const char *heads[] = {rw(h, REG_W_ACCOUNT), rw(h, REG_W_USERS),
				       rw(h, REG_W_CONSOLE_USERS),
				       rw(h, REG_W_MFA_COVERAGE),
				       rw(h, REG_W_ACTIVE_KEYS), rw(h, REG_W_FINDINGS),
				       hw(h, H_CHANGES_N)};

		for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
			put_raw(h, "<th " TH ">");
			put_text(h, heads[k]);
			put_raw(h, "</th>");
		}
	}
	put_raw(h, "</tr>\n");
	for (size_t i = 0; i < n; i++) {
		const reg_counts *c = &sum[i]->model.counts;
		const reg_recent *r = &sum[i]->recent;

		if (r->state == REG_RECENT_FOUND) {
			snprintf(cell, sizeof(cell), "%zu", r->changes.n);
			events += r->changes.n;
		} else {
			snprintf(cell, sizeof(cell), "%s",
				 r->state == REG_RECENT_FIRST ?
				 hw(h, H_NO_PREVIOUS_SHORT) : "");
		}
		put_totals_row(h, meta[i]->account_id, c, cell, 0);
		reg_counts_add(&total, c);
	}
	snprintf(cell, sizeof(cell), "%zu", events);
	put_totals_row(h, hw(h, H_TOTAL), &total, cell, 1);
	put_raw(h, "</table>\n</td></tr>\n");
}

/* Every dataset of the run in one document: the totals, then each
 * account's section as its own summary would show it. */
static rp_status html_render_run(rp_instance *self, const rp_host *host,
				 rp_artifact *out)
{
	const rp_run_info *run = host->run_info(self);
	const rp_dataset *ds;
	const rp_dataset_meta **meta = NULL;
	const reg_summary **sum = NULL;
	rp_dataset_meta head = {0};
	size_t n = 0, built = 0, newest = 0;
	char title[64];
	rp_status st = RP_OK;
	html *h = NULL;

	while (host->run_dataset(self, n))
		n++;
	sum = calloc(n + 1, sizeof(*sum));
	meta = calloc(n + 1, sizeof(*meta));
	h = calloc(1, sizeof(*h));
	if (!sum || !meta || !h)
		st = RP_ERR_NOMEM;
	while (!st && built < n) {
		ds = host->run_dataset(self, built);
		meta[built] = host->ds_meta(ds);
		st = reg_summary_build(self, host, ds, &sum[built]);
		if (!st)
			built++;
	}
	if (st)
		goto out;
	h->host = host;
	h->out = out;
	h->lang = reg_lang_parse(host->opt_string(self, "lang"));
	reg_fill(title, sizeof(title), hw(h, H_N_ACCOUNTS), (long)n, 0);
	head.account_id = title;
	/* The run's date is its newest report's. */
	for (size_t i = 1; i < n; i++)
		if (sum[i]->model.now > sum[newest]->model.now)
			newest = i;
	put_head(h, &sum[newest]->model, &head);
	put_totals(h, sum, meta, n);
	for (size_t i = 0; i < n && !h->st; i++) {
		const reg_model *m = &sum[i]->model;

		put_raw(h, "<tr><td style=\"padding:12px 0 0 0;border-top:4px solid #d0d5dd;\"></td></tr>\n");
		put_banner(h, m, meta[i], run);
		put_counts(h, m);
		put_changes(h, &sum[i]->recent,
			    (size_t)host->opt_int(self, "max_changes"), NULL);
		put_checks(h, m);
		put_register(h, m, (size_t)host->opt_int(self, "max_rows"));
	}
	put_footer(h, run, self, NULL);
	flush(h);
	st = h->st;
out:
	for (size_t i = 0; i < built; i++)
		reg_summary_release(sum[i]);
	free(sum);
	free(meta);
	free(h);
	return st;
}

static rp_status html_render(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *meta;
	const rp_run_info *run = host->run_info(self);
	const reg_summary *s;
	const reg_model *m;
	rp_status st;
	html *h;

	if (!ds)
		return html_render_run(self, host, out);
	meta = host->ds_meta(ds);
	st = reg_summary_build(self, host, ds, &s);
	if (st)
		return st;
	m = &s->model;
	h = calloc(1, sizeof(*h));
	if (!h) {
		reg_summary_release(s);
		return RP_ERR_NOMEM;
	}
	h->host = host;
	h->out = out;
	h->lang = reg_lang_parse(host->opt_string(self, "lang"));
	put_head(h, m, meta);
	put_banner(h, m, meta, run);
	put_counts(h, m);
	put_changes(h, &s->recent, (size_t)host->opt_int(self, "max_changes"),
		    reg_ledger_rendered(self, host, ds));
	put_checks(h, m);
	put_register(h, m, (size_t)host->opt_int(self, "max_rows"));
	put_footer(h, run, self, ds);
	flush(h);
	st = h->st;
	free(h);
	reg_summary_release(s);
	return st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "html_summary",
	.description = "the register as one HTML page for mail and browsers: counts, CIS findings, a row per user",
	.options = options,
	.media_type = "text/html; charset=utf-8",
	.extension = "html",
	.render = html_render,
	.flags = RP_PLUGIN_RUN_SCOPE,
};
