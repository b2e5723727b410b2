#!/bin/sh
# large.sh - every formatter on a report of 5,000 IAM users (the quota)
# and the root user, made by tests/gen_report.py with its previous week
# (several hundred changes of every event type).  The outputs are
# megabytes, so tests/golden/large/ keeps their SHA-256 (sha256sum's
# format), then the form is checked: row counts, well-formed HTML, JSON
# users, every event type, the changes lists cut at max_changes (200).
#
# When a digest differs the outputs are kept in
# $top_builddir/tests/large.out/.  To see what changed, run this test on
# the commit the digests were made from with RP_GOLDEN_KEEP=DIR (the
# outputs are copied to DIR) and `diff -r DIR tests/large.out`.  When the
# change is meant:
#   RP_GOLDEN_UPDATE=1 make check TESTS=tests/e2e/large.sh
# rewrites tests/golden/large/*.sha256 (commit them with the change).
#
# Byte-stable anywhere: the generator uses its own seeded PRNG and no
# clock; the report's time is fixed, the run's with SOURCE_DATE_EPOCH,
# TZ and the locale are set, and the manifest's reportpipe version is
# replaced with VERSION before hashing, so a release does not move it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
	echo "1..0 # SKIP $PY is needed to generate the report"
	exit 0
fi

golden=$top_srcdir/tests/golden/large
kept=$top_builddir/tests/large.out
GEN_PREV=2026-11-23T06:00:00+00:00
GEN=2026-11-30T06:00:00+00:00
# 2026-12-01T00:00:00Z: 18 hours after the report.
SOURCE_DATE_EPOCH=1796083200
TZ=UTC
export SOURCE_DATE_EPOCH TZ

files="previous.csv
report.csv
csv.csv
changes.csv
changes_ja.csv
html_en.html
html_ja.html
text_en.txt
text_ja.txt
json.json
manifest.json"

plan 27

t=$work/large
mkdir -p "$t/etc"
"$PY" "$top_srcdir/tests/gen_report.py" previous >"$work/previous.csv" &&
	"$PY" "$top_srcdir/tests/gen_report.py" current >"$work/report.csv"
is "$?" 0 "gen_report.py writes both reports"

# pipeline GENERATED: every formatter on etc/report.csv, the ledgers
# before the summaries so the cut lists name them.
pipeline() {
	cat >"$t/etc/p.ini" <<EOF
[pipeline]
name = large
state_dir = ../state
timezone = Asia/Tokyo

[source.local]
plugin = csv_file
path = report.csv
generated_time = $1

[format.csv]
plugin = csv

[format.changes]
plugin = changes

[format.changes_ja]
plugin = changes
lang = ja

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

[format.manifest]
plugin = manifest

[sink.files]
plugin = file
input = csv, changes, changes_ja, html_en, html_ja, text_en, text_ja, json, manifest
path = ../out/{format}.{ext}
overwrite = true
EOF
}

cp "$work/previous.csv" "$t/etc/report.csv"
pipeline "$GEN_PREV"
rp run -c "$t/etc/p.ini"
rc_is 0 "the previous week's report: exit 0"
cp "$work/report.csv" "$t/etc/report.csv"
pipeline "$GEN"
rp run -c "$t/etc/p.ini"
rc_is 0 "this week's report: exit 0"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "this week's report: silent"

o=$work/outputs
mkdir -p "$o"
cp "$work/previous.csv" "$work/report.csv" "$o/"
for f in csv.csv changes.csv changes_ja.csv html_en.html html_ja.html \
	text_en.txt text_ja.txt json.json; do
	cp "$t/out/$f" "$o/$f" 2>/dev/null
done
sed 's/^\(  "reportpipe_version": \)".*",$/\1"VERSION",/' \
	"$t/out/manifest.json" >"$o/manifest.json" 2>/dev/null

# ------------------------------------------------------------- digests
if [ "${RP_GOLDEN_UPDATE:-}" = 1 ]; then
	mkdir -p "$golden"
	for f in $files; do
		(cd "$o" && sha256sum "$f") >"$golden/$f.sha256"
	done
	diag "RP_GOLDEN_UPDATE=1: rewrote $golden/*.sha256"
fi
if [ -n "${RP_GOLDEN_KEEP:-}" ]; then
	mkdir -p "$RP_GOLDEN_KEEP" && cp "$o"/* "$RP_GOLDEN_KEEP/" &&
		diag "outputs copied to $RP_GOLDEN_KEEP"
fi
is "$(cd "$golden" && ls)" "$(for f in $files; do echo "$f.sha256"; done | sort)" \
	"golden: one digest per output"
rm -rf "$kept"
differ=0
for f in $files; do
	want=$(cut -d' ' -f1 "$golden/$f.sha256" 2>/dev/null)
	got=$( (cd "$o" && sha256sum "$f" 2>/dev/null) | cut -d' ' -f1)
	is "$got" "$want" "$f: SHA-256 as in tests/golden/large/$f.sha256" ||
		differ=1
done
if [ $differ = 1 ]; then
	mkdir -p "$kept" && cp "$o"/* "$kept/"
	diag "outputs kept in $kept." \
		"previous.csv or report.csv differ: tests/gen_report.py changed;" \
		"otherwise a formatter did.  To see how, run on the commit the digests" \
		"come from: RP_GOLDEN_KEEP=/tmp/before make check TESTS=tests/e2e/large.sh" \
		"then: diff -r /tmp/before $kept" \
		"If the change is meant: RP_GOLDEN_UPDATE=1 make check TESTS=tests/e2e/large.sh"
fi

# ---------------------------------------------------------------- form
is "$(wc -l <"$o/csv.csv" | tr -d ' ')" 5002 "csv: a header and 5,001 rows (5,000 users and root)"
ok 'cmp -s "$o/report.csv" "$o/csv.csv"' "csv: the report as it came (no cell needed other quoting)"
is "$(grep -c 'word-break:break-all' "$o/html_en.html")" 5001 "html: a register row per user, root too"
is "$(grep -c 'word-break:break-word' "$o/html_en.html")" 200 "html: 200 change rows (max_changes' default)"
events=$(($(wc -l <"$o/changes.csv") - 1))
ok '[ "$events" -gt 200 ]' "the week has more than 200 changes ($events)"
like "$o/html_en.html" ">Only the first 200 of $events changes are shown; all $events are in the change ledger (format.changes).</td>" \
	"html: the cut list says how many and names the ledger"
like "$o/html_ja.html" ">変更 $events 件中、最初の 200 件のみ表示しています。全 $events 件は変更台帳（format.changes）にあります。</td>" \
	"html ja: the same in Japanese"
like "$(tr '\n' ' ' <"$o/text_en.txt")" "Only the first 200 of $events changes are shown; all $events are in the change ledger (format.changes)." \
	"text: the cut list says how many and names the ledger"

cat >"$work/form.py" <<'EOF'
# The outputs of the large run against each other; prints what is wrong.
import csv, json, sys, unicodedata
d = sys.argv[1]
def rows(name):
    return list(csv.reader(open(f"{d}/{name}", encoding="utf-8", newline="")))
report = rows("csv.csv")
if any(len(r) != 22 for r in report):
    print("csv: a row without 22 cells")
doc = json.load(open(f"{d}/json.json", encoding="utf-8"))
if len(doc["users"]) != 5001 or doc["counts"]["users"] != 5000:
    print(f"json: {len(doc['users'])} users, counts.users {doc['counts']['users']}")
if [u["user"] for u in doc["users"]] != [r[0] for r in report[1:]]:
    print("json: users not the CSV's, in its order")
ledger, ja = rows("changes.csv"), rows("changes_ja.csv")
events = [(e["user"], e["event"], e["detail"]) for e in doc["changes"]["events"]]
if events != [tuple(r[2:5]) for r in ledger[1:]]:
    print(f"json: {len(events)} events, the ledger {len(ledger) - 1}")
if [r[:4] for r in ja] != [r[:4] for r in ledger]:
    print("changes ja: not the English ledger's dates, users and events")
if any(" -> " in r[4] for r in ja[1:]):
    print("changes ja: an English detail")
kinds = {r[3] for r in ledger[1:]}
every = {"user_created", "user_deleted", "console_password_enabled",
         "console_password_disabled", "mfa_enabled", "mfa_disabled",
         "access_key_created", "access_key_rotated", "access_key_activated",
         "access_key_deactivated", "access_key_deleted",
         "certificate_activated", "certificate_deactivated", "root_used"}
if kinds != every:
    print(f"changes: event types missing {sorted(every - kinds)}, unknown {sorted(kinds - every)}")
for name in ("text_en.txt", "text_ja.txt"):
    for n, line in enumerate(open(f"{d}/{name}", encoding="utf-8"), 1):
        w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                for c in line.rstrip("\n"))
        if w > 77:
            print(f"{name}:{n}: {w} columns")
            break
EOF
"$PY" "$work/form.py" "$o" >"$work/py.out" 2>&1
ok '[ $? -eq 0 ] && ! [ -s "$work/py.out" ]' \
	"csv, json and ledgers agree: 5,001 rows, every event type, text under 78 columns" ||
	diag "$(sed 20q "$work/py.out")"
"$PY" "$top_srcdir/tests/html_wellformed.py" "$o/html_en.html" "$o/html_ja.html" >"$work/py.out" 2>&1
ok '[ $? -eq 0 ] && ! [ -s "$work/py.out" ]' "html en and ja: well-formed, nothing to run or fetch" ||
	diag "$(sed 20q "$work/py.out")"
like "$o/html_en.html" "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>" "html: the <script> user is escaped"

done_testing
