#!/bin/sh
# sdk.sh - the plugin SDK from the outside: reportpipe's header and .pc are
# installed into a temporary DESTDIR, examples/sink_webhook is built there
# with pkg-config alone, and the build tree's reportpipe loads it and posts
# to a local HTTP server that records what it got.  A refused post (HTTP
# 500) fails the run and keeps the report in the spool for the webhook.
. "$top_srcdir/tests/e2e/lib.sh"

plan 22

dest=$work/dest
ex=$work/sink_webhook
srv_pid=
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"' EXIT

# 1. Install only what a plugin author needs, then build against it.
make -s -C "$top_builddir" install-pkgincludeHEADERS install-pkgconfigDATA \
	DESTDIR="$dest" >"$work/install.log" 2>&1
st=$?
ok '[ "$st" -eq 0 ]' "the header and reportpipe.pc install into DESTDIR" ||
	diag "$(sed 20q "$work/install.log")"
pc=$(find "$dest" -name reportpipe.pc | sed 1q)
ok '[ -n "$pc" ] && [ -n "$(find "$dest" -path "*/reportpipe/plugin.h")" ]' \
	"DESTDIR holds reportpipe/plugin.h and reportpipe.pc"
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
like "$(pkg-config --cflags reportpipe 2>&1)" "-I$dest/" \
	"pkg-config points the include path into DESTDIR"
# plugindir is where the engine looks on its own (pkglibdir), as its help says.
plugindir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=plugindir reportpipe 2>&1)
rp --help
like "$(tr '\n' ' ' <"$work/out")" "before $plugindir)" \
	"reportpipe.pc's plugindir is the engine's built-in plugin directory"

cp -R "$top_srcdir/examples/sink_webhook" "$ex" && chmod -R u+w "$ex"
# The commands must be echoed, even under "make -s check".
env -u MAKEFLAGS -u MFLAGS make -C "$ex" >"$work/build.log" 2>&1
st=$?
ok '[ "$st" -eq 0 ] && [ -f "$ex/webhook.so" ]' "the example builds with pkg-config alone" ||
	diag "$(sed 30q "$work/build.log")"
like "$work/build.log" "-I$dest/" "and compiles against the installed header"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

REPORTPIPE_PLUGIN_PATH=$ex rp plugins webhook
rc_is 0 "reportpipe plugins webhook loads it"
ok 'grep -q "^  url  *string, required" "$work/out" && grep -q "^  link .*template" "$work/out"' \
	"and lists its options" || diag "$(cat "$work/out")"

# 2. A local webhook: records each request (headers and body) and answers
# with the status in $work/answer.
cat >"$work/server.py" <<'EOF'
import http.server, json, sys
work = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(work + "/requests.jsonl", "a") as f:
            f.write(json.dumps({"path": self.path,
                                "content_type": self.headers.get("Content-Type"),
                                "body": body.decode("utf-8")}) + "\n")
        try:
            status = int(open(work + "/answer").read())
        except OSError:
            status = 200
        reply = b"ok" if status == 200 else b"internal_error"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(work + "/port.tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(work + "/port.tmp", work + "/port")
s.serve_forever()
EOF
/usr/bin/python3 "$work/server.py" "$work" &
srv_pid=$!
i=0
while ! [ -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$work/port" 2>/dev/null)
[ -n "$port" ] || { echo "Bail out! the local webhook server did not start"; exit 1; }

t=$work/tree
demo_tree "$t"
p=$t/etc/sdk.ini
printf '%s\n' '[pipeline]' 'name = sdk' 'state_dir = ../state' \
	"plugin_path = $ex" \
	'[source.local]' 'plugin = csv_file' 'path = sample-credential-report.csv' \
	'generated_time = 2026-11-30T06:00:00+00:00' \
	'[format.csv]' 'plugin = csv' \
	'[sink.chat]' 'plugin = webhook' 'input = csv' 'url = ${SDK_WEBHOOK_URL}' \
	'link = https://reports.example.com/{date:%Y%m%d}_{account_id}.{ext}' >"$p"
SDK_WEBHOOK_URL=http://127.0.0.1:$port/services/T000/B000/s3cr3t-token
export SDK_WEBHOOK_URL

rp check -c "$p"
rc_is 0 "check accepts the pipeline with the out-of-tree sink"
unlike "$work/out" "s3cr3t-token" "check does not print the secret url"

# 3. Delivered: one POST of {"text": ...} as application/json.
rp run -c "$p"
rc_is 0 "the run posts to the webhook"
is "$(wc -l <"$work/requests.jsonl" 2>/dev/null)" 1 "the server got one request"
j=$work/requests.jsonl
field() { /usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$j" "$1"; }
like "$(field content_type)" "application/json" "its Content-Type is application/json"
text=$(/usr/bin/python3 -c '
import json, sys
m = json.loads(json.loads(open(sys.argv[1]).readline())["body"])
assert set(m) == {"text"}, m
print(m["text"])' "$j" 2>&1)
st=$?
ok '[ "$st" -eq 0 ]' 'the body is JSON with one key, "text"' || diag "$text"
like "$text" "account 123456789012, generated 2026-11-30 06:00 UTC" "the text names the account and when the report was generated"
like "$text" "10 users, 7 active access keys, 3 console users without MFA: bob.dev, -temp-user, dave.contractor" \
	"the text counts users, active keys and console users without MFA"
like "$text" "Report: https://reports.example.com/20261130_123456789012.csv" "the link template is expanded"

# 4. Refused: exit 1, nothing lost, and the secret stays out of the logs.
echo 500 >"$work/answer"
rp run -c "$p"
rc_is 1 "a webhook answering HTTP 500 makes the run exit 1"
e=$(ls -d "$t/state/spool"/* 2>/dev/null | sed 1q)
ok '[ -n "$e" ] && [ "$(ls "$e/pending" 2>/dev/null)" = chat ]' \
	"the report is spooled, pending for the webhook sink" ||
	diag "spool: $(ls -R "$t/state/spool" 2>&1)"
ok 'grep -F "HTTP 500" "$work/err" >/dev/null && ! grep -F "s3cr3t-token" "$work/err" >/dev/null' \
	"the error names the status but not the secret url" || diag "$(cat "$work/err")"

# 5. Back up: retry delivers the spooled report.
rm -f "$work/answer"
rp retry -c "$p"
rc_is 0 "once the webhook accepts, retry delivers the spooled report"
is "$(ls "$t/state/spool" 2>/dev/null | grep -c .)" 0 "and the spool is empty"

done_testing
