#!/bin/sh
# history.sh - each run's report is kept under state_dir/history per
# source and account (for the change ledger), bounded by history_keep;
# --dry-run keeps nothing.
. "$top_srcdir/tests/e2e/lib.sh"

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
h=$t/state/history/local/123456789012
pipeline() {
	printf '%s\n' '[pipeline]' 'state_dir = ../state' 'history_keep = 2' \
		'[source.local]' 'plugin = csv_file' \
		'path = sample-credential-report.csv' "generated_time = $1" \
		'[format.csv]' 'plugin = csv' \
		'[sink.out]' 'plugin = file' 'input = csv' \
		'path = ../out/{date:%Y%m%d}.csv' >"$p"
}

pipeline 2026-11-16T06:00:00+00:00
rp run -c "$p" --dry-run
ok '! [ -d "$t/state/history" ]' "--dry-run keeps no history"
rp run -c "$p"
rc_is 0 "first run"
is "$(ls "$h")" "20261116T060000Z.csv" "the report is kept, named by its generated time"
ok 'cmp -s "$h/20261116T060000Z.csv" "$t/etc/sample-credential-report.csv"' "byte for byte (the sample needs no quoting)"
is "$(stat -c %a "$h/20261116T060000Z.csv")" 600 "private (0600)"
rp run -c "$p"
is "$(ls "$h" | wc -l)" 1 "the same report again replaces its own entry"
pipeline 2026-11-23T06:00:00+00:00
rp run -c "$p"
pipeline 2026-11-30T06:00:00+00:00
rp run -c "$p"
rc_is 0 "third report"
is "$(ls "$h" | tr '\n' ' ')" "20261123T060000Z.csv 20261130T060000Z.csv " "history_keep = 2 keeps the newest two"

done_testing
