/* engine.c - the pipeline engine: builds the pipeline from its file and
 * moves the data, source -> dataset -> formatter -> artifact -> sink.
 *
 * Everything that can be checked without data is checked in
 * rp_engine_open(), so `check` and `run` refuse the same files. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "history.h"
#include "log.h"
#include "spool.h"
#include "template.h"

const rp_option rp_pipeline_options[] = {
	{.key = "name", .type = RP_OPT_STRING,
	 .description = "the pipeline's name, in logs and {pipeline} (default: the file name without .ini)"},
	{.key = "plugin_path", .type = RP_OPT_LIST,
	 .description = "directories searched for plugins before REPORTPIPE_PLUGIN_PATH and the built-in directory"},
	{.key = "state_dir", .type = RP_OPT_PATH, .default_value = "state",
	 .description = "where history, spool and lock live"},
	{.key = "timezone", .type = RP_OPT_STRING, .default_value = "UTC",
	 .description = "IANA time zone for dates in templates, e.g. Asia/Tokyo"},
	{.key = "history_keep", .type = RP_OPT_INT, .default_value = "60",
	 .min = 0, .max = 100000,
	 .description = "earlier reports kept per source and account for the change ledger (0: none)"},
	{.key = "log", .type = RP_OPT_ENUM, .choices = "stderr|syslog",
	 .default_value = "stderr",
	 .description = "where run and retry log: stderr, or syslog with the pipeline's name as ident (check always uses stderr)"},
	{.key = "log_facility", .type = RP_OPT_ENUM,
	 .choices = "user|daemon|auth|local0|local1|local2|local3|local4|local5|local6|local7",
	 .default_value = "user",
	 .description = "the syslog facility, with log = syslog"},
	{0}
};

static volatile sig_atomic_t interrupted;

void rp_engine_interrupt(int signo)
{
	interrupted = signo;
}

int rp_engine_stopping(void)
{
	return interrupted != 0;
}

static int stop_requested(const char *what)
{
	if (!interrupted)
		return 0;
	if (interrupted > 0) {
		rp_log(RP_LOG_ERROR, NULL,
		       "interrupted by signal %d (before %s); what was not delivered stays in the spool",
		       (int)interrupted, what);
		interrupted = -interrupted; /* say it once */
	}
	return 1;
}

static const char *const plugin_section_keys[] = {"plugin", NULL};
static const char *const sink_section_keys[] = {"plugin", "input", NULL};
static const char *const format_section_keys[] = {"plugin", "scope", NULL};

static void cfgerr(const rp_engine *eng, const rp_section *sec, int line,
		   char *err, size_t errlen, const char *fmt, ...) RP_PRINTF(6, 7);
static void cfgerr(const rp_engine *eng, const rp_section *sec, int line,
		   char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line <= 0 && sec)
		line = sec->line;
	n = line > 0 ? snprintf(err, errlen, "%s:%d: ", eng->cfg.path, line)
		     : snprintf(err, errlen, "%s: ", eng->cfg.path);
	if (n >= 0 && (size_t)n < errlen && sec) {
		int m = snprintf(err + n, errlen - (size_t)n, "[%s] ", sec->name);
		if (m > 0)
			n += m;
	}
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

void rp_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static rp_status strv_push(char ***v, size_t *n, char *s)
{
	char **g;

	if (!s)
		return RP_ERR_NOMEM;
	g = realloc(*v, (*n + 1) * sizeof(*g));
	if (!g) {
		free(s);
		return RP_ERR_NOMEM;
	}
	*v = g;
	g[(*n)++] = s;
	return RP_OK;
}

rp_status rp_plugin_dirs(const char *const *plugin_path, size_t npath,
			 const char *const *extra, size_t nextra,
			 char ***dirs, size_t *ndirs)
{
	const char *env = getenv("REPORTPIPE_PLUGIN_PATH");
	char **v = NULL;
	size_t n = 0;
	rp_status st = RP_OK;

	for (size_t i = 0; i < npath && !st; i++)
		st = strv_push(&v, &n, rp_strdup(plugin_path[i]));
	while (env && *env && !st) {
		size_t l = strcspn(env, ":");

		if (l)
			st = strv_push(&v, &n, rp_strndup(env, l));
		env += l + (env[l] == ':');
	}
	for (size_t i = 0; i < nextra && !st; i++)
		st = strv_push(&v, &n, rp_strdup(extra[i]));
	if (st) {
		rp_strv_free(v, n);
		return st;
	}
	*dirs = v;
	*ndirs = n;
	return RP_OK;
}

/* An IANA name must exist in the zone database; glibc would silently use
 * UTC for a typo, and every date would be off. */
static int timezone_exists(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0)
		return 1;
	if (tz[0] == '/' || strstr(tz, ".."))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static rp_status setup_pipeline(rp_engine *eng, char *err, size_t errlen)
{
	rp_section *sec = NULL;
	const rp_optval *v;
	rp_status st;

	for (size_t i = 0; i < eng->cfg.nsections; i++)
		if (eng->cfg.sections[i].kind == RP_SECTION_PIPELINE)
			sec = &eng->cfg.sections[i];
	if (!sec) {
		eng->empty_pipe.name = (char *)"pipeline";
		eng->empty_pipe.inst = "pipeline";
		sec = &eng->empty_pipe;
	}
	eng->pipe_sec = sec;
	st = rp_options_reject_unknown(rp_pipeline_options, NULL, sec, &eng->cfg,
				       "the [pipeline] section", err, errlen);
	if (!st)
		st = rp_options_bind(rp_pipeline_options, sec, &eng->cfg,
				     "the [pipeline] section", &eng->pipe_opts,
				     err, errlen);
	if (st)
		return st;
	v = rp_optset_get(&eng->pipe_opts, "name");
	if (v->text) {
		eng->name = rp_strdup(v->text);
	} else {
		const char *base = strrchr(eng->cfg.path, '/');
		size_t l;

		base = base ? base + 1 : eng->cfg.path;
		l = strlen(base);
		if (l > 4 && strcmp(base + l - 4, ".ini") == 0)
			l -= 4;
		eng->name = rp_strndup(base, l);
	}
	eng->state_dir = rp_strdup(rp_optset_get(&eng->pipe_opts, "state_dir")->text);
	eng->history_keep = (long)rp_optset_get(&eng->pipe_opts, "history_keep")->i;
	v = rp_optset_get(&eng->pipe_opts, "timezone");
	eng->timezone = rp_strdup(v->text);
	if (!eng->name || !eng->state_dir || !eng->timezone)
		return RP_ERR_NOMEM;
	if (!timezone_exists(eng->timezone)) {
		cfgerr(eng, sec, v->line, err, errlen,
		       "timezone: '%s' is not in the time zone database; use an IANA name such as UTC or Asia/Tokyo",
		       eng->timezone);
		return RP_ERR_CONFIG;
	}
	/* Templates format dates in local time; the pipeline's zone is it. */
	if (setenv("TZ", eng->timezone, 1))
		return RP_ERR_NOMEM;
	tzset();
	eng->info.struct_size = sizeof(eng->info);
	eng->info.pipeline = eng->name;
	eng->info.run_time = time(NULL);
	{
		/* The reproducible-builds convention: a fixed "now" gives
		 * byte-identical output ({now:...}, report ages) for tests and
		 * for re-rendering evidence. */
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		char *end;
		long long t;

		if (sde && *sde) {
			t = strtoll(sde, &end, 10);
			if (*end || t < 0) {
				cfgerr(eng, NULL, 0, err, errlen,
				       "SOURCE_DATE_EPOCH='%s' is not a number of seconds since 1970",
				       sde);
				return RP_ERR_CONFIG;
			}
			eng->info.run_time = (time_t)t;
		}
	}
	eng->info.state_dir = eng->state_dir;
	eng->info.timezone = eng->timezone;
	eng->info.config_dir = eng->cfg.dir;
	eng->info.version = PACKAGE_VERSION;
	return RP_OK;
}

static rp_status load_plugins(rp_engine *eng, const char *const *extra,
			      size_t nextra, char *err, size_t errlen)
{
	const rp_optval *pp = rp_optset_get(&eng->pipe_opts, "plugin_path");
	char **resolved = NULL, **dirs = NULL;
	size_t nres = 0, ndirs = 0;
	rp_status st = RP_OK;

	for (size_t i = 0; i < pp->list.count && !st; i++)
		st = strv_push(&resolved, &nres,
			       rp_path_join(eng->cfg.dir, pp->list.items[i]));
	if (!st)
		st = rp_plugin_dirs((const char *const *)resolved, nres, extra,
				    nextra, &dirs, &ndirs);
	if (!st)
		st = rp_registry_load(&eng->reg, (const char *const *)dirs, ndirs,
				      err, errlen);
	rp_strv_free(resolved, nres);
	rp_strv_free(dirs, ndirs);
	return st;
}

static void searched_dirs(const rp_engine *eng, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < eng->reg.ndirs && n < outlen; i++) {
		int m = snprintf(out + n, outlen - n, "%s%s", i ? ", " : "",
				 eng->reg.dirs[i]);
		if (m < 0)
			break;
		n += (size_t)m;
	}
	if (!eng->reg.ndirs)
		snprintf(out, outlen, "(no directories)");
}

static const char *section_plugin_kind(rp_section_kind k)
{
	return k == RP_SECTION_FORMAT ? "formatter" : rp_section_kind_name(k);
}

static rp_status bind_instance(rp_engine *eng, rp_instance *in, char *err,
			       size_t errlen)
{
	rp_section *sec = in->sec;
	rp_kv *pk = rp_section_get(sec, "plugin");
	const rp_loaded_plugin *lp;
	char owner[128];
	rp_status st;

	if (!pk || !*pk->value) {
		cfgerr(eng, sec, pk ? pk->line : 0, err, errlen,
		       "missing 'plugin =' naming the %s plugin to use (`reportpipe plugins` lists them)",
		       section_plugin_kind(sec->kind));
		return RP_ERR_CONFIG;
	}
	pk->used = 1;
	lp = rp_registry_find(&eng->reg, pk->value);
	if (!lp) {
		char dirs[1024];
		const char *near = rp_registry_suggest(&eng->reg, pk->value);

		searched_dirs(eng, dirs, sizeof(dirs));
		cfgerr(eng, sec, pk->line, err, errlen,
		       "plugin '%s' not found%s%s%s; searched: %s (set plugin_path or REPORTPIPE_PLUGIN_PATH)",
		       pk->value, near ? "; did you mean '" : "", near ? near : "",
		       near ? "'?" : "", dirs);
		return RP_ERR_CONFIG;
	}
	if ((int)lp->desc.kind != (int)sec->kind) {
		cfgerr(eng, sec, pk->line, err, errlen,
		       "plugin '%s' is a %s, but a [%s.*] section needs a %s plugin (%s)",
		       pk->value, rp_kind_name(lp->desc.kind),
		       rp_section_kind_name(sec->kind),
		       section_plugin_kind(sec->kind), lp->file);
		return RP_ERR_CONFIG;
	}
	in->plugin = lp;
	if (sec->kind == RP_SECTION_FORMAT) {
		rp_kv *sk = rp_section_get(sec, "scope");

		if (sk) {
			sk->used = 1;
			if (strcmp(sk->value, "run") == 0) {
				in->run_scope = 1;
			} else if (strcmp(sk->value, "dataset") != 0) {
				cfgerr(eng, sec, sk->line, err, errlen,
				       "scope: '%s' is not one of dataset|run", sk->value);
				return RP_ERR_CONFIG;
			}
			if (in->run_scope && !(lp->desc.flags & RP_PLUGIN_RUN_SCOPE)) {
				cfgerr(eng, sec, sk->line, err, errlen,
				       "scope = run: plugin '%s' renders one dataset at a time; remove scope (html_summary and text_summary can render a whole run)",
				       lp->desc.name);
				return RP_ERR_CONFIG;
			}
		}
		in->proto.format = in;
		in->proto.name = sec->inst;
		in->proto.media_type = lp->desc.media_type;
		in->proto.extension = lp->desc.extension;
	} else if (sec->kind == RP_SECTION_SINK) {
		rp_kv *ik = rp_section_get(sec, "input");
		char **names = NULL;
		size_t n = 0;

		if (!ik) {
			cfgerr(eng, sec, 0, err, errlen,
			       "missing 'input =' naming the formats this sink delivers (a comma list of [format.NAME] names)");
			return RP_ERR_CONFIG;
		}
		ik->used = 1;
		st = rp_split_list(ik->value, &names, &n);
		if (st)
			return st;
		if (n == 0) {
			cfgerr(eng, sec, ik->line, err, errlen,
			       "input: the list is empty; name at least one [format.NAME]");
			st = RP_ERR_CONFIG;
		}
		in->inputs = calloc(n ? n : 1, sizeof(*in->inputs));
		if (!in->inputs)
			st = RP_ERR_NOMEM;
		for (size_t i = 0; i < n && !st; i++) {
			const rp_instance *f = NULL;

			for (size_t j = 0; j < eng->ninst; j++)
				if (eng->inst[j].sec->kind == RP_SECTION_FORMAT &&
				    strcmp(eng->inst[j].sec->inst, names[i]) == 0)
					f = &eng->inst[j];
			if (!f) {
				char known[512] = "";
				size_t k = 0;

				for (size_t j = 0; j < eng->ninst && k < sizeof(known); j++)
					if (eng->inst[j].sec->kind == RP_SECTION_FORMAT) {
						int m = snprintf(known + k, sizeof(known) - k,
								 "%s%s", k ? ", " : "",
								 eng->inst[j].sec->inst);
						if (m > 0)
							k += (size_t)m;
					}
				cfgerr(eng, sec, ik->line, err, errlen,
				       "input names '%s', but there is no [format.%s] section; formats defined: %s",
				       names[i], names[i], k ? known : "none");
				st = RP_ERR_CONFIG;
				break;
			}
			for (size_t j = 0; j < in->ninputs; j++)
				if (in->inputs[j] == f) {
					cfgerr(eng, sec, ik->line, err, errlen,
					       "input names '%s' twice", names[i]);
					st = RP_ERR_CONFIG;
				}
			if (!st)
				in->inputs[in->ninputs++] = f;
		}
		rp_strv_free(names, n);
		if (st)
			return st;
		/* A sink delivers once per dataset or once per run, not both. */
		in->run_scope = in->inputs[0]->run_scope;
		for (size_t i = 1; i < in->ninputs; i++)
			if (in->inputs[i]->run_scope != in->run_scope) {
				cfgerr(eng, sec, ik->line, err, errlen,
				       "input mixes format.%s (scope = %s) with format.%s (scope = %s); a sink delivers once per run or once per dataset: use two sinks",
				       in->inputs[0]->sec->inst,
				       in->run_scope ? "run" : "dataset",
				       in->inputs[i]->sec->inst,
				       in->run_scope ? "dataset" : "run");
				return RP_ERR_CONFIG;
			}
	}
	snprintf(owner, sizeof(owner), "plugin '%s'", lp->desc.name);
	st = rp_options_reject_unknown(
		lp->desc.options,
		sec->kind == RP_SECTION_SINK ? sink_section_keys :
		sec->kind == RP_SECTION_FORMAT ? format_section_keys :
		plugin_section_keys,
		sec, &eng->cfg, owner, err, errlen);
	if (!st)
		st = rp_options_bind(lp->desc.options, sec, &eng->cfg, owner,
				     &in->opts, err, errlen);
	return st;
}

static rp_status init_instance(rp_engine *eng, rp_instance *in, char *err,
			       size_t errlen)
{
	const rp_optval *ep = rp_optset_get(&in->opts, "endpoint_url");
	rp_status st;

	if (ep && ep->text) {
		const rp_optval *ah = rp_optset_get(&in->opts, "allow_http");
		char uerr[512];

		st = rp_http_check_url(ep->text, ah && ah->b, uerr, sizeof(uerr));
		if (st) {
			cfgerr(eng, in->sec, ep->line, err, errlen, "endpoint_url: %s", uerr);
			return st;
		}
	}
	if (!in->plugin->desc.init)
		return RP_OK;
	st = in->plugin->desc.init(in, &rp_host_services);
	if (st) {
		/* A message that starts "key: " is about that key: point at it. */
		int line = 0;

		if (in->error) {
			size_t n = strcspn(in->error, ": ");
			char key[64];
			rp_kv *kv;

			if (n < sizeof(key) && in->error[n] == ':') {
				memcpy(key, in->error, n);
				key[n] = '\0';
				kv = rp_section_get(in->sec, key);
				line = kv ? kv->line : 0;
			}
		}
		cfgerr(eng, in->sec, line, err, errlen, "%s",
		       in->error ? in->error : rp_status_str(st));
		if (in->plugin->desc.fini)
			in->plugin->desc.fini(in, &rp_host_services);
		return st < 0 ? st : RP_ERR_INTERNAL;
	}
	in->initialized = 1;
	return RP_OK;
}

rp_status rp_engine_open(const char *path, const char *const *extra_dirs,
			 size_t nextra, rp_engine **out, char *err,
			 size_t errlen)
{
	static const rp_section_kind order[] = {RP_SECTION_SOURCE,
						RP_SECTION_FORMAT, RP_SECTION_SINK};
	rp_engine *eng;
	size_t counts[4] = {0};
	rp_status st;

	*out = NULL;
	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return RP_ERR_NOMEM;
	eng->out = stdout;
	pthread_mutex_init(&eng->datasets_lock, NULL);
	pthread_mutex_init(&eng->gate_lock, NULL);
	pthread_cond_init(&eng->gate_cond, NULL);
	st = rp_config_load(path, &eng->cfg, err, errlen);
	if (st) {
		pthread_mutex_destroy(&eng->datasets_lock);
		pthread_mutex_destroy(&eng->gate_lock);
		pthread_cond_destroy(&eng->gate_cond);
		free(eng);
		return st;
	}
	st = setup_pipeline(eng, err, errlen);
	if (st)
		goto fail;
	st = load_plugins(eng, extra_dirs, nextra, err, errlen);
	if (st)
		goto fail;
	for (size_t i = 0; i < eng->cfg.nsections; i++)
		counts[eng->cfg.sections[i].kind]++;
	if (!counts[RP_SECTION_SOURCE] || !counts[RP_SECTION_SINK]) {
		cfgerr(eng, NULL, 0, err, errlen,
		       "a pipeline needs at least one [source.NAME] and one [sink.NAME] section (see etc/demo.ini)");
		st = RP_ERR_CONFIG;
		goto fail;
	}
	eng->inst = calloc(eng->cfg.nsections, sizeof(*eng->inst));
	if (!eng->inst) {
		st = RP_ERR_NOMEM;
		goto fail;
	}
	/* Sources, then formats, then sinks, each in file order, so a sink
	 * can name formats defined anywhere in the file. */
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < eng->cfg.nsections; i++) {
			rp_section *sec = &eng->cfg.sections[i];
			rp_instance *in;

			if (sec->kind != order[k])
				continue;
			in = &eng->inst[eng->ninst++];
			in->eng = eng;
			in->sec = sec;
			in->where = rp_strdup(sec->name);
			if (!in->where) {
				st = RP_ERR_NOMEM;
				goto fail;
			}
			st = bind_instance(eng, in, err, errlen);
			if (st)
				goto fail;
		}
	for (size_t i = 0; i < eng->ninst; i++) {
		st = init_instance(eng, &eng->inst[i], err, errlen);
		if (st)
			goto fail;
	}
	*out = eng;
	return RP_OK;
fail:
	rp_engine_close(eng);
	return st;
}

void rp_engine_close(rp_engine *eng)
{
	if (!eng)
		return;
	for (size_t i = 0; i < eng->ndatasets; i++) {
		rp_dataset_free(eng->datasets[i].ds);
		rp_dataset_free(eng->datasets[i].previous);
	}
	free(eng->datasets);
	for (size_t i = eng->ninst; i-- > 0;) {
		rp_instance *in = &eng->inst[i];

		if (in->initialized && in->plugin->desc.fini)
			in->plugin->desc.fini(in, &rp_host_services);
		rp_aws_client_free(in->aws);
		rp_http_free(in->http);
		rp_optset_free(&in->opts);
		free(in->inputs);
		free(in->where);
		free(in->error);
	}
	free(eng->inst);
	rp_http_free(eng->http);
	rp_optset_free(&eng->pipe_opts);
	/* Plugins are unloaded last: their option tables and strings live in
	 * the modules. */
	rp_registry_free(&eng->reg);
	free(eng->name);
	free(eng->state_dir);
	free(eng->timezone);
	rp_config_free(&eng->cfg);
	pthread_mutex_destroy(&eng->datasets_lock);
	pthread_mutex_destroy(&eng->gate_lock);
	pthread_cond_destroy(&eng->gate_cond);
	free(eng);
}

rp_status rp_engine_expand(const rp_instance *self, const char *tmpl,
			   const rp_dataset *ds, const rp_artifact *a,
			   char **out, char *err, size_t errlen)
{
	const rp_engine *eng = self->eng;
	rp_template_ctx ctx = {
		.pipeline = eng->name,
		/* Sample values at check time, so paths can be compared. */
		.source = ds ? ds->meta.source : "SOURCE",
		.account_id = ds ? ds->meta.account_id : "000000000000",
		.format = a ? a->name : "",
		.ext = a ? a->extension : "",
		.date = ds ? ds->meta.generated_time : eng->info.run_time,
		.now = eng->info.run_time,
	};

	return rp_template_expand(tmpl, &ctx, out, err, errlen);
}

static double ms_between(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1->tv_nsec - t0->tv_nsec) / 1e6;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ms_between(t0, &t1);
}

static const char *instance_error(rp_instance *in, rp_status st)
{
	return in->error ? in->error : rp_status_str(st);
}

static void clear_error(rp_instance *in)
{
	free(in->error);
	in->error = NULL;
}

static int run_sources(rp_engine *eng)
{
	int failed = 0;

	for (size_t i = 0; i < eng->ninst; i++) {
		rp_instance *in = &eng->inst[i];
		size_t before = eng->ndatasets;
		struct timespec t0;
		rp_status st;

		if (in->sec->kind != RP_SECTION_SOURCE)
			continue;
		if (stop_requested(in->where)) {
			failed++;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clear_error(in);
		st = in->plugin->desc.produce(in, &rp_host_services);
		if (st == RP_ERR_PARTIAL) {
			/* Some accounts failed, the others' datasets are good. */
			rp_log(RP_LOG_ERROR, in->where, "%s", instance_error(in, st));
			failed++;
		} else if (st) {
			rp_log(RP_LOG_ERROR, in->where, "%s", instance_error(in, st));
			/* A failing source delivers nothing, not half. */
			for (size_t d = before; d < eng->ndatasets; d++)
				rp_dataset_free(eng->datasets[d].ds);
			eng->ndatasets = before;
			failed++;
			continue;
		}
		for (size_t d = before; d < eng->ndatasets; d++) {
			const rp_dataset *ds = eng->datasets[d].ds;

			rp_log(RP_LOG_INFO, in->where,
			       "%zu rows for account %s from %s (%.1f ms)",
			       ds->table.nrows, ds->meta.account_id, ds->origin,
			       ms_since(&t0));
		}
		if (eng->ndatasets == before)
			rp_log(RP_LOG_WARN, in->where, "produced no dataset");
	}
	return failed;
}

static void dry_run_sink(rp_engine *eng, rp_instance *sink,
			 const rp_dataset *ds, const rp_artifact *const *arts)
{
	for (size_t k = 0; k < sink->ninputs; k++) {
		const rp_artifact *a = arts[k];
		char *line = NULL;
		rp_status st = RP_OK;

		if (sink->plugin->desc.preview)
			st = sink->plugin->desc.preview(sink, &rp_host_services, ds, a,
							&line);
		fprintf(eng->out, "  %s would deliver format.%s (%s, %zu bytes)%s%s\n",
			sink->where, a->name, a->media_type, a->buf.len,
			line ? ": " : "", line ? line : "");
		if (st)
			fprintf(eng->out, "  %s: preview failed: %s\n", sink->where,
				instance_error(sink, st));
		free(line);
	}
}

/* Calls one sink; logs the outcome.  Returns nonzero on failure. */
static int deliver_to(rp_instance *sink, const rp_dataset *ds,
		      const rp_artifact *const *arts, const char *what)
{
	struct timespec t0;
	rp_status st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	clear_error(sink);
	st = sink->plugin->desc.deliver(sink, &rp_host_services, ds, arts,
					sink->ninputs);
	if (st) {
		rp_log(RP_LOG_ERROR, sink->where,
		       "not delivered %s (account %s): %s", what, ds->meta.account_id,
		       instance_error(sink, st));
		return 1;
	}
	rp_log(RP_LOG_INFO, sink->where, "delivered %s (%.1f ms)", what,
	       ms_since(&t0));
	return 0;
}

static rp_instance *find_sink(rp_engine *eng, const char *name)
{
	for (size_t i = 0; i < eng->ninst; i++)
		if (eng->inst[i].sec->kind == RP_SECTION_SINK &&
		    strcmp(eng->inst[i].sec->inst, name) == 0)
			return &eng->inst[i];
	return NULL;
}

/* Delivers what earlier runs could not.  Returns the failures. */
static size_t replay_spool(rp_engine *eng)
{
	char **dirs = NULL, err[1024];
	size_t n = 0, failures = 0;

	if (rp_spool_list(eng->state_dir, &dirs, &n))
		return 1;
	for (size_t i = 0; i < n; i++) {
		rp_spool_entry e;

		err[0] = '\0';
		if (rp_spool_load(dirs[i], &e, err, sizeof(err))) {
			rp_log(RP_LOG_ERROR, "spool", "%s; entry kept", err);
			failures++;
			continue;
		}
		for (size_t p = 0; p < e.npending; p++) {
			rp_instance *sink = find_sink(eng, e.pending[p]);

			if (stop_requested("the spool")) {
				failures++;
				break;
			}
			rp_artifact *arts = NULL;
			const rp_artifact **chosen = NULL;
			const char *missing = NULL;
			char what[160];

			if (!sink) {
				rp_log(RP_LOG_ERROR, "spool",
				       "%s: [sink.%s] is no longer in the pipeline; delete the entry if it is not needed",
				       e.dir, e.pending[p]);
				failures++;
				continue;
			}
			arts = calloc(sink->ninputs + 1, sizeof(*arts));
			chosen = calloc(sink->ninputs + 1, sizeof(*chosen));
			for (size_t k = 0; arts && chosen && k < sink->ninputs; k++) {
				const rp_spooled_artifact *sa = NULL;

				for (size_t j = 0; j < e.narts; j++)
					if (!strcmp(e.arts[j].format, sink->inputs[k]->sec->inst))
						sa = &e.arts[j];
				if (!sa) {
					missing = sink->inputs[k]->sec->inst;
					break;
				}
				arts[k].format = NULL;
				arts[k].name = sa->format;
				arts[k].media_type = sa->media_type;
				arts[k].extension = sa->extension;
				arts[k].buf.data = sa->data;
				arts[k].buf.len = sa->len;
				chosen[k] = &arts[k];
			}
			snprintf(what, sizeof(what), "from the spool (%s, source.%s)",
				 e.id, e.ds->meta.source);
			if (!arts || !chosen) {
				failures++;
			} else if (missing) {
				rp_log(RP_LOG_ERROR, sink->where,
				       "spool entry %s has no artifact of format.%s, which the sink now takes; entry kept",
				       e.dir, missing);
				failures++;
			} else if (deliver_to(sink, e.ds, chosen, what)) {
				failures++;
			} else if (rp_spool_done(e.dir, e.pending[p], err, sizeof(err))) {
				rp_log(RP_LOG_ERROR, "spool", "%s", err);
			}
			free(arts);
			free(chosen);
		}
		rp_spool_entry_free(&e);
	}
	rp_strv_free(dirs, n);
	return failures;
}

/* Renders every format for one dataset; a failed one has name NULL. */
/* Renders the formats of one dataset, or (ed NULL) those with scope =
 * run; the others' slots stay empty. */
static void render_all(rp_engine *eng, const rp_engine_dataset *ed,
		       rp_artifact *arts)
{
	size_t f = 0;

	for (size_t i = 0; i < eng->ninst; i++) {
		rp_instance *in = &eng->inst[i];
		struct timespec t0, c0, c1;
		rp_status st;

		if (in->sec->kind != RP_SECTION_FORMAT)
			continue;
		if (in->run_scope != (ed == NULL)) {
			memset(&arts[f++], 0, sizeof(*arts));
			continue;
		}
		arts[f] = in->proto;
		/* Artifacts run to megabytes: huge pages past 2 MB. */
		arts[f].buf.early = 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* The thread's CPU, apart from the wall: what the formatter
		 * itself cost, without waiting on a shared machine (issue #7's
		 * formatting target is judged on it). */
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		clear_error(in);
		eng->render_ds = ed ? ed->ds : NULL;
		eng->render_arts = arts;
		eng->render_n = f;
		st = in->plugin->desc.render(in, &rp_host_services,
					     ed ? ed->ds : NULL, &arts[f]);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		eng->render_ds = NULL;
		eng->render_arts = NULL;
		if (st) {
			rp_log(RP_LOG_ERROR, in->where, "%s: %s",
			       ed ? ed->source->where : "the run",
			       instance_error(in, st));
			rp_buf_free(&arts[f].buf);
			arts[f].name = NULL;
		} else {
			rp_log(RP_LOG_INFO, in->where, "%zu bytes (%.1f ms, %.1f ms CPU)",
			       arts[f].buf.len, ms_since(&t0), ms_between(&c0, &c1));
		}
		f++;
	}
}

/* The artifacts a sink takes, in `input =` order; the name of a format
 * that failed to render, or NULL. */
static const char *choose(rp_engine *eng, const rp_instance *sink,
			  rp_artifact *arts, const rp_artifact **chosen)
{
	for (size_t k = 0; k < sink->ninputs; k++) {
		size_t idx = 0;

		for (size_t j = 0; j < eng->ninst; j++) {
			if (&eng->inst[j] == sink->inputs[k])
				break;
			idx += eng->inst[j].sec->kind == RP_SECTION_FORMAT;
		}
		chosen[k] = &arts[idx];
		if (!arts[idx].name)
			return sink->inputs[k]->where;
	}
	return NULL;
}

/* One sink's delivery of one dataset, run on a thread of its own when
 * the sink is RP_PLUGIN_CONCURRENT; the sinks that are not take turns in
 * one lane beside them. */
typedef struct sink_job {
	rp_instance *sink;
	const rp_artifact **arts; /* its inputs, in `input =` order */
	int failed;
} sink_job;

/* What goes to disk before anything is delivered: the history's copy of
 * the dataset, then the spool entry of what the sinks are about to get. */
typedef struct write_ahead {
	int history;              /* save ds to the history first */
	const rp_spooled_artifact *keep;
	size_t nkeep;
	const char *const *pending; /* the sinks, each crossed off when done */
	size_t npending;
	char *entry;              /* the spool entry written, or NULL */
	int done;
} write_ahead;

typedef struct delivery {
	rp_engine *eng;
	sink_job *jobs;           /* early, then other concurrent, then the rest */
	size_t njobs, nconc, nearly;
	const rp_dataset *ds;
	const char *what;
	write_ahead *wa;          /* lane 0 writes it when the lanes run */
	pthread_mutex_t lock;     /* over the entry's list of pending sinks */
} delivery;

static int concurrent(const rp_instance *sink)
{
	return (sink->plugin->desc.flags & RP_PLUGIN_CONCURRENT) != 0;
}

static int early(const rp_instance *sink)
{
	return concurrent(sink) &&
	       (sink->plugin->desc.flags & RP_PLUGIN_EARLY_START) != 0;
}

static void gate_set(rp_engine *eng, int closed)
{
	pthread_mutex_lock(&eng->gate_lock);
	eng->gate_closed = closed;
	if (!closed)
		pthread_cond_broadcast(&eng->gate_cond);
	pthread_mutex_unlock(&eng->gate_lock);
}

void rp_engine_gate_wait(rp_engine *eng)
{
	pthread_mutex_lock(&eng->gate_lock);
	while (eng->gate_closed)
		pthread_cond_wait(&eng->gate_cond, &eng->gate_lock);
	pthread_mutex_unlock(&eng->gate_lock);
}

/* The spool entry, then the history (which links the entry's copy of
 * the table: never changed, and kept by the link when the entry goes).
 * A failure is logged and delivery goes on: the report is not held back
 * because the disk is full. */
static void write_ahead_now(rp_engine *eng, const rp_dataset *ds,
			    write_ahead *wa)
{
	char err[1024], *table = NULL;
	const char *delay = getenv("RP_TEST_WRITE_AHEAD_DELAY_MS");

	/* A test hook: a slow disk, to show that early sinks wait for it. */
	if (delay && *delay) {
		long ms = strtol(delay, NULL, 10);
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

		if (ms > 0 && ms < 60000)
			nanosleep(&ts, NULL);
	}
	err[0] = '\0';
	if (wa->npending &&
	    rp_spool_write(eng->state_dir, ds, wa->keep, wa->nkeep, wa->pending,
			   wa->npending, &wa->entry, err, sizeof(err)))
		rp_log(RP_LOG_ERROR, "spool",
		       "%s; delivering anyway, but what fails now cannot be retried",
		       err);
	if (wa->history) {
		/* This report is the next run's "previous" (changes formatter). */
		table = wa->entry ? rp_path_join(wa->entry, "dataset.csv") : NULL;
		err[0] = '\0';
		if (rp_history_save(eng->state_dir, ds, eng->history_keep, table,
				    err, sizeof(err)))
			rp_log(RP_LOG_WARN, "history", "%s; the next change ledger will not see this report",
			       err[0] ? err : "cannot save the report");
		free(table);
	}
	wa->done = 1;
}

/* Delivers job k and at once crosses the sink off the spool entry, so
 * that a crash a moment later does not deliver it twice. */
static void deliver_one(delivery *d, size_t k)
{
	sink_job *j = &d->jobs[k];
	char err[1024];

	j->failed = rp_engine_stopping() ||
		    deliver_to(j->sink, d->ds, j->arts, d->what);
	/* An early sink may be done (or have failed) before its entry is. */
	rp_engine_gate_wait(d->eng);
	if (!d->wa->entry)
		return;
	if (j->failed) {
		rp_log(RP_LOG_WARN, j->sink->where, "kept in %s for the next run",
		       d->wa->entry);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (rp_spool_done(d->wa->entry, j->sink->sec->inst, err, sizeof(err)))
		rp_log(RP_LOG_ERROR, "spool", "%s", err);
	pthread_mutex_unlock(&d->lock);
}

/* Lane 0: the write-ahead, then the gate opens.  Lanes 1 to nearly: the
 * sinks that start early, whose requests wait at the gate.  Then, once
 * the gate is open, each other concurrent sink, and last the sinks that
 * are not concurrent, one after another. */
static void deliver_lane(void *arg, size_t i)
{
	delivery *d = arg;

	if (i == 0) {
		write_ahead_now(d->eng, d->ds, d->wa);
		gate_set(d->eng, 0);
		return;
	}
	i--;
	if (i >= d->nearly)
		rp_engine_gate_wait(d->eng);
	if (i < d->nconc) {
		deliver_one(d, i);
		return;
	}
	for (size_t k = d->nconc; k < d->njobs; k++)
		deliver_one(d, k);
}

/* Writes wa and delivers to every sink of the scope that has all its
 * inputs: the concurrent ones at once (those that start early while wa
 * is written), each crossed off the spool entry as it is done.  Returns
 * the failures. */
static size_t deliver_sinks(rp_engine *eng, const rp_dataset *ds,
			    const char *label, const char *what, int run_scope,
			    rp_artifact *arts, write_ahead *wa)
{
	delivery d = {.eng = eng, .ds = ds, .what = what, .wa = wa};
	sink_job *seq, *other;
	size_t failures = 0, nseq = 0, nother = 0;
	rp_http *h;

	d.jobs = calloc(eng->ninst + 1, sizeof(*d.jobs));
	seq = calloc(eng->ninst + 1, sizeof(*seq));
	other = calloc(eng->ninst + 1, sizeof(*other));
	if (!d.jobs || !seq || !other) {
		free(d.jobs);
		free(seq);
		free(other);
		rp_log(RP_LOG_ERROR, NULL, "out of memory; nothing delivered");
		write_ahead_now(eng, ds, wa);
		return 1;
	}
	for (size_t i = 0; i < eng->ninst; i++) {
		rp_instance *in = &eng->inst[i];
		const rp_artifact **chosen;
		const char *missing;

		if (in->sec->kind != RP_SECTION_SINK || in->run_scope != run_scope)
			continue;
		chosen = calloc(in->ninputs + 1, sizeof(*chosen));
		missing = chosen ? choose(eng, in, arts, chosen) : "memory";
		if (stop_requested(in->where)) {
			failures++;
			free(chosen);
		} else if (missing) {
			rp_log(RP_LOG_ERROR, in->where,
			       "not delivered for %s (account %s): %s failed",
			       label, ds->meta.account_id, missing);
			failures++;
			free(chosen);
		} else if (early(in)) {
			d.jobs[d.nearly++] = (sink_job){.sink = in, .arts = chosen};
		} else if (concurrent(in)) {
			other[nother++] = (sink_job){.sink = in, .arts = chosen};
		} else {
			seq[nseq++] = (sink_job){.sink = in, .arts = chosen};
		}
	}
	memcpy(d.jobs + d.nearly, other, nother * sizeof(*other));
	d.nconc = d.nearly + nother;
	memcpy(d.jobs + d.nconc, seq, nseq * sizeof(*seq));
	free(seq);
	free(other);
	d.njobs = d.nconc + nseq;
	pthread_mutex_init(&d.lock, NULL);
	/* libcurl's global state is set up before any thread needs it;
	 * without it every sink takes its turn on this thread.  Lane 0 (the
	 * write-ahead) is taken first, so it runs even on one thread. */
	if (d.nconc && !rp_engine_http(eng, &h)) {
		gate_set(eng, 1);
		rp_parallel(d.jobs[0].sink, d.nconc + 2, (unsigned)(d.nconc + 2),
			    deliver_lane, &d);
		gate_set(eng, 0);
		/* Interrupted before lane 0 ran: keep the report all the same. */
		if (!wa->done)
			write_ahead_now(eng, ds, wa);
	} else {
		write_ahead_now(eng, ds, wa);
		for (size_t k = 0; k < d.njobs; k++)
			deliver_one(&d, k);
	}
	for (size_t k = 0; k < d.njobs; k++) {
		failures += d.jobs[k].failed != 0;
		free(d.jobs[k].arts);
	}
	pthread_mutex_destroy(&d.lock);
	free(d.jobs);
	return failures;
}

/* Hands what was rendered for ds to the sinks of one scope: write-ahead
 * spool, then each sink; with dry_run, says what each would get.  label
 * names whose artifacts they are in messages.  Returns the failures. */
static size_t deliver_all(rp_engine *eng, const rp_dataset *ds, int history,
			  const char *label, int run_scope, rp_artifact *arts,
			  size_t nformat, const rp_artifact **chosen,
			  int dry_run)
{
	const char *pending[256];
	rp_spooled_artifact keep[64];
	size_t npending = 0, nkeep = 0, failures = 0;
	write_ahead wa = {.history = history};
	char what[128];

	if (dry_run) {
		fprintf(eng->out, "%s: %zu rows, account %s\n", label,
			ds->table.nrows, ds->meta.account_id);
		for (size_t i = 0; i < eng->ninst; i++) {
			rp_instance *in = &eng->inst[i];
			const char *missing;

			if (in->sec->kind != RP_SECTION_SINK ||
			    in->run_scope != run_scope)
				continue;
			missing = choose(eng, in, arts, chosen);
			if (missing)
				fprintf(eng->out, "  %s would deliver nothing: %s failed\n",
					in->where, missing);
			else
				dry_run_sink(eng, in, ds, chosen);
		}
		/* Plain-text renderings (text_summary) are meant for people:
		 * show them, so a dry run answers "what would they read". */
		for (size_t k = 0; k < nformat; k++)
			if (arts[k].name &&
			    strncmp(arts[k].media_type, "text/plain", 10) == 0) {
				fprintf(eng->out, "\n--- format.%s ---\n", arts[k].name);
				fwrite(arts[k].buf.data ? arts[k].buf.data : "", 1,
				       arts[k].buf.len, eng->out);
				if (arts[k].buf.len &&
				    arts[k].buf.data[arts[k].buf.len - 1] != '\n')
					fputc('\n', eng->out);
			}
		return 0;
	}
	/* Write-ahead: what the sinks are about to get is on disk first. */
	for (size_t k = 0; k < nformat && nkeep < 64; k++)
		if (arts[k].name)
			keep[nkeep++] = (rp_spooled_artifact){
				(char *)arts[k].name, (char *)arts[k].media_type,
				(char *)arts[k].extension, arts[k].buf.data, arts[k].buf.len};
	for (size_t i = 0; i < eng->ninst && npending < 256; i++)
		if (eng->inst[i].sec->kind == RP_SECTION_SINK &&
		    eng->inst[i].run_scope == run_scope &&
		    !choose(eng, &eng->inst[i], arts, chosen))
			pending[npending++] = eng->inst[i].sec->inst;
	wa.keep = keep;
	wa.nkeep = nkeep;
	wa.pending = pending;
	wa.npending = npending;
	snprintf(what, sizeof(what), "for %s", label);
	failures += deliver_sinks(eng, ds, label, what, run_scope, arts, &wa);
	free(wa.entry);
	return failures;
}

static size_t run_dataset(rp_engine *eng, const rp_engine_dataset *ed,
			  rp_artifact *arts, size_t nformat,
			  const rp_artifact **chosen, int dry_run)
{
	render_all(eng, ed, arts);
	return deliver_all(eng, ed->ds, 1, ed->source->where, 0, arts, nformat,
			   chosen, dry_run);
}

static void dataset_cache_clear(rp_engine_dataset *ed)
{
	rp_dataset_cache_clear(ed->ds);
	rp_dataset_cache_clear(ed->previous);
}

/* The formats with scope = run, rendered once over every dataset, and
 * their sinks, given a dataset that stands for the whole run. */
static size_t run_whole(rp_engine *eng, rp_artifact *arts, size_t nformat,
			const rp_artifact **chosen, int dry_run)
{
	rp_dataset *r = &eng->run_ds;
	int any = 0;

	for (size_t i = 0; i < eng->ninst; i++)
		any |= eng->inst[i].sec->kind == RP_SECTION_FORMAT &&
		       eng->inst[i].run_scope;
	if (!any)
		return 0;
	memset(r, 0, sizeof(*r));
	r->meta.source = "run";
	r->meta.account_id = "all";
	r->meta.partition = eng->datasets[0].ds->meta.partition;
	r->origin = (char *)"the run";
	for (size_t d = 0; d < eng->ndatasets; d++)
		if (eng->datasets[d].ds->meta.generated_time > r->meta.generated_time)
			r->meta.generated_time = eng->datasets[d].ds->meta.generated_time;
	render_all(eng, NULL, arts);
	return deliver_all(eng, r, 0, "the run", 1, arts, nformat, chosen,
			   dry_run);
}

/* Takes the lock and creates state_dir.  Returns an RP_EXIT_* code. */
static int prepare_state(rp_engine *eng, int *lock)
{
	char err[1024];
	rp_status st;

	*lock = -1;
	st = rp_mkdirs(eng->state_dir, 0700, err, sizeof(err));
	if (!st)
		st = rp_lock_acquire(eng->state_dir, lock, err, sizeof(err));
	if (st == RP_ERR_EXISTS) {
		rp_log(RP_LOG_ERROR, NULL, "%s", err);
		return RP_EXIT_LOCKED;
	}
	if (st) {
		rp_log(RP_LOG_ERROR, NULL,
		       "state_dir: %s; nothing was run: make state_dir a directory this user can write (it holds the spool, the history and the lock) or set state_dir elsewhere",
		       err);
		return RP_EXIT_CONFIG;
	}
	return RP_EXIT_OK;
}

int rp_engine_retry(rp_engine *eng)
{
	int lock, rc = prepare_state(eng, &lock);
	size_t failures;

	if (rc)
		return rc;
	failures = replay_spool(eng);
	rp_lock_release(lock);
	if (failures) {
		rp_log(RP_LOG_ERROR, NULL, "pipeline '%s': %zu spooled deliver%s failed",
		       eng->name, failures, failures == 1 ? "y" : "ies");
		return RP_EXIT_DELIVERY;
	}
	return RP_EXIT_OK;
}

int rp_engine_run(rp_engine *eng, int dry_run)
{
	size_t nformat = 0, failures = 0;
	rp_artifact *arts = NULL;
	const rp_artifact **chosen = NULL;
	int source_failures, lock = -1, rc, run_scope = 0;

	eng->info.dry_run = dry_run;
	if (!dry_run) {
		rc = prepare_state(eng, &lock);
		if (rc)
			return rc;
		failures += replay_spool(eng);
	}
	source_failures = run_sources(eng);
	if (eng->ndatasets == 0) {
		rp_log(RP_LOG_ERROR, NULL,
		       "pipeline '%s': no source produced a dataset; nothing was delivered",
		       eng->name);
		rp_lock_release(lock);
		return RP_EXIT_SOURCE;
	}
	for (size_t i = 0; i < eng->ninst; i++)
		nformat += eng->inst[i].sec->kind == RP_SECTION_FORMAT;
	arts = calloc(nformat ? nformat : 1, sizeof(*arts));
	chosen = calloc(eng->ninst ? eng->ninst : 1, sizeof(*chosen));
	if (!arts || !chosen) {
		free(arts);
		free(chosen);
		rp_log(RP_LOG_ERROR, NULL, "out of memory");
		rp_lock_release(lock);
		return RP_EXIT_DELIVERY;
	}
	if (dry_run)
		fprintf(eng->out, "dry run of pipeline '%s': nothing is delivered\n",
			eng->name);
	for (size_t i = 0; i < eng->ninst; i++)
		run_scope |= eng->inst[i].sec->kind == RP_SECTION_FORMAT &&
			     eng->inst[i].run_scope;
	for (size_t d = 0; d < eng->ndatasets; d++) {
		failures += run_dataset(eng, &eng->datasets[d], arts, nformat, chosen,
					dry_run);
		for (size_t k = 0; k < nformat; k++)
			rp_buf_free(&arts[k].buf);
		/* What the formatters shared for this dataset (ds_cache_put):
		 * a formatter with scope = run renders it again at the end. */
		if (!run_scope)
			dataset_cache_clear(&eng->datasets[d]);
	}
	failures += run_whole(eng, arts, nformat, chosen, dry_run);
	for (size_t k = 0; k < nformat; k++)
		rp_buf_free(&arts[k].buf);
	for (size_t d = 0; d < eng->ndatasets; d++)
		dataset_cache_clear(&eng->datasets[d]);
	rp_dataset_cache_clear(&eng->run_ds);
	free(arts);
	free(chosen);
	rp_lock_release(lock);
	/* A signal after the last step still makes the run a failure. */
	if (stop_requested("the end of the run") && !failures)
		failures++;
	if (failures || source_failures) {
		rp_log(RP_LOG_ERROR, NULL,
		       "pipeline '%s': %zu delivery failure%s, %d source failure%s",
		       eng->name, failures, failures == 1 ? "" : "s",
		       source_failures, source_failures == 1 ? "" : "s");
		return RP_EXIT_DELIVERY;
	}
	return RP_EXIT_OK;
}

static void print_options(const rp_optset *set, FILE *f)
{
	for (size_t i = 0; i < set->n; i++) {
		const rp_optval *v = &set->v[i];

		if (!v->text)
			continue;
		fprintf(f, "    %-14s = ", v->def->key);
		if (v->def->flags & RP_OPT_SECRET) {
			fputs("(hidden)", f);
		} else if (v->def->type == RP_OPT_LIST) {
			/* Continuation lines would break the layout. */
			for (size_t k = 0; k < v->list.count; k++)
				fprintf(f, "%s%s", k ? ", " : "", v->list.items[k]);
		} else {
			for (const char *p = v->text; *p; p++)
				fputc(*p == '\n' ? ' ' : *p, f);
		}
		fprintf(f, "%s\n", v->is_set ? "" : "  (default)");
	}
}

void rp_engine_print_wiring(const rp_engine *eng, FILE *f)
{
	char *cfgpath = realpath(eng->cfg.path, NULL);

	fprintf(f, "pipeline '%s' (%s)\n", eng->name,
		cfgpath ? cfgpath : eng->cfg.path);
	free(cfgpath);
	fprintf(f, "    %-14s = %s\n", "state_dir", eng->state_dir);
	fprintf(f, "    %-14s = %s\n", "timezone", eng->timezone);
	for (size_t i = 0; i < eng->reg.ndirs; i++)
		fprintf(f, "    %-14s %s %s\n", i ? "" : "plugin dirs", i ? " " : "=",
			eng->reg.dirs[i]);
	for (size_t i = 0; i < eng->ninst; i++) {
		const rp_instance *in = &eng->inst[i];

		fprintf(f, "[%s] plugin %s (%s)\n", in->sec->name,
			in->plugin->desc.name, in->plugin->file);
		print_options(&in->opts, f);
	}
	fprintf(f, "wiring:\n");
	for (size_t i = 0; i < eng->ninst; i++) {
		const rp_instance *s = &eng->inst[i];

		if (s->sec->kind != RP_SECTION_SOURCE)
			continue;
		for (size_t j = 0; j < eng->ninst; j++) {
			const rp_instance *k = &eng->inst[j];

			if (k->sec->kind != RP_SECTION_SINK)
				continue;
			fprintf(f, "    %s -> ", s->where);
			for (size_t n = 0; n < k->ninputs; n++)
				fprintf(f, "%s%s", n ? ", " : "", k->inputs[n]->where);
			fprintf(f, " -> %s\n", k->where);
		}
	}
}

rp_status rp_engine_http(rp_engine *eng, rp_http **out)
{
	rp_status st = RP_OK;

	if (!eng->http)
		st = rp_http_new(&eng->http);
	*out = eng->http;
	return st;
}

/* Each section has its own connection, created on first use: sinks may
 * deliver on threads of their own (RP_PLUGIN_CONCURRENT). */
rp_status rp_instance_http(rp_instance *in, rp_http **out)
{
	rp_status st = RP_OK;

	if (!in->http)
		st = rp_http_new(&in->http);
	*out = in->http;
	return st;
}

static const char *opt_text(const rp_instance *in, const char *key)
{
	const rp_optval *v = rp_optset_get(&in->opts, key);

	return v ? v->text : NULL;
}

rp_status rp_instance_aws(rp_instance *in, rp_aws_client **out, char *err,
			  size_t errlen)
{
	const rp_optval *ma, *rt, *ah;
	rp_http *http;
	rp_status st;

	*out = in->aws;
	if (in->aws)
		return RP_OK;
	if (!rp_optset_get(&in->opts, "profile")) {
		snprintf(err, errlen,
			 "plugin bug: '%s' makes AWS requests but has no RP_AWS_OPTIONS in its option table",
			 in->plugin->desc.name);
		return RP_ERR_INVALID;
	}
	st = rp_instance_http(in, &http);
	if (st)
		return st;
	ma = rp_optset_get(&in->opts, "max_attempts");
	rt = rp_optset_get(&in->opts, "request_timeout");
	ah = rp_optset_get(&in->opts, "allow_http");
	{
		rp_aws_config cfg = {
			.profile = opt_text(in, "profile"),
			.role_arn = opt_text(in, "role_arn"),
			.external_id = opt_text(in, "external_id"),
			.role_session_name = opt_text(in, "role_session_name"),
			.region = opt_text(in, "region"),
			.endpoint_url = opt_text(in, "endpoint_url"),
			.ca_file = opt_text(in, "ca_file"),
			.allow_http = ah ? ah->b : 0,
			.max_attempts = ma && ma->is_set ? (int)ma->i : 0,
			.timeout_ms = rt ? (long)rt->i : 0,
		};
		st = rp_aws_client_new(http, &cfg, &in->aws, err, errlen);
	}
	*out = in->aws;
	return st;
}

int rp_engine_check_online(rp_engine *eng, FILE *f)
{
	int rc = RP_EXIT_OK, any = 0;

	for (size_t i = 0; i < eng->ninst; i++) {
		rp_instance *in = &eng->inst[i];
		char *account = NULL, *arn = NULL;
		rp_status st;

		if (!rp_optset_get(&in->opts, "profile"))
			continue;
		any = 1;
		st = rp_host_services.aws_caller_identity(in, &account, &arn);
		if (st) {
			rp_log(RP_LOG_ERROR, in->where, "%s",
			       in->error ? in->error : rp_status_str(st));
			rc = RP_EXIT_CONFIG;
		} else {
			const rp_aws_credentials *c = NULL;
			char e[64];

			rp_aws_client_credentials(in->aws, &c, e, sizeof(e));
			fprintf(f, "%s: runs as %s (account %s; credentials from %s)\n",
				in->where, arn, account,
				c && c->provider ? c->provider : "the chain");
		}
		free(account);
		free(arn);
	}
	if (!any)
		fprintf(f, "no section of this pipeline calls AWS\n");
	return rc;
}

const rp_dataset *rp_engine_previous(rp_instance *in, const rp_dataset *ds)
{
	rp_engine *eng = in->eng;
	char err[1024] = "";

	for (size_t i = 0; i < eng->ndatasets; i++) {
		rp_engine_dataset *ed = &eng->datasets[i];

		if (ed->ds != ds)
			continue;
		if (!ed->previous_loaded) {
			ed->previous_loaded = 1;
			if (rp_history_previous(eng->state_dir, ds, &ed->previous, err,
						sizeof(err)))
				rp_log(RP_LOG_WARN, "history", "%s; treating this as the first report",
				       err[0] ? err : "cannot read the history");
		}
		return ed->previous;
	}
	return NULL; /* a report from the spool: no ledger context */
}

const rp_artifact *rp_engine_rendered(rp_instance *in, const rp_dataset *ds,
				      size_t i)
{
	const rp_engine *eng = in->eng;

	if (!ds || ds != eng->render_ds)
		return NULL;
	for (size_t k = 0; k < eng->render_n; k++)
		if (eng->render_arts[k].name && i-- == 0)
			return &eng->render_arts[k];
	return NULL;
}
