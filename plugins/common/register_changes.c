/* register_changes.c - the events between two credential reports of one
 * account (see register_changes.h).
 *
 * Only what a report can prove is an event: a cell that reads N/A,
 * no_information or not_supported on either side never makes one, so a
 * report trimmed or odd in one column does not flood the ledger. */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "register_changes.h"

static const char *const event_names[REG_EV_COUNT] = {
	[REG_EV_USER_DELETED] = "user_deleted",
	[REG_EV_USER_CREATED] = "user_created",
	[REG_EV_PASSWORD_ENABLED] = "console_password_enabled",
	[REG_EV_PASSWORD_DISABLED] = "console_password_disabled",
	[REG_EV_MFA_ENABLED] = "mfa_enabled",
	[REG_EV_MFA_DISABLED] = "mfa_disabled",
	[REG_EV_KEY_CREATED] = "access_key_created",
	[REG_EV_KEY_ROTATED] = "access_key_rotated",
	[REG_EV_KEY_ACTIVATED] = "access_key_activated",
	[REG_EV_KEY_DEACTIVATED] = "access_key_deactivated",
	[REG_EV_KEY_DELETED] = "access_key_deleted",
	[REG_EV_CERT_ACTIVATED] = "certificate_activated",
	[REG_EV_CERT_DEACTIVATED] = "certificate_deactivated",
	[REG_EV_ROOT_USED] = "root_used",
};

static const char *const event_titles[REG_EV_COUNT][REG_LANG_COUNT] = {
	[REG_EV_USER_DELETED] = {"User deleted", "ユーザー削除"},
	[REG_EV_USER_CREATED] = {"User created", "ユーザー作成"},
	[REG_EV_PASSWORD_ENABLED] = {"Console password enabled", "コンソールパスワード有効化"},
	[REG_EV_PASSWORD_DISABLED] = {"Console password disabled", "コンソールパスワード無効化"},
	[REG_EV_MFA_ENABLED] = {"MFA enabled", "MFA 有効化"},
	[REG_EV_MFA_DISABLED] = {"MFA disabled", "MFA 無効化"},
	[REG_EV_KEY_CREATED] = {"Access key created", "アクセスキー作成"},
	[REG_EV_KEY_ROTATED] = {"Access key rotated", "アクセスキーのローテーション"},
	[REG_EV_KEY_ACTIVATED] = {"Access key activated", "アクセスキー有効化"},
	[REG_EV_KEY_DEACTIVATED] = {"Access key deactivated", "アクセスキー無効化"},
	[REG_EV_KEY_DELETED] = {"Access key deleted", "アクセスキー削除"},
	[REG_EV_CERT_ACTIVATED] = {"Signing certificate activated", "署名証明書有効化"},
	[REG_EV_CERT_DEACTIVATED] = {"Signing certificate deactivated", "署名証明書無効化"},
	[REG_EV_ROOT_USED] = {"Root user used", "ルートユーザーの使用"},
};

const char *reg_event_name(reg_event_kind k)
{
	return k < REG_EV_COUNT ? event_names[k] : "?";
}

const char *reg_event_title(reg_lang lang, reg_event_kind k)
{
	if (lang >= REG_LANG_COUNT)
		lang = REG_LANG_EN;
	return k < REG_EV_COUNT ? event_titles[k][lang] : "?";
}

static void two_digits(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* The json formatter writes ten of these per user (issue #7): the years
 * 1970 to 9999 are counted here, as gmtime_r and strftime would; any
 * other time goes through them. */
size_t reg_format_iso8601(char *buf, size_t n, time_t t)
{
	long long secs = (long long)t;
	struct tm tm;
	size_t k;

	if (!n)
		return 0;
	if (secs >= 0 && secs <= 253402300799LL && n >= 21) {
		/* Days to a civil date: Howard Hinnant's days_from_civil,
		 * backwards, for days since 1970 (era 4 onwards). */
		unsigned long z = (unsigned long)(secs / 86400) + 719468;
		unsigned long era = z / 146097, doe = z - era * 146097;
		unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		unsigned long mp = (5 * doy + 2) / 153;
		unsigned day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
		unsigned mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
		unsigned year = (unsigned)(yoe + era * 400 + (mon <= 2));
		unsigned sod = (unsigned)(secs % 86400);

		two_digits(buf, year / 100);
		two_digits(buf + 2, year % 100);
		buf[4] = '-';
		two_digits(buf + 5, mon);
		buf[7] = '-';
		two_digits(buf + 8, day);
		buf[10] = 'T';
		two_digits(buf + 11, sod / 3600);
		buf[13] = ':';
		two_digits(buf + 14, sod / 60 % 60);
		buf[16] = ':';
		two_digits(buf + 17, sod % 60);
		memcpy(buf + 19, "Z", 2);
		return 20;
	}
	if (!gmtime_r(&t, &tm) ||
	    !(k = strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))) {
		snprintf(buf, n, "?");
		return 0;
	}
	return k;
}

/* ------------------------------------------------------------- diff */

typedef struct event_list {
	reg_event *v;
	size_t n, cap;
} event_list;

static rp_status event_add(event_list *l, reg_event e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		reg_event *g = realloc(l->v, cap * sizeof(*g));

		if (!g)
			return RP_ERR_NOMEM;
		l->v = g;
		l->cap = cap;
	}
	l->v[l->n++] = e;
	return RP_OK;
}

static int both_bool(reg_bool a, reg_bool b)
{
	return a.kind == RP_CELL_VALUE && b.kind == RP_CELL_VALUE;
}

static int has_time(reg_time t)
{
	return t.kind == RP_CELL_VALUE;
}

/* b later than a: a used credential whose earlier use was unknown too. */
static int later(reg_time a, reg_time b)
{
	return has_time(b) && (!has_time(a) || b.t > a.t);
}

static const reg_user *const *by_name(const reg_model *m, rp_status *st)
{
	const reg_user **v = malloc((m->nusers ? m->nusers : 1) * sizeof(*v));

	*st = v ? RP_OK : RP_ERR_NOMEM;
	for (size_t i = 0; v && i < m->nusers; i++)
		v[i] = &m->users[i];
	return v;
}

static int cmp_user_ptr(const void *a, const void *b)
{
	const reg_user *x = *(const reg_user *const *)a;
	const reg_user *y = *(const reg_user *const *)b;

	return strcmp(x->name, y->name);
}

/* The same account, not a new one of the same name. */
static int same_user(const reg_user *o, const reg_user *u)
{
	if (strcmp(o->arn, u->arn) != 0)
		return 0;
	if (has_time(o->created) && has_time(u->created))
		return o->created.t == u->created.t;
	return 1;
}

static rp_status diff_keys(const reg_model *mb, const reg_model *ma,
			   const reg_user *o, const reg_user *u,
			   event_list *l)
{
	rp_status st = RP_OK;

	for (size_t j = 0; j < ma->nkeys && !st; j++) {
		const reg_key *nk = &u->keys[j], *ok = NULL;
		reg_event e = {.user = u, .what = REG_EV_WHAT_KEY,
			       .number = nk->number};
		int have = 0;

		for (size_t i = 0; i < mb->nkeys; i++)
			if (o->keys[i].number == nk->number)
				ok = &o->keys[i];
		if (!ok)
			continue; /* the older report lacks this slot's columns */
		e.from = ok->last_rotated;
		e.to = nk->last_rotated;
		e.active = nk->active;
		if (!ok->exists && nk->exists) {
			e.kind = REG_EV_KEY_CREATED;
			have = 1;
		} else if (ok->exists && !nk->exists) {
			e.kind = REG_EV_KEY_DELETED;
			e.active = ok->active;
			have = 1;
		} else if (ok->exists && has_time(e.from) && has_time(e.to) &&
			   e.from.t != e.to.t) {
			e.kind = REG_EV_KEY_ROTATED;
			have = 1;
		} else if (ok->exists && both_bool(ok->active, nk->active) &&
			   ok->active.on != nk->active.on) {
			e.kind = nk->active.on ? REG_EV_KEY_ACTIVATED
					       : REG_EV_KEY_DEACTIVATED;
			have = 1;
		}
		if (have)
			st = event_add(l, e);
		if (!st && u->root && later(ok->last_used, nk->last_used)) {
			e.kind = REG_EV_ROOT_USED;
			e.from = ok->last_used;
			e.to = nk->last_used;
			e.region = nk->region;
			e.service = nk->service;
			st = event_add(l, e);
		}
	}
	return st;
}

static rp_status diff_certs(const reg_model *mb, const reg_model *ma,
			    const reg_user *o, const reg_user *u,
			    event_list *l)
{
	rp_status st = RP_OK;

	for (size_t j = 0; j < ma->ncerts && !st; j++) {
		const reg_cert *nc = &u->certs[j], *oc = NULL;
		int was_on, is_on;

		for (size_t i = 0; i < mb->ncerts; i++)
			if (o->certs[i].number == nc->number)
				oc = &o->certs[i];
		if (!oc)
			continue;
		was_on = oc->exists && oc->active.kind == RP_CELL_VALUE && oc->active.on;
		is_on = nc->exists && nc->active.kind == RP_CELL_VALUE && nc->active.on;
		if (was_on == is_on)
			continue;
		st = event_add(l, (reg_event){
			.kind = is_on ? REG_EV_CERT_ACTIVATED : REG_EV_CERT_DEACTIVATED,
			.user = u, .what = REG_EV_WHAT_CERT, .number = nc->number,
			.from = oc->last_rotated, .to = nc->last_rotated,
			.active = nc->active});
	}
	return st;
}

static rp_status diff_user(const reg_model *mb, const reg_model *ma,
			   const reg_user *o, const reg_user *u,
			   event_list *l)
{
	reg_event e = {.user = u, .what = REG_EV_WHAT_PASSWORD};
	rp_status st = RP_OK;

	if (both_bool(o->password_enabled, u->password_enabled) &&
	    o->password_enabled.on != u->password_enabled.on) {
		if (u->password_enabled.on) {
			e.kind = REG_EV_PASSWORD_ENABLED;
			e.from = o->password_last_changed;
			e.to = u->password_last_changed;
		} else {
			e.kind = REG_EV_PASSWORD_DISABLED;
			e.from = o->password_last_used;
			e.to = u->password_last_used;
		}
		st = event_add(l, e);
	}
	if (!st && both_bool(o->mfa_active, u->mfa_active) &&
	    o->mfa_active.on != u->mfa_active.on)
		st = event_add(l, (reg_event){
			.kind = u->mfa_active.on ? REG_EV_MFA_ENABLED : REG_EV_MFA_DISABLED,
			.user = u, .what = REG_EV_WHAT_USER});
	if (!st && u->root && later(o->password_last_used, u->password_last_used)) {
		e.kind = REG_EV_ROOT_USED;
		e.from = o->password_last_used;
		e.to = u->password_last_used;
		st = event_add(l, e);
	}
	if (!st)
		st = diff_keys(mb, ma, o, u, l);
	if (!st)
		st = diff_certs(mb, ma, o, u, l);
	return st;
}

static int cmp_event(const void *a, const void *b)
{
	const reg_event *x = a, *y = b;
	int c = strcmp(x->user->name, y->user->name);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->what != y->what)  /* root_used: password before keys */
		return x->what < y->what ? -1 : 1;
	return x->number < y->number ? -1 : x->number > y->number;
}

rp_status reg_changes_diff(const reg_model *before, const reg_model *after,
			   reg_changes *out)
{
	const reg_user *const *b = NULL, *const *a = NULL;
	event_list l = {0};
	size_t i = 0, j = 0;
	rp_status st;

	memset(out, 0, sizeof(*out));
	b = by_name(before, &st);
	if (!st)
		a = by_name(after, &st);
	if (st)
		goto fail;
	qsort((void *)b, before->nusers, sizeof(*b), cmp_user_ptr);
	qsort((void *)a, after->nusers, sizeof(*a), cmp_user_ptr);
	while (!st && (i < before->nusers || j < after->nusers)) {
		int c = i == before->nusers ? 1
			: j == after->nusers ? -1
			: strcmp(b[i]->name, a[j]->name);

		if (c < 0) {
			st = event_add(&l, (reg_event){.kind = REG_EV_USER_DELETED,
				       .user = b[i], .from = b[i]->created});
			i++;
		} else if (c > 0) {
			st = event_add(&l, (reg_event){.kind = REG_EV_USER_CREATED,
				       .user = a[j], .to = a[j]->created});
			j++;
		} else if (!same_user(b[i], a[j])) {
			st = event_add(&l, (reg_event){.kind = REG_EV_USER_DELETED,
				       .user = b[i], .from = b[i]->created});
			if (!st)
				st = event_add(&l, (reg_event){.kind = REG_EV_USER_CREATED,
					       .user = a[j], .to = a[j]->created});
			i++;
			j++;
		} else {
			st = diff_user(before, after, b[i], a[j], &l);
			i++;
			j++;
		}
	}
	if (st)
		goto fail;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_event);
	out->events = l.v;
	out->n = l.n;
	free((void *)b);
	free((void *)a);
	return RP_OK;
fail:
	free(l.v);
	free((void *)b);
	free((void *)a);
	return st;
}

void reg_changes_free(reg_changes *c)
{
	if (!c)
		return;
	free(c->events);
	memset(c, 0, sizeof(*c));
}

rp_status reg_recent_build(rp_instance *self, const rp_host *host,
			   const rp_dataset *ds, const reg_model *after,
			   reg_recent *r)
{
	const rp_dataset *prev;
	rp_status st;

	memset(r, 0, sizeof(*r));
	/* An engine older than the history has no ds_previous: the summary
	 * then leaves the section out rather than call past the table. */
	if (host->struct_size < offsetof(rp_host, ds_previous) + sizeof(host->ds_previous))
		return RP_OK;
	prev = host->ds_previous(self, ds);
	if (!prev) {
		r->state = REG_RECENT_FIRST;
		return RP_OK;
	}
	st = reg_model_build(self, host, prev, &after->th, &r->before);
	if (st)
		return st;
	st = reg_changes_diff(&r->before, after, &r->changes);
	if (st) {
		host->set_error(self, "out of memory comparing reports of %zu and %zu users",
				r->before.nusers, after->nusers);
		reg_recent_free(r);
		return st;
	}
	r->state = REG_RECENT_FOUND;
	r->previous_time = r->before.now;
	return RP_OK;
}

void reg_recent_free(reg_recent *r)
{
	if (!r)
		return;
	reg_changes_free(&r->changes);
	reg_model_free(&r->before);
	memset(r, 0, sizeof(*r));
}

/* ----------------------------------------------------------- detail */

/* The report's own sentinels (N/A, no_information, not_supported) stay
 * as the report writes them in both languages: they are the words the
 * attached CSV shows.  Only our own words are translated. */
static const char *time_text(char *buf, size_t n, reg_time t, int ja)
{
	switch (t.kind) {
	case RP_CELL_VALUE:
		reg_format_iso8601(buf, n, t.t);
		return buf;
	case RP_CELL_NA:
		return "N/A";
	case RP_CELL_NO_INFORMATION:
		return "no_information";
	case RP_CELL_NOT_SUPPORTED:
		return "not_supported";
	case RP_CELL_EMPTY:
		return ja ? "（空欄）" : "(empty)";
	default:
		return ja ? "（日時でない値）" : "(not a time)";
	}
}

static const char *state_text(reg_bool b, int ja)
{
	if (b.kind != RP_CELL_VALUE)
		return ja ? "状態不明" : "state unknown";
	if (ja)
		return b.on ? "有効" : "無効";
	return b.on ? "active" : "inactive";
}

/* A cut line must not end inside a character: an ARN with a long path
 * fills the buffer before the Japanese words do. */
static void trim_partial_utf8(char *buf)
{
	size_t len = strlen(buf), i = len, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80 && len - i < 3)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)buf[i - 1];
	if (lead < 0xc0)
		return;                 /* ASCII last, or stray continuation bytes */
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (i - 1) < need)
		buf[i - 1] = '\0';
}

size_t reg_event_detail(char *buf, size_t n, const reg_event *e)
{
	return reg_event_detail_lang(buf, n, e, REG_LANG_EN);
}

/* Each case prints the same arguments in the same order in both
 * languages; the formats stay literals so the compiler checks them. */
size_t reg_event_detail_lang(char *buf, size_t n, const reg_event *e,
			     reg_lang lang)
{
	int ja = lang == REG_LANG_JA;
	char f[32], t[32];
	const char *from = time_text(f, sizeof(f), e->from, ja);
	const char *to = time_text(t, sizeof(t), e->to, ja);
	unsigned num = e->number;
	int k = 0;

	switch (e->kind) {
	case REG_EV_USER_CREATED:
		k = snprintf(buf, n, ja ? "%s（作成日時 %s）" : "%s, created %s",
			     e->user->arn, to);
		break;
	case REG_EV_USER_DELETED:
		k = snprintf(buf, n, ja ? "%s（作成日時 %s）" : "%s, created %s",
			     e->user->arn, from);
		break;
	case REG_EV_PASSWORD_ENABLED:
		k = snprintf(buf, n, ja ? "パスワード最終変更日時 %s"
				       : "password last changed %s", to);
		break;
	case REG_EV_PASSWORD_DISABLED:
		k = snprintf(buf, n, ja ? "パスワード最終使用日時 %s"
				       : "password last used %s", from);
		break;
	case REG_EV_MFA_ENABLED:
		k = snprintf(buf, n, "%s", ja ? "MFA 無効 → 有効"
					      : "mfa_active false -> true");
		break;
	case REG_EV_MFA_DISABLED:
		k = snprintf(buf, n, "%s", ja ? "MFA 有効 → 無効"
					      : "mfa_active true -> false");
		break;
	case REG_EV_KEY_CREATED:
		k = snprintf(buf, n, ja ? "アクセスキー%uを作成（%s、%s）"
				       : "access key %u: created %s, %s",
			     num, to, state_text(e->active, ja));
		break;
	case REG_EV_KEY_ROTATED:
		k = snprintf(buf, n, ja ? "アクセスキー%uをローテーション（%s → %s、%s）"
				       : "access key %u: last rotated %s -> %s, %s",
			     num, from, to, state_text(e->active, ja));
		break;
	case REG_EV_KEY_ACTIVATED:
		k = snprintf(buf, n, ja ? "アクセスキー%u（最終ローテーション %s）：無効 → 有効"
				       : "access key %u (last rotated %s): inactive -> active",
			     num, to);
		break;
	case REG_EV_KEY_DEACTIVATED:
		k = snprintf(buf, n, ja ? "アクセスキー%u（最終ローテーション %s）：有効 → 無効"
				       : "access key %u (last rotated %s): active -> inactive",
			     num, to);
		break;
	case REG_EV_KEY_DELETED:
		k = snprintf(buf, n, ja ? "アクセスキー%uを削除（最終ローテーション %s、%s）"
				       : "access key %u (last rotated %s, %s): deleted",
			     num, from, state_text(e->active, ja));
		break;
	case REG_EV_CERT_ACTIVATED:
		if (!has_time(e->from))
			k = snprintf(buf, n, ja ? "署名証明書%uをアップロード（%s、有効）"
					       : "certificate %u: uploaded %s, active",
				     num, to);
		else if (has_time(e->to) && e->to.t != e->from.t)
			k = snprintf(buf, n, ja ? "署名証明書%uをローテーション（%s → %s、有効）"
					       : "certificate %u: last rotated %s -> %s, active",
				     num, from, to);
		else
			k = snprintf(buf, n, ja ? "署名証明書%u（最終ローテーション %s）：無効 → 有効"
					       : "certificate %u (last rotated %s): inactive -> active",
				     num, to);
		break;
	case REG_EV_CERT_DEACTIVATED:
		if (!has_time(e->to) && !(e->active.kind == RP_CELL_VALUE && e->active.on))
			k = snprintf(buf, n, ja ? "署名証明書%uを削除（最終ローテーション %s）"
					       : "certificate %u (last rotated %s): deleted",
				     num, from);
		else
			k = snprintf(buf, n, ja ? "署名証明書%u（最終ローテーション %s）：有効 → 無効"
					       : "certificate %u (last rotated %s): active -> inactive",
				     num, to);
		break;
	case REG_EV_ROOT_USED:
		if (e->what == REG_EV_WHAT_PASSWORD) {
			k = snprintf(buf, n, ja ? "パスワード最終使用日時 %s → %s"
					       : "password last used %s -> %s", from, to);
		} else {
			k = snprintf(buf, n, ja ? "アクセスキー%uの最終使用日時 %s → %s（%s、%s）"
					       : "access key %u last used %s -> %s (%s, %s)",
				     num, from, to,
				     e->region && *e->region ? e->region : "N/A",
				     e->service && *e->service ? e->service : "N/A");
		}
		break;
	default:
		k = snprintf(buf, n, "?");
	}
	if (k >= 0 && (size_t)k >= n && n)
		trim_partial_utf8(buf);
	return k < 0 ? 0 : (size_t)k;
}

static void summary_free(void *p)
{
	reg_summary *s = p;

	reg_recent_free(&s->recent);
	reg_model_free(&s->model);
	free(s);
}

static int host_has_cache(const rp_host *host)
{
	return host->struct_size >= offsetof(rp_host, ds_cache_put) +
				    sizeof(host->ds_cache_put);
}

rp_status reg_summary_get(rp_instance *self, const rp_host *host,
			  const rp_dataset *ds, const reg_thresholds *th,
			  const reg_summary **out)
{
	reg_summary *s;
	char key[128];
	int cache = host_has_cache(host);
	rp_status st;

	*out = NULL;
	if (!host->ds_meta(ds) || !host->run_info(self)) {
		host->set_error(self, "the engine gave no report or run metadata; this is a reportpipe bug");
		return RP_ERR_INTERNAL;
	}
	snprintf(key, sizeof(key), "register.summary/%d %zu.%zu.%zu.%zu th=%d,%d,%d",
		 REG_SUMMARY_LAYOUT, sizeof(reg_summary), sizeof(reg_user),
		 sizeof(reg_key), sizeof(reg_event), th->root_use_days,
		 th->unused_days, th->rotation_days);
	if (cache && (*out = host->ds_cache_get(self, ds, key)) != NULL)
		return RP_OK;
	s = calloc(1, sizeof(*s));
	if (!s) {
		host->set_error(self, "out of memory building the register of %zu users",
				host->ds_rows(ds));
		return RP_ERR_NOMEM;
	}
	st = reg_model_build(self, host, ds, th, &s->model);
	if (!st)
		st = reg_recent_build(self, host, ds, &s->model, &s->recent);
	if (st) {
		summary_free(s);
		return st;
	}
	/* Not stored (an older engine, no memory): the caller's alone. */
	s->owned = !cache || host->ds_cache_put(self, ds, key, s, summary_free) != RP_OK;
	*out = s;
	return RP_OK;
}

rp_status reg_summary_build(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, const reg_summary **out)
{
	reg_thresholds th;

	reg_thresholds_read(host, self, &th);
	return reg_summary_get(self, host, ds, &th, out);
}

void reg_summary_release(const reg_summary *s)
{
	if (s && s->owned)
		summary_free((void *)s);
}

const char *reg_ledger_rendered(rp_instance *self, const rp_host *host,
				const rp_dataset *ds)
{
	static const char bom[] = "\xEF\xBB\xBF", head[] = REG_LEDGER_HEADER;
	const rp_artifact *a;

	if (host->struct_size < offsetof(rp_host, ds_artifact) + sizeof(host->ds_artifact))
		return NULL;
	/* Known by its header, with or without excel's BOM and CRLF: the
	 * section may have any name, and its plugin is not ours to ask. */
	for (size_t i = 0; (a = host->ds_artifact(self, ds, i)) != NULL; i++) {
		size_t len;
		const char *d = host->artifact_data(a, &len);

		if (d && len >= 3 && memcmp(d, bom, 3) == 0) {
			d += 3;
			len -= 3;
		}
		if (d && len > sizeof(head) - 1 &&
		    memcmp(d, head, sizeof(head) - 1) == 0 &&
		    (d[sizeof(head) - 1] == '\n' || d[sizeof(head) - 1] == '\r'))
			return host->artifact_format(a);
	}
	return NULL;
}

size_t reg_changes_cut_note(char *buf, size_t n, reg_lang lang, size_t shown,
			    size_t total, const char *ledger)
{
	int k;

	if (lang == REG_LANG_JA && ledger)
		k = snprintf(buf, n, "変更 %zu 件中、最初の %zu 件のみ表示しています。全 %zu 件は変更台帳（format.%s）にあります。",
			     total, shown, total, ledger);
	else if (lang == REG_LANG_JA)
		k = snprintf(buf, n, "変更 %zu 件中、最初の %zu 件のみ表示しています。全 %zu 件は changes フォーマットの変更台帳で確認できます。",
			     total, shown, total);
	else if (ledger)
		k = snprintf(buf, n, "Only the first %zu of %zu changes are shown; all %zu are in the change ledger (format.%s).",
			     shown, total, total, ledger);
	else
		k = snprintf(buf, n, "Only the first %zu of %zu changes are shown; the changes format lists all %zu in the change ledger.",
			     shown, total, total);
	return k < 0 ? 0 : (size_t)k;
}
