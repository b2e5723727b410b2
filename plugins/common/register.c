/* register.c - the typed model of a credential report and its findings
 * against the CIS AWS Foundations Benchmark v3.0 (section 1, IAM).
 *
 * Key and certificate columns are found by their header names
 * (access_key_N_*, cert_N_*), never by position: AWS has added columns
 * before and a report may be trimmed. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "register.h"

#define DAY_SECONDS 86400L

static const reg_check_info checks[REG_CHECK_COUNT] = {
	[REG_CHECK_ROOT_NO_MFA] = {
		"root_mfa_missing", "1.5", REG_SEV_CRITICAL,
		{"Root user without MFA",
		 "ルートユーザーの MFA が無効"}},
	[REG_CHECK_ROOT_KEYS] = {
		"root_access_key_active", "1.4", REG_SEV_CRITICAL,
		{"Root user has an active access key",
		 "ルートユーザーに有効なアクセスキーがある"}},
	[REG_CHECK_ROOT_USED] = {
		"root_recently_used", "1.7", REG_SEV_HIGH,
		{"Root user used in the last {N} days",
		 "ルートユーザーが過去{N}日以内に使用された"}},
	[REG_CHECK_CONSOLE_NO_MFA] = {
		"console_mfa_missing", "1.10", REG_SEV_HIGH,
		{"Console user without MFA",
		 "MFA が無効なコンソールユーザー"}},
	[REG_CHECK_UNUSED] = {
		"credential_unused", "1.12", REG_SEV_MEDIUM,
		{"Password or access key unused for {N} days or more",
		 "{N}日以上使われていないパスワードまたはアクセスキー"}},
	[REG_CHECK_ROTATION] = {
		"access_key_not_rotated", "1.14", REG_SEV_MEDIUM,
		{"Access key older than {N} days",
		 "作成から{N}日を超えたアクセスキー"}},
	[REG_CHECK_MULTIPLE_KEYS] = {
		"multiple_active_access_keys", "1.13", REG_SEV_LOW,
		{"More than one active access key",
		 "有効なアクセスキーが複数ある"}},
	[REG_CHECK_KEY_AT_SETUP] = {
		"access_key_unused_since_setup", "1.11", REG_SEV_LOW,
		{"Access key created with the user and never used",
		 "ユーザー作成時に作られ一度も使われていないアクセスキー"}},
	[REG_CHECK_SIGNING_CERT] = {
		"signing_certificate_active", NULL, REG_SEV_INFO,
		{"Active signing certificate",
		 "有効な署名証明書"}},
};

const reg_check_info *reg_check_get(reg_check c)
{
	return c < REG_CHECK_COUNT ? &checks[c] : NULL;
}

int reg_check_is_root(reg_check c)
{
	return c == REG_CHECK_ROOT_NO_MFA || c == REG_CHECK_ROOT_KEYS ||
	       c == REG_CHECK_ROOT_USED;
}

int reg_check_threshold(reg_check c, const reg_thresholds *th)
{
	switch (c) {
	case REG_CHECK_ROOT_USED:
		return th->root_use_days;
	case REG_CHECK_UNUSED:
		return th->unused_days;
	case REG_CHECK_ROTATION:
		return th->rotation_days;
	default:
		return -1;
	}
}

void reg_thresholds_read(const rp_host *host, const rp_instance *self,
			 reg_thresholds *th)
{
	th->root_use_days = (int)host->opt_int(self, "root_use_days");
	th->unused_days = (int)host->opt_int(self, "unused_days");
	th->rotation_days = (int)host->opt_int(self, "rotation_days");
}

static long long seconds_before(time_t now, time_t t)
{
	return now > t ? (long long)now - (long long)t : 0;
}

long reg_days_before(const reg_model *m, time_t t)
{
	return (long)(seconds_before(m->now, t) / DAY_SECONDS);
}

/* ------------------------------------------------------------ columns */

enum { KEY_ACTIVE, KEY_ROTATED, KEY_USED, KEY_REGION, KEY_SERVICE, KEY_NCOLS };
enum { CERT_ACTIVE, CERT_ROTATED, CERT_NCOLS };

static const char *const key_suffix[KEY_NCOLS] = {
	"active", "last_rotated", "last_used_date", "last_used_region",
	"last_used_service"
};
static const char *const cert_suffix[CERT_NCOLS] = {"active", "last_rotated"};

/* One numbered credential family's columns: slot i is number nums[i]. */
typedef struct slots {
	size_t n;
	unsigned *nums;
	long *cols;  /* n * ncols, -1 when absent */
} slots;

/* "access_key_12_active" with prefix "access_key_": 12 and the suffix. */
static int numbered_column(const char *name, const char *prefix,
			   unsigned *num, const char **suffix)
{
	size_t pl = strlen(prefix);
	unsigned long v = 0;
	const char *p;

	if (strncmp(name, prefix, pl) != 0)
		return 0;
	p = name + pl;
	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 1000)
			return 0;
		p++;
	}
	if (*p != '_')
		return 0;
	*num = (unsigned)v;
	*suffix = p + 1;
	return 1;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static rp_status slots_find(const rp_host *host, const rp_dataset *ds,
			    const char *prefix, const char *const *suffixes,
			    size_t ncols, slots *s)
{
	size_t cols = host->ds_columns(ds);
	unsigned num;
	const char *suffix;

	memset(s, 0, sizeof(*s));
	s->nums = malloc((cols ? cols : 1) * sizeof(*s->nums));
	if (!s->nums)
		return RP_ERR_NOMEM;
	for (size_t c = 0; c < cols; c++) {
		size_t i;

		if (!numbered_column(host->ds_column_name(ds, c), prefix, &num, &suffix))
			continue;
		for (i = 0; i < ncols && strcmp(suffix, suffixes[i]) != 0; i++)
			;
		if (i == ncols)
			continue;
		for (i = 0; i < s->n && s->nums[i] != num; i++)
			;
		if (i == s->n)
			s->nums[s->n++] = num;
	}
	qsort(s->nums, s->n, sizeof(*s->nums), cmp_unsigned);
	s->cols = malloc((s->n ? s->n : 1) * ncols * sizeof(*s->cols));
	if (!s->cols)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < ncols; k++) {
			char name[64];

			snprintf(name, sizeof(name), "%s%u_%s", prefix, s->nums[i],
				 suffixes[k]);
			s->cols[i * ncols + k] = host->ds_column_index(ds, name);
		}
	return RP_OK;
}

static void slots_free(slots *s)
{
	free(s->nums);
	free(s->cols);
}

/* -------------------------------------------------------------- cells */

static reg_time cell_time(const rp_host *host, const rp_dataset *ds,
			  size_t row, long col)
{
	reg_time v = {RP_CELL_EMPTY, 0};

	if (col >= 0)
		v.kind = host->ds_cell_time(ds, row, (size_t)col, &v.t);
	return v;
}

static reg_bool cell_bool(const rp_host *host, const rp_dataset *ds,
			  size_t row, long col)
{
	reg_bool v = {RP_CELL_EMPTY, 0};

	if (col >= 0)
		v.kind = host->ds_cell_bool(ds, row, (size_t)col, &v.on);
	return v;
}

static const char *cell_text(const rp_host *host, const rp_dataset *ds,
			     size_t row, long col)
{
	const char *s = col >= 0 ? host->ds_cell(ds, row, (size_t)col) : NULL;

	return s ? s : "";
}

static int is_true(reg_bool b)
{
	return b.kind == RP_CELL_VALUE && b.on;
}

static int is_false(reg_bool b)
{
	return b.kind == RP_CELL_VALUE && !b.on;
}

static int has_time(reg_time t)
{
	return t.kind == RP_CELL_VALUE;
}

/* --------------------------------------------------------------- hits */

typedef struct hit_list {
	reg_hit *v;
	size_t n, cap;
} hit_list;

static rp_status hit_add(hit_list *l, reg_check c, size_t user,
			 reg_credential cred, unsigned number, long days,
			 int never_used)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		reg_hit *g = realloc(l->v, cap * sizeof(*g));

		if (!g)
			return RP_ERR_NOMEM;
		l->v = g;
		l->cap = cap;
	}
	l->v[l->n++] = (reg_hit){c, user, cred, number, days, never_used};
	return RP_OK;
}

/* Hits are made user by user; the summaries list them check by check.
 * Within a check, users keep report order and credentials their order
 * (the sort is stable because user and credential decide every tie). */
static int cmp_hit(const void *a, const void *b)
{
	const reg_hit *x = a, *y = b;

	if (x->check != y->check)
		return x->check < y->check ? -1 : 1;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->credential != y->credential)
		return x->credential < y->credential ? -1 : 1;
	return x->number < y->number ? -1 : x->number > y->number;
}

/* The hits in cmp_hit's order.  They are made user by user and, within a
 * user, credential by credential, so a stable bucket pass by check is
 * usually all it takes; if a check ever adds its hits out of that order,
 * the pass shows it and the list is sorted after all. */
static rp_status sort_hits(hit_list *l)
{
	size_t start[REG_CHECK_COUNT + 1] = {0};
	reg_hit *v;

	for (size_t i = 0; i < l->n; i++)
		start[l->v[i].check + 1]++;
	for (size_t c = 1; c <= REG_CHECK_COUNT; c++)
		start[c] += start[c - 1];
	v = malloc((l->n ? l->n : 1) * sizeof(*v));
	if (!v)
		return RP_ERR_NOMEM;
	for (size_t i = 0; i < l->n; i++)
		v[start[l->v[i].check]++] = l->v[i];
	free(l->v);
	l->v = v;
	l->cap = l->n ? l->n : 1;
	for (size_t i = 1; i < l->n; i++)
		if (cmp_hit(&v[i - 1], &v[i]) > 0) {
			qsort(v, l->n, sizeof(*v), cmp_hit);
			break;
		}
	return RP_OK;
}

/* CIS 1.12: a used credential counts from its last use; one never used
 * from when it was set (password) or created (key), else the user. */
static rp_status check_unused(const reg_model *m, hit_list *l, size_t ui,
			      reg_credential cred, unsigned number,
			      reg_time last_used, reg_time set)
{
	long long limit = (long long)m->th.unused_days * DAY_SECONDS;
	const reg_user *u = &m->users[ui];
	reg_time from = has_time(set) ? set : u->created;

	if (has_time(last_used)) {
		if (seconds_before(m->now, last_used.t) >= limit)
			return hit_add(l, REG_CHECK_UNUSED, ui, cred, number,
				       reg_days_before(m, last_used.t), 0);
		return RP_OK;
	}
	if (last_used.kind != RP_CELL_NA && last_used.kind != RP_CELL_NO_INFORMATION)
		return RP_OK; /* unknown: no claim either way */
	if (has_time(from) && seconds_before(m->now, from.t) >= limit)
		return hit_add(l, REG_CHECK_UNUSED, ui, cred, number,
			       reg_days_before(m, from.t), 1);
	return RP_OK;
}

static rp_status check_root(const reg_model *m, hit_list *l, size_t ui)
{
	long long recent = (long long)m->th.root_use_days * DAY_SECONDS;
	const reg_user *u = &m->users[ui];
	rp_status st = RP_OK;

	if (is_false(u->mfa_active))
		st = hit_add(l, REG_CHECK_ROOT_NO_MFA, ui, REG_CRED_USER, 0, -1, 0);
	for (size_t k = 0; k < m->nkeys && !st; k++)
		if (is_true(u->keys[k].active))
			st = hit_add(l, REG_CHECK_ROOT_KEYS, ui, REG_CRED_KEY,
				     u->keys[k].number,
				     has_time(u->keys[k].last_rotated) ?
				     reg_days_before(m, u->keys[k].last_rotated.t) : -1, 0);
	if (!st && has_time(u->password_last_used) &&
	    seconds_before(m->now, u->password_last_used.t) <= recent)
		st = hit_add(l, REG_CHECK_ROOT_USED, ui, REG_CRED_PASSWORD, 0,
			     reg_days_before(m, u->password_last_used.t), 0);
	for (size_t k = 0; k < m->nkeys && !st; k++)
		if (has_time(u->keys[k].last_used) &&
		    seconds_before(m->now, u->keys[k].last_used.t) <= recent)
			st = hit_add(l, REG_CHECK_ROOT_USED, ui, REG_CRED_KEY,
				     u->keys[k].number,
				     reg_days_before(m, u->keys[k].last_used.t), 0);
	return st;
}

static rp_status check_user(const reg_model *m, hit_list *l, size_t ui)
{
	long long rotation = (long long)m->th.rotation_days * DAY_SECONDS;
	const reg_user *u = &m->users[ui];
	size_t active = 0;
	rp_status st = RP_OK;

	if (is_true(u->password_enabled) && is_false(u->mfa_active))
		st = hit_add(l, REG_CHECK_CONSOLE_NO_MFA, ui, REG_CRED_USER, 0, -1, 0);
	if (!st && is_true(u->password_enabled))
		st = check_unused(m, l, ui, REG_CRED_PASSWORD, 0,
				  u->password_last_used, u->password_last_changed);
	for (size_t k = 0; k < m->nkeys && !st; k++) {
		const reg_key *key = &u->keys[k];

		if (!is_true(key->active))
			continue;
		active++;
		st = check_unused(m, l, ui, REG_CRED_KEY, key->number,
				  key->last_used, key->last_rotated);
		if (!st && has_time(key->last_rotated) &&
		    seconds_before(m->now, key->last_rotated.t) > rotation)
			st = hit_add(l, REG_CHECK_ROTATION, ui, REG_CRED_KEY,
				     key->number,
				     reg_days_before(m, key->last_rotated.t), 0);
		if (!st && key->last_used.kind == RP_CELL_NA &&
		    has_time(key->last_rotated) && has_time(u->created) &&
		    key->last_rotated.t >= u->created.t &&
		    key->last_rotated.t - u->created.t <= REG_SETUP_WINDOW_SECONDS)
			st = hit_add(l, REG_CHECK_KEY_AT_SETUP, ui, REG_CRED_KEY,
				     key->number,
				     reg_days_before(m, key->last_rotated.t), 0);
	}
	for (size_t k = 0; k < m->nkeys && !st && active > 1; k++)
		if (is_true(u->keys[k].active))
			st = hit_add(l, REG_CHECK_MULTIPLE_KEYS, ui, REG_CRED_KEY,
				     u->keys[k].number, -1, 0);
	return st;
}

static rp_status check_certs(const reg_model *m, hit_list *l, size_t ui)
{
	const reg_user *u = &m->users[ui];
	rp_status st = RP_OK;

	for (size_t k = 0; k < m->ncerts && !st; k++)
		if (is_true(u->certs[k].active))
			st = hit_add(l, REG_CHECK_SIGNING_CERT, ui, REG_CRED_CERT,
				     u->certs[k].number,
				     has_time(u->certs[k].last_rotated) ?
				     reg_days_before(m, u->certs[k].last_rotated.t) : -1, 0);
	return st;
}

/* ------------------------------------------------------------ model */

static void read_user(const rp_host *host, const rp_dataset *ds, size_t row,
		      const long *col, const slots *ks, const slots *cs,
		      reg_user *u)
{
	u->row = row;
	u->name = cell_text(host, ds, row, col[0]);
	u->arn = cell_text(host, ds, row, col[1]);
	u->root = host->ds_row_is_root(ds, row);
	u->created = cell_time(host, ds, row, col[2]);
	u->password_enabled = cell_bool(host, ds, row, col[3]);
	u->password_last_used = cell_time(host, ds, row, col[4]);
	u->password_last_changed = cell_time(host, ds, row, col[5]);
	u->password_next_rotation = cell_time(host, ds, row, col[6]);
	u->mfa_active = cell_bool(host, ds, row, col[7]);
	for (size_t k = 0; k < ks->n; k++) {
		const long *kc = &ks->cols[k * KEY_NCOLS];
		reg_key *key = &u->keys[k];

		key->number = ks->nums[k];
		key->active = cell_bool(host, ds, row, kc[KEY_ACTIVE]);
		key->last_rotated = cell_time(host, ds, row, kc[KEY_ROTATED]);
		key->last_used = cell_time(host, ds, row, kc[KEY_USED]);
		key->region = cell_text(host, ds, row, kc[KEY_REGION]);
		key->service = cell_text(host, ds, row, kc[KEY_SERVICE]);
		key->exists = is_true(key->active) || has_time(key->last_rotated);
	}
	for (size_t k = 0; k < cs->n; k++) {
		const long *cc = &cs->cols[k * CERT_NCOLS];
		reg_cert *cert = &u->certs[k];

		cert->number = cs->nums[k];
		cert->active = cell_bool(host, ds, row, cc[CERT_ACTIVE]);
		cert->last_rotated = cell_time(host, ds, row, cc[CERT_ROTATED]);
		cert->exists = is_true(cert->active) || has_time(cert->last_rotated);
	}
}

static void count(reg_model *m)
{
	reg_counts *c = &m->counts;

	for (size_t i = 0; i < m->nusers; i++) {
		const reg_user *u = &m->users[i];

		c->root_present |= u->root;
		if (!u->root) {
			c->users++;
			if (is_true(u->password_enabled)) {
				c->console_users++;
				c->console_users_mfa += is_true(u->mfa_active);
			}
		}
		for (size_t k = 0; k < m->nkeys; k++)
			c->active_keys += is_true(u->keys[k].active);
	}
	for (size_t h = 0; h < m->nhits; h++) {
		const reg_hit *x = &m->hits[h];
		reg_user *u = &m->users[x->user];

		if (u->checks & (1u << x->check))
			continue; /* this user already counted for the check */
		u->checks |= 1u << x->check;
		c->checks_users[x->check]++;
		c->findings[checks[x->check].severity]++;
	}
}

static const char *const base_columns[8] = {
	"user", "arn", "user_creation_time", "password_enabled",
	"password_last_used", "password_last_changed", "password_next_rotation",
	"mfa_active"
};

rp_status reg_model_build(rp_instance *self, const rp_host *host,
			  const rp_dataset *ds, const reg_thresholds *th,
			  reg_model *m)
{
	const rp_dataset_meta *meta = host->ds_meta(ds);
	slots ks = {0}, cs = {0};
	hit_list hits = {0};
	long col[8];
	rp_status st;

	memset(m, 0, sizeof(*m));
	m->th = *th;
	m->now = meta ? meta->generated_time : 0;
	for (size_t i = 0; i < 8; i++)
		col[i] = host->ds_column_index(ds, base_columns[i]);
	if (col[0] < 0) {
		host->set_error(self,
				"the dataset has no 'user' column, so it is not an IAM credential report (its first column is '%s')",
				host->ds_columns(ds) ? host->ds_column_name(ds, 0) : "");
		return RP_ERR_PARSE;
	}
	st = slots_find(host, ds, "access_key_", key_suffix, KEY_NCOLS, &ks);
	if (!st)
		st = slots_find(host, ds, "cert_", cert_suffix, CERT_NCOLS, &cs);
	if (st)
		goto fail;
	m->nusers = host->ds_rows(ds);
	m->nkeys = ks.n;
	m->ncerts = cs.n;
	m->users = calloc(m->nusers ? m->nusers : 1, sizeof(*m->users));
	m->key_block = calloc(m->nusers * ks.n + 1, sizeof(*m->key_block));
	m->cert_block = calloc(m->nusers * cs.n + 1, sizeof(*m->cert_block));
	if (!m->users || !m->key_block || !m->cert_block) {
		st = RP_ERR_NOMEM;
		goto fail;
	}
	for (size_t r = 0; r < m->nusers; r++) {
		m->users[r].keys = m->key_block + r * ks.n;
		m->users[r].certs = m->cert_block + r * cs.n;
		read_user(host, ds, r, col, &ks, &cs, &m->users[r]);
	}
	for (size_t r = 0; r < m->nusers && !st; r++) {
		st = m->users[r].root ? check_root(m, &hits, r)
				      : check_user(m, &hits, r);
		if (!st)
			st = check_certs(m, &hits, r);
	}
	if (!st)
		st = sort_hits(&hits);
	if (st)
		goto fail;
	m->hits = hits.v;
	m->nhits = hits.n;
	hits.v = NULL;
	count(m);
	m->key_numbers = ks.nums;
	m->cert_numbers = cs.nums;
	free(ks.cols);
	free(cs.cols);
	return RP_OK;
fail:
	if (st == RP_ERR_NOMEM)
		host->set_error(self, "out of memory building the register of %zu users",
				host->ds_rows(ds));
	free(hits.v);
	slots_free(&ks);
	slots_free(&cs);
	reg_model_free(m);
	return st;
}

void reg_model_free(reg_model *m)
{
	if (!m)
		return;
	free(m->users);
	free(m->key_block);
	free(m->cert_block);
	free(m->hits);
	free(m->key_numbers);
	free(m->cert_numbers);
	memset(m, 0, sizeof(*m));
}

void reg_counts_add(reg_counts *sum, const reg_counts *c)
{
	sum->users += c->users;
	sum->console_users += c->console_users;
	sum->console_users_mfa += c->console_users_mfa;
	sum->active_keys += c->active_keys;
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++)
		sum->findings[s] += c->findings[s];
}
