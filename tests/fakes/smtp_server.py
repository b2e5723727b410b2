#!/usr/bin/python3
"""smtp_server.py - a local SMTP submission server for the smtp sink's
end-to-end test, built on aiosmtpd (Debian: python3-aiosmtpd).

It listens on 127.0.0.1 (a free port, written to --port-file), speaks
STARTTLS (required), implicit TLS or no TLS, checks AUTH PLAIN/LOGIN
against one user whose password comes from the environment variable
SMTP_SERVER_PASSWORD, and saves each accepted message into --spool as
NNNN.eml (the raw bytes) and NNNN.json (envelope sender, recipients, the
login and mechanism used, whether TLS was on).

The --control file, read at every transaction, makes it refuse:
  refuse_rcpt ADDR   RCPT TO:<ADDR> gets 550
  refuse_data        the message gets 550 after DATA
An absent or empty file accepts everything.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def read_control(path):
    rules = {"refuse_rcpt": set(), "refuse_data": False}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                words = line.split()
                if not words:
                    continue
                if words[0] == "refuse_rcpt" and len(words) == 2:
                    rules["refuse_rcpt"].add(words[1].lower())
                elif words[0] == "refuse_data":
                    rules["refuse_data"] = True
    except FileNotFoundError:
        pass
    return rules


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, spool, control):
        self.spool = spool
        self.control = control
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in read_control(self.control)["refuse_rcpt"]:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if read_control(self.control)["refuse_data"]:
            return "550 5.7.1 Message rejected by the test's policy"
        self.count += 1
        base = os.path.join(self.spool, "%04d" % self.count)
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_login": login,
            "auth_mechanism": getattr(session, "test_mechanism", None),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
        }
        write_atomically(base + ".eml", envelope.content)
        write_atomically(base + ".json", json.dumps(record).encode())
        return "250 2.0.0 Ok: queued as %04d" % self.count


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (isinstance(auth_data, LoginPassword)
                and auth_data.login == user.encode()
                and auth_data.password == password.encode())
        if good:
            session.test_mechanism = mechanism
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=good, handled=False,
                          auth_data=auth_data if good else None)
    return authenticate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--spool", required=True)
    ap.add_argument("--control", required=True)
    ap.add_argument("--tls", choices=["starttls", "smtps", "none"], default="starttls")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", help="require AUTH as this user (password: $SMTP_SERVER_PASSWORD)")
    ap.add_argument("--max-seconds", type=float, default=300)
    args = ap.parse_args()

    # aiosmtpd warns when AUTH is allowed without STARTTLS; with implicit
    # TLS the whole connection is encrypted, so that warning is noise.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    os.makedirs(args.spool, exist_ok=True)
    ctx = None
    if args.tls != "none":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    handler = Handler(args.spool, args.control)
    kw = {"hostname": "smtp.test", "ident": "reportpipe test SMTP"}
    if args.user:
        kw["authenticator"] = make_authenticator(args.user, os.environ["SMTP_SERVER_PASSWORD"])
        kw["auth_required"] = True
    if args.tls == "starttls":
        kw["tls_context"] = ctx
        kw["require_starttls"] = True
    else:
        # smtps: encrypted from the first byte; none: the test wants clear text.
        kw["auth_require_tls"] = False

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **kw), host="127.0.0.1", port=0,
        ssl=ctx if args.tls == "smtps" else None))
    port = server.sockets[0].getsockname()[1]
    write_atomically(args.port_file, b"%d\n" % port)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.call_later(args.max_seconds, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
