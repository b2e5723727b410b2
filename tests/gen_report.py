#!/usr/bin/python3
"""gen_report.py - a large synthetic IAM credential report, the same bytes
on every machine: 5,000 IAM users (the IAM quota) and the root user, in
the 22 columns of etc/sample-credential-report.csv.

    gen_report.py current  [USERS] > report.csv     generated 2026-11-30T06:00Z
    gen_report.py previous [USERS] > previous.csv   a week earlier

The mix is what a large account holds: console users with and without
MFA, service users with zero, one or two access keys in every state and
age, keys never used, keys made with their user (CIS 1.11), signing
certificates, N/A and no_information cells; Japanese names and hostile
ones (markup, quotes, ampersands, formula starters, a bidi override).

The previous report differs from the current one by events of every
type the `changes` formatter knows (users created, deleted and
re-created, console passwords and MFA switched, keys created, rotated,
activated, deactivated and deleted, certificates switched, root used),
several hundred in all, plus sign-ins that are no event.

Randomness is a fixed-seed splitmix64 of our own, never Python's random
module (whose methods have changed between versions), and nothing reads
the clock, the locale or the environment.
"""
import sys

SEED = 20261130
ACCOUNT = "123456789012"
ARN = "arn:aws:iam::" + ACCOUNT
DAY = 86400
# 2026-11-30T06:00:00Z, the current report; the previous is a week older.
GEN = 1796018400
PREV = GEN - 7 * DAY
EPOCH_2019 = 1546300800  # 2019-01-01T00:00:00Z

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
          "password_last_changed,password_next_rotation,mfa_active,"
          "access_key_1_active,access_key_1_last_rotated,"
          "access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,"
          "access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,"
          "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated")

FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "kim", "leo", "mallory", "nina", "oscar", "peggy",
         "quinn", "rupert", "sybil", "trent", "uma", "victor", "wendy",
         "xavier", "yuki", "zoe", "hiroshi", "sakura", "kenji", "aiko",
         "takeshi", "naomi", "ravi", "priya", "chen", "li", "omar", "fatima",
         "lars", "ingrid"]
LAST = ["smith", "jones", "tanaka", "suzuki", "sato", "watanabe", "ito",
        "yamamoto", "nakamura", "kobayashi", "kato", "yoshida", "garcia",
        "martin", "muller", "rossi", "dubois", "nguyen", "kim", "patel",
        "wang", "silva", "novak", "berg", "okafor", "haddad", "cohen",
        "ivanova", "larsen", "moreau"]
JA_FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村",
             "小林", "加藤"]
JA_GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "大輔", "由美"]
SERVICES = ["backup", "deploy", "etl", "billing", "monitoring", "logs",
            "terraform", "jenkins", "github-actions", "datadog", "splunk",
            "airflow", "lambda-build", "s3-sync", "reporting"]
HOSTILE = ["<script>alert(1)</script>", '"quoted" & \'single\'',
           "=HYPERLINK(\"http://evil.example/\",\"x\")", "=1+2", "+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "a,b;c", "</td></tr></table>",
           "ユーザー<b>太字</b>&amp;", "bidi\u202etxt.exe", "tom & jerry"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-northeast-1", "ap-southeast-2"]
KEY_SERVICES = ["s3", "sts", "ec2", "iam", "dynamodb", "lambda", "sqs",
                "cloudformation", "ssm", "logs"]
PATHS = ["", "", "", "", "division_abc/", "division_abc/subdivision_xyz/",
         "ops/", "contractors/"]


class Rng:
    """splitmix64: small, fast and the same everywhere."""

    def __init__(self, *seed):
        s = SEED
        for x in seed:
            s = (s * 1000003 + x) & 0xFFFFFFFFFFFFFFFF
        self.s = s

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def between(self, lo, hi):
        """A time in [lo, hi), whole seconds."""
        return lo + self.below(max(1, hi - lo))


def iso(t):
    """t as the report writes times: 2026-11-30T06:00:00+00:00."""
    days, sec = divmod(t, DAY)
    # civil from days (Howard Hinnant's algorithm): no time module, so no
    # time zone or locale can reach the output
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % (
        y, m, d, sec // 3600, sec // 60 % 60, sec % 60)


def t_or(v):
    """A time cell: an int is a time, a string a sentinel as written."""
    return iso(v) if isinstance(v, int) else v


def key_none():
    return {"active": "false", "rotated": "N/A", "used": "N/A",
            "region": "N/A", "service": "N/A"}


def key_new(r, created, fresh=False):
    """A key of a user created at created; fresh: made with the user."""
    if fresh or r.below(10) == 0:
        rotated = created + r.below(3601)  # CIS 1.11 window, both sides
    else:
        rotated = r.between(created, GEN - DAY)
    k = {"active": "true" if r.below(100) < 85 else "false", "rotated": rotated,
         "used": "N/A", "region": "N/A", "service": "N/A"}
    if r.below(100) >= 12:
        k["used"] = r.between(rotated, GEN)
        k["region"] = r.pick(REGIONS)
        k["service"] = r.pick(KEY_SERVICES)
    return k


def cert_none():
    return {"active": "false", "rotated": "N/A"}


class Names:
    def __init__(self):
        self.seen = set()

    def unique(self, name):
        base, n = name, 2
        while name in self.seen:
            name = "%s-%d" % (base, n)
            n += 1
        self.seen.add(name)
        return name


def make_user(r, names, i, created=None):
    if i % 401 == 17:
        name = HOSTILE[(i // 401) % len(HOSTILE)]
    elif i % 97 == 3:
        name = r.pick(JA_FAMILY) + r.pick(JA_GIVEN)
    elif r.below(100) < 60:
        name = r.pick(FIRST) + "." + r.pick(LAST)
    else:
        name = "svc-" + r.pick(SERVICES) + "-" + str(r.below(100))
    name = names.unique(name)
    if created is None:
        created = r.between(EPOCH_2019, GEN - 8 * DAY)
    u = {"user": name, "arn": ARN + ":user/" + r.pick(PATHS) + name,
         "created": created, "pw": "false", "pw_used": "N/A",
         "pw_changed": "N/A", "pw_next": "N/A", "mfa": "false",
         "keys": [key_none(), key_none()], "certs": [cert_none(), cert_none()]}
    kind = r.below(100)
    if kind < 55:  # a person at the console
        u["pw"] = "true"
        u["pw_changed"] = r.between(created, GEN - DAY)
        used = r.below(100)
        if used < 70:
            u["pw_used"] = r.between(max(created, GEN - 30 * DAY), GEN)
        elif used < 85:
            u["pw_used"] = r.between(created, GEN - 46 * DAY) \
                if created < GEN - 47 * DAY else r.between(created, GEN)
        elif used < 93:
            u["pw_used"] = "no_information"
        if r.below(5) == 0:
            u["pw_next"] = u["pw_changed"] + 90 * DAY
        u["mfa"] = "true" if r.below(100) < 85 else "false"
        nkeys = [0] * 70 + [1] * 25 + [2] * 5
    elif kind < 90:  # a service
        nkeys = [0] * 5 + [1] * 70 + [2] * 25
    else:  # legacy: certificates, an old inactive key
        nkeys = [0, 1]
        u["certs"][0] = {"active": "true" if r.below(3) else "false",
                         "rotated": r.between(created, GEN - DAY)}
        if r.below(4) == 0:
            u["certs"][1] = {"active": "false",
                             "rotated": r.between(created, GEN - DAY)}
    for s in range(r.pick(nkeys)):
        u["keys"][s] = key_new(r, created)
    return u


def root_user(previous):
    """Root signs in and uses its key during the week: root_used twice."""
    u = {"user": "<root_account>", "arn": ARN + ":root",
         "created": 1551694272, "pw": "not_supported",
         "pw_used": GEN - 2 * DAY if not previous else PREV - 40 * DAY,
         "pw_changed": "not_supported", "pw_next": "not_supported",
         "mfa": "true", "keys": [key_none(), key_none()],
         "certs": [cert_none(), cert_none()]}
    u["keys"][0] = {"active": "true", "rotated": 1704067200,
                    "used": GEN - DAY if not previous else PREV - 3 * DAY,
                    "region": "us-east-1" if not previous else "eu-west-1",
                    "service": "iam" if not previous else "s3"}
    return u


def fresh_user(r, names, i):
    """A user created during the week, set up the usual way."""
    created = r.between(PREV + 3600, GEN - 3600)
    u = make_user(r, names, i, created)
    if u["pw"] == "true":
        u["pw_changed"] = created + 60
        u["pw_used"] = "no_information" if r.below(2) else r.between(created, GEN)
        u["pw_next"] = "N/A"
    for k in u["keys"]:
        if k["rotated"] != "N/A":
            k.update(key_new(r, created, fresh=True))
    u["certs"] = [cert_none(), cert_none()]
    return u


def earlier(r, t, lo):
    """A time before t, not before lo, or N/A when there is no room."""
    return r.between(lo, t) if isinstance(t, int) and t > lo + 1 else "N/A"


def age_back(r, u):
    """The previous week of a user with no event: sign-ins and key use
    move back in time (no event for anyone but root)."""
    if isinstance(u["pw_used"], int) and u["pw_used"] > PREV and r.below(2):
        u["pw_used"] = earlier(r, PREV, u["created"])
    for k in u["keys"]:
        if isinstance(k["used"], int) and k["used"] > PREV:
            k["used"] = earlier(r, PREV, k["rotated"])
            if k["used"] == "N/A":
                k["region"] = k["service"] = "N/A"


def apply_event(r, cur, prev):
    """Make prev (a copy of cur) the week before one event of cur, for
    about one user in six; each event only where it can happen (no key
    rotated for a user without keys)."""
    d = r.below(1000)
    keys = [s for s in (0, 1) if cur["keys"][s]["rotated"] != "N/A"]
    empty = [s for s in (0, 1) if cur["keys"][s]["rotated"] == "N/A"]
    console = cur["pw"] == "true"
    if d < 3:
        return "recreated"
    if d < 25:
        if console:  # console_password_enabled
            prev.update(pw="false", pw_changed="N/A", pw_next="N/A",
                        pw_used=earlier(r, PREV, cur["created"]))
            cur["pw_changed"] = r.between(PREV, GEN)
            cur["pw_next"] = "N/A"
        else:  # console_password_disabled
            prev.update(pw="true", pw_changed=r.between(cur["created"], PREV),
                        pw_used=r.between(cur["created"], PREV))
            cur["pw_used"] = prev["pw_used"]
    elif d < 45:
        if console:  # mfa_enabled or mfa_disabled
            prev["mfa"] = "false" if cur["mfa"] == "true" else "true"
    elif d < 60:
        if keys:  # access_key_created
            s = r.pick(keys)
            cur["keys"][s] = key_new(r, cur["created"])
            cur["keys"][s]["rotated"] = r.between(PREV, GEN)
            cur["keys"][s]["used"] = cur["keys"][s]["region"] = \
                cur["keys"][s]["service"] = "N/A"
            prev["keys"][s] = key_none()
    elif d < 80:
        if keys:  # access_key_rotated
            s = r.pick(keys)
            prev["keys"][s] = dict(cur["keys"][s])
            prev["keys"][s]["rotated"] = earlier(r, cur["keys"][s]["rotated"],
                                                 cur["created"])
            if prev["keys"][s]["rotated"] == "N/A":
                prev["keys"][s] = key_none()  # no room: a new key instead
    elif d < 100:
        if keys:  # access_key_activated or access_key_deactivated
            s = r.pick(keys)
            prev["keys"][s] = dict(cur["keys"][s])
            prev["keys"][s]["active"] = \
                "false" if cur["keys"][s]["active"] == "true" else "true"
    elif d < 110:
        if empty and not console:  # access_key_deleted
            s = r.pick(empty)
            prev["keys"][s] = key_new(r, cur["created"])
    elif d < 120:  # certificate_activated
        c = cur["certs"][0]
        if c["active"] == "true":
            prev["certs"][0] = cert_none() if r.below(2) else dict(c, active="false")
        else:
            cur["certs"][0] = {"active": "true", "rotated": r.between(PREV, GEN)}
            prev["certs"][0] = dict(c)
    elif d < 128:  # certificate_deactivated, or deleted
        c = cur["certs"][1]
        prev["certs"][1] = {"active": "true",
                            "rotated": c["rotated"] if c["rotated"] != "N/A"
                            else r.between(cur["created"], PREV)}
        if r.below(2):
            cur["certs"][1] = cert_none()
        else:
            cur["certs"][1] = dict(prev["certs"][1], active="false")
    return None


def row(u):
    cells = [u["user"], u["arn"], t_or(u["created"]), u["pw"],
             t_or(u["pw_used"]), t_or(u["pw_changed"]), t_or(u["pw_next"]),
             u["mfa"]]
    for k in u["keys"]:
        cells += [k["active"], t_or(k["rotated"]), t_or(k["used"]),
                  k["region"], k["service"]]
    for c in u["certs"]:
        cells += [c["active"], t_or(c["rotated"])]
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\r\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def copy(u):
    v = dict(u)
    v["keys"] = [dict(k) for k in u["keys"]]
    v["certs"] = [dict(c) for c in u["certs"]]
    return v


def reports(n):
    names = Names()
    names.seen.add("<root_account>")
    cur, prev = [root_user(False)], [root_user(True)]
    created = 0
    for i in range(n):
        r = Rng(1, i)
        if r.below(100) < 1 or i % 1250 == 600:  # about 1%: new this week
            cur.append(fresh_user(r, names, i))
            created += 1
            continue
        u = make_user(r, names, i)
        p = copy(u)
        age_back(r, p)
        if apply_event(r, u, p) == "recreated":
            # the same name, an older account deleted before this one
            p = copy(u)
            p["created"] = r.between(EPOCH_2019, u["created"])
            u["created"] = r.between(PREV, GEN - 3600)
            for k in u["keys"]:
                if k["rotated"] != "N/A":
                    k.update(key_new(r, u["created"], fresh=True))
            for c in u["certs"]:
                if c["rotated"] != "N/A":
                    c["rotated"] = r.between(u["created"], GEN)
            if u["pw"] == "true":
                u["pw_changed"] = u["created"] + 60
                u["pw_used"] = "no_information"
                u["pw_next"] = "N/A"
        cur.append(u)
        prev.append(p)
    # Users deleted during the week: a few fewer than were created, so
    # neither report is over the quota.
    for j in range(max(0, created - 5)):
        r = Rng(2, j)
        u = make_user(r, names, n + j)
        u["user"] = names.unique("former-" + u["user"].split(".")[0])
        u["arn"] = ARN + ":user/" + u["user"]
        prev.insert(1 + r.below(len(prev) - 1), u)
    return cur, prev


def main(argv):
    if len(argv) not in (2, 3) or argv[1] not in ("current", "previous"):
        sys.stderr.write("usage: gen_report.py current|previous [USERS]\n")
        return 2
    n = int(argv[2]) if len(argv) == 3 else 5000
    cur, prev = reports(n)
    users = cur if argv[1] == "current" else prev
    out = sys.stdout.buffer
    out.write((HEADER + "\n").encode("utf-8"))
    for u in users:
        out.write((row(u) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
