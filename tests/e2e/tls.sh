#!/bin/sh
# tls.sh - TLS to AWS endpoints is always verified: against an HTTPS
# server with a throwaway CA, the request fails without ca_file and goes
# through with it (ca_file adds to the system CAs); plain http to a
# remote host needs allow_http.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/fake.sh"

command -v openssl >/dev/null || { echo "Bail out! the openssl command is needed"; exit 1; }
cd "$work" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=reportpipe test CA" \
	-keyout ca.key -out ca.pem >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout server.key -out server.csr >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 2 -extfile san.ext -out server.pem >/dev/null 2>&1

# An HTTPS server that answers every request as IAM would a bad key.
cat >server.py <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b'<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>'
                b'<Message>reached over verified TLS</Message></Error><RequestId>tls-1</RequestId></ErrorResponse>')
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("server.pem", "server.key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open("port.tmp", "w").write(str(srv.server_address[1]))
import os; os.rename("port.tmp", "port")
srv.serve_forever()
PY
"$FAKE_PY" server.py 2>server.err &
srv=$!
trap 'kill $srv 2>/dev/null; fake_stop; rm -rf "$work"' EXIT
i=0
while ! [ -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
TLS_URL=https://127.0.0.1:$(cat port)
export TLS_URL
AWS_ACCESS_KEY_ID=AKIATLSTEST000000001 AWS_SECRET_ACCESS_KEY=tls-test-secret
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

pipeline() {
	cat >"$work/p.ini" <<INI
[source.iam]
plugin = iam_credential_report
endpoint_url = \${TLS_URL}
max_attempts = 1
$1
[format.csv]
plugin = csv
[sink.out]
plugin = file
input = csv
path = reports/{account_id}.csv
INI
}

pipeline ''
rp run -c "$work/p.ini"
rc_is 3 "an endpoint whose certificate no system CA signed is refused (exit 3)"
like "$work/err" "SSL certificate problem" "the message says the certificate could not be verified"
unlike "$work/err" "reached over verified TLS" "and the server was never spoken to"

pipeline "ca_file = $work/ca.pem"
rp run -c "$work/p.ini"
rc_is 3 "with ca_file the TLS handshake succeeds (the server then refuses the key)"
like "$work/err" "InvalidClientTokenId: reached over verified TLS" "the answer came over the verified connection"

pipeline "ca_file = $work/server.key"
rp run -c "$work/p.ini"
rc_is 3 "a ca_file with no certificate in it is an error"
like "$work/err" "holds no PEM certificate" "saying so"

done_testing
