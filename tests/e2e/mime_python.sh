#!/bin/sh
# mime_python.sh - a second opinion on the MIME builder: Python's email
# package, an independent parser, reads the golden weekly mail
# (tests/golden/mime/weekly.eml, built by core/mime.c and compared byte
# for byte by tests/unit/test_mime) and checks what it finds.  The TAP
# lines and the exit status are check_mime.py's.
: "${top_srcdir:?top_srcdir is not set (run the tests with make check)}"
PY=/usr/bin/python3

if ! [ -x "$PY" ]; then
	echo "1..0 # SKIP $PY is needed"
	exit 0
fi
exec "$PY" "$top_srcdir/tests/fakes/check_mime.py" \
	"$top_srcdir/tests/golden/mime/weekly.eml"
