#!/bin/sh
# ses_fake.sh - the ses sink against the fake AWS endpoint
# (tests/fakes/fake_aws.py), which verifies every SendEmail (API v2) and
# SendRawEmail (API v1) signature with botocore's own signer, checks the
# request against botocore's models, parses the raw message with Python's
# email package and keeps what it accepts under --mail-dir.  Unlike
# ses_sink.sh (aws-ses-v2-local, which checks no signature) this proves
# the requests would pass at AWS.  For each API:
#
#  1. delivered: signed for ses in ap-northeast-1 (region = on the
#     section), the Japanese subject and sender name decode, Bcc only in
#     the envelope, the attachment is the file sink's copy byte for byte;
#     configuration_set is sent when set; AWS_ENDPOINT_URL_SESV2 (v2) /
#     AWS_ENDPOINT_URL_SES (v1) lead to the endpoint too.
#  2. a wrong secret: the signature is refused, the archive is still
#     written, the secret is never printed.
#  3. MessageRejected: the error reaches the user with its code and
#     message, the file sink delivers, the mail waits in the spool; the
#     next run delivers the spooled mail and its own.
#
# Then the fake's SES itself, with botocore's ses/sesv2 clients: its
# answers parse with botocore's models, and it refuses what SES refuses
# (tampered bodies, another region, unknown keys, members the model lacks,
# 8-bit headers, messages over max_message_bytes).
#
# The ok conditions are single-quoted because ok() evals them.
# shellcheck disable=SC2016
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

plan 130

PY=/usr/bin/python3
SECRET=sesFakeTestSecret/with+plus=
AWS_ACCESS_KEY_ID=AKIAREPORTPIPESES001
AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_ENDPOINT_URL_SES AWS_ENDPOINT_URL_SESV2
TAB=$(printf '\t')
mail=$work/mail
spool=$work/state/spool
cp "$top_srcdir/etc/sample-credential-report.csv" "$work/report.csv"
chmod u+w "$work/report.csv"

REJECTED='Email address is not verified. The following identities failed the check in region AP-NORTHEAST-1: audit@example.co.jp'

# scenario REJECT [MAX_BYTES [FAULTS]]: one key, SES in ap-northeast-1
# only, the first REJECT sends refused with MessageRejected, messages up
# to MAX_BYTES (base64) taken, the fake's FAULTS (a JSON list)
scenario() {
	_max= _faults=
	[ -z "${2:-}" ] || _max=", \"max_message_bytes\": $2"
	[ -z "${3:-}" ] || _faults=", \"faults\": $3"
	cat >"$work/ses.json" <<JSON
{
  "region": "ap-northeast-1",
  "keys": [{"name": "main", "access_key_id": "$AWS_ACCESS_KEY_ID",
            "secret_access_key": "$SECRET", "account": "123456789012"}],
  "ses": {"reject": $1, "reject_code": "MessageRejected",
          "reject_message": "$REJECTED"$_max}$_faults
}
JSON
}

# start REJECT [MAX_BYTES [FAULTS]]: a fresh fake, an empty mail directory, no state
start() {
	rm -rf "$mail" "$work/state" "$work/arts"
	scenario "$@"
	fake_start "$work/ses.json" --mail-dir "$mail"
}

# pipeline API [SES LINES...]: the sample report as csv, a file sink
# `archive` and an ses sink `mail`
pipeline() {
	_api=$1
	shift
	{
		printf '%s\n' '[pipeline]' 'name = weekly' "state_dir = $work/state" \
			'timezone = Asia/Tokyo' \
			'[source.local]' 'plugin = csv_file' "path = $work/report.csv" \
			'generated_time = 2026-11-30T06:00:00+00:00' \
			'[format.csv]' 'plugin = csv' \
			'[sink.archive]' 'plugin = file' 'input = csv' \
			"path = $work/arts/{format}.{ext}" 'overwrite = true' \
			'[sink.mail]' 'plugin = ses' "api = $_api" 'input = csv' \
			'region = ap-northeast-1' \
			'from = 監査チーム <audit@example.co.jp>' \
			'to = manager@example.co.jp, security@example.co.jp' \
			'cc = cc@example.co.jp' 'bcc = hidden@example.co.jp' \
			'subject = IAMユーザー管理簿 {account_id} {date}'
		printf '%s\n' "$@"
	} >"$work/p.ini"
}

# seslog FIELD...: one line per SES request the fake logged, its FIELDs
# tab-separated
cat >"$work/seslog.py" <<'PY'
import json, sys
sys.stdout.reconfigure(encoding="utf-8")
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("service") == "ses":
        print("\t".join(r.get(f) if isinstance(r.get(f), str)
                        else json.dumps(r.get(f)) for f in sys.argv[2:]))
PY
seslog() {
	"$PY" "$work/seslog.py" "$fake_log" "$@"
}
emls() { ls "$mail" 2>/dev/null | grep -c '\.eml$'; }
entries() { ls "$spool" 2>/dev/null | grep -c .; }

# check_mail.py NNNN API CONFSET|-: the saved message and its .json,
# one "ok - ..." or "not ok - ..." line per check (always the same lines)
cat >"$work/check_mail.py" <<'PY'
import json, sys
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
sys.stdout.reconfigure(encoding="utf-8")
mail, n, api, confset, archive = sys.argv[1:6]
try:
    raw = open("%s/%s.eml" % (mail, n), "rb").read()
    info = json.load(open("%s/%s.json" % (mail, n), encoding="utf-8"))
except OSError as err:
    raw, info = b"", {}
    print("# cannot read the saved message: %s" % err)
msg = BytesParser(policy=policy.default).parsebytes(raw)
head = raw.split(b"\r\n\r\n", 1)[0]
try:
    want = open(archive, "rb").read()
except OSError as err:
    want = None
    print("# cannot read the archive: %s" % err)

def addrs(name):
    return [a for _, a in getaddresses([str(v) for v in msg.get_all(name, [])])]

def parts():
    return [p for p in msg.walk() if p.get_content_disposition() == "attachment"]

def defects():
    found = []
    for p in msg.walk():
        p.get_payload(decode=True) if not p.is_multipart() else None
        found += p.defects
        found += [d for _, v in p.items() for d in getattr(v, "defects", ())]
    return found

checks = [
    ("the fake saved it from a %s request" % api,
     lambda: info["api"] == api and info["signature_ok"] is True),
    ("the message parses without defects", lambda: raw and not defects()),
    ("the Subject decodes to the Japanese subject",
     lambda: str(msg["Subject"]) == "IAMユーザー管理簿 123456789012 2026-11-30"),
    ("From decodes to the Japanese name and the address",
     lambda: str(msg["From"]) == "監査チーム <audit@example.co.jp>"),
    ("the envelope sender is the From address",
     lambda: info["source"] == "audit@example.co.jp"),
    ("To and Cc headers name their recipients",
     lambda: addrs("To") == ["manager@example.co.jp", "security@example.co.jp"]
     and addrs("Cc") == ["cc@example.co.jp"]),
    ("bcc is in no header",
     lambda: head and b"hidden@" not in head and msg["Bcc"] is None),
    ("the envelope (destinations) holds to, cc and bcc",
     lambda: sorted(info["destinations"]) == [
         "cc@example.co.jp", "hidden@example.co.jp",
         "manager@example.co.jp", "security@example.co.jp"]),
    ("one attachment, named for date, account and format",
     lambda: [p.get_filename() for p in parts()] ==
     ["20261130_123456789012_iam_credential_report_csv.csv"]),
    ("the attachment's bytes are the file sink's copy",
     lambda: parts()[0].get_payload(decode=True) == want),
    ("configuration set: %s" % ("none sent" if confset == "-" else confset + " sent"),
     lambda: info["configuration_set"] == (None if confset == "-" else confset)),
]
for what, check in checks:
    try:
        good = bool(check())
    except Exception as err:
        print("# %s: %r" % (what, err))
        good = False
    print(("ok" if good else "not ok") + " - " + what)
PY
# check_mail NNNN API CONFSET|- DESC-PREFIX: the checks above, as TAP
check_mail() {
	"$PY" "$work/check_mail.py" "$mail" "$1" "$2" "$3" "$work/arts/csv.csv" \
		>"$work/checks" 2>&1
	while IFS= read -r _line; do
		case $_line in
		"ok - "*) ok true "$4: ${_line#ok - }" ;;
		"not ok - "*) ok false "$4: ${_line#not ok - }" ;;
		*) diag "$_line" ;;
		esac
	done <"$work/checks"
}

for api in v2 v1; do
	if [ $api = v2 ]; then
		action=SendEmail path=/v2/email/outbound-emails env=AWS_ENDPOINT_URL_SESV2
	else
		action=SendRawEmail path=/ env=AWS_ENDPOINT_URL_SES
	fi

	# ---- 1. delivered
	start 0
	pipeline $api 'endpoint_url = ${fake_url}'
	rp run -v -c "$work/p.ini"
	rc_is 0 "$api: delivered (exit 0)"
	is "$(seslog service action path region signature_ok status)" \
		"ses${TAB}$action${TAB}$path${TAB}ap-northeast-1${TAB}true${TAB}200" \
		"$api: one $action, signed for ses in ap-northeast-1, botocore verified the signature"
	is "$(emls)" 1 "$api: the fake accepted and saved one message"
	like "$work/err" "sink.mail: sent to 4 recipients, SES message id $(seslog message_id)" \
		"$api: the answer's MessageId is logged"
	check_mail 0001 $api - "$api"
	unlike "$fake_log" "$SECRET" "$api: the secret is in no request"

	# configuration_set: ConfigurationSetName (form field / JSON member;
	# the fake refuses members its model does not have)
	start 0
	pipeline $api 'endpoint_url = ${fake_url}' 'configuration_set = audit-mail'
	rp run -c "$work/p.ini"
	rc_is 0 "$api: configuration_set: delivered"
	is "$(seslog configuration_set signature_ok)" "audit-mail${TAB}true" \
		"$api: ConfigurationSetName is sent"
	is "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["configuration_set"])' "$mail/0001.json" 2>&1)" \
		audit-mail "$api: and saved with the message"

	# A 500 first: the retry sends the message again, signed again (v2's
	# body is made anew as it is sent, plugins/ses/ses_body.c).
	start 0 "" '[{"kind": "http500", "service": "ses", "count": 1}]'
	pipeline $api 'endpoint_url = ${fake_url}'
	rp run -c "$work/p.ini"
	rc_is 0 "$api: a 500 first: delivered on the retry"
	is "$(seslog action status)" "$action${TAB}500
$action${TAB}200" "$api: two requests, the first answered 500"
	is "$(emls)" 1 "$api: one message saved"
	check_mail 0001 $api - "$api, retried"

	# the endpoint from the environment: AWS_ENDPOINT_URL_SESV2 for v2,
	# AWS_ENDPOINT_URL_SES for v1
	start 0
	pipeline $api
	eval "$env=\$fake_url; export $env"
	rp run -c "$work/p.ini"
	unset "$env"
	rc_is 0 "$api: $env leads to the endpoint"
	is "$(seslog action signature_ok status)" "$action${TAB}true${TAB}200" \
		"$api: and the request is signed the same"

	# ---- 2. a wrong secret
	start 0
	pipeline $api 'endpoint_url = ${fake_url}'
	AWS_SECRET_ACCESS_KEY=not-the-secret rp run -c "$work/p.ini"
	rc_is 1 "$api: a wrong secret key: exit 1"
	if [ $api = v2 ]; then
		# SES v2 names it as JSON services do (x-amzn-ErrorType).
		like "$work/err" "reportpipe: error: sink.mail: not delivered for source.local (account 123456789012): SES SendEmail: InvalidSignatureException: The request signature we calculated does not match the signature you provided." \
			"$api: the signature is refused (InvalidSignatureException, SES v2's SignatureDoesNotMatch)"
	else
		like "$work/err" "reportpipe: error: sink.mail: not delivered for source.local (account 123456789012): SES SendRawEmail: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided." \
			"$api: SignatureDoesNotMatch names the sink"
	fi
	like "$work/err" "; check the secret access key (HTTP 403" \
		"$api: and says what to do"
	like "$work/err" "(HTTP 403, request id " "$api: with status and request id"
	is "$(seslog signature_ok status)" "false${TAB}403" "$api: the fake refused the signature"
	ok '[ -s "$work/arts/csv.csv" ]' "$api: the archive is still written"
	unlike "$work/err" "not-the-secret" "$api: the secret is not printed"
	is "$(emls)" 0 "$api: nothing was saved"

	# ---- 3. MessageRejected, then the spool
	start 1
	pipeline $api 'endpoint_url = ${fake_url}'
	rp run -c "$work/p.ini"
	rc_is 1 "$api: MessageRejected: exit 1"
	like "$work/err" "reportpipe: error: sink.mail: not delivered for source.local (account 123456789012): SES $action: MessageRejected: $REJECTED (HTTP 400, request id " \
		"$api: one line names sink.mail, the code and its message"
	is "$(seslog action signature_ok status error_code rejected)" \
		"$action${TAB}true${TAB}400${TAB}MessageRejected${TAB}true" \
		"$api: the fake rejected a correctly signed request"
	ok '[ -s "$work/arts/csv.csv" ]' "$api: the file sink still delivered"
	unlike "$work/err" "sink.archive: not delivered" "$api: and did not fail"
	is "$(entries)" 1 "$api: one spool entry"
	is "$(ls "$spool"/*/pending 2>&1)" mail "$api: it waits for the mail only"
	is "$(emls)" 0 "$api: nothing was saved"
	: >"$fake_log"
	rp run -c "$work/p.ini"
	rc_is 0 "$api: the next run (the fake accepts now): exit 0"
	is "$(seslog action signature_ok status | sort | uniq -c | sed 's/^ *//')" \
		"2 $action${TAB}true${TAB}200" "$api: two sends, both accepted"
	is "$(emls)" 2 "$api: the spooled message and the new one were saved"
	is "$(entries)" 0 "$api: the spool is empty"
	"$PY" "$work/check_mail.py" "$mail" 0001 $api - "$work/arts/csv.csv" >"$work/c1" 2>&1
	"$PY" "$work/check_mail.py" "$mail" 0002 $api - "$work/arts/csv.csv" >"$work/c2" 2>&1
	ok '[ "$(grep -c "^ok" "$work/c1" "$work/c2" | sed "s/.*://" | sort -u)" = 11 ]' \
		"$api: both are whole (subject, bcc, attachment = the archive)" ||
		diag "$(cat "$work/c1" "$work/c2")"
done

# ---- the fake's SES itself, with botocore as the client: its answers
# ---- parse with botocore's own models, and it refuses what SES refuses
# ---- (else the tests above would prove little)
cat >"$work/sesclient.py" <<'PY'
import http.client, json, sys
from urllib.parse import urlencode, urlsplit
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

# sesclient.py ENDPOINT KEY_ID SECRET API CASE: one line, "OK" or
# "ERROR CODE STATUS [EXCEPTION CLASS]"
endpoint, akid, secret, api, case = sys.argv[1:6]
region = "us-west-2" if case == "region" else "ap-northeast-1"
raw = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: "
       + ("\u65e5\u672c".encode() if case == "8bit" else b"plain")
       + b"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
if case in ("tamper", "member"):
    # signed by botocore's SigV4Auth, then spoiled, sent by http.client
    extra = "ConfigurationSet" if case == "member" else None
    if api == "v2":
        doc = {"Content": {"Raw": {"Data": __import__("base64").b64encode(raw).decode()}}}
        if extra:
            doc[extra] = "x"
        body, path, ctype = json.dumps(doc).encode(), "/v2/email/outbound-emails", "application/json"
    else:
        form = {"Action": "SendRawEmail", "Version": "2010-12-01",
                "RawMessage.Data": __import__("base64").b64encode(raw).decode()}
        if extra:
            form[extra] = "x"
        body, path, ctype = urlencode(form).encode(), "/", "application/x-www-form-urlencoded"
    request = AWSRequest(method="POST", url=endpoint + path, data=body,
                         headers={"Content-Type": ctype})
    SigV4Auth(Credentials(akid, secret), "ses", region).add_auth(request)
    if case == "tamper":
        body = body.replace(b"Data", b"data", 1) if api == "v2" else body + b"&Source=x%40example.com"
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = dict(request.headers.items())
    headers["Content-Length"] = str(len(body))
    conn.request("POST", path, body=body, headers=headers)
    answer = conn.getresponse()
    text = answer.read().decode("utf-8", "replace")
    if api == "v2":
        code = (answer.getheader("x-amzn-ErrorType") or "-").split(":")[0]
    else:
        code = text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in text else "-"
    print("OK" if answer.status == 200 else "ERROR %s %d" % (code, answer.status))
    sys.exit(0)
client = botocore.session.get_session().create_client(
    "sesv2" if api == "v2" else "ses", endpoint_url=endpoint,
    region_name=region, aws_access_key_id=akid, aws_secret_access_key=secret,
    config=Config(retries={"total_max_attempts": 1}))
try:
    if api == "v2":
        answer = client.send_email(
            FromEmailAddress="a@example.com",
            Destination={"ToAddresses": ["b@example.com"]},
            Content={"Raw": {"Data": raw}})
    else:
        answer = client.send_raw_email(
            Source="a@example.com", Destinations=["b@example.com"],
            RawMessage={"Data": raw})
    print("OK" if answer["MessageId"] else "OK but no MessageId")
except ClientError as err:
    print("ERROR %s %d %s" % (err.response["Error"]["Code"],
                              err.response["ResponseMetadata"]["HTTPStatusCode"],
                              type(err).__name__))
PY
# sesclient WANT DESC API CASE [KEY_ID SECRET]
sesclient() {
	is "$("$PY" "$work/sesclient.py" "$fake_url" "${5:-$AWS_ACCESS_KEY_ID}" \
		"${6:-$SECRET}" "$3" "$4" 2>&1)" "$1" "fake SES $3: $2"
}
start 2
sesclient "ERROR MessageRejected 400 MessageRejected" \
	"botocore reads the rejection as SendEmail's modeled MessageRejected" v2 good
sesclient "ERROR MessageRejected 400 MessageRejected" \
	"and v1's as SendRawEmail's (now the two rejections are used up)" v1 good
sesclient OK "botocore's sesv2 client sends, and reads the MessageId" v2 good
sesclient OK "botocore's ses client sends, and reads the MessageId" v1 good
is "$(emls)" 2 "fake SES: both accepted messages were saved"
sesclient "ERROR InvalidSignatureException 403" "a body changed after signing is refused" v2 tamper
sesclient "ERROR SignatureDoesNotMatch 403" "a body changed after signing is refused" v1 tamper
sesclient "ERROR InvalidSignatureException 403 ClientError" "a signature for another region is refused" v2 region
sesclient "ERROR SignatureDoesNotMatch 403 ClientError" "a signature for another region is refused" v1 region
sesclient "ERROR UnrecognizedClientException 403 ClientError" "an unknown access key" v2 good AKIAUNKNOWNKEY000000 x
sesclient "ERROR InvalidClientTokenId 403 ClientError" "an unknown access key" v1 good AKIAUNKNOWNKEY000000 x
sesclient "ERROR BadRequestException 400" "a member the model lacks is refused" v2 member
sesclient "ERROR InvalidParameterValue 400" "a parameter the model lacks is refused" v1 member
sesclient "ERROR BadRequestException 400 BadRequestException" "an unencoded 8-bit header is refused" v2 8bit
sesclient "ERROR InvalidParameterValue 400 ClientError" "an unencoded 8-bit header is refused" v1 8bit
is "$(emls)" 2 "fake SES: nothing refused was saved"
start 0 100
sesclient "ERROR MessageRejected 400 MessageRejected" \
	"a message over max_message_bytes (after base64) is rejected" v2 good
sesclient "ERROR MessageRejected 400 MessageRejected" \
	"a message over max_message_bytes (after base64) is rejected" v1 good

done_testing
