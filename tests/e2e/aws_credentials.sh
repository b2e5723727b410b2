#!/bin/sh
# aws_credentials.sh - the credential chain end to end, against the fake
# AWS endpoint: a profile assuming a role (source_profile + external_id),
# the section's own role_arn, credential_process, container credentials
# and IMDSv2.  The fake checks which key and session token signed each
# request.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

MAIN_SECRET=main-secret-9f2c1e
sed 's/123456789012/111111111111/g' "$top_srcdir/etc/sample-credential-report.csv" >"$work/main.csv"
cp "$top_srcdir/etc/sample-credential-report.csv" "$work/audited.csv"
cat >"$work/scenario.json" <<JSON
{
  "keys": [
    {"name": "main", "access_key_id": "AKIAMAINKEY000000001",
     "secret_access_key": "$MAIN_SECRET", "account": "111111111111"},
    {"name": "ecs", "access_key_id": "ASIAECSKEY0000000001",
     "secret_access_key": "ecs-secret-77", "session_token": "ecs-session-token-77",
     "account": "111111111111"},
    {"name": "imds", "access_key_id": "ASIAIMDSKEY000000001",
     "secret_access_key": "imds-secret-88", "session_token": "imds-session-token-88",
     "account": "111111111111"}
  ],
  "roles": [
    {"arn": "arn:aws:iam::123456789012:role/Auditor", "external_id": "ext-42",
     "trusted": ["main", "ecs", "imds"]},
    {"arn": "arn:aws:iam::123456789012:role/ShortLived", "trusted": ["main"],
     "credential_lifetime_seconds": 120}
  ],
  "accounts": {
    "111111111111": {"report_file": "main.csv", "generated_time": "2026-11-30T06:00:00Z",
                     "generate_states": ["COMPLETE"]},
    "123456789012": {"report_file": "audited.csv", "generated_time": "2026-11-30T06:00:00Z",
                     "generate_states": ["COMPLETE"]}
  },
  "ecs": {"path": "/ecs/creds", "token": "ecs-auth-token", "key": "ecs"},
  "imds": {"role": "reportpipe-role", "key": "imds"}
}
JSON
fake_start "$work/scenario.json"
AWS_ENDPOINT_URL_STS=$fake_url
export AWS_ENDPOINT_URL_STS

# pipeline NAME EXTRA_SOURCE_LINES: a pipeline writing reports/ACCOUNT.csv
pipeline() {
	cat >"$work/$1.ini" <<INI
[source.iam]
plugin = iam_credential_report
endpoint_url = \${fake_url}
poll_interval = 100ms
$2

[format.csv]
plugin = csv

[sink.out]
plugin = file
input = csv
path = reports/$1-{account_id}.csv
overwrite = true
INI
}

# last_report_key: which key signed the last GetCredentialReport
last_report_key() {
	grep '"action": "GetCredentialReport"' "$fake_log" | tail -n 1 |
		sed -n 's/.*"key_name": "\([^"]*\)".*/\1/p'
}
last_report_token() {
	grep '"action": "GetCredentialReport"' "$fake_log" | tail -n 1 |
		sed -n 's/.*"session_token_ref": "\([^"]*\)".*/\1/p'
}

# 1. A profile that assumes a role through source_profile with external_id.
cat >"$work/credentials" <<INI
[base]
aws_access_key_id = AKIAMAINKEY000000001
aws_secret_access_key = $MAIN_SECRET
INI
cat >"$work/config" <<'INI'
[profile base]
region = us-east-1

[profile auditor]
role_arn = arn:aws:iam::123456789012:role/Auditor
source_profile = base
external_id = ext-42
role_session_name = weekly-register
INI
AWS_SHARED_CREDENTIALS_FILE=$work/credentials
AWS_CONFIG_FILE=$work/config
export AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
pipeline profile 'profile = auditor'
rp run -c "$work/profile.ini" -v
rc_is 0 "profile with role_arn + source_profile + external_id"
ok 'cmp -s "$work/reports/profile-123456789012.csv" "$work/audited.csv"' "the assumed role's account report is fetched"
like "$fake_log" '"action": "AssumeRole"' "AssumeRole was called"
ok 'grep "\"action\": \"AssumeRole\"" "$fake_log" | grep -q "\"key_name\": \"main\""' "signed with the source profile's key"
is "$(last_report_key)" "assumed:Auditor/weekly-register#1" "the report was fetched with the role's credentials (session weekly-register)"
ok 'grep "\"action\": \"GetCredentialReport\"" "$fake_log" | tail -n 1 | grep -q "\"session_token_present\": true"' "and the role's session token"
like "$work/err" "arn:aws:iam::123456789012:role/Auditor" "-v names the assumed role"
unlike "$work/err" "$MAIN_SECRET" "no secret in -v"

# 2. A wrong external id is refused by STS: exit 3 with the reason.
sed 's/external_id = ext-42/external_id = wrong/' "$work/config" >"$work/config.bad"
AWS_CONFIG_FILE=$work/config.bad rp run -c "$work/profile.ini"
rc_is 3 "a wrong external_id fails the source"
like "$work/err" "AccessDenied" "with STS's AccessDenied"

# 3. The section's own role_arn, on top of environment keys.
AWS_SHARED_CREDENTIALS_FILE=$work/none AWS_CONFIG_FILE=$work/none
pipeline section 'role_arn = arn:aws:iam::123456789012:role/Auditor
external_id = ext-42'
AWS_ACCESS_KEY_ID=AKIAMAINKEY000000001 AWS_SECRET_ACCESS_KEY=$MAIN_SECRET \
	rp run -c "$work/section.ini"
rc_is 0 "the section's role_arn is assumed with the environment's keys"
ok '[ -f "$work/reports/section-123456789012.csv" ]' "and reads the role's account"
ok 'case $(last_report_key) in "assumed:Auditor/reportpipe-"*) true ;; *) false ;; esac' "with the role's credentials (default session name reportpipe-TIME)"

# 4. credential_process, run without a shell.
cat >"$work/creds helper.sh" <<SH
#!/bin/sh
[ "\$1" = "--arg with spaces" ] || { echo "bad argument: \$1" >&2; exit 1; }
printf '{"Version": 1, "AccessKeyId": "AKIAMAINKEY000000001", "SecretAccessKey": "$MAIN_SECRET"}\n'
SH
chmod +x "$work/creds helper.sh"
cat >"$work/config.process" <<INI
[profile proc]
credential_process = "$work/creds helper.sh" "--arg with spaces"
INI
pipeline process 'profile = proc'
AWS_CONFIG_FILE=$work/config.process rp run -c "$work/process.ini" -v
rc_is 0 "credential_process supplies the keys"
ok 'cmp -s "$work/reports/process-111111111111.csv" "$work/main.csv"' "the caller's own account report"
is "$(last_report_key)" "main" "signed with the process's key"
like "$work/err" "credential_process" "-v says the keys came from credential_process"

# 5. Container credentials, with the authorization token.
pipeline ecs ''
AWS_CONTAINER_CREDENTIALS_FULL_URI=$fake_url/ecs/creds \
AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-auth-token rp run -c "$work/ecs.ini"
rc_is 0 "container credentials are used"
is "$(last_report_key)" "ecs" "signed with the container's key"
is "$(last_report_token)" "ecs" "and its session token"
AWS_CONTAINER_CREDENTIALS_FULL_URI=$fake_url/ecs/creds \
AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token rp run -c "$work/ecs.ini"
rc_is 3 "a wrong container token fails"
unlike "$work/err" "wrong-token" "without printing the token"

# 6. IMDSv2: a token first, then the role's credentials.
pipeline imds ''
AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$fake_url \
	rp run -c "$work/imds.ini" -v
rc_is 0 "instance metadata credentials are used"
like "$fake_log" '"action": "GetToken"' "an IMDSv2 token was requested"
is "$(last_report_key)" "imds" "signed with the instance role's key"
is "$(last_report_token)" "imds" "and its session token"
unlike "$work/err" "imds-secret-88" "no secret in -v"

# 7. Temporary credentials about to expire are refreshed before use.
pipeline short 'role_arn = arn:aws:iam::123456789012:role/ShortLived'
before=$(fake_count AssumeRole)
AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIAMAINKEY000000001 \
	AWS_SECRET_ACCESS_KEY=$MAIN_SECRET rp run -c "$work/short.ini" -v
rc_is 0 "short-lived role credentials work"
ok '[ $(( $(fake_count AssumeRole) - before )) -ge 2 ]' "and are refreshed before they expire (AssumeRole asked again)"
like "$work/err" "refreshing credentials" "-v says so"

done_testing
