#!/bin/sh
# ses_sink.sh - the ses sink against aws-ses-v2-local (npm): SES v2
# SendEmail with Content.Raw and v1 SendRawEmail; its /store shows the
# parsed mail, which must carry the Japanese subject, both bodies and
# every attachment intact.  Also: limits and header injection.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

peers=${RP_NODE_PEERS:-$top_srcdir/tests/peers/node_modules}
if ! [ -f "$peers/aws-ses-v2-local/dist/cli.js" ] || ! command -v node >/dev/null; then
	echo "1..0 # SKIP aws-ses-v2-local not installed (npm install --prefix tests/peers)"
	exit 0
fi

port=$("$FAKE_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node "$peers/aws-ses-v2-local/dist/cli.js" --host 127.0.0.1 --port "$port" >"$work/ses.log" 2>&1 &
ses_pid=$!
trap 'kill $ses_pid 2>/dev/null; fake_stop; rm -rf "$work"' EXIT
i=0
until curl -s "http://127.0.0.1:$port/health-check" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then echo "Bail out! aws-ses-v2-local did not start"; cat "$work/ses.log"; exit 1; fi
	sleep 0.1
done
ses_url=http://127.0.0.1:$port
export ses_url
AWS_ACCESS_KEY_ID=AKIASESLOCALTEST0001
AWS_SECRET_ACCESS_KEY=ses-local-secret
AWS_REGION=ap-northeast-1
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
# pipeline API [EXTRA SINK LINES...]
pipeline() {
	rm -rf "$t/state" "$t/out"
	api=$1
	shift
	{
		printf '%s\n' '[pipeline]' 'name = weekly' 'state_dir = ../state' \
			'timezone = Asia/Tokyo' \
			'[source.local]' 'plugin = csv_file' \
			'path = sample-credential-report.csv' \
			'generated_time = 2026-11-30T06:00:00+00:00' \
			'[format.csv]' 'plugin = csv' 'excel = true' \
			'[format.raw]' 'plugin = csv' 'columns = user, arn' \
			'[sink.copy]' 'plugin = file' 'input = csv, raw' \
			'path = ../out/{format}.{ext}' \
			'[sink.mail]' 'plugin = ses' "api = $api" \
			'endpoint_url = ${ses_url}' 'input = csv, raw' \
			'from = 監査チーム <audit@example.co.jp>' \
			"to = ${TO:-manager@example.co.jp, security@example.co.jp}" \
			'cc = cc@example.co.jp' 'bcc = hidden@example.co.jp' \
			'subject = IAMユーザー管理簿 {account_id} {date}' \
			'archive = s3://evidence/iam/{date:%Y%m%d}/'
		printf '%s\n' "$@"
	} >"$p"
}

# check_store WANT_COUNT: the last stored mail, checked by Python
check_store() {
	curl -s "$ses_url/store" >"$work/store.json"
	"$FAKE_PY" - "$work/store.json" "$t/out/csv.csv" "$t/out/raw.csv" <<'PY'
import base64, json, sys
store = json.load(open(sys.argv[1]))
m = store["emails"][-1]
csv, raw = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
checks = [
    ("the subject arrives decoded, in Japanese", m["subject"] == "IAMユーザー管理簿 123456789012 2026-11-30"),
    ("the From display name arrives in Japanese", "監査チーム" in m["from"] and "audit@example.co.jp" in m["from"]),
    ("both To recipients are in the headers", "manager@example.co.jp" in ",".join(m["destination"]["to"]) and "security@example.co.jp" in ",".join(m["destination"]["to"])),
    ("Cc is in the headers", "cc@example.co.jp" in ",".join(m["destination"]["cc"])),
    ("Bcc is not in the headers", "hidden@example.co.jp" not in json.dumps(m["destination"]["to"] + m["destination"]["cc"] + m["destination"]["bcc"])),
    ("the text body lists the attachments and the archive", "20261130_123456789012_iam_credential_report_csv.csv" in m["body"]["text"] and "s3://evidence/iam/20261130/" in m["body"]["text"]),
    ("two attachments", len(m["attachments"]) == 2),
]
names = {a["filename"]: a for a in m["attachments"]}
a = names.get("20261130_123456789012_iam_credential_report_csv.csv")
b = names.get("20261130_123456789012_iam_credential_report_raw.csv")
checks.append(("the CSV attachment has its file name and exact bytes", a is not None and base64.b64decode(a["content"]) == csv))
checks.append(("the second attachment has its file name and exact size", b is not None and a is not None and len(base64.b64decode(b["content"])) == len(raw)))
for i, (what, good) in enumerate(checks, 1):
    print(("ok" if good else "not ok"), "-", what)
if not all(g for _, g in checks):
    print("# stored:", json.dumps(m, ensure_ascii=False)[:2000])
PY
}

for api in v2 v1; do
	pipeline $api
	rp run -c "$p"
	rc_is 0 "SES $api: delivered (exit 0)"
	check_store >"$work/checks"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok true "SES $api: ${line#ok - }" ;;
		"not ok - "*) ok false "SES $api: ${line#not ok - }" ;;
		*) diag "$line" ;;
		esac
	done <"$work/checks"
done

# Limits are checked before anything is sent: 51 recipients.
TO=$(i=0; while [ $i -lt 51 ]; do printf 'r%02d@x.example,\n  ' $i; i=$((i + 1)); done)
pipeline v2
TO=
rp check -c "$p"
rc_is 2 "more than 50 recipients is refused at check time"
like "$work/err" "name 53 recipients; SES takes at most 50 per message (3 too many)" "naming the limit and by how much"

SUBJECT_EVIL=$(printf 'Report\nBcc: victim@example.com')
export SUBJECT_EVIL
pipeline v2
sed -i 's/^subject = .*/subject = ${SUBJECT_EVIL}/' "$p"
rp check -c "$p"
rc_is 2 "a subject with a line break (header injection) is refused at check time"
like "$work/err" "subject" "the message names subject"

pipeline v2 'body = nosuch'
rp check -c "$p"
rc_is 2 "body naming a format that is not an input is refused"
like "$work/err" "body: 'nosuch' is not among this sink's input formats" "with the reason"

done_testing
