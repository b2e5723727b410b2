#!/bin/sh
# logging.sh - where messages go and their shape: --log-format json (one
# JSON object per line, also for hostile text), [pipeline] log = syslog
# (RFC 3164 datagrams on the test hook RP_SYSLOG_SOCKET instead of
# /dev/log, with the pipeline as ident and the facility's priority), and
# the fallback to stderr when no syslog daemon listens.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

py=/usr/bin/python3
t=$work/tree
demo_tree "$t"
ini=$t/etc/demo.ini

# jsonl FILE: every line of FILE is a JSON object with exactly the five
# keys; prints "level|pipeline|where|message" per line (None for null),
# the message with its newlines as \n, or FAIL and why.
jsonl() {
	"$py" - "$1" <<'PY'
import json, re, sys
data = open(sys.argv[1], 'rb').read()
if not data:
    print("FAIL: no lines")
for raw in data.splitlines():
    try:
        o = json.loads(raw.decode('utf-8'))
    except Exception as e:
        print("FAIL: %r: %s" % (raw, e))
        continue
    keys = sorted(o) if isinstance(o, dict) else None
    if keys != ['level', 'message', 'pipeline', 'time', 'where']:
        print("FAIL: keys %r" % (keys,))
        continue
    if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', o['time']):
        print("FAIL: time %r" % o['time'])
    print("%s|%s|%s|%s" % (o['level'], o['pipeline'], o['where'],
                           o['message'].replace('\n', '\\n')))
PY
}

# ---- --log-format
rp run --log-format xml -c "$ini"
rc_is 2 "--log-format xml: exit 2"
is "$(cat "$work/err")" "reportpipe: --log-format: 'xml' is not text or json" \
	"--log-format xml: one sentence naming the value"

rp run --log-format json -c "$ini"
rc_is 0 "json, default level, success: exit 0"
ok '! [ -s "$work/err" ] && ! [ -s "$work/out" ]' "json, default level, success: silent"

rp run --log-format json -v -c "$ini"
rc_is 0 "json -v: exit 0"
jsonl "$work/err" >"$work/lines"
unlike "$work/lines" "FAIL" "json -v: every line is a JSON object with time (RFC 3339, ms, UTC), level, pipeline, where, message"
like "$work/lines" "info|demo|source.local|11 rows for account 123456789012" "json -v: level, pipeline, where and message of the source"
like "$work/lines" "info|demo|sink.archive|" "json -v: the sink's lines carry where = sink.archive"
is "$(wc -l <"$work/err" | tr -d ' ')" "$(wc -l <"$work/lines" | tr -d ' ')" "json -v: one object per line"

# A file that cannot be loaded: pipeline and where are null.
printf '[pipeline]\nnme = x\n' >"$t/etc/bad.ini"
rp run --log-format json -c "$t/etc/bad.ini"
rc_is 2 "json, config error: exit 2"
is "$(jsonl "$work/err")" "error|None|None|$t/etc/bad.ini:2: [pipeline] unknown key 'nme' for the [pipeline] section; did you mean 'name'? (\`reportpipe plugins\` lists the options)" \
	"json, config error: level error, pipeline and where null, the message"

# Hostile text: quotes, a backslash, a continuation line (newline), tab and
# control characters, Japanese and an invalid UTF-8 byte in a value that
# the error quotes; then the same in a path named at run time.
printf '[source.local]\nplugin = csv_file\npath = x.csv\naccount_id = a"b\\c\t\001\033[31m \346\227\245\346\234\254 \377 }\n  second line\n[format.csv]\nplugin = csv\n[sink.s]\nplugin = file\ninput = csv\npath = ../o/{ext}\n' >"$t/etc/hostile.ini"
rp check --log-format json -c "$t/etc/hostile.ini"
rc_is 2 "hostile value: exit 2"
jsonl "$work/err" >"$work/lines"
unlike "$work/lines" "FAIL" "hostile value: still one valid JSON object"
"$py" -c 'import json,sys; m=json.loads(open(sys.argv[1],"rb").read())["message"]; sys.exit(0 if "a\"b\\c\t\x01\x1b[31m \u65e5\u672c \ufffd }\nsecond line" in m else 1)' "$work/err"
ok '[ $? -eq 0 ]' "hostile value: the text survives, invalid UTF-8 as U+FFFD"
is "$(wc -l <"$work/err" | tr -d ' ')" 1 "hostile value: the newline is escaped, one line"

mkdir "$t/etc/q\"uo\\te"
printf '[pipeline]\nname = p"n\n[source.local]\nplugin = csv_file\npath = q"uo\\te/\346\227\245\001\377.csv\n[format.csv]\nplugin = csv\n[sink.s]\nplugin = file\ninput = csv\npath = ../o/{ext}\n' >"$t/etc/hostile2.ini"
rp run --log-format json -c "$t/etc/hostile2.ini"
rc_is 3 "hostile path at run time: exit 3"
jsonl "$work/err" >"$work/lines"
unlike "$work/lines" "FAIL" "hostile path at run time: valid JSON lines"
like "$work/lines" "error|p\"n|source.local|cannot open $t/etc/q\"uo\\te/日" "hostile path at run time: pipeline, where and the path kept"

# ---- log = syslog
sock=$work/syslog.sock
# listen: collect the datagrams on $sock into $work/syslog until "STOP".
listen() {
	rm -f "$sock" "$work/syslog"
	"$py" - "$sock" "$work/syslog" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], 'wb') as out:
    while True:
        d = s.recv(65536)
        if d == b'STOP':
            break
        out.write(d + b'\n')
PY
	listener=$!
	i=0
	while ! [ -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
stop() {
	"$py" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"STOP", sys.argv[1])' "$sock"
	wait "$listener"
}

sed 's/^name = demo$/name = demo\nlog = syslog\nlog_facility = local3/' "$ini" >"$t/etc/sys.ini"
listen
RP_SYSLOG_SOCKET=$sock rp run -v -c "$t/etc/sys.ini"
stop
rc_is 0 "syslog: exit 0"
ok '! [ -s "$work/err" ]' "syslog: nothing on stderr"
ok 'grep -Eq "^<158>[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] demo\[[0-9]+\]: source\.local: 11 rows for account 123456789012" "$work/syslog"' \
	"syslog: <local3.info>, RFC 3164 stamp, ident demo[pid], where and message"
is "$(grep -c '^<158>.* demo\[[0-9]*\]: sink\.archive: ' "$work/syslog")" 3 "syslog: the sink's three lines"
pid=$(sed -n '1s/.* demo\[\([0-9]*\)\]: .*/\1/p' "$work/syslog")
is "$(grep -vc " demo\[$pid\]: " "$work/syslog")" 0 "syslog: one pid for every line"

# An error: severity err (3) with the default facility, user (1): <11>.
echo "edited by hand" >"$t/out/20261130_123456789012_iam_credential_report_raw.csv"
sed 's/^name = demo$/name = demo\nlog = syslog/' "$ini" >"$t/etc/sys.ini"
listen
RP_SYSLOG_SOCKET=$sock rp run -c "$t/etc/sys.ini"
stop
rc_is 1 "syslog, a failed delivery: exit 1"
ok 'grep -Eq "^<11>.* demo\[[0-9]+\]: sink\.archive: .*exists with different content" "$work/syslog"' \
	"syslog, a failed delivery: <user.err> with the sink's error"
ok 'grep -Eq "^<12>.* demo\[[0-9]+\]: sink\.archive: kept in .*/spool/" "$work/syslog"' \
	"syslog, a failed delivery: the spool's note is <user.warning>"
ok '! grep -q "^<1[45]>" "$work/syslog"' "syslog, default level: no info or debug"
ok '! [ -s "$work/err" ]' "syslog, a failed delivery: nothing on stderr"

# --log-format json with syslog: the JSON object is the message.
listen
RP_SYSLOG_SOCKET=$sock rp run --log-format json -c "$t/etc/sys.ini"
stop
sed -n 's/^<11>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* demo\[[0-9]*\]: //p' "$work/syslog" >"$work/json"
jsonl "$work/json" >"$work/lines"
unlike "$work/lines" "FAIL" "syslog + json: the message is the JSON object"
like "$work/lines" "error|demo|sink.archive|" "syslog + json: level, pipeline and where"

# check keeps stderr: it is someone at a terminal.
listen
RP_SYSLOG_SOCKET=$sock rp check -c "$t/etc/sys.ini"
stop
rc_is 0 "syslog, check: exit 0"
ok '! [ -s "$work/syslog" ]' "syslog, check: nothing sent"

# No daemon: one warning, then the messages on stderr; nothing is lost.
RP_SYSLOG_SOCKET=$work/nobody rp run -c "$t/etc/sys.ini"
rc_is 1 "syslog unreachable: exit 1 (the delivery failure)"
like "$work/err" "reportpipe: warning: syslog: cannot send to $work/nobody (No such file or directory); logging to stderr" \
	"syslog unreachable: says so once"
like "$work/err" "reportpipe: error: sink.archive: " "syslog unreachable: the error is on stderr"
is "$(grep -c 'syslog: cannot send' "$work/err")" 1 "syslog unreachable: the warning once only"

# A name that is not a tag cannot forge another one.
sed 's/^name = demo$/name = a b: c[1]\nlog = syslog/' "$ini" >"$t/etc/sys.ini"
listen
RP_SYSLOG_SOCKET=$sock rp run -c "$t/etc/sys.ini"
stop
ok 'grep -q "^<11>.* a_b__c_1_\[[0-9]*\]: sink\.archive: " "$work/syslog"' "syslog: the ident is the name with non-tag characters as _"

# ---- the option itself
sed 's/^name = demo$/name = demo\nlog = sylsog/' "$ini" >"$t/etc/sys.ini"
rp check -c "$t/etc/sys.ini"
rc_is 2 "log = sylsog: exit 2"
like "$work/err" "[pipeline] log: 'sylsog' is not one of stderr|syslog; did you mean 'syslog'?" \
	"log = sylsog: names the key and the choices"
sed 's/^name = demo$/name = demo\nlog = syslog\nlog_facility = local8/' "$ini" >"$t/etc/sys.ini"
rp check -c "$t/etc/sys.ini"
rc_is 2 "log_facility = local8: exit 2"
like "$work/err" "[pipeline] log_facility: 'local8' is not one of user|daemon|auth|local0" \
	"log_facility = local8: names the key and the choices"

done_testing
