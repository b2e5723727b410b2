/* test_conffile.c - reading the pipeline file: sections, continuation
 * lines, line numbers, ${ENV}, and the limits of Debian's inih 55. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "tap.h"

static char path[256];

static rp_status load(const char *text, rp_config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return rp_config_load(path, cfg, err, errlen);
}

static void refuses(const char *text, const char *needle, const char *what)
{
	rp_config cfg;
	char err[1024];

	ok(load(text, &cfg, err, sizeof(err)) == RP_ERR_CONFIG, "%s is refused", what);
	like(err, needle, "  message: %s", needle);
}

int main(void)
{
	rp_config cfg;
	char err[1024], longline[400];
	rp_section *s;
	rp_kv *kv;

	snprintf(path, sizeof(path), "%s/rp-conffile-%d.ini",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());

	setenv("RP_TEST_SECRET", "s3cr3t", 1);
	ok(load("\xEF\xBB\xBF; a comment\n"
		"[pipeline]\n"
		"name = weekly\n"
		"\n"
		"[sink.mail]\n"
		"plugin = ses\n"
		"to = a@example.com,\n"
		"  b@example.com\r\n"
		"\tc@example.com\n"
		"password = ${RP_TEST_SECRET}\n"
		"price = $$5 and $HOME\n"
		"note = keep ; this is an inline comment\n",
		&cfg, err, sizeof(err)) == RP_OK, "a valid file loads (%s)", err);
	is_int((long long)cfg.nsections, 2, "two sections");
	ok(cfg.dir && cfg.dir[0] == '/', "the file's directory is absolute");
	s = rp_config_find(&cfg, RP_SECTION_SINK, "mail");
	ok(s != NULL, "[sink.mail] is a sink named mail");
	if (s) {
		is_int(s->line, 5, "section line number");
		kv = rp_section_get(s, "to");
		ok(kv && strcmp(kv->value, "a@example.com,\nb@example.com\nc@example.com") == 0,
		   "continuation lines join with newlines");
		is_int(kv ? kv->line : 0, 7, "a key's line number");
		kv = rp_section_get(s, "password");
		is_str(kv ? kv->value : NULL, "s3cr3t", "${NAME} reads the environment");
		kv = rp_section_get(s, "price");
		is_str(kv ? kv->value : NULL, "$5 and $HOME", "$$ is a dollar, a lone $ stays");
		kv = rp_section_get(s, "note");
		is_str(kv ? kv->value : NULL, "keep", "inline ; comments are stripped");
	} else {
		for (int i = 0; i < 6; i++)
			ok(0, "skipped: no section");
	}
	rp_config_free(&cfg);

	/* inih 55 reads a line into 200 bytes: 198 of text, newline, NUL. */
	snprintf(longline, sizeof(longline), "[sink.a]\nto = %.*s\n", 198 - 5,
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	ok(load(longline, &cfg, err, sizeof(err)) == RP_OK,
	   "a 198-byte line is within inih's limit (%s)", err);
	kv = cfg.nsections ? rp_section_get(&cfg.sections[0], "to") : NULL;
	is_int(kv ? (long long)strlen(kv->value) : -1, 193, "  and its value arrives whole");
	rp_config_free(&cfg);
	snprintf(longline, sizeof(longline), "[sink.a]\nto = %.*s\n", 199 - 5,
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	refuses(longline, ":2: line is 199 bytes long", "a 199-byte line");

	refuses("[pipeline]\nname = a\n\n[sinks.x]\nplugin = file\n",
		":4: unknown section kind [sinks.x]; did you mean [sink.x]?",
		"an unknown section kind");
	refuses("[source.bad name]\nplugin = x\n", "must be letters, digits",
		"a section name with a space");
	refuses("[sink.a]\nplugin = x\npath = a\npath = b\n",
		":4: [sink.a] key 'path' is set twice (first on line 3)",
		"a key set twice");
	refuses("[sink.a]\nplugin = x\n[format.b]\nplugin = y\n[sink.a]\nto = z\n",
		":5: section [sink.a] appears twice (first on line 1)",
		"a section given twice");
	unsetenv("RP_TEST_UNSET");
	refuses("[sink.a]\nplugin = x\npassword = ${RP_TEST_UNSET}\n",
		":3: [sink.a] password: environment variable RP_TEST_UNSET is not set",
		"an unset ${VAR}");
	refuses("[sink.a]\nplugin = x\npassword = ${OOPS\n", "without a closing",
		"an unclosed ${");
	refuses("[sink.a]\nthis line has no equals sign\n",
		":2: cannot parse this line", "a line that is no key = value");
	refuses("plugin = x\n[sink.a]\n", "before any [section]", "a key before any section");
	ok(load("", &cfg, err, sizeof(err)) == RP_OK && cfg.nsections == 0,
	   "an empty file loads with no sections");
	rp_config_free(&cfg);
	{
		char missing[300];

		snprintf(missing, sizeof(missing), "%s.missing", path);
		ok(rp_config_load(missing, &cfg, err, sizeof(err)) == RP_ERR_NOT_FOUND,
		   "a missing file is NOT_FOUND");
		like(err, "cannot read the pipeline file", "  and says so");
	}
	{
		/* From memory, as the fuzzer loads it: the path only names the
		 * file and its directory; a NUL ends nothing early. */
		static const char text[] = "[sink.a]\nplugin = x\n\0[sink.b]\n";

		err[0] = '\0';

		ok(rp_config_load_text("/nonexistent.ini", text, 20, &cfg, err,
				       sizeof(err)) == RP_OK && cfg.nsections == 1,
		   "rp_config_load_text loads a buffer (%s)", err);
		is_str(cfg.dir, "/", "  its directory is the path's");
		rp_config_free(&cfg);
		ok(rp_config_load_text("x.ini", text, sizeof(text) - 1, &cfg, err,
				       sizeof(err)) == RP_ERR_CONFIG,
		   "rp_config_load_text refuses a NUL byte");
		like(err, "x.ini:3: NUL byte", "  with the line");
	}
	unlink(path);
	return done_testing();
}
