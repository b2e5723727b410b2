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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "json_writer.h"
#include "register.h"
#include "register_changes.h"

#define SCHEMA_ID "reportpipe.register/1"

static const rp_option options[] = {
	REG_THRESHOLD_OPTIONS,
	{0}
};

/* The document is written member by member straight into the artifact
 * (json_writer.h), never held as a jansson tree: for 5,000 users the tree
 * had 200,000 values and its text 11 MB (issue #7). */

/* RFC 3339 in UTC; null for no time, or one gmtime_r cannot break down.
 * Digits and punctuation only: no escaping to look for. */
static void time_value(jw *w, reg_time t)
{
	char buf[32];
	size_t n;

	if (t.kind != RP_CELL_VALUE ||
	    (n = reg_format_iso8601(buf, sizeof(buf), t.t)) == 0) {
		jw_null(w);
		return;
	}
	jw_string_plain(w, buf, n);
}

static void bool_value(jw *w, reg_bool b)
{
	if (b.kind == RP_CELL_VALUE)
		jw_bool(w, b.on);
	else
		jw_null(w);
}

/* Region and service: text, or null for the report's sentinels. */
static void text_value(jw *w, const char *s)
{
	if (!s || !s[0] || strcmp(s, "N/A") == 0 || strcmp(s, "no_information") == 0 ||
	    strcmp(s, "not_supported") == 0)
		jw_null(w);
	else
		jw_string(w, s);
}

static void days_value(jw *w, const reg_model *m, reg_time t)
{
	if (t.kind == RP_CELL_VALUE)
		jw_integer(w, reg_days_before(m, t.t));
	else
		jw_null(w);
}

static void metadata(jw *w, const reg_model *m, const rp_dataset_meta *meta,
		     const rp_run_info *run)
{
	reg_time gen = {RP_CELL_VALUE, m->now};

	jw_begin_object(w);
	JW_KEY(w, "pipeline");
	jw_string(w, run->pipeline ? run->pipeline : "");
	JW_KEY(w, "source");
	jw_string(w, meta->source ? meta->source : "");
	JW_KEY(w, "account_id");
	jw_string(w, meta->account_id ? meta->account_id : "");
	JW_KEY(w, "partition");
	jw_string(w, meta->partition ? meta->partition : "");
	JW_KEY(w, "generated_time");
	time_value(w, gen);
	JW_KEY(w, "timezone");
	jw_string(w, run->timezone ? run->timezone : "UTC");
	JW_KEY(w, "thresholds");
	jw_begin_object(w);
	JW_KEY(w, "root_use_days");
	jw_integer(w, m->th.root_use_days);
	JW_KEY(w, "unused_days");
	jw_integer(w, m->th.unused_days);
	JW_KEY(w, "rotation_days");
	jw_integer(w, m->th.rotation_days);
	jw_end_object(w);
	jw_end_object(w);
}

static void counts(jw *w, const reg_model *m)
{
	const reg_counts *c = &m->counts;

	jw_begin_object(w);
	JW_KEY(w, "users");
	jw_integer(w, (long long)c->users);
	JW_KEY(w, "console_users");
	jw_integer(w, (long long)c->console_users);
	JW_KEY(w, "console_users_with_mfa");
	jw_integer(w, (long long)c->console_users_mfa);
	JW_KEY(w, "mfa_coverage_percent");
	if (c->console_users)
		jw_integer(w, (long long)(c->console_users_mfa * 100 / c->console_users));
	else
		jw_null(w);
	JW_KEY(w, "active_access_keys");
	jw_integer(w, (long long)c->active_keys);
	JW_KEY(w, "root_user_present");
	jw_bool(w, c->root_present);
	JW_KEY(w, "findings");
	jw_begin_object(w);
	for (reg_severity s = 0; s < REG_SEV_COUNT; s++) {
		jw_key(w, reg_severity_id(s));
		jw_integer(w, (long long)c->findings[s]);
	}
	jw_end_object(w);
	jw_end_object(w);
}

static void credential(jw *w, const reg_hit *h)
{
	static const char *const type[] = {
		[REG_CRED_USER] = "user", [REG_CRED_PASSWORD] = "password",
		[REG_CRED_KEY] = "access_key", [REG_CRED_CERT] = "certificate",
	};

	jw_begin_object(w);
	JW_KEY(w, "type");
	jw_string(w, type[h->credential]);
	JW_KEY(w, "number");
	if (h->credential == REG_CRED_KEY || h->credential == REG_CRED_CERT)
		jw_integer(w, h->number);
	else
		jw_null(w);
	JW_KEY(w, "days");
	if (h->days >= 0)
		jw_integer(w, h->days);
	else
		jw_null(w);
	JW_KEY(w, "never_used");
	jw_bool(w, h->never_used);
	jw_end_object(w);
}

/* The events since the previous report, as the `changes` formatter
 * lists them; null when the engine keeps no history. */
static void changes(jw *w, const reg_recent *r)
{
	reg_time prev = {RP_CELL_VALUE, r->previous_time};

	if (r->state == REG_RECENT_UNAVAILABLE) {
		jw_null(w);
		return;
	}
	jw_begin_object(w);
	JW_KEY(w, "previous_generated_time");
	if (r->state == REG_RECENT_FOUND)
		time_value(w, prev);
	else
		jw_null(w);
	JW_KEY(w, "events");
	jw_begin_array(w);
	for (size_t i = 0; i < r->changes.n && !w->st; i++) {
		const reg_event *e = &r->changes.events[i];
		char detail[512];

		reg_event_detail(detail, sizeof(detail), e);
		jw_begin_object(w);
		JW_KEY(w, "user");
		jw_string(w, e->user->name);
		JW_KEY(w, "event");
		jw_string(w, reg_event_name(e->kind));
		JW_KEY(w, "detail");
		jw_string(w, detail);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

/* One finding per check and user, its credentials inside. */
static void findings(jw *w, const reg_model *m)
{
	jw_begin_array(w);
	for (size_t i = 0; i < m->nhits && !w->st;) {
		const reg_hit *h = &m->hits[i];
		const reg_check_info *ci = reg_check_get(h->check);
		const reg_user *u = &m->users[h->user];
		char title[256];

		reg_check_title(title, sizeof(title), h->check, REG_LANG_EN, &m->th);
		jw_begin_object(w);
		JW_KEY(w, "check");
		jw_string(w, ci->id);
		JW_KEY(w, "cis");
		if (ci->cis)
			jw_string(w, ci->cis);
		else
			jw_null(w);
		JW_KEY(w, "severity");
		jw_string(w, reg_severity_id(ci->severity));
		JW_KEY(w, "title");
		jw_string(w, title);
		JW_KEY(w, "user");
		jw_string(w, u->name);
		JW_KEY(w, "arn");
		jw_string(w, u->arn);
		JW_KEY(w, "credentials");
		jw_begin_array(w);
		for (; i < m->nhits && m->hits[i].check == h->check &&
		       m->hits[i].user == h->user; i++)
			if (m->hits[i].credential != REG_CRED_USER)
				credential(w, &m->hits[i]);
		jw_end_array(w);
		jw_end_object(w);
	}
	jw_end_array(w);
}

static void user(jw *w, const reg_model *m, const reg_user *u)
{
	jw_begin_object(w);
	JW_KEY(w, "user");
	jw_string(w, u->name);
	JW_KEY(w, "arn");
	jw_string(w, u->arn);
	JW_KEY(w, "root");
	jw_bool(w, u->root);
	JW_KEY(w, "user_creation_time");
	time_value(w, u->created);
	JW_KEY(w, "password_enabled");
	bool_value(w, u->password_enabled);
	JW_KEY(w, "password_last_used");
	time_value(w, u->password_last_used);
	JW_KEY(w, "password_last_changed");
	time_value(w, u->password_last_changed);
	JW_KEY(w, "password_next_rotation");
	time_value(w, u->password_next_rotation);
	JW_KEY(w, "mfa_active");
	bool_value(w, u->mfa_active);
	JW_KEY(w, "access_keys");
	jw_begin_array(w);
	for (size_t k = 0; k < m->nkeys; k++) {
		const reg_key *key = &u->keys[k];

		jw_begin_object(w);
		JW_KEY(w, "number");
		jw_integer(w, key->number);
		JW_KEY(w, "exists");
		jw_bool(w, key->exists);
		JW_KEY(w, "active");
		bool_value(w, key->active);
		JW_KEY(w, "last_rotated");
		time_value(w, key->last_rotated);
		JW_KEY(w, "age_days");
		days_value(w, m, key->last_rotated);
		JW_KEY(w, "last_used_date");
		time_value(w, key->last_used);
		JW_KEY(w, "last_used_region");
		text_value(w, key->region);
		JW_KEY(w, "last_used_service");
		text_value(w, key->service);
		jw_end_object(w);
	}
	jw_end_array(w);
	JW_KEY(w, "certificates");
	jw_begin_array(w);
	for (size_t k = 0; k < m->ncerts; k++) {
		const reg_cert *cert = &u->certs[k];

		jw_begin_object(w);
		JW_KEY(w, "number");
		jw_integer(w, cert->number);
		JW_KEY(w, "exists");
		jw_bool(w, cert->exists);
		JW_KEY(w, "active");
		bool_value(w, cert->active);
		JW_KEY(w, "last_rotated");
		time_value(w, cert->last_rotated);
		jw_end_object(w);
	}
	jw_end_array(w);
	JW_KEY(w, "findings");
	jw_begin_array(w);
	for (reg_check c = 0; c < REG_CHECK_COUNT; c++)
		if (u->checks & (1u << c))
			jw_string(w, reg_check_get(c)->id);
	jw_end_array(w);
	jw_end_object(w);
}

typedef struct artifact_sink {
	const rp_host *host;
	rp_artifact *out;
} artifact_sink;

static rp_status to_artifact(void *ctx, const char *p, size_t n)
{
	artifact_sink *a = ctx;

	return a->host->artifact_append(a->out, p, n);
}

static rp_status json_render(rp_instance *self, const rp_host *host,
			     const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *meta = host->ds_meta(ds);
	const rp_run_info *run = host->run_info(self);
	artifact_sink sink = {host, out};
	const reg_summary *s;
	const reg_model *m;
	jw *w;
	rp_status st;

	st = reg_summary_build(self, host, ds, &s);
	if (st)
		return st;
	m = &s->model;
	w = malloc(sizeof(*w));
	if (!w) {
		reg_summary_release(s);
		host->set_error(self, "out of memory building the JSON document");
		return RP_ERR_NOMEM;
	}
	jw_init(w, to_artifact, &sink);
	jw_begin_object(w);
	JW_KEY(w, "schema");
	jw_string(w, SCHEMA_ID);
	JW_KEY(w, "metadata");
	metadata(w, m, meta, run);
	JW_KEY(w, "counts");
	counts(w, m);
	JW_KEY(w, "changes");
	changes(w, &s->recent);
	JW_KEY(w, "findings");
	findings(w, m);
	JW_KEY(w, "users");
	jw_begin_array(w);
	for (size_t i = 0; i < m->nusers && !w->st; i++)
		user(w, m, &m->users[i]);
	jw_end_array(w);
	jw_end_object(w);
	st = jw_finish(w);
	/* As before with json_dumps, which leaves out the final newline. */
	if (!st)
		st = host->artifact_append(out, "\n", 1);
	else
		host->set_error(self, "cannot write the JSON document: %s", w->why);
	free(w);
	reg_summary_release(s);
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
