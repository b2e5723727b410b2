#!/bin/sh
# json_bytes.sh - the json formatter's exact bytes on hostile text.  The
# golden file tests/golden/json/hostile.json was written by jansson's
# json_dumps(JSON_INDENT(2)) of the whole document, before the formatter
# wrote the document itself; the formatter must still give those bytes.
# The report (tests/golden/json/hostile.csv) has users whose name, ARN,
# region and service hold every control character U+0001-U+001F, DEL,
# quotes, backslashes, slashes, U+2028/U+2029, a BOM, a 4-byte emoji,
# combining marks and CJK; after a first report they are also in the
# changes section.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 6

golden=$top_srcdir/tests/golden/json
t=$work/hostile
mkdir -p "$t/etc"
cp "$top_srcdir/etc/sample-credential-report.csv" "$t/etc/first.csv"
cp "$golden/hostile.csv" "$t/etc/second.csv"
chmod u+w "$t/etc/first.csv" "$t/etc/second.csv"

# pipeline REPORT GENERATED: the json formatter alone into out/.
pipeline() {
	cat >"$t/etc/p.ini" <<INI
[pipeline]
name = register
state_dir = ../state
timezone = Asia/Tokyo

[source.local]
plugin = csv_file
path = $1
generated_time = $2

[format.json]
plugin = json

[sink.files]
plugin = file
input = json
path = ../out/{format}.{ext}
INI
}

pipeline first.csv 2026-11-23T06:00:00+00:00
rp run -c "$t/etc/p.ini"
rc_is 0 "first report: run exits 0"
rm -rf "$t/out"
pipeline second.csv 2026-11-30T06:00:00+00:00
rp run -c "$t/etc/p.ini"
rc_is 0 "hostile report: run exits 0"
ok '! [ -s "$work/err" ]' "hostile report: nothing on stderr"
ok 'cmp "$golden/hostile.json" "$t/out/json.json" >/dev/null' \
	"hostile report: json.json matches the golden file byte for byte"
like "$t/out/json.json" '"user": "ctl\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E' \
	"control characters are escaped as jansson escapes them"
like "$t/out/json.json" '"event": "user_created"' \
	"the hostile users are in the changes section too"

done_testing
