#!/usr/bin/python3
"""A botocore client for fake_aws_selftest.sh, and nothing else.

It proves fake_aws.py speaks real AWS: requests are made and signed by
botocore itself (or, for the tampering and clock checks, signed by
botocore's SigV4Auth and then sent by hand), and answers are parsed by
botocore's own models.

Every subcommand prints one short, secret-free line on stdout and exits:
    0  success        "OK key=value ..."
    3  AWS error      "ERROR code=CODE status=STATUS"
    4  no answer      "CONNERR ExceptionClass"
    5  an answer botocore cannot parse (truncated or malformed)
                      "BADANSWER ExceptionClass"
Secrets returned by the fake (assumed-role, ECS and IMDS credentials) go
only to the --out file, as JSON {"AccessKeyId", "SecretAccessKey",
"SessionToken"} that --creds reads back.

Run with /usr/bin/python3 (Debian's python3-botocore).
"""

import argparse
import datetime
import http.client
import json
import sys
from urllib.parse import urlsplit

import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import (ClientError, ConnectionClosedError,
                                 EndpointConnectionError,
                                 MetadataRetrievalError, ReadTimeoutError)
from botocore.parsers import ResponseParserError
from botocore.utils import ContainerMetadataFetcher, InstanceMetadataFetcher

OK, AWS_ERROR, NO_ANSWER, BAD_ANSWER = 0, 3, 4, 5


def say(*words):
    print(" ".join(str(w) for w in words))
    sys.stdout.flush()


def write_creds(path, access_key, secret, token):
    with open(path, "w") as handle:
        json.dump({"AccessKeyId": access_key, "SecretAccessKey": secret,
                   "SessionToken": token}, handle)


def credentials(args):
    """(access key, secret, token) from --creds FILE or --key/--secret;
    with --creds, --token replaces the file's token and --no-token drops it."""
    if args.creds:
        with open(args.creds) as handle:
            data = json.load(handle)
        token = data.get("SessionToken")
        if args.no_token:
            token = None
        elif args.token is not None:
            token = args.token       # a deliberately wrong one
        return data["AccessKeyId"], data["SecretAccessKey"], token
    return args.key, args.secret, args.token


def client(args, service):
    access_key, secret, token = credentials(args)
    session = botocore.session.get_session()
    return session.create_client(
        service, endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id=access_key, aws_secret_access_key=secret,
        aws_session_token=token,
        # One attempt: every error the fake scripts must reach the test.
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=5, read_timeout=args.read_timeout))


# ---------------------------------------------------------------- AWS calls

def cmd_generate(args):
    result = client(args, "iam").generate_credential_report()
    say("OK", "State=%s" % result["State"])


def cmd_get(args):
    result = client(args, "iam").get_credential_report()
    with open(args.out, "wb") as handle:
        handle.write(result["Content"])     # botocore already base64-decoded
    say("OK", "ReportFormat=%s" % result["ReportFormat"],
        "GeneratedTime=%s" % result["GeneratedTime"].strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "bytes=%d" % len(result["Content"]))


def cmd_whoami(args):
    result = client(args, "sts").get_caller_identity()
    say("OK", "Arn=%s" % result["Arn"], "Account=%s" % result["Account"],
        "UserId=%s" % result["UserId"])


def cmd_assume(args):
    kwargs = {"RoleArn": args.role_arn, "RoleSessionName": args.session_name}
    if args.external_id is not None:
        kwargs["ExternalId"] = args.external_id
    if args.duration is not None:
        kwargs["DurationSeconds"] = args.duration
    result = client(args, "sts").assume_role(**kwargs)
    creds = result["Credentials"]
    write_creds(args.out, creds["AccessKeyId"], creds["SecretAccessKey"],
                creds["SessionToken"])
    say("OK", "AccessKeyId=%s" % creds["AccessKeyId"],
        "Arn=%s" % result["AssumedRoleUser"]["Arn"],
        "Expiration=%s" % creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"))


# ------------------------------------------- hand-sent, botocore-signed POST

def cmd_signed_post(args):
    """Sign a Query POST with botocore's SigV4Auth, optionally spoil it
    afterwards, and send it with http.client (no botocore on the wire)."""
    access_key, secret, token = credentials(args)
    body = args.body.encode()
    headers = {"Content-Type":
               "application/x-www-form-urlencoded; charset=utf-8"}
    if args.sign_user_agent:
        # botocore never signs User-Agent (SIGNED_HEADERS_BLACKLIST), but
        # AWS accepts it signed and a hand-written signer may well do so.
        botocore.auth.SIGNED_HEADERS_BLACKLIST[:] = []
        headers["User-Agent"] = "reportpipe-selftest/1.0  (two  spaces)"
    request = AWSRequest(method="POST", url=args.endpoint.rstrip("/") + "/",
                         data=body, headers=headers)
    signer = SigV4Auth(Credentials(
        access_key, secret, None if args.unsigned_token else token),
        args.service, args.region)
    if args.date_offset:
        # add_auth() always uses utcnow(); replay its steps with our time.
        when = datetime.datetime.utcnow() + datetime.timedelta(
            seconds=args.date_offset)
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        signer._modify_request_before_signing(request)
        canonical = signer.canonical_request(request)
        signature = signer.signature(
            signer.string_to_sign(request, canonical), request)
        signer._inject_signature_to_request(request, signature)
    else:
        signer.add_auth(request)
    if args.unsigned_token and token:
        # Signed without it, sent with it: AWS accepts that too.
        request.headers["X-Amz-Security-Token"] = token
    if args.tamper_byte is not None:
        # Same length, one byte different: only a real check can notice.
        i = args.tamper_byte % len(body)
        body = body[:i] + bytes([body[i] ^ 0x20]) + body[i + 1:]

    parts = urlsplit(args.endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {k: v for k, v in request.headers.items()}
    headers["Content-Length"] = str(len(body))
    conn.request("POST", "/", body=body, headers=headers)
    response = conn.getresponse()
    answer = response.read().decode("utf-8", "replace")
    if response.status == 200:
        say("OK", "status=200")
        return OK
    code = answer.split("<Code>")[1].split("</Code>")[0] \
        if "<Code>" in answer else "?"
    say("ERROR", "code=%s" % code, "status=%d" % response.status)
    return AWS_ERROR


# ------------------------------------------------- metadata endpoints

def cmd_imds(args):
    """botocore's own IMDSv2 client (token PUT, role list, credentials)."""
    fetcher = InstanceMetadataFetcher(timeout=5, num_attempts=1,
                                      base_url=args.base_url,
                                      env={"AWS_EC2_METADATA_DISABLED":
                                           "false"})
    creds = fetcher.retrieve_iam_role_credentials()
    if not creds:
        say("ERROR", "code=NoCredentials", "status=?")
        return AWS_ERROR
    write_creds(args.out, creds["access_key"], creds["secret_key"],
                creds["token"])
    say("OK", "role=%s" % creds["role_name"],
        "AccessKeyId=%s" % creds["access_key"],
        "Expiration=%s" % creds["expiry_time"])
    return OK


def cmd_ecs(args):
    """botocore's container credential fetcher (AWS_CONTAINER_*)."""
    fetcher = ContainerMetadataFetcher(sleep=lambda seconds: None)
    headers = {"Authorization": args.auth} if args.auth is not None else None
    try:
        creds = fetcher.retrieve_full_uri(args.url, headers=headers)
    except MetadataRetrievalError as err:
        status = str(err).split("(")[1].split(")")[0] \
            if "non 200 response (" in str(err) else "?"
        say("ERROR", "code=MetadataRetrievalError", "status=%s" % status)
        return AWS_ERROR
    write_creds(args.out, creds["AccessKeyId"], creds["SecretAccessKey"],
                creds["Token"])
    say("OK", "AccessKeyId=%s" % creds["AccessKeyId"],
        "RoleArn=%s" % creds.get("RoleArn"),
        "Expiration=%s" % creds["Expiration"])
    return OK


def cmd_raw(args):
    """One plain HTTP request; prints the status (for IMDS/ECS refusals)."""
    parts = urlsplit(args.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    target = parts.path + ("?" + parts.query if parts.query else "")
    conn.request(args.method, target or "/", headers=headers)
    response = conn.getresponse()
    response.read()
    say("OK" if response.status == 200 else "ERROR", "code=-",
        "status=%d" % response.status)
    return OK if response.status == 200 else AWS_ERROR


# ------------------------------------------------------------- log queries

def cmd_logcount(args):
    """Count log records whose fields equal every --where NAME=JSONVALUE."""
    wanted = []
    for item in args.where:
        name, _, value = item.partition("=")
        try:
            value = json.loads(value)
        except ValueError:
            pass
        wanted.append((name, value))
    count = 0
    with open(args.log) as handle:
        for line in handle:
            record = json.loads(line)
            if all(record.get(name) == value for name, value in wanted):
                count += 1
    say(count)
    return OK


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def aws(name, func, service=None):
        p = sub.add_parser(name)
        p.add_argument("--endpoint", required=True)
        p.add_argument("--region", default="us-east-1")
        p.add_argument("--key")
        p.add_argument("--secret")
        p.add_argument("--token")
        p.add_argument("--creds", help="JSON file written by --out")
        p.add_argument("--no-token", action="store_true",
                       help="with --creds: leave the session token out")
        p.add_argument("--out")
        p.add_argument("--read-timeout", type=float, default=30)
        p.set_defaults(func=func)
        return p

    aws("generate", cmd_generate)
    aws("get", cmd_get)
    aws("whoami", cmd_whoami)
    p = aws("assume", cmd_assume)
    p.add_argument("--role-arn", required=True)
    p.add_argument("--session-name", default="selftest")
    p.add_argument("--external-id")
    p.add_argument("--duration", type=int)
    p = aws("signed-post", cmd_signed_post)
    p.add_argument("--service", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--tamper-byte", type=int)
    p.add_argument("--date-offset", type=int, default=0)
    p.add_argument("--sign-user-agent", action="store_true")
    p.add_argument("--unsigned-token", action="store_true")

    p = sub.add_parser("imds")
    p.add_argument("--base-url", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_imds)
    p = sub.add_parser("ecs")
    p.add_argument("--url", required=True)
    p.add_argument("--auth")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_ecs)
    p = sub.add_parser("raw")
    p.add_argument("method")
    p.add_argument("url")
    p.add_argument("--header", action="append", default=[])
    p.set_defaults(func=cmd_raw)
    p = sub.add_parser("logcount")
    p.add_argument("--log", required=True)
    p.add_argument("--where", action="append", default=[])
    p.set_defaults(func=cmd_logcount)

    args = parser.parse_args()
    try:
        return args.func(args) or OK
    except ClientError as err:
        say("ERROR", "code=%s" % err.response["Error"]["Code"],
            "status=%s" % err.response["ResponseMetadata"]["HTTPStatusCode"])
        return AWS_ERROR
    except (ConnectionClosedError, EndpointConnectionError,
            ReadTimeoutError, ConnectionError) as err:
        say("CONNERR", type(err).__name__)
        return NO_ANSWER
    except ResponseParserError as err:
        say("BADANSWER", type(err).__name__)
        return BAD_ANSWER


if __name__ == "__main__":
    sys.exit(main())
