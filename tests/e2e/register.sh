#!/bin/sh
# register.sh - the register formatters (html_summary, text_summary, json)
# end to end: the sample report rendered in English and Japanese and
# compared byte for byte with tests/golden/register/, then what a reader
# would notice: every finding of the sample with its CIS reference,
# hostile cells escaped, text under 78 columns, typed JSON with null for
# N/A, max_rows, and each threshold on both sides of its boundary.
#
# Every age is counted to the report's generation time (fixed below), and
# the run's own time is fixed with SOURCE_DATE_EPOCH (18 hours later), so
# the output is byte-identical on every run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 62

golden=$top_srcdir/tests/golden/register
sample=$top_srcdir/etc/sample-credential-report.csv
PY=/usr/bin/python3
GEN=2026-11-30T06:00:00+00:00
# 2026-12-01T00:00:00Z: the report is 18 hours old when the run starts.
SOURCE_DATE_EPOCH=1796083200
export SOURCE_DATE_EPOCH

# tree DIR CSV: DIR/etc/p.ini reading CSV (copied in), its formats and
# sinks from stdin; outputs go to DIR/out/.
tree() {
	mkdir -p "$1/etc" &&
		cp "$2" "$1/etc/report.csv" &&
		chmod u+w "$1/etc/report.csv" && {
		cat <<EOF
[pipeline]
name = register
state_dir = ../state
timezone = Asia/Tokyo

[source.local]
plugin = csv_file
path = report.csv
generated_time = $GEN

EOF
		cat
	} >"$1/etc/p.ini"
}

have_python() {
	[ -x "$PY" ]
}

# ok_py DESC SCRIPT ARGS...: passes when the Python check prints nothing;
# skipped (as a pass with a note) when there is no Python.
ok_py() {
	_desc=$1
	_script=$2
	shift 2
	if ! have_python; then
		_result 0 "$_desc # SKIP $PY is needed"
		return
	fi
	"$PY" "$work/$_script.py" "$@" >"$work/py.out" 2>&1
	if [ $? -eq 0 ] && ! [ -s "$work/py.out" ]; then
		_result 0 "$_desc"
	else
		_result 1 "$_desc"
		diag "$(sed 20q "$work/py.out")"
	fi
}

# -------------------------------------------------------------- scripts
cat >"$work/widths.py" <<'EOF'
import sys, unicodedata
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    for n, line in enumerate(text.split("\n"), 1):
        w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        if w > 77:
            print(f"{path}:{n}: {w} columns: {line}")
EOF

cp "$top_srcdir/tests/html_wellformed.py" "$work/wellformed.py"

cat >"$work/typed.py" <<'EOF'
# Every cell of the CSV against its JSON value: null for the sentinels,
# booleans for true/false, the same instant for times, text as is.
import csv, json, sys
from datetime import datetime
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
SENT = {"N/A", "no_information", "not_supported", ""}
seen_na = 0
def same(cell, val, kind, where):
    global seen_na
    if cell in SENT:
        seen_na += cell == "N/A"
        good = val is None
    elif kind == "bool":
        good = val is (cell == "true")
    elif kind == "time":
        good = isinstance(val, str) and val.endswith("Z") and \
            datetime.fromisoformat(val[:-1] + "+00:00") == datetime.fromisoformat(cell)
    else:
        good = val == cell
    if not good:
        print(f"{where}: CSV {cell!r} but JSON {val!r}")
if len(rows) != len(doc["users"]):
    print(f"{len(rows)} CSV rows but {len(doc['users'])} JSON users")
for r, u in zip(rows, doc["users"]):
    w = r["user"]
    same(r["user"], u["user"], "text", w)
    same(r["arn"], u["arn"], "text", w)
    for c in ("user_creation_time", "password_last_used", "password_last_changed",
              "password_next_rotation"):
        same(r[c], u[c], "time", f"{w} {c}")
    for c in ("password_enabled", "mfa_active"):
        same(r[c], u[c], "bool", f"{w} {c}")
    if u["root"] != (w == "<root_account>"):
        print(f"{w}: root is {u['root']}")
    for k in u["access_keys"]:
        p = f"access_key_{k['number']}_"
        same(r[p + "active"], k["active"], "bool", f"{w} {p}active")
        same(r[p + "last_rotated"], k["last_rotated"], "time", f"{w} {p}last_rotated")
        same(r[p + "last_used_date"], k["last_used_date"], "time", f"{w} {p}last_used_date")
        same(r[p + "last_used_region"], k["last_used_region"], "text", f"{w} {p}region")
        same(r[p + "last_used_service"], k["last_used_service"], "text", f"{w} {p}service")
    for k in u["certificates"]:
        p = f"cert_{k['number']}_"
        same(r[p + "active"], k["active"], "bool", f"{w} {p}active")
        same(r[p + "last_rotated"], k["last_rotated"], "time", f"{w} {p}last_rotated")
    if len(u["access_keys"]) != 2 or len(u["certificates"]) != 2:
        print(f"{w}: {len(u['access_keys'])} keys, {len(u['certificates'])} certificates")
total_na = sum(v == "N/A" for r in rows for v in r.values())
if not total_na or seen_na != total_na:
    print(f"{seen_na} of the CSV's {total_na} N/A cells were compared")
EOF

cat >"$work/findings.py" <<'EOF'
# check:user pairs of the JSON document, one per line, in document order.
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
for f in doc["findings"]:
    print(f"{f['check']}:{f['cis']}:{f['user']}")
EOF

# ---------------------------------------------------- the golden files
t=$work/sample
tree "$t" "$sample" <<'EOF'
[format.html_en]
plugin = html_summary

[format.html_ja]
plugin = html_summary
lang = ja

[format.text_en]
plugin = text_summary

[format.text_ja]
plugin = text_summary
lang = ja

[format.json]
plugin = json

[sink.files]
plugin = file
input = html_en, html_ja, text_en, text_ja, json
path = ../out/{format}.{ext}
EOF
files="html_en.html
html_ja.html
json.json
text_en.txt
text_ja.txt"
is "$(ls "$golden")" "$files" "golden: exactly the five register files"
rp run -c "$t/etc/p.ini"
rc_is 0 "sample run exits 0"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "sample run is silent"
is "$(ls "$t/out")" "$files" "sample run writes the five files"
for f in $files; do
	ok 'cmp "$golden/$f" "$t/out/$f" >/dev/null' \
		"$f matches the golden file byte for byte"
done
is "$(cat "$t/out/html_en.html" "$t/out/text_en.txt" | grep -c '18 hours before this run')" 2 \
	"the report's age is stated once in each English summary"
is "$(cat "$t/out/html_ja.html" "$t/out/text_ja.txt" | grep -c 'この実行の18時間前')" 2 \
	"and once in each Japanese one"
unlike "$t/out/json.json" "before this run" "the JSON does not depend on the run time"
like "$t/out/text_en.txt" "No previous report: this is the first one in the history." \
	"no history yet: the summaries say this is the first report, inventing no changes"

# ------------------------------------------- the findings of the sample
en=$t/out/text_en.txt
ja=$t/out/text_ja.txt
html=$t/out/html_en.html
like "$en" "[High] CIS 1.10: Console user without MFA" "text: console users without MFA (CIS 1.10)"
like "$en" "[Medium] CIS 1.12: Password or access key unused for 45 days or more" \
	"text: unused credentials (CIS 1.12)"
like "$en" "[Medium] CIS 1.14: Access key older than 90 days" "text: keys not rotated (CIS 1.14)"
like "$en" "[Low] CIS 1.13: More than one active access key" "text: two active keys (CIS 1.13)"
like "$en" "[Low] CIS 1.11: Access key created with the user and never used" \
	"text: key from the user's setup never used (CIS 1.11)"
like "$en" "[Info] no CIS reference: Active signing certificate" \
	"text: active signing certificate, said to have no CIS reference"
like "$en" "  - ci+deploy=prod (access key 1, 273 days old; access key 2, 91 days old)" \
	"text: both of ci+deploy=prod's old keys with their ages"
like "$en" "  - dave.contractor (password, unused for 517 days)" \
	"text: dave.contractor's password unused 517 days"
like "$en" "  - @audit-bot (access key 1, never used, created 46 days ago)" \
	"text: @audit-bot's key never used, 46 days old"
like "$en" "  CIS 1.5: Root user without MFA" "text: the root checks the sample passes are listed as such"
like "$en" "MFA on console users  3 of 6 (50%)" "text: MFA coverage of console users"
like "$ja" "[高] CIS 1.10: MFA が無効なコンソールユーザー" "text ja: CIS 1.10 in Japanese"
like "$ja" "レポート作成日時  2026年11月30日 06:00 UTC" "text ja: dates as Japanese write them"
for ref in 1.10 1.11 1.12 1.13 1.14; do
	like "$html" ">CIS $ref</span>" "html: the CIS $ref finding is badged"
done
like "$html" "30 Nov 2026 15:00 JST (Asia/Tokyo)" "html: generated time in the pipeline's timezone"
like "$t/out/html_ja.html" "2026年11月30日 15:00 JST (Asia/Tokyo)" \
	"html ja: generated time as Japanese write it"
if have_python; then
	"$PY" "$work/findings.py" "$t/out/json.json" >"$work/found" 2>&1
fi
is "$(cat "$work/found" 2>/dev/null)" "console_mfa_missing:1.10:bob.dev
console_mfa_missing:1.10:-temp-user
console_mfa_missing:1.10:dave.contractor
credential_unused:1.12:@audit-bot
credential_unused:1.12:dave.contractor
access_key_not_rotated:1.14:alice.admin
access_key_not_rotated:1.14:ci+deploy=prod
access_key_not_rotated:1.14:svc-backup
access_key_not_rotated:1.14:jane.doe
access_key_not_rotated:1.14:carol.ops
multiple_active_access_keys:1.13:ci+deploy=prod
access_key_unused_since_setup:1.11:@audit-bot
signing_certificate_active:None:legacy-soap" "json: exactly the sample's 13 findings, with CIS references"

# --------------------------------------------- the form of each format
ok_py "text en and ja: no line is wider than 77 columns" widths "$en" "$ja"
ok_py "html en and ja: well-formed, nothing to run or fetch" wellformed \
	"$html" "$t/out/html_ja.html"
ok_py "json: parses; every cell typed as in the CSV, null where it says N/A" \
	typed "$sample" "$t/out/json.json"
like "$t/out/json.json" '"password_last_used": null,' "json: a null is written as null"

# ------------------------------------------------------------ max_rows
c=$work/cut
tree "$c" "$sample" <<'EOF'
[format.html_en]
plugin = html_summary
max_rows = 4

[format.html_ja]
plugin = html_summary
lang = ja
max_rows = 4

[sink.files]
plugin = file
input = html_en, html_ja
path = ../out/{format}.{ext}
EOF
rp run -c "$c/etc/p.ini"
rc_is 0 "max_rows run exits 0"
is "$(grep -c 'word-break:break-all' "$c/out/html_en.html")" 4 "max_rows = 4: the table has 4 user rows"
like "$c/out/html_en.html" "This table shows the first 4 of 11 rows; all 11 rows are in the attached CSV." \
	"max_rows: the cut table says how many rows the CSV has"
like "$c/out/html_ja.html" "この表は 11 行中、最初の 4 行のみ表示しています。全 11 行は添付の CSV にあります。" \
	"max_rows ja: the same in Japanese"
unlike "$c/out/html_en.html" "user/svc-backup" "max_rows: the fifth user's row is cut"
like "$c/out/html_en.html" "<b>svc-backup</b>" "max_rows: the findings still name every user"
ok_py "max_rows: the cut documents are well-formed" wellformed \
	"$c/out/html_en.html" "$c/out/html_ja.html"

# ------------------------------------------------------- hostile cells
h=$work/hostile
long_ja=監査担当者監査担当者監査担当者監査担当者監査担当者監査担当者監査担当者監査担当者
long_en=averyveryverylongusernamewithoutanyspacesthatfillsalineandthensome64
esc=$(printf '\033')
{
	sed -e 's#bob\.dev#<script>alert(1)</script>#g' \
		-e "s#carol\.ops#$long_ja#g" -e "s#dave\.contractor#$long_en#g" \
		-e "s#^-temp-user,#esc${esc}[2Jname,#" "$sample"
	cat <<'EOF'
"""jane"" & 'doe'","arn:aws:iam::123456789012:user/""jane"" & 'doe'",2020-04-22T07:45:10+00:00,true,2026-11-19T12:08:33+00:00,2026-05-30T08:00:12+00:00,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
EOF
} >"$work/hostile.csv"
tree "$h" "$work/hostile.csv" <<'EOF'
[format.html]
plugin = html_summary

[format.text_en]
plugin = text_summary

[format.text_ja]
plugin = text_summary
lang = ja

[format.json]
plugin = json

[sink.files]
plugin = file
input = html, text_en, text_ja, json
path = ../out/{format}.{ext}
EOF
rp run -c "$h/etc/p.ini"
rc_is 0 "hostile report run exits 0"
like "$h/out/html.html" "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>" \
	"html: a <script> user name is escaped"
unlike "$h/out/html.html" "<script>alert(1)</script>" "html: the <script> name never appears raw"
unlike "$h/out/html.html" "<script" "html: no <script at all"
like "$h/out/html.html" "<b>&quot;jane&quot; &amp; &#39;doe&#39;</b>" \
	"html: quotes and ampersand in a name are escaped"
unlike "$h/out/html.html" "'doe'" "html: the single-quoted name never appears raw"
ok '! grep -q "$esc" "$h/out/html.html" "$h/out/text_en.txt" "$h/out/text_ja.txt"' \
	"html and text: an escape character in a name is not passed on"
like "$h/out/text_en.txt" "  - esc?[2Jname" "text: the escape character shows as ?"
ok_py "hostile html: still well-formed, nothing to run or fetch" wellformed "$h/out/html.html"
ok_py "hostile text en and ja: long names wrapped under 78 columns" widths \
	"$h/out/text_en.txt" "$h/out/text_ja.txt"
like "$h/out/text_ja.txt" "  - 監査担当者" "text ja: the long Japanese name is there, wrapped"
ok_py "hostile json: parses, every cell typed as in the CSV" typed \
	"$work/hostile.csv" "$h/out/json.json"

# ----------------------------------------------- threshold boundaries
# Each credential exactly at its threshold: root used 30 days before the
# report, a password unused 45 days, a key 90 days old, keys created 3600
# and 3601 seconds after their users.  Then the thresholds moved by one.
cat >"$work/edge.csv" <<'EOF'
user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2019-03-04T10:11:12+00:00,not_supported,2026-10-31T06:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
pw45,arn:aws:iam::123456789012:user/pw45,2020-01-01T00:00:00+00:00,true,2026-10-16T06:00:00+00:00,2020-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
newpw45,arn:aws:iam::123456789012:user/newpw45,2020-01-01T00:00:00+00:00,true,no_information,2026-10-16T06:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
key90,arn:aws:iam::123456789012:user/key90,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-09-01T06:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,s3,false,2025-01-01T00:00:00+00:00,2025-02-01T00:00:00+00:00,us-east-1,s3,false,N/A,false,N/A
setup3600,arn:aws:iam::123456789012:user/setup3600,2026-11-20T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-11-20T01:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
setup3601,arn:aws:iam::123456789012:user/setup3601,2026-11-20T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-11-20T01:00:01+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
EOF
e=$work/edge
tree "$e" "$work/edge.csv" <<'EOF'
[format.at]
plugin = json

[format.moved]
plugin = json
root_use_days = 29
unused_days = 46
rotation_days = 89

[sink.files]
plugin = file
input = at, moved
path = ../out/{format}.{ext}
EOF
rp run -c "$e/etc/p.ini"
rc_is 0 "boundary run exits 0"
if have_python; then
	"$PY" "$work/findings.py" "$e/out/at.json" >"$work/at" 2>&1
	"$PY" "$work/findings.py" "$e/out/moved.json" >"$work/moved" 2>&1
fi
is "$(cat "$work/at" 2>/dev/null)" "root_recently_used:1.7:<root_account>
credential_unused:1.12:pw45
credential_unused:1.12:newpw45
access_key_unused_since_setup:1.11:setup3600" \
	"at the thresholds: root used 30 days ago and 45 days unused are findings, a 90-day key and a key 3601 s after its user are not"
is "$(cat "$work/moved" 2>/dev/null)" "access_key_not_rotated:1.14:key90
access_key_unused_since_setup:1.11:setup3600" \
	"thresholds moved by a day: root use and unused drop out, the 90-day key is a finding"

# --------------------------------------------------------- no root row
n=$work/noroot
grep -v '^<root_account>,' "$sample" >"$work/noroot.csv"
tree "$n" "$work/noroot.csv" <<'EOF'
[format.text]
plugin = text_summary

[sink.files]
plugin = file
input = text
path = ../out/{format}.{ext}
EOF
rp run -c "$n/etc/p.ini"
rc_is 0 "run on a report without the root row exits 0"
like "$n/out/text.txt" "  CIS 1.5: Root user without MFA - not checked: the report has no root user" \
	"without the root row the root checks say they could not look"

done_testing
