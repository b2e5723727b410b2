/* text_summary.c - formatter plugin: the top of the register (report,
 * counts, the changes since the previous report) and its CIS findings as
 * plain text, for a mail's text part and for terminals.  No line is
 * wider than 77 columns, counted as a terminal shows them: East Asian
 * wide characters take two.
 *
 * Report values are printed with control and bidirectional-override
 * characters replaced, so a tampered report cannot move the cursor or
 * reorder a terminal line. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "register.h"
#include "register_changes.h"

#define MAX_COLUMNS 77

static const rp_option options[] = {
	{.key = "lang", .type = RP_OPT_ENUM, .choices = "en|ja", .default_value = "en",
	 .description = "language of every fixed string and of the dates"},
	{.key = "max_changes", .type = RP_OPT_INT, .default_value = "200",
	 .min = 0, .max = 1000000,
	 .description = "changes listed at most, the rest left to the change ledger (0: all)"},
	REG_THRESHOLD_OPTIONS,
	{0}
};

enum text_word { T_PASSED, T_NO_FINDINGS, T_DATES_IN, T_ACCOUNTS, T_TOTAL,
		 T_CHANGES, T_NCOUNT };

static const char *const twords[T_NCOUNT][REG_LANG_COUNT] = {
	[T_PASSED] = {"Checks without findings", "該当なしのチェック"},
	[T_NO_FINDINGS] = {"No findings.", "検出事項はありません。"},
	[T_DATES_IN] = {"Dates are in {Z}. ", "日付は {Z} の時刻です。"},
	[T_ACCOUNTS] = {"Accounts ({N})", "アカウント（{N}）"},
	[T_TOTAL] = {"Total", "合計"},
	[T_CHANGES] = {"changes", "変更"},
};

typedef struct text {
	const rp_host *host;
	rp_artifact *out;
	reg_lang lang;
	rp_status st;
} text;

static void put(text *t, const char *s, size_t n)
{
	if (!t->st && n)
		t->st = t->host->artifact_append(t->out, s, n);
}

static void put_s(text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* ------------------------------------------------------- widths */

/* The code point at s and its length in bytes (the dataset is valid
 * UTF-8; anything else counts as one byte). */
static unsigned decode(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
		*len = 2;
		return (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	}
	if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		*len = 3;
		return (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 |
		       (p[2] & 0x3f);
	}
	if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
		*len = 4;
		return (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3f) << 12 |
		       (unsigned)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	}
	*len = 1;
	return 0xfffd;
}

/* East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth.txt,
 * merged; a little generous, which only makes lines shorter). */
static int is_wide(unsigned c)
{
	static const unsigned ranges[][2] = {
		{0x1100, 0x115f}, {0x231a, 0x231b}, {0x2329, 0x232a},
		{0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf},
		{0x4e00, 0x9fff}, {0xa000, 0xa4cf}, {0xa960, 0xa97f},
		{0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe10, 0xfe19},
		{0xfe30, 0xfe6f}, {0xff00, 0xff60}, {0xffe0, 0xffe6},
		{0x16fe0, 0x18cff}, {0x1b000, 0x1b2ff}, {0x1f300, 0x1f64f},
		{0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return 1;
	return 0;
}

static int unsafe(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200e || c == 0x200f;
}

static size_t width_of(const char *s)
{
	size_t w = 0, n;

	for (; *s; s += n)
		w += is_wide(decode(s, &n)) ? 2 : 1;
	return w;
}

/* A copy of s with unsafe characters as '?'; free it. */
static char *sanitize(const char *s)
{
	size_t len = strlen(s), n, o = 0;
	char *r = malloc(len + 1);

	if (!r)
		return NULL;
	for (; *s; s += n) {
		unsigned c = decode(s, &n);

		if (unsafe(c)) {
			r[o++] = '?';
		} else {
			memcpy(r + o, s, n);
			o += n;
		}
	}
	r[o] = '\0';
	return r;
}

static void put_spaces(text *t, size_t n)
{
	static const char sp[] = "                                        ";

	while (n && !t->st) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		put(t, sp, k);
		n -= k;
	}
}

/* Japanese line-breaking rules (kinsoku), the common core: these never
 * start a line ... */
static int no_start(unsigned c)
{
	static const unsigned list[] = {
		0x3001, 0x3002, 0xff0c, 0xff0e, 0xff09, 0x300d, 0x300f, 0xff1a,
		0xff1b, 0xff01, 0xff1f, 0x30fc, 0x30fb, 0x3005, 0x309d, 0x30fd,
	};

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (c == list[i])
			return 1;
	return c == ')' || c == ',' || c == '.' || c == ';' || c == ':';
}

/* ... and these never end one. */
static int no_end(unsigned c)
{
	return c == 0xff08 || c == 0x300c || c == 0x300e || c == '(';
}

static int breakable(unsigned prev, unsigned c)
{
	if (prev == ' ' || c == ' ')
		return 1;
	if (prev < 0x80 && c < 0x80)
		return 0;
	/* keep "91日" and "ci+deploy（" whole: only wide meets wide */
	return is_wide(prev) && is_wide(c) && !no_end(prev) && !no_start(c);
}

/* s as lines of at most MAX_COLUMNS: the first after first_indent
 * columns already written by the caller, the rest indented by indent.
 * Breaks at a space, or next to a wide character (Japanese breaks
 * between characters); a word longer than a line is cut. */
static void put_wrapped(text *t, const char *s, size_t first_indent,
			size_t indent)
{
	size_t col = first_indent;

	while (*s && !t->st) {
		const char *p = s, *brk = NULL;
		unsigned prev = 0;
		size_t w = col, n = 1, len;

		while (*p) {
			unsigned c = decode(p, &n);
			size_t cw = is_wide(c) ? 2 : 1;

			if (p != s && breakable(prev, c))
				brk = p;
			if (w + cw > MAX_COLUMNS)
				break;
			w += cw;
			prev = c;
			p += n;
		}
		if (!*p)
			brk = p;
		else if (!brk)
			brk = p == s ? s + n : p;        /* nowhere to break: cut */
		len = (size_t)(brk - s);
		while (len && s[len - 1] == ' ')
			len--;                           /* no trailing blanks */
		put(t, s, len);
		s = brk;
		while (*s == ' ')
			s++;
		put_s(t, "\n");
		if (*s) {
			put_spaces(t, indent);
			col = indent;
		}
	}
}

/* "Label      value" with labels padded to a common width. */
static void put_field(text *t, const char *label, size_t label_width,
		      const char *value)
{
	char *v = sanitize(value);

	if (!v) {
		t->st = RP_ERR_NOMEM;
		return;
	}
	put_s(t, label);
	put_spaces(t, label_width - width_of(label));
	put_wrapped(t, v, label_width, label_width);
	free(v);
}

static void put_heading(text *t, const char *title)
{
	size_t w = width_of(title);

	put_s(t, "\n");
	put_s(t, title);
	put_s(t, "\n");
	for (size_t i = 0; i < w && i < MAX_COLUMNS; i++)
		put_s(t, "=");
	put_s(t, "\n");
}

static size_t max_width(const char *const *labels, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (width_of(labels[i]) > w)
			w = width_of(labels[i]);
	return w + 2;
}

/* ---------------------------------------------------------------- top */

static void put_top(text *t, const reg_model *m, const rp_dataset_meta *meta,
		    const rp_run_info *run)
{
	reg_lang L = t->lang;
	const char *labels[] = {
		reg_word_text(L, REG_W_PIPELINE), reg_word_text(L, REG_W_ACCOUNT),
		reg_word_text(L, REG_W_GENERATED), reg_word_text(L, REG_W_AGE),
	};
	size_t lw = max_width(labels, 4);
	const char *account = meta->account_id ? meta->account_id : "";
	char line[512], utc[64], local[64], zone[32], age[160], date[64];

	reg_format_date(date, sizeof(date), m->now, L, 0);
	snprintf(line, sizeof(line), L == REG_LANG_JA ? "%s: %s %s、%s" : "%s: %s %s, %s",
		 reg_word_text(L, REG_W_TITLE),
		 L == REG_LANG_JA ? "アカウント" : "account",
		 account[0] ? account : "?", date);
	put_field(t, "", 0, line);
	put_s(t, "\n");
	put_field(t, labels[0], lw, run->pipeline ? run->pipeline : "");
	if (meta->partition && meta->partition[0])
		snprintf(line, sizeof(line), "%s (%s)", account, meta->partition);
	else
		snprintf(line, sizeof(line), "%s", account);
	put_field(t, labels[1], lw, line);
	reg_format_datetime(utc, sizeof(utc), m->now, L, 1);
	snprintf(line, sizeof(line), "%s UTC", utc);
	put_field(t, labels[2], lw, line);
	reg_format_datetime(local, sizeof(local), m->now, L, 0);
	reg_format_zone(zone, sizeof(zone), m->now);
	snprintf(line, sizeof(line), "%s %s (%s)", local, zone,
		 run->timezone ? run->timezone : "");
	if (strcmp(zone, "UTC") != 0) /* the pipeline's zone is not UTC itself */
		put_field(t, "", lw, line);
	reg_format_report_age(age, sizeof(age), m->now, run->run_time, L);
	put_field(t, labels[3], lw, age);
}

static void put_counts(text *t, const reg_model *m)
{
	reg_lang L = t->lang;
	const reg_counts *c = &m->counts;
	const char *labels[] = {
		reg_word_text(L, REG_W_USERS), reg_word_text(L, REG_W_CONSOLE_USERS),
		reg_word_text(L, REG_W_MFA_COVERAGE), reg_word_text(L, REG_W_ACTIVE_KEYS),
		reg_word_text(L, REG_W_FINDINGS),
	};
	size_t lw = max_width(labels, 5), len = 0;
	char line[512];

	put_s(t, "\n");
	snprintf(line, sizeof(line), L == REG_LANG_JA ? "%zu（%s）" : "%zu (%s)",
		 c->users, reg_word_text(L, REG_W_USERS_NOTE));
	put_field(t, labels[0], lw, line);
	snprintf(line, sizeof(line), "%zu", c->console_users);
	put_field(t, labels[1], lw, line);
	reg_format_coverage(line, sizeof(line), c->console_users_mfa, c->console_users, L);
	put_field(t, labels[2], lw, line);
	snprintf(line, sizeof(line), "%zu", c->active_keys);
	put_field(t, labels[3], lw, line);
	line[0] = '\0';
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++) {
		int k = snprintf(line + len, sizeof(line) - len, "%s%s %zu",
				 s ? (L == REG_LANG_JA ? "、" : ", ") : "",
				 reg_severity_name(L, s), c->findings[s]);

		if (k > 0 && (size_t)k < sizeof(line) - len)
			len += (size_t)k;
	}
	put_field(t, labels[4], lw, line);
}

/* ------------------------------------------------------------ changes */

/* The events since the previous report, the `changes` formatter's rows:
 * "  - user: Event - detail", at most max of them (0: all); ledger names
 * where the rest are (reg_ledger_rendered). */
static void put_changes(text *t, const reg_recent *r, size_t max,
			const char *ledger)
{
	reg_lang L = t->lang;
	int ja = L == REG_LANG_JA;
	size_t shown = max && max < r->changes.n ? max : r->changes.n;
	char title[256], date[64], cut[512];

	if (r->state == REG_RECENT_UNAVAILABLE)
		return;
	if (r->state == REG_RECENT_FOUND) {
		reg_format_datetime(date, sizeof(date), r->previous_time, L, 0);
		snprintf(title, sizeof(title), ja ? "%s（%s）" : "%s (%s)",
			 reg_word_text(L, REG_W_CHANGES), date);
	} else {
		snprintf(title, sizeof(title), "%s", reg_word_text(L, REG_W_CHANGES));
	}
	put_heading(t, title);
	if (r->state == REG_RECENT_FIRST) {
		put_wrapped(t, reg_word_text(L, REG_W_NO_PREVIOUS), 0, 0);
		return;
	}
	if (!r->changes.n)
		put_wrapped(t, reg_word_text(L, REG_W_NO_CHANGES), 0, 0);
	for (size_t i = 0; i < shown && !t->st; i++) {
		const reg_event *e = &r->changes.events[i];
		size_t cap = strlen(e->user->name) + 1024;
		char *line = malloc(cap), *safe, detail[512];

		if (!line) {
			t->st = RP_ERR_NOMEM;
			return;
		}
		reg_event_detail_lang(detail, sizeof(detail), e, L);
		snprintf(line, cap, ja ? "  - %s: %s \xe2\x80\x94 %s" : "  - %s: %s - %s",
			 e->user->name, reg_event_title(L, e->kind), detail);
		safe = sanitize(line);
		free(line);
		if (!safe) {
			t->st = RP_ERR_NOMEM;
			return;
		}
		put_wrapped(t, safe, 0, 4);
		free(safe);
	}
	if (shown < r->changes.n) {
		reg_changes_cut_note(cut, sizeof(cut), L, shown, r->changes.n, ledger);
		put_s(t, "\n");
		put_wrapped(t, cut, 0, 0);
	}
}

/* ----------------------------------------------------------- findings */

static void put_check_line(text *t, const reg_model *m, reg_check c, int tag)
{
	const reg_check_info *ci = reg_check_get(c);
	int unchecked = reg_check_is_root(c) && !m->counts.root_present;
	char title[256], line[512];

	reg_check_title(title, sizeof(title), c, t->lang, &m->th);
	if (tag)
		snprintf(line, sizeof(line), "[%s] %s%s: %s",
			 reg_severity_name(t->lang, ci->severity),
			 ci->cis ? "CIS " : "",
			 ci->cis ? ci->cis : reg_word_text(t->lang, REG_W_NO_CIS), title);
	else
		snprintf(line, sizeof(line), "  %s%s: %s%s%s", ci->cis ? "CIS " : "",
			 ci->cis ? ci->cis : reg_word_text(t->lang, REG_W_NO_CIS), title,
			 unchecked ? (t->lang == REG_LANG_JA ? " \xe2\x80\x94 " : " - ") : "",
			 unchecked ? reg_word_text(t->lang, REG_W_NOT_CHECKED) : "");
	put_wrapped(t, line, 0, tag ? 4 : 6);
}

/* "  - name (detail; detail)" for the hits [first, end) of one user. */
static void put_hit_user(text *t, const reg_model *m, size_t first, size_t end)
{
	int ja = t->lang == REG_LANG_JA, any = 0;
	size_t cap = 256, len;
	char *line, *name = sanitize(m->users[m->hits[first].user].name);

	if (!name) {
		t->st = RP_ERR_NOMEM;
		return;
	}
	cap += strlen(name) + (end - first) * 300; /* detail < 256, separator */
	line = malloc(cap);
	if (!line) {
		free(name);
		t->st = RP_ERR_NOMEM;
		return;
	}
	len = (size_t)snprintf(line, cap, "  - %s", name);
	for (size_t i = first; i < end; i++) {
		char d[256];

		if (!reg_hit_detail(d, sizeof(d), &m->hits[i], t->lang))
			continue;
		len += (size_t)snprintf(line + len, cap - len, "%s%s",
					any ? (ja ? "；" : "; ") : (ja ? "（" : " ("), d);
		any = 1;
	}
	if (any)
		snprintf(line + len, cap - len, "%s", ja ? "）" : ")");
	put_wrapped(t, line, 0, 4);
	free(line);
	free(name);
}

static void put_findings(text *t, const reg_model *m)
{
	size_t i = 0, passed = 0;

	put_heading(t, reg_word_text(t->lang, REG_W_FINDINGS));
	if (!m->nhits)
		put_wrapped(t, twords[T_NO_FINDINGS][t->lang], 0, 0);
	for (reg_check c = 0; c < REG_CHECK_COUNT; c++) {
		if (!m->counts.checks_users[c]) {
			passed++;
			continue;
		}
		put_s(t, "\n");
		put_check_line(t, m, c, 1);
		while (i < m->nhits && m->hits[i].check == c) {
			size_t end = i + 1;

			while (end < m->nhits && m->hits[end].check == c &&
			       m->hits[end].user == m->hits[i].user)
				end++;
			put_hit_user(t, m, i, end);
			i = end;
		}
	}
	if (passed) {
		put_heading(t, twords[T_PASSED][t->lang]);
		for (reg_check c = 0; c < REG_CHECK_COUNT; c++)
			if (!m->counts.checks_users[c])
				put_check_line(t, m, c, 0);
	}
}

static void put_notes(text *t, const rp_run_info *run)
{
	const char *z = twords[T_DATES_IN][t->lang], *mark = strstr(z, "{Z}");
	char line[512];

	snprintf(line, sizeof(line), "%.*s%s%s%s", (int)(mark - z), z,
		 run->timezone ? run->timezone : "UTC", mark + 3,
		 reg_word_text(t->lang, REG_W_AGES_NOTE));
	put_s(t, "\n");
	put_field(t, "", 0, line);
}

/* ---------------------------------------------------- scope = run */

/* "users 10, console users 7, MFA 5 of 7 (71%), keys 8, findings: ..." */
static void account_line(text *t, char *line, size_t n, const reg_counts *c,
			 const char *changes)
{
	reg_lang L = t->lang;
	const char *sep = L == REG_LANG_JA ? "、" : ", ";
	char cov[64];
	size_t len;

	reg_format_coverage(cov, sizeof(cov), c->console_users_mfa,
			    c->console_users, L);
	snprintf(line, n, "%s %zu%s%s %zu%s%s %s%s%s %zu%s%s",
		 reg_word_text(L, REG_W_USERS), c->users, sep,
		 reg_word_text(L, REG_W_CONSOLE_USERS), c->console_users, sep,
		 reg_word_text(L, REG_W_MFA_COVERAGE), cov, sep,
		 reg_word_text(L, REG_W_ACTIVE_KEYS), c->active_keys, sep,
		 reg_word_text(L, REG_W_FINDINGS));
	if (strlen(line) + 4 < n)
		strcat(line, L == REG_LANG_JA ? "：" : ":");
	len = strlen(line);
	for (reg_severity s = 0; s < REG_SEV_COUNT && len < n; s++) {
		int k = snprintf(line + len, n - len, " %s %zu",
				 reg_severity_name(L, s), c->findings[s]);

		if (k > 0)
			len += (size_t)k;
	}
	if (changes && len < n)
		snprintf(line + len, n - len, "%s%s %s", sep,
			 twords[T_CHANGES][L], changes);
}

/* Every dataset of the run: a line per account and the total, then each
 * account's summary as it would be on its own. */
static rp_status text_render_run(rp_instance *self, const rp_host *host,
				 rp_artifact *out)
{
	const rp_run_info *run = host->run_info(self);
	text t = {host, out, reg_lang_parse(host->opt_string(self, "lang")), RP_OK};
	const reg_summary **sum = NULL;
	const reg_model *m;
	const reg_recent *r;
	reg_counts total = {0};
	size_t n = 0, built = 0, events = 0, lw = 0;
	char line[1024], title[64], num[32];
	rp_status st = RP_OK;

	while (host->run_dataset(self, n))
		n++;
	sum = calloc(n + 1, sizeof(*sum));
	if (!sum)
		st = RP_ERR_NOMEM;
	while (!st && built < n) {
		st = reg_summary_build(self, host, host->run_dataset(self, built),
				       &sum[built]);
		if (!st)
			built++;
	}
	if (st)
		goto out;
	reg_fill(title, sizeof(title), twords[T_ACCOUNTS][t.lang], (long)n, 0);
	put_s(&t, reg_word_text(t.lang, REG_W_TITLE));
	put_s(&t, t.lang == REG_LANG_JA ? "：" : ": ");
	put_s(&t, run->pipeline ? run->pipeline : "");
	put_s(&t, "\n");
	put_heading(&t, title);
	lw = width_of(twords[T_TOTAL][t.lang]) > 12 ?
	     width_of(twords[T_TOTAL][t.lang]) + 2 : 14;
	for (size_t i = 0; i < n; i++) {
		const reg_counts *c = &sum[i]->model.counts;
		const char *changes = NULL;

		r = &sum[i]->recent;
		if (r->state == REG_RECENT_FOUND) {
			snprintf(num, sizeof(num), "%zu", r->changes.n);
			events += r->changes.n;
			changes = num;
		}
		account_line(&t, line, sizeof(line), c, changes);
		put_field(&t, host->ds_meta(host->run_dataset(self, i))->account_id,
			  lw, line);
		reg_counts_add(&total, c);
	}
	snprintf(num, sizeof(num), "%zu", events);
	account_line(&t, line, sizeof(line), &total, num);
	put_field(&t, twords[T_TOTAL][t.lang], lw, line);
	for (size_t i = 0; i < n; i++) {
		put_s(&t, "\n");
		for (size_t k = 0; k < MAX_COLUMNS; k++)
			put_s(&t, "-");
		put_s(&t, "\n");
		m = &sum[i]->model;
		put_top(&t, m, host->ds_meta(host->run_dataset(self, i)), run);
		put_counts(&t, m);
		put_changes(&t, &sum[i]->recent,
			    (size_t)host->opt_int(self, "max_changes"), NULL);
		put_findings(&t, m);
	}
	put_notes(&t, run);
	st = t.st;
	if (st == RP_ERR_NOMEM)
		host->set_error(self, "out of memory writing the text summary");
out:
	for (size_t i = 0; i < built; i++)
		reg_summary_release(sum[i]);
	free(sum);
	return st;
}

static rp_status text_render(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *meta;
	const rp_run_info *run = host->run_info(self);
	text t = {host, out, reg_lang_parse(host->opt_string(self, "lang")), RP_OK};
	const reg_summary *s;
	rp_status st;

	if (!ds)
		return text_render_run(self, host, out);
	meta = host->ds_meta(ds);
	st = reg_summary_build(self, host, ds, &s);
	if (st)
		return st;
	put_top(&t, &s->model, meta, run);
	put_counts(&t, &s->model);
	put_changes(&t, &s->recent, (size_t)host->opt_int(self, "max_changes"),
		    reg_ledger_rendered(self, host, ds));
	put_findings(&t, &s->model);
	put_notes(&t, run);
	reg_summary_release(s);
	if (t.st == RP_ERR_NOMEM)
		host->set_error(self, "out of memory writing the text summary");
	return t.st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "text_summary",
	.description = "the register's counts and CIS findings as plain text, lines under 78 columns",
	.options = options,
	.media_type = "text/plain; charset=utf-8",
	.extension = "txt",
	.render = text_render,
	.flags = RP_PLUGIN_RUN_SCOPE,
};
