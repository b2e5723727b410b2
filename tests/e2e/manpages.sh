#!/bin/sh
# manpages.sh - reportpipe.ini(5) cannot drift from the code: its option
# tables, regenerated from the loaded plugins, must equal the ones in the
# source tree (man/reportpipe.ini.5.options) and in the built page; and
# the three pages render without a groff warning.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

tables=$top_srcdir/man/reportpipe.ini.5.options
page=$top_builddir/man/reportpipe.ini.5

rp plugins --man
rc_is 0 "plugins --man: exit 0"
ok '! [ -s "$work/err" ]' "plugins --man: nothing on stderr"
cp "$work/out" "$work/fresh"
if cmp -s "$work/fresh" "$tables"; then
	ok true "the option tables in man/ are those of the code"
else
	ok false "the option tables in man/ are those of the code"
	diag "an option table changed: run 'make man-update' and commit man/reportpipe.ini.5.options" \
		"$(diff -u "$tables" "$work/fresh" | sed 40q)"
fi

# Only the built-in plugins: a third-party directory changes nothing.
REPORTPIPE_PLUGIN_PATH=$RP_TEST_PLUGINS rp plugins --man
is "$rc $(cmp -s "$work/out" "$work/fresh" && echo same)" "0 same" \
	"plugins --man ignores REPORTPIPE_PLUGIN_PATH"

/usr/bin/python3 - "$page" "$work/fresh" <<'PY'
import sys
page = open(sys.argv[1], encoding='utf-8').read()
fresh = open(sys.argv[2], encoding='utf-8').read()
sys.exit(0 if fresh in page and '@' + 'OPTIONS@' not in page else 1)
PY
ok '[ $? -eq 0 ]' "the built reportpipe.ini(5) holds exactly the regenerated tables"

rp plugins
missing=
for kn in $(awk '{print $2 "/" $1}' "$work/out"); do
	grep -qxF ".SS \"${kn%%/*} ${kn#*/}\"" "$page" || missing="$missing $kn"
done
is "$missing" "" "every plugin 'reportpipe plugins' lists has its section in reportpipe.ini(5)"
for key in name plugin_path state_dir timezone history_keep log log_facility; do
	grep -qxF ".B $key" "$page" || missing="$missing $key"
done
is "$missing" "" "every [pipeline] option is in reportpipe.ini(5)"

rp plugins file --man
rc_is 2 "plugins NAME --man: exit 2"
like "$work/err" "reportpipe: plugins --man takes no NAME" "plugins NAME --man: says why"
rp run --man -c x.ini
rc_is 2 "run --man: exit 2"
like "$work/err" "reportpipe: --man goes with plugins" "run --man: says why"

for m in reportpipe.1 reportpipe.ini.5 reportpipe-plugin.7; do
	if command -v groff >/dev/null 2>&1; then
		# -Wbreak: an installation path that does not fit the line
		# (distcheck's are long) is layout, not a markup error.
		groff -man -Tutf8 -ww -Wbreak -z "$top_builddir/man/$m" >"$work/groff" 2>&1
		is "$? $(cat "$work/groff")" "0 " "$m renders without a groff warning"
	else
		_ntest=$((_ntest + 1))
		echo "ok $_ntest - $m renders # SKIP groff is not installed"
	fi
	ok '! grep -q "@[a-z_]*@" "$top_builddir/man/$m"' "$m: every @dir@ is substituted"
done

done_testing
