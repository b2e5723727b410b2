/* fuzz_conffile.c - the pipeline file: rp_config_load_text (the pre-scan,
 * inih, ${ENV}), then every section through the option binder the way a
 * plugin's table is applied (rp_options_reject_unknown, rp_options_bind),
 * with a table holding one option of every type.  No plugin is loaded.
 *
 * Checked beyond memory errors: a refusal names the file and a line, and
 * a loaded file has the shape conffile.h describes. */
#include "config.h"

#include <string.h>

#include "conffile.h"
#include "fuzz.h"
#include "options.h"

/* Keys as the shipped plugins name them, one per type and flag. */
static const rp_option table[] = {
	{.key = "plugin", .type = RP_OPT_STRING},
	{.key = "path", .type = RP_OPT_PATH, .flags = RP_OPT_TEMPLATE},
	{.key = "subject", .type = RP_OPT_STRING, .flags = RP_OPT_TEMPLATE,
	 .default_value = "report {account_id} {date}"},
	{.key = "mode", .type = RP_OPT_INT, .flags = RP_OPT_OCTAL,
	 .default_value = "0600"},
	{.key = "max_rows", .type = RP_OPT_INT, .min = 1, .max = 100000},
	{.key = "excel", .type = RP_OPT_BOOL, .default_value = "false"},
	{.key = "timeout", .type = RP_OPT_DURATION, .default_value = "60s"},
	{.key = "max_size", .type = RP_OPT_SIZE, .default_value = "10M"},
	{.key = "input", .type = RP_OPT_LIST},
	{.key = "lang", .type = RP_OPT_ENUM, .choices = "en|ja",
	 .default_value = "en"},
	{.key = "password", .type = RP_OPT_STRING, .flags = RP_OPT_SECRET},
	{.key = "to", .type = RP_OPT_LIST},
	{.key = "state_dir", .type = RP_OPT_PATH},
	{0},
};

/* The other keys of the shipped examples, known but not bound. */
static const char *const extra_keys[] = {
	"name", "timezone", "generated_time", "columns", "region", "bucket",
	"key", "sse", "append", "from", "body", "attach", "archive", NULL,
};

/* Returns 0 when the section binds, 1 when it is refused. */
static int bind_section(rp_section *sec, const rp_config *cfg)
{
	rp_optset set;
	char err[1024] = "";
	rp_status st;
	int refused;

	st = rp_options_reject_unknown(table, extra_keys, sec, cfg, "plugin 'fuzz'",
				       err, sizeof(err));
	FUZZ_CHECK(st == RP_OK || (st == RP_ERR_CONFIG && err[0]));
	refused = st != RP_OK;
	err[0] = '\0';
	st = rp_options_bind(table, sec, cfg, "plugin 'fuzz'", &set, err,
			     sizeof(err));
	if (st) {
		FUZZ_CHECK(st == RP_ERR_CONFIG && err[0]);
		return 1;
	}
	FUZZ_CHECK(set.n == sizeof(table) / sizeof(table[0]) - 1);
	for (size_t i = 0; i < set.n; i++) {
		const rp_optval *v = rp_optset_get(&set, table[i].key);

		FUZZ_CHECK(v && v->def == &table[i]);
		if (v->def->type == RP_OPT_LIST)
			for (size_t k = 0; k < v->list.count; k++)
				FUZZ_CHECK(v->list.items[k][0] != '\0');
	}
	rp_optset_free(&set);
	return refused;
}

int rp_fuzz_conffile(const uint8_t *data, size_t size)
{
	static int env_set;
	rp_config cfg;
	char err[1024] = "";
	rp_status st;
	int refused = 0;

	/* The shipped examples read it. */
	if (!env_set) {
		setenv("REPORT_BUCKET", "audit-bucket", 1);
		env_set = 1;
	}
	st = rp_config_load_text("fuzz.ini", (const char *)data, size, &cfg,
				 err, sizeof(err));
	if (st) {
		FUZZ_CHECK(st == RP_ERR_CONFIG);
		FUZZ_CHECK(strncmp(err, "fuzz.ini:", 9) == 0);
		FUZZ_CHECK(cfg.sections == NULL && cfg.path == NULL);
		return RP_FUZZ_REFUSED;
	}
	FUZZ_CHECK(cfg.dir && cfg.dir[0] == '/');
	for (size_t i = 0; i < cfg.nsections; i++) {
		rp_section *sec = &cfg.sections[i];

		FUZZ_CHECK(sec->name && sec->inst);
		FUZZ_CHECK(rp_config_find(&cfg, sec->kind, sec->inst) == sec);
		for (size_t k = 0; k < sec->nkv; k++) {
			FUZZ_CHECK(sec->kvs[k].key && sec->kvs[k].value);
			FUZZ_CHECK(rp_section_get(sec, sec->kvs[k].key) ==
				   &sec->kvs[k]);
		}
		refused |= bind_section(sec, &cfg);
	}
	rp_config_free(&cfg);
	return refused ? RP_FUZZ_REFUSED : RP_FUZZ_ACCEPTED;
}

#ifndef RP_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_fuzz_conffile(data, size);
	return 0;
}
#endif
