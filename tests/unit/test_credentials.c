/* test_credentials.c - the AWS credential chain without an HTTP server:
 * the environment, profiles from shared files written into a temporary
 * directory (the real ~/.aws is never read), the region order,
 * credential_process run without a shell, role_arn configuration errors
 * and loops, the "no credentials found" sentence, and that no message
 * ever holds a secret.  Container, IMDS and AssumeRole answers are tested
 * end to end against tests/fakes/fake_aws.py. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws.h"
#include "tap.h"

#define SECRET_ENV "envSecret/K7MDENG+bPxRfiCYEXAMPLEKEY0001"
#define TOKEN_ENV "envToken//////////AAAAAAAAAAAAAAAAAAAA0002"
#define SECRET_FILE "fileSecret/K7MDENG+bPxRfiCYEXAMPLEKEY003"
#define SECRET_WORK "workSecret/K7MDENG+bPxRfiCYEXAMPLEKEY004"
#define SECRET_CONF "confSecret/K7MDENG+bPxRfiCYEXAMPLEKEY005"
#define SECRET_PROC "procSecret/K7MDENG+bPxRfiCYEXAMPLEKEY006"
#define TOKEN_PROC "procToken//////////BBBBBBBBBBBBBBBBBBBB0007"
#define TOKEN_CONTAINER "containerToken-CCCCCCCCCCCCCCCCCCCCC0008"

static const char *const secrets[] = {
	SECRET_ENV, TOKEN_ENV, SECRET_FILE, SECRET_WORK, SECRET_CONF,
	SECRET_PROC, TOKEN_PROC, TOKEN_CONTAINER,
};

static char dir[64], cred_path[128], conf_path[128];
static char long_token[901];
static int messages_checked, leaks;

static const char *const aws_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_EC2_METADATA_V1_DISABLED",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_MAX_ATTEMPTS",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
};

/* Every test starts from here: no AWS_* of the caller's, HOME and both
 * files in the temporary directory, no instance metadata. */
static void reset_env(void)
{
	for (size_t i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++)
		unsetenv(aws_vars[i]);
	setenv("HOME", dir, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	setenv("AWS_CONFIG_FILE", conf_path, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("RP_AWS_BACKOFF_SCALE", "0", 1);
}

static void write_file(const char *path, const char *text, int executable)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		diag("cannot write %s", path);
		exit(1);
	}
	if (executable)
		chmod(path, 0755);
}

static char *in_dir(const char *name)
{
	static char path[8][160];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static void scan_for_secrets(const char *what, const char *text)
{
	messages_checked++;
	for (size_t i = 0; text && i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(text, secrets[i])) {
			leaks++;
			diag("LEAK: %s holds a secret: %s", what, text);
		}
	if (text && strstr(text, long_token)) {
		leaks++;
		diag("LEAK: %s holds the long session token", what);
	}
}

/* Resolves with cfg; the error text and provider are scanned for
 * secrets.  creds is freed by the caller. */
static rp_status resolve(const rp_aws_config *cfg, rp_aws_credentials *c,
			 char *err, size_t errlen)
{
	rp_status st = rp_aws_credentials_resolve(NULL, cfg, c, err, errlen);

	scan_for_secrets("err", err);
	scan_for_secrets("provider", c->provider);
	return st;
}

/* Expects failure st with an error holding each of the NULL-terminated
 * needles. */
static void fails_with(const rp_aws_config *cfg, rp_status want,
		       const char *name, ...)
{
	rp_aws_credentials c;
	char err[1024] = "";
	rp_status st = resolve(cfg, &c, err, sizeof(err));
	const char *needle;
	va_list ap;

	is_int(st, want, "%s: fails with status %d", name, want);
	ok(c.access_key_id == NULL && c.secret_access_key == NULL,
	   "%s: leaves no credentials", name);
	va_start(ap, name);
	while ((needle = va_arg(ap, const char *)))
		like(err, needle, "%s: the message says '%s'", name, needle);
	va_end(ap);
	rp_aws_credentials_free(&c);
}

static void gets_key(const rp_aws_config *cfg, const char *want_id,
		     const char *want_provider, const char *name)
{
	rp_aws_credentials c;
	char err[1024] = "";
	rp_status st = resolve(cfg, &c, err, sizeof(err));

	if (!is_int(st, RP_OK, "%s: resolves", name))
		diag("  %s", err);
	is_str(c.access_key_id, want_id, "%s: access key id", name);
	like(c.provider, want_provider, "%s: provider '%s'", name,
	     c.provider ? c.provider : "(null)");
	rp_aws_credentials_free(&c);
}

static const char creds_file[] =
	"# written by test_credentials\n"
	"[default]\n"
	"aws_access_key_id = AKIDDEFAULT\n"
	"aws_secret_access_key = " SECRET_FILE "\n"
	"\n"
	"[work]\n"
	"aws_access_key_id = AKIDWORK\n"
	"aws_secret_access_key = " SECRET_WORK "\n"
	"aws_session_token = @LONG@\n"
	"region = sa-east-1\n"
	"\n"
	"[profile literal]\n"
	"AWS_Access_Key_ID = AKIDLITERAL\n"
	"aws_secret_access_key = " SECRET_FILE "\n"
	"\n"
	"[a-profile-name-well-over-fifty-bytes-long-which-inih-would-cut]\n"
	"aws_access_key_id = AKIDLONGNAME\n"
	"aws_secret_access_key = " SECRET_FILE "\n"
	"\n"
	"[half]\n"
	"aws_access_key_id = AKIDHALF\n"
	"\n"
	"[selfsrc]\n"
	"aws_access_key_id = AKIDSELF\n"
	"aws_secret_access_key = " SECRET_FILE "\n";

static const char conf_file[] =
	"[default]\n"
	"region = eu-west-1\n"
	"\n"
	"[profile work]\n"
	"region = eu-central-1\n"
	"aws_access_key_id = AKIDCONFWORK\n"
	"aws_secret_access_key = " SECRET_CONF "\n"
	"\n"
	"[profile conf-only]\n"
	"aws_access_key_id = AKIDCONFONLY ; an inline comment\n"
	"aws_secret_access_key = " SECRET_CONF "\n"
	"s3 =\n"
	"    addressing_style = path\n"
	"\n"
	"[plain]\n"
	"aws_access_key_id = AKIDPLAIN\n"
	"aws_secret_access_key = " SECRET_CONF "\n"
	"\n"
	"[profile \"spaced name\"]\n"
	"aws_access_key_id = AKIDSPACED\n"
	"aws_secret_access_key = " SECRET_CONF "\n"
	"\n"
	"[profile noregion]\n"
	"aws_access_key_id = AKIDNOREGION\n"
	"aws_secret_access_key = " SECRET_CONF "\n"
	"\n"
	"[profile badregion]\n"
	"region = eu west 1\n"
	"\n"
	"[profile a]\n"
	"role_arn = arn:aws:iam::123456789012:role/a\n"
	"source_profile = b\n"
	"\n"
	"[profile b]\n"
	"role_arn = arn:aws:iam::123456789012:role/b\n"
	"source_profile = c\n"
	"\n"
	"[profile c]\n"
	"role_arn = arn:aws:iam::123456789012:role/c\n"
	"source_profile = a\n"
	"\n"
	"[profile selfish]\n"
	"role_arn = arn:aws:iam::123456789012:role/selfish\n"
	"source_profile = selfish\n"
	"\n"
	"[profile selfsrc]\n"
	"role_arn = arn:aws:iam::123456789012:role/self\n"
	"source_profile = selfsrc\n"
	"\n"
	"[profile ghostly]\n"
	"role_arn = arn:aws:iam::123456789012:role/ghostly\n"
	"source_profile = ghost\n"
	"\n"
	"[profile both]\n"
	"role_arn = arn:aws:iam::123456789012:role/both\n"
	"source_profile = default\n"
	"credential_source = Environment\n"
	"\n"
	"[profile neither]\n"
	"role_arn = arn:aws:iam::123456789012:role/neither\n"
	"\n"
	"[profile mfa]\n"
	"role_arn = arn:aws:iam::123456789012:role/mfa\n"
	"source_profile = default\n"
	"mfa_serial = arn:aws:iam::123456789012:mfa/me\n"
	"\n"
	"[profile badsource]\n"
	"role_arn = arn:aws:iam::123456789012:role/badsource\n"
	"credential_source = Ec2Metadata\n"
	"\n"
	"[profile fromenv]\n"
	"role_arn = arn:aws:iam::123456789012:role/fromenv\n"
	"credential_source = environment\n"
	"\n"
	"[profile badduration]\n"
	"role_arn = arn:aws:iam::123456789012:role/badduration\n"
	"source_profile = default\n"
	"duration_seconds = 1 hour\n"
	"\n"
	"[profile rolestatic]\n"
	"role_arn = arn:aws:iam::123456789012:role/static\n"
	"source_profile = default\n"
	"external_id = ext-123\n"
	"duration_seconds = 900\n"
	"\n"
	"[profile empty-source]\n"
	"role_arn = arn:aws:iam::123456789012:role/empty\n"
	"source_profile = noregion-nokeys\n"
	"\n"
	"[profile noregion-nokeys]\n"
	"output = json\n"
	"\n"
	"[profile sso]\n"
	"sso_session = corp\n"
	"sso_account_id = 123456789012\n"
	"sso_role_name = Reader\n"
	"\n"
	"[sso-session corp]\n"
	"sso_start_url = https://corp.awsapps.com/start\n"
	"\n"
	"[profile proc]\n"
	"region = us-west-1\n"
	"credential_process = @DIR@/ok.sh 'a b' \"c \\\"d\\\"\" e\\ f '$HOME;*' \"\" \"back\\\\slash\" g\\\\h \"x\\y\"\n"
	"\n"
	"[profile badjson]\n"
	"credential_process = @DIR@/badjson.sh\n"
	"\n"
	"[profile v2]\n"
	"credential_process = @DIR@/v2.sh\n"
	"\n"
	"[profile exit3]\n"
	"credential_process = @DIR@/exit3.sh\n"
	"\n"
	"[profile killed]\n"
	"credential_process = @DIR@/killed.sh\n"
	"\n"
	"[profile expired]\n"
	"credential_process = @DIR@/expired.sh\n"
	"\n"
	"[profile nosecret]\n"
	"credential_process = @DIR@/nosecret.sh\n"
	"\n"
	"[profile missing]\n"
	"credential_process = @DIR@/no-such-program --flag\n"
	"\n"
	"[profile unclosed]\n"
	"credential_process = @DIR@/ok.sh 'unclosed\n"
	"\n"
	"[profile long-process]\n"
	"credential_process = @DIR@/ok.sh @LONGARG@\n";

/* Writes text to path with @DIR@, @LONG@ and @LONGARG@ filled in. */
static void write_fixture(const char *path, const char *text)
{
	char *out = malloc(strlen(text) + 8192), *o = out;
	char longarg[301];

	memset(longarg, 'z', 300);
	longarg[300] = '\0';
	while (*text) {
		if (strncmp(text, "@DIR@", 5) == 0) {
			o += sprintf(o, "%s", dir);
			text += 5;
		} else if (strncmp(text, "@LONG@", 6) == 0) {
			o += sprintf(o, "%s", long_token);
			text += 6;
		} else if (strncmp(text, "@LONGARG@", 9) == 0) {
			o += sprintf(o, "%s", longarg);
			text += 9;
		} else {
			*o++ = *text++;
		}
	}
	*o = '\0';
	write_file(path, out, 0);
	free(out);
}

static void write_scripts(void)
{
	char script[1024];

	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "printf '%%s\\n' \"$@\" > '%s/args'\n"
		 "cat <<'EOF'\n"
		 "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\",\n"
		 " \"SecretAccessKey\": \"" SECRET_PROC "\",\n"
		 " \"SessionToken\": \"" TOKEN_PROC "\",\n"
		 " \"Expiration\": \"2099-01-02T03:04:05Z\"}\n"
		 "EOF\n", dir);
	write_file(in_dir("ok.sh"), script, 1);
	write_file(in_dir("badjson.sh"),
		   "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": " SECRET_PROC "'\n", 1);
	write_file(in_dir("v2.sh"),
		   "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKIDV2\", \"SecretAccessKey\": \"" SECRET_PROC "\"}'\n", 1);
	write_file(in_dir("exit3.sh"),
		   "#!/bin/sh\necho '# (expected) exit3.sh: this is its stderr' >&2\n"
		   "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDX\", \"SecretAccessKey\": \"" SECRET_PROC "\"}'\nexit 3\n", 1);
	write_file(in_dir("killed.sh"), "#!/bin/sh\nkill -9 $$\n", 1);
	write_file(in_dir("expired.sh"),
		   "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDOLD\", \"SecretAccessKey\": \"" SECRET_PROC "\", \"Expiration\": \"2001-01-01T00:00:00Z\"}'\n", 1);
	write_file(in_dir("nosecret.sh"),
		   "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDNOSECRET\", \"SessionToken\": \"" TOKEN_PROC "\"}'\n", 1);
}

static void test_copy_free(void)
{
	rp_aws_credentials a = {0}, b;

	a.access_key_id = strdup("AKIDCOPY");
	a.secret_access_key = strdup(SECRET_ENV);
	a.session_token = NULL;
	a.expiration = 42;
	a.provider = strdup("environment");
	is_int(rp_aws_credentials_copy(&a, &b), RP_OK, "copy succeeds");
	is_str(b.access_key_id, "AKIDCOPY", "copy: access key id");
	is_str(b.secret_access_key, SECRET_ENV, "copy: secret key");
	ok(b.session_token == NULL, "copy: no token stays no token");
	ok(b.secret_access_key != a.secret_access_key, "copy: its own strings");
	is_int((long long)b.expiration, 42, "copy: expiration");
	is_str(b.provider, "environment", "copy: provider");
	rp_aws_credentials_free(&a);
	rp_aws_credentials_free(&b);
	ok(b.access_key_id == NULL && b.secret_access_key == NULL &&
	   b.provider == NULL && b.expiration == 0, "free zeroes the struct");
	rp_aws_credentials_free(NULL);
	ok(1, "free(NULL) is harmless");
}

static void test_environment(void)
{
	rp_aws_config cfg = {0};
	rp_aws_credentials c;
	char err[1024] = "";
	rp_status st;

	reset_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN_ENV, 1);
	st = resolve(&cfg, &c, err, sizeof(err));
	is_int(st, RP_OK, "environment: resolves");
	is_str(c.access_key_id, "AKIDENV", "environment: access key id");
	is_str(c.secret_access_key, SECRET_ENV, "environment: secret key");
	is_str(c.session_token, TOKEN_ENV, "environment: session token");
	is_int((long long)c.expiration, 0, "environment: no expiration");
	is_str(c.provider, "environment", "environment: provider");
	rp_aws_credentials_free(&c);

	setenv("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z", 1);
	st = resolve(&cfg, &c, err, sizeof(err));
	is_int((long long)c.expiration, 1893553445LL,
	       "environment: AWS_CREDENTIAL_EXPIRATION is read");
	rp_aws_credentials_free(&c);
	setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "bad AWS_CREDENTIAL_EXPIRATION",
		   "AWS_CREDENTIAL_EXPIRATION", "tomorrow", NULL);
	unsetenv("AWS_CREDENTIAL_EXPIRATION");

	/* Environment keys beat AWS_PROFILE (botocore); a profile named in
	 * the section skips the environment. */
	setenv("AWS_PROFILE", "work", 1);
	gets_key(&cfg, "AKIDENV", "environment", "environment beats AWS_PROFILE");
	cfg.profile = "work";
	gets_key(&cfg, "AKIDWORK", "shared credentials file", "the section's profile skips the environment");
	cfg.profile = NULL;
	unsetenv("AWS_PROFILE");

	unsetenv("AWS_SECRET_ACCESS_KEY");
	fails_with(&cfg, RP_ERR_CONFIG, "AWS_ACCESS_KEY_ID alone",
		   "AWS_SECRET_ACCESS_KEY is not", NULL);
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
	fails_with(&cfg, RP_ERR_CONFIG, "AWS_SECRET_ACCESS_KEY alone",
		   "AWS_ACCESS_KEY_ID is not", NULL);
	setenv("AWS_ACCESS_KEY_ID", "", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "an empty AWS_ACCESS_KEY_ID counts as unset",
		   "AWS_ACCESS_KEY_ID is not", NULL);
}

static void test_profiles(void)
{
	rp_aws_config cfg = {0};
	rp_aws_credentials c;
	char err[1024] = "", want[256];
	rp_status st;

	reset_env();
	snprintf(want, sizeof(want), "shared credentials file %s, profile default",
		 cred_path);
	gets_key(&cfg, "AKIDDEFAULT", want, "no profile named: [default] of the credentials file");

	setenv("AWS_PROFILE", "work", 1);
	st = resolve(&cfg, &c, err, sizeof(err));
	is_int(st, RP_OK, "AWS_PROFILE=work: resolves");
	is_str(c.access_key_id, "AKIDWORK",
	       "AWS_PROFILE=work: the credentials file beats the config file");
	is_str(c.secret_access_key, SECRET_WORK, "AWS_PROFILE=work: its secret key");
	ok(c.session_token && strlen(c.session_token) == 900 &&
	   strcmp(c.session_token, long_token) == 0,
	   "a 900-byte session token survives inih's 200-byte lines intact");
	rp_aws_credentials_free(&c);

	cfg.profile = "conf-only";
	snprintf(want, sizeof(want), "config file %s, profile conf-only", conf_path);
	gets_key(&cfg, "AKIDCONFONLY", want,
		 "the section's profile beats AWS_PROFILE; keys from [profile conf-only]");
	cfg.profile = NULL;
	unsetenv("AWS_PROFILE");

	cfg.profile = "spaced name";
	gets_key(&cfg, "AKIDSPACED", "profile spaced name", "[profile \"spaced name\"] (quoted, as botocore)");
	cfg.profile = "profile literal";
	gets_key(&cfg, "AKIDLITERAL", "profile profile literal",
		 "the credentials file's [profile literal] is a profile called 'profile literal'; keys are case-insensitive");
	cfg.profile = "a-profile-name-well-over-fifty-bytes-long-which-inih-would-cut";
	gets_key(&cfg, "AKIDLONGNAME", "shared credentials file", "a section name longer than inih's 50 bytes");

	cfg.profile = "plain";
	fails_with(&cfg, RP_ERR_CONFIG, "the config file's [plain] is not a profile",
		   "AWS profile 'plain'", "the section's profile option", cred_path, conf_path, NULL);
	cfg.profile = "literal";
	fails_with(&cfg, RP_ERR_CONFIG, "[profile literal] in the credentials file is not 'literal'",
		   "AWS profile 'literal'", NULL);
	cfg.profile = NULL;
	setenv("AWS_PROFILE", "nonesuch", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "AWS_PROFILE naming a missing profile",
		   "AWS profile 'nonesuch' (named by AWS_PROFILE)", NULL);
	unsetenv("AWS_PROFILE");

	cfg.profile = "half";
	fails_with(&cfg, RP_ERR_CONFIG, "a profile with only aws_access_key_id",
		   cred_path, "profile 'half'", "aws_secret_access_key", NULL);
	cfg.profile = NULL;

	/* A broken file is an error naming the file and line. */
	write_file(in_dir("broken.ini"),
		   "[default]\naws_access_key_id = AKIDBROKEN\nthis line has no equals sign\n", 0);
	setenv("AWS_CONFIG_FILE", in_dir("broken.ini"), 1);
	snprintf(want, sizeof(want), "%s:3:", in_dir("broken.ini"));
	fails_with(&cfg, RP_ERR_CONFIG, "a config file that does not parse", want, NULL);
	write_file(in_dir("broken.ini"),
		   "[profile dup]\naws_access_key_id = AKID1\naws_access_key_id = AKID2\n", 0);
	cfg.profile = "dup";
	snprintf(want, sizeof(want), "%s:3:", in_dir("broken.ini"));
	fails_with(&cfg, RP_ERR_CONFIG, "a key set twice", want, "twice", NULL);
	cfg.profile = NULL;
	setenv("AWS_CONFIG_FILE", conf_path, 1);

	/* "~/" in the variables is the home directory. */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/credentials", 1);
	gets_key(&cfg, "AKIDDEFAULT", cred_path, "AWS_SHARED_CREDENTIALS_FILE with ~/");
	/* Without the variables: $HOME/.aws/. */
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	mkdir(in_dir(".aws"), 0700);
	write_file(in_dir(".aws/credentials"),
		   "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = " SECRET_FILE "\n", 0);
	gets_key(&cfg, "AKIDHOME", "/.aws/credentials", "the default file is $HOME/.aws/credentials");
	unlink(in_dir(".aws/credentials"));
	rmdir(in_dir(".aws"));
}

static void region_is(const rp_aws_config *cfg, const char *want,
		      const char *name)
{
	char *region = NULL, err[512] = "";
	rp_status st = rp_aws_resolve_region(cfg, &region, err, sizeof(err));

	if (!is_int(st, RP_OK, "region %s: no error", name))
		diag("  %s", err);
	is_str(region, want, "region %s", name);
	free(region);
}

static void test_regions(void)
{
	rp_aws_config cfg = {0};
	char *region = NULL, err[512] = "";
	rp_status st;

	reset_env();
	setenv("AWS_REGION", "us-west-2", 1);
	setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
	cfg.region = "ap-south-1";
	region_is(&cfg, "ap-south-1", "from the section beats everything");
	cfg.region = NULL;
	region_is(&cfg, "us-west-2", "AWS_REGION beats AWS_DEFAULT_REGION");
	unsetenv("AWS_REGION");
	region_is(&cfg, "us-east-2", "AWS_DEFAULT_REGION beats the profile");
	unsetenv("AWS_DEFAULT_REGION");
	region_is(&cfg, "eu-west-1", "from the config file's [default]");
	setenv("AWS_PROFILE", "work", 1);
	region_is(&cfg, "sa-east-1", "of AWS_PROFILE work (credentials file over config, as botocore merges them)");
	unsetenv("AWS_PROFILE");
	cfg.profile = "proc";
	region_is(&cfg, "us-west-1", "of the section's profile");
	cfg.profile = "noregion";
	region_is(&cfg, NULL, "none set is NULL, not an error");
	cfg.profile = "badregion";
	st = rp_aws_resolve_region(&cfg, &region, err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "region 'eu west 1' is refused");
	like(err, conf_path, "the message names the file");
	ok(region == NULL, "and no region is returned");
	cfg.profile = "nonesuch";
	st = rp_aws_resolve_region(&cfg, &region, err, sizeof(err));
	is_int(st, RP_ERR_CONFIG, "region of a missing profile: an error");
	like(err, "nonesuch", "naming the profile");
	region_is(NULL, "eu-west-1", "with no config at all");
}

static void test_process(void)
{
	rp_aws_config cfg = {0};
	rp_aws_credentials c;
	char err[1024] = "", *args = NULL;
	FILE *f;
	long n;
	rp_status st;

	reset_env();
	unlink(in_dir("args"));
	cfg.profile = "proc";
	st = resolve(&cfg, &c, err, sizeof(err));
	if (!is_int(st, RP_OK, "credential_process: resolves"))
		diag("  %s", err);
	is_str(c.access_key_id, "AKIDPROC", "credential_process: access key id");
	is_str(c.secret_access_key, SECRET_PROC, "credential_process: secret key");
	is_str(c.session_token, TOKEN_PROC, "credential_process: session token");
	is_int((long long)c.expiration, 4071006245LL, "credential_process: Expiration");
	is_str(c.provider, "credential_process of profile proc", "credential_process: provider");
	rp_aws_credentials_free(&c);

	f = fopen(in_dir("args"), "r");
	if (f) {
		args = calloc(1, 4096);
		n = (long)fread(args, 1, 4095, f);
		args[n > 0 ? n : 0] = '\0';
		fclose(f);
	}
	is_str(args, "a b\nc \"d\"\ne f\n$HOME;*\n\nback\\slash\ng\\h\nx\\y\n",
	       "arguments arrive split as shlex.split does, with no shell expanding $HOME or *");
	free(args);

	cfg.profile = "long-process";
	gets_key(&cfg, "AKIDPROC", "credential_process", "a credential_process line over 200 bytes");

	cfg.profile = "badjson";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process printing bad JSON",
		   "profile 'badjson'", "JSON", NULL);
	cfg.profile = "v2";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process printing Version 2",
		   "profile 'v2'", "Version 2", "Version 1", NULL);
	cfg.profile = "exit3";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process exiting 3",
		   "profile 'exit3'", "status 3", NULL);
	cfg.profile = "killed";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process killed by a signal",
		   "profile 'killed'", "signal 9", NULL);
	cfg.profile = "expired";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process giving expired credentials",
		   "profile 'expired'", "expired", NULL);
	cfg.profile = "nosecret";
	fails_with(&cfg, RP_ERR_AUTH, "credential_process without SecretAccessKey",
		   "profile 'nosecret'", "SecretAccessKey", NULL);
	cfg.profile = "missing";
	fails_with(&cfg, RP_ERR_CONFIG, "credential_process naming a missing program",
		   "profile 'missing'", "cannot run", "no-such-program", NULL);
	cfg.profile = "unclosed";
	fails_with(&cfg, RP_ERR_CONFIG, "credential_process with an unclosed quote",
		   "profile 'unclosed'", "quote", conf_path, NULL);
}

static void test_roles(void)
{
	rp_aws_config cfg = {0};

	reset_env();
	cfg.profile = "a";
	fails_with(&cfg, RP_ERR_CONFIG, "a source_profile loop",
		   "a -> b -> c -> a", NULL);
	cfg.profile = "selfish";
	fails_with(&cfg, RP_ERR_CONFIG, "a profile sourcing itself without keys",
		   "selfish -> selfish", NULL);
	cfg.profile = "ghostly";
	fails_with(&cfg, RP_ERR_CONFIG, "a missing source_profile",
		   "source_profile 'ghost'", "profile 'ghostly'", NULL);
	cfg.profile = "both";
	fails_with(&cfg, RP_ERR_CONFIG, "source_profile and credential_source together",
		   conf_path, "profile 'both'", "both source_profile and credential_source", NULL);
	cfg.profile = "neither";
	fails_with(&cfg, RP_ERR_CONFIG, "role_arn with no source",
		   conf_path, "profile 'neither'", "neither source_profile nor credential_source", NULL);
	cfg.profile = "mfa";
	fails_with(&cfg, RP_ERR_CONFIG, "mfa_serial", "profile 'mfa'", "mfa_serial", NULL);
	cfg.profile = "badsource";
	fails_with(&cfg, RP_ERR_CONFIG, "an unknown credential_source",
		   "profile 'badsource'", "credential_source 'Ec2Metadata'", NULL);
	cfg.profile = "fromenv";
	fails_with(&cfg, RP_ERR_AUTH, "credential_source environment with nothing set",
		   "profile 'fromenv'", "AWS_ACCESS_KEY_ID", NULL);
	cfg.profile = "badduration";
	fails_with(&cfg, RP_ERR_CONFIG, "duration_seconds that is not a number",
		   "profile 'badduration'", "duration_seconds '1 hour'", NULL);
	cfg.profile = "empty-source";
	fails_with(&cfg, RP_ERR_CONFIG, "a source_profile without credentials",
		   "'noregion-nokeys'", "has no credentials", NULL);
	cfg.profile = "sso";
	fails_with(&cfg, RP_ERR_CONFIG, "an IAM Identity Center profile",
		   "profile 'sso'", "IAM Identity Center", "export-credentials", NULL);

	/* Roles that get as far as STS, which is not there: the message
	 * names the role and holds no secret.  The section's endpoint_url is
	 * not STS's. */
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1", 1);
	cfg.max_attempts = 1;
	cfg.endpoint_url = "http://127.0.0.1:2";
	cfg.profile = "rolestatic";
	fails_with(&cfg, RP_ERR_NETWORK, "a profile role with STS unreachable",
		   "role/static", "profile 'rolestatic'", "127.0.0.1:1", NULL);
	cfg.profile = "selfsrc";
	fails_with(&cfg, RP_ERR_NETWORK, "a profile sourcing its own keys is no loop",
		   "role/self", NULL);
	cfg.profile = NULL;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN_ENV, 1);
	cfg.role_arn = "arn:aws:iam::123456789012:role/section";
	fails_with(&cfg, RP_ERR_NETWORK, "the section's role_arn with STS unreachable",
		   "role/section", "the section's role_arn", "environment", NULL);
	cfg.role_arn = NULL;

	reset_env();
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", in_dir("token"), 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa", 1);
	cfg.profile = NULL;
	cfg.endpoint_url = NULL;
	fails_with(&cfg, RP_ERR_CONFIG, "web identity from the environment is refused, not skipped",
		   "AWS_WEB_IDENTITY_TOKEN_FILE", NULL);
}

static void test_nothing_found(void)
{
	rp_aws_config cfg = {0};
	char want[256];

	reset_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", in_dir("nonexistent-credentials"), 1);
	setenv("AWS_CONFIG_FILE", in_dir("nonexistent-config"), 1);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1/", 1);
	snprintf(want, sizeof(want), "the shared credentials file %s (not found)",
		 in_dir("nonexistent-credentials"));
	fails_with(&cfg, RP_ERR_AUTH, "nothing anywhere",
		   "no AWS credentials found: looked in the environment (AWS_ACCESS_KEY_ID unset)",
		   want, "the config file", "container credentials (not configured)",
		   "instance metadata (http://127.0.0.1:1: ", "set one of them or name a profile", NULL);

	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	fails_with(&cfg, RP_ERR_AUTH, "nothing, IMDS disabled",
		   "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)", NULL);

	write_file(in_dir("other-credentials"),
		   "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = " SECRET_FILE "\n", 0);
	write_file(in_dir("other-config"), "[profile other]\nregion = eu-north-1\n[default]\noutput = json\n", 0);
	setenv("AWS_SHARED_CREDENTIALS_FILE", in_dir("other-credentials"), 1);
	setenv("AWS_CONFIG_FILE", in_dir("other-config"), 1);
	fails_with(&cfg, RP_ERR_AUTH, "files without the profile's keys",
		   "(no profile 'default')", "(profile 'default' has no credentials)", NULL);
	cfg.profile = "other";
	setenv("AWS_CONFIG_FILE", in_dir("nonexistent-config"), 1);
	gets_key(&cfg, "AKIDOTHER", "profile other", "a profile in the credentials file only");
	write_file(in_dir("other-credentials"), "[other]\nregion = eu-north-1\n", 0);
	fails_with(&cfg, RP_ERR_AUTH, "the section's profile without keys",
		   "(skipped: the section names profile 'other')",
		   "(profile 'other' has no credentials)", NULL);
}

static void test_container_settings(void)
{
	rp_aws_config cfg = {0};
	char want[256];

	reset_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", in_dir("nonexistent-credentials"), 1);
	setenv("AWS_CONFIG_FILE", in_dir("nonexistent-config"), 1);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "FULL_URI over http to an outside host",
		   "AWS_CONTAINER_CREDENTIALS_FULL_URI", "169.254.170.23", "example.com", NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23.example.com/", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "FULL_URI to a look-alike host name",
		   "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/creds", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "FULL_URI with another scheme",
		   "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL);

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN_CONTAINER "\r\nX-Evil: 1", 1);
	fails_with(&cfg, RP_ERR_CONFIG, "a container token with a line break",
		   "AWS_CONTAINER_AUTHORIZATION_TOKEN", "line break", NULL);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", in_dir("no-token-file"), 1);
	fails_with(&cfg, RP_ERR_CONFIG, "a missing container token file (it beats the variable)",
		   "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "no-token-file", NULL);
	write_file(in_dir("token-file"), TOKEN_CONTAINER "\n", 0);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", in_dir("token-file"), 1);
	snprintf(want, sizeof(want), "container credentials from http://127.0.0.1:1/creds");
	fails_with(&cfg, RP_ERR_NETWORK, "a loopback FULL_URI nobody listens on",
		   want, NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://[::1]:1/creds", 1);
	fails_with(&cfg, RP_ERR_NETWORK, "an IPv6 loopback FULL_URI is allowed",
		   "container credentials from http://[::1]:1/creds", NULL);
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", in_dir("no-token-file"), 1);
	fails_with(&cfg, RP_ERR_CONFIG, "RELATIVE_URI beats FULL_URI (no host check)",
		   "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL);
}

static void cleanup(void)
{
	static const char *const files[] = {
		"credentials", "config", "ok.sh", "badjson.sh", "v2.sh", "exit3.sh",
		"killed.sh", "expired.sh", "nosecret.sh", "args", "broken.ini",
		"other-credentials", "other-config", "token-file",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(in_dir(files[i]));
	if (rmdir(dir) != 0)
		diag("could not remove %s", dir);
}

int main(void)
{
	for (int i = 0; i < 900; i++)
		long_token[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64];
	long_token[899] = '=';
	snprintf(dir, sizeof(dir), "/tmp/rp-credentials-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/config", dir);
	write_fixture(cred_path, creds_file);
	write_fixture(conf_path, conf_file);
	write_scripts();

	test_copy_free();
	test_environment();
	test_profiles();
	test_regions();
	test_process();
	test_roles();
	test_nothing_found();
	test_container_settings();
	ok(leaks == 0, "none of %d error messages and providers held a secret",
	   messages_checked);
	cleanup();
	return done_testing();
}
