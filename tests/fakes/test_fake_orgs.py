#!/usr/bin/python3
"""TAP self-test of fake_aws.py's AWS Organizations ListAccounts, its
per-account roles and reports, delay_ms and the log's in_flight count.

Run it with Debian's interpreter (the one that has python3-botocore):

    /usr/bin/python3 tests/fakes/test_fake_orgs.py

botocore's own clients are the callers: the fake's answers must parse with
botocore's organizations/sts/iam models, its paginator must walk the pages,
and its error codes must come out as botocore reads them.  Everything is
written to a private temporary directory; the exit status is non-zero if
any test failed.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

try:
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    print("1..0 # SKIP /usr/bin/python3 with python3-botocore is needed")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_aws.py")
PY = "/usr/bin/python3"

MGMT = "111122223333"
ORG_ID = "o-testorg0001"
ROLE = "OrganizationAccountAccessRole"
MAIN = ("AKIAFAKEORGSMAIN0001", "main/secret+with=specials")
MEMBER = ("AKIAFAKEORGSMEMBER01", "member-secret")
THROTTLED = ("AKIAFAKEORGSTHROTTL1", "throttled-secret")
# 20 accounts: the management account first, then 19 members.
ACCOUNTS = [MGMT] + ["2000000000%02d" % n for n in range(1, 20)]
SUSPENDED = ACCOUNTS[7]
DENIED = ACCOUNTS[13]       # its role does not trust "main"
PICKED = ACCOUNTS[5]        # the one the report test assumes a role into

# For each request, not for the whole run: no retries hiding an error.
NO_RETRY = Config(retries={"total_max_attempts": 1},
                  connect_timeout=5, read_timeout=30)

# ------------------------------------------------------------------- TAP

ntest = 0
nfail = 0


def ok(cond, desc, diag=None):
    global ntest, nfail
    ntest += 1
    if cond:
        print("ok %d - %s" % (ntest, desc))
    else:
        nfail += 1
        print("not ok %d - %s" % (ntest, desc))
        if diag is not None:
            for line in str(diag).splitlines() or [""]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def error_code(call):
    """(code, response) of the ClientError a call raises, or (None, what
    it returned)."""
    try:
        return None, call()
    except ClientError as err:
        return err.response["Error"]["Code"], err.response


# ------------------------------------------------------------- the fake

class Fake:
    """One fake_aws.py process with its scenario, port and log."""

    def __init__(self, work, name, scenario):
        self.dir = os.path.join(work, name)
        os.mkdir(self.dir)
        self.scenario = os.path.join(self.dir, "scenario.json")
        self.port_file = os.path.join(self.dir, "port")
        self.log = os.path.join(self.dir, "requests.jsonl")
        self.stderr = os.path.join(self.dir, "stderr")
        with open(self.scenario, "w") as handle:
            json.dump(scenario, handle, indent=2)
        with open(self.stderr, "w") as err:
            self.proc = subprocess.Popen(
                [PY, FAKE, "--scenario", self.scenario, "--port-file",
                 self.port_file, "--log", self.log, "--max-seconds", "300"],
                stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.stderr) as handle:
                    raise RuntimeError("the fake did not start:\n" +
                                       handle.read())
            time.sleep(0.05)
        with open(self.port_file) as handle:
            self.url = "http://127.0.0.1:%d" % int(handle.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def records(self, at_least=0):
        """The log's records; waits (briefly) until there are at_least:
        a request is logged just after its answer went out."""
        deadline = time.monotonic() + 5
        while True:
            try:
                with open(self.log) as handle:
                    lines = [json.loads(line) for line in handle]
            except FileNotFoundError:
                lines = []
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def client(self, service, creds, token=None, **config):
        cfg = NO_RETRY.merge(Config(**config)) if config else NO_RETRY
        return botocore.session.get_session().create_client(
            service, region_name="us-east-1", endpoint_url=self.url,
            aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
            aws_session_token=token, config=cfg)


def org_scenario(**extra):
    accounts = [{"id": acct, "name": "acct-%02d" % i,
                 "email": "aws+%02d@example.com" % i}
                for i, acct in enumerate(ACCOUNTS)]
    accounts[0].update(name="management", joined_method="INVITED",
                       joined_timestamp="2019-06-01T10:20:30Z")
    accounts[ACCOUNTS.index(SUSPENDED)]["status"] = "SUSPENDED"
    roles = []
    for acct in ACCOUNTS[1:]:
        roles.append({"arn": "arn:aws:iam::%s:role/%s" % (acct, ROLE),
                      "trusted": ["someone-else"] if acct == DENIED
                      else ["main"]})
    scenario = {
        "keys": [
            {"name": "main", "access_key_id": MAIN[0],
             "secret_access_key": MAIN[1], "account": MGMT},
            {"name": "member", "access_key_id": MEMBER[0],
             "secret_access_key": MEMBER[1], "account": ACCOUNTS[1]},
            {"name": "throttled", "access_key_id": THROTTLED[0],
             "secret_access_key": THROTTLED[1], "account": MGMT},
            {"name": "someone-else", "access_key_id": "AKIAFAKEORGSOTHER001",
             "secret_access_key": "other-secret", "account": MGMT},
        ],
        "roles": roles,
        # Each account's report lists (index % 4) + 1 users.
        "accounts": {acct: {"report_users": i % 4 + 1,
                            "report_exists": True}
                     for i, acct in enumerate(ACCOUNTS)},
        "organization": {"management_account": MGMT, "id": ORG_ID,
                         "page_size": 5, "accounts": accounts},
        "faults": [{"service": "organizations", "action": "ListAccounts",
                    "key": "throttled", "kind": "throttle", "count": 1}],
    }
    scenario.update(extra)
    return scenario


# ----------------------------------------------------------------- tests

def test_pages(fake):
    orgs = fake.client("organizations", MAIN)
    captured = []
    orgs.meta.events.register(
        "response-received.organizations.ListAccounts",
        lambda response_dict=None, **kw: captured.append(response_dict))
    pages = list(orgs.get_paginator("list_accounts").paginate())
    listed = [a for page in pages for a in page["Accounts"]]
    ok([len(p["Accounts"]) for p in pages] == [5, 5, 5, 5],
       "paginator: 20 accounts in 4 pages of page_size 5",
       [len(p["Accounts"]) for p in pages])
    ok([a["Id"] for a in listed] == ACCOUNTS,
       "all 20 accounts, in the scenario's order")
    ok(all("NextToken" in p for p in pages[:-1]) and
       "NextToken" not in pages[-1],
       "NextToken on every page but the last")
    good = all(
        a["Arn"] == "arn:aws:organizations::%s:account/%s/%s" % (
            MGMT, ORG_ID, a["Id"]) and
        set(a) == {"Id", "Arn", "Email", "Name", "Status", "JoinedMethod",
                   "JoinedTimestamp"}
        for a in listed)
    ok(good, "every account has the model's 7 members and the Arn "
       "arn:aws:organizations::MGMT:account/ORG/ID", listed[:2])
    first = listed[0]
    ok(first["Name"] == "management" and first["JoinedMethod"] == "INVITED"
       and first["JoinedTimestamp"].timestamp() == 1559384430 and
       listed[3]["Email"] == "aws+03@example.com" and
       listed[3]["JoinedMethod"] == "CREATED",
       "Name, Email, JoinedMethod and JoinedTimestamp (epoch number) parse",
       first)
    ok([a["Id"] for a in listed if a["Status"] == "SUSPENDED"] ==
       [SUSPENDED] and all(a["Status"] == "ACTIVE" for a in listed
                           if a["Id"] != SUSPENDED),
       "one account SUSPENDED, the others ACTIVE")
    raw = captured[0]
    ok(raw["status_code"] == 200 and
       raw["headers"].get("content-type") == "application/x-amz-json-1.1"
       and raw["headers"].get("x-amzn-requestid") and
       isinstance(json.loads(raw["body"])["Accounts"][0]["JoinedTimestamp"],
                  (int, float)),
       "answer: 200, application/x-amz-json-1.1, x-amzn-RequestId, "
       "JoinedTimestamp a JSON number", raw["headers"])
    ok(not any("State" in json.loads(r["body"])["Accounts"][0]
               for r in captured),
       "no State member (absent from this botocore's model)")

    small = list(orgs.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": 3}))
    big = orgs.list_accounts(MaxResults=20)
    ok([len(p["Accounts"]) for p in small] == [3] * 6 + [2] and
       len(big["Accounts"]) == 5,
       "MaxResults 3 gives pages of 3; MaxResults 20 is cut to page_size 5")

    records = [r for r in fake.records() if r["service"] == "organizations"]
    ok(len(records) == 12 and all(
        r["action"] == "ListAccounts" and r["status"] == 200 and
        r["signature_ok"] is True and r["key_name"] == "main" and
        r["target"] == "AWSOrganizationsV20161128.ListAccounts"
        for r in records) and
       [r["accounts_returned"] for r in records[:4]] == [5, 5, 5, 5] and
       [r["next_token_sent"] for r in records[:4]] ==
       [False, True, True, True] and
       [r["next_token_returned"] for r in records[:4]] ==
       [True, True, True, False] and
       records[4]["max_results"] == 3 and records[4]["page_size"] == 3 and
       records[-1]["max_results"] == 20 and records[-1]["page_size"] == 5,
       "the log shows each page: target, tokens, max_results, page_size",
       json.dumps(records[:2], indent=1))

    code, resp = error_code(lambda: orgs.list_accounts(
        NextToken=pages[0]["NextToken"][:-8] + "AAAAAAA="))
    ok(code == "InvalidInputException" and
       resp.get("Reason") == "INVALID_NEXT_TOKEN" and
       resp["ResponseMetadata"]["HTTPStatusCode"] == 400,
       "a tampered NextToken: 400 InvalidInputException, INVALID_NEXT_TOKEN",
       resp)
    loose = fake.client("organizations", MAIN, parameter_validation=False)
    code, resp = error_code(lambda: loose.list_accounts(MaxResults=21))
    ok(code == "InvalidInputException" and
       resp.get("Reason") == "MAX_VALUE_EXCEEDED",
       "MaxResults 21: InvalidInputException, MAX_VALUE_EXCEEDED", resp)


def test_errors(fake):
    captured = []

    def capture(client):
        client.meta.events.register(
            "response-received.organizations.ListAccounts",
            lambda response_dict=None, **kw: captured.append(response_dict))
        return client

    wrong = capture(fake.client("organizations", (MAIN[0], "not-the-secret")))
    code, resp = error_code(wrong.list_accounts)
    body = json.loads(captured[-1]["body"])
    ok(code == "InvalidSignatureException" and
       resp["ResponseMetadata"]["HTTPStatusCode"] == 400 and
       body["__type"] ==
       "com.amazon.coral.service#InvalidSignatureException" and
       "message" in body and
       captured[-1]["headers"].get("x-amzn-requestid"),
       "a wrong secret: 400 InvalidSignatureException (front end's shape)",
       captured[-1])
    code, resp = error_code(fake.client(
        "organizations", ("AKIAFAKEORGSUNKNOWN1", "x")).list_accounts)
    ok(code == "UnrecognizedClientException",
       "an unknown access key: UnrecognizedClientException", resp)

    member = capture(fake.client("organizations", MEMBER))
    code, resp = error_code(member.list_accounts)
    body = json.loads(captured[-1]["body"])
    ok(code == "AccessDeniedException" and
       resp["ResponseMetadata"]["HTTPStatusCode"] == 400 and
       body == {"__type": "AccessDeniedException",
                "Message": "You don't have permissions to access this "
                "resource."},
       "a key of a member account (not a caller): 400 AccessDenied"
       "Exception {\"__type\", \"Message\"}", captured[-1])

    main = fake.client("organizations", MAIN)
    code, resp = error_code(main.describe_organization)
    ok(code == "UnknownOperationException",
       "another operation (DescribeOrganization): UnknownOperationException",
       resp)

    throttled = fake.client("organizations", THROTTLED)
    code, resp = error_code(throttled.list_accounts)
    again, _ = error_code(throttled.list_accounts)
    ok(code == "TooManyRequestsException" and
       resp["ResponseMetadata"]["HTTPStatusCode"] == 400 and again is None,
       "a throttle fault: 400 TooManyRequestsException once, then served",
       resp)

    request = urllib.request.Request(
        fake.url + "/", data=b"{}", method="POST", headers={
            "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
            "Content-Type": "application/x-amz-json-1.1"})
    try:
        urllib.request.urlopen(request, timeout=10)
        status, body = 200, {}
    except urllib.error.HTTPError as err:
        status, body = err.code, json.loads(err.read())
    ok(status == 400 and body.get("__type") ==
       "com.amazon.coral.service#MissingAuthenticationTokenException",
       "unsigned: 400 MissingAuthenticationTokenException", body)

    # The fake logs a request after answering it: wait for the last line.
    for _ in range(50):
        records = fake.records()
        codes = [r["error_code"] for r in records
                 if r["service"] == "organizations"]
        if codes and codes[-1] is not None:
            break
        time.sleep(0.1)
    ok(codes[-7:] == ["InvalidSignatureException",
                      "UnrecognizedClientException", "AccessDeniedException",
                      "UnknownOperationException", "TooManyRequestsException",
                      None, "MissingAuthenticationTokenException"] and
       any(r["fault"] == "faults[0] throttle" for r in records),
       "the log has each error code and the fault", codes)


def report_rows(iam):
    content = iam.get_credential_report()["Content"]
    return list(csv.reader(io.StringIO(content.decode("ascii"))))


def test_roles(fake):
    sts = fake.client("sts", MAIN)
    creds = sts.assume_role(
        RoleArn="arn:aws:iam::%s:role/%s" % (PICKED, ROLE),
        RoleSessionName="reportpipe-test")["Credentials"]
    iam = fake.client("iam", (creds["AccessKeyId"],
                              creds["SecretAccessKey"]),
                      token=creds["SessionToken"])
    rows = report_rows(iam)
    users = ACCOUNTS.index(PICKED) % 4 + 1
    ok(len(rows[0]) == 22 and rows[0][:2] == ["user", "arn"] and
       all(len(r) == 22 for r in rows),
       "report_users: IAM's 22-column header and rows", rows[:2])
    ok(rows[1][:2] == ["<root_account>",
                       "arn:aws:iam::%s:root" % PICKED] and
       [r[1] for r in rows[2:]] == [
           "arn:aws:iam::%s:user/user-%d" % (PICKED, k)
           for k in range(1, users + 1)],
       "the assumed role's credentials get its account's report "
       "(%d users, ARNs of %s)" % (users, PICKED), rows)
    identity = fake.client("sts", (creds["AccessKeyId"],
                                   creds["SecretAccessKey"]),
                           token=creds["SessionToken"]).get_caller_identity()
    ok(identity["Account"] == PICKED and identity["Arn"] ==
       "arn:aws:sts::%s:assumed-role/%s/reportpipe-test" % (PICKED, ROLE),
       "GetCallerIdentity with them names the role in that account",
       identity)
    rows = report_rows(fake.client("iam", MAIN))
    ok(rows[1][1] == "arn:aws:iam::%s:root" % MGMT and len(rows) == 3,
       "the main key still gets the management account's report", rows)
    iam_records = [r for r in fake.records() if r["service"] == "iam"]
    ok(iam_records[0]["key_kind"] == "issued" and
       iam_records[0]["key_name"].startswith("assumed:%s/" % ROLE),
       "the log shows the report fetched with issued credentials",
       iam_records[0])

    code, resp = error_code(lambda: sts.assume_role(
        RoleArn="arn:aws:iam::%s:role/%s" % (DENIED, ROLE),
        RoleSessionName="reportpipe-test"))
    ok(code == "AccessDenied" and
       resp["ResponseMetadata"]["HTTPStatusCode"] == 403,
       "the role that does not trust main: 403 AccessDenied", resp)
    every = []
    for acct in ACCOUNTS[1:]:
        if acct == DENIED:
            continue
        c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (acct, ROLE),
                            RoleSessionName="sweep")["Credentials"]
        rows = report_rows(fake.client(
            "iam", (c["AccessKeyId"], c["SecretAccessKey"]),
            token=c["SessionToken"]))
        every.append(all(acct in r[1] for r in rows[1:]) and
                     len(rows) == ACCOUNTS.index(acct) % 4 + 3)
    ok(len(every) == 18 and all(every),
       "each of the 18 other trusting roles reads its own account's report")

    # The role of a member account may not list the organization.
    member = fake.client("organizations", (creds["AccessKeyId"],
                                           creds["SecretAccessKey"]),
                         token=creds["SessionToken"])
    code, resp = error_code(member.list_accounts)
    ok(code == "AccessDeniedException",
       "a member account's role: AccessDeniedException", resp)


def test_not_in_use(work):
    scenario = org_scenario()
    del scenario["organization"]
    fake = Fake(work, "no-org", scenario)
    try:
        code, resp = error_code(fake.client("organizations",
                                            MAIN).list_accounts)
        ok(code == "AWSOrganizationsNotInUseException" and
           resp["ResponseMetadata"]["HTTPStatusCode"] == 400,
           "no organization: 400 AWSOrganizationsNotInUseException", resp)
    finally:
        fake.stop()


def run_threads(fake, threads, calls):
    """threads threads, each with its own client, calls requests each,
    started together."""
    barrier = threading.Barrier(threads)
    failures = []
    clients = [fake.client("organizations", MAIN,
                           max_pool_connections=threads)
               for _ in range(threads)]

    def work(client):
        barrier.wait()
        for _ in range(calls):
            try:
                client.list_accounts()
            except Exception as err:   # reported below
                failures.append(repr(err))

    pool = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return failures


def test_concurrency(work):
    fake = Fake(work, "delay", org_scenario(
        delay_ms={"organizations": 150, "*": 1}))
    try:
        failures = run_threads(fake, 4, 3)
        records = fake.records(12)
        flights = [r["in_flight"] for r in records]
        ok(not failures and len(records) == 12 and
           2 <= max(flights) <= 4 and
           all(r["delay_ms"] == 150 for r in records),
           "4 threads with delay_ms 150: max in_flight %s (2..4), each "
           "delayed 150 ms" % max(flights or [0]), (failures, flights))
        start = time.monotonic()
        failures = run_threads(fake, 1, 4)
        elapsed = time.monotonic() - start
        records = fake.records(16)[12:]
        flights = [r["in_flight"] for r in records]
        ok(not failures and len(records) == 4 and flights == [1] * 4 and
           elapsed >= 0.6,
           "1 thread: in_flight is 1 every time, and the delays add up",
           (failures, flights, elapsed))
        code, _ = error_code(fake.client(
            "organizations", (MAIN[0], "wrong")).list_accounts)
        record = fake.records(17)[-1]
        ok(code == "InvalidSignatureException" and record["delay_ms"] == 0
           and record["in_flight"] == 1,
           "a request refused by authentication is not delayed", record)
    finally:
        fake.stop()


def test_scenario_errors(work):
    cases = [
        ("an unknown key in organization",
         {"organization": {"management_account": MGMT, "pagesize": 5}},
         "pagesize"),
        ("a bad account status",
         {"organization": {"management_account": MGMT, "accounts": [
             {"id": MGMT, "status": "CLOSED"}]}}, "status"),
        ("page_size above 20",
         {"organization": {"management_account": MGMT, "page_size": 21}},
         "page_size"),
        ("a caller that is no key",
         {"organization": {"management_account": MGMT,
                           "callers": ["nobody"]}}, "nobody"),
        ("report_users with report_csv",
         {"accounts": {MGMT: {"report_users": 2, "report_csv": "x"}}},
         "report_csv"),
        ("delay_ms for an unknown service",
         {"delay_ms": {"ec2": 5}}, "ec2"),
        ("a negative delay_ms", {"delay_ms": {"iam": -1}}, "delay_ms.iam"),
    ]
    for desc, scenario, word in cases:
        path = os.path.join(work, "bad.json")
        with open(path, "w") as handle:
            json.dump(scenario, handle)
        port_file = os.path.join(work, "bad.port")
        run = subprocess.run([PY, FAKE, "--scenario", path, "--port-file",
                              port_file], capture_output=True, text=True,
                             timeout=30)
        ok(run.returncode == 2 and word in run.stderr and
           not os.path.exists(port_file),
           "refused: %s (exit 2, names %s)" % (desc, word), run.stderr)


def main():
    os.environ.pop("AWS_PROFILE", None)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ[name] = os.devnull
    for name in ("AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
                 "http_proxy", "HTTP_PROXY"):
        os.environ.pop(name, None)
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    work = tempfile.mkdtemp(prefix="fake-orgs-test.")
    try:
        fake = Fake(work, "org", org_scenario())
        try:
            test_pages(fake)
            test_errors(fake)
            test_roles(fake)
            records = fake.records()
            secrets = [MAIN[1], MEMBER[1], THROTTLED[1]]
            with open(fake.log) as handle:
                log_text = handle.read()
            ok(not any(s in log_text for s in secrets) and
               all(r["in_flight"] == 1 for r in records),
               "no secret in the log; sequential calls: in_flight 1")
        finally:
            fake.stop()
        test_not_in_use(work)
        test_concurrency(work)
        test_scenario_errors(work)
    except Exception:
        import traceback
        traceback.print_exc(file=sys.stdout)
        ok(False, "the test ran to its end")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % ntest)
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
