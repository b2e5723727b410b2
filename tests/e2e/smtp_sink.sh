#!/bin/sh
# smtp_sink.sh - the smtp sink against a local aiosmtpd server
# (tests/fakes/smtp_server.py) with a throwaway CA made here: STARTTLS and
# implicit TLS with AUTH, the message intact (Japanese subject, bcc only in
# the envelope, the attachment byte for byte), verification always on, the
# password never shown, refusals spooled and delivered by the next run.
. "$top_srcdir/tests/e2e/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	echo "Bail out! /usr/bin/python3 with aiosmtpd is needed (apt-get install python3-aiosmtpd)"
	exit 1
fi
if ! command -v openssl >/dev/null; then
	echo "Bail out! the openssl command is needed (apt-get install openssl)"
	exit 1
fi

plan 68

# ---- a throwaway CA and a certificate for 127.0.0.1 signed by it
pki=$work/pki
mkdir "$pki"
(
	cd "$pki" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=reportpipe smtp test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
		printf '%s\n' 'subjectAltName=IP:127.0.0.1' \
			'basicConstraints=critical,CA:FALSE' \
			'keyUsage=critical,digitalSignature' \
			'extendedKeyUsage=serverAuth' >server.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out server.pem -days 2 -extfile server.ext
) >"$work/openssl.log" 2>&1 || {
	echo "Bail out! cannot make the test certificates"
	sed 's/^/# /' "$work/openssl.log"
	exit 1
}

# ---- the servers: submission (STARTTLS), smtps, and one without TLS
user=reporter
good_pw='Tr0ub4dor-smtp-7731'
bad_pw='wrong-horse-battery-5519'
SMTP_SERVER_PASSWORD=$good_pw
export SMTP_SERVER_PASSWORD

pids=
stop_servers() {
	for _p in $pids; do kill "$_p" 2>/dev/null; done
	for _p in $pids; do wait "$_p" 2>/dev/null; done
	pids=
}
trap 'stop_servers; rm -rf "$work"' EXIT

# start_server NAME TLS [USER]: sets ${NAME}_port; saves into $work/NAME/
start_server() {
	mkdir -p "$work/$1/saved"
	"$PY" "$top_srcdir/tests/fakes/smtp_server.py" \
		--port-file "$work/$1/port" --spool "$work/$1/saved" \
		--control "$work/$1/control" --tls "$2" \
		--cert "$pki/server.pem" --key "$pki/server.key" \
		${3:+--user "$3"} --max-seconds 600 2>"$work/$1/log" &
	pids="$pids $!"
	_i=0
	while ! [ -s "$work/$1/port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ] || ! kill -0 "$!" 2>/dev/null; then
			echo "Bail out! the $1 SMTP server did not start"
			sed 's/^/# /' "$work/$1/log"
			exit 1
		fi
		sleep 0.1
	done
	eval "${1}_port=\$(cat \"\$work/\$1/port\")"
}
start_server submission starttls "$user"
start_server implicit smtps "$user"
start_server plain none
saved() { ls "$work/$1/saved" | grep -c '\.eml$'; }

t=$work/tree
demo_tree "$t"
cp "$pki/ca.pem" "$t/etc/ca.pem"
p=$t/etc/p.ini
spool=$t/state/spool
entries() { ls "$spool" 2>/dev/null | grep -c .; }

# pipeline URL [MAIL SINK LINES...]: a file sink and the smtp sink, both
# on the same CSV; the smtp sink's login and TLS lines come as arguments.
pipeline() {
	_url=$1
	shift
	{
		printf '%s\n' '[pipeline]' 'name = weekly' 'state_dir = ../state' \
			'timezone = Asia/Tokyo' \
			'[source.local]' 'plugin = csv_file' \
			'path = sample-credential-report.csv' \
			'generated_time = 2026-11-30T06:00:00+00:00' \
			'[format.csv]' 'plugin = csv' 'excel = true' \
			'[sink.copy]' 'plugin = file' 'input = csv' \
			'path = ../out/{format}.{ext}' 'overwrite = true' \
			'[sink.mail]' 'plugin = smtp' 'input = csv' "url = $_url" \
			'from = 監査チーム <audit@example.co.jp>' \
			'to = manager@example.co.jp' 'cc = cc@example.co.jp' \
			'bcc = hidden@example.co.jp' \
			'subject = IAM認証情報レポート {account_id} {date}'
		printf '%s\n' "$@"
	} >"$p"
}
fresh() { rm -rf "$t/state" "$t/out"; }

# check_message SERVER N: the saved message N, checked with Python's
# email package; one TAP line per check, prefixed with $1.
check_message() {
	"$PY" - "$work/$1/saved/$(printf %04d "$2")" "$t/out/csv.csv" <<'PY' >"$work/checks"
import email, email.policy, json, sys
base, csv_path = sys.argv[1], sys.argv[2]
raw = open(base + ".eml", "rb").read()
env = json.load(open(base + ".json"))
msg = email.message_from_bytes(raw, policy=email.policy.default)
header_text = raw.split(b"\r\n\r\n", 1)[0]
atts = [p for p in msg.iter_attachments()]
csv = open(csv_path, "rb").read()
checks = [
    ("the message parses, with CRLF line ends", msg.defects == [] and b"\r\n" in raw),
    ("its Subject decodes to the Japanese subject", str(msg["Subject"]) == "IAM認証情報レポート 123456789012 2026-11-30"),
    ("the envelope sender is the From address", env["mail_from"] == "audit@example.co.jp"),
    ("the envelope names to, cc and bcc", sorted(env["rcpt_tos"]) == ["cc@example.co.jp", "hidden@example.co.jp", "manager@example.co.jp"]),
    ("no header names the bcc address", b"hidden@" not in header_text and all("hidden@" not in str(v) for v in msg.values())),
    ("one attachment whose bytes equal the file sink's CSV", len(atts) == 1 and atts[0].get_payload(decode=True) == csv),
    ("it came over TLS, logged in as the user", env["tls"] is True and env["auth_login"] == "reporter"),
]
for what, good in checks:
    print(("ok" if good else "not ok"), "-", what)
if not all(g for _, g in checks):
    print("# envelope:", json.dumps(env))
    print("# headers:", header_text.decode("utf-8", "replace").replace("\r\n", " | ")[:1500])
PY
	while IFS= read -r _line; do
		case $_line in
		"ok - "*) ok true "$3${_line#ok - }" ;;
		"not ok - "*) ok false "$3${_line#not ok - }" ;;
		*) diag "$_line" ;;
		esac
	done <"$work/checks"
}

sub=smtp://127.0.0.1:$submission_port

# ---- 1. STARTTLS with ca_file and the password from the environment
SMTP_PASSWORD=$good_pw
export SMTP_PASSWORD
fresh
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password = ${SMTP_PASSWORD}'
rp run -c "$p"
rc_is 0 "STARTTLS, ca_file, password from \${SMTP_PASSWORD}: delivered"
is "$(saved submission)" 1 "the server saved one message"
check_message submission 1 "STARTTLS: "

# the same, with -vv: the protocol trace shows, the login does not
plain_b64=$(printf '\0%s\0%s' "$user" "$good_pw" | base64 -w0)
pw_b64=$(printf '%s' "$good_pw" | base64 -w0)
fresh
rp run -c "$p" -vv
rc_is 0 "with -vv: delivered"
like "$work/err" "C: AUTH " "with -vv: the SMTP exchange is traced"
like "$work/err" "(credentials hidden)" "with -vv: the AUTH line is blanked"
ok '! grep -F -e "$good_pw" -e "$plain_b64" -e "$pw_b64" "$work/err" >/dev/null' \
	"with -vv: neither the password nor its base64 appears"
unlike "$work/err" "Message-ID" "with -vv: the message itself is not traced"

# ---- 1b. password_file (0600), and implicit TLS
printf '%s\n' "$good_pw" >"$t/etc/smtp.pw"
chmod 600 "$t/etc/smtp.pw"
fresh
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password_file = smtp.pw'
rp run -c "$p"
rc_is 0 "password_file with mode 0600: delivered"
is "$(saved submission)" 3 "the server saved it"

fresh
pipeline "smtps://127.0.0.1:$implicit_port" 'ca_file = ca.pem' \
	"username = $user" 'password_file = smtp.pw'
rp run -c "$p"
rc_is 0 "smtps:// (implicit TLS): delivered"
check_message implicit 1 "smtps: "

# ---- --dry-run previews the mail and sends nothing
fresh
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password_file = smtp.pw'
rp run -c "$p" --dry-run
rc_is 0 "--dry-run"
like "$work/out" "sink.mail would deliver format.csv (text/csv" "--dry-run: names the sink and format"
like "$work/out" "mail to manager@example.co.jp, cc cc@example.co.jp, bcc hidden@example.co.jp via $sub, attached as 20261130_123456789012_iam_credential_report_csv.csv" \
	"--dry-run: recipients, server and attachment name"
is "$(saved submission)" 3 "--dry-run: nothing was sent"

# ---- 2. verification is on: without ca_file the private CA is unknown
fresh
pipeline "$sub" "username = $user" 'password_file = smtp.pw'
rp run -c "$p"
rc_is 1 "without ca_file: not delivered (exit 1)"
like "$work/err" "sink.mail: not delivered for source.local (account 123456789012): $sub: cannot verify the server's TLS certificate" \
	"without ca_file: the message says the certificate could not be verified"
like "$work/err" "name that CA's PEM file in ca_file" "without ca_file: and what to do"
is "$(saved submission)" 3 "without ca_file: nothing was sent"

# ---- 3. a wrong password: 535, and the password is never shown
SMTP_PASSWORD=$bad_pw
bad_plain_b64=$(printf '\0%s\0%s' "$user" "$bad_pw" | base64 -w0)
bad_b64=$(printf '%s' "$bad_pw" | base64 -w0)
fresh
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password = ${SMTP_PASSWORD}'
rp run -c "$p"
rc_is 1 "wrong password: exit 1"
like "$work/err" "$sub: the server refused the login of user 'reporter': 535 5.7.8" \
	"wrong password: the message quotes the 535 reply"
unlike "$work/err" "$bad_pw" "wrong password: the password is not in stderr"
fresh
rp run -c "$p" -vv
rc_is 1 "wrong password with -vv: exit 1"
ok '! grep -F -e "$bad_pw" -e "$bad_plain_b64" -e "$bad_b64" "$work/err" >/dev/null' \
	"wrong password with -vv: neither the password nor its base64 appears"
SMTP_PASSWORD=$good_pw

# ---- 4. a password_file others can read is refused at check time
chmod 644 "$t/etc/smtp.pw"
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password_file = smtp.pw'
rp check -c "$p"
rc_is 2 "password_file with mode 0644: refused at check time (exit 2)"
like "$work/err" "password_file: $t/etc/smtp.pw can be read by others (mode 0644); run chmod 600" \
	"mode 0644: the message says to chmod 600"
chmod 600 "$t/etc/smtp.pw"

# ---- 5. header injection through ${ENV} is refused at check time
SUBJECT_EVIL=$(printf 'Report\nBcc: victim@example.com')
export SUBJECT_EVIL
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password_file = smtp.pw'
sed -i 's/^subject = .*/subject = ${SUBJECT_EVIL}/' "$p"
rp check -c "$p"
rc_is 2 "a subject with a line break: refused at check time (exit 2)"
like "$work/err" "subject" "the message names subject"

# ---- other settings refused at check time
pipeline "http://127.0.0.1:$submission_port"
rp check -c "$p"
rc_is 2 "an http:// url: exit 2"
like "$work/err" "url: 'http://127.0.0.1:$submission_port' is not an SMTP URL; write smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)" \
	"an http:// url: says which URLs work"
pipeline "$sub" "username = $user" 'password = x' 'password_file = smtp.pw'
rp check -c "$p"
rc_is 2 "password and password_file together: exit 2"
pipeline "$sub" 'password = ${SMTP_PASSWORD}'
rp check -c "$p"
rc_is 2 "a password without username: exit 2"
like "$work/err" "password: a password needs a username" "a password without username: says so"
pipeline "$sub" "username = $user"
rp check -c "$p"
rc_is 2 "a username without a password: exit 2"
like "$work/err" "username: needs a password" "a username without a password: says so"

# ---- 6. refusals are spooled; the file sink delivers regardless
base=$(saved submission)
echo 'refuse_rcpt hidden@example.co.jp' >"$work/submission/control"
fresh
pipeline "$sub" 'ca_file = ca.pem' "username = $user" 'password_file = smtp.pw'
rp run -c "$p"
rc_is 1 "a refused recipient: exit 1"
like "$work/err" "$sub: the server refused the recipient <hidden@example.co.jp>: 550 5.1.1" \
	"a refused recipient: the message quotes the 550 reply"
ok '[ -f "$t/out/csv.csv" ]' "a refused recipient: the file sink delivered"
is "$(entries)" 1 "a refused recipient: one spool entry"
is "$(ls "$spool"/*/pending 2>/dev/null)" mail "the entry waits for the mail sink only"
echo 'refuse_data' >"$work/submission/control"
rp run -c "$p"
rc_is 1 "a refused message: exit 1"
like "$work/err" "$sub: the server refused the message: 550 5.7.1" \
	"a refused message: the message quotes the 550 reply"
is "$(entries)" 2 "a refused message: a second spool entry"
: >"$work/submission/control"
rp run -c "$p"
rc_is 0 "the server accepts again: exit 0"
is "$(($(saved submission) - base))" 3 "both spooled messages and this run's were delivered"
is "$(entries)" 0 "the spool is empty"

# ---- 7. starttls = optional against a server without TLS
fresh
pipeline "smtp://127.0.0.1:$plain_port"
rp run -c "$p"
rc_is 1 "no STARTTLS offered, starttls = required (default): exit 1"
like "$work/err" "starttls = required" "the message names the setting"
is "$(saved plain)" 0 "and nothing was sent in clear text"
fresh
pipeline "smtp://127.0.0.1:$plain_port" 'starttls = optional'
rp run -c "$p"
rc_is 0 "starttls = optional: delivered without TLS"
is "$(saved plain)" 1 "the server saved it"
pipeline 'smtp://mail.example.com:587' 'starttls = optional' "username = $user" \
	'password_file = smtp.pw'
rp check -c "$p"
rc_is 2 "starttls = optional with a login to a non-loopback server: exit 2"
like "$work/err" "the password could cross the network in clear text" \
	"and the message says why"

# ---- a server that never answers: the timeout ends the wait
"$PY" -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
' "$work/silent.port" &
pids="$pids $!"
i=0
while ! [ -s "$work/silent.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fresh
pipeline "smtp://127.0.0.1:$(cat "$work/silent.port")" 'ca_file = ca.pem' 'timeout = 1s'
rp run -c "$p"
rc_is 1 "a server that never answers: exit 1 after the timeout"
like "$work/err" "not done within timeout = 1s" "the message names the timeout"

done_testing
