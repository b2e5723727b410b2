#!/bin/sh
# evidence.sh - the manifest lists every artifact rendered before it with
# a SHA-256 and size that match the files written; the HTML summary's
# footer quotes the CSV's SHA-256, so a printed mail matches the archive.
. "$top_srcdir/tests/e2e/lib.sh"

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
printf '%s\n' '[pipeline]' 'state_dir = ../state' \
	'[source.local]' 'plugin = csv_file' 'path = sample-credential-report.csv' \
	'generated_time = 2026-11-30T06:00:00+00:00' \
	'[format.csv]' 'plugin = csv' 'excel = true' \
	'[format.page]' 'plugin = html_summary' \
	'[format.manifest]' 'plugin = manifest' \
	'[sink.out]' 'plugin = file' 'input = csv, page, manifest' \
	'path = ../out/{format}.{ext}' >"$p"
rp run -c "$p"
rc_is 0 "a run with a manifest: exit 0"
m=$t/out/manifest.json
csv_sum=$(sha256sum "$t/out/csv.csv" | cut -d' ' -f1)
page_sum=$(sha256sum "$t/out/page.html" | cut -d' ' -f1)
/usr/bin/python3 - "$m" >"$work/fields" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["account_id"], d["report_generated_time"], d["reportpipe_version"], d["source"])
for a in d["artifacts"]:
    print(a["format"], a["extension"], a["size"], a["sha256"])
PY
version=$("$RP_BIN" --version | sed -n 's/^reportpipe \([^ ]*\) .*/\1/p')
is "$(sed -n 1p "$work/fields")" "123456789012 2026-11-30T06:00:00Z $version local" \
	"the manifest names the account, the report's time, the version and the source"
is "$(sed -n 2p "$work/fields")" "csv csv $(stat -c %s "$t/out/csv.csv") $csv_sum" "the CSV's size and SHA-256 match the file written"
is "$(sed -n 3p "$work/fields")" "page html $(stat -c %s "$t/out/page.html") $page_sum" "the HTML's size and SHA-256 match the file written"
is "$(wc -l <"$work/fields")" 3 "the manifest lists exactly the artifacts rendered before it"
like "$t/out/page.html" "CSV (format.csv) SHA-256: <span style=\"font-family:monospace\">$csv_sum</span>" "the HTML footer quotes the CSV's SHA-256"

# --dry-run shows what people would read: the text summary, in full.
printf '%s\n' '[format.summary]' 'plugin = text_summary' >>"$p"
sed -i 's/^input = csv, page, manifest$/input = csv, page, manifest, summary/' "$p"
rm -rf "$t/out"
rp run -c "$p" --dry-run
rc_is 0 "--dry-run with a text summary: exit 0"
like "$work/out" "--- format.summary ---" "--dry-run prints the text summary under its name"
like "$work/out" "IAM credential report: account 123456789012, 30 Nov 2026" "with its content"
ok '! [ -e "$t/out" ]' "and still writes nothing"

# SOURCE_DATE_EPOCH fixes the run's time (reproducible evidence).
rm -rf "$t/out" "$t/state"
SOURCE_DATE_EPOCH=1796083200 rp run -c "$p"
rc_is 0 "a run with SOURCE_DATE_EPOCH: exit 0"
like "$t/out/manifest.json" '"run_time": "2026-12-01T00:00:00Z"' "the manifest's run time is the fixed one"
SOURCE_DATE_EPOCH=yesterday rp check -c "$p"
rc_is 2 "a SOURCE_DATE_EPOCH that is not a number is a configuration error"
like "$work/err" "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since 1970" "saying so"

done_testing
