#!/bin/sh
# concurrent.sh - sinks that declare RP_PLUGIN_CONCURRENT (s3, ses, smtp)
# deliver a dataset at once, each on its own connection, while the others
# (file, and a plugin built for ABI 1.0) take turns beside them: the fake
# AWS endpoint, which holds every S3 and SES answer for a moment, sees the
# PutObject and the SendEmail in flight together, and every sink is
# delivered and crossed off.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

AWS_ACCESS_KEY_ID=AKIAREPORTPIPECONC01
AWS_SECRET_ACCESS_KEY=concurrentSecret
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
cp "$top_srcdir/etc/sample-credential-report.csv" "$work/report.csv"
mkdir "$work/mail" "$work/plugins"
cp "$RP_TEST_PLUGINS/failsink.so" "$work/plugins/"
cat >"$work/scenario.json" <<JSON
{"keys": [{"name": "main", "access_key_id": "$AWS_ACCESS_KEY_ID",
           "secret_access_key": "$AWS_SECRET_ACCESS_KEY", "account": "123456789012"}],
 "buckets": {"reports": {}},
 "delay_ms": {"s3": 400, "ses": 400},
 "watch_spool": "state/spool"}
JSON
fake_start "$work/scenario.json" --mail-dir "$work/mail"

cat >"$work/p.ini" <<'INI'
[pipeline]
plugin_path = plugins

[source.local]
plugin = csv_file
path = report.csv

[format.csv]
plugin = csv

[sink.disk]
plugin = file
input = csv
path = files/{account_id}.csv

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

[sink.old]
plugin = failsink
input = csv
accept_file = old.log
INI
: >"$work/old.log"

# The disk is slow: the sinks that start early (s3, ses) compose their
# requests meanwhile, but send nothing before their entry is on disk.
RP_TEST_WRITE_AHEAD_DELAY_MS=500 rp run -c "$work/p.ini" -v
# in_flight of the requests: PutObject and SendEmail overlap
overlap=$(/usr/bin/python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
put = [r for r in recs if r.get("action") == "PutObject"]
mail = [r for r in recs if r.get("action") == "SendEmail"]
print(len(put), len(mail), max(r.get("in_flight") or 0 for r in put + mail))' "$fake_log")
is "$overlap" "1 1 2" "the PutObject and the SendEmail were in flight at once"
like "$work/err" "sink.s3: delivered for source.local" "s3 delivered"
like "$work/err" "sink.mail: delivered for source.local" "mail delivered"
like "$work/err" "sink.disk: delivered for source.local" "the file sink, which takes turns, delivered"
is "$(cat "$work/old.log")" "local 123456789012 csv 3064" \
	"a sink built for ABI 1.0 (no flags) delivered, in the sequential lane"
ok 'cmp -s "$work/files/123456789012.csv" "$work/report.csv"' "and its file is whole"
ok '[ -z "$(ls -A "$work/state/spool" 2>/dev/null)" ]' "every sink is crossed off: the spool is empty"
is "$(ls "$work/mail" | grep -c '\.eml$')" 1 "exactly one mail"
# (file and the 1.0 sink may be crossed off by then: they wait for the
# entry too, but need no network.)  s3 and ses run at once, so their
# requests come in either order.
seen=$(/usr/bin/python3 -c '
import json, sys
own = {"PutObject": "s3", "SendEmail": "mail"}
for r in map(json.loads, open(sys.argv[1])):
    if r.get("action") in own:
        print(r["action"], own[r["action"]] in r["spool_pending"])' "$fake_log" |
	sort)
is "$seen" "PutObject True
SendEmail True" \
	"with a slow disk, s3 and ses sent only once the spool entry naming them was on disk"

# The spool cannot be written: the early sinks are not held forever.
fake_start "$work/scenario.json" --mail-dir "$work/mail"
rm -rf "$work/state/spool"
: >"$work/state/spool"
rp run -c "$work/p.ini"
rm -f "$work/state/spool"
like "$work/err" "Not a directory; delivering anyway, but what fails now cannot be retried" "a spool that cannot be written is reported"
is "$(fake_count PutObject) $(fake_count SendEmail)" "1 1" \
	"and s3 and ses deliver all the same"
is "$(ls "$work/mail" | grep -c '\.eml$')" 2 "a second mail"

done_testing
