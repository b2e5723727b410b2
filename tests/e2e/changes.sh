#!/bin/sh
# changes.sh - the change ledger end to end: the `changes` formatter on
# the first report (no_previous_report), then on a second report that
# holds every event type (golden file); the file sink's append = true over
# three runs gives one header and every row in order (golden file); the
# ways an append is refused without touching the ledger; and the summaries
# (html_summary, text_summary, json) showing the same events at their top.
#
# Reports are csv_file sources with a fixed generated_time, so the
# engine's history (state_dir/history) orders them and every date in the
# output is the same on every run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 81

golden=$top_srcdir/tests/golden/changes
PY=/usr/bin/python3
G1=2026-11-23T06:00:00+00:00
G2=2026-11-30T06:00:00+00:00
G3=2026-12-07T06:00:00+00:00
H=user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
A=arn:aws:iam::123456789012

# ------------------------------------------------------------- reports
# before -> after: root signs in and uses its key (root_used twice);
# alice gets MFA; bob loses console and MFA; carol gets a password; dave
# a new key 1 and a rotated key 2; erin's keys swap states; frank's key
# is deleted; grace's certificates swap; heidi is deleted; ivan created;
# judy deleted and created again under the same name (new creation
# time); kim and alice only sign in, which is no event for a non-root.
cat >"$work/before.csv" <<EOF
$H
<root_account>,$A:root,2019-03-04T10:11:12+00:00,not_supported,2026-10-02T08:15:44+00:00,not_supported,not_supported,true,true,2025-01-01T00:00:00+00:00,2026-11-01T00:00:00+00:00,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,$A:user/alice,2020-01-01T00:00:00+00:00,true,2026-11-20T10:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,false,true,2026-06-01T00:00:00+00:00,2026-11-22T00:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,$A:user/bob,2020-01-01T00:00:00+00:00,true,2026-11-21T10:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
carol,$A:user/carol,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
dave,$A:user/dave,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,true,2025-05-01T00:00:00+00:00,2026-11-20T00:00:00+00:00,eu-west-1,s3,false,N/A,false,N/A
erin,$A:user/erin,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-02-02T00:00:00+00:00,2026-11-20T00:00:00+00:00,us-east-1,ec2,false,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
frank,$A:user/frank,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,2024-02-02T00:00:00+00:00,2024-03-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
grace,$A:user/grace,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,true,2023-03-03T00:00:00+00:00
heidi,$A:user/heidi,2021-05-05T00:00:00+00:00,true,2026-11-01T00:00:00+00:00,2021-05-05T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
judy,$A:user/judy,2022-01-01T00:00:00+00:00,true,2026-10-01T00:00:00+00:00,2022-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
kim,$A:user/kim,2020-01-01T00:00:00+00:00,true,2026-11-01T00:00:00+00:00,2020-01-01T00:00:00+00:00,N/A,false,true,2025-12-01T00:00:00+00:00,2026-11-01T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
EOF
cat >"$work/after.csv" <<EOF
$H
<root_account>,$A:root,2019-03-04T10:11:12+00:00,not_supported,2026-11-28T09:00:00+00:00,not_supported,not_supported,true,true,2025-01-01T00:00:00+00:00,2026-11-29T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,$A:user/alice,2020-01-01T00:00:00+00:00,true,2026-11-29T10:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,true,2026-06-01T00:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,$A:user/bob,2020-01-01T00:00:00+00:00,false,2026-11-21T10:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
carol,$A:user/carol,2020-01-01T00:00:00+00:00,true,no_information,2026-11-27T08:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
dave,$A:user/dave,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-11-26T12:00:00+00:00,N/A,N/A,N/A,true,2026-11-27T12:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
erin,$A:user/erin,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,2026-02-02T00:00:00+00:00,2026-11-20T00:00:00+00:00,us-east-1,ec2,true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
frank,$A:user/frank,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
grace,$A:user/grace,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,true,2026-11-25T00:00:00+00:00,false,2023-03-03T00:00:00+00:00
ivan,$A:user/ivan,2026-11-26T00:00:00+00:00,true,no_information,2026-11-26T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
judy,$A:user/judy,2026-11-28T00:00:00+00:00,true,no_information,2026-11-28T00:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
kim,$A:user/kim,2020-01-01T00:00:00+00:00,true,2026-11-29T00:00:00+00:00,2020-01-01T00:00:00+00:00,N/A,false,true,2025-12-01T00:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
EOF
# after -> third, with the columns in another order (mfa_active last,
# the rows shuffled): kim gets MFA, ivan a key, @ops-bot is created.
awk -F, -v OFS=, '{ m = $8; for (i = 8; i < NF; i++) $i = $(i + 1); $NF = m; print }' \
	"$work/after.csv" | sed -n '1p;3,$p' | sort -r >"$work/third.body"
{
	grep '^user,' "$work/third.body"
	grep -v '^user,' "$work/third.body" |
		sed -e 's#^\(kim,.*\),false$#\1,true#' \
			-e 's#^\(ivan,.*\),false,N/A,N/A,N/A,N/A,\(false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,false\)$#\1,true,2026-12-01T00:00:00+00:00,N/A,N/A,N/A,\2#'
	echo "<root_account>,$A:root,2019-03-04T10:11:12+00:00,not_supported,2026-11-28T09:00:00+00:00,not_supported,not_supported,true,2025-01-01T00:00:00+00:00,2026-11-29T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,true"
	echo "@ops-bot,$A:user/@ops-bot,2026-12-02T00:00:00+00:00,false,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,false"
} >"$work/third.csv"
# (the root line above keeps its after values, in the new column order)

# pipeline DIR CSV GEN SINK [ARGS...]: DIR/etc/p.ini reading CSV (copied
# in) generated at GEN into the changes format, then the lines the
# function SINK prints given ARGS.
pipeline() {
	_d=$1 _csv=$2 _gen=$3 _sink=$4
	shift 4
	mkdir -p "$_d/etc" && cp "$_csv" "$_d/etc/report.csv" && {
		printf '%s\n' '[pipeline]' 'name = ledger' 'state_dir = ../state' \
			'[source.local]' 'plugin = csv_file' 'path = report.csv' \
			"generated_time = $_gen" '[format.changes]' 'plugin = changes' \
			"excel = ${EXCEL:-false}" "lang = ${CHANGES_LANG:-en}"
		"$_sink" "$@"
	} >"$_d/etc/p.ini"
}

dated_sink() {
	printf '%s\n' '[sink.out]' 'plugin = file' 'input = changes' \
		'path = ../out/{date:%Y%m%d}_{account_id}_iam_changes.{ext}'
}

ledger_sink() {
	printf '%s\n' '[sink.ledger]' 'plugin = file' 'input = changes' \
		'path = ../ledger/{account_id}_iam_changes.csv' 'append = true' "$@"
}

# ------------------------------------------------ first run, then diff
t=$work/two
pipeline "$t" "$work/before.csv" "$G1" dated_sink
rp run -c "$t/etc/p.ini"
rc_is 0 "first report: exit 0"
first=$t/out/20261123_123456789012_iam_changes.csv
is "$(cat "$first")" "date,account_id,user,event,detail
2026-11-23T06:00:00Z,123456789012,,no_previous_report,no earlier report of source local for this account in state_dir/history: this report is the baseline the next run is compared with" \
	"first report: one no_previous_report row, no invented events"
pipeline "$t" "$work/after.csv" "$G2" dated_sink
rp run -c "$t/etc/p.ini"
rc_is 0 "second report: exit 0"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "second report: silent"
second=$t/out/20261130_123456789012_iam_changes.csv
sed 1d "$second" >"$work/second.rows"
ok 'cmp -s "$golden/changes.csv" "$second"' \
	"second report: the events match the golden file byte for byte" ||
	diag "$(diff "$golden/changes.csv" "$second" 2>&1 | sed 30q)"
is "$(sed 1d "$second" | cut -d, -f4 | sort -u | tr '\n' ' ')" \
	"access_key_activated access_key_created access_key_deactivated access_key_deleted access_key_rotated certificate_activated certificate_deactivated console_password_disabled console_password_enabled mfa_disabled mfa_enabled root_used user_created user_deleted " \
	"second report: every event type is there"
is "$(sed 1d "$second" | cut -d, -f1,2 | sort -u)" "2026-11-30T06:00:00Z,123456789012" \
	"every row is dated with the new report's time and its account"
unlike "$second" ",kim," "a non-root user who only signed in has no event"
is "$(grep -c ',root_used,' "$second")" 2 "root_used: once for the password, once for the key"
like "$second" "2026-11-30T06:00:00Z,123456789012,judy,user_deleted,\"arn:aws:iam::123456789012:user/judy, created 2022-01-01T00:00:00Z\"
2026-11-30T06:00:00Z,123456789012,judy,user_created,\"arn:aws:iam::123456789012:user/judy, created 2026-11-28T00:00:00Z\"" \
	"a user re-created under the same name: deleted, then created"

# ------------------------------------------------ the ledger, 3 runs
l=$work/three
led=$l/ledger/123456789012_iam_changes.csv
n=0
for r in "before $G1" "after $G2" "third $G3"; do
	set -- $r
	pipeline "$l" "$work/$1.csv" "$2" ledger_sink
	rp run -c "$l/etc/p.ini"
	rc_is 0 "ledger run on the $1 report: exit 0"
	n=$((n + 1))
	[ $n -eq 1 ] && cp "$led" "$work/ledger.1"
done
ok 'cmp -s "$golden/ledger.csv" "$led"' \
	"three runs: the ledger matches the golden file byte for byte" ||
	diag "$(diff "$golden/ledger.csv" "$led" 2>&1 | sed 30q)"
is "$(grep -c '^date,account_id,user,event,detail$' "$led")" 1 "three runs: one header"
is "$(sed -n 1p "$led")" "date,account_id,user,event,detail" "three runs: the header comes first"
is "$(cut -d, -f1 "$led" | sed 1d | uniq | tr '\n' ' ')" \
	"2026-11-23T06:00:00Z 2026-11-30T06:00:00Z 2026-12-07T06:00:00Z " \
	"three runs: the rows of each run follow the earlier runs'"
ok 'grep "^2026-11-30T" "$led" | cmp -s - "$work/second.rows"' \
	"the ledger holds the second run's rows as the changes file has them"
like "$led" "2026-12-07T06:00:00Z,123456789012,kim,mfa_enabled," \
	"third report, columns reordered: found by name (kim's MFA)"
is "$(ls -A "$l/ledger")" 123456789012_iam_changes.csv "no temporary file is left beside the ledger"
is "$(stat -c %a "$led")" 640 "the ledger has the configured mode"
if [ -x "$PY" ]; then
	"$PY" -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
bad = [r for r in rows if len(r) != 5]
heads = [r for r in rows if r[:1] == ["date"]]
if bad:
    print("rows without five cells: %r" % bad[:3])
if len(heads) != 1:
    print("%d header rows" % len(heads))
' "$led" >"$work/py.out" 2>&1
	ok '[ $? -eq 0 ] && ! [ -s "$work/py.out" ]' "the ledger parses as CSV: five cells a row, one header" ||
		diag "$(cat "$work/py.out")"
else
	_result 0 "the ledger parses as CSV # SKIP $PY is needed"
fi

# A later report without changes renders only the header, so the
# ledger is left as it was (no rewrite, no empty line).
cp "$led" "$work/ledger.3"
pipeline "$l" "$work/third.csv" 2026-12-14T06:00:00+00:00 ledger_sink
rp run -c "$l/etc/p.ini"
rc_is 0 "a report without changes: exit 0"
ok 'cmp -s "$work/ledger.3" "$led"' "a report without changes: the ledger is untouched"

# The same report run again (cron twice, or by hand) adds nothing: the
# engine hands it itself as the previous report.
pipeline "$l" "$work/third.csv" "$G3" ledger_sink
rp run -c "$l/etc/p.ini"
rc_is 0 "the third report again: exit 0"
ok 'cmp -s "$work/ledger.3" "$led"' "a re-run of a report does not append its events twice"

# ------------------------------------------------ refusals
pipeline "$work/both" "$work/before.csv" "$G1" ledger_sink 'overwrite = true'
rp check -c "$work/both/etc/p.ini"
rc_is 2 "append and overwrite together: check exits 2"
like "$work/err" "append = true adds rows to the file and overwrite = true replaces it: set only one" \
	"append and overwrite together: the message says to pick one"

# A file at the ledger's path with another first line is not ours.
o=$work/other
mkdir -p "$o/ledger"
printf 'name,value\nx,1\n' >"$o/ledger/123456789012_iam_changes.csv"
pipeline "$o" "$work/before.csv" "$G1" ledger_sink
rp run -c "$o/etc/p.ini"
rc_is 1 "another file's header: exit 1"
like "$work/err" "does not start with the header line this format writes" \
	"another file's header: the message says it is not the ledger"
is "$(cat "$o/ledger/123456789012_iam_changes.csv")" "name,value
x,1" "another file's header: the file is untouched"

# A ledger whose last row was cut (no line end): refused after the copy
# into the temporary file began, which is then removed; the old file stays.
c=$work/cut
mkdir -p "$c/ledger"
printf 'date,account_id,user,event,detail\n2026-11-23T06:00:00Z,1234' \
	>"$c/ledger/123456789012_iam_changes.csv"
cp "$c/ledger/123456789012_iam_changes.csv" "$work/cut.orig"
pipeline "$c" "$work/before.csv" "$G1" ledger_sink
rp run -c "$c/etc/p.ini"
rc_is 1 "a ledger with a cut last row: exit 1"
ok 'cmp -s "$work/cut.orig" "$c/ledger/123456789012_iam_changes.csv"' \
	"a ledger with a cut last row: left exactly as it was"
is "$(ls -A "$c/ledger")" 123456789012_iam_changes.csv "a ledger with a cut last row: no temporary file is left"

# ------------------------------------------------ excel = true
x=$work/excel
EXCEL=true pipeline "$x" "$work/after.csv" "$G2" ledger_sink
rp run -c "$x/etc/p.ini"
EXCEL=true pipeline "$x" "$work/third.csv" "$G3" ledger_sink
rp run -c "$x/etc/p.ini"
xl=$x/ledger/123456789012_iam_changes.csv
is "$(head -c 3 "$xl" | od -An -tx1 | tr -d ' ')" efbbbf "excel: the ledger starts with one UTF-8 BOM"
is "$(grep -c "$(printf '\r')\$" "$xl")" "$(wc -l <"$xl" | tr -d ' ')" "excel: every line ends in CRLF"
like "$xl" "\"'@ops-bot\",user_created" "excel: a user name starting with @ is made inert"

# ------------------------------------ the summaries show the same events
# html, text (en and ja) and json on the first report, the second one and
# the second one again: "no previous report", then the ledger's events
# (count, users and order as the changes CSV has them), then none.
summary_sink() {
	printf '%s\n' '[format.html]' 'plugin = html_summary' \
		'[format.html_ja]' 'plugin = html_summary' 'lang = ja' \
		'[format.text]' 'plugin = text_summary' \
		'[format.text_ja]' 'plugin = text_summary' 'lang = ja' \
		'[format.json]' 'plugin = json' \
		'[sink.out]' 'plugin = file' 'overwrite = true' \
		'input = changes, html, html_ja, text, text_ja, json' \
		'path = ../out/{date:%Y%m%d}_{format}.{ext}'
}

# summary_events.py CSV HTML TEXT JSON: prints what differs between the
# ledger's rows and the events each summary shows (nothing: they agree).
cat >"$work/summary_events.py" <<'EOF'
import csv, html, json, re, sys
from html.parser import HTMLParser
rows = [(r["user"], r["event"], r["detail"])
        for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))]
want = [r[0] for r in rows]
# json: the very same triples, right after the counts
doc = json.load(open(sys.argv[4], encoding="utf-8"))
got = [(e["user"], e["event"], e["detail"]) for e in doc["changes"]["events"]]
if got != rows:
    print(f"json: {len(got)} events, CSV {len(rows)}: {got[:3]} vs {rows[:3]}")
if doc["changes"]["previous_generated_time"] != "2026-11-23T06:00:00Z":
    print(f"json: previous_generated_time {doc['changes']['previous_generated_time']!r}")
if list(doc)[:4] != ["schema", "metadata", "counts", "changes"]:
    print(f"json: changes is not right after the counts: {list(doc)}")
# text: the "  - user: Event - detail" lines between the heading and Findings
lines = open(sys.argv[3], encoding="utf-8").read().split("\n")
start = lines.index("Changes since the previous report (23 Nov 2026 06:00)")
end = lines.index("Findings", start)
users = [re.match(r"  - (.*?): ", l).group(1) for l in lines[start:end] if l.startswith("  - ")]
if users != want:
    print(f"text: {len(users)} events, CSV {len(rows)}: {users} vs {want}")
if lines.index("Findings") < start:
    print("text: the changes are not above the findings")
# html: the rows of the table under the changes heading, before Checks
doc = open(sys.argv[2], encoding="utf-8").read()
part = doc[doc.index("Changes since the previous report (23 Nov 2026 06:00)"):doc.index(">Checks<")]
users = [html.unescape(u) for u in re.findall(r"<tr><td [^>]*><b>(.*?)</b></td>", part)]
if users != want:
    print(f"html: {len(users)} events, CSV {len(rows)}: {users} vs {want}")
titles = re.findall(r"<span style=\"white-space:nowrap;\">(.*?)</span>", part)
if len(titles) != len(rows) or "Access key rotated" not in titles:
    print(f"html: event titles {titles}")
class Nest(HTMLParser):
    VOID = {"meta", "br"}
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(tag)
p = Nest()
p.feed(doc)
if p.bad or p.stack:
    print(f"html: not well-formed: {p.bad[:3]} {p.stack[:3]}")
EOF

s=$work/summaries
pipeline "$s" "$work/before.csv" "$G1" summary_sink
rp run -c "$s/etc/p.ini"
rc_is 0 "summaries, first report: exit 0"
for f in html.html text.txt; do
	like "$s/out/20261123_$f" "No previous report: this is the first one in the history." \
		"summaries, first report: $f says there is no previous report"
done
for f in html_ja.html text_ja.txt; do
	like "$s/out/20261123_$f" "前回のレポートはありません。これが履歴の最初のレポートです。" \
		"summaries, first report: $f says so in Japanese"
done
like "$s/out/20261123_json.json" '"changes": {
    "previous_generated_time": null,
    "events": []
  },' "summaries, first report: json changes has no previous time and no events"
unlike "$s/out/20261123_text.txt" "  - alice:" "summaries, first report: no invented events"

pipeline "$s" "$work/after.csv" "$G2" summary_sink
rp run -c "$s/etc/p.ini"
rc_is 0 "summaries, second report: exit 0"
ok 'cmp -s "$golden/changes.csv" "$s/out/20261130_changes.csv"' \
	"summaries, second report: the ledger beside them is the golden one"
if [ -x "$PY" ]; then
	"$PY" "$work/summary_events.py" "$s/out/20261130_changes.csv" \
		"$s/out/20261130_html.html" "$s/out/20261130_text.txt" \
		"$s/out/20261130_json.json" >"$work/py.out" 2>&1
	ok '[ $? -eq 0 ] && ! [ -s "$work/py.out" ]' \
		"summaries, second report: html, text and json show the ledger's events, same users, same order" ||
		diag "$(sed 20q "$work/py.out")"
else
	_result 0 "summaries show the ledger's events # SKIP $PY is needed"
fi
like "$s/out/20261130_text.txt" "  - alice: MFA enabled - mfa_active false -> true" \
	"summaries, text: an event in words, then the ledger's detail"
like "$s/out/20261130_text_ja.txt" "前回のレポートからの変更（2026年11月23日 06:00）" \
	"summaries, text ja: the heading in Japanese with the previous report's date"
like "$s/out/20261130_text_ja.txt" "  - bob: MFA 無効化 — MFA 有効 → 無効" \
	"summaries, text ja: the event and what changed in Japanese"
like "$s/out/20261130_text_ja.txt" "  - dave: アクセスキー作成 — アクセスキー1を作成（2026-11-26T12:00:00Z、有" \
	"summaries, text ja: a key's detail in Japanese, times as the ledger has them"
like "$s/out/20261130_html_ja.html" ">アクセスキー2をローテーション（2025-05-01T00:00:00Z → 2026-11-27T12:00:00Z、有効）</span>" \
	"summaries, html ja: the detail in Japanese"
like "$s/out/20261130_html.html" ">access key 2: last rotated 2025-05-01T00:00:00Z -&gt; 2026-11-27T12:00:00Z, active</span>" \
	"summaries, html en: the detail stays English"
unlike "$s/out/20261130_json.json" "アクセスキー" "summaries, json: details stay English (no lang)"
like "$s/out/20261130_html_ja.html" ">ルートユーザーの使用</span>" \
	"summaries, html ja: the event in Japanese"
is "$(grep -c '^  - [^ ]*: [^ ].* — ' "$s/out/20261130_text_ja.txt")" \
	"$(sed 1d "$s/out/20261130_changes.csv" | wc -l | tr -d ' ')" \
	"summaries, text ja: as many events as the ledger has rows"

# The same report again: compared with itself, nothing changed.
pipeline "$s" "$work/after.csv" "$G2" summary_sink
rp run -c "$s/etc/p.ini"
rc_is 0 "summaries, the second report again: exit 0"
like "$s/out/20261130_text.txt" "Changes since the previous report (30 Nov 2026 06:00)
=====================================================
No changes." "summaries, the second report again: text says no changes"
like "$s/out/20261130_html.html" ">No changes.</td>" "summaries, the second report again: html says no changes"
like "$s/out/20261130_json.json" '"changes": {
    "previous_generated_time": "2026-11-30T06:00:00Z",
    "events": []
  },' "summaries, the second report again: json has the previous time and no events"

# ------------------------------------------------------- max_changes
# The 17 events of before -> after under caps of 17 (all shown, no note)
# and 16 (one left to the ledger, and a note saying where it is).
cut_sink() {
	printf '%s\n' '[format.html]' 'plugin = html_summary' "max_changes = $1" \
		'[format.html_ja]' 'plugin = html_summary' 'lang = ja' "max_changes = $1" \
		'[format.text]' 'plugin = text_summary' "max_changes = $1" \
		'[format.text_ja]' 'plugin = text_summary' 'lang = ja' "max_changes = $1" \
		'[sink.out]' 'plugin = file' 'overwrite = true' \
		'input = html, html_ja, text, text_ja' \
		"path = ../out$1/{format}.{ext}"
}
# change_rows DIR: the change rows of the html and of the text, "N N".
change_rows() {
	echo "$(grep -c 'word-break:break-word' "$1/html.html")" \
		"$(grep -c '^  - [^ ]*: .* - ' "$1/text.txt")"
}
m=$work/max
for max in 17 16; do
	pipeline "$m$max" "$work/before.csv" "$G1" cut_sink $max
	rp run -c "$m$max/etc/p.ini"
	pipeline "$m$max" "$work/after.csv" "$G2" cut_sink $max
	rp run -c "$m$max/etc/p.ini"
	rc_is 0 "max_changes = $max: exit 0"
done
is "$(change_rows "${m}17/out17")" "17 17" "max_changes = 17, 17 events: html and text list all 17"
unlike "${m}17/out17/html.html" "Only the first" "max_changes = 17, 17 events: html has no cut note"
unlike "${m}17/out17/text.txt" "Only the first" "max_changes = 17, 17 events: text has no cut note"
is "$(change_rows "${m}16/out16")" "16 16" "max_changes = 16, 17 events: html and text list 16"
is "$(($(grep -c '<b>judy</b>' "${m}17/out17/html.html") - $(grep -c '<b>judy</b>' "${m}16/out16/html.html")))" 1 \
	"max_changes = 16: the last event (judy created) is the one left out"
like "${m}16/out16/html.html" ">Only the first 16 of 17 changes are shown; all 17 are in the change ledger (format.changes).</td>" \
	"max_changes = 16, html: the note says how many and names the ledger"
like "${m}16/out16/html_ja.html" ">変更 17 件中、最初の 16 件のみ表示しています。全 17 件は変更台帳（format.changes）にあります。</td>" \
	"max_changes = 16, html ja: the same in Japanese"
like "$(tr '\n' ' ' <"${m}16/out16/text.txt")" "Only the first 16 of 17 changes are shown; all 17 are in the change ledger (format.changes)." \
	"max_changes = 16, text: the note, wrapped"
like "${m}16/out16/text_ja.txt" "変更 17 件中、最初の 16 件のみ表示しています。" \
	"max_changes = 16, text ja: the note in Japanese"
ok '[ -s "${m}16/out16/text.txt" ] && ! awk "length(\$0) > 77" "${m}16/out16/text.txt" | grep -q .' \
	"max_changes = 16, text: the note keeps lines under 78 columns"

# Without a ledger rendered before the summary, the note points to the
# changes format instead of naming a file.
n=$work/noledger
mkdir -p "$n/etc" && cp "$work/before.csv" "$n/etc/before.csv" &&
	cp "$work/after.csv" "$n/etc/after.csv"
for r in "before $G1" "after $G2"; do
	set -- $r
	printf '%s\n' '[pipeline]' 'state_dir = ../state' '[source.local]' \
		'plugin = csv_file' "path = $1.csv" "generated_time = $2" \
		'[format.html]' 'plugin = html_summary' 'max_changes = 1' \
		'[format.text_ja]' 'plugin = text_summary' 'lang = ja' 'max_changes = 1' \
		'[format.changes]' 'plugin = changes' \
		'[sink.out]' 'plugin = file' 'overwrite = true' \
		'input = html, text_ja, changes' 'path = ../out/{format}.{ext}' \
		>"$n/etc/p.ini"
	rp run -c "$n/etc/p.ini"
done
rc_is 0 "max_changes = 1 with the ledger rendered after the summaries: exit 0"
like "$n/out/html.html" ">Only the first 1 of 17 changes are shown; the changes format lists all 17 in the change ledger.</td>" \
	"no ledger before the summary: the html note points to the changes format"
like "$(tr -d '\n' <"$n/out/text_ja.txt")" "全 17 件は changes フォーマットの変更台帳で確認できます。" \
	"no ledger before the summary: the text ja note too"

# ------------------------------------------------------- lang = ja
# The detail column in Japanese; header, dates, users and event names are
# the English ledger's, so a ledger can be read by scripts either way.
j=$work/ja
CHANGES_LANG=ja pipeline "$j" "$work/before.csv" "$G1" dated_sink
rp run -c "$j/etc/p.ini"
rc_is 0 "lang = ja, first report: exit 0"
is "$(cat "$j/out/20261123_123456789012_iam_changes.csv")" "date,account_id,user,event,detail
2026-11-23T06:00:00Z,123456789012,,no_previous_report,state_dir/history にソース local のこのアカウントの過去のレポートがありません。このレポートが次回の比較の基準になります" \
	"lang = ja, first report: no_previous_report explained in Japanese"
CHANGES_LANG=ja pipeline "$j" "$work/after.csv" "$G2" dated_sink
rp run -c "$j/etc/p.ini"
rc_is 0 "lang = ja, second report: exit 0"
jaout=$j/out/20261130_123456789012_iam_changes.csv
ok 'cmp -s "$golden/changes_ja.csv" "$jaout"' \
	"lang = ja: the events match the golden file byte for byte" ||
	diag "$(diff "$golden/changes_ja.csv" "$jaout" 2>&1 | sed 30q)"
is "$(cut -d, -f1-4 "$jaout")" "$(cut -d, -f1-4 "$golden/changes.csv")" \
	"lang = ja: header, dates, users and event names as in English"
unlike "$jaout" " -> " "lang = ja: no English detail is left"

done_testing
