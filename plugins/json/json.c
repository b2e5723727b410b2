/* json.c - formatter plugin: the register as one JSON document for SIEMs
 * and scripts: report metadata, counts, one finding per check and user,
 * the changes since the previous report, and every user with typed
 * values (booleans, RFC 3339 times, null for the report's N/A,
 * no_information and not_supported).  The schema is docs/json-schema.md;
 * change it only by adding members.
 *
 * The document depends on the report, its previous report in the history
 * and the options only, never on the clock, so the same report always
 * gives the same bytes. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "register.h"
#include "register_changes.h"

#define SCHEMA_ID "reportpipe.register/1"

static const rp_option options[] = {
	REG_THRESHOLD_OPTIONS,
	{0}
};

/* Objects are built with a sticky failure: the first refused member
 * (out of memory) marks the document failed and the rest is skipped. */
typedef struct doc {
	int failed;
} doc;

/* Both take v over, also when they fail (jansson's _new convention). */
static void set(doc *d, json_t *obj, const char *key, json_t *v)
{
	if (!obj) {
		json_decref(v);
		d->failed = 1;
	} else if (!v || json_object_set_new(obj, key, v)) {
		d->failed = 1;
	}
}

static void append(doc *d, json_t *arr, json_t *v)
{
	if (!arr) {
		json_decref(v);
		d->failed = 1;
	} else if (!v || json_array_append_new(arr, v)) {
		d->failed = 1;
	}
}

static json_t *time_value(reg_time t)
{
	struct tm tm;
	char buf[32];

	if (t.kind != RP_CELL_VALUE || !gmtime_r(&t.t, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *bool_value(reg_bool b)
{
	return b.kind == RP_CELL_VALUE ? json_boolean(b.on) : json_null();
}

/* Region and service: text, or null for the report's sentinels. */
static json_t *text_value(const char *s)
{
	if (!s || !s[0] || strcmp(s, "N/A") == 0 || strcmp(s, "no_information") == 0 ||
	    strcmp(s, "not_supported") == 0)
		return json_null();
	return json_string(s);
}

static json_t *days_value(const reg_model *m, reg_time t)
{
	return t.kind == RP_CELL_VALUE ? json_integer(reg_days_before(m, t.t))
				       : json_null();
}

static json_t *metadata(doc *d, const reg_model *m, const rp_dataset_meta *meta,
			const rp_run_info *run)
{
	json_t *o = json_object(), *th = json_object();
	reg_time gen = {RP_CELL_VALUE, m->now};

	set(d, o, "pipeline", json_string(run->pipeline ? run->pipeline : ""));
	set(d, o, "source", json_string(meta->source ? meta->source : ""));
	set(d, o, "account_id", json_string(meta->account_id ? meta->account_id : ""));
	set(d, o, "partition", json_string(meta->partition ? meta->partition : ""));
	set(d, o, "generated_time", time_value(gen));
	set(d, o, "timezone", json_string(run->timezone ? run->timezone : "UTC"));
	set(d, th, "root_use_days", json_integer(m->th.root_use_days));
	set(d, th, "unused_days", json_integer(m->th.unused_days));
	set(d, th, "rotation_days", json_integer(m->th.rotation_days));
	set(d, o, "thresholds", th);
	return o;
}

static json_t *counts(doc *d, const reg_model *m)
{
	const reg_counts *c = &m->counts;
	json_t *o = json_object(), *f = json_object();

	set(d, o, "users", json_integer((json_int_t)c->users));
	set(d, o, "console_users", json_integer((json_int_t)c->console_users));
	set(d, o, "console_users_with_mfa", json_integer((json_int_t)c->console_users_mfa));
	set(d, o, "mfa_coverage_percent", c->console_users ?
	    json_integer((json_int_t)(c->console_users_mfa * 100 / c->console_users)) :
	    json_null());
	set(d, o, "active_access_keys", json_integer((json_int_t)c->active_keys));
	set(d, o, "root_user_present", json_boolean(c->root_present));
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++)
		set(d, f, reg_severity_id(s), json_integer((json_int_t)c->findings[s]));
	set(d, o, "findings", f);
	return o;
}

static json_t *credential(doc *d, const reg_hit *h)
{
	static const char *const type[] = {
		[REG_CRED_USER] = "user", [REG_CRED_PASSWORD] = "password",
		[REG_CRED_KEY] = "access_key", [REG_CRED_CERT] = "certificate",
	};
	json_t *o = json_object();

	set(d, o, "type", json_string(type[h->credential]));
	set(d, o, "number", h->credential == REG_CRED_KEY || h->credential == REG_CRED_CERT ?
	    json_integer(h->number) : json_null());
	set(d, o, "days", h->days >= 0 ? json_integer(h->days) : json_null());
	set(d, o, "never_used", json_boolean(h->never_used));
	return o;
}

/* The events since the previous report, as the `changes` formatter
 * lists them; null when the engine keeps no history. */
static json_t *changes(doc *d, const reg_recent *r)
{
	json_t *o, *events;
	reg_time prev = {RP_CELL_VALUE, r->previous_time};

	if (r->state == REG_RECENT_UNAVAILABLE)
		return json_null();
	o = json_object();
	events = json_array();
	set(d, o, "previous_generated_time",
	    r->state == REG_RECENT_FOUND ? time_value(prev) : json_null());
	for (size_t i = 0; i < r->changes.n && !d->failed; i++) {
		const reg_event *e = &r->changes.events[i];
		json_t *eo = json_object();
		char detail[512];

		reg_event_detail(detail, sizeof(detail), e);
		set(d, eo, "user", json_string(e->user->name));
		set(d, eo, "event", json_string(reg_event_name(e->kind)));
		set(d, eo, "detail", json_string(detail));
		append(d, events, eo);
	}
	set(d, o, "events", events);
	return o;
}

/* One finding per check and user, its credentials inside. */
static json_t *findings(doc *d, const reg_model *m)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < m->nhits && !d->failed;) {
		const reg_hit *h = &m->hits[i];
		const reg_check_info *ci = reg_check_get(h->check);
		const reg_user *u = &m->users[h->user];
		json_t *o = json_object(), *creds = json_array();
		char title[256];

		reg_check_title(title, sizeof(title), h->check, REG_LANG_EN, &m->th);
		set(d, o, "check", json_string(ci->id));
		set(d, o, "cis", ci->cis ? json_string(ci->cis) : json_null());
		set(d, o, "severity", json_string(reg_severity_id(ci->severity)));
		set(d, o, "title", json_string(title));
		set(d, o, "user", json_string(u->name));
		set(d, o, "arn", json_string(u->arn));
		for (; i < m->nhits && m->hits[i].check == h->check &&
		       m->hits[i].user == h->user; i++)
			if (m->hits[i].credential != REG_CRED_USER)
				append(d, creds, credential(d, &m->hits[i]));
		set(d, o, "credentials", creds);
		append(d, arr, o);
	}
	return arr;
}

static json_t *user(doc *d, const reg_model *m, const reg_user *u)
{
	json_t *o = json_object(), *keys = json_array(), *certs = json_array(),
	       *checks = json_array();

	set(d, o, "user", json_string(u->name));
	set(d, o, "arn", json_string(u->arn));
	set(d, o, "root", json_boolean(u->root));
	set(d, o, "user_creation_time", time_value(u->created));
	set(d, o, "password_enabled", bool_value(u->password_enabled));
	set(d, o, "password_last_used", time_value(u->password_last_used));
	set(d, o, "password_last_changed", time_value(u->password_last_changed));
	set(d, o, "password_next_rotation", time_value(u->password_next_rotation));
	set(d, o, "mfa_active", bool_value(u->mfa_active));
	for (size_t k = 0; k < m->nkeys; k++) {
		const reg_key *key = &u->keys[k];
		json_t *ko = json_object();

		set(d, ko, "number", json_integer(key->number));
		set(d, ko, "exists", json_boolean(key->exists));
		set(d, ko, "active", bool_value(key->active));
		set(d, ko, "last_rotated", time_value(key->last_rotated));
		set(d, ko, "age_days", days_value(m, key->last_rotated));
		set(d, ko, "last_used_date", time_value(key->last_used));
		set(d, ko, "last_used_region", text_value(key->region));
		set(d, ko, "last_used_service", text_value(key->service));
		append(d, keys, ko);
	}
	set(d, o, "access_keys", keys);
	for (size_t k = 0; k < m->ncerts; k++) {
		const reg_cert *cert = &u->certs[k];
		json_t *co = json_object();

		set(d, co, "number", json_integer(cert->number));
		set(d, co, "exists", json_boolean(cert->exists));
		set(d, co, "active", bool_value(cert->active));
		set(d, co, "last_rotated", time_value(cert->last_rotated));
		append(d, certs, co);
	}
	set(d, o, "certificates", certs);
	for (reg_check c = 0; c < REG_CHECK_COUNT; c++)
		if (u->checks & (1u << c))
			append(d, checks, json_string(reg_check_get(c)->id));
	set(d, o, "findings", checks);
	return o;
}

static rp_status json_render(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *meta = host->ds_meta(ds);
	const rp_run_info *run = host->run_info(self);
	reg_model m;
	reg_recent r;
	doc d = {0};
	json_t *root, *users;
	char *text = NULL;
	rp_status st;

	st = reg_summary_build(self, host, ds, &m, &r);
	if (st)
		return st;
	root = json_object();
	users = json_array();
	set(&d, root, "schema", json_string(SCHEMA_ID));
	set(&d, root, "metadata", metadata(&d, &m, meta, run));
	set(&d, root, "counts", counts(&d, &m));
	set(&d, root, "changes", changes(&d, &r));
	set(&d, root, "findings", findings(&d, &m));
	for (size_t i = 0; i < m.nusers && !d.failed; i++)
		append(&d, users, user(&d, &m, &m.users[i]));
	set(&d, root, "users", users);
	if (!d.failed)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	reg_summary_free(&m, &r);
	if (!text) {
		host->set_error(self, "out of memory building the JSON document");
		return RP_ERR_NOMEM;
	}
	st = host->artifact_append(out, text, strlen(text));
	if (!st)
		st = host->artifact_append(out, "\n", 1);
	free(text);
	return st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "json",
	.description = "the register as one JSON document: metadata, counts, CIS findings, typed users",
	.options = options,
	.media_type = "application/json",
	.extension = "json",
	.render = json_render,
};
