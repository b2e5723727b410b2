#!/bin/sh
# file_sink.sh - the file sink: no clobbering, overwrite, mode, directories;
# a failing sink or source; two datasets aimed at one path.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 47

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
out=$t/out/csv.csv
# Without excel, the csv formatter writes the sample report back as it is.
sample=$t/etc/sample-credential-report.csv

# pipeline [SINK OPTION LINES...]: a one-source, one-format file sink.
pipeline() {
	# Each case starts with an empty spool (spool.sh tests the spool).
	rm -rf "$t/state"
	{
		printf '%s\n' '[pipeline]' 'state_dir = ../state' \
			'[source.local]' 'plugin = csv_file' \
			'path = sample-credential-report.csv' \
			'[format.csv]' 'plugin = csv' \
			'[sink.out]' 'plugin = file' 'input = csv'
		printf '%s\n' "$@"
	} >"$p"
}

# ---- an existing file with other content is never clobbered
mkdir "$t/out"
echo "an older report" >"$out"
pipeline 'path = ../out/{format}.{ext}'
rp run -c "$p"
rc_is 1 "different content: exit 1"
like "$work/err" "reportpipe: error: sink.out: not delivered for source.local (account 123456789012): $out exists with different content; move it away, set overwrite = true" \
	"different content: the message names the path and the ways out"
is "$(cat "$out")" "an older report" "different content: the old file is intact"
is "$(ls -A "$t/out")" csv.csv "different content: no temporary file is left"

# ---- overwrite = true replaces it, with the configured mode
chmod 0644 "$out"
pipeline 'path = ../out/{format}.{ext}' 'overwrite = true'
rp run -c "$p"
rc_is 0 "overwrite = true: exit 0"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "overwrite = true: silent"
ok 'cmp -s "$sample" "$out"' "overwrite = true: the file has the new content"
is "$(stat -c %a "$out")" 640 "overwrite = true: the new file has mode 0640"
is "$(ls -A "$t/out")" csv.csv "overwrite = true: no temporary file is left"
rm -r "$t/out"

# ---- a write that fails (a directory in the way) leaves no temporary file
mkdir -p "$out"
rp run -c "$p"
rc_is 1 "failed write: exit 1"
like "$work/err" "reportpipe: error: sink.out: not delivered for source.local (account 123456789012): cannot write $out: Is a directory" \
	"failed write: the message names the path and the reason"
is "$(ls -A "$t/out")" csv.csv "failed write: no temporary file is left"
rm -r "$t/out"

# ---- mode
pipeline 'path = ../out/{format}.{ext}' 'mode = 0600'
rp run -c "$p"
rc_is 0 "mode = 0600: exit 0"
is "$(stat -c %a "$out")" 600 "mode = 0600: the file has mode 0600"
rm -r "$t/out"

# ---- missing directories are created
pipeline 'path = ../out/a/b/c/{format}.{ext}'
rp run -c "$p"
rc_is 0 "missing directories: exit 0"
ok 'cmp -s "$sample" "$t/out/a/b/c/csv.csv"' "missing directories: all three created, the file written"
rm -r "$t/out"

# ---- a failing sink does not stop the file sink, declared after it
mkdir "$work/plugins"
cp "$RP_TEST_PLUGINS/failsink.so" "$work/plugins/"
for how in plugin_path REPORTPIPE_PLUGIN_PATH; do
	{
		if [ $how = plugin_path ]; then
			printf '%s\n' '[pipeline]' "plugin_path = $work/plugins"
		fi
		printf '%s\n' '[source.local]' 'plugin = csv_file' \
			'path = sample-credential-report.csv' \
			'[format.csv]' 'plugin = csv' \
			'[sink.fail]' 'plugin = failsink' 'input = csv' \
			'[sink.out]' 'plugin = file' 'input = csv' \
			'path = ../out/{format}.{ext}'
	} >"$p"
	[ $how = plugin_path ] || export REPORTPIPE_PLUGIN_PATH="$work/plugins"
	rm -rf "$t/etc/state"
	rp run -c "$p"
	unset REPORTPIPE_PLUGIN_PATH
	rc_is 1 "failing sink ($how): exit 1"
	ok 'cmp -s "$sample" "$out"' "failing sink ($how): the file sink still wrote its file"
	is "$(grep -c 'sink\.fail.*refused' "$work/err")" 1 \
		"failing sink ($how): one line names sink.fail and 'refused'"
	like "$work/err" "reportpipe: error: sink.fail: not delivered for source.local (account 123456789012): refused: the test said so" \
		"failing sink ($how): the line says which dataset was not delivered, and why"
	like "$work/err" "reportpipe: error: pipeline 'p': 1 delivery failure, 0 source failures" \
		"failing sink ($how): the summary counts one failure"
	rm -r "$t/out"
done

# ---- a failing source: exit 3, nothing written
pipeline 'path = ../out/{format}.{ext}'
sed 's/^path = sample-credential-report.csv$/path = missing.csv/' "$p" >"$p.new"
mv "$p.new" "$p"
rp run -c "$p"
rc_is 3 "missing CSV: exit 3"
like "$work/err" "reportpipe: error: source.local: cannot open $t/etc/missing.csv: No such file or directory" \
	"missing CSV: the message names the file"
like "$work/err" "reportpipe: error: pipeline 'p': no source produced a dataset; nothing was delivered" \
	"missing CSV: says nothing was delivered"
ok '! [ -e "$t/out" ]' "missing CSV: nothing written"

cat >"$t/etc/bad.csv" <<'EOF'
user,arn,password_enabled
alice,arn:aws:iam::123456789012:user/alice,true
bob,arn:aws:iam::123456789012:user/b"ob,true
EOF
sed 's/^path = missing.csv$/path = bad.csv/' "$p" >"$p.new"
mv "$p.new" "$p"
rp run -c "$p"
rc_is 3 "malformed CSV: exit 3"
like "$work/err" "reportpipe: error: source.local: $t/etc/bad.csv:3:37: unexpected '\"' in an unquoted field" \
	"malformed CSV: the message gives file:line:column"
ok '! [ -e "$t/out" ]' "malformed CSV: nothing written"

cat >"$t/etc/bad.csv" <<'EOF'
user,arn,password_enabled
alice,arn:aws:iam::123456789012:user/alice,true
bob,"arn:aws:iam::123456789012:user/bob,true
EOF
rp run -c "$p"
rc_is 3 "unterminated quote: exit 3"
like "$work/err" "reportpipe: error: source.local: $t/etc/bad.csv:3:5: unterminated quoted field" \
	"unterminated quote: the message gives where the quote opened"
ok '! [ -e "$t/out" ]' "unterminated quote: nothing written"

# ---- two sources, one path: the second fails, even with overwrite = true
sed 5q "$sample" >"$t/etc/short.csv"
for overwrite in false true; do
	printf '%s\n' '[source.local]' 'plugin = csv_file' \
		'path = sample-credential-report.csv' \
		'[source.short]' 'plugin = csv_file' 'path = short.csv' \
		'[format.csv]' 'plugin = csv' \
		'[sink.out]' 'plugin = file' 'input = csv' \
		'path = ../out/{format}.{ext}' "overwrite = $overwrite" >"$p"
	rm -rf "$t/etc/state"
	rp run -c "$p"
	rc_is 1 "two sources, one path (overwrite = $overwrite): exit 1"
	like "$work/err" "reportpipe: error: sink.out: not delivered for source.short (account 123456789012): $out was already written in this run for another dataset; put {source} or {account_id} in path" \
		"two sources, one path (overwrite = $overwrite): the second source's delivery fails"
	ok 'cmp -s "$sample" "$out"' \
		"two sources, one path (overwrite = $overwrite): the first source's file stands"
	is "$(ls -A "$t/out")" csv.csv "two sources, one path (overwrite = $overwrite): no other file"
	rm -r "$t/out"
done
# With {source} in the path, both are delivered.
sed 's|^path = ../out/{format}.{ext}$|path = ../out/{source}_{format}.{ext}|' "$p" >"$p.new"
mv "$p.new" "$p"
rm -rf "$t/etc/state"
rp run -c "$p"
rc_is 0 "two sources, {source} in path: exit 0"
ok 'cmp -s "$sample" "$t/out/local_csv.csv"' "two sources, {source} in path: the first file"
ok 'cmp -s "$t/etc/short.csv" "$t/out/short_csv.csv"' "two sources, {source} in path: the second file"

done_testing
