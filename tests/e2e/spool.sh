#!/bin/sh
# spool.sh - nothing lost: what a sink could not deliver is kept under
# state_dir/spool and delivered by the next run (or `retry`), the other
# sinks are not held up, a crash mid-delivery loses nothing, and the lock
# keeps two runs apart.
. "$top_srcdir/tests/e2e/lib.sh"

t=$work/tree
demo_tree "$t"
p=$t/etc/p.ini
spool=$t/state/spool
mkdir "$work/plugins"
cp "$RP_TEST_PLUGINS/failsink.so" "$work/plugins/"
accept=$work/accepted.log

# pipeline [PEER OPTION LINES...]: file sink + the scripted peer sink
pipeline() {
	{
		printf '%s\n' '[pipeline]' 'name = p' 'state_dir = ../state' \
			"plugin_path = $work/plugins" \
			'[source.local]' 'plugin = csv_file' \
			'path = sample-credential-report.csv' \
			'[format.csv]' 'plugin = csv' \
			'[format.raw]' 'plugin = csv' 'columns = user, arn' \
			'[sink.archive]' 'plugin = file' 'input = csv' \
			'path = ../out/{format}.{ext}' 'overwrite = true' \
			'[sink.peer]' 'plugin = failsink' 'input = csv, raw' \
			"accept_file = $accept"
		printf '%s\n' "$@"
	} >"$p"
}
entries() { ls "$spool" 2>/dev/null | grep -c . ; }

# 1. The peer refuses: the archive is written anyway, the peer's share is spooled.
pipeline
rp run -c "$p"
rc_is 1 "a refused sink makes the run exit 1"
ok '[ -f "$t/out/csv.csv" ]' "the other sink delivered"
like "$work/err" "reportpipe: error: sink.peer: not delivered for source.local (account 123456789012): refused: the test said so" "one line names the failed sink and why"
is "$(entries)" 1 "one spool entry"
e=$spool/$(ls "$spool")
is "$(ls "$e/pending")" peer "it waits for the peer only (the archive is crossed off)"
ok 'ls "$e" | grep -q "^a0.csv$" && ls "$e" | grep -q "^a1.csv$" && [ -f "$e/dataset.csv" ] && [ -f "$e/meta" ]' "it holds the artifacts, the dataset and its metadata"
is "$(stat -c %a "$e/a0.csv")" 600 "spooled files are private (0600)"
h=$(ls "$t"/state/history/local/123456789012/*.csv)
is "$(stat -c %i "$e/dataset.csv")" "$(stat -c %i "$h")" "the spooled dataset is the history's copy, hard-linked, not written twice"
is "$(stat -c %i "$e/a0.csv") $(stat -c %h "$e/a1.csv")" "$(stat -c %i "$h") 1" \
	"the csv artifact, the same bytes as the table, is that file too; the other one (raw) is written"
ok 'cmp -s "$e/a0.csv" "$t/out/csv.csv" && [ "$(head -n 1 "$e/a1.csv")" = "user,arn" ]' \
	"each holds its artifact's bytes"
is "$(stat -c %a "$t/state")" 700 "the state directory is private (0700)"
like "$work/err" "kept in $e for the next run" "the message says where it is kept"

# 2. Still refused: a second run keeps both reports, and says so.
rp run -c "$p"
rc_is 1 "still refused: exit 1"
is "$(entries)" 2 "the old entry stays and the new one joins it"
is "$(grep -c 'from the spool' "$work/err")" 1 "the spooled delivery was tried first"

# 3. retry delivers only the spool, once the peer accepts.
: >"$accept"
rp retry -c "$p"
rc_is 0 "retry delivers the spool once the peer accepts"
is "$(entries)" 0 "and empties it"
is "$(grep -c '^local 123456789012 csv ' "$accept")" 2 "each spooled report was delivered once (csv)"
is "$(grep -c '^local 123456789012 raw ' "$accept")" 2 "each spooled report was delivered once (raw)"
is "$(cat "$work/err")" "" "silently"

# 4. Normal runs then deliver directly and leave no spool.
: >"$accept"
rp run -c "$p"
rc_is 0 "a run with every peer up: exit 0"
is "$(entries)" 0 "no spool entry left"
is "$(wc -l <"$accept")" 2 "the peer got both formats"

# 5. A crash in the middle of delivering loses nothing.
rm -f "$accept"
pipeline 'crash = true'
rp run -c "$p"
is "$rc" 70 "the process died in the middle of delivery"
is "$(entries)" 1 "the spool entry written before delivery is there"
pipeline
: >"$accept"
rp run -c "$p"
rc_is 0 "the next run delivers it and its own report"
is "$(wc -l <"$accept")" 4 "the peer got the crashed run's report and the new one"
is "$(entries)" 0 "nothing left"

# 6. The lock: a second run while one is delivering exits 4 at once.
pipeline 'sleep = 3s'
"$RP_BIN" run -c "$p" >/dev/null 2>&1 &
first=$!
i=0
while ! grep -qx "$first" "$t/state/lock" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rp run -c "$p"
rc_is 4 "a second run while one holds the lock exits 4"
like "$work/err" "another reportpipe run (pid $first) holds $t/state/lock" "naming the holder's pid"
wait $first
is "$?" 0 "the first run finishes normally"

# 7. A lock left by a dead process is taken over.
pipeline
echo 999999 >"$t/state/lock"
rp run -c "$p"
rc_is 0 "a stale lock file does not block the next run"

# 8. --dry-run neither reads nor writes the spool.
rm -f "$accept"
rp run -c "$p"
rc_is 1 "refused again"
rp run -c "$p" --dry-run
rc_is 0 "--dry-run"
is "$(entries)" 1 "leaves the spool as it was"

# 9. SIGTERM during delivery: the run stops, exits non-zero, and the
# spool holds what was not delivered; the next run delivers it.
rm -f "$accept"
rm -rf "$spool"
pipeline 'sleep = 5s'
"$RP_BIN" run -c "$p" >"$work/term.out" 2>"$work/term.err" &
pid=$!
i=0
while [ "$(entries)" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
kill -TERM $pid
wait $pid
is "$?" 1 "SIGTERM during delivery: exit 1"
like "$work/term.err" "interrupted by signal 15" "it says it was interrupted"
is "$(entries)" 1 "the spool entry is there"
e=$spool/$(ls "$spool")
is "$(ls "$e/pending")" peer "still waiting for the interrupted sink"
pipeline
: >"$accept"
rp run -c "$p"
rc_is 0 "the next run delivers it"
is "$(entries)" 0 "and empties the spool"

# 10. The table is stored once: without a history (history_keep = 0) the
# entry's dataset.csv is still the csv artifact's file; without a csv
# artifact it is written; and pruning the history never takes a spooled
# dataset with it.
# refused DESC SED-ARG...: a fresh pipeline edited by sed, run against
# the refusing peer; e is its one spool entry.
refused() {
	desc=$1
	shift
	rm -f "$accept"
	pipeline
	sed -i "$@" "$p"
	rp run -c "$p"
	rc_is 1 "refused, with $desc"
	e=$spool/$(ls "$spool")
}
# retried: the peer accepts; retry delivers the spool.
retried() {
	: >"$accept"
	rp retry -c "$p"
	rc_is 0 "and retry delivers it"
}
rm -rf "$t/state/history"
refused "history_keep = 0" 's/^name = p$/name = p\nhistory_keep = 0/'
ok '[ ! -e "$t/state/history" ] && [ "$(stat -c %i "$e/dataset.csv")" = "$(stat -c %i "$e/a0.csv")" ]' "no history is kept, and the dataset is the csv artifact's file"
is "$(head -c 5 "$e/dataset.csv")" "user," "it is the table"
retried
refused "only a 'raw' artifact" -e 's/^name = p$/name = p\nhistory_keep = 0/' \
	-e '/^\[sink.archive\]/,/^overwrite/d' -e '/^\[format.csv\]$/,+1d' \
	-e 's/^input = csv, raw$/input = raw/'
ok '[ "$(stat -c %h "$e/dataset.csv")" = 1 ] && [ "$(stat -c %h "$e/a0.csv")" = 1 ]' "the dataset, which no artifact is, is written into the entry"
is "$(head -c 5 "$e/dataset.csv")" "user," "it is the table"
retried
refused "history_keep = 1" 's/^name = p$/name = p\nhistory_keep = 1/'
h=$(ls "$t"/state/history/local/123456789012/*.csv)
cp "$e/dataset.csv" "$work/spooled.csv"
rm -f "$h"
ok 'cmp -s "$e/dataset.csv" "$work/spooled.csv" && cmp -s "$e/a0.csv" "$work/spooled.csv"' "the history's file removed, the spooled dataset (and csv artifact) is still whole"
retried
is "$(grep -c '^local 123456789012 csv ' "$accept")" 1 "the report, once"

done_testing
