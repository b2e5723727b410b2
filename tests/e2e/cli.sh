#!/bin/sh
# cli.sh - the command line: help, version, usage errors, plugins, check,
# --dry-run, -q and -v.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 67

t=$work/tree
demo_tree "$t"
golden=$top_srcdir/tests/golden/demo
excel=20261130_123456789012_iam_credential_report_csv.csv
raw=20261130_123456789012_iam_credential_report_raw.csv
builtin=$(cd "$top_builddir/plugins/.libs" && pwd -P)
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")

# ---- --help and --version
rp --help
rc_is 0 "--help exits 0"
like "$work/out" "Usage: reportpipe run -c FILE" "--help shows the usage"
like "$work/out" "  0  everything delivered" "--help explains exit status 0"
like "$work/out" "  1  some delivery failed" "--help explains exit status 1"
like "$work/out" "  2  usage or configuration error" "--help explains exit status 2"
like "$work/out" "  3  a source failed" "--help explains exit status 3"
ok '! [ -s "$work/err" ]' "--help writes nothing on stderr"

rp --version
rc_is 0 "--version exits 0"
is "$(cat "$work/out")" "reportpipe $version (plugin ABI 1.3)" "--version gives the version and plugin ABI 1.3"
rp -V
is "$rc $(cat "$work/out")" "0 reportpipe $version (plugin ABI 1.3)" "-V is --version"

# ---- usage errors: exit 2 and one sentence
rp frob -c "$t/etc/demo.ini"
rc_is 2 "unknown command: exit 2"
like "$work/err" "reportpipe: unknown command 'frob'; use run, check, retry or plugins" \
	"unknown command: the message names it and the commands"

# prog: the program name a message starts with ("reportpipe" also when
# getopt prefixes the full path of argv[0]).
prog() {
	sed -n '1s/: .*//p' "$work/err" | sed 's|.*/||'
}
rp --frob -c "$t/etc/demo.ini"
rc_is 2 "unknown option: exit 2"
is "$(prog)" reportpipe "unknown option: the message comes from reportpipe"
like "$work/err" "'--frob'" "unknown option: the message names it"
like "$work/err" "Try 'reportpipe --help'." "unknown option: points to --help"

# After a command, the message must still come from reportpipe, not "run".
rp run --frob -c "$t/etc/demo.ini"
rc_is 2 "unknown option after run: exit 2"
is "$(prog)" reportpipe "unknown option after run: the message comes from reportpipe"
like "$work/err" "'--frob'" "unknown option after run: the message names it"

for cmd in run check; do
	rp $cmd
	rc_is 2 "$cmd without -c: exit 2"
	like "$work/err" "reportpipe: $cmd needs -c FILE, the pipeline file" "$cmd without -c: says -c FILE is needed"
done
rp
is "$rc $(cat "$work/err")" "2 reportpipe: run needs -c FILE, the pipeline file (see --help)" \
	"no arguments at all: run needs -c FILE"

rp run -c "$t/etc/demo.ini" extra
rc_is 2 "a stray argument: exit 2"
like "$work/err" "reportpipe: unexpected argument 'extra'" "a stray argument: the message names it"

rp check --dry-run -c "$t/etc/demo.ini"
rc_is 2 "check --dry-run: exit 2"
like "$work/err" "reportpipe: --dry-run goes with run, not check" "check --dry-run: says why"

rp run -v -q -c "$t/etc/demo.ini"
rc_is 2 "-v with -q: exit 2"
like "$work/err" "reportpipe: -q and -v contradict each other" "-v with -q: says why"
is "$(ls -A "$t")" etc "usage errors wrote nothing"

# ---- plugins
rp plugins
rc_is 0 "plugins: exit 0"
is "$(tr -s ' ' <"$work/out" | cut -d' ' -f1,2 |
	grep -x -e 'csv_file source' -e 'csv formatter' -e 'file sink')" "csv_file source
csv formatter
file sink" "plugins lists csv_file, csv and file with their kinds, sources first"

rp plugins file
rc_is 0 "plugins file: exit 0"
like "$work/out" "file (sink): writes each artifact to a local file, atomically" "plugins file: names and describes it"
like "$work/out" "  module: $builtin/file.so (plugin ABI 1.3)" "plugins file: the module and its ABI"
is "$(grep '^  [a-z]' "$work/out" | grep -v '^  module:' | tr -s ' ')" " plugin string, required
 input list, required
 path path, required, template
 mode int (octal), default 0640
 overwrite bool, default false
 append bool, default false" "plugins file: every option with its type and default"

rp plugins nosuch
rc_is 2 "plugins nosuch: exit 2"
is "$(cat "$work/err")" "reportpipe: error: no plugin named 'nosuch'" "plugins nosuch: says so, suggests nothing"
rp plugins fille
rc_is 2 "plugins fille: exit 2"
like "$work/err" "reportpipe: error: no plugin named 'fille'; did you mean 'file'?" "plugins fille: did you mean 'file'"

# ---- check, from another directory, with a relative -c
mkdir "$work/elsewhere"
cd "$work/elsewhere" || exit 1
rp check -c ../tree/etc/demo.ini
cd "$work" || exit 1
rc_is 0 "check from another directory: exit 0"
ok '! [ -s "$work/err" ]' "check: nothing on stderr"
like "$work/out" "pipeline 'demo' ($t/etc/demo.ini)" "check: the pipeline file's absolute path"
like "$work/out" "    state_dir      = $t/state" "check: state_dir resolved against etc/, not the cwd"
like "$work/out" "    plugin dirs    = $builtin" "check: the plugin directory"
like "$work/out" "[source.local] plugin csv_file ($builtin/csv_file.so)" "check: the source's plugin and module"
like "$work/out" "    path           = $t/etc/sample-credential-report.csv" "check: the source path resolved against etc/"
like "$work/out" "    path           = $t/out/{date:%Y%m%d}_{account_id}_iam_credential_report_{format}.{ext}" \
	"check: the sink path resolved against etc/"
like "$work/out" "    mode           = 0640  (default)" "check: defaults are shown as such"
is "$(sed -n '/^wiring:$/,$p' "$work/out")" "wiring:
    source.local -> format.csv, format.raw -> sink.archive" "check: the wiring"
is "$(ls -A "$t")$(ls -A "$work/elsewhere")" etc "check wrote nothing"

# ---- --dry-run
rp run --dry-run -c "$t/etc/demo.ini"
rc_is 0 "--dry-run: exit 0"
ok '! [ -s "$work/err" ]' "--dry-run: nothing on stderr"
is "$(ls -A "$t")" etc "--dry-run: no out/ directory, nothing written"
is "$(grep -c 'would deliver' "$work/out")" 2 "--dry-run: one line per artifact"
like "$work/out" "  sink.archive would deliver format.csv (text/csv; charset=utf-8, 3085 bytes): write $t/out/$excel" \
	"--dry-run: the excel CSV's line names its path"
like "$work/out" "  sink.archive would deliver format.raw (text/csv; charset=utf-8, 1252 bytes): write $t/out/$raw" \
	"--dry-run: the raw CSV's line names its path"

# ---- -c FILE alone is run; from another directory, it writes beside etc/
cd "$work/elsewhere" || exit 1
rp -c ../tree/etc/demo.ini
cd "$work" || exit 1
rc_is 0 "-c FILE alone: exit 0"
ok 'cmp -s "$golden/$excel" "$t/out/$excel" && cmp -s "$golden/$raw" "$t/out/$raw"' \
	"-c FILE alone: runs the pipeline, both files written under the tree's out/"
is "$(ls -A "$work/elsewhere")" "" "-c FILE alone: nothing written in the current directory"
ok '! [ -s "$work/out" ] && ! [ -s "$work/err" ]' "-c FILE alone: silent"

# ---- -q: errors only
echo "edited by hand" >"$t/out/$raw"
rp run -q -c "$t/etc/demo.ini"
rc_is 1 "-q with a failure: exit 1"
ok '[ -s "$work/err" ]' "-q with a failure: the error is shown"
is "$(grep -v '^reportpipe: error: ' "$work/err")" "" "-q with a failure: only error lines"
like "$work/err" "$t/out/$raw exists with different content" "-q with a failure: the error names the file"
ok '! [ -s "$work/out" ]' "-q with a failure: nothing on stdout"

done_testing
