/* main.c - the command line: run, check, retry, plugins. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "manpage.h"

static const char usage_text[] =
	"Usage: reportpipe run -c FILE [--dry-run] [-v|-q] [--log-format text|json]\n"
	"       reportpipe -c FILE            (same as run)\n"
	"       reportpipe check -c FILE [--online]\n"
	"       reportpipe retry -c FILE      (deliver only what earlier runs could not)\n"
	"       reportpipe plugins [NAME | --man]\n"
	"       reportpipe --help | --version\n"
	"\n"
	"Produces the AWS IAM user register from a pipeline file: sources fetch\n"
	"the credential report, formatters render it, sinks deliver it.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE  the pipeline file (INI)\n"
	"  -n, --dry-run      run sources and formatters, print what each sink\n"
	"                     would deliver, deliver nothing\n"
	"  -v, --verbose      log each step with timings (twice: debug)\n"
	"  -q, --quiet        log errors only\n"
	"      --log-format F text (default) or json: one JSON object per line\n"
	"                     (time, level, pipeline, where, message)\n"
	"      --online       (check) ask AWS STS who each AWS section runs as\n"
	"      --man          (plugins) the built-in option tables as roff, for\n"
	"                     reportpipe.ini(5)\n"
	"  -h, --help         this help\n"
	"  -V, --version      the version and plugin ABI\n"
	"\n"
	"Exit status:\n"
	"  0  everything delivered (check: the file is valid)\n"
	"  1  some delivery failed\n"
	"  2  usage or configuration error; nothing was done\n"
	"  3  a source failed; nothing to deliver\n"
	"  4  another run of this pipeline is in progress (the lock in state_dir)\n"
	"\n"
	"Environment: REPORTPIPE_PLUGIN_PATH (colon-separated plugin directories,\n"
	"searched after the file's plugin_path and before " PKGLIBDIR ").\n"
	"See reportpipe(1) and reportpipe.ini(5).\n";

/* Run from the build tree (not installed), the plugins are next to the
 * binary in plugins/.libs; installed, they are in pkglibdir.  Comparing
 * the binary's real directory with the build directory keeps an installed
 * reportpipe from ever loading modules out of a build tree. */
static const char *builtin_plugin_dir(void)
{
	char self[PATH_MAX], *dir, *build;
	const char *result = PKGLIBDIR;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return result;
	self[n] = '\0';
	dir = rp_path_dirname(self);
	build = realpath(RP_BUILDDIR, NULL);
	if (dir && build && strcmp(dir, build) == 0)
		result = RP_BUILDDIR "/plugins/.libs";
	free(dir);
	free(build);
	return result;
}

/* check_only: 0 run, 1 check, 2 check --online, 3 retry. */
static int cmd_run(const char *file, int check_only, int dry_run)
{
	const char *builtin = builtin_plugin_dir();
	rp_engine *eng = NULL;
	char err[2048];
	rp_status st;
	int rc;

	st = rp_engine_open(file, &builtin, 1, &eng, err, sizeof(err));
	if (st) {
		rp_log(RP_LOG_ERROR, NULL, "%s", st == RP_ERR_NOMEM ? "out of memory" : err);
		return RP_EXIT_CONFIG;
	}
	st = rp_log_set_pipeline(eng->name);
	/* [pipeline] log: run and retry go to syslog; check is someone at a
	 * terminal validating the file, so it keeps stderr. */
	if (!st && check_only != 1 && check_only != 2 &&
	    strcmp(rp_optset_get(&eng->pipe_opts, "log")->text, "syslog") == 0)
		st = rp_log_use_syslog(eng->name, rp_log_facility_code(
			rp_optset_get(&eng->pipe_opts, "log_facility")->text));
	if (st) {
		rp_log(RP_LOG_ERROR, NULL, "out of memory");
		rp_engine_close(eng);
		rp_log_close();
		return RP_EXIT_CONFIG;
	}
	if (check_only == 3) {
		rc = rp_engine_retry(eng);
		rp_engine_close(eng);
		rp_log_close();
		return rc;
	}
	if (check_only) {
		rp_engine_print_wiring(eng, stdout);
		rc = check_only > 1 ? rp_engine_check_online(eng, stdout) : RP_EXIT_OK;
		rp_engine_close(eng);
		rp_log_close();
		return rc;
	}
	rc = rp_engine_run(eng, dry_run);
	rp_engine_close(eng);
	rp_log_close();
	return rc;
}

static void print_plugin(const rp_loaded_plugin *lp)
{
	const rp_plugin *d = &lp->desc;

	printf("%s (%s): %s\n", d->name, rp_kind_name(d->kind),
	       d->description ? d->description : "");
	printf("  module: %s (plugin ABI %u.%u)\n", lp->file, d->abi_major,
	       d->abi_minor);
	if (d->kind == RP_KIND_FORMATTER)
		printf("  produces: %s, extension .%s\n", d->media_type, d->extension);
	printf("\noptions:\n");
	printf("  %-16s %s\n      %s\n", "plugin", "string, required",
	       "this plugin's name");
	if (d->kind == RP_KIND_SINK)
		printf("  %-16s %s\n      %s\n", "input", "list, required",
		       "the [format.NAME] sections whose artifacts this sink delivers");
	for (const rp_option *o = d->options; o && o->key; o++) {
		char type[256];
		int n = snprintf(type, sizeof(type), "%s",
				 o->type == RP_OPT_ENUM ? o->choices
							: rp_option_type_name(o->type));

		if ((o->flags & RP_OPT_OCTAL) && n > 0)
			n += snprintf(type + n, sizeof(type) - (size_t)n, " (octal)");
		if ((o->flags & RP_OPT_REQUIRED) && n > 0)
			n += snprintf(type + n, sizeof(type) - (size_t)n, ", required");
		if (o->default_value && n > 0)
			n += snprintf(type + n, sizeof(type) - (size_t)n,
				      ", default %s", o->default_value);
		if ((o->flags & RP_OPT_TEMPLATE) && n > 0)
			n += snprintf(type + n, sizeof(type) - (size_t)n, ", template");
		if ((o->flags & RP_OPT_SECRET) && n > 0)
			snprintf(type + n, sizeof(type) - (size_t)n,
				 ", secret (use ${ENV}; never printed)");
		printf("  %-16s %s\n      %s\n", o->key, type,
		       o->description ? o->description : "");
	}
}

/* man: the roff of every built-in plugin's table; REPORTPIPE_PLUGIN_PATH
 * is ignored so a third-party plugin never lands in reportpipe.ini(5). */
static int cmd_plugins(const char *name, int man)
{
	const char *builtin = builtin_plugin_dir();
	rp_registry reg = {0};
	char **dirs = NULL, err[2048];
	size_t ndirs = 0;
	rp_status st;
	int rc = RP_EXIT_OK;

	if (man)
		st = rp_registry_load(&reg, &builtin, 1, err, sizeof(err));
	else
		st = rp_plugin_dirs(NULL, 0, &builtin, 1, &dirs, &ndirs);
	if (!st && !man)
		st = rp_registry_load(&reg, (const char *const *)dirs, ndirs, err,
				      sizeof(err));
	rp_strv_free(dirs, ndirs);
	if (st) {
		rp_log(RP_LOG_ERROR, NULL, "%s", st == RP_ERR_NOMEM ? "out of memory" : err);
		rp_registry_free(&reg);
		return RP_EXIT_CONFIG;
	}
	if (man) {
		if (rp_manpage_options(&reg, stdout)) {
			rp_log(RP_LOG_ERROR, NULL, "out of memory");
			rc = RP_EXIT_CONFIG;
		}
	} else if (name) {
		const rp_loaded_plugin *lp = rp_registry_find(&reg, name);

		if (lp) {
			print_plugin(lp);
		} else {
			const char *near = rp_registry_suggest(&reg, name);

			rp_log(RP_LOG_ERROR, NULL, "no plugin named '%s'%s%s%s", name,
			       near ? "; did you mean '" : "", near ? near : "",
			       near ? "'?" : "");
			rc = RP_EXIT_CONFIG;
		}
	} else {
		static const rp_plugin_kind kinds[] = {RP_KIND_SOURCE,
						       RP_KIND_FORMATTER, RP_KIND_SINK};
		for (size_t k = 0; k < 3; k++)
			for (size_t i = 0; i < reg.n; i++)
				if (reg.p[i].desc.kind == kinds[k])
					printf("%-12s %-10s %s\n", reg.p[i].desc.name,
					       rp_kind_name(kinds[k]),
					       reg.p[i].desc.description
						       ? reg.p[i].desc.description : "");
		if (!reg.n)
			printf("no plugins found in %s\n", builtin);
	}
	rp_registry_free(&reg);
	return rc;
}

/* A run holds a few buffers of megabytes (the report, its XML, base64,
 * each artifact).  glibc maps each one anew and faults every page in
 * again; kept on the heap they are reused: ~30% fewer page faults and
 * ~10% less CPU (docs/performance.md), the peak RSS unchanged.  The same
 * goes for threads: each would get an arena of its own and fault in the
 * megabytes of a mail anew, where the main heap has them free since the
 * report was parsed.  A few threads making a few big allocations do not
 * contend for one arena. */
static void tune_malloc(void)
{
#ifdef HAVE_MALLOPT
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_ARENA_MAX, 1);
#endif
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"dry-run", no_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"online", no_argument, NULL, 'O'},
		{"log-format", required_argument, NULL, 'L'},
		{"man", no_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *cmd = "run";
	int dry_run = 0, verbose = 0, quiet = 0, online = 0, man = 0, c;

	tune_malloc();
	/* The command may come first; getopt must not reorder past it. */
	if (argc > 1 && argv[1][0] != '-') {
		char *prog = argv[0];

		cmd = argv[1];
		argv++;
		argc--;
		argv[0] = prog; /* getopt names the program in its messages */
	}
	while ((c = getopt_long(argc, argv, "c:nvqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'n': dry_run = 1; break;
		case 'O': online = 1; break;
		case 'M': man = 1; break;
		case 'L':
			if (strcmp(optarg, "text") == 0) {
				rp_log_set_format(RP_LOG_FORMAT_TEXT);
			} else if (strcmp(optarg, "json") == 0) {
				rp_log_set_format(RP_LOG_FORMAT_JSON);
			} else {
				fprintf(stderr, "reportpipe: --log-format: '%s' is not text or json\n",
					optarg);
				return RP_EXIT_CONFIG;
			}
			break;
		case 'v': verbose++; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return RP_EXIT_OK;
		case 'V':
			printf("reportpipe %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
			       RP_ABI_MAJOR, RP_ABI_MINOR);
			return RP_EXIT_OK;
		default:
			fputs("Try 'reportpipe --help'.\n", stderr);
			return RP_EXIT_CONFIG;
		}
	}
	if (quiet && verbose) {
		fputs("reportpipe: -q and -v contradict each other\n", stderr);
		return RP_EXIT_CONFIG;
	}
	{
		/* No SA_RESTART: a sleeping plugin wakes up, finishes its
		 * step, and the engine stops before the next one. */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = rp_engine_interrupt;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	rp_log_set_level(quiet ? RP_LOG_ERROR
			       : verbose > 1 ? RP_LOG_DEBUG
			       : verbose ? RP_LOG_INFO : RP_LOG_WARN);
	if (strcmp(cmd, "plugins") == 0) {
		if (argc - optind > 1) {
			fputs("reportpipe: plugins takes at most one NAME\n", stderr);
			return RP_EXIT_CONFIG;
		}
		if (man && argc - optind > 0) {
			fputs("reportpipe: plugins --man takes no NAME\n", stderr);
			return RP_EXIT_CONFIG;
		}
		return cmd_plugins(optind < argc ? argv[optind] : NULL, man);
	}
	if (man) {
		fputs("reportpipe: --man goes with plugins\n", stderr);
		return RP_EXIT_CONFIG;
	}
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0 &&
	    strcmp(cmd, "retry") != 0) {
		fprintf(stderr, "reportpipe: unknown command '%s'; use run, check, retry or plugins (see --help)\n",
			cmd);
		return RP_EXIT_CONFIG;
	}
	if (optind < argc) {
		fprintf(stderr, "reportpipe: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return RP_EXIT_CONFIG;
	}
	if (!file) {
		fprintf(stderr, "reportpipe: %s needs -c FILE, the pipeline file (see --help)\n",
			cmd);
		return RP_EXIT_CONFIG;
	}
	if (dry_run && strcmp(cmd, "check") == 0) {
		fputs("reportpipe: --dry-run goes with run, not check\n", stderr);
		return RP_EXIT_CONFIG;
	}
	if (online && strcmp(cmd, "check") != 0) {
		fputs("reportpipe: --online goes with check\n", stderr);
		return RP_EXIT_CONFIG;
	}
	if (dry_run && strcmp(cmd, "retry") == 0) {
		fputs("reportpipe: --dry-run goes with run, not retry\n", stderr);
		return RP_EXIT_CONFIG;
	}
	return cmd_run(file, strcmp(cmd, "check") == 0 ? 1 + online
			     : strcmp(cmd, "retry") == 0 ? 3 : 0,
		       dry_run);
}
