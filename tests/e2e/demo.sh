#!/bin/sh
# demo.sh - the demo pipeline (etc/demo.ini) end to end, its two files
# compared byte for byte with tests/golden/demo/.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 29

golden=$top_srcdir/tests/golden/demo
sample=$top_srcdir/etc/sample-credential-report.csv
excel=20261130_123456789012_iam_credential_report_csv.csv
raw=20261130_123456789012_iam_credential_report_raw.csv
cr=$(printf '\r')

# The golden files themselves, so a careless regeneration shows: they
# must be what the sample report turns into by the rules, derived here
# independently of reportpipe.
is "$(ls "$golden")" "$excel
$raw" "golden: exactly the two demo files"
{
	printf '\357\273\277'
	sed -e "s/^\([-=+@][^,]*\),/\"'\1\",/" -e "s/\$/$cr/" "$sample"
} >"$work/excel.expected"
ok 'cmp -s "$work/excel.expected" "$golden/$excel"' \
	"golden excel CSV: BOM, CRLF, formula-like first cells quoted with a leading '"
like "$golden/$excel" "\"'@audit-bot\",arn:aws:iam::123456789012:user/@audit-bot," \
	"golden excel CSV: '@audit-bot' is made inert"
like "$golden/$excel" "\"'-temp-user\",arn:aws:iam::123456789012:user/-temp-user," \
	"golden excel CSV: '-temp-user' is made inert"
cut -d, -f1,2,3,4,8,9,14 "$sample" >"$work/raw.expected"
ok 'cmp -s "$work/raw.expected" "$golden/$raw"' \
	"golden raw CSV: the 7 chosen columns of the sample, LF line ends"
is "$(sed 1q "$golden/$raw")" \
	"user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active,access_key_2_active" \
	"golden raw CSV: header names the 7 columns in the order of demo.ini"

# First run: silent, the files exactly the golden ones.
t=$work/demo
demo_tree "$t"
rp run -c "$t/etc/demo.ini"
rc_is 0 "demo run exits 0"
ok '! [ -s "$work/out" ]' "demo run prints nothing on stdout"
ok '! [ -s "$work/err" ]' "demo run prints nothing on stderr"
is "$(ls -A "$t/out")" "$(ls "$golden")" "demo run writes exactly the golden file names into out/"
for f in $excel $raw; do
	ok 'cmp "$golden/$f" "$t/out/$f" >/dev/null' "$f matches the golden file byte for byte"
	is "$(stat -c %a "$t/out/$f")" 640 "$f has mode 0640"
done
ok '! ls -A "$t/out" | grep -q "^\."' "no temporary files are left in out/"

# Second run: nothing to do, the files untouched.
before=$(stat -c '%i %y' "$t/out/$excel" "$t/out/$raw")
sleep 1
rp run -c "$t/etc/demo.ini"
rc_is 0 "second run exits 0"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "second run is silent"
is "$(stat -c '%i %y' "$t/out/$excel" "$t/out/$raw")" "$before" \
	"second run leaves both files untouched (same inode and mtime)"
is "$(ls -A "$t/out")" "$(ls "$golden")" "second run adds no file"

# -v on a fresh tree: one line per step.
v=$work/verbose
demo_tree "$v"
rp run -v -c "$v/etc/demo.ini"
rc_is 0 "-v run exits 0"
ok '! [ -s "$work/out" ]' "-v logs on stderr, not stdout"
is "$(grep -c . "$work/err")" 6 "-v logs 6 lines: source, 2 formats, 2 files, sink"
is "$(grep -c -v '^reportpipe: ' "$work/err")" 0 "every -v line starts with 'reportpipe: '"
like "$work/err" "reportpipe: source.local: 11 rows for account 123456789012 from $v/etc/sample-credential-report.csv (" \
	"-v: the source line gives rows, account and file"
like "$work/err" "reportpipe: format.csv: 3085 bytes (" "-v: the format.csv line gives its size"
like "$work/err" "reportpipe: format.raw: 1252 bytes (" "-v: the format.raw line gives its size"
like "$work/err" "reportpipe: sink.archive: wrote $v/out/$excel (3085 bytes)" "-v: the sink names the excel file it wrote"
like "$work/err" "reportpipe: sink.archive: wrote $v/out/$raw (1252 bytes)" "-v: the sink names the raw file it wrote"
is "$(grep -c '^reportpipe: sink\.archive: delivered for source\.local (' "$work/err")" 1 "-v: one 'delivered' line for the sink"

done_testing
