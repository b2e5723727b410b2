#!/bin/sh
# iam_source.sh - the iam_credential_report source against the fake AWS
# endpoint (every request's signature checked with botocore): report
# states, retries, bad credentials, a report that never completes, and no
# secret in the logs.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

SECRET=wJalrXUtnFEMI-reportpipe-test-secret
TOKEN=FQoGZXIvYXdzEXAMPLE-session-token-value
cp "$top_srcdir/etc/sample-credential-report.csv" "$work/report.csv"

# scenario NAME GENERATE_STATES GET_ERRORS FAULTS: writes $work/NAME.json
scenario() {
	cat >"$work/$1.json" <<JSON
{
  "keys": [
    {"name": "main", "access_key_id": "AKIAREPORTPIPETEST01",
     "secret_access_key": "$SECRET", "account": "123456789012"},
    {"name": "stale", "access_key_id": "ASIAREPORTPIPESTALE1",
     "secret_access_key": "$SECRET", "session_token": "$TOKEN",
     "expired": true, "account": "123456789012"}
  ],
  "accounts": {
    "123456789012": {"report_file": "report.csv",
                     "generated_time": "2026-11-30T06:00:00Z",
                     "generate_states": $2, "get_errors": $3}
  },
  "faults": $4
}
JSON
}

cat >"$work/iam.ini" <<'INI'
[pipeline]
name = iam-test

[source.iam]
plugin = iam_credential_report
endpoint_url = ${fake_url}
poll_interval = 100ms
timeout = ${RP_TIMEOUT}
max_attempts = 5

[format.csv]
plugin = csv

[sink.out]
plugin = file
input = csv
path = reports/{date:%Y%m%d}_{account_id}.csv
INI
out=$work/reports/20261130_123456789012.csv
RP_TIMEOUT=20s
export RP_TIMEOUT
AWS_ACCESS_KEY_ID=AKIAREPORTPIPETEST01
AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# 1. The report takes a while: STARTED, INPROGRESS, then COMPLETE.
scenario states '["STARTED", "INPROGRESS", "INPROGRESS", "COMPLETE"]' '[]' '[]'
fake_start "$work/states.json"
rp run -c "$work/iam.ini" -v
rc_is 0 "a report that needs polling is fetched (exit 0)"
ok 'cmp -s "$out" "$work/report.csv"' "the CSV written is the report, byte for byte"
is "$(fake_count GenerateCredentialReport)" 4 "GenerateCredentialReport asked until COMPLETE"
is "$(fake_count GetCredentialReport)" 1 "then GetCredentialReport once"
ok '! grep -q "\"signature_ok\": *false" "$fake_log"' "botocore verified every signature"
like "$work/err" "report state INPROGRESS" "-v shows the states"
like "$work/err" "using credentials from environment" "-v says where the credentials came from"
unlike "$work/err" "$SECRET" "the secret key is not in the -v output"
rm -rf "$work/reports"

# 2. Throttling, a 500 and a dropped connection are retried.
scenario retry '["COMPLETE"]' '[]' '[
  {"action": "GetCredentialReport", "kind": "throttle", "count": 2},
  {"action": "GetCredentialReport", "kind": "http500", "count": 1},
  {"action": "GenerateCredentialReport", "kind": "drop", "count": 1}]'
fake_start "$work/retry.json"
rp run -c "$work/iam.ini" -vv
rc_is 0 "throttling, a 500 and a dropped connection are survived"
ok 'cmp -s "$out" "$work/report.csv"' "and the report arrives intact"
is "$(fake_count GetCredentialReport)" 4 "GetCredentialReport was tried four times"
like "$work/err" "attempt 1 of 5 failed (Throttling); retrying" "retries are logged at -v"
unlike "$work/err" "$SECRET" "no secret key at -vv (HTTP trace included)"
like "$work/err" "Authorization: (redacted)" "the Authorization header is redacted in the trace"
unlike "$work/err" "Signature=" "no signature in the trace"
rm -rf "$work/reports"

# 3. The report is gone by the time it is fetched: generate it again.
scenario regen '["COMPLETE"]' '["ReportInProgress", "ReportNotPresent"]' '[]'
fake_start "$work/regen.json"
rp run -c "$work/iam.ini"
rc_is 0 "ReportInProgress waits, ReportNotPresent generates again"
is "$(fake_count GenerateCredentialReport)" 2 "GenerateCredentialReport asked again after ReportNotPresent"
ok 'cmp -s "$out" "$work/report.csv"' "the report arrives"
is "$(cat "$work/err")" "" "silent on success"
rm -rf "$work/reports"

# 4. A wrong secret key: exit 3, the AWS error, nothing written.
fake_start "$work/states.json"
AWS_SECRET_ACCESS_KEY=not-the-right-secret rp run -c "$work/iam.ini"
rc_is 3 "a wrong secret key fails the source (exit 3)"
like "$work/err" "SignatureDoesNotMatch" "the message has the AWS error code"
like "$work/err" "check the secret access key" "and says what to do"
like "$work/err" "source.iam" "and names the section"
unlike "$work/err" "not-the-right-secret" "but not the secret"
ok '! [ -e "$work/reports" ]' "nothing is written"

# 5. An expired session token.
AWS_ACCESS_KEY_ID=ASIAREPORTPIPESTALE1 AWS_SESSION_TOKEN=$TOKEN rp run -c "$work/iam.ini"
rc_is 3 "an expired session token fails the source (exit 3)"
like "$work/err" "ExpiredToken" "with AWS's ExpiredToken"
like "$work/err" "refresh the credentials" "and what to do"
unlike "$work/err" "$TOKEN" "the token is not printed"

# 6. A report that never completes gives up at timeout, saying so.
scenario never '"never"' '[]' '[]'
fake_start "$work/never.json"
RP_TIMEOUT=1s rp run -c "$work/iam.ini"
rc_is 3 "a report that never completes fails at the timeout (exit 3)"
like "$work/err" "the credential report was not ready after" "the message says it waited"
like "$work/err" "last state: INPROGRESS" "and in which state"
ok '! [ -e "$work/reports" ]' "nothing is written"

# 7. No credentials anywhere: a clear message, exit 3.
fake_start "$work/states.json"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$RP_BIN" run -c "$work/iam.ini" >"$work/out.txt" 2>"$work/err"
rc=$?
rc_is 3 "no credentials: exit 3"
like "$work/err" "no AWS credentials found" "says no credentials were found"

# 8. check refuses plain http to a non-loopback endpoint without allow_http.
sed 's|^endpoint_url = .*|endpoint_url = http://iam.example.com|' "$work/iam.ini" >"$work/http.ini"
rp check -c "$work/http.ini"
rc_is 2 "plain http to a remote host is refused at check time"
like "$work/err" "set allow_http = true" "naming the option that allows it"
sed 's|^endpoint_url = .*|endpoint_url = http://iam.example.com\nallow_http = true|' "$work/iam.ini" >"$work/http.ini"
rp check -c "$work/http.ini"
rc_is 0 "allow_http = true accepts it"

# 9. check --online says who the pipeline runs as.
fake_start "$work/states.json"
rp check --online -c "$work/iam.ini"
rc_is 0 "check --online succeeds with good credentials"
like "$work/out" "source.iam: runs as arn:aws:iam::123456789012:user/main (account 123456789012" "and prints the caller"
AWS_SECRET_ACCESS_KEY=wrong rp check --online -c "$work/iam.ini"
rc_is 2 "check --online fails with bad credentials"
like "$work/err" "SignatureDoesNotMatch" "showing the AWS error"

# 10. LimitExceeded on GenerateCredentialReport: back off and ask again.
scenario limit '["COMPLETE"]' '[]' '[
  {"action": "GenerateCredentialReport", "kind": "limit_exceeded", "count": 1}]'
fake_start "$work/limit.json"
rp run -c "$work/iam.ini"
rc_is 0 "LimitExceeded is waited out"
is "$(fake_count GenerateCredentialReport)" 2 "GenerateCredentialReport asked again"
rm -rf "$work/reports"

# 11. A report without ARNs: the account comes from STS GetCallerIdentity.
cat >"$work/noarn.json" <<JSON
{"keys": [{"name": "main", "access_key_id": "AKIAREPORTPIPETEST01",
           "secret_access_key": "$SECRET", "account": "123456789012"}],
 "accounts": {"123456789012": {"report_csv": "user,password_enabled\nalice,true\n",
                               "generated_time": "2026-11-30T06:00:00Z",
                               "generate_states": ["COMPLETE"]}}}
JSON
fake_start "$work/noarn.json"
rp run -c "$work/iam.ini"
rc_is 0 "a report without an arn column still gets its account"
ok '[ -f "$out" ]' "from STS GetCallerIdentity (the file is named for 123456789012)"
is "$(fake_count GetCallerIdentity)" 1 "GetCallerIdentity was asked once"
rm -rf "$work/reports"

# 12. A slow answer past request_timeout is retried.
scenario slow '["COMPLETE"]' '[]' '[
  {"action": "GetCredentialReport", "kind": "slow", "seconds": 3, "count": 1}]'
fake_start "$work/slow.json"
sed 's/^max_attempts = 5$/max_attempts = 5\nrequest_timeout = 1s/' "$work/iam.ini" >"$work/slow.ini"
rp run -c "$work/slow.ini" -v
rc_is 0 "an answer slower than request_timeout is retried"
like "$work/err" "GetCredentialReport: attempt 1 of 5 failed (connection); retrying" "the timeout is logged as a failed attempt"
ok 'cmp -s "$out" "$work/report.csv"' "the report arrives"
rm -rf "$work/reports"

done_testing
