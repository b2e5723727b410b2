#!/bin/sh
# accounts.sh - every account of an organization from one pipeline: the
# iam_credential_report source with `accounts`, against the fake AWS
# endpoint (which checks every signature with botocore).  Twenty member
# accounts, one of which does not let the management account assume its
# role: 19 datasets, one named failure, exit 1; the fake's count of
# requests in flight shows the accounts are worked on concurrently, never
# more than max_parallel at once.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

MGMT=111111111111
DENIED=100000000007
sample=$top_srcdir/etc/sample-credential-report.csv
members=
i=1
while [ $i -le 20 ]; do
	members="$members $(printf '1000000000%02d' $i)"
	i=$((i + 1))
done

# The scenario: the management account's key, a role in each member that
# trusts it (but one), each account's own report, and a delay on every IAM
# answer so that overlapping requests show.
{
	echo '{"keys": [{"name": "main", "access_key_id": "AKIAMGMTKEY000000001",'
	echo '  "secret_access_key": "mgmt-secret-5e1", "account": "'$MGMT'"}],'
	echo ' "delay_ms": {"iam": 120},'
	echo ' "organization": {"management_account": "'$MGMT'", "page_size": 6, "accounts": ['
	echo '  {"id": "'$MGMT'", "name": "management", "email": "root@example.com", "status": "ACTIVE"},'
	echo '  {"id": "100000000099", "name": "closed", "email": "c@example.com", "status": "SUSPENDED"},'
	sep=
	for a in $members; do
		printf '%s  {"id": "%s", "name": "member %s", "email": "%s@example.com", "status": "ACTIVE"}' \
			"$sep" "$a" "$a" "$a"
		sep=',
'
	done
	echo ']},'
	echo ' "roles": ['
	sep=
	for a in $members; do
		trusted='["main"]'
		[ "$a" = "$DENIED" ] && trusted='["nobody"]'
		# one role's trust policy requires an external id
		ext=
		[ "$a" = 100000000002 ] && ext=', "external_id": "org-ext-42"'
		printf '%s  {"arn": "arn:aws:iam::%s:role/OrganizationAccountAccessRole", "trusted": %s%s}' \
			"$sep" "$a" "$trusted" "$ext"
		sep=',
'
	done
	echo '],'
	echo ' "accounts": {'
	sep=
	for a in $MGMT $members; do
		sed "s/123456789012/$a/g" "$sample" >"$work/$a.csv"
		printf '%s  "%s": {"report_file": "%s.csv", "generated_time": "2026-11-30T06:00:00Z", "generate_states": ["STARTED", "COMPLETE"]}' \
			"$sep" "$a" "$a"
		sep=',
'
	done
	echo '}}'
} >"$work/scenario.json"

# start SCENARIO: a fresh fake, and STS pointed at it
start() {
	fake_start "$1"
	AWS_ENDPOINT_URL_STS=$fake_url
	export AWS_ENDPOINT_URL_STS
}
start "$work/scenario.json"
AWS_ACCESS_KEY_ID=AKIAMGMTKEY000000001
AWS_SECRET_ACCESS_KEY=mgmt-secret-5e1
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# pipeline NAME ACCOUNTS MAX_PARALLEL
pipeline() {
	cat >"$work/$1.ini" <<INI
[pipeline]
state_dir = state-$1

[source.org]
plugin = iam_credential_report
endpoint_url = \${fake_url}
poll_interval = 50ms
accounts = $2
max_parallel = $3
external_id = ${4-org-ext-42}

[format.csv]
plugin = csv

[sink.out]
plugin = file
input = csv
path = reports-$1/{account_id}.csv
INI
}

# max_in_flight: the most requests the fake was handling at once.
max_in_flight() {
	/usr/bin/python3 -c '
import json, sys
print(max(json.loads(l).get("in_flight") or 0 for l in open(sys.argv[1])))' "$fake_log"
}

# ---- every account of the organization, 4 at a time
pipeline org organization 4
rp run -c "$work/org.ini"
rc_is 1 "organization, one account denying AssumeRole: exit 1"
is "$(ls "$work/reports-org" | wc -l | tr -d ' ')" 20 \
	"20 reports: the management account's own and 19 members'"
ok "[ ! -e '$work/reports-org/$DENIED.csv' ]" "no report for the denied account"
ok "[ ! -e '$work/reports-org/100000000099.csv' ]" "the suspended account is skipped"
ok "grep -q 'arn:aws:iam::100000000013:user/' '$work/reports-org/100000000013.csv'" \
	"each report is its own account's (the role's credentials fetched it)"
like "$work/err" "source.org[$DENIED]: STS AssumeRole: AccessDenied" \
	"the failure is logged under the account's name"
like "$work/err" "source.org: 1 of 21 accounts failed ($DENIED); the other 20 are delivered" \
	"the summary line names the failed account"
is "$(fake_count ListAccounts)" 4 "ListAccounts is paginated (21+1 accounts, 6 a page)"
is "$(fake_count AssumeRole)" 20 "AssumeRole in each member, not in the management account"
n=$(max_in_flight)
ok "[ $n -ge 2 ] && [ $n -le 4 ]" "concurrent: at most max_parallel (4) requests in flight, more than one ($n)"
unlike "$work/err" "mgmt-secret-5e1" "no secret in the log"

# ---- scope = run: one document for the whole organization
start "$work/scenario.json"
pipeline run organization 8
cat >>"$work/run.ini" <<'INI'

[format.summary]
plugin = html_summary
scope = run
max_rows = 3

[format.text]
plugin = text_summary
scope = run

[sink.once]
plugin = file
input = summary, text
path = run/{account_id}.{ext}
INI
rp run -c "$work/run.ini"
rc_is 1 "scope = run with one account failing: exit 1"
is "$(ls "$work/run" | tr '\n' ' ')" "all.html all.txt " \
	"one HTML and one text document for the whole run"
is "$(ls "$work/reports-run" | wc -l | tr -d ' ')" 20 "and still a CSV per account"
is "$(grep -c 'font-size:20px;font-weight:bold;' "$work/run/all.html")" 20 \
	"the HTML has a section per delivered account"
ok "grep -q '20 accounts' '$work/run/all.html'" "its title counts the accounts"
ok "grep -q '>Total<' '$work/run/all.html'" "it has the totals row"
unlike "$work/run/all.html" "$DENIED" "the failed account has no section"
is "$(/usr/bin/python3 "$top_srcdir/tests/html_wellformed.py" "$work/run/all.html")" "" \
	"the run's HTML is well-formed (a real HTML parser)"
is "$(grep -c '^1000000000[0-9][0-9]  \|^111111111111  ' "$work/run/all.txt")" 20 \
	"the text has a line per account"
like "$work/run/all.txt" "Total         Users 200," "and the total of users"
is "$(awk 'length($0) > 77' "$work/run/all.txt")" "" "text lines stay under 78 columns"

# scope is checked before anything runs
pipeline badscope "$MGMT" 8
printf '\n[format.csv2]\nplugin = csv\nscope = run\n' >>"$work/badscope.ini"
rp check -c "$work/badscope.ini"
rc_is 2 "scope = run on a plugin that cannot: exit 2"
like "$work/err" "scope = run: plugin 'csv' renders one dataset at a time" "and why"
pipeline mix "$MGMT" 8
printf '\n[format.sum]\nplugin = text_summary\nscope = run\n[sink.both]\nplugin = file\ninput = csv, sum\npath = x.{ext}\n' >>"$work/mix.ini"
rp check -c "$work/mix.ini"
rc_is 2 "a sink mixing scopes: exit 2"
like "$work/err" "input mixes format.csv (scope = dataset) with format.sum (scope = run)" \
	"and the message names both"
pipeline typo "$MGMT" 8
printf '\n[format.sum]\nplugin = text_summary\nscope = runs\n' >>"$work/typo.ini"
rp check -c "$work/typo.ini"
rc_is 2 "scope = runs: exit 2"
like "$work/err" "scope: 'runs' is not one of dataset|run" "and the allowed values are named"

# ---- one at a time: never two requests at once
start "$work/scenario.json"
pipeline serial "$MGMT, 100000000001, 100000000002" 1
rp run -c "$work/serial.ini"
rc_is 0 "three listed accounts: exit 0"
is "$(ls "$work/reports-serial" | tr '\n' ' ')" "100000000001.csv 100000000002.csv $MGMT.csv " \
	"a report per listed account"
is "$(max_in_flight)" 1 "max_parallel = 1: one request at a time"
is "$(fake_count ListAccounts)" 0 "a list of accounts does not ask Organizations"

# ---- external_id goes with every AssumeRole the section makes
start "$work/scenario.json"
pipeline noext "100000000002" 8 wrong-ext
rp run -c "$work/noext.ini"
rc_is 3 "a role whose trust policy wants another external id: exit 3"
like "$work/err" "source.org[100000000002]: STS AssumeRole: AccessDenied" \
	"the role refuses a wrong external_id (the right one passed above)"

# ---- everything fails: no dataset, exit 3
start "$work/scenario.json"
pipeline none "$DENIED" 8
rp run -c "$work/none.ini"
rc_is 3 "the only account fails: exit 3 (no source produced a dataset)"
like "$work/err" "source.org: 1 of 1 accounts failed ($DENIED)" \
	"and it is named"

# ---- Organizations refuses: a sentence that says what is needed
cat >"$work/member.json" <<JSON
{"keys": [{"name": "member", "access_key_id": "AKIAMEMBERKEY0000001",
   "secret_access_key": "member-secret", "account": "100000000001"}],
 "organization": {"management_account": "$MGMT", "accounts": [
   {"id": "$MGMT", "name": "m", "email": "m@example.com", "status": "ACTIVE"}]},
 "accounts": {}}
JSON
start "$work/member.json"
pipeline refused organization 8
AWS_ACCESS_KEY_ID=AKIAMEMBERKEY0000001 AWS_SECRET_ACCESS_KEY=member-secret \
	rp run -c "$work/refused.ini"
rc_is 3 "ListAccounts refused: exit 3"
like "$work/err" "AccessDeniedException" "the error code is shown"
like "$work/err" "management account or a delegated administrator" "and what is needed"

# ---- the option's values are checked before anything runs
pipeline bad "1234, $MGMT" 8
rp check -c "$work/bad.ini"
rc_is 2 "a malformed account id: exit 2"
like "$work/err" "accounts: '1234' is not a 12-digit account id" "the message names the key and the value"
pipeline twice "$MGMT, $MGMT" 8
rp check -c "$work/twice.ini"
rc_is 2 "an account listed twice: exit 2"
like "$work/err" "accounts: $MGMT is listed twice" "and says so"
pipeline mixed "organization, $MGMT" 8
rp check -c "$work/mixed.ini"
rc_is 2 "organization with ids: exit 2"
pipeline zero "$MGMT" 0
rp check -c "$work/zero.ini"
rc_is 2 "max_parallel = 0: exit 2"

done_testing
