#!/usr/bin/python3
"""check_mime.py - reads the golden weekly report mail with Python's own
email package, an independent MIME parser, and prints TAP lines saying it
finds what reportpipe's builder (core/mime.c) meant to send.

Usage: check_mime.py tests/golden/mime/weekly.eml

The inputs below are the ones tests/unit/test_mime.c builds the golden
file from: change both together.  Standard library only; the exit status
is 0 when every check passed.
"""
import datetime
import email
import email.policy
import re
import sys

SUBJECT = "IAM認証情報レポート 123456789012 2026-11-30 週次の監査用"
FROM = ("情報セキュリティ監査室", "iam-audit@example.co.jp")
TO = [("山田 太郎", "taro.yamada@example.co.jp"),
      ("", "audit-archive@example.co.jp")]
CC = [("Security, Team", "security@example.com")]
BCC = "hidden-bcc@example.net"
REPLY_TO = [("監査窓口", "audit-desk@example.co.jp")]
DATE = datetime.datetime(2026, 11, 30, 6, 0, 0, tzinfo=datetime.timezone.utc)

TEXT = (
    "IAM認証情報レポート（週次）\n"
    "アカウント: 123456789012\n"
    "生成日時: 2026-11-30 06:00 UTC\n"
    "\n"
    "ユーザー数: 3\n"
    "MFA未設定: 1 (alice)\n"
    "\n"
    "添付ファイル:\n"
    "- 20261130_123456789012_iam_credential_report.csv (AWSの原本)\n"
    "- IAMユーザー管理簿.csv (Excel用)\n"
    "\n"
    "このメールは reportpipe が自動送信しています。\n"
)

HTML = (
    "<!DOCTYPE html>\n"
    "<html lang=\"ja\"><head><meta charset=\"utf-8\">"
    "<title>IAM認証情報レポート</title>\n"
    "<style>table { border-collapse: collapse } td, th { padding: 2px 6px }</style>\n"
    "</head>\n"
    "<body>\n"
    "<h1>IAM認証情報レポート（週次）</h1>\n"
    "<p>アカウント 123456789012 &#8212; 生成日時 2026-11-30 06:00 UTC</p>\n"
    "<table>\n"
    "  <tr><th>ユーザー</th><th>MFA</th><th>最終ログイン</th></tr>\n"
    "  <tr><td>&lt;root_account&gt;</td><td>true</td><td>2026-11-02</td></tr>\n"
    "  <tr><td>alice</td><td><b>false</b></td><td>2026-11-29</td></tr>\n"
    "  <tr><td>yamada.taro</td><td>false</td><td></td></tr>\n"
    "</table>\n"
    "<p>MFA未設定: 1 &amp; 未使用キー: 0<br>\n"
    "質問は &quot;監査窓口&quot; へ &#x2713;</p>\n"
    "<script>document.write('not text')</script>\n"
    "</body></html>\n"
)

ATTACHMENTS = [
    ("20261130_123456789012_iam_credential_report.csv",
     "user,arn,user_creation_time,password_enabled,password_last_used,"
     "mfa_active,access_key_1_active,access_key_1_last_used_date\n"
     "<root_account>,arn:aws:iam::123456789012:root,2020-01-15T09:00:00+00:00,"
     "not_supported,2026-11-02T01:12:00+00:00,true,false,N/A\n"
     "alice,arn:aws:iam::123456789012:user/alice,2023-04-01T00:00:00+00:00,"
     "true,2026-11-29T23:10:00+00:00,false,true,2026-11-29T22:00:00+00:00\n"
     "yamada.taro,arn:aws:iam::123456789012:user/yamada.taro,"
     "2024-07-10T00:00:00+00:00,false,N/A,false,true,2026-06-01T00:00:00+00:00\n"
     .encode("utf-8")),
    # Excel in Japan: a BOM and CRLF, which must arrive untouched.
    ("IAMユーザー管理簿.csv",
     "\ufeffユーザー,氏名,部署,MFA\r\n"
     "alice,アリス,情報システム部,未設定\r\n"
     "yamada.taro,山田 太郎,監査室,設定済み\r\n".encode("utf-8")),
]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, *diag):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc))
        if not cond:
            for line in diag:
                for part in str(line).splitlines() or [""]:
                    print("#   " + part)
        return cond

    def is_(self, got, want, desc):
        return self.ok(got == want, desc, "got:  %r" % (got,), "want: %r" % (want,))


def addresses(header):
    if header is None:
        return None
    return [(a.display_name, a.addr_spec) for a in header.addresses]


def crlf(text):
    """Text parts travel in canonical form: every line break CRLF."""
    return text.replace("\n", "\r\n")


def check(t, data):
    lines = data.split(b"\n")
    t.ok(data.endswith(b"\r\n") and all(l.endswith(b"\r") for l in lines[:-1])
         and b"\r" not in b"".join(l[:-1] for l in lines[:-1]),
         "every line ends in CRLF")
    t.ok(max(len(l) - 1 for l in lines[:-1]) <= 998, "no line is over 998 bytes")
    t.ok(BCC.encode() not in data, "the Bcc address is nowhere in the message")

    try:
        email.message_from_bytes(data, policy=email.policy.strict)
        strict = None
    except Exception as e:  # strict raises on the first defect
        strict = e
    t.ok(strict is None, "it parses under policy.strict (any defect raises)", repr(strict))

    msg = email.message_from_bytes(data, policy=email.policy.default)
    found = []
    for part in msg.walk():
        found += ["%s: %r" % (part.get_content_type(), d) for d in part.defects]
        for name, value in part.items():
            found += ["%s %s: %r" % (part.get_content_type(), name, d)
                      for d in getattr(value, "defects", ())]
    t.ok(not found, "no defects on the message, its parts or their headers", *found)

    t.is_(str(msg["Subject"]), SUBJECT, "the Subject decodes to the Japanese original")
    t.is_(addresses(msg["From"]), [FROM], "From's display name decodes to the Japanese name")
    t.is_(addresses(msg["To"]), TO, "To holds both recipients, the first one named")
    t.is_(addresses(msg["Cc"]), CC, "Cc holds the quoted ASCII name with its comma")
    t.is_(addresses(msg["Reply-To"]), REPLY_TO, "Reply-To decodes to the Japanese name")
    t.ok("Bcc" not in msg, "there is no Bcc header")
    t.is_(msg["Date"].datetime if msg["Date"] else None, DATE, "Date is the build's date")
    t.is_(str(msg["MIME-Version"]), "1.0", "MIME-Version is 1.0")
    t.ok(re.fullmatch(r"<[0-9a-f]{32}@example\.co\.jp>", str(msg["Message-ID"]) or ""),
         "Message-ID is <random@the From domain>", str(msg["Message-ID"]))

    t.is_(msg.get_content_type(), "multipart/mixed", "the message is multipart/mixed")
    parts = msg.get_payload() if msg.is_multipart() else []
    t.is_([p.get_content_type() for p in parts],
          ["multipart/alternative", "text/csv", "text/csv"],
          "... of an alternative and two CSV attachments")
    alt = parts[0].get_payload() if parts and parts[0].is_multipart() else []
    t.is_([p.get_content_type() for p in alt], ["text/plain", "text/html"],
          "the alternative is text/plain, then text/html")
    for p in alt:
        t.is_(p.get_content_charset(), "utf-8", "%s is declared UTF-8" % p.get_content_type())

    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    t.is_(plain.get_content() if plain else None, crlf(TEXT),
          "the text body decodes to the original (CRLF line ends)")
    t.is_(html.get_content() if html else None, crlf(HTML),
          "the HTML body decodes to the original (CRLF line ends)")

    got = list(msg.iter_attachments())
    t.is_(len(got), len(ATTACHMENTS), "a mail client sees two attachments")
    for part, (name, content) in zip(got, ATTACHMENTS):
        t.is_(part.get_content_disposition(), "attachment",
              "%s is an attachment" % name)
        t.is_(part.get_filename(), name, "filename decodes to %s" % name)
        t.is_(part["Content-Type"].params.get("name"), name,
              "the Content-Type name parameter says %s too" % name)
        t.is_(part.get_payload(decode=True), content,
              "%s arrives byte for byte (%d bytes)" % (name, len(content)))


def main(argv):
    t = Tap()
    if len(argv) != 2:
        print("usage: check_mime.py MESSAGE.eml", file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            data = f.read()
    except OSError as e:
        t.ok(False, "read %s" % argv[1], e)
    else:
        try:
            check(t, data)
        except Exception as e:  # a crash is a failure, not a stack trace
            t.ok(False, "the checks ran to the end", repr(e))
    print("1..%d" % t.n)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
