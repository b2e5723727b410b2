# fake.sh - sourced after lib.sh by tests that talk to AWS: starts the fake
# AWS endpoint (tests/fakes/fake_aws.py, which checks every signature with
# botocore) on 127.0.0.1 and keeps the tests away from the real ~/.aws.
#
#   fake_start SCENARIO.json [OPTION...]
#                              start a fresh fake (OPTIONs go to fake_aws.py,
#                              e.g. --mail-dir DIR); sets $fake_url, $fake_log
#   fake_stop                  stop it (also done on exit)
#   fake_count ACTION          how many requests for ACTION the fake saw

FAKE_PY=/usr/bin/python3
if ! "$FAKE_PY" -c 'import botocore' 2>/dev/null; then
	echo "Bail out! /usr/bin/python3 with botocore is needed (apt-get install python3-botocore)"
	exit 1
fi

# Nothing from the developer's machine may leak into a test.
HOME=$work
AWS_CONFIG_FILE=$work/no-aws-config
AWS_SHARED_CREDENTIALS_FILE=$work/no-aws-credentials
AWS_EC2_METADATA_DISABLED=true
export HOME AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_DISABLED
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
	AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_IAM \
	AWS_ENDPOINT_URL_STS AWS_MAX_ATTEMPTS AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_EC2_METADATA_SERVICE_ENDPOINT

fake_pid=
fake_stop() {
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
		fake_pid=
	fi
}
trap 'fake_stop; rm -rf "$work"' EXIT

fake_start() {
	fake_stop
	rm -f "$work/fake.port"
	fake_log=$work/fake-$(date +%s%N).jsonl
	_scenario=$1
	shift
	"$FAKE_PY" "$top_srcdir/tests/fakes/fake_aws.py" --scenario "$_scenario" \
		--port-file "$work/fake.port" --log "$fake_log" \
		--max-seconds 300 "$@" 2>>"$work/fake.err" &
	fake_pid=$!
	_i=0
	while ! [ -s "$work/fake.port" ]; do
		_i=$((_i + 1))
		if [ "$_i" -gt 150 ] || ! kill -0 "$fake_pid" 2>/dev/null; then
			echo "Bail out! the fake AWS endpoint did not start"
			sed 's/^/# /' "$work/fake.err"
			exit 1
		fi
		sleep 0.1
	done
	fake_url=http://127.0.0.1:$(cat "$work/fake.port")
	export fake_url
}

fake_count() {
	grep -c "\"action\": *\"$1\"" "$fake_log" 2>/dev/null || true
}
