/* changes.c - formatter plugin: the change ledger, one CSV row per event
 * between the previous report of the same source and account (kept by
 * the engine in state_dir/history) and this one.  With the file sink's
 * append = true the rows of every run grow into one register of each
 * user's creation, changes and deletion. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reportpipe/plugin.h>

#include "csv_out.h"

#include "register.h"
#include "register_changes.h"

static const rp_option options[] = {
	{.key = "excel", .type = RP_OPT_BOOL, .default_value = "false",
	 .description = "UTF-8 BOM, CRLF line ends, and cells starting with = + - @ made inert"},
	{.key = "lang", .type = RP_OPT_ENUM, .choices = "en|ja", .default_value = "en",
	 .description = "language of the detail column; header and event names stay as they are"},
	{0}
};

static const char header[] = REG_LEDGER_HEADER;

static void put_row(csv_out *w, const char *const cells[5])
{
	for (size_t c = 0; c < 5; c++)
		csv_out_cell(w, cells[c], c == 0);
	csv_out_eol(w);
}

/* The events do not depend on thresholds, but the shared summary is
 * keyed by them: ask with the defaults, which the summaries and json use
 * unless their sections set others, so one model serves them all. */
static rp_status put_events(rp_instance *self, const rp_host *host,
			    const rp_dataset *ds, const char *const lead[2],
			    reg_lang lang, csv_out *w)
{
	static const reg_thresholds th = {REG_DEFAULT_ROOT_USE_DAYS,
					  REG_DEFAULT_UNUSED_DAYS,
					  REG_DEFAULT_ROTATION_DAYS};
	const reg_summary *s;
	const reg_changes *ch;
	rp_status st;

	st = reg_summary_get(self, host, ds, &th, &s);
	if (st)
		return st;
	ch = &s->recent.changes;
	for (size_t i = 0; i < ch->n && !w->st; i++) {
		const reg_event *e = &ch->events[i];
		char detail[512];

		reg_event_detail_lang(detail, sizeof(detail), e, lang);
		put_row(w, (const char *const[5]){
			lead[0], lead[1], e->user->name, reg_event_name(e->kind), detail});
	}
	reg_summary_release(s);
	return RP_OK;
}

static rp_status changes_render(rp_instance *self, const rp_host *host,
				const rp_dataset *ds, rp_artifact *out)
{
	const rp_dataset_meta *m = host->ds_meta(ds);
	int excel = host->opt_bool(self, "excel");
	reg_lang lang = reg_lang_parse(host->opt_string(self, "lang"));
	const rp_dataset *prev;
	char date[32];
	const char *lead[2] = {date, m->account_id};
	csv_out *w;
	rp_status st = RP_OK;

	/* An engine older than the ledger has no ds_previous: say so rather
	 * than calling past the end of its table. */
	if (host->struct_size < offsetof(rp_host, ds_previous) + sizeof(host->ds_previous)) {
		host->set_error(self,
				"this reportpipe engine keeps no report history; the changes format needs a newer reportpipe");
		return RP_ERR_UNSUPPORTED;
	}
	w = malloc(sizeof(*w));
	if (!w)
		return RP_ERR_NOMEM;
	csv_out_init(w, host, out, excel);
	reg_format_iso8601(date, sizeof(date), m->generated_time);
	if (excel)
		csv_out_raw(w, "\xEF\xBB\xBF", 3);
	csv_out_raw(w, header, strlen(header));
	csv_out_eol(w);
	prev = host->ds_previous(self, ds);
	if (!prev) {
		char detail[512]; /* the Japanese sentence is 170 bytes */

		snprintf(detail, sizeof(detail),
			 lang == REG_LANG_JA ?
			 "state_dir/history にソース %s のこのアカウントの過去のレポートがありません。このレポートが次回の比較の基準になります" :
			 "no earlier report of source %s for this account in state_dir/history: this report is the baseline the next run is compared with",
			 m->source);
		put_row(w, (const char *const[5]){
			lead[0], lead[1], "", "no_previous_report", detail});
	} else {
		st = put_events(self, host, ds, lead, lang, w);
	}
	if (!st)
		st = csv_out_finish(w);
	free(w);
	return st;
}

RP_PLUGIN_EXPORT const rp_plugin reportpipe_plugin = {
	.abi_major = RP_ABI_MAJOR,
	.abi_minor = RP_ABI_MINOR,
	.struct_size = sizeof(rp_plugin),
	.kind = RP_KIND_FORMATTER,
	.name = "changes",
	.description = "the change ledger: events since the previous report, as CSV (one header; rows for file append = true)",
	.options = options,
	.media_type = "text/csv; charset=utf-8",
	.extension = "csv",
	.render = changes_render,
};
