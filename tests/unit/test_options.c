/* test_options.c - option tables: types, defaults, required keys, bounds,
 * enums, paths and the "did you mean" for unknown keys. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "tap.h"

static const rp_option table[] = {
	{.key = "path", .type = RP_OPT_PATH, .flags = RP_OPT_REQUIRED | RP_OPT_TEMPLATE},
	{.key = "count", .type = RP_OPT_INT, .default_value = "7", .min = 1, .max = 100},
	{.key = "mode", .type = RP_OPT_INT, .flags = RP_OPT_OCTAL,
	 .default_value = "0640", .min = 0, .max = 0777},
	{.key = "excel", .type = RP_OPT_BOOL, .default_value = "false"},
	{.key = "timeout", .type = RP_OPT_DURATION, .default_value = "90s"},
	{.key = "limit", .type = RP_OPT_SIZE, .default_value = "10M"},
	{.key = "to", .type = RP_OPT_LIST},
	{.key = "api", .type = RP_OPT_ENUM, .choices = "v1|v2", .default_value = "v2"},
	{.key = "subject", .type = RP_OPT_STRING},
	{0}
};

static char path[256];

/* Writes a one-section file, loads it and binds the table. */
static rp_status bind(const char *body, rp_config *cfg, rp_optset *set,
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	rp_status st;

	fprintf(f, "[sink.t]\n%s", body);
	fclose(f);
	err[0] = '\0';
	memset(set, 0, sizeof(*set));
	st = rp_config_load(path, cfg, err, errlen);
	if (st)
		return st;
	st = rp_options_bind(table, &cfg->sections[0], cfg, "plugin 't'", set,
			     err, errlen);
	if (!st)
		st = rp_options_reject_unknown(table, (const char *const[]){"plugin", NULL},
					       &cfg->sections[0], cfg, "plugin 't'",
					       err, errlen);
	return st;
}

static void refuses(const char *body, const char *needle)
{
	rp_config cfg;
	rp_optset set;
	char err[1024];

	ok(bind(body, &cfg, &set, err, sizeof(err)) == RP_ERR_CONFIG,
	   "refused: %s", body);
	like(err, needle, "  message: %s", needle);
	rp_optset_free(&set);
	rp_config_free(&cfg);
}

int main(void)
{
	rp_config cfg;
	rp_optset set;
	char err[1024];
	const rp_optval *v;

	snprintf(path, sizeof(path), "%s/rp-options-%d.ini",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());

	ok(bind("path = out/{date}.csv\n", &cfg, &set, err, sizeof(err)) == RP_OK,
	   "defaults fill what the file leaves out (%s)", err);
	v = rp_optset_get(&set, "path");
	ok(v && v->is_set && v->text[0] == '/' &&
	   strcmp(v->text + strlen(v->text) - 15, "/out/{date}.csv") == 0,
	   "a relative path resolves against the file's directory (%s)", v ? v->text : "");
	is_int(rp_optset_get(&set, "count")->i, 7, "int default");
	ok(!rp_optset_get(&set, "count")->is_set, "a default is not 'set'");
	is_int(rp_optset_get(&set, "mode")->i, 0640, "octal default 0640");
	is_int(rp_optset_get(&set, "excel")->b, 0, "bool default");
	is_int(rp_optset_get(&set, "timeout")->i, 90000, "duration 90s is 90000 ms");
	is_int(rp_optset_get(&set, "limit")->i, 10 << 20, "size 10M");
	is_str(rp_optset_get(&set, "api")->text, "v2", "enum default");
	ok(rp_optset_get(&set, "subject")->text == NULL, "no default: unset");
	rp_optset_free(&set);
	rp_config_free(&cfg);

	ok(bind("path = /abs/x\ncount = 100\nmode = 600\nexcel = yes\n"
		"timeout = 2h\nlimit = 40MiB\napi = v1\n"
		"to = a@x, b@x,\n  c@x\nsubject = IAM {date}\n  second line\n",
		&cfg, &set, err, sizeof(err)) == RP_OK, "every type parses (%s)", err);
	is_str(rp_optset_get(&set, "path")->text, "/abs/x", "an absolute path stays");
	is_int(rp_optset_get(&set, "count")->i, 100, "int at its max");
	is_int(rp_optset_get(&set, "mode")->i, 0600, "octal 600 is 0600");
	is_int(rp_optset_get(&set, "excel")->b, 1, "yes is true");
	is_int(rp_optset_get(&set, "timeout")->i, 7200000, "2h is 7200 s");
	is_int(rp_optset_get(&set, "limit")->i, 40 << 20, "40MiB");
	v = rp_optset_get(&set, "to");
	ok(v->list.count == 3 && strcmp(v->list.items[2], "c@x") == 0,
	   "a list continues on indented lines");
	is_str(rp_optset_get(&set, "subject")->text, "IAM {date}\nsecond line",
	       "a string keeps its continuation lines");
	rp_optset_free(&set);
	rp_config_free(&cfg);

	{
		static const char *const durations[][2] = {
			{"1.5s", "1500"}, {"250ms", "250"}, {"2", "2000"}, {"0.5m", "30000"}, {"1d", "86400000"}};

		for (size_t i = 0; i < 5; i++) {
			char body[64];

			snprintf(body, sizeof(body), "path = x\ntimeout = %s\n", durations[i][0]);
			ok(bind(body, &cfg, &set, err, sizeof(err)) == RP_OK &&
			   rp_optset_get(&set, "timeout")->i == atoll(durations[i][1]),
			   "duration %s is %s ms", durations[i][0], durations[i][1]);
			rp_optset_free(&set);
			rp_config_free(&cfg);
		}
	}

	refuses("count = 3\n", ":1: [sink.t] missing required option 'path'");
	refuses("path = x\npaht = y\n", ":3: [sink.t] unknown key 'paht' for plugin 't'; did you mean 'path'?");
	refuses("path = x\nplugn = y\n", "did you mean 'plugin'?");
	refuses("path = x\nzzzzzz = y\n", "unknown key 'zzzzzz' for plugin 't' (");
	refuses("path = x\ncount = 0\n", ":3: [sink.t] count: 0 is out of range (1 to 100)");
	refuses("path = x\ncount = 7x\n", "count: '7x' is not an integer");
	refuses("path = x\nmode = 0999\n", "mode: '0999' is not an octal integer");
	refuses("path = x\nmode = 1777\n", "mode: 1777 is out of range (0 to 0777)");
	refuses("path = x\nexcel = maybe\n", "excel: 'maybe' is not a boolean");
	refuses("path = x\ntimeout = 5 weeks\n", "timeout: '5 weeks' is not a duration");
	refuses("path = x\ntimeout = -1s\n", "timeout: '-1s' is not a duration");
	refuses("path = x\nlimit = lots\n", "limit: 'lots' is not a size");
	refuses("path = x\napi = v3\n", "api: 'v3' is not one of v1|v2; did you mean 'v1'?");
	refuses("path = out/{dat}.csv\n", "path: unknown placeholder '{dat}'");
	refuses("path = x\ncount = 5\n  6\n", "count: this int value must fit on one line");
	refuses("path =\n", "path: the path is empty");
	unlink(path);
	return done_testing();
}
