#!/bin/sh
# fake_aws_selftest.sh - TAP test of tests/fakes/fake_aws.py itself.
#
# Before reportpipe's own tests trust the fake AWS endpoint, this shows,
# with botocore as the client, that the fake answers IAM/STS/IMDS/ECS the
# way AWS does, follows its scenario script, and really verifies SigV4
# signatures (a request changed after signing is refused).
#
# automake runs it from the build directory with top_srcdir exported.
# Everything it writes goes to a private temporary directory.
#
# $MAIN, $THR and $FAULTY are option lists split on purpose; the ok
# conditions are single-quoted because ok() evals them.
# shellcheck disable=SC2086,SC2016,SC2034

: "${top_srcdir:?top_srcdir is not set (run the tests with make check)}"
PY=/usr/bin/python3
FAKE=$top_srcdir/tests/fakes/fake_aws.py
CLIENT=$top_srcdir/tests/fakes/selftest_client.py
PLAN=60

if ! "$PY" -c 'import botocore' >/dev/null 2>&1; then
	echo "1..0 # SKIP $PY with python3-botocore is needed"
	exit 0
fi

# Nothing from the caller's AWS or proxy setup may leak into the clients.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
	AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IAM \
	AWS_ENDPOINT_URL_STS AWS_RETRY_MODE AWS_MAX_ATTEMPTS \
	AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT
NO_PROXY=127.0.0.1,localhost
no_proxy=$NO_PROXY
AWS_CONFIG_FILE=/dev/null
AWS_SHARED_CREDENTIALS_FILE=/dev/null
LC_ALL=C
export NO_PROXY no_proxy AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE LC_ALL

work=$(mktemp -d "${TMPDIR:-/tmp}/fake-aws-selftest.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 1
}
fake_pid=
cleanup() {
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ TAP helpers
ntest=0
nfail=0

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

result() { # STATUS DESC
	ntest=$((ntest + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ntest - $2"
	else
		echo "not ok $ntest - $2"
		nfail=$((nfail + 1))
	fi
}

ok() { # 'SHELL CONDITION' DESC
	if eval "$1"; then result 0 "$2"; else result 1 "$2"; fi
}

# client ARGS...: run selftest_client.py; its one line in $out, exit in $rc
client() {
	out=$("$PY" "$CLIENT" "$@" 2>"$work/client.err")
	rc=$?
}

# expect WANT DESC: pass if the client's line contains WANT
expect() {
	case $out in
	*"$1"*) result 0 "$2" ;;
	*)
		result 1 "$2"
		diag "wanted: $1" "got:    $out" "stderr:" "$(sed 15q "$work/client.err")"
		;;
	esac
}

# logcount FIELD=VALUE...: how many log records match all of them
logcount() {
	for w in "$@"; do
		set -- "$@" "--where=$w"
		shift
	done
	"$PY" "$CLIENT" logcount --log "$work/requests.jsonl" "$@" || echo -1
}

# ------------------------------------------------------------- scenario
# Byte-exactness matters: CRLF, UTF-8 and no final newline must survive.
printf 'user,arn,password_enabled\r\n<root_account>,arn:aws:iam::111122223333:root,not_supported\r\nj\303\274rgen,arn:aws:iam::111122223333:user/j\303\274rgen,true' \
	>"$work/main-report.csv"
printf 'user,arn\nauditor,arn:aws:iam::444455556666:user/auditor\n' \
	>"$work/role-report.csv"

ROLE=arn:aws:iam::444455556666:role/ReportReader
cat >"$work/scenario.json" <<EOF
{
  "keys": [
    {"name": "main", "access_key_id": "AKIAFAKEMAIN00000001",
     "secret_access_key": "mainSecret/with+plus=", "account": "111122223333",
     "arn": "arn:aws:iam::111122223333:user/reporter"},
    {"name": "throttled", "access_key_id": "AKIAFAKETHROTTLE0001",
     "secret_access_key": "throttledSecret", "account": "222233334444"},
    {"name": "faulty", "access_key_id": "AKIAFAKEFAULTY000001",
     "secret_access_key": "faultySecret", "account": "111122223333"},
    {"name": "shaped", "access_key_id": "AKIAFAKESHAPED000001",
     "secret_access_key": "shapedSecret", "account": "111122223333"},
    {"name": "stale", "access_key_id": "ASIAFAKESTALE0000001",
     "secret_access_key": "staleSecret", "session_token": "staleToken",
     "expired": true, "account": "111122223333"},
    {"name": "ecs", "access_key_id": "ASIAFAKEECS000000001",
     "secret_access_key": "ecsSecret", "session_token": "ecsSessionToken",
     "account": "111122223333",
     "arn": "arn:aws:sts::111122223333:assumed-role/task-role/ecs"},
    {"name": "imds", "access_key_id": "ASIAFAKEIMDS00000001",
     "secret_access_key": "imdsSecret", "session_token": "imdsSessionToken",
     "account": "111122223333",
     "arn": "arn:aws:sts::111122223333:assumed-role/reportpipe-role/i-1"}
  ],
  "roles": [
    {"arn": "$ROLE", "external_id": "ext-42", "trusted": ["main"]},
    {"arn": "arn:aws:iam::444455556666:role/Doomed", "issue_expired": true}
  ],
  "accounts": {
    "111122223333": {
      "report_file": "main-report.csv",
      "generated_time": "2024-05-01T12:00:00Z",
      "generate_states": ["STARTED", "INPROGRESS", "INPROGRESS", "COMPLETE"]
    },
    "444455556666": {"report_file": "role-report.csv", "report_exists": true},
    "222233334444": {"report_csv": "user,arn\n", "strict": false,
                     "get_errors": ["ReportExpired"]}
  },
  "faults": [
    {"service": "iam", "action": "GetCredentialReport", "key": "throttled",
     "kind": "throttle"},
    {"service": "iam", "action": "GenerateCredentialReport",
     "key": "throttled", "kind": "limit_exceeded"},
    {"service": "sts", "action": "GetCallerIdentity", "key": "faulty",
     "kind": "drop"},
    {"service": "sts", "action": "GetCallerIdentity", "key": "faulty",
     "kind": "http503"},
    {"service": "sts", "action": "GetCallerIdentity", "key": "faulty",
     "kind": "slow", "seconds": 2},
    {"service": "sts", "action": "GetCallerIdentity", "key": "shaped",
     "kind": "body", "body": "<GetCallerIdentityResponse xmlns=\\"https://sts.amazonaws.com/doc/2011-06-15/\\"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/from-body</Arn><UserId>AIDAFROMBODY</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"},
    {"service": "sts", "action": "GetCallerIdentity", "key": "shaped",
     "kind": "body", "body": "<GetCallerIdentityResponse><GetCallerIdentityRes"},
    {"service": "sts", "action": "GetCallerIdentity", "key": "shaped",
     "kind": "cut"}
  ],
  "ecs": {"path": "/ecs/creds", "token": "ecs-auth-token", "key": "ecs"},
  "imds": {"role": "reportpipe-role", "key": "imds"}
}
EOF

echo "1..$PLAN"

# ---------------------------------------------------------------- start
"$PY" "$FAKE" --scenario "$work/scenario.json" --port-file "$work/port" \
	--log "$work/requests.jsonl" --max-seconds 300 2>"$work/fake.err" &
fake_pid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ] && kill -0 "$fake_pid" 2>/dev/null; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
port=$(cat "$work/port" 2>/dev/null)
case $port in
'' | *[!0-9]*)
	result 1 "fake starts and writes its port file within 10 s"
	diag "fake stderr:" "$(cat "$work/fake.err")"
	echo "Bail out! the fake did not start"
	exit 1
	;;
esac
result 0 "fake starts and writes its port file within 10 s"
E=http://127.0.0.1:$port
MAIN="--endpoint $E --key AKIAFAKEMAIN00000001 --secret mainSecret/with+plus="

# --------------------------------------------- IAM report, scripted states
client get $MAIN --out "$work/got.csv"
expect "ERROR code=ReportNotPresent status=410" \
	"GetCredentialReport before any generation: ReportNotPresent (410)"
client generate $MAIN
expect "OK State=STARTED" "GenerateCredentialReport #1 answers STARTED"
client generate $MAIN
expect "OK State=INPROGRESS" "GenerateCredentialReport #2 answers INPROGRESS"
client get $MAIN --out "$work/got.csv"
expect "ERROR code=ReportInProgress status=404" \
	"GetCredentialReport while generating: ReportInProgress (404)"
client generate $MAIN
expect "OK State=INPROGRESS" "GenerateCredentialReport #3 answers INPROGRESS"
client generate $MAIN
expect "OK State=COMPLETE" "GenerateCredentialReport #4 answers COMPLETE"
client generate $MAIN
expect "OK State=COMPLETE" "after the script ends, COMPLETE"
client get $MAIN --out "$work/got.csv"
expect "OK ReportFormat=text/csv GeneratedTime=2024-05-01T12:00:00Z" \
	"GetCredentialReport succeeds with ReportFormat and GeneratedTime"
ok 'cmp -s "$work/got.csv" "$work/main-report.csv"' \
	"the report arrives byte-exact (CRLF, UTF-8, no final newline)"

# ------------------------------------------------------ authentication
client whoami $MAIN
expect "OK Arn=arn:aws:iam::111122223333:user/reporter Account=111122223333" \
	"GetCallerIdentity names the caller's user and account"
client whoami --endpoint "$E" --key AKIAFAKEMAIN00000001 --secret wrongSecret
expect "ERROR code=SignatureDoesNotMatch status=403" \
	"a wrong secret key: SignatureDoesNotMatch (403)"
ok '[ "$(logcount access_key_id=AKIAFAKEMAIN00000001 signature_ok=false)" -eq 1 ]' \
	"the log records exactly that one bad signature"
client whoami --endpoint "$E" --key AKIAFAKEUNKNOWN00001 --secret whatever
expect "ERROR code=InvalidClientTokenId status=403" \
	"an unknown access key: InvalidClientTokenId (403)"
client whoami --endpoint "$E" --key ASIAFAKESTALE0000001 --secret staleSecret \
	--token staleToken
expect "ERROR code=ExpiredToken status=403" \
	"expired session credentials: ExpiredToken (403)"

# ---------------------------------------------------------- AssumeRole
client assume $MAIN --role-arn "$ROLE" --external-id ext-42 \
	--session-name selftest --out "$work/role.json"
expect "OK AccessKeyId=ASIA" "AssumeRole with the external id issues ASIA keys"
expect "Arn=arn:aws:sts::444455556666:assumed-role/ReportReader/selftest" \
	"AssumeRole answers the assumed-role ARN"
temp_key=$(echo "$out" | sed -n 's/.*AccessKeyId=\([A-Z0-9]*\).*/\1/p')
client whoami --endpoint "$E" --creds "$work/role.json"
expect "OK Arn=arn:aws:sts::444455556666:assumed-role/ReportReader/selftest Account=444455556666" \
	"the temporary keys work and belong to the role's account"
client get --endpoint "$E" --creds "$work/role.json" --out "$work/got-role.csv"
expect "OK ReportFormat=text/csv" "the temporary keys can fetch a report"
ok 'cmp -s "$work/got-role.csv" "$work/role-report.csv"' \
	"... and it is the role account's report, byte-exact"
ok '[ "$(logcount access_key_id="$temp_key" action=GetCredentialReport session_token_present=true key_kind=issued signature_ok=true status=200)" -eq 1 ]' \
	"the log shows the temporary key and its session token were used"
client whoami --endpoint "$E" --creds "$work/role.json" --no-token
expect "ERROR code=InvalidClientTokenId status=403" \
	"the temporary keys without their session token: InvalidClientTokenId"
client whoami --endpoint "$E" --creds "$work/role.json" --token staleToken
expect "ERROR code=InvalidClientTokenId status=403" \
	"the temporary keys with another key's session token: InvalidClientTokenId"
client assume $MAIN --role-arn "$ROLE" --external-id wrong-id --out "$work/x.json"
expect "ERROR code=AccessDenied status=403" \
	"AssumeRole with a wrong external id: AccessDenied (403)"
client assume $MAIN --role-arn "$ROLE" --out "$work/x.json"
expect "ERROR code=AccessDenied status=403" \
	"AssumeRole without the required external id: AccessDenied"
client assume --endpoint "$E" --key AKIAFAKEFAULTY000001 --secret faultySecret \
	--role-arn "$ROLE" --external-id ext-42 --out "$work/x.json"
expect "ERROR code=AccessDenied status=403" \
	"AssumeRole by a key the role does not trust: AccessDenied"
client assume $MAIN --role-arn "$ROLE" --external-id ext-42 --duration 7200 \
	--out "$work/x.json"
expect "ERROR code=ValidationError status=400" \
	"AssumeRole beyond the role's MaxSessionDuration: ValidationError"
client assume $MAIN --role-arn arn:aws:iam::444455556666:role/Doomed \
	--out "$work/doomed.json"
expect "OK AccessKeyId=ASIA" "a role can issue already-expired credentials"
client whoami --endpoint "$E" --creds "$work/doomed.json"
expect "ERROR code=ExpiredToken status=403" \
	"... which then get ExpiredToken"

# -------------------------------------------------------------- faults
THR="--endpoint $E --key AKIAFAKETHROTTLE0001 --secret throttledSecret"
client get $THR --out "$work/got-thr.csv"
expect "ERROR code=Throttling status=400" \
	"an injected throttle: Throttling (400), not retried with 1 attempt"
client get $THR --out "$work/got-thr.csv"
expect "ERROR code=ReportExpired status=410" \
	"after the throttle (count 1), the scripted ReportExpired (410)"
client get $THR --out "$work/got-thr.csv"
expect "OK ReportFormat=text/csv" "after the scripted errors, the report"
client generate $THR
expect "ERROR code=LimitExceeded status=409" \
	"an injected LimitExceeded: the IAM model's 409"
FAULTY="--endpoint $E --key AKIAFAKEFAULTY000001 --secret faultySecret"
client whoami $FAULTY --read-timeout 10
expect "CONNERR" "an injected drop: the connection closes with no answer"
client whoami $FAULTY
expect "ERROR code=ServiceUnavailable status=503" "an injected 503"
t0=$(date +%s)
client whoami $FAULTY
t1=$(date +%s)
expect "OK Arn=" "an injected slow answer still answers"
ok '[ $((t1 - t0)) -ge 2 ]' "... after the scripted 2 seconds ($((t1 - t0)) s)"

SHAPED="--endpoint $E --key AKIAFAKESHAPED000001 --secret shapedSecret"
client whoami $SHAPED
expect "OK Arn=arn:aws:iam::111122223333:user/from-body " \
	"an injected body: answered verbatim (botocore parses it)"
client whoami $SHAPED
expect "BADANSWER ResponseParserError" \
	"an injected body of truncated XML with status 200"
client whoami $SHAPED
expect "BADANSWER ResponseParserError" \
	"an injected cut: the answer stops halfway"
ok '[ "$(logcount key_name=shaped status=null "fault=faults[7] cut")" -eq 1 ]' \
	"... and the log shows it with status null"

# ---------------------------------- hand-sent requests, signed by botocore
BODY='Action=GetCallerIdentity&Version=2011-06-15&Note=signed'
client signed-post $MAIN --service sts --body "$BODY"
expect "OK status=200" "control: a botocore-signed request sent by hand works"
client signed-post $MAIN --service sts --body "$BODY" --tamper-byte -1
expect "ERROR code=SignatureDoesNotMatch status=403" \
	"the same request with one body byte changed after signing is refused"
client signed-post $MAIN --service sts --body "$BODY" --date-offset -1200
expect "ERROR code=SignatureDoesNotMatch status=403" \
	"a request signed 20 minutes ago is refused (15 minute limit)"
client signed-post $MAIN --service sts --body "$BODY" --sign-user-agent
expect "OK status=200" \
	"a request that also signs User-Agent is accepted (AWS does)"
client signed-post --endpoint "$E" --creds "$work/role.json" --service sts \
	--body "$BODY" --unsigned-token
expect "OK status=200" \
	"a session token sent but not signed is accepted (AWS does)"
client signed-post $MAIN --service iam \
	--body 'Action=GenerateCredentialReport&Version=2010-05-08' \
	--region eu-west-1
expect "ERROR code=SignatureDoesNotMatch status=403" \
	"an IAM request scoped to eu-west-1 is refused"
client raw GET "$E/?Action=GetCallerIdentity&Version=2011-06-15"
expect "status=403" "an unsigned Query request: 403 (MissingAuthenticationToken)"
client raw GET "$E/no/such/thing"
expect "status=404" "an unknown path: 404"

# ----------------------------------------------------------------- IMDS
client raw GET "$E/latest/meta-data/iam/security-credentials/"
expect "ERROR code=- status=401" "IMDS without a token (IMDSv1): 401"
client raw PUT "$E/latest/api/token"
expect "ERROR code=- status=400" "IMDS token PUT without a TTL header: 400"
client raw GET "$E/latest/meta-data/iam/security-credentials/reportpipe-role" \
	--header "X-aws-ec2-metadata-token: made-up"
expect "ERROR code=- status=401" "IMDS with a made-up token: 401"
client imds --base-url "$E" --out "$work/imds.json"
expect "OK role=reportpipe-role AccessKeyId=ASIAFAKEIMDS00000001" \
	"botocore's IMDSv2 client gets the role's credentials"
client whoami --endpoint "$E" --creds "$work/imds.json"
expect "OK Arn=arn:aws:sts::111122223333:assumed-role/reportpipe-role/i-1" \
	"the IMDS credentials are accepted by STS"

# ------------------------------------------------------------------ ECS
client ecs --url "$E/ecs/creds" --auth wrong-token --out "$work/ecs.json"
expect "ERROR code=MetadataRetrievalError status=403" \
	"ECS with a wrong authorization token: 403"
client ecs --url "$E/ecs/creds" --out "$work/ecs.json"
expect "ERROR code=MetadataRetrievalError status=401" \
	"ECS without an authorization token: 401"
client ecs --url "$E/ecs/creds" --auth ecs-auth-token --out "$work/ecs.json"
expect "OK AccessKeyId=ASIAFAKEECS000000001 RoleArn=arn:aws:sts::111122223333:assumed-role/task-role/ecs" \
	"ECS with the right token: botocore's fetcher gets the credentials"

# ------------------------------------------------------------- hygiene
secrets=$("$PY" -c 'import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    print(d["SecretAccessKey"]); print(d["SessionToken"])' \
	"$work/role.json" "$work/doomed.json")
leaks=
for s in mainSecret throttledSecret faultySecret shapedSecret staleSecret staleToken \
	ecsSecret ecsSessionToken ecs-auth-token imdsSecret imdsSessionToken \
	$secrets; do
	if grep -F -e "$s" "$work/requests.jsonl" "$work/fake.err" >/dev/null; then
		leaks="$leaks ${s%"${s#????}"}..."
	fi
done
ok '[ -z "$leaks" ]' "no secret or token appears in the log or the fake's stderr"
[ -z "$leaks" ] || diag "leaked:$leaks"

kill "$fake_pid"
wait "$fake_pid"
frc=$?
fake_pid=
ok '[ "$frc" -eq 0 ] && [ ! -e "$work/port" ]' \
	"SIGTERM stops the fake cleanly and removes its port file"

printf '{"keys": [], "acounts": {}}\n' >"$work/bad.json"
"$PY" "$FAKE" --scenario "$work/bad.json" --port-file "$work/port2" \
	2>"$work/bad.err"
brc=$?
ok '[ "$brc" -eq 2 ] && [ ! -e "$work/port2" ] && grep -q acounts "$work/bad.err"' \
	"a scenario with a misspelt key is refused (exit 2, names the key)"

if [ "$ntest" -ne "$PLAN" ]; then
	diag "planned $PLAN tests but ran $ntest"
	nfail=$((nfail + 1))
fi
[ "$nfail" -eq 0 ] || diag "fake stderr:" "$(sed 20q "$work/fake.err")"
[ "$nfail" -eq 0 ]
