#!/bin/sh
# fake_orgs_selftest.sh - the fake AWS endpoint's Organizations ListAccounts,
# in_flight counting and delay_ms, checked with botocore's own client (the
# TAP comes from tests/fakes/test_fake_orgs.py).
: "${top_srcdir:?top_srcdir is not set (run the tests with make check)}"
if ! /usr/bin/python3 -c 'import botocore' 2>/dev/null; then
	echo "Bail out! /usr/bin/python3 with botocore is needed (apt-get install python3-botocore)"
	exit 1
fi
exec /usr/bin/python3 "$top_srcdir/tests/fakes/test_fake_orgs.py"
