#!/usr/bin/python3
"""gen_report.py - a synthetic IAM credential report for the benchmarks.

    /usr/bin/python3 bench/gen_report.py [--users 5000] [--account 123456789012]
        [--seed 7] > report.csv

The root row plus USERS users (5,000 is IAM's quota of users per account,
so the largest report AWS can hand out), in the 22 columns and the value
formats of a real report (see etc/sample-credential-report.csv): ISO 8601
times with +00:00, N/A / no_information / not_supported where AWS writes
them, paths in some ARNs, one or two access keys, a few certificates.
The output depends only on the arguments (a seeded generator and a fixed
"now"), so every run benchmarks the same bytes.
"""

import argparse
import datetime
import random
import sys

COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled",
    "password_last_used", "password_last_changed", "password_next_rotation",
    "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region",
    "access_key_1_last_used_service", "access_key_2_active",
    "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active",
    "cert_2_last_rotated",
]
NOW = datetime.datetime(2026, 11, 30, 6, 0, 0, tzinfo=datetime.timezone.utc)
FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
               "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent",
               "victor", "walter", "yuki", "haruto", "sakura", "ren"]
TEAMS = ["dev", "ops", "sec", "data", "qa", "finance", "support"]
PATHS = ["", "", "", "division_abc/", "engineering/platform/", "contractors/"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1",
           "ap-southeast-2", "eu-central-1"]
SERVICES = ["s3", "sts", "ec2", "iam", "ssm", "cloudformation", "lambda",
            "dynamodb", "logs", "kms"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def between(rng, start, end):
    span = int((end - start).total_seconds())
    return start + datetime.timedelta(seconds=rng.randrange(max(span, 1)))


def access_key(rng, created):
    """active, last_rotated, last_used_date, region, service."""
    if rng.random() < 0.35:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    rotated = between(rng, created, NOW)
    active = "true" if rng.random() < 0.85 else "false"
    if rng.random() < 0.12:                  # never used
        return [active, iso(rotated), "N/A", "N/A", "N/A"]
    used = between(rng, rotated, NOW)
    return [active, iso(rotated), iso(used), rng.choice(REGIONS),
            rng.choice(SERVICES)]


def user_row(rng, i, account):
    kind = rng.random()
    if kind < 0.25:
        name = "svc-%s-%04d" % (rng.choice(SERVICES), i)
    else:
        name = "%s.%s%04d" % (rng.choice(FIRST_NAMES), rng.choice(TEAMS), i)
    arn = "arn:aws:iam::%s:user/%s%s" % (account, rng.choice(PATHS), name)
    created = between(rng, datetime.datetime(2015, 1, 1,
                                              tzinfo=datetime.timezone.utc),
                      NOW - datetime.timedelta(days=1))
    row = [name, arn, iso(created)]
    if kind >= 0.25 and rng.random() < 0.9:
        changed = between(rng, created, NOW)
        roll = rng.random()
        last_used = ("no_information" if roll < 0.05 else "N/A"
                     if roll < 0.1 else iso(between(rng, changed, NOW)))
        row += ["true", last_used, iso(changed), "N/A",
                "true" if rng.random() < 0.8 else "false"]
    else:
        row += ["false", "N/A", "N/A", "N/A", "false"]
    row += access_key(rng, created)
    if row[8] != "false" or row[9] != "N/A":
        row += access_key(rng, created)
    else:
        row += ["false", "N/A", "N/A", "N/A", "N/A"]
    for _ in range(2):
        if rng.random() < 0.02:
            row += ["true" if rng.random() < 0.7 else "false",
                    iso(between(rng, created, NOW))]
        else:
            row += ["false", "N/A"]
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = [COLUMNS, [
        "<root_account>", "arn:aws:iam::%s:root" % args.account,
        "2015-03-04T10:11:12+00:00", "not_supported",
        "2026-10-02T08:15:44+00:00", "not_supported", "not_supported", "true",
        "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A",
        "N/A", "false", "N/A", "false", "N/A"]]
    rows += [user_row(rng, i, args.account) for i in range(1, args.users + 1)]
    out = sys.stdout.buffer
    for row in rows:
        assert len(row) == len(COLUMNS)
        out.write((",".join(row) + "\n").encode())


if __name__ == "__main__":
    main()
