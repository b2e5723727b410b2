#!/bin/sh
# s3_sink.sh - the s3 sink, end to end.
#
#  1. Against s3rver (npm, tests/peers): objects read back with the aws CLI
#     byte for byte, keys with a space, '+', '=' and Japanese arriving
#     exactly, virtual-hosted addressing, an unknown access key.
#  2. Against the fake AWS endpoint (tests/fakes/fake_aws.py): botocore's
#     S3 signer verifies every request; the payload hash, the checksum,
#     Content-MD5 (content_md5), encryption, storage class, Object Lock and
#     metadata headers
#     are checked; AccessDenied, NoSuchBucket, Object Lock on a bucket
#     without it and a wrong region reach the user naming bucket and key,
#     while the file sink of the same pipeline still delivers.
#  3. Configuration errors `check` refuses (exit 2).
#
# Part 1 needs node, s3rver under ${RP_NODE_PEERS:-tests/peers/node_modules}
# and an aws CLI; without them its tests are skipped, the rest still run.
# The ok conditions are single-quoted because ok() evals them.
# shellcheck disable=SC2016
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

plan 96

PY=/usr/bin/python3
peers=${RP_NODE_PEERS:-$top_srcdir/tests/peers/node_modules}
s3rver_js=$peers/s3rver/bin/s3rver.js
if [ -x /usr/bin/aws ]; then
	aws_cli=/usr/bin/aws # Debian's, which CI installs
else
	aws_cli=$(command -v aws 2>/dev/null)
fi
SECRET=s3SinkTestSecret/with+plus=
cp "$top_srcdir/etc/sample-credential-report.csv" "$work/report.csv"
AWS_PAGER=
export AWS_PAGER

key_tmpl='iam/{date:%Y%m%d} a+b=c 日本 {account_id}_{format}.{ext}'
k_csv='iam/20261130 a+b=c 日本 123456789012_csv.csv'
k_raw='iam/20261130 a+b=c 日本 123456789012_raw.csv'
# k_csv as S3 wants it in the path: every byte but A-Za-z0-9-_.~/ encoded.
k_csv_path='iam/20261130%20a%2Bb%3Dc%20%E6%97%A5%E6%9C%AC%20123456789012_csv.csv'
TAB=$(printf '\t')

# skip N REASON: N skipped tests
skip() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		_i=$((_i + 1))
		_ntest=$((_ntest + 1))
		echo "ok $_ntest # SKIP $2"
	done
}

# pipeline FILE LINES...: the sample report, two formats, a file sink
# writing arts/csv.csv and arts/raw.csv, then LINES (the s3 sections).
pipeline() {
	_f=$1
	shift
	{
		printf '%s\n' '[pipeline]' 'name = s3-test' "state_dir = $work/state" \
			'[source.local]' 'plugin = csv_file' "path = $work/report.csv" \
			'generated_time = 2026-11-30T06:00:00+00:00' \
			'[format.csv]' 'plugin = csv' \
			'[format.raw]' 'plugin = csv' 'columns = user, arn' \
			'[sink.disk]' 'plugin = file' 'input = csv, raw' \
			"path = $work/arts/{format}.{ext}" 'overwrite = true'
		printf '%s\n' "$@"
	} >"$_f"
}

# run ARGS...: rp with a fresh state_dir (nothing replayed from a spool)
# and no output from an earlier run.
run() {
	rm -rf "$work/state" "$work/arts"
	rp "$@"
}

# s3log ACTION FIELD...: one line per logged request of ACTION, its
# FIELDs tab-separated; h:NAME is a request header, signed the
# SignedHeaders.
cat >"$work/s3log.py" <<'PY'
import json, sys
sys.stdout.reconfigure(encoding="utf-8")
log, action, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
for line in open(log, encoding="utf-8"):
    r = json.loads(line)
    if r.get("action") != action:
        continue
    out = []
    for f in fields:
        if f.startswith("h:"):
            v = (r.get("s3_headers") or {}).get(f[2:])
        elif f == "signed":
            v = ";".join(r.get("signed_headers") or [])
        else:
            v = r.get(f)
        out.append(v if isinstance(v, str) else json.dumps(v))
    print("\t".join(out))
PY
s3log() {
	"$PY" "$work/s3log.py" "$fake_log" "$@"
}
# digests FILE: base64 MD5, base64 SHA-256, hex SHA-256
digests() {
	"$PY" -c 'import base64, hashlib, sys
d = open(sys.argv[1], "rb").read()
print(base64.b64encode(hashlib.md5(d).digest()).decode(),
      base64.b64encode(hashlib.sha256(d).digest()).decode(),
      hashlib.sha256(d).hexdigest(), sep="\t")' "$1"
}

# ================================================================ s3rver
s3rver_pid=
s3rver_stop() {
	if [ -n "$s3rver_pid" ]; then
		kill "$s3rver_pid" 2>/dev/null
		wait "$s3rver_pid" 2>/dev/null
		s3rver_pid=
	fi
}
trap 'fake_stop; s3rver_stop; rm -rf "$work"' EXIT

# s3rver_start: on 127.0.0.1, a free port, its own directory, bucket
# "reports"; sets $s3rver_port.  A port taken in between: try another.
s3rver_start() {
	for _try in 1 2 3; do
		s3rver_port=$("$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
		rm -rf "$work/s3rver"
		mkdir "$work/s3rver"
		# --service-endpoint localhost: BUCKET.s3.localhost is
		# virtual-hosted addressing.
		node "$s3rver_js" -d "$work/s3rver" -a 127.0.0.1 -p "$s3rver_port" \
			--service-endpoint localhost --configure-bucket reports \
			>"$work/s3rver.log" 2>&1 &
		s3rver_pid=$!
		_i=0
		while [ "$_i" -lt 300 ] && kill -0 "$s3rver_pid" 2>/dev/null; do
			if grep -q "listening on" "$work/s3rver.log"; then
				return 0
			fi
			sleep 0.1
			_i=$((_i + 1))
		done
		s3rver_stop
	done
	return 1
}

# s3api ARGS...: the aws CLI against s3rver
s3api() {
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
		AWS_DEFAULT_REGION=us-east-1 \
		"$aws_cli" --endpoint-url "http://127.0.0.1:$s3rver_port" s3api "$@"
}

S3RVER_TESTS=15
if ! command -v node >/dev/null 2>&1; then
	skip $S3RVER_TESTS "node is not installed"
elif ! [ -f "$s3rver_js" ]; then
	skip $S3RVER_TESTS "s3rver not installed (npm install --prefix tests/peers)"
elif [ -z "$aws_cli" ]; then
	skip $S3RVER_TESTS "no aws CLI (apt-get install awscli)"
elif ! s3rver_start; then
	echo "Bail out! s3rver did not start"
	sed 's/^/# /' "$work/s3rver.log"
	exit 1
else
	s3_lines() {
		printf '%s\n' '[sink.bucket]' 'plugin = s3' 'input = csv, raw' \
			'bucket = reports' "endpoint_url = http://127.0.0.1:$s3rver_port" \
			'region = us-east-1' 'metadata = team=security'
		printf '%s\n' "$@"
	}
	pipeline "$work/s3rver.ini" "$(s3_lines "key = $key_tmpl")"
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run run -v -c "$work/s3rver.ini"
	rc_is 0 "s3rver: both artifacts put (exit 0)"
	like "$work/err" "sink.bucket: s3://reports/$k_csv: $(wc -c <"$work/arts/csv.csv" | tr -d ' ') bytes, ETag \"" \
		"s3rver: -v names the object, its size and ETag"
	cp "$work/arts/csv.csv" "$work/want-csv.csv"
	cp "$work/arts/raw.csv" "$work/want-raw.csv"
	s3api list-objects-v2 --bucket reports --query 'Contents[].Key' \
		--output text >"$work/keys.txt" 2>"$work/aws.err"
	is "$(tr '\t' '\n' <"$work/keys.txt")" "$k_csv
$k_raw" "s3rver: the bucket lists exactly the two keys, space, +, = and Japanese intact"
	s3api get-object --bucket reports --key "$k_csv" "$work/got-csv.csv" \
		>"$work/head.json" 2>"$work/aws.err"
	ok 'cmp -s "$work/got-csv.csv" "$work/want-csv.csv"' \
		"s3rver: the csv object is the csv artifact, byte for byte"
	s3api get-object --bucket reports --key "$k_raw" "$work/got-raw.csv" \
		>/dev/null 2>>"$work/aws.err"
	ok 'cmp -s "$work/got-raw.csv" "$work/want-raw.csv"' \
		"s3rver: the raw object is the raw artifact, byte for byte"
	like "$work/head.json" '"ContentType": "text/csv; charset=utf-8"' \
		"s3rver: Content-Type is the format's media type"
	like "$work/head.json" '"team": "security"' "s3rver: the metadata is stored"

	# --dry-run previews and puts nothing.
	pipeline "$work/dry.ini" "$(s3_lines 'key = dry/{format}.{ext}')"
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run run --dry-run -c "$work/dry.ini"
	rc_is 0 "s3rver: --dry-run succeeds"
	like "$work/out" "sink.bucket would deliver format.csv (text/csv; charset=utf-8, $(wc -c <"$work/want-csv.csv" | tr -d ' ') bytes): put s3://reports/dry/csv.csv ($(wc -c <"$work/want-csv.csv" | tr -d ' ') bytes)" \
		"s3rver: --dry-run says where each artifact would go"
	s3api list-objects-v2 --bucket reports --query 'Contents[].Key' \
		--output text >"$work/keys.txt" 2>>"$work/aws.err"
	unlike "$work/keys.txt" "dry/" "s3rver: --dry-run put nothing"

	# Virtual-hosted: Host reports.s3.localhost, which libcurl resolves to
	# loopback itself (allow_http: the core counts only localhost as such).
	pipeline "$work/vhost.ini" '[sink.bucket]' 'plugin = s3' 'input = csv, raw' \
		'bucket = reports' "endpoint_url = http://s3.localhost:$s3rver_port" \
		'allow_http = true' 'region = us-east-1' 'path_style = false' \
		'key = vhost/{format}.{ext}'
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run run -c "$work/vhost.ini"
	rc_is 0 "s3rver: virtual-hosted style puts both artifacts"
	s3api get-object --bucket reports --key vhost/csv.csv "$work/got-vhost.csv" \
		>/dev/null 2>>"$work/aws.err"
	ok 'cmp -s "$work/got-vhost.csv" "$work/want-csv.csv"' \
		"s3rver: the virtual-hosted object is in bucket reports, intact"

	# An access key s3rver does not know: the error names the object, the
	# file sink still delivers.
	AWS_ACCESS_KEY_ID=AKIANOTKNOWNTOS3RVER AWS_SECRET_ACCESS_KEY=x run run -c "$work/s3rver.ini"
	rc_is 1 "s3rver: an unknown access key fails the sink (exit 1)"
	like "$work/err" "sink.bucket: not delivered for source.local (account 123456789012): s3://reports/$k_csv: S3 PutObject: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.; the access key id is not known to AWS (HTTP 403" \
		"s3rver: the error has code, message, bucket and key"
	ok 'cmp -s "$work/arts/csv.csv" "$work/want-csv.csv"' \
		"s3rver: the file sink of the same pipeline still delivered"
	s3rver_stop
fi

# ============================================================ fake AWS
AWS_ACCESS_KEY_ID=AKIAREPORTPIPES3TEST
AWS_SECRET_ACCESS_KEY=$SECRET
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
cat >"$work/s3.json" <<JSON
{
  "keys": [{"name": "main", "access_key_id": "AKIAREPORTPIPES3TEST",
            "secret_access_key": "$SECRET", "account": "123456789012"}],
  "buckets": {
    "reports": {"versioning": true},
    "vault": {"object_lock": true},
    "plain": {},
    "denied": {"deny": true},
    "eu-reports": {"region": "eu-west-1"}
  }
}
JSON
fake_start "$work/s3.json"

# ---- every header, path style (endpoint_url set), signature verified
pipeline "$work/vault.ini" '[sink.vault]' 'plugin = s3' 'input = csv, raw' \
	'bucket = vault' 'endpoint_url = ${fake_url}' 'region = us-east-1' \
	"key = $key_tmpl" 'sse = aws:kms' 'kms_key_id = alias/reportpipe' \
	'storage_class = STANDARD_IA' 'object_lock_mode = COMPLIANCE' \
	'object_lock_retain_days = 30' 'content_md5 = true' \
	'metadata = team=security, Pipeline-Run = nightly'
run run -v -c "$work/vault.ini"
rc_is 0 "fake: both artifacts put with every option set (exit 0)"
is "$(fake_count PutObject)" 2 "fake: one PutObject per artifact"
is "$(s3log PutObject key)" "$k_csv
$k_raw" "fake: the keys arrive decoded exactly"
is "$(s3log PutObject path | sed -n 1p)" "/vault/$k_csv_path" \
	"fake: the path is /bucket/key, encoded as S3 wants (%20, %2B, %3D, UTF-8 bytes)"
is "$(s3log PutObject signature_ok payload_hash_ok key_encoding_ok addressing status | sort -u)" \
	"true${TAB}true${TAB}true${TAB}path${TAB}200" \
	"fake: botocore's S3 signer verified both; x-amz-content-sha256 is the body's hash"
is "$(s3log PutObject signed | sort -u)" \
	"content-md5;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-meta-pipeline-run;x-amz-meta-team;x-amz-object-lock-mode;x-amz-object-lock-retain-until-date;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;x-amz-storage-class" \
	"fake: every header is signed"
is "$(s3log PutObject h:content-md5 h:x-amz-checksum-sha256 body_sha256 | sed -n 1p)" \
	"$(digests "$work/arts/csv.csv")" "fake: Content-MD5, checksum and body are the csv artifact's"
is "$(s3log PutObject h:content-md5 h:x-amz-checksum-sha256 body_sha256 | sed -n 2p)" \
	"$(digests "$work/arts/raw.csv")" "fake: Content-MD5, checksum and body are the raw artifact's"
is "$(s3log PutObject h:content-type | sort -u)" "text/csv; charset=utf-8" \
	"fake: Content-Type is the format's media type"
is "$(s3log PutObject h:x-amz-server-side-encryption h:x-amz-server-side-encryption-aws-kms-key-id h:x-amz-storage-class h:x-amz-object-lock-mode | sort -u)" \
	"aws:kms${TAB}alias/reportpipe${TAB}STANDARD_IA${TAB}COMPLIANCE" \
	"fake: SSE-KMS with the key, storage class and lock mode as configured"
s3log PutObject h:x-amz-object-lock-retain-until-date >"$work/until.txt"
ok '"$PY" -c "import sys, time, calendar
for line in open(sys.argv[1]):
    t = calendar.timegm(time.strptime(line.strip(), \"%Y-%m-%dT%H:%M:%SZ\"))
    assert abs(t - (time.time() + 30 * 86400)) < 600, line
" "$work/until.txt"' "fake: retain-until is ISO 8601 UTC, 30 days from the run"
is "$(s3log PutObject h:x-amz-meta-team h:x-amz-meta-pipeline-run | sort -u)" \
	"security${TAB}nightly" "fake: metadata as x-amz-meta-* headers"
cp "$work/arts/csv.csv" "$work/want-csv.csv"
cp "$work/arts/raw.csv" "$work/want-raw.csv"
like "$work/err" "sink.vault: s3://vault/$k_csv: $(wc -c <"$work/arts/csv.csv" | tr -d ' ') bytes, ETag \"$(md5sum "$work/arts/csv.csv" | cut -c1-32)\", version " \
	"fake: -v logs the object with its ETag and version"
if [ -n "$aws_cli" ]; then
	AWS_DEFAULT_REGION=us-east-1 "$aws_cli" --endpoint-url "$fake_url" \
		s3api get-object --bucket vault --key "$k_raw" "$work/got-fake.csv" \
		>"$work/get.json" 2>"$work/aws.err"
	ok 'cmp -s "$work/got-fake.csv" "$work/arts/raw.csv"' \
		"fake: the aws CLI reads the raw object back intact"
	like "$work/get.json" '"ObjectLockMode": "COMPLIANCE"' \
		"fake: and sees its lock"
else
	skip 2 "no aws CLI (apt-get install awscli)"
fi

# ---- by default no Content-MD5: the SHA-256 checksum alone, which is
# ---- also what Object Lock asks for
fake_start "$work/s3.json"
pipeline "$work/lock.ini" '[sink.vault]' 'plugin = s3' 'input = csv' \
	'bucket = vault' 'endpoint_url = ${fake_url}' 'region = us-east-1' \
	'key = lock/{format}.{ext}' 'object_lock_mode = GOVERNANCE' \
	'object_lock_retain_days = 1'
run run -c "$work/lock.ini"
rc_is 0 "fake: Object Lock with the SHA-256 checksum alone (exit 0)"
is "$(s3log PutObject signed)" \
	"content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;x-amz-date;x-amz-object-lock-mode;x-amz-object-lock-retain-until-date" \
	"fake: no Content-MD5 unless content_md5 = true"
is "$(s3log PutObject h:x-amz-checksum-sha256 signature_ok payload_hash_ok)" \
	"$(digests "$work/arts/csv.csv" | cut -f2)${TAB}true${TAB}true" \
	"fake: the checksum is the artifact's, and the payload hash signed is its SHA-256"

# ---- virtual-hosted: Host reports.localhost:PORT
fake_start "$work/s3.json"
pipeline "$work/vhost.ini" '[sink.bucket]' 'plugin = s3' 'input = csv, raw' \
	'bucket = reports' "endpoint_url = http://localhost:${fake_url##*:}" \
	'region = us-east-1' 'path_style = false' 'key = vhost/{format}.{ext}'
run run -v -c "$work/vhost.ini"
rc_is 0 "fake: virtual-hosted style puts both artifacts"
is "$(s3log PutObject addressing bucket key path signature_ok)" \
	"virtual${TAB}reports${TAB}vhost/csv.csv${TAB}/vhost/csv.csv${TAB}true
virtual${TAB}reports${TAB}vhost/raw.csv${TAB}/vhost/raw.csv${TAB}true" \
	"fake: the bucket is in the Host, the key alone in the path, signatures verified"
like "$work/err" "s3://reports/vhost/csv.csv: " "fake: the log names the object"

# ---- path style chosen because AWS_ENDPOINT_URL is set
fake_start "$work/s3.json"
pipeline "$work/env.ini" '[sink.bucket]' 'plugin = s3' 'input = csv' \
	'bucket = reports' 'region = us-east-1' 'key = env/{format}.{ext}'
AWS_ENDPOINT_URL=$fake_url run run -c "$work/env.ini"
rc_is 0 "fake: AWS_ENDPOINT_URL alone works"
is "$(s3log PutObject addressing path)" "path${TAB}/reports/env/csv.csv" \
	"fake: path style is chosen for an endpoint from the environment"

# ---- errors reach the user with code, message, bucket and key; the
# ---- other artifact and the file sink are not held up
fake_start "$work/s3.json"
err_sink() { # NAME BUCKET EXTRA-LINE
	printf '%s\n' "[sink.$1]" 'plugin = s3' 'input = csv, raw' "bucket = $2" \
		'endpoint_url = ${fake_url}' 'region = us-east-1' "key = $key_tmpl" "$3"
}
pipeline "$work/errors.ini" "$(err_sink denied denied '')" \
	"$(err_sink missing nosuch '')" \
	"$(err_sink nolock plain 'object_lock_mode = GOVERNANCE
object_lock_retain_days = 1')" \
	"$(err_sink eu eu-reports '')"
run run -c "$work/errors.ini"
rc_is 1 "fake: failed sinks: exit 1"
like "$work/err" "reportpipe: error: sink.denied: not delivered for source.local (account 123456789012): s3://denied/$k_csv: S3 PutObject: AccessDenied: Access Denied; allow s3:PutObject on arn:aws:s3:::denied/* to the identity reportpipe runs as (HTTP 403, request id " \
	"fake: AccessDenied names bucket, key, code, message and the fix"
like "$work/err" "sink.denied: s3://denied/$k_raw: S3 PutObject: AccessDenied: Access Denied" \
	"fake: the second artifact was still tried, its failure logged"
like "$work/err" "sink.missing: not delivered for source.local (account 123456789012): s3://nosuch/$k_csv: S3 PutObject: NoSuchBucket: The specified bucket does not exist; check bucket (and endpoint_url) (HTTP 404" \
	"fake: NoSuchBucket names bucket, key, code and message"
like "$work/err" "sink.nolock: not delivered for source.local (account 123456789012): s3://plain/$k_csv: S3 PutObject: InvalidRequest: Bucket is missing Object Lock Configuration; a bucket without Object Lock refuses retention: enable Object Lock on the bucket or remove object_lock_mode (HTTP 400" \
	"fake: object lock on a bucket without it: InvalidRequest, with the fix"
like "$work/err" "sink.eu: not delivered for source.local (account 123456789012): s3://eu-reports/$k_csv: S3 PutObject: AuthorizationHeaderMalformed: The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'; the bucket is in eu-west-1: set region = eu-west-1 (HTTP 400" \
	"fake: a bucket in another region: the region to set"
is "$(fake_count PutObject)" 8 "fake: every artifact of every sink was tried once (no retries)"
is "$(s3log PutObject signature_ok | sort -u)" true "fake: all of them correctly signed"
ok 'cmp -s "$work/arts/csv.csv" "$work/report.csv" && [ -s "$work/arts/raw.csv" ]' \
	"fake: the file sink of the same pipeline delivered both"
unlike "$work/err" "sink.disk: not delivered" "fake: and did not fail"

# ---- a wrong secret key
AWS_SECRET_ACCESS_KEY=not-the-secret run run -c "$work/vault.ini"
rc_is 1 "fake: a wrong secret key: exit 1"
like "$work/err" "s3://vault/$k_csv: S3 PutObject: SignatureDoesNotMatch: " \
	"fake: SignatureDoesNotMatch names the object"
like "$work/err" "; check the secret access key (HTTP 403" "fake: and says what to do"
unlike "$work/err" "not-the-secret" "fake: but not the secret"

# ---- --dry-run puts nothing
fake_start "$work/s3.json"
run run --dry-run -c "$work/vault.ini"
rc_is 0 "fake: --dry-run succeeds"
like "$work/out" "sink.vault would deliver format.raw (text/csv; charset=utf-8, $(wc -c <"$work/want-raw.csv" 2>/dev/null | tr -d ' ') bytes): put s3://vault/$k_raw (" \
	"fake: --dry-run names each object"
is "$(fake_count PutObject)" 0 "fake: --dry-run sends nothing"

# ---- the fake's S3 refuses what S3 refuses (else the tests above would
# ---- prove little): requests signed by botocore's S3SigV4Auth, then
# ---- spoiled, sent by http.client
cat >"$work/s3put.py" <<'PY'
import base64, hashlib, http.client, sys
from urllib.parse import quote, urlsplit
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# s3put.py ENDPOINT KEY_ID SECRET METHOD BUCKET KEY [OPTION...]
#   h:NAME=VALUE  a header     md5 / sha256  the right digest header
#   unsigned  sign UNSIGNED-PAYLOAD     tamper  change the body after signing
endpoint, akid, secret, method, bucket, key = sys.argv[1:7]
opts = sys.argv[7:]
body = b"" if method != "PUT" else b"report,bytes\n"
headers = {}
for o in opts:
    if o.startswith("h:"):
        name, _, value = o[2:].partition("=")
        headers[name] = value
    elif o == "md5":
        headers["Content-MD5"] = base64.b64encode(
            hashlib.md5(body).digest()).decode()
    elif o == "sha256":
        headers["x-amz-checksum-sha256"] = base64.b64encode(
            hashlib.sha256(body).digest()).decode()

class Unsigned(S3SigV4Auth):
    def _should_sha256_sign_payload(self, request):
        return False

url = "%s/%s/%s" % (endpoint, bucket, quote(key, safe="/~"))
request = AWSRequest(method=method, url=url, data=body, headers=headers)
signer = Unsigned if "unsigned" in opts else S3SigV4Auth
signer(Credentials(akid, secret), "s3", "us-east-1").add_auth(request)
if "tamper" in opts:
    body = body.upper()
parts = urlsplit(url)
conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
sent = dict(request.headers.items())
sent["Content-Length"] = str(len(body))
conn.request(method, parts.path, body=body, headers=sent)
answer = conn.getresponse()
text = answer.read().decode("utf-8", "replace")
code = text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in text else "-"
print(answer.status, code)
PY
# s3put EXPECTED DESC ARGS...
s3put() {
	_want=$1
	_desc=$2
	shift 2
	is "$("$PY" "$work/s3put.py" "$fake_url" AKIAREPORTPIPES3TEST "$SECRET" "$@" 2>&1)" \
		"$_want" "fake S3: $_desc"
}
fake_start "$work/s3.json"
s3put "200 -" "a botocore-signed PutObject with both digests is stored" \
	PUT reports "a b+c.csv" md5 sha256
s3put "200 -" "and GetObject finds it" GET reports "a b+c.csv"
s3put "404 NoSuchKey" "a missing key: 404 NoSuchKey" GET reports nothing.csv
s3put "400 BadDigest" "a wrong Content-MD5: 400 BadDigest" \
	PUT reports x.csv "h:Content-MD5=$(printf other | openssl md5 -binary | base64)"
s3put "400 InvalidDigest" "a malformed Content-MD5: 400 InvalidDigest" \
	PUT reports x.csv h:Content-MD5=abc
s3put "400 BadDigest" "a wrong x-amz-checksum-sha256: 400 BadDigest" \
	PUT reports x.csv "h:x-amz-checksum-sha256=$(printf other | openssl sha256 -binary | base64)"
s3put "400 XAmzContentSHA256Mismatch" "a body changed after signing is refused" \
	PUT reports x.csv tamper
s3put "400 InvalidRequest" "UNSIGNED-PAYLOAD with a body is refused" \
	PUT reports x.csv unsigned
s3put "400 InvalidRequest" "Object Lock headers on a bucket without it: 400 InvalidRequest" \
	PUT plain x.csv md5 h:x-amz-object-lock-mode=GOVERNANCE \
	h:x-amz-object-lock-retain-until-date=2099-01-01T00:00:00Z
s3put "400 InvalidArgument" "a lock mode without a date: 400 InvalidArgument" \
	PUT vault x.csv md5 h:x-amz-object-lock-mode=GOVERNANCE
s3put "400 InvalidRequest" "Object Lock without any digest: 400 InvalidRequest" \
	PUT vault x.csv h:x-amz-object-lock-mode=GOVERNANCE \
	h:x-amz-object-lock-retain-until-date=2099-01-01T00:00:00Z
is "$("$PY" "$work/s3put.py" "$fake_url" AKIAUNKNOWNKEY000000 x GET reports x.csv)" \
	"403 InvalidAccessKeyId" "fake S3: an unknown access key: 403 InvalidAccessKeyId"

# ============================================================ check time
# check_fails DESC WANT LINES...: `check` of an s3 section with LINES
# exits 2, saying WANT.
check_fails() {
	_desc=$1
	_want=$2
	shift 2
	pipeline "$work/bad.ini" '[sink.bucket]' 'plugin = s3' 'input = csv, raw' \
		'region = us-east-1' "$@"
	rp check -c "$work/bad.ini"
	rc_is 2 "check: $_desc: exit 2"
	like "$work/err" "$_want" "check: $_desc: says why"
}
check_fails "object_lock_mode without days" \
	"[sink.bucket] object_lock_mode: GOVERNANCE needs object_lock_retain_days" \
	'bucket = reports' 'key = {format}.csv' 'object_lock_mode = GOVERNANCE'
check_fails "days without object_lock_mode" \
	"object_lock_retain_days: needs object_lock_mode = GOVERNANCE or COMPLIANCE" \
	'bucket = reports' 'key = {format}.csv' 'object_lock_retain_days = 7'
check_fails "kms_key_id without sse = aws:kms" \
	"kms_key_id: is used only with sse = aws:kms (sse is AES256)" \
	'bucket = reports' 'key = {format}.csv' 'sse = AES256' 'kms_key_id = alias/x'
check_fails "a metadata item without =" "metadata: 'team' is not key=value" \
	'bucket = reports' 'key = {format}.csv' 'metadata = team'
check_fails "a metadata key with a blank" \
	"metadata: key 'cost center' of 'cost center=42' may hold only letters, digits, '-' and '_'" \
	'bucket = reports' 'key = {format}.csv' 'metadata = cost center=42'
check_fails "a metadata value with a control character" \
	"metadata: the value of 'team' holds a line break, control or non-ASCII character" \
	'bucket = reports' 'key = {format}.csv' "metadata = team=a${TAB}b"
check_fails "a non-ASCII metadata value" \
	"metadata: the value of 'owner' holds a line break, control or non-ASCII character" \
	'bucket = reports' 'key = {format}.csv' 'metadata = owner=José'
check_fails "the same metadata key twice" \
	"metadata: key 'Team' is given twice (S3 keys ignore case)" \
	'bucket = reports' 'key = {format}.csv' 'metadata = team=a, Team=b'
check_fails "two inputs on one key" \
	"key: inputs 'csv' and 'raw' would both be put at s3://reports/iam/report.csv; put {format} or {ext} in key" \
	'bucket = reports' 'key = iam/report.{ext}'
check_fails "a key with a leading slash" \
	"key: for input 'csv' it expands to '/iam/csv.csv', which starts with '/'" \
	'bucket = reports' 'key = /iam/{format}.csv'
check_fails "a key with a .. segment" "which has a '.' or '..' segment" \
	'bucket = reports' 'key = iam/../{format}.csv'
check_fails "a bucket given as a URL" \
	"bucket: 's3://reports' is not a bucket name: it holds ':'" \
	'bucket = s3://reports' 'key = {format}.csv'
check_fails "a legacy bucket name, virtual-hosted" \
	"path_style: bucket 'Legacy_Bucket' is no DNS name, so it cannot be virtual-hosted" \
	'bucket = Legacy_Bucket' 'key = {format}.csv' 'path_style = false'
check_fails "an unknown storage class" "storage_class: 'standard_ia' is not one of" \
	'bucket = reports' 'key = {format}.csv' 'storage_class = standard_ia'
# kms_key_id is optional: without it S3 uses the account's aws/s3 key.
pipeline "$work/good.ini" '[sink.bucket]' 'plugin = s3' 'input = csv, raw' \
	'region = us-east-1' 'bucket = reports' 'key = {format}.csv' 'sse = aws:kms'
rp check -c "$work/good.ini"
rc_is 0 "check: sse = aws:kms without kms_key_id is valid (the aws/s3 key)"

done_testing
