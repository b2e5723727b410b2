# lib.sh - sourced by every end-to-end test in tests/e2e/.
#
# Gives each test a private directory $work (removed on exit), `rp` to run
# reportpipe with its output captured, and a few TAP helpers.  Makefile.am
# exports top_srcdir, RP_BIN, RP_TEST_PLUGINS, RP_VALGRIND and VALGRIND.
#
#   rp ARGS...            run "$RP_BIN" ARGS: stdout in $work/out, stderr in
#                         $work/err, exit code in $rc (99: valgrind errors)
#   plan N                announce N tests (or end with done_testing alone)
#   ok 'SHELL COND' DESC  pass if the condition, run by eval, succeeds
#   is GOT WANT DESC      pass if the two strings are equal
#   rc_is WANT DESC       is "$rc" WANT, showing stderr when it is not
#   like FILE_OR_TEXT STRING DESC    pass if STRING is in it (grep -F)
#   unlike FILE_OR_TEXT STRING DESC  pass if STRING is not in it
#   diag TEXT...          a TAP comment
#   done_testing          print the plan if none was given; exit non-zero
#                         if a test failed or valgrind found errors
#   demo_tree DIR         DIR/etc/ with demo.ini and the sample report
#
# Never write into $top_srcdir: distcheck makes it read-only.

: "${top_srcdir:?top_srcdir is not set (run the tests with make check)}"
: "${top_builddir:?top_builddir is not set (run the tests with make check)}"
: "${RP_BIN:?RP_BIN is not set (run the tests with make check)}"
LC_ALL=C
export LC_ALL
# Only the pipeline file and the test itself choose plugin directories.
unset REPORTPIPE_PLUGIN_PATH

_ntest=0
_nfail=0
_plan=
_vgfail=0

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

plan() {
	_plan=$1
	echo "1..$1"
}

# _result STATUS DESC: one TAP line; STATUS 0 is a pass.
_result() {
	_ntest=$((_ntest + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_ntest - $2"
	else
		echo "not ok $_ntest - $2"
		_nfail=$((_nfail + 1))
	fi
	return "$1"
}

ok() {
	if eval "$1"; then _result 0 "$2"; else _result 1 "$2"; fi
}

is() {
	if [ "$1" = "$2" ]; then
		_result 0 "$3"
	else
		_result 1 "$3"
		diag "got:  '$1'" "want: '$2'"
		return 1
	fi
}

rc_is() {
	is "$rc" "$1" "$2" || diag "stderr was:" "$(sed 20q "$work/err")"
}

# _text FILE_OR_TEXT: the file's contents if it is a file (a missing file
# under $work is empty, so a typo cannot match its own name), else the text.
_text() {
	case $1 in
	"$work"/*) cat "$1" 2>/dev/null ;;
	*) if [ -f "$1" ]; then cat "$1"; else printf '%s\n' "$1"; fi ;;
	esac
}

like() {
	if _text "$1" | grep -F -e "$2" >/dev/null; then
		_result 0 "$3"
	else
		_result 1 "$3"
		diag "wanted: $2" "in:" "$(_text "$1" | sed 20q)"
		return 1
	fi
}

unlike() {
	if _text "$1" | grep -F -e "$2" >/dev/null; then
		_result 1 "$3"
		diag "did not want: $2" "in:" "$(_text "$1" | sed 20q)"
		return 1
	else
		_result 0 "$3"
	fi
}

done_testing() {
	[ -n "$_plan" ] || echo "1..$_ntest"
	if [ -n "$_plan" ] && [ "$_plan" -ne "$_ntest" ]; then
		diag "planned $_plan tests but ran $_ntest"
		_nfail=$((_nfail + 1))
	fi
	[ "$_vgfail" -eq 0 ] || diag "valgrind found errors in $_vgfail run(s)"
	[ "$_nfail" -eq 0 ] && [ "$_vgfail" -eq 0 ] && exit 0
	exit 1
}

rp() {
	if [ "${RP_VALGRIND:-}" = 1 ]; then
		"${VALGRIND:?VALGRIND is not set}" --quiet --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 --log-file="$work/valgrind.log" \
			"$RP_BIN" "$@" >"$work/out" 2>"$work/err" </dev/null
	else
		"$RP_BIN" "$@" >"$work/out" 2>"$work/err" </dev/null
	fi
	rc=$?
	if [ "$rc" -eq 99 ]; then
		_vgfail=$((_vgfail + 1))
		diag "valgrind found errors in: reportpipe $*" \
			"$(cat "$work/valgrind.log")"
	fi
}

demo_tree() {
	mkdir -p "$1/etc" &&
		cp "$top_srcdir/etc/demo.ini" \
			"$top_srcdir/etc/sample-credential-report.csv" "$1/etc/" &&
		chmod u+w "$1/etc/demo.ini" "$1/etc/sample-credential-report.csv"
}

if ! [ -x "$RP_BIN" ]; then
	echo "Bail out! $RP_BIN is not built"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rp-e2e.XXXXXX") &&
	work=$(cd "$work" && pwd -P) || {
	echo "Bail out! cannot create a temporary directory"
	exit 1
}
trap 'rm -rf "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
