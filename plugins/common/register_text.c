/* register_text.c - the fixed words, dates and spans of time both summary
 * formatters print, in English and Japanese.  Month names and formats are
 * our own rather than the C library's locale, so a report reads the same
 * on every host whatever LC_TIME the job runs under. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "register.h"

static const char *const words[REG_W_COUNT][REG_LANG_COUNT] = {
	[REG_W_TITLE] = {"IAM credential report", "IAM 認証情報レポート"},
	[REG_W_PIPELINE] = {"Pipeline", "パイプライン"},
	[REG_W_ACCOUNT] = {"Account", "アカウント"},
	[REG_W_GENERATED] = {"Report generated", "レポート作成日時"},
	[REG_W_AGE] = {"Age", "経過時間"},
	[REG_W_USERS] = {"Users", "ユーザー数"},
	[REG_W_USERS_NOTE] = {"root user not counted", "ルートユーザーを除く"},
	[REG_W_CONSOLE_USERS] = {"Console users", "コンソールユーザー"},
	[REG_W_MFA_COVERAGE] = {"MFA on console users", "コンソールユーザーの MFA"},
	[REG_W_ACTIVE_KEYS] = {"Active access keys", "有効なアクセスキー"},
	[REG_W_FINDINGS] = {"Findings", "検出事項"},
	[REG_W_CHECKS] = {"Checks", "チェック結果"},
	[REG_W_NO_FINDING] = {"none", "該当なし"},
	[REG_W_NOT_CHECKED] = {"not checked: the report has no root user row",
			       "未確認（レポートにルートユーザーの行がない）"},
	[REG_W_NO_CIS] = {"no CIS reference", "CIS 該当項目なし"},
	[REG_W_SEVERITY] = {"Severity", "重要度"},
	[REG_W_REFERENCE] = {"Reference", "参照"},
	[REG_W_CHECK] = {"Check", "チェック項目"},
	[REG_W_AFFECTED] = {"Users concerned", "対象ユーザー"},
	[REG_W_PASSWORD] = {"password", "パスワード"},
	[REG_W_ACCESS_KEY] = {"access key", "アクセスキー"},
	[REG_W_CERTIFICATE] = {"certificate", "証明書"},
	[REG_W_DAYS_OLD] = {"{N} day{s} old", "作成から{N}日"},
	[REG_W_DAYS_UNUSED] = {"unused for {N} day{s}", "{N}日間未使用"},
	[REG_W_NEVER_USED_FOR] = {"never used, created {N} day{s} ago",
				  "未使用、作成から{N}日"},
	[REG_W_DAYS_AGO] = {"used {N} day{s} ago", "{N}日前に使用"},
	[REG_W_AGES_NOTE] = {"Ages and days are counted to the time the report was generated.",
			     "経過日数はレポート作成日時までの日数です。"},
	[REG_W_CHANGES] = {"Changes since the previous report", "前回のレポートからの変更"},
	[REG_W_NO_PREVIOUS] = {"No previous report: this is the first one in the history.",
			       "前回のレポートはありません。これが履歴の最初のレポートです。"},
	[REG_W_NO_CHANGES] = {"No changes.", "変更はありません。"},
	[REG_W_USER] = {"User", "ユーザー"},
	[REG_W_EVENT] = {"Event", "イベント"},
	[REG_W_DETAIL] = {"Detail", "詳細"},
};

static const char *const severities[REG_SEV_COUNT][REG_LANG_COUNT] = {
	[REG_SEV_CRITICAL] = {"Critical", "重大"},
	[REG_SEV_HIGH] = {"High", "高"},
	[REG_SEV_MEDIUM] = {"Medium", "中"},
	[REG_SEV_LOW] = {"Low", "低"},
	[REG_SEV_INFO] = {"Info", "情報"},
};

static const char *const severity_ids[REG_SEV_COUNT] = {
	"critical", "high", "medium", "low", "info"
};

static const char *const months_en[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

const char *reg_word_text(reg_lang lang, reg_word w)
{
	if (lang >= REG_LANG_COUNT)
		lang = REG_LANG_EN;
	return w < REG_W_COUNT ? words[w][lang] : "";
}

const char *reg_severity_name(reg_lang lang, reg_severity s)
{
	if (lang >= REG_LANG_COUNT)
		lang = REG_LANG_EN;
	return s < REG_SEV_COUNT ? severities[s][lang] : "";
}

const char *reg_severity_id(reg_severity s)
{
	return s < REG_SEV_COUNT ? severity_ids[s] : "";
}

reg_lang reg_lang_parse(const char *name)
{
	return name && strcmp(name, "ja") == 0 ? REG_LANG_JA : REG_LANG_EN;
}

/* Appends s to buf at *len, truncating at n but counting it all. */
static void put(char *buf, size_t n, size_t *len, const char *s, size_t slen)
{
	if (*len < n) {
		size_t room = n - *len - 1;

		memcpy(buf + *len, s, slen < room ? slen : room);
		buf[*len + (slen < room ? slen : room)] = '\0';
	}
	*len += slen;
}

size_t reg_fill(char *buf, size_t n, const char *text, long num, long num2)
{
	size_t len = 0;
	char digits[32];

	if (n)
		buf[0] = '\0';
	while (*text) {
		if (strncmp(text, "{N}", 3) == 0 || strncmp(text, "{M}", 3) == 0) {
			/* By hand: this runs for every date of the register. */
			long v = text[1] == 'N' ? num : num2;
			unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
			size_t i = sizeof(digits);

			do
				digits[--i] = (char)('0' + u % 10);
			while ((u /= 10) != 0);
			if (v < 0)
				digits[--i] = '-';
			put(buf, n, &len, digits + i, sizeof(digits) - i);
			text += 3;
		} else if (strncmp(text, "{s}", 3) == 0) {
			if (num != 1)
				put(buf, n, &len, "s", 1);
			text += 3;
		} else {
			size_t run = strcspn(text + 1, "{") + 1;

			put(buf, n, &len, text, run);
			text += run;
		}
	}
	return len;
}

size_t reg_check_title(char *buf, size_t n, reg_check c, reg_lang lang,
		       const reg_thresholds *th)
{
	const reg_check_info *ci = reg_check_get(c);

	if (!ci) {
		if (n)
			buf[0] = '\0';
		return 0;
	}
	if (lang >= REG_LANG_COUNT)
		lang = REG_LANG_EN;
	return reg_fill(buf, n, ci->title[lang], reg_check_threshold(c, th), 0);
}

size_t reg_hit_detail(char *buf, size_t n, const reg_hit *h, reg_lang lang)
{
	const char *sep = lang == REG_LANG_JA ? "、" : ", ";
	char part[128];
	size_t len = 0;
	reg_word what = REG_W_COUNT;
	int k;

	if (n)
		buf[0] = '\0';
	switch (h->credential) {
	case REG_CRED_PASSWORD:
		put(buf, n, &len, reg_word_text(lang, REG_W_PASSWORD),
		    strlen(reg_word_text(lang, REG_W_PASSWORD)));
		break;
	case REG_CRED_KEY:
	case REG_CRED_CERT:
		k = snprintf(part, sizeof(part), "%s %u",
			     reg_word_text(lang, h->credential == REG_CRED_KEY ?
					   REG_W_ACCESS_KEY : REG_W_CERTIFICATE),
			     h->number);
		put(buf, n, &len, part, (size_t)k);
		break;
	case REG_CRED_USER:
		return 0;
	}
	if (h->check == REG_CHECK_ROOT_USED)
		what = REG_W_DAYS_AGO;
	else if (h->check == REG_CHECK_UNUSED)
		what = h->never_used ? REG_W_NEVER_USED_FOR : REG_W_DAYS_UNUSED;
	else if (h->check == REG_CHECK_ROTATION)
		what = REG_W_DAYS_OLD;
	if (what != REG_W_COUNT && h->days >= 0) {
		put(buf, n, &len, sep, strlen(sep));
		reg_fill(part, sizeof(part), reg_word_text(lang, what), h->days, 0);
		put(buf, n, &len, part, strlen(part));
	}
	return len;
}

static int broken_down(time_t t, int utc, struct tm *tm)
{
	return (utc ? gmtime_r(&t, tm) : localtime_r(&t, tm)) != NULL;
}

size_t reg_format_date(char *buf, size_t n, time_t t, reg_lang lang, int utc)
{
	struct tm tm;
	int k;

	if (!broken_down(t, utc, &tm))
		k = snprintf(buf, n, "?");
	else if (lang == REG_LANG_JA)
		k = snprintf(buf, n, "%d年%d月%d日", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday);
	else
		k = snprintf(buf, n, "%d %s %d", tm.tm_mday, months_en[tm.tm_mon],
			     tm.tm_year + 1900);
	return k < 0 ? 0 : (size_t)k;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* The inverse, for days >= 0. */
static void civil_from_days(long long days, unsigned *y, unsigned *m,
			    unsigned *d)
{
	unsigned long z = (unsigned long)days + 719468;
	unsigned long era = z / 146097, doe = z - era * 146097;
	unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned long mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* The local zone's offset from UTC at t, in seconds, as localtime_r has
 * it (tm_gmtoff without _DEFAULT_SOURCE). */
static int offset_at(time_t t, long *off)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	*off = (long)(days_from_civil(tm.tm_year + 1900LL, (unsigned)tm.tm_mon + 1,
				      (unsigned)tm.tm_mday) * 86400 +
		      tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec -
		      (long long)t);
	return 1;
}

static size_t put_number(char *p, unsigned v)
{
	char tmp[12];
	size_t k = 0, len;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (len = k; k; k--)
		*p++ = tmp[k - 1];
	return len;
}

/* The offset at the first second of UTC day `day`, remembered. */
static int midnight_offset(reg_date_cache *c, long long day, long *off)
{
	reg_date_midnight *e = &c->slot[day % 4096];

	if (e->day != day + 1) {
		e->day = day + 1;
		e->known = offset_at((time_t)(day * 86400), &e->offset);
	}
	*off = e->offset;
	return e->known;
}

/* localtime_r costs about 1,800 instructions in glibc (past a zone's last
 * transition it parses the zone's rule string again every time), and a
 * register of 5,000 users has 15,000 dates on 4,000 days.  When the
 * offset is the same at the start of a UTC day and of the next, it holds
 * all day: one change in between would show, and two cannot happen, as
 * the time zone database has no two changes of offset less than six days
 * apart from 1970 on (checked on all 600 zones of tzdata 2025b).  Days
 * with a change, and times before 1970 or after 9999, take the general
 * path. */
size_t reg_format_local_date(reg_date_cache *c, char *buf, size_t n, time_t t,
			     reg_lang lang)
{
	long long secs = (long long)t, day = secs / 86400;
	unsigned y, m, d;
	char tmp[64], *p = tmp;
	size_t len;
	long a, b;

	if (secs < 0 || secs > 253402300799LL - 2 * 86400 ||
	    !midnight_offset(c, day, &a) || !midnight_offset(c, day + 1, &b) ||
	    a != b)
		return reg_format_date(buf, n, t, lang, 0);
	secs += a;
	if (secs < 0)
		return reg_format_date(buf, n, t, lang, 0);
	civil_from_days(secs / 86400, &y, &m, &d);
	if (lang == REG_LANG_JA) {
		p += put_number(p, y);
		memcpy(p, "\xe5\xb9\xb4", 3);  /* 年 */
		p += 3;
		p += put_number(p, m);
		memcpy(p, "\xe6\x9c\x88", 3);  /* 月 */
		p += 3;
		p += put_number(p, d);
		memcpy(p, "\xe6\x97\xa5", 3);  /* 日 */
		p += 3;
	} else {
		p += put_number(p, d);
		*p++ = ' ';
		len = strlen(months_en[m - 1]);
		memcpy(p, months_en[m - 1], len);
		p += len;
		*p++ = ' ';
		p += put_number(p, y);
	}
	len = (size_t)(p - tmp);
	if (n) {
		size_t k = len < n ? len : n - 1;

		memcpy(buf, tmp, k);
		buf[k] = '\0';
	}
	return len;
}

size_t reg_format_datetime(char *buf, size_t n, time_t t, reg_lang lang,
			   int utc)
{
	size_t len = reg_format_date(buf, n, t, lang, utc);
	struct tm tm;
	char hm[16];

	if (!broken_down(t, utc, &tm))
		return len;
	snprintf(hm, sizeof(hm), " %02d:%02d", tm.tm_hour, tm.tm_min);
	put(buf, n, &len, hm, strlen(hm));
	return len;
}

size_t reg_format_zone(char *buf, size_t n, time_t t)
{
	struct tm tm;
	size_t k;

	if (n)
		buf[0] = '\0';
	if (!localtime_r(&t, &tm) || !n)
		return 0;
	k = strftime(buf, n, "%Z", &tm);
	if (!k)
		buf[0] = '\0';
	return k;
}

size_t reg_format_span(char *buf, size_t n, long long seconds, reg_lang lang)
{
	static const char *const unit[3][REG_LANG_COUNT] = {
		{"{N} minute{s}", "{N}分"},
		{"{N} hour{s}", "{N}時間"},
		{"{N} day{s}", "{N}日"},
	};
	int u = seconds < 3600 ? 0 : seconds < 48 * 3600 ? 1 : 2;
	long long v = u == 0 ? seconds / 60 : u == 1 ? seconds / 3600 : seconds / 86400;

	if (lang >= REG_LANG_COUNT)
		lang = REG_LANG_EN;
	return reg_fill(buf, n, unit[u][lang], (long)v, 0);
}

size_t reg_format_report_age(char *buf, size_t n, time_t generated,
			     time_t run_time, reg_lang lang)
{
	char span[64];
	size_t len = 0;

	if (n)
		buf[0] = '\0';
	if (run_time < generated) {
		const char *s = lang == REG_LANG_JA ?
			"この実行の開始より後（時計を確認してください）" :
			"later than this run started (check the clocks)";

		put(buf, n, &len, s, strlen(s));
		return len;
	}
	reg_format_span(span, sizeof(span), (long long)run_time - generated, lang);
	if (lang == REG_LANG_JA) {
		put(buf, n, &len, "この実行の", strlen("この実行の"));
		put(buf, n, &len, span, strlen(span));
		put(buf, n, &len, "前", strlen("前"));
	} else {
		put(buf, n, &len, span, strlen(span));
		put(buf, n, &len, " before this run", strlen(" before this run"));
	}
	return len;
}

size_t reg_format_coverage(char *buf, size_t n, size_t have, size_t total,
			   reg_lang lang)
{
	unsigned pct = total ? (unsigned)(have * 100 / total) : 0;
	int k;

	if (!total)
		return reg_fill(buf, n, reg_word_text(lang, REG_W_NO_FINDING), 0, 0);
	if (lang == REG_LANG_JA)
		k = snprintf(buf, n, "%zu人中%zu人（%u%%）", total, have, pct);
	else
		k = snprintf(buf, n, "%zu of %zu (%u%%)", have, total, pct);
	return k < 0 ? 0 : (size_t)k;
}
