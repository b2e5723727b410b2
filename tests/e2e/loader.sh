#!/bin/sh
# loader.sh - broken plugin modules are refused by name with what to do;
# plugin_path and REPORTPIPE_PLUGIN_PATH come before the built-in directory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

plan 40

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
pl=$t/plugins
builtin=$(cd "$top_builddir/plugins/.libs" && pwd -P)

cat >"$p" <<'EOF'
[pipeline]
plugin_path = ../plugins
[source.local]
plugin = csv_file
path = sample-credential-report.csv
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = ../out/{format}.{ext}
EOF

# broken MODULE WHAT TODO: MODULE alone in the plugin_path directory makes
# check (and plugins, through REPORTPIPE_PLUGIN_PATH) refuse with WHAT and
# TODO in one message.
broken() {
	rm -rf "$pl"
	mkdir "$pl"
	cp "$RP_TEST_PLUGINS/$1.so" "$pl/"
	rp check -c "$p"
	rc_is 2 "$1.so: check exits 2"
	like "$work/err" "reportpipe: error: $2" "$1.so: the message names the module and the defect"
	like "$work/err" "$3" "$1.so: the message says what to do"
	cp "$work/err" "$work/check.err"
	REPORTPIPE_PLUGIN_PATH=$pl
	export REPORTPIPE_PLUGIN_PATH
	rp plugins
	unset REPORTPIPE_PLUGIN_PATH
	rc_is 2 "$1.so: plugins exits 2 too"
	ok 'cmp -s "$work/check.err" "$work/err"' "$1.so: plugins gives the same message"
}

broken nodesc \
	"$pl/nodesc.so: not a reportpipe plugin: it exports no 'reportpipe_plugin' descriptor" \
	"; remove it from the plugin directory"
broken abi_major \
	"$pl/abi_major.so: built for plugin ABI 2.3, but this reportpipe speaks ABI 1.x" \
	"; rebuild the plugin against this reportpipe's <reportpipe/plugin.h>"
broken abi_minor \
	"$pl/abi_minor.so: built for plugin ABI 1.10, newer than this reportpipe's 1.3" \
	"; upgrade reportpipe or rebuild the plugin against this version"
broken tiny \
	"$pl/tiny.so: its descriptor is 12 bytes, smaller than the " \
	"bytes of ABI 1.0; the descriptor is damaged or not built from <reportpipe/plugin.h>"
broken dupname \
	"$builtin/csv.so: a second plugin named 'csv' (the first is $pl/dupname.so)" \
	"; remove one of them from the plugin path"
is "$(ls -A "$t")" "etc
plugins" "broken modules: nothing written"

# ---- a valid extra plugin: searched first, and usable
rm -rf "$pl"
mkdir "$pl" "$work/envplugins"
cp "$RP_TEST_PLUGINS/failsink.so" "$pl/"
cat >>"$p" <<'EOF'
[sink.fail]
plugin = failsink
input = csv
reason = no network in tests
EOF
REPORTPIPE_PLUGIN_PATH=$work/envplugins
export REPORTPIPE_PLUGIN_PATH
rp check -c "$p"
rc_is 0 "failsink.so in plugin_path: check exits 0"
is "$(grep -A2 '^    plugin dirs' "$work/out")" "    plugin dirs    = $pl
                     $work/envplugins
                     $builtin" "check: plugin_path first, then REPORTPIPE_PLUGIN_PATH, then the built-in directory"
like "$work/out" "[sink.fail] plugin failsink ($pl/failsink.so)" "check: [sink.fail] uses the module from plugin_path"
like "$work/out" "    reason         = no network in tests" "check: the plugin's own option is bound"

REPORTPIPE_PLUGIN_PATH=$pl rp plugins failsink
like "$work/out" "  module: $pl/failsink.so (plugin ABI 1.0)" \
	"a plugin built for an older minor (1.0) loads in this reportpipe"

rp run -c "$p"
rc_is 1 "failsink.so in plugin_path: run exits 1"
like "$work/err" "reportpipe: error: sink.fail: not delivered for source.local (account 123456789012): refused: no network in tests" \
	"run: the extra plugin was called, with its option"
ok '[ -f "$t/out/csv.csv" ]' "run: the file sink delivered beside it"

sed 's/^plugin = failsink$/plugin = failsnk/' "$p" >"$p.new"
mv "$p.new" "$p"
rp check -c "$p"
rc_is 2 "a misspelt extra plugin: check exits 2"
like "$work/err" "[sink.fail] plugin 'failsnk' not found; did you mean 'failsink'?; searched: $pl, $work/envplugins, $builtin" \
	"a misspelt extra plugin: did you mean, and the directories in search order"

REPORTPIPE_PLUGIN_PATH=$pl
rp plugins
rc_is 0 "plugins with REPORTPIPE_PLUGIN_PATH: exit 0"
is "$(tr -s ' ' <"$work/out" | cut -d' ' -f1,2 |
	grep -x -e 'csv_file source' -e 'csv formatter' -e 'failsink sink' -e 'file sink')" "csv_file source
csv formatter
failsink sink
file sink" "plugins lists the extra sink, by kind, in search order"

# The built-in directory named again is not a second copy of each plugin.
REPORTPIPE_PLUGIN_PATH=$builtin:$builtin/
rp plugins
rc_is 0 "REPORTPIPE_PLUGIN_PATH naming the built-in directory: exit 0"
is "$(grep -c '^file ' "$work/out") $(cut -d' ' -f1 "$work/out" | sort | uniq -d)" "1 " \
	"REPORTPIPE_PLUGIN_PATH naming the built-in directory: each plugin once"
unset REPORTPIPE_PLUGIN_PATH

done_testing
