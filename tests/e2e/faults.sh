#!/bin/sh
# faults.sh - fault injection, end to end (issue #7): the real binary
# against the fake AWS endpoint (tests/fakes/fake_aws.py) and real files,
# with the network, the peer or the disk failing.  Each case checks the
# documented exit code, that the message names what failed and what to
# do, and that nothing is lost or half-written: no partial output file,
# the spool holds what was not delivered, and a later `reportpipe retry`
# delivers it.
#
#   1. connection refused            7. Content that is not base64
#   2. reset mid-response            8. a ragged CSV row (csv_file, IAM)
#   3. a server that stalls          9. the disk fills while writing
#   4. a 500, then success          10. a state_dir that cannot be written
#   5. a throttling storm           11. SIGKILL in the middle of delivery
#   6. truncated and malformed XML
#
# Covered elsewhere, not repeated here:
#   iam_source.sh 2   throttling, a 500 and a dropped connection, mixed,
#                     survived with max_attempts = 5
#   iam_source.sh 12  one answer slower than request_timeout, retried
#   iam_source.sh 6   a report that never completes (timeout, exit 3)
#   spool.sh 1-3      a refused sink's share kept and delivered by retry
#   spool.sh 5, 9     a sink that crashes the process, SIGTERM mid-delivery
#   file_sink.sh      a failed write leaves no temporary file; malformed
#                     CSV (quotes) named by line and column
#   s3_sink.sh        S3's own errors naming bucket and key
#
# RP_AWS_BACKOFF_SCALE shortens the waits between attempts (the schedule
# stays the same), so the retries here take milliseconds.
# The ok conditions are single-quoted because ok() evals them.
# shellcheck disable=SC2016
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

PY=/usr/bin/python3
SECRET=faultsTestSecret/with+plus=
AWS_ACCESS_KEY_ID=AKIAREPORTPIPEFAULT1
AWS_SECRET_ACCESS_KEY=$SECRET
RP_AWS_BACKOFF_SCALE=0.05
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY RP_AWS_BACKOFF_SCALE
sample=$work/report.csv
cp "$top_srcdir/etc/sample-credential-report.csv" "$sample"
sample_sha=$(sha256sum "$sample" | cut -d' ' -f1)
report=$work/reports/123456789012.csv
IAM_NS='xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"'

# skip N REASON: N skipped tests
skip() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		_i=$((_i + 1))
		_ntest=$((_ntest + 1))
		echo "ok $_ntest # SKIP $2"
	done
}

# scenario FAULTS [REPORT]: a fresh fake whose account 123456789012 has
# REPORT (default: the sample, from report.csv), bucket "reports" and SES,
# with FAULTS (a JSON list).
scenario() {
	_report=${2:-'"report_file": "report.csv"'}
	cat >"$work/scenario.json" <<JSON
{"keys": [{"name": "main", "access_key_id": "$AWS_ACCESS_KEY_ID",
           "secret_access_key": "$SECRET", "account": "123456789012"}],
 "accounts": {"123456789012": {$_report,
                               "generated_time": "2026-11-30T06:00:00Z",
                               "generate_states": ["COMPLETE"]}},
 "buckets": {"reports": {}},
 "faults": $1}
JSON
	fake_start "$work/scenario.json" --mail-dir "$work/mail"
}

# A port nothing listens on (bound, then closed again).
free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# The IAM source into a file sink.  Every case starts from nothing.
cat >"$work/iam.ini" <<'INI'
[pipeline]
name = faults-iam
state_dir = iamstate

[source.iam]
plugin = iam_credential_report
endpoint_url = ${fake_url}
poll_interval = 100ms
timeout = 10s
max_attempts = ${RP_MAX_ATTEMPTS}
request_timeout = 1s

[format.csv]
plugin = csv

[sink.out]
plugin = file
input = csv
path = reports/{account_id}.csv
INI
RP_MAX_ATTEMPTS=3
export RP_MAX_ATTEMPTS
iam_run() {
	rm -rf "$work/reports" "$work/iamstate"
	rp run -c "$work/iam.ini"
}
# A failed source writes no file and spools nothing: there is nothing.
nothing_from_iam() {
	! [ -e "$work/reports" ] && [ -z "$(ls -A "$work/iamstate/spool" 2>/dev/null)" ]
}

# A CSV file into a file sink and an S3 bucket.
cat >"$work/s3.ini" <<'INI'
[pipeline]
name = faults-s3
state_dir = s3state

[source.local]
plugin = csv_file
path = report.csv
generated_time = 2026-11-30T06:00:00+00:00

[format.csv]
plugin = csv

[sink.disk]
plugin = file
input = csv
path = arts/{format}.{ext}

[sink.s3]
plugin = s3
input = csv
bucket = reports
key = iam/{account_id}.{ext}
endpoint_url = ${fake_url}
region = us-east-1
max_attempts = ${RP_MAX_ATTEMPTS}
request_timeout = 1s
INI
s3_run() {
	rm -rf "$work/arts" "$work/s3state"
	rp run -c "$work/s3.ini"
}

# puts: the fake's PutObject requests, "STATUS SHA256-OF-BODY" each
# (STATUS null: no complete answer, the connection was dropped or cut).
puts() {
	"$PY" -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("action") == "PutObject":
        print(json.dumps(r["status"]), r["body_sha256"])' "$fake_log"
}

# spool_holds STATE SINKS: one entry in STATE/spool, nothing half-written
# beside it, waiting for SINKS only (ls order), the csv artifact intact.
spool_holds() {
	_s=$work/$1/spool
	[ "$(ls -A "$_s" 2>/dev/null | wc -l)" -eq 1 ] || return 1
	_e=$_s/$(ls -A "$_s")
	[ "$(ls "$_e/pending" | tr '\n' ' ')" = "$2 " ] &&
		cmp -s "$_e/a0.csv" "$sample"
}
spool_empty() {
	[ -z "$(ls -A "$work/$1/spool" 2>/dev/null)" ]
}

# s3_failed WHAT WANT ADVICE: after an s3_run whose PutObject failed for
# good: exit 1, the message naming the call (WANT) and what to do
# (ADVICE), the file sink unharmed, the spool holding the S3 share; then
# a healthy S3 gets it from `retry`, exactly once.
s3_failed() {
	rc_is 1 "$1 (S3): exit 1"
	like "$work/err" "reportpipe: error: sink.s3: not delivered for source.local (account 123456789012): $2" \
		"$1 (S3): the message names the sink and what failed"
	like "$work/err" "$3" "$1 (S3): and what to do"
	like "$work/err" "reportpipe: warning: sink.s3: kept in $work/s3state/spool/" \
		"$1 (S3): and where the report is kept"
	ok 'cmp -s "$work/arts/csv.csv" "$sample" && spool_holds s3state s3' \
		"$1 (S3): the file sink delivered; the spool holds the S3 share, intact"
	scenario '[]'
	rp retry -c "$work/s3.ini"
	rc_is 0 "$1 (S3): a later retry delivers it"
	is "$(puts)" "200 $sample_sha" "$1 (S3): one PutObject, of the spooled bytes"
	ok 'spool_empty s3state' "$1 (S3): the spool is empty afterwards"
}

# iam_failed WHAT WANT ADVICE: after an iam_run that failed: exit 3, the
# message naming what failed (WANT) and what to do (ADVICE), nothing
# written or spooled.
iam_failed() {
	rc_is 3 "$1 (IAM): exit 3"
	like "$work/err" "reportpipe: error: $2" "$1 (IAM): the message names the source and what failed"
	like "$work/err" "$3" "$1 (IAM): and what to do"
	ok 'nothing_from_iam' "$1 (IAM): nothing written, nothing spooled"
}

# ------------------------------------------------ 1. connection refused
port=$(free_port)
fake_url=http://127.0.0.1:$port
export fake_url
iam_run
iam_failed "connection refused" \
	"source.iam: IAM GenerateCredentialReport: POST http://127.0.0.1:$port/...: Failed to connect to 127.0.0.1 port $port" \
	"; gave up after 3 attempts: check endpoint_url and the network, or run again later"

port=$(free_port)
fake_url=http://127.0.0.1:$port
s3_run
s3_failed "connection refused" \
	"S3 PutObject: PUT http://127.0.0.1:$port/...: Failed to connect to 127.0.0.1 port $port" \
	"; gave up after 3 attempts: check endpoint_url and the network, or run again later"

# ------------------------------------------------ 2. reset mid-response
# "cut": the fake answers, but closes the connection halfway through.
scenario '[{"action": "GetCredentialReport", "kind": "cut", "count": 1}]'
iam_run
rc_is 0 "reset mid-response once (IAM): retried, exit 0"
ok 'cmp -s "$report" "$sample"' "reset mid-response once (IAM): the report arrives intact"
is "$(fake_count GetCredentialReport)" 2 "reset mid-response once (IAM): GetCredentialReport asked twice"

scenario '[{"action": "GetCredentialReport", "kind": "cut", "count": "always"}]'
iam_run
iam_failed "reset mid-response, always" \
	"source.iam: IAM GetCredentialReport: POST $fake_url/...: transfer closed with" \
	"; gave up after 3 attempts: check endpoint_url and the network, or run again later"

# S3's answer to a PutObject has no body: half of it ends inside the
# headers, which libcurl alone would take for a whole answer (a success).
scenario '[{"action": "PutObject", "kind": "cut", "count": 1}]'
s3_run
rc_is 0 "reset in a PutObject answer's headers once (S3): retried, exit 0"
is "$(puts)" "null $sample_sha
200 $sample_sha" "reset in a PutObject answer's headers once (S3): not taken for a success, put again"
ok 'spool_empty s3state' "reset in a PutObject answer's headers once (S3): nothing left in the spool"

scenario '[{"action": "PutObject", "kind": "cut", "count": "always"}]'
s3_run
s3_failed "reset mid-response, always" \
	"S3 PutObject: PUT $fake_url/...: the connection closed in the middle of the answer's headers (HTTP 200)" \
	"; gave up after 3 attempts: check endpoint_url and the network, or run again later"

# ------------------------------------------ 3. a server that stalls
RP_MAX_ATTEMPTS=2
scenario '[{"action": "GetCredentialReport", "kind": "slow", "seconds": 3, "count": "always"}]'
iam_run
iam_failed "a stalled server" \
	"source.iam: IAM GetCredentialReport: POST $fake_url/...: Operation timed out after" \
	"; no answer within request_timeout (1 s) in 2 attempts: raise request_timeout or max_attempts, or run again later"

scenario '[{"action": "PutObject", "kind": "slow", "seconds": 3, "count": "always"}]'
s3_run
s3_failed "a stalled server" \
	"S3 PutObject: PUT $fake_url/...: Operation timed out after" \
	"; no answer within request_timeout (1 s) in 2 attempts: raise request_timeout or max_attempts, or run again later"
RP_MAX_ATTEMPTS=3

# ------------------------------------------ 4. a 500, then success
scenario '[{"action": "GetCredentialReport", "kind": "http500", "count": 1}]'
iam_run
rc_is 0 "a 500, then success (IAM): exit 0"
ok 'cmp -s "$report" "$sample"' "a 500, then success (IAM): the report arrives intact"
is "$(fake_count GetCredentialReport)" 2 "a 500, then success (IAM): the fake saw 2 GetCredentialReport"

scenario '[{"action": "PutObject", "kind": "http500", "count": 1}]'
s3_run
rc_is 0 "a 500, then success (S3): exit 0"
is "$(puts)" "500 $sample_sha
200 $sample_sha" "a 500, then success (S3): the fake saw 2 PutObject, the second stored"
ok 'spool_empty s3state' "a 500, then success (S3): nothing left in the spool"

# ------------------------------------------ 5. a throttling storm
scenario '[{"action": "GetCredentialReport", "kind": "throttle", "count": "always"}]'
iam_run
iam_failed "a throttling storm" \
	"source.iam: IAM GetCredentialReport: Throttling: Rate exceeded (HTTP 400" \
	"; still throttled after 3 attempts: raise max_attempts (now 3) or run when the account is quieter"
is "$(fake_count GetCredentialReport)" 3 "a throttling storm (IAM): exactly max_attempts requests"

scenario '[{"action": "PutObject", "kind": "throttle", "count": "always"}]'
s3_run
s3_failed "a throttling storm" \
	"s3://reports/iam/123456789012.csv: S3 PutObject: SlowDown: Please reduce your request rate. (HTTP 503" \
	"; still throttled after 3 attempts: raise max_attempts (now 3) or run when the account is quieter"

# --------------------------------- 6. truncated and malformed XML (200)
# body_fault ACTION XML: the fake answers ACTION with 200 and XML, always.
body_fault() {
	scenario "[{\"action\": \"$1\", \"kind\": \"body\", \"count\": \"always\", \"body\": \"$2\"}]"
}
GOOD_RESULT='<Content>dXNlcixhcm4K</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-30T06:00:00Z</GeneratedTime>'
GARBLED='; it was cut short or garbled on the way (a proxy?): run again, and check what sits between reportpipe and endpoint_url if it persists'

body_fault GetCredentialReport "<GetCredentialReportResponse $IAM_NS><GetCredentialReportResult><Content>dXNlcixh"
iam_run
iam_failed "truncated XML" \
	"source.iam: IAM GetCredentialReport: the answer is not well-formed XML" "$GARBLED"

body_fault GetCredentialReport "<GetCredentialReportResponse $IAM_NS><GetCredentialReportResult>$GOOD_RESULT</GetCredentialReportResult></GetCredentialReportRespons>"
iam_run
iam_failed "malformed XML" \
	"source.iam: IAM GetCredentialReport: the answer is not well-formed XML" "$GARBLED"

# Before the fix, an unreadable State was polled until `timeout`, and
# then blamed on the report ("not ready ... last state: ?").
body_fault GenerateCredentialReport "<GenerateCredentialReportResponse $IAM_NS><GenerateCredentialReportResult><State>COMPL"
iam_run
iam_failed "truncated XML from GenerateCredentialReport" \
	"source.iam: IAM GenerateCredentialReport: the answer is not well-formed XML" "$GARBLED"
is "$(fake_count GenerateCredentialReport)" 1 \
	"truncated XML from GenerateCredentialReport (IAM): fails at once, no polling until timeout"

# ------------------------------------------ 7. Content that is not base64
body_fault GetCredentialReport "<GetCredentialReportResponse $IAM_NS><GetCredentialReportResult><Content>dXNlci*!arn=</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-30T06:00:00Z</GeneratedTime></GetCredentialReportResult></GetCredentialReportResponse>"
iam_run
iam_failed "corrupt base64 Content" \
	"source.iam: IAM GetCredentialReport: Content is not valid base64" \
	", so the report was damaged on the way: run again"

body_fault GetCredentialReport "<GetCredentialReportResponse $IAM_NS><GetCredentialReportResult><Content>dXNlcixh=cm4K</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-30T06:00:00Z</GeneratedTime></GetCredentialReportResult></GetCredentialReportResponse>"
iam_run
iam_failed "base64 padding inside the Content" \
	"source.iam: IAM GetCredentialReport: Content is not valid base64" \
	", so the report was damaged on the way: run again"

# Base64 in lines of 76 characters, as MIME wraps it, over several of the
# decoder's 4,096-character blocks: the report arrives whole.
"$PY" "$top_srcdir/tests/gen_report.py" current 100 >"$work/wrapped.csv"
wrapped=$("$PY" -c 'import base64, sys
text = base64.encodebytes(open(sys.argv[1], "rb").read()).decode()
print(text.replace("\n", "&#13;&#10;"), end="")' "$work/wrapped.csv")
body_fault GetCredentialReport "<GetCredentialReportResponse $IAM_NS><GetCredentialReportResult><Content>$wrapped</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-30T06:00:00Z</GeneratedTime></GetCredentialReportResult></GetCredentialReportResponse>"
iam_run
rc_is 0 "Content wrapped in CRLF lines of base64, 33 KB: exit 0"
ok 'cmp -s "$work/reports/123456789012.csv" "$work/wrapped.csv"' \
	"Content wrapped in CRLF lines of base64: the report arrives byte for byte"

# ------------------------------------------ 8. a ragged CSV row
# ragged FILE SED: the sample with its 4th line edited by SED
ragged() {
	sed "4$2" "$sample" >"$work/$1"
}
ragged more.csv 's/$/,extra/'
ragged fewer.csv 's/^\([^,]*,[^,]*\),.*/\1/'
sed -e 's|^path = report.csv$|path = ${RP_CSV}|' -e '/^\[sink.s3\]/,$d' \
	"$work/s3.ini" >"$work/csv.ini"
for f in more:23 fewer:2; do
	RP_CSV=${f%:*}.csv
	export RP_CSV
	rm -rf "$work/arts" "$work/s3state"
	rp run -c "$work/csv.ini"
	rc_is 3 "a row with ${f%:*} cells (csv_file): exit 3"
	like "$work/err" "reportpipe: error: source.local: $work/$RP_CSV:4:1: row has ${f#*:} fields, the header has 22; fix the CSV or regenerate the report" \
		"a row with ${f%:*} cells (csv_file): the message gives file:line:column, both counts and what to do"
	ok '! [ -e "$work/arts" ] && spool_empty s3state' \
		"a row with ${f%:*} cells (csv_file): nothing written, nothing spooled"
done

scenario '[]' '"report_file": "more.csv"'
iam_run
iam_failed "a ragged row in the credential report" \
	"source.iam: IAM credential report:4:1: row has 23 fields, the header has 22" \
	"; fix the CSV or regenerate the report"

# ------------------------------------------ 9. the disk fills
# A 64 KiB tmpfs, filled up but for the directory already made: the
# sink's temporary file can be created, but writing it fails (ENOSPC).
# Mounting needs root (CAP_SYS_ADMIN); /dev/full cannot stand in, since
# the sink writes a temporary file beside the target and renames it.
full=$work/full
FULL_TESTS=7
if [ "$(id -u)" -eq 0 ] && mkdir "$full" &&
	mount -t tmpfs -o size=64k,mode=0755 reportpipe-faults "$full" 2>/dev/null; then
	trap 'umount "$full" 2>/dev/null; fake_stop; rm -rf "$work"' EXIT
	mkdir "$full/out"
	dd if=/dev/zero of="$full/filler" bs=4096 2>/dev/null
	sed -e 's|^path = arts/{format}.{ext}$|path = full/out/{format}.{ext}|' \
		-e '/^\[sink.s3\]/,$d' "$work/s3.ini" >"$work/full.ini"
	rm -rf "$work/s3state"
	rp run -c "$work/full.ini"
	rc_is 1 "a full disk: exit 1"
	like "$work/err" "reportpipe: error: sink.disk: not delivered for source.local (account 123456789012): cannot write $full/out/csv.csv: No space left on device" \
		"a full disk: the message names the file and the reason"
	like "$work/err" "reportpipe: warning: sink.disk: kept in $work/s3state/spool/" \
		"a full disk: and where the report is kept for the next run"
	is "$(ls -A "$full/out")" "" "a full disk: no half-written or temporary file at the destination"
	ok 'spool_holds s3state disk' "a full disk: the spool (elsewhere) holds the artifact, intact"
	rm "$full/filler"
	rp retry -c "$work/full.ini"
	ok '[ "$rc" -eq 0 ] && cmp -s "$full/out/csv.csv" "$sample"' \
		"a full disk: once there is room, retry writes the file whole"
	ok 'spool_empty s3state' "a full disk: the spool is empty afterwards"
	umount "$full"
else
	skip $FULL_TESTS "a small tmpfs needs root and mount(2) (CAP_SYS_ADMIN)"
fi

# ---------------------------------- 10. a state_dir that cannot be written
# chmod does not stop root, who may run this: as root, state_dir lies
# under a regular file (ENOTDIR); otherwise it is a directory mode 0500.
if [ "$(id -u)" -eq 0 ]; then
	printf 'not a directory\n' >"$work/plain"
	bad=$work/plain/state
	why="cannot create directory $bad: Not a directory"
else
	bad=$work/readonly
	mkdir -m 0500 "$bad"
	why="cannot open the lock file $bad/lock: Permission denied"
fi
sed -e "s|^state_dir = s3state\$|state_dir = $bad|" -e '/^\[sink.s3\]/,$d' \
	"$work/s3.ini" >"$work/ro.ini"
rm -rf "$work/arts"
rp run -c "$work/ro.ini"
rc_is 2 "an unwritable state_dir: exit 2"
like "$work/err" "reportpipe: error: state_dir: $why; nothing was run: make state_dir a directory this user can write (it holds the spool, the history and the lock) or set state_dir elsewhere" \
	"an unwritable state_dir: the message names it, says nothing ran and what to do"
ok '! [ -e "$work/arts" ]' "an unwritable state_dir: nothing delivered without a spool to fall back on"
sed "s|^state_dir = .*|state_dir = $work/rostate|" "$work/ro.ini" >"$work/ro2.ini"
rp run -c "$work/ro2.ini"
ok '[ "$rc" -eq 0 ] && cmp -s "$work/arts/csv.csv" "$sample"' \
	"an unwritable state_dir: with a writable one, the next run delivers"

# ---------------------------------- 11. SIGKILL in the middle of delivery
# disk, s3 and mail; s3 and mail deliver at once (RP_PLUGIN_CONCURRENT),
# each crossed off as soon as it is done.  The fake holds the PutObject for
# 2 s and then drops it unanswered and unstored; reportpipe is killed
# meanwhile, when disk and mail are done.
sed '/^\[sink.s3\]/,$d' "$work/s3.ini" >"$work/kill.ini"
cat >>"$work/kill.ini" <<'INI'
[sink.s3]
plugin = s3
input = csv
bucket = reports
key = iam/{account_id}.{ext}
endpoint_url = ${fake_url}
region = us-east-1

[sink.mail]
plugin = ses
input = csv
endpoint_url = ${fake_url}
region = us-east-1
from = audit@example.co.jp
to = security@example.co.jp
INI
rm -rf "$work/arts" "$work/s3state" "$work/mail"
mkdir "$work/mail"
scenario '[{"action": "PutObject", "kind": "drop", "seconds": 2, "count": 1}]'
"$RP_BIN" run -vv -c "$work/kill.ini" >"$work/kill.out" 2>"$work/kill.err" &
pid=$!
# Killed once disk and mail are crossed off and the PutObject is on its
# way (-vv traces its headers as they are sent; the small body follows).
i=0
until { spool_holds s3state "s3" &&
	grep -q "http: > PUT /reports/iam/123456789012.csv" "$work/kill.err"; } ||
	[ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.3
kill -KILL $pid
wait $pid 2>/dev/null # no "Killed" notice from the shell
is "$?" 137 "SIGKILL during delivery: the process died (137)"
ok 'spool_holds s3state "s3"' \
	"SIGKILL during delivery: the spool waits for s3 only (disk and mail were crossed off), intact"
ok 'cmp -s "$work/arts/csv.csv" "$sample" && [ "$(ls -A "$work/arts")" = csv.csv ]' \
	"SIGKILL during delivery: the file sink's file is whole, no temporary file"
i=0
while [ -z "$(puts)" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(puts)" "null $sample_sha" \
	"SIGKILL during delivery: the killed PutObject had reached S3, which stored nothing"
is "$(ls "$work/mail" | grep -c '\.eml$')" 1 \
	"SIGKILL during delivery: the mail went out beside the held PutObject"
rp retry -c "$work/kill.ini" -v
rc_is 0 "SIGKILL during delivery: retry delivers the rest"
is "$(puts)" "null $sample_sha
200 $sample_sha" "SIGKILL during delivery: S3 stored the object exactly once"
is "$(ls "$work/mail" | grep -c '\.eml$')" 1 "SIGKILL during delivery: still exactly one mail"
unlike "$work/err" "sink.disk" "SIGKILL during delivery: the file sink is not called again"
unlike "$work/err" "sink.mail" "SIGKILL during delivery: nor the mail sink"
ok 'spool_empty s3state' "SIGKILL during delivery: the spool is empty afterwards"

done_testing
