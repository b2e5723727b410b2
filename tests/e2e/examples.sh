#!/bin/sh
# examples.sh - the example pipelines shipped in etc/ stay valid: `check`
# accepts them (with the environment they name) and prints their wiring.
. "$top_srcdir/tests/e2e/lib.sh"

REPORT_BUCKET=evidence-bucket
export REPORT_BUCKET
rp check -c "$top_srcdir/etc/weekly-iam-register.ini"
rc_is 0 "etc/weekly-iam-register.ini passes check"
like "$work/out" "source.iam -> format.csv, format.summary, format.changes, format.manifest -> sink.archive" "it archives four formats in S3"
like "$work/out" "source.iam -> format.summary, format.csv, format.changes -> sink.mail" "and mails the summary with the CSV and the changes"
rp check -c "$top_srcdir/etc/organization-iam-register.ini"
rc_is 0 "etc/organization-iam-register.ini passes check"
like "$work/out" "source.org -> format.csv -> sink.archive" "it archives each account's CSV"
like "$work/out" "source.org -> format.summary -> sink.mail" "and mails the run's summary"
unset REPORT_BUCKET
rp check -c "$top_srcdir/etc/weekly-iam-register.ini"
rc_is 2 "without REPORT_BUCKET it is refused"
like "$work/err" "environment variable REPORT_BUCKET is not set" "saying which variable"
rp check -c "$top_srcdir/etc/demo.ini"
rc_is 0 "etc/demo.ini passes check"

done_testing
