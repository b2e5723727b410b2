#!/usr/bin/python3
"""Fake AWS endpoint for reportpipe's tests: IAM, STS, S3, SES, Organizations,
ECS and IMDS, one port.

Why it exists
-------------
reportpipe signs its own AWS requests in C.  A fake that accepted any
request would prove nothing, so every IAM/STS/S3/SES/Organizations request
is checked with *botocore's own SigV4 signer* (the reference implementation
AWS ships; S3SigV4Auth for S3, whose rules differ), and errors are answered
with the codes, HTTP statuses and XML (or, for SES API v2 and Organizations,
JSON) shapes that botocore's service models describe.  Everything else the
tests need to script (report generation states, errors, throttling, dropped
connections, slow answers, assumed roles, container and instance
credentials, messages SES refuses, the organization's accounts) comes from
a JSON scenario file, one per test.

Run it with Debian's interpreter (the one that has python3-botocore):

    /usr/bin/python3 tests/fakes/fake_aws.py --scenario SCENARIO.json \\
        --port-file PORTFILE [--log REQUESTS.jsonl] [--max-seconds 600] \\
        [--mail-dir DIR]

It binds 127.0.0.1 on an ephemeral port, writes the port number (and a
newline) to PORTFILE atomically once it is listening, and serves until
SIGTERM/SIGINT or --max-seconds have passed; then it removes PORTFILE and
exits 0.  A scenario that does not load is reported on stderr and the
process exits 2 without writing PORTFILE.  Secrets (secret keys, session
tokens, IMDS/ECS tokens, Authorization values) are never written to
stdout, stderr or the log.

Routing (all on the one port)
-----------------------------
* path == ecs.path                      -> ECS container credentials
* path under /latest/                   -> IMDSv2
* Authorization: AWS4-HMAC-SHA256 ...   -> by the credential scope's service:
                                           "iam", "sts", "s3", "ses" or
                                           "organizations" (else: 404)
* an unsigned request with an Action=   -> 403 MissingAuthenticationToken
* an unsigned request under /v2/email/  -> 403 MissingAuthenticationToken-
                                           Exception (SES v2's JSON answer)
* an unsigned request with X-Amz-Target: AWSOrganizationsV20161128.*
                                        -> 400 MissingAuthenticationToken-
                                           Exception (Organizations' JSON)
* an unsigned request to a bucket below -> 403 AccessDenied (S3's answer)
* anything else                         -> 404 with a plain-text explanation

Scenario file
-------------
A JSON object.  Unknown keys anywhere are an error (typos must not pass
silently).  Relative file names are relative to the scenario file.

    {
      "region": "us-east-1",
      "server_time_offset_seconds": 0,
      "keys": [
        {"name": "main",
         "access_key_id": "AKIAFAKEMAIN0000001",
         "secret_access_key": "main-secret",
         "account": "111122223333",
         "arn": "arn:aws:iam::111122223333:user/reporter"},
        {"name": "stale",
         "access_key_id": "ASIAFAKESTALE000001",
         "secret_access_key": "stale-secret",
         "session_token": "stale-token",
         "expired": true,
         "account": "111122223333"},
        {"name": "ecs", "access_key_id": "ASIAFAKEECS0000001",
         "secret_access_key": "ecs-secret", "session_token": "ecs-token",
         "account": "111122223333"},
        {"name": "imds", "access_key_id": "ASIAFAKEIMDS000001",
         "secret_access_key": "imds-secret", "session_token": "imds-token",
         "account": "111122223333"}
      ],
      "roles": [
        {"arn": "arn:aws:iam::444455556666:role/Auditor",
         "external_id": "ext-42",
         "trusted": ["main"],
         "max_session_duration": 3600}
      ],
      "accounts": {
        "111122223333": {
          "report_file": "report.csv",
          "generated_time": "2024-05-01T12:00:00Z",
          "generate_states": ["STARTED", "INPROGRESS", "COMPLETE"],
          "get_errors": ["ReportInProgress"],
          "reset_on": ["ReportNotPresent", "ReportExpired"],
          "strict": true
        },
        "444455556666": {"report_csv": "user,arn\\n<root_account>,arn:...\\n"}
      },
      "buckets": {
        "reports": {},
        "vault": {"object_lock": true, "region": "eu-west-1"},
        "forbidden": {"deny": true}
      },
      "faults": [
        {"service": "iam", "action": "GetCredentialReport",
         "kind": "throttle", "count": 2},
        {"action": "GenerateCredentialReport", "kind": "slow", "seconds": 3}
      ],
      "ses": {"reject": 1, "reject_code": "MessageRejected",
              "reject_message": "Email address is not verified."},
      "ecs":  {"path": "/ecs/creds", "token": "ecs-auth-token", "key": "ecs"},
      "imds": {"role": "reportpipe-role", "key": "imds"},
      "organization": {
        "management_account": "111122223333",
        "page_size": 5,
        "accounts": [
          {"id": "111122223333", "name": "management",
           "email": "aws-root@example.com", "joined_method": "INVITED"},
          {"id": "444455556666", "name": "audit",
           "email": "aws-audit@example.com", "status": "SUSPENDED",
           "joined_timestamp": "2021-03-04T05:06:07Z"}
        ],
        "callers": ["main"]
      },
      "delay_ms": {"iam": 150, "*": 20},
      "watch_spool": "state/spool"
    }

Top level
    region          STS and SES signing region(s) accepted: a string or a
                    list (default "us-east-1").  IAM always requires
                    us-east-1.
    server_time_offset_seconds
                    The fake's clock runs this many seconds ahead of the
                    real one (negative: behind).  For clock-skew tests.
    watch_spool     A reportpipe state_dir/spool (relative to the scenario
                    file): each request's log line gets spool_pending, the
                    sinks pending in its finished entries when the request
                    arrived (what was on disk before it was sent).
    keys            Credentials the fake knows (list, may be empty).
    roles           Roles STS AssumeRole can hand out.
    accounts        Per-account credential report script, keyed by the
                    12-digit account id.
    buckets         S3 buckets by name (see below); a bucket not listed
                    answers 404 NoSuchBucket.
    faults          Injected failures (see below).
    ses             How SES answers sends (optional, see below).
    ecs, imds       The container / instance credential endpoints; each
                    optional (absent: those paths answer 404).
    organization    AWS Organizations' ListAccounts (optional; absent:
                    every Organizations call that passes authentication
                    answers AWSOrganizationsNotInUseException; see below).
    delay_ms        A pause before every answer, by service: an object
                    whose keys are iam, sts, s3, ses, organizations, ecs,
                    imds or "*" (any other service) and whose values are
                    milliseconds (>= 0).  Each request of that service that
                    passed authentication (a valid signature; for ECS/IMDS,
                    the token checks) and names an operation served here
                    sleeps that long before faults and the answer, in its
                    own thread and holding no lock, so
                    concurrent requests overlap and "in_flight" in the log
                    shows how many a client really had open at once.
                    Requests refused by authentication are not delayed.
                    (The "slow" fault is count-based; this is for every
                    request.)

keys[]
    access_key_id, secret_access_key   required.
    account         required, 12 digits.
    name            a label used in the log and to refer to the key from
                    roles/ecs/imds/faults (default: the access key id).
    arn             caller ARN for GetCallerIdentity and AccessDenied
                    messages (default arn:aws:iam::ACCOUNT:user/NAME).
    user_id         GetCallerIdentity UserId (default derived from the key).
    session_token   present => temporary credentials: every request made
                    with the key must carry exactly this X-Amz-Security-Token.
    expired         true => requests made with it get 403 ExpiredToken.
    expiration      ISO-8601 time; a past time also means expired.  It is
                    what ECS/IMDS report as Expiration (default: now + 1 h,
                    or 1 h ago when "expired" is true).

roles[]
    arn             required, arn:aws:iam::ACCOUNT:role/NAME.
    account         default: taken from the ARN.  The report of this account
                    is what the role's temporary credentials fetch.
    external_id     when set, AssumeRole must pass exactly this ExternalId.
    trusted         who may assume it: a list of key names, access key ids
                    or role ARNs (for role chaining), or "*" (default "*").
    max_session_duration   seconds, default 3600 (DurationSeconds above it:
                    400 ValidationError, as AWS).
    credential_lifetime_seconds   if set, issued credentials really expire
                    after this many seconds (and Expiration says so),
                    whatever DurationSeconds asked for.
    issue_expired   true => issued credentials are already expired (the
                    next call made with them gets ExpiredToken).

accounts.ACCOUNT
    report_file / report_csv / report_base64 / report_users
                    the CSV, from a file, inline text (UTF-8) or base64
                    (byte-exact); or report_users: N, a whole number, for
                    a synthesized report: IAM's 22-column header (as in
                    etc/sample-credential-report.csv), a <root_account> row
                    with arn:aws:iam::ACCOUNT:root, then users user-1 ..
                    user-N, arn:aws:iam::ACCOUNT:user/user-K (no password,
                    keys or certificates; LF line ends).  At most one.
                    None: GetCredentialReport answers 500 ServiceFailure
                    saying so.  The report served is the signing key's
                    account's: an assumed role's credentials
                    (roles[].account, i.e. the role ARN's account) fetch
                    that account's report.  There is no "*" default:
                    list every account that needs a report.
    generated_time  GeneratedTime (default: when the report became COMPLETE).
    generate_states what successive GenerateCredentialReport calls answer:
                    a list of STARTED / INPROGRESS / COMPLETE (after the
                    list ends: COMPLETE), or "never" (INPROGRESS forever).
                    Default ["STARTED"].  Answering COMPLETE makes the
                    report exist.
    get_errors      errors GetCredentialReport answers, one per call,
                    before it behaves normally: ReportInProgress (404),
                    ReportNotPresent (410), ReportExpired (410).
    reset_on        which of those scripted errors also discard the report
                    and restart generate_states from the top, so the client
                    has to call GenerateCredentialReport again
                    (default ["ReportNotPresent", "ReportExpired"]).
    report_exists   true => a finished report exists from the start.
    strict          (default true) once the scripted errors are used up,
                    GetCredentialReport answers ReportNotPresent until a
                    GenerateCredentialReport call was made, and
                    ReportInProgress until one answered COMPLETE.  false:
                    the report is always there.

buckets.NAME (all optional; S3 is served only for SigV4 requests signed
    for service "s3")
    region          the bucket's region (default: the first of "region").
                    A request signed for another region answers 400
                    AuthorizationHeaderMalformed with x-amz-bucket-region,
                    as S3 does.
    versioning      true => every PutObject answers an x-amz-version-id.
    object_lock     true => Object Lock is enabled (implies versioning).
                    false (default): a PutObject with x-amz-object-lock-*
                    headers answers 400 InvalidRequest "Bucket is missing
                    Object Lock Configuration".
    deny            true => every request answers 403 AccessDenied; or a
                    list of key names / access key ids that are denied.

    S3 requests: path style (/BUCKET/KEY, Host 127.0.0.1:PORT or
    localhost:PORT) or virtual-hosted (Host BUCKET.localhost:PORT; libcurl
    and most clients resolve *.localhost to loopback themselves).  Served:
    PutObject (PUT), GetObject (GET) and HeadObject (HEAD); objects live in
    memory.  Besides the signature (S3 rules: the path is signed as sent,
    no double encoding), every request must sign x-amz-content-sha256 and
    it must be the body's SHA-256 (400 XAmzContentSHA256Mismatch if not;
    UNSIGNED-PAYLOAD only for a request without a body; streaming uploads
    are refused: reportpipe never sends either); Content-MD5 and
    x-amz-checksum-sha256, when sent, must match the body (400 InvalidDigest
    when malformed, 400 BadDigest when different); the SSE, storage class,
    Object Lock and metadata headers are checked as S3 checks them.  S3's
    own error codes are used: InvalidAccessKeyId, SignatureDoesNotMatch,
    ExpiredToken (400), AccessDenied, NoSuchBucket, NoSuchKey, ...

ses (optional; SES is served for every SigV4 request signed for service
    "ses", in any of the "region"s, whether or not this section is there)
    reject          how many sends (v1 and v2 together, counted in order of
                    arrival, once a request has passed authentication, faults
                    and the checks below) are refused before sends are
                    accepted (default 0).
    reject_code     the error those answer (default "MessageRejected"): an
                    error of v1 SendRawEmail or v2 SendEmail in botocore's
                    models (ses/2010-12-01, sesv2/2019-09-27), e.g.
                    MessageRejected, MailFromDomainNotVerifiedException,
                    ConfigurationSetDoesNotExist, AccountSendingPaused-
                    Exception, SendingPausedException, TooManyRequests-
                    Exception.  The HTTP status is that API's model's (400
                    where the model of the API used does not list the code).
    reject_message  its message (default "Email address is not verified.
                    The following identities failed the check in region
                    REGION: SOURCE", as SES says it).
    max_message_bytes   the largest message accepted, counted as SES
                    counts it: after base64 encoding, i.e. the length of
                    RawMessage.Data / Content.Raw.Data as sent (default:
                    SES's quotas, 10485760 for v1 and 41943040 for v2); a
                    larger one answers 400 MessageRejected "Message length
                    is more than LIMIT bytes long: 'N'.".

    Served: v1 (Query protocol, Version 2010-12-01) SendRawEmail, a form
    POST to / with Source, Destinations.member.N, RawMessage.Data,
    ConfigurationSetName (and the model's other members: FromArn, SourceArn,
    ReturnPathArn, Tags.member.N.Name/Value); and v2 (REST-JSON) SendEmail,
    POST /v2/email/outbound-emails with Content.Raw.Data (Content.Simple
    and Content.Template answer 400 BadRequestException: not served here).
    Both are signed for service "ses" (v2's endpoint prefix is "email", its
    signing name "ses").  Checked, after the signature: the request's
    members are the model's (an unknown one is refused: stricter than
    AWS, so a misspelt member cannot pass), the message is at most
    max_message_bytes, RawMessage.Data / Content.Raw.Data is strict
    base64, its header section is 7-bit ASCII (non-ASCII text
    must be RFC 2047/2231 encoded), no line is longer than 1000 octets
    with its CRLF (RFC 5321), it has a From header, and Python's email
    package parses it (policy.default) without a defect in any header or
    part, base64 bodies included; with no envelope recipients given
    (Destinations / Destination) the To, Cc and Bcc headers are used; 1 to
    50 recipients in all.  Such problems answer v1 400
    InvalidParameterValue, v2 400 BadRequestException (the message, when
    it is the fake's own stricter check, starts "fake_aws:").  Then the
    "reject" script; then the message is accepted: v1 answers
    SendRawEmailResult/MessageId, v2 {"MessageId": ...}.

    Errors: v1 as IAM/STS do (XML ErrorResponse, Type Sender, namespace
    http://ses.amazonaws.com/doc/2010-12-01/); v2 as REST-JSON services
    do: a body {"message": "..."} and the code in the x-amzn-ErrorType
    header, with the model's status.  v2's authentication failures carry
    the JSON protocols' names, as SES v2 answers them: InvalidSignature-
    Exception (v1: SignatureDoesNotMatch), UnrecognizedClientException
    (v1: InvalidClientTokenId), ExpiredTokenException,
    IncompleteSignatureException, MissingAuthenticationTokenException,
    their x-amzn-ErrorType suffixed ":http://internal.amazon.com/coral/
    com.amazon.coral.service/" as AWS's front end sends it.

    With --mail-dir DIR every accepted message is saved there as NNNN.eml
    (the decoded raw message, byte for byte) and NNNN.json: {"seq", "api"
    ("v1"/"v2"), "action", "message_id", "region", "access_key_id",
    "key_name", "signature_ok", "source" (v1 Source / v2 FromEmailAddress,
    null if not sent), "from" (the From header, decoded), "subject"
    (decoded), "destinations" (the envelope recipients, in order),
    "destinations_from_headers" (true when the request named none),
    "destination" (v2's Destination object as sent, else null),
    "configuration_set" (null if not sent), "message_bytes",
    "message_sha256", "eml"}.  NNNN counts on from the highest number
    already in DIR, so one DIR can serve several fakes in turn.

organization (optional; Organizations is served for every SigV4 request
    signed for service "organizations", region us-east-1 only, as IAM)
    management_account  required, 12 digits: the organization's management
                    account (it owns the account ARNs).
    id              the organization id (default "o-" and 10 characters
                    derived from management_account); o-[a-z0-9]{10,32}.
    page_size       accounts per page when the request has no MaxResults
                    (default 20; 1..20); with MaxResults, the page is the
                    smaller of the two.
    accounts        the accounts ListAccounts lists, in this order (list
                    the management account too if the client should see
                    it, as AWS lists it; the fake adds nothing).  Each:
                    id              required, 12 digits, unique.
                    name            default "account-ID".
                    email           default "aws+ID@example.com".
                    status          ACTIVE (default), SUSPENDED or
                                    PENDING_CLOSURE.
                    joined_method   CREATED (default) or INVITED.
                    joined_timestamp ISO-8601 (default 2020-01-01T00:00:00Z).
                    Answered as {"Id", "Arn" (arn:aws:organizations::
                    MANAGEMENT:account/ORG_ID/ID), "Email", "Name",
                    "Status", "JoinedMethod", "JoinedTimestamp" (epoch
                    seconds, a JSON number)}.  No "State": the botocore
                    model installed here (Debian's 1.29.27) has no such
                    member, only the Status that AWS later deprecated.
    callers         who may call ListAccounts: "*" or a list of key names,
                    access key ids or role ARNs (an assumed role's
                    credentials match its role ARN).  Default: every key
                    whose account is management_account, which includes
                    the credentials of roles in that account.  Anyone else
                    gets AccessDeniedException.

    Served: ListAccounts, the JSON 1.1 protocol as botocore's model
    (organizations/2016-11-28) describes it: POST / with X-Amz-Target:
    AWSOrganizationsV20161128.ListAccounts, Content-Type: application/
    x-amz-json-1.1, a JSON body with optional NextToken and MaxResults
    (1..20; an empty body counts as {}).  The answer is {"Accounts": [...],
    "NextToken": ...}, NextToken only when more accounts follow.  Tokens are
    opaque base64 (with + / =), HMAC-protected and good only for this run of
    the fake; any other answers InvalidInputException (Reason
    INVALID_NEXT_TOKEN).  The checks, in order: the signature; the
    operation (another X-Amz-Target, another method or path than POST /,
    or another Content-Type: UnknownOperationException); faults; the body
    (not a JSON object: SerializationException; members other than
    NextToken and MaxResults, stricter than AWS: InvalidInputException
    "fake_aws: ..."; MaxResults outside 1..20: InvalidInputException,
    Reason MIN_VALUE_EXCEEDED / MAX_VALUE_EXCEEDED); no "organization":
    AWSOrganizationsNotInUseException; not a caller: AccessDenied-
    Exception; then the NextToken.

    Errors: HTTP 400 (the model gives these errors no other status) with
    the x-amzn-RequestId header and a JSON 1.1 body, Content-Type
    application/x-amz-json-1.1, no x-amzn-ErrorType header, so a client
    must read the code from the body.  The service's own errors are
    {"__type": "AccessDeniedException", "Message": "You don't have
    permissions to access this resource."} (AWSOrganizationsNotInUse-
    Exception, InvalidInputException (+ "Reason"), TooManyRequestsException
    likewise); those of AWS's front end carry its namespace and a
    lower-case "message": {"__type": "com.amazon.coral.service#Unrecognized-
    ClientException", "message": "The security token included in the
    request is invalid."}, for the authentication failures in the JSON
    protocols' names (as SES v2's: InvalidSignatureException,
    UnrecognizedClientException, ExpiredTokenException,
    IncompleteSignatureException, MissingAuthenticationTokenException;
    all 400 here), UnknownOperationException and SerializationException.
    botocore takes the code after the "#" and either message member.

faults[] (checked in order, after authentication succeeded; a request that
    fails authentication is never faulted)
    kind            throttle      400 Throttling "Rate exceeded"
                    limit_exceeded 409 LimitExceeded
                    http500       500 ServiceFailure (IAM) / InternalFailure
                    http503       503 ServiceUnavailable
                    drop          close the connection without answering
                    slow          sleep "seconds", then go on (other faults
                                  and the normal answer still apply)
                    error         any answer: "status", "code", "message"
                    body          any answer at all, verbatim: "status"
                                  (default 200), "body" (text, sent as
                                  UTF-8) and "content_type" (default
                                  "text/xml"); for what no AWS service
                                  answers but a broken proxy might, such as
                                  a 200 with truncated or malformed XML
                    cut           the normal answer (the request takes
                                  effect: an object is stored, a mail is
                                  sent), but the connection is closed after
                                  the first half of the answer's bytes
                                  (status line, headers and body as sent):
                                  a connection reset mid-response
                    (ECS/IMDS answer throttle/limit_exceeded with 429 and
                    the http* kinds with their status, as plain JSON/text;
                    S3 answers throttle/limit_exceeded with 503 SlowDown
                    and http500 with InternalError, in S3's XML; SES v1
                    answers throttle with 400 Throttling "Maximum sending
                    rate exceeded.", SES v2 with 429 TooManyRequests-
                    Exception and limit_exceeded with 400 LimitExceeded-
                    Exception, in its JSON; Organizations answers throttle
                    and limit_exceeded with 400 TooManyRequestsException
                    "Rate exceeded", http500 with 500 ServiceException and
                    http503 with 503 ServiceUnavailable, in its JSON.)
    service         iam, sts, s3, ses, organizations, ecs, imds or "*"
                    (default "*").
    action          the Action (GetCredentialReport, AssumeRole, ...); for
                    S3 "PutObject", "GetObject" or "HeadObject"; for SES
                    "SendRawEmail" (v1) or "SendEmail" (v2); for
                    Organizations "ListAccounts"; for
                    ECS "GetCredentials"; for IMDS "GetToken", "ListRoles",
                    "GetRoleCredentials", "GetMetadata"; or "*" (default).
    key             only requests signed with this key (name or access key
                    id; an assumed role's credentials match the role ARN).
    skip            let this many matching requests through first (default 0).
    count           how many matching requests to fault (default 1), or
                    "always".
    seconds         for slow (and an optional delay before any other kind).
    status, code, message   for error; status also for body.
    body, content_type      for body.

ecs
    path            required, e.g. "/ecs/creds" (the full URI's path).
    token           if set, the Authorization header must equal it
                    (missing: 401, wrong: 403).
    key             required: the keys[] entry (with a session_token) served.
    role_arn        RoleArn in the answer (default the key's arn).

imds
    role            required: the instance profile's role name.
    key             required: the keys[] entry (with a session_token) served.
    allow_v1        default false: GETs without a token answer 401.
    instance_profile_arn    for /latest/meta-data/iam/info.

Request log (--log FILE, JSON Lines, one object per request, appended)
    ts          when the request finished (UTC, microseconds)
    seq         1, 2, ... in order of completion
    client      "127.0.0.1:PORT" of the client socket
    method, path        path without the query string
    service     iam, sts, s3, ses, organizations, ecs, imds, or null
                (unrouted)
    action      the Query Action, SendEmail for SES v2, the operation of
                Organizations' X-Amz-Target (after "AWSOrganizations-
                V20161128.", null without that prefix), or the ECS/IMDS
                action names below
    access_key_id, key_name, key_kind
                the signing key (for ECS/IMDS: the key handed out);
                key_kind is "long-term", "temporary" (scenario key with a
                token), "issued" (made by AssumeRole), or null (unknown key)
    session_token_present   bool (for IMDS: the metadata token header)
    session_token_ref       name of the key the X-Amz-Security-Token
                belongs to ("assumed:ROLE/SESSION#N" for issued ones),
                "unknown", or null when none was sent; never the token
    session_token_signed    bool: x-amz-security-token in SignedHeaders
    signature_ok    true/false, or null when the check never got that far
    status      the HTTP status, or null for a dropped connection or an
                answer cut short (the "cut" fault; detail says where)
    error_code  the Code answered (or ECS/IMDS reason), else null
    fault       "faults[N] KIND" when an injected fault fired
    detail      the error message; for SignatureDoesNotMatch the canonical
                request the fake expected (token value redacted)
    in_flight   how many requests the fake was handling when this one
                started, this one included (1: nothing else was in
                progress).  A request counts from when its header section
                has been read until its answer starts being written (or
                the connection is dropped), under a lock; so a client that
                waits for each answer before sending the next request
                always sees 1, and the largest in_flight of a run is the
                most requests a client had in progress at once.
    delay_ms    the scenario's delay_ms slept before answering (0: none)
    spool_pending  with watch_spool: the sinks pending in the spool when
                the request arrived
    duration_ms
  and for S3 requests also:
    bucket, key     the bucket and the decoded object key (UTF-8)
    addressing      "path" or "virtual"
    key_encoding_ok the path is the key encoded as S3 wants it: every byte
                    but A-Za-z0-9-_.~ and / as %XX (upper-case hex)
    signed_headers  SignedHeaders, as a list
    payload_hash_ok x-amz-content-sha256 signed and equal to the body's
                    SHA-256
    body_bytes, body_sha256   the request body's length and SHA-256 (hex)
    s3_headers      the request's Content-Type, Content-MD5, x-amz-checksum-*,
                    x-amz-server-side-encryption*, x-amz-storage-class,
                    x-amz-object-lock-* and x-amz-meta-* headers, by their
                    lower-case names
    version_id      the version a PutObject created, else null
  and for SES requests also:
    api             "v1" or "v2"
    region          the credential scope's region (null if unsigned)
    source, destinations, configuration_set   as in NNNN.json (null until
                    the request was read that far)
    message_bytes   the decoded raw message's length (null until decoded)
    message_id      the MessageId answered, else null
    mail_file       "NNNN.eml" when saved under --mail-dir, else null
    rejected        true when the "reject" script answered it
  and for Organizations requests also:
    target          the X-Amz-Target header as sent (null if none)
    max_results     MaxResults as sent (null if not sent or not read yet)
    next_token_sent bool: the request carried a NextToken
    page_size       the page length used (null when no page was answered)
    accounts_returned   how many accounts the answer listed (null: none)
    next_token_returned bool: the answer carried a NextToken
"""

import argparse
import base64
import binascii
import email.errors
import email.policy
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import string
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from email.parser import BytesParser
from email.utils import formatdate, getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials
    from botocore.loaders import create_loader
except ImportError:  # pragma: no cover - explained to the person running it
    sys.stderr.write(
        "fake_aws: botocore is missing; run me with /usr/bin/python3 "
        "(Debian's python3-botocore)\n")
    sys.exit(2)


IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_REGION = "us-east-1"
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
ISO8601 = "%Y-%m-%dT%H:%M:%SZ"
MAX_SKEW_SECONDS = 15 * 60
REPORT_STATES = ("STARTED", "INPROGRESS", "COMPLETE")
REPORT_ERRORS = ("ReportInProgress", "ReportNotPresent", "ReportExpired")
FAULT_KINDS = ("throttle", "limit_exceeded", "http500", "http503", "drop",
               "slow", "error", "body", "cut")
SERVICES = ("iam", "sts", "s3", "ses", "organizations", "ecs", "imds")
S3_STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
                      "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                      "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW",
                      "EXPRESS_ONEZONE")
S3_SSE = ("AES256", "aws:kms", "aws:kms:dsse")
S3_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
S3_MAX_KEY_BYTES = 1024
S3_MAX_METADATA_BYTES = 2048
SES_VERSION = "2010-12-01"
SES_NAMESPACE = "http://ses.amazonaws.com/doc/2010-12-01/"
SESV2_SEND_PATH = "/v2/email/outbound-emails"
SES_MAX_BYTES = {"v1": 10 * 1024 * 1024, "v2": 40 * 1024 * 1024}
SES_MAX_RECIPIENTS = 50
SES_MAX_LINE = 1000             # octets, CRLF included (RFC 5321)
# AWS's front end names the framework in x-amzn-ErrorType of the errors it
# answers itself (authentication), as "Code:URI".
CORAL_ERROR_SUFFIX = (":http://internal.amazon.com/coral/"
                      "com.amazon.coral.service/")
# AWS Organizations (JSON 1.1 protocol; a global service signed for
# us-east-1, like IAM).
ORGS_TARGET_PREFIX = "AWSOrganizationsV20161128."
ORGS_CONTENT_TYPE = "application/x-amz-json-1.1"
ORGS_MAX_RESULTS = 20           # the model's MaxResults: 1..20
ORGS_ACCOUNT_STATUSES = ("ACTIVE", "SUSPENDED", "PENDING_CLOSURE")
ORGS_JOINED_METHODS = ("INVITED", "CREATED")
ORGS_DEFAULT_JOINED = "2020-01-01T00:00:00Z"
# The 22 columns of IAM's credential report (see
# etc/sample-credential-report.csv), for accounts.ACCOUNT.report_users.
CREDENTIAL_REPORT_COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled",
    "password_last_used", "password_last_changed", "password_next_rotation",
    "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region",
    "access_key_1_last_used_service", "access_key_2_active",
    "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active",
    "cert_2_last_rotated")
# Request headers the log shows for S3 (by prefix, lower case).
S3_LOGGED_HEADERS = ("content-type", "content-md5", "x-amz-checksum-",
                     "x-amz-server-side-encryption", "x-amz-storage-class",
                     "x-amz-object-lock-", "x-amz-meta-", "x-amz-acl")


# --------------------------------------------------------------- utilities

class ScenarioError(Exception):
    """The scenario file is unusable; the message says why and where."""


class AwsError(Exception):
    """An error answered in AWS's Query-protocol XML (or JSON for ECS/IMDS).

    The code/status pairs follow botocore's models (iam/2010-05-08 and
    sts/2011-06-15 service-2.json) or, for authentication errors that the
    models do not list, what AWS really answers.
    """

    def __init__(self, status, code, message, sender=True):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.sender = sender


class DropConnection(Exception):
    """Raised by the "drop" fault: close the socket without any answer."""


class Clock:
    """The fake's notion of now: real time plus the scenario's offset."""

    def __init__(self, offset_seconds=0):
        self.offset = float(offset_seconds)

    def now(self):
        return time.time() + self.offset

    def iso(self, when=None):
        return iso8601(self.now() if when is None else when)


def iso8601(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(ISO8601)


def parse_iso8601(text, where):
    for fmt in (ISO8601, "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            parsed = datetime.strptime(text, fmt)
        except (TypeError, ValueError):
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.timestamp()
    raise ScenarioError("%s: %r is not an ISO-8601 time like "
                        "2024-05-01T12:00:00Z" % (where, text))


def random_id(prefix, length, alphabet=string.ascii_uppercase + string.digits):
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def derived_id(prefix, seed):
    """A stable AWS-looking unique id (AIDA.../AROA...) derived from seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    text = base64.b32encode(digest).decode().rstrip("=")
    return prefix + text[:17]


def synthesized_report(account, users):
    """A small valid credential report: IAM's 22-column header, the
    <root_account> row and users user-1 .. user-N (accounts.report_users)."""
    created = "2020-01-01T00:00:00+00:00"
    no_keys = ["false", "N/A", "N/A", "N/A", "N/A"] * 2    # access keys 1, 2
    no_certs = ["false", "N/A"] * 2                         # certs 1, 2
    rows = [CREDENTIAL_REPORT_COLUMNS,
            ["<root_account>", "arn:aws:iam::%s:root" % account, created,
             "not_supported", "N/A", "not_supported", "not_supported",
             "true"] + no_keys + no_certs]
    for number in range(1, users + 1):
        name = "user-%d" % number
        rows.append([name, "arn:aws:iam::%s:user/%s" % (account, name),
                     created, "false", "N/A", "N/A", "N/A", "false"] +
                    no_keys + no_certs)
    return "".join(",".join(row) + "\n" for row in rows).encode("ascii")


# ------------------------------------------------------------------ scenario

class Key:
    """One set of credentials the fake accepts.

    kind is "long-term", "temporary" (a scenario key with a session token)
    or "issued" (made by AssumeRole).  principal_arn is what trust lists
    match for issued keys: the role's ARN.
    """

    def __init__(self, name, access_key_id, secret, account, arn, user_id,
                 session_token=None, expired=False, expiration=None,
                 kind="long-term", principal_arn=None):
        self.name = name
        self.access_key_id = access_key_id
        self.secret = secret
        self.account = account
        self.arn = arn
        self.user_id = user_id
        self.session_token = session_token
        self.expired_flag = expired
        self.expiration = expiration
        self.kind = kind
        self.principal_arn = principal_arn

    @property
    def temporary(self):
        return self.session_token is not None

    def is_expired(self, now):
        return self.expired_flag or (
            self.expiration is not None and self.expiration <= now)

    def expiration_for_display(self, now):
        if self.expiration is not None:
            return self.expiration
        return now - 3600 if self.expired_flag else now + 3600

    def matches(self, selector):
        return selector in ("*", self.name, self.access_key_id) or (
            self.principal_arn is not None and selector == self.principal_arn)


class Role:
    def __init__(self, arn, account, external_id, trusted,
                 max_session_duration, lifetime, issue_expired):
        self.arn = arn
        self.account = account
        self.name = arn.split("/")[-1]
        self.role_id = derived_id("AROA", arn)
        self.external_id = external_id
        self.trusted = trusted
        self.max_session_duration = max_session_duration
        self.lifetime = lifetime
        self.issue_expired = issue_expired

    def trusts(self, key):
        return any(key.matches(t) for t in self.trusted)


class ReportScript:
    """How one account's credential report behaves (see the docstring)."""

    def __init__(self, account, content, generated_time, generate_states,
                 get_errors, reset_on, report_exists, strict):
        self.account = account
        self.content = content
        self.generated_time = generated_time
        self.generate_states = generate_states
        self.get_errors = list(get_errors)
        self.reset_on = set(reset_on)
        self.strict = strict
        # Mutable state, guarded by the server's state lock.
        self.generate_calls = 0     # since the last reset
        self.exists = report_exists
        self.completed_at = None


class Bucket:
    """One S3 bucket of the scenario and the objects put into it."""

    def __init__(self, name, region, versioning, object_lock, deny):
        self.name = name
        self.region = region
        self.versioning = versioning or object_lock
        self.object_lock = object_lock
        self.deny = deny                # True, False or a list of selectors
        self.objects = {}               # key -> list of versions, newest last

    def denies(self, key):
        if self.deny is True or self.deny is False:
            return self.deny
        return any(key.matches(d) for d in self.deny)


class Fault:
    def __init__(self, index, kind, service, action, key, skip, count,
                 seconds, status, code, message, body=None,
                 content_type=None):
        self.index = index
        self.kind = kind
        self.service = service
        self.action = action
        self.key = key
        self.skip = skip
        self.remaining = count          # None: always
        self.seconds = seconds
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        self.content_type = content_type

    def describe(self):
        return "faults[%d] %s" % (self.index, self.kind)


def spool_pending(spool):
    """The sinks pending in the finished entries of a reportpipe spool
    (state_dir/spool/ENTRY/pending/SINK; entries still being written are
    named .tmp-*), sorted; [] when there are none."""
    names = []
    try:
        entries = os.listdir(spool)
    except OSError:
        return names
    for entry in entries:
        if entry.startswith("."):
            continue
        try:
            names += os.listdir(os.path.join(spool, entry, "pending"))
        except OSError:
            pass
    return sorted(names)


class Scenario:
    """Loads and validates a scenario file into plain objects."""

    TOP_KEYS = {"region", "server_time_offset_seconds", "keys", "roles",
                "accounts", "buckets", "faults", "ses", "ecs", "imds",
                "organization", "delay_ms", "watch_spool"}

    def __init__(self, path):
        self.path = path
        self.base_dir = os.path.dirname(os.path.abspath(path))
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as err:
            raise ScenarioError("cannot read %s: %s" % (path, err.strerror))
        except ValueError as err:
            raise ScenarioError("%s is not valid JSON: %s" % (path, err))
        self._check_object(data, "scenario", self.TOP_KEYS)

        region = data.get("region", "us-east-1")
        self.sts_regions = [region] if isinstance(region, str) else region
        if not (isinstance(self.sts_regions, list) and self.sts_regions and
                all(isinstance(r, str) for r in self.sts_regions)):
            raise ScenarioError("region: a string or a list of strings")
        self.clock = Clock(self._number(
            data.get("server_time_offset_seconds", 0),
            "server_time_offset_seconds"))

        self.keys = [self._load_key(k, "keys[%d]" % i)
                     for i, k in enumerate(self._list(data, "keys"))]
        seen = set()
        for key in self.keys:
            for ident in {key.name, key.access_key_id}:
                if ident in seen:
                    raise ScenarioError("keys: %r is used twice" % ident)
                seen.add(ident)

        self.roles = [self._load_role(r, "roles[%d]" % i)
                      for i, r in enumerate(self._list(data, "roles"))]
        accounts = data.get("accounts", {})
        self._check_object(accounts, "accounts", None)
        self.reports = {acct: self._load_report(acct, spec)
                        for acct, spec in accounts.items()}
        buckets = data.get("buckets", {})
        self._check_object(buckets, "buckets", None)
        self.buckets = {name: self._load_bucket(name, spec)
                        for name, spec in buckets.items()}
        self.faults = [self._load_fault(f, i)
                       for i, f in enumerate(self._list(data, "faults"))]
        self.ses = self._load_ses(data.get("ses", {}))
        self.ecs = self._load_ecs(data.get("ecs"))
        self.imds = self._load_imds(data.get("imds"))
        self.organization = self._load_organization(data.get("organization"))
        self.delays = self._load_delays(data.get("delay_ms", {}))
        watch = data.get("watch_spool")
        if watch is not None and not isinstance(watch, str):
            raise ScenarioError("watch_spool: a directory path (a string)")
        self.watch_spool = os.path.join(self.base_dir, watch) \
            if watch else None

    # -- small validation helpers

    @staticmethod
    def _check_object(value, where, allowed):
        if not isinstance(value, dict):
            raise ScenarioError("%s: must be a JSON object" % where)
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise ScenarioError("%s: unknown key(s) %s (allowed: %s)" % (
                    where, ", ".join(unknown), ", ".join(sorted(allowed))))

    @staticmethod
    def _list(data, name):
        value = data.get(name, [])
        if not isinstance(value, list):
            raise ScenarioError("%s: must be a list" % name)
        return value

    @staticmethod
    def _string(spec, name, where, required=False, default=None):
        value = spec.get(name, default)
        if value is None:
            if required:
                raise ScenarioError("%s: %s is required" % (where, name))
            return None
        if not isinstance(value, str) or not value:
            raise ScenarioError("%s: %s must be a non-empty string"
                                % (where, name))
        return value

    @staticmethod
    def _number(value, where, minimum=None):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError("%s: must be a number" % where)
        if minimum is not None and value < minimum:
            raise ScenarioError("%s: must be at least %s" % (where, minimum))
        return value

    @staticmethod
    def _account(value, where):
        if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
            raise ScenarioError("%s: account must be a 12-digit string"
                                % where)
        return value

    def _bool(self, spec, name, where, default=False):
        value = spec.get(name, default)
        if not isinstance(value, bool):
            raise ScenarioError("%s: %s must be true or false" % (where, name))
        return value

    def find_key(self, selector, where):
        for key in self.keys:
            if selector in (key.name, key.access_key_id):
                return key
        raise ScenarioError("%s: no key named %r in keys" % (where, selector))

    # -- sections

    def _load_key(self, spec, where):
        self._check_object(spec, where, {
            "name", "access_key_id", "secret_access_key", "account", "arn",
            "user_id", "session_token", "expired", "expiration"})
        akid = self._string(spec, "access_key_id", where, required=True)
        secret = self._string(spec, "secret_access_key", where, required=True)
        account = self._account(spec.get("account"), where)
        name = self._string(spec, "name", where, default=akid)
        arn = self._string(spec, "arn", where,
                           default="arn:aws:iam::%s:user/%s" % (account, name))
        token = self._string(spec, "session_token", where)
        expired = self._bool(spec, "expired", where)
        expiration = spec.get("expiration")
        if expiration is not None:
            expiration = parse_iso8601(expiration, where + ": expiration")
        if (expired or expiration is not None) and token is None:
            raise ScenarioError("%s: expired/expiration need a session_token "
                                "(long-term keys do not expire)" % where)
        user_id = self._string(
            spec, "user_id", where,
            default=derived_id("AROA" if token else "AIDA", akid))
        return Key(name, akid, secret, account, arn, user_id, token, expired,
                   expiration, "temporary" if token else "long-term")

    def _load_role(self, spec, where):
        self._check_object(spec, where, {
            "arn", "account", "external_id", "trusted", "max_session_duration",
            "credential_lifetime_seconds", "issue_expired"})
        arn = self._string(spec, "arn", where, required=True)
        match = re.fullmatch(r"arn:aws:iam::(\d{12}):role/(?:[\w+=,.@/-]+/)?"
                             r"[\w+=,.@-]+", arn)
        if not match:
            raise ScenarioError("%s: arn %r is not arn:aws:iam::ACCOUNT:"
                                "role/NAME" % (where, arn))
        account = self._account(spec.get("account", match.group(1)), where)
        trusted = spec.get("trusted", "*")
        if trusted == "*":
            trusted = ["*"]
        if not (isinstance(trusted, list) and
                all(isinstance(t, str) for t in trusted)):
            raise ScenarioError("%s: trusted must be \"*\" or a list of key "
                                "names/ids/role ARNs" % where)
        duration = self._number(spec.get("max_session_duration", 3600),
                                where + ": max_session_duration", 900)
        lifetime = spec.get("credential_lifetime_seconds")
        if lifetime is not None:
            lifetime = self._number(lifetime, where +
                                    ": credential_lifetime_seconds", 0)
        return Role(arn, account, self._string(spec, "external_id", where),
                    trusted, int(duration), lifetime,
                    self._bool(spec, "issue_expired", where))

    def _load_report(self, account, spec):
        where = "accounts[%s]" % account
        self._account(account, where)
        self._check_object(spec, where, {
            "report_file", "report_csv", "report_base64", "report_users",
            "generated_time", "generate_states", "get_errors", "reset_on",
            "report_exists", "strict"})
        sources = [s for s in ("report_file", "report_csv", "report_base64",
                               "report_users") if s in spec]
        if len(sources) > 1:
            raise ScenarioError("%s: give only one of %s" % (
                where, ", ".join(sources)))
        content = None
        if "report_file" in spec:
            name = self._string(spec, "report_file", where)
            path = os.path.join(self.base_dir, name)
            try:
                with open(path, "rb") as handle:
                    content = handle.read()
            except OSError as err:
                raise ScenarioError("%s: cannot read report_file %s: %s" % (
                    where, path, err.strerror))
        elif "report_csv" in spec:
            if not isinstance(spec["report_csv"], str):
                raise ScenarioError("%s: report_csv must be a string" % where)
            content = spec["report_csv"].encode("utf-8")
        elif "report_base64" in spec:
            try:
                content = base64.b64decode(spec["report_base64"],
                                           validate=True)
            except (TypeError, ValueError):
                raise ScenarioError("%s: report_base64 is not base64" % where)
        elif "report_users" in spec:
            users = spec["report_users"]
            if isinstance(users, bool) or not isinstance(users, int) or \
                    users < 0:
                raise ScenarioError("%s: report_users must be a whole number"
                                    % where)
            content = synthesized_report(account, users)

        generated = spec.get("generated_time")
        if generated is not None:
            generated = parse_iso8601(generated, where + ": generated_time")

        states = spec.get("generate_states", ["STARTED"])
        if states != "never":
            if not (isinstance(states, list) and
                    all(s in REPORT_STATES for s in states)):
                raise ScenarioError("%s: generate_states must be \"never\" or "
                                    "a list of %s" % (
                                        where, "/".join(REPORT_STATES)))
        errors = spec.get("get_errors", [])
        reset_on = spec.get("reset_on", ["ReportNotPresent", "ReportExpired"])
        for name, value in (("get_errors", errors), ("reset_on", reset_on)):
            if not (isinstance(value, list) and
                    all(e in REPORT_ERRORS for e in value)):
                raise ScenarioError("%s: %s must be a list of %s" % (
                    where, name, "/".join(REPORT_ERRORS)))
        return ReportScript(account, content, generated, states, errors,
                            reset_on, self._bool(spec, "report_exists", where),
                            self._bool(spec, "strict", where, True))

    def _load_bucket(self, name, spec):
        where = "buckets[%s]" % name
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name):
            raise ScenarioError("%s: not a bucket name (3-63 of a-z, 0-9, "
                                "'.', '-')" % where)
        self._check_object(spec, where, {"region", "versioning",
                                         "object_lock", "deny"})
        deny = spec.get("deny", False)
        if isinstance(deny, list):
            if not all(isinstance(d, str) for d in deny):
                raise ScenarioError("%s: deny must be true, false or a list "
                                    "of key names" % where)
            for selector in deny:
                self.find_key(selector, where + ": deny")
        elif not isinstance(deny, bool):
            raise ScenarioError("%s: deny must be true, false or a list of "
                                "key names" % where)
        return Bucket(name,
                      self._string(spec, "region", where,
                                   default=self.sts_regions[0]),
                      self._bool(spec, "versioning", where),
                      self._bool(spec, "object_lock", where), deny)

    def _load_fault(self, spec, index):
        where = "faults[%d]" % index
        self._check_object(spec, where, {
            "kind", "service", "action", "key", "skip", "count", "seconds",
            "status", "code", "message", "body", "content_type"})
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise ScenarioError("%s: kind must be one of %s" % (
                where, ", ".join(FAULT_KINDS)))
        service = spec.get("service", "*")
        if service != "*" and service not in SERVICES:
            raise ScenarioError("%s: service must be one of %s or \"*\"" % (
                where, ", ".join(SERVICES)))
        count = spec.get("count", 1)
        if count == "always":
            count = None
        elif (isinstance(count, bool) or not isinstance(count, int)
              or count < 0):
            raise ScenarioError("%s: count must be a whole number or "
                                "\"always\"" % where)
        skip = spec.get("skip", 0)
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ScenarioError("%s: skip must be a whole number" % where)
        seconds = self._number(spec.get("seconds", 0), where + ": seconds", 0)
        if kind == "slow" and not seconds:
            raise ScenarioError("%s: a slow fault needs seconds" % where)
        status = spec.get("status")
        code = spec.get("code")
        if kind == "error":
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise ScenarioError("%s: an error fault needs a status "
                                    "400..599" % where)
            if not isinstance(code, str) or not code:
                raise ScenarioError("%s: an error fault needs a code" % where)
        body = spec.get("body")
        content_type = spec.get("content_type", "text/xml")
        if kind == "body":
            status = spec.get("status", 200)
            if isinstance(status, bool) or not isinstance(status, int) or \
                    not 200 <= status <= 599:
                raise ScenarioError("%s: a body fault's status must be "
                                    "200..599" % where)
            if not isinstance(body, str):
                raise ScenarioError("%s: a body fault needs a body (text)"
                                    % where)
            if not isinstance(content_type, str) or not content_type:
                raise ScenarioError("%s: content_type must be a non-empty "
                                    "string" % where)
        elif "body" in spec or "content_type" in spec:
            raise ScenarioError("%s: body and content_type are for a body "
                                "fault only" % where)
        key = self._string(spec, "key", where, default="*")
        if key != "*" and not key.startswith("arn:"):
            self.find_key(key, where)
        action = self._string(spec, "action", where, default="*")
        return Fault(index, kind, service, action, key, skip,
                     count, seconds, status, code,
                     spec.get("message", "Injected by fake_aws"), body,
                     content_type)

    def _load_ses(self, spec):
        self._check_object(spec, "ses", {"reject", "reject_code",
                                         "reject_message",
                                         "max_message_bytes"})
        reject = spec.get("reject", 0)
        if isinstance(reject, bool) or not isinstance(reject, int) or \
                reject < 0:
            raise ScenarioError("ses: reject must be a whole number")
        code = self._string(spec, "reject_code", "ses",
                            default="MessageRejected")
        known = SesModels.get().reject_codes()
        if code not in known:
            raise ScenarioError("ses: reject_code %r is not an error of SES "
                                "SendRawEmail or SendEmail (one of %s)" % (
                                    code, ", ".join(sorted(known))))
        limit = spec.get("max_message_bytes")
        if limit is not None and (isinstance(limit, bool) or
                                  not isinstance(limit, int) or limit < 1):
            raise ScenarioError("ses: max_message_bytes must be a whole "
                                "number, at least 1")
        return {"reject": reject, "reject_code": code,
                "reject_message": self._string(spec, "reject_message", "ses"),
                "max_message_bytes": limit}

    def _load_organization(self, spec):
        if spec is None:
            return None
        where = "organization"
        self._check_object(spec, where, {"management_account", "id",
                                         "page_size", "accounts", "callers"})
        management = self._account(spec.get("management_account"),
                                   where + ": management_account")
        org_id = self._string(spec, "id", where,
                              default="o-" + derived_id("", management)[
                                  :10].lower())
        if not re.fullmatch(r"o-[a-z0-9]{10,32}", org_id):
            raise ScenarioError("%s: id must look like o-exampleorg1 (o- and "
                                "10 to 32 of a-z, 0-9)" % where)
        page_size = spec.get("page_size", ORGS_MAX_RESULTS)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or \
                not 1 <= page_size <= ORGS_MAX_RESULTS:
            raise ScenarioError("%s: page_size must be a whole number 1..%d"
                                % (where, ORGS_MAX_RESULTS))
        accounts = self._list(spec, "accounts")
        loaded, seen = [], set()
        for i, account in enumerate(accounts):
            entry = self._load_org_account(account, "%s: accounts[%d]" % (
                where, i), org_id, management)
            if entry["Id"] in seen:
                raise ScenarioError("%s: accounts: %s is listed twice" % (
                    where, entry["Id"]))
            seen.add(entry["Id"])
            loaded.append(entry)
        callers = spec.get("callers")
        if callers is not None:
            if callers == "*":
                callers = ["*"]
            if not (isinstance(callers, list) and
                    all(isinstance(c, str) and c for c in callers)):
                raise ScenarioError("%s: callers must be \"*\" or a list of "
                                    "key names/ids/role ARNs" % where)
            for selector in callers:
                if selector != "*" and not selector.startswith("arn:"):
                    self.find_key(selector, where + ": callers")
        return {"management_account": management, "id": org_id,
                "page_size": page_size, "accounts": loaded,
                "callers": callers}

    def _load_org_account(self, spec, where, org_id, management):
        self._check_object(spec, where, {"id", "name", "email", "status",
                                         "joined_method", "joined_timestamp"})
        account = self._account(spec.get("id"), where + ": id")
        status = spec.get("status", "ACTIVE")
        if status not in ORGS_ACCOUNT_STATUSES:
            raise ScenarioError("%s: status must be one of %s" % (
                where, ", ".join(ORGS_ACCOUNT_STATUSES)))
        method = spec.get("joined_method", "CREATED")
        if method not in ORGS_JOINED_METHODS:
            raise ScenarioError("%s: joined_method must be one of %s" % (
                where, ", ".join(ORGS_JOINED_METHODS)))
        joined = parse_iso8601(
            self._string(spec, "joined_timestamp", where,
                         default=ORGS_DEFAULT_JOINED),
            where + ": joined_timestamp")
        return {"Id": account,
                "Arn": "arn:aws:organizations::%s:account/%s/%s" % (
                    management, org_id, account),
                "Email": self._string(spec, "email", where,
                                      default="aws+%s@example.com" % account),
                "Name": self._string(spec, "name", where,
                                     default="account-%s" % account),
                "Status": status,
                "JoinedMethod": method,
                "JoinedTimestamp": joined}

    def _load_delays(self, spec):
        self._check_object(spec, "delay_ms", set(SERVICES) | {"*"})
        return {service: self._number(ms, "delay_ms.%s" % service, 0)
                for service, ms in spec.items()}

    def _temporary_key(self, spec, where):
        key = self.find_key(self._string(spec, "key", where, required=True),
                            where)
        if not key.temporary:
            raise ScenarioError("%s: key %r needs a session_token (ECS and "
                                "IMDS only hand out temporary credentials)"
                                % (where, key.name))
        return key

    def _load_ecs(self, spec):
        if spec is None:
            return None
        self._check_object(spec, "ecs", {"path", "token", "key", "role_arn"})
        path = self._string(spec, "path", "ecs", required=True)
        if not path.startswith("/") or path.startswith("/latest/"):
            raise ScenarioError("ecs: path must start with / and not be "
                                "under /latest/")
        key = self._temporary_key(spec, "ecs")
        return {"path": path, "token": self._string(spec, "token", "ecs"),
                "key": key,
                "role_arn": self._string(spec, "role_arn", "ecs",
                                         default=key.arn)}

    def _load_imds(self, spec):
        if spec is None:
            return None
        self._check_object(spec, "imds", {"role", "key", "allow_v1",
                                          "instance_profile_arn"})
        role = self._string(spec, "role", "imds", required=True)
        if "/" in role:
            raise ScenarioError("imds: role is a name, not a path or ARN")
        key = self._temporary_key(spec, "imds")
        return {"role": role, "key": key,
                "allow_v1": self._bool(spec, "allow_v1", "imds"),
                "instance_profile_arn": self._string(
                    spec, "instance_profile_arn", "imds",
                    default="arn:aws:iam::%s:instance-profile/%s" % (
                        key.account, role))}


# ------------------------------------------------------------- shared state

class KeyStore:
    """The scenario's keys plus those AssumeRole issues, by access key id."""

    def __init__(self, keys, clock):
        self._lock = threading.Lock()
        self._keys = {k.access_key_id: k for k in keys}
        self._clock = clock
        self._issued = 0

    def get(self, access_key_id):
        with self._lock:
            return self._keys.get(access_key_id)

    def token_owner(self, token):
        """The key whose session token this is (for the log), or None."""
        with self._lock:
            for key in self._keys.values():
                if key.session_token is not None and hmac.compare_digest(
                        key.session_token.encode(), token.encode()):
                    return key
        return None

    def issue(self, role, session_name, duration):
        now = self._clock.now()
        lifetime = duration if role.lifetime is None else role.lifetime
        expiration = now - 60 if role.issue_expired else now + lifetime
        with self._lock:
            self._issued += 1
            # Real tokens are long and full of + / =, which is exactly what
            # a client must carry through headers untouched.
            token = "FwoGZXIvYXdzE" + base64.b64encode(
                secrets.token_bytes(270)).decode()
            key = Key(
                name="assumed:%s/%s#%d" % (role.name, session_name,
                                           self._issued),
                access_key_id=random_id("ASIA", 16),
                secret=base64.b64encode(secrets.token_bytes(30)).decode(),
                account=role.account,
                arn="arn:aws:sts::%s:assumed-role/%s/%s" % (
                    role.account, role.name, session_name),
                user_id="%s:%s" % (role.role_id, session_name),
                session_token=token, expiration=expiration, kind="issued",
                principal_arn=role.arn)
            self._keys[key.access_key_id] = key
        return key


class FaultInjector:
    """Decides, per authenticated request, which scripted faults fire."""

    def __init__(self, faults):
        self._lock = threading.Lock()
        self._faults = faults

    def pick(self, service, action, key):
        """Return the firing faults in order: slow ones, then at most one
        answering fault (which ends the list)."""
        fired = []
        with self._lock:
            for fault in self._faults:
                if fault.service not in ("*", service):
                    continue
                if fault.action not in ("*", action):
                    continue
                if fault.key != "*" and (key is None or
                                         not key.matches(fault.key)):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.remaining is not None:
                    if fault.remaining <= 0:
                        continue
                    fault.remaining -= 1
                fired.append(fault)
                if fault.kind != "slow":
                    break
        return fired


# --------------------------------------------------------------- SigV4 check

class _SignedHeadersOnlySigV4(SigV4Auth):
    """botocore's SigV4Auth, made to sign exactly the client's header set.

    Stock headers_to_sign() drops user-agent, expect and x-amzn-trace-id
    (SIGNED_HEADERS_BLACKLIST) and invents a host header from the URL.
    Both are right for a client but wrong for a verifier: AWS computes the
    canonical request from whatever SignedHeaders lists.  The AWSRequest
    we build carries only the signed headers, so we use them all.
    Everything else (canonical request, string to sign, key derivation)
    is botocore's code, unchanged.
    """

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map


class _SignedHeadersOnlyS3SigV4(S3SigV4Auth):
    """The same, with S3's rules: the path is signed as it was sent."""

    headers_to_sign = _SignedHeadersOnlySigV4.headers_to_sign


class AuthResult:
    """What SigV4Verifier learned about a request, for routing and logging."""

    def __init__(self):
        self.service = None
        self.region = None
        self.access_key_id = None
        self.key = None
        self.token_present = False
        self.token_signed = False
        self.token_ref = None
        self.signature_ok = None
        self.detail = None


def _redact(canonical_request, header_names):
    """Blank the values of secret-bearing headers in a canonical request."""
    lines = canonical_request.split("\n")
    for i, line in enumerate(lines):
        name, sep, _ = line.partition(":")
        if sep and name in header_names:
            lines[i] = name + ":<redacted>"
    return "\n".join(lines)


class SigV4Verifier:
    """Checks an incoming request's AWS Signature Version 4.

    The order of the checks follows AWS: the Authorization header's syntax,
    the date, the access key, the session token and its expiry, the scope,
    then the signature itself.
    """

    AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(?P<params>.*)$", re.S)

    def __init__(self, keystore, clock, regions_by_service, port):
        self.keystore = keystore
        self.clock = clock
        self.regions = regions_by_service
        self.port = port

    @staticmethod
    def scope_service(authorization):
        """The service named in the credential scope, or None (routing)."""
        match = re.search(r"Credential=[^/,\s]*/[^/,\s]*/[^/,\s]*/"
                          r"([^/,\s]*)/", authorization or "")
        return match.group(1) if match else None

    def _parse(self, authorization):
        match = self.AUTH_RE.match(authorization)
        if not match:
            raise AwsError(400, "IncompleteSignature",
                           "Unsupported AWS 'algorithm' in the Authorization "
                           "header (only AWS4-HMAC-SHA256 is accepted)")
        params = {}
        for part in match.group("params").split(","):
            name, sep, value = part.strip().partition("=")
            if sep:
                params[name.strip()] = value.strip()
        missing = [p for p in ("Credential", "SignedHeaders", "Signature")
                   if not params.get(p)]
        if missing:
            raise AwsError(400, "IncompleteSignature", " ".join(
                "Authorization header requires '%s' parameter." % p
                for p in missing))
        scope = params["Credential"].split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise AwsError(400, "IncompleteSignature",
                           "Credential must be ACCESS_KEY/YYYYMMDD/REGION/"
                           "SERVICE/aws4_request")
        signed = params["SignedHeaders"].split(";")
        return scope, signed, params["Signature"]

    def verify(self, method, raw_path, headers, body, result):
        """Fill in result; raise AwsError for any failure."""
        (akid, scope_date, region, service, _), signed, signature = \
            self._parse(headers.get("Authorization", ""))
        result.access_key_id = akid
        result.service = service
        result.region = region

        amz_date = headers.get("X-Amz-Date")
        if amz_date is None:
            raise AwsError(400, "IncompleteSignature",
                           "Authorization header requires existence of either "
                           "a 'X-Amz-Date' or a 'Date' header. (this fake "
                           "accepts X-Amz-Date only)")
        try:
            signed_at = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(
                tzinfo=timezone.utc).timestamp()
        except ValueError:
            raise AwsError(400, "IncompleteSignature",
                           "Date must be in ISO-8601 'basic format'. Got '%s'."
                           % amz_date)

        key = self.keystore.get(akid)
        result.key = key
        token = headers.get("X-Amz-Security-Token")
        result.token_present = token is not None
        result.token_signed = "x-amz-security-token" in signed
        if token is not None:
            owner = self.keystore.token_owner(token)
            result.token_ref = owner.name if owner else "unknown"
        invalid = AwsError(403, "InvalidClientTokenId",
                           "The security token included in the request is "
                           "invalid.")
        if key is None:
            raise invalid
        if key.temporary != (token is not None):
            raise invalid
        if key.temporary and not hmac.compare_digest(
                key.session_token.encode(), token.encode()):
            raise invalid
        now = self.clock.now()
        if key.temporary and key.is_expired(now):
            raise AwsError(403, "ExpiredToken",
                           "The security token included in the request is "
                           "expired")

        if signed_at < now - MAX_SKEW_SECONDS:
            raise AwsError(403, "SignatureDoesNotMatch",
                           "Signature expired: %s is now earlier than %s "
                           "(%s - 15 min.)" % (
                               amz_date,
                               _sigv4_time(now - MAX_SKEW_SECONDS),
                               _sigv4_time(now)))
        if signed_at > now + MAX_SKEW_SECONDS:
            raise AwsError(403, "SignatureDoesNotMatch",
                           "Signature not yet current: %s is still later than "
                           "%s (%s + 15 min.)" % (
                               amz_date,
                               _sigv4_time(now + MAX_SKEW_SECONDS),
                               _sigv4_time(now)))
        if scope_date != amz_date[:8]:
            raise AwsError(403, "SignatureDoesNotMatch",
                           "Date in Credential scope does not match YYYYMMDD "
                           "from ISO-8601 version of date from HTTP: '%s' != "
                           "'%s', from '%s'." % (scope_date, amz_date[:8],
                                                 amz_date))
        # None: any region (S3 checks the bucket's region itself).
        if self.regions[service] is not None and \
                region not in self.regions[service]:
            raise AwsError(403, "SignatureDoesNotMatch",
                           "Credential should be scoped to a valid region. "
                           "(this fake accepts %s for %s, got '%s')" % (
                               ", ".join(self.regions[service]), service,
                               region))
        if "host" not in signed:
            raise AwsError(400, "IncompleteSignature",
                           "'Host' or ':authority' must be a 'SignedHeader' "
                           "in the AWS Authorization.")

        declared = headers.get("X-Amz-Content-SHA256")
        # S3 lets a client sign the marker instead of the hash; the S3
        # service decides where that is acceptable.
        if declared is not None and "x-amz-content-sha256" in signed and \
                not (service == "s3" and declared == "UNSIGNED-PAYLOAD") and \
                declared != hashlib.sha256(body).hexdigest():
            # botocore's canonical_request() trusts this header instead of
            # hashing the body, so a mismatch would let a changed body
            # through.  AWS checks it; so do we.
            result.signature_ok = False
            raise AwsError(403, "SignatureDoesNotMatch",
                           "The provided 'x-amz-content-sha256' header does "
                           "not match the computed hash of the body.")

        expected, canonical = self._expected_signature(
            key, service, region, amz_date, method, raw_path, headers,
            signed, body)
        result.signature_ok = hmac.compare_digest(expected, signature)
        if not result.signature_ok:
            shown = _redact(canonical, {"x-amz-security-token"})
            result.detail = "canonical request expected:\n" + shown
            raise AwsError(403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not "
                           "match the signature you provided. Check your AWS "
                           "Secret Access Key and signing method. Consult the "
                           "service documentation for details.\n\nThe "
                           "Canonical String for this request should have "
                           "been\n'%s'\n" % shown)
        return key

    def _expected_signature(self, key, service, region, amz_date, method,
                            raw_path, headers, signed, body):
        """Run botocore's signer over the request as the client signed it."""
        request = AWSRequest(method=method,
                             url="http://127.0.0.1:%d%s" % (self.port,
                                                            raw_path),
                             data=body)
        for name in signed:
            values = headers.get_all(name)
            # A header listed but not sent is signed as empty, which then
            # fails to match, as at AWS.
            for value in values if values else [""]:
                request.headers[name] = value
        request.context["timestamp"] = amz_date
        signer_class = _SignedHeadersOnlyS3SigV4 if service == "s3" \
            else _SignedHeadersOnlySigV4
        signer = signer_class(
            Credentials(key.access_key_id, key.secret, key.session_token),
            service, region)
        canonical = signer.canonical_request(request)
        string_to_sign = signer.string_to_sign(request, canonical)
        return signer.signature(string_to_sign, request), canonical


def _sigv4_time(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(
        SIGV4_TIMESTAMP)


# ----------------------------------------------------------------- services

class Response:
    """An answer the HTTP handler writes verbatim."""

    def __init__(self, status, body, content_type, headers=None,
                 error_code=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.content_type = content_type
        self.headers = headers or {}
        self.error_code = error_code


class QueryService:
    """Shared plumbing of the AWS Query protocol (IAM and STS)."""

    name = None
    version = None
    namespace = None
    actions = {}

    def __init__(self, state):
        self.state = state

    def success(self, action, result_xml, request_id):
        body = ('<{a}Response xmlns="{ns}">\n'
                '  <{a}Result>\n{result}  </{a}Result>\n'
                '  <ResponseMetadata>\n'
                '    <RequestId>{rid}</RequestId>\n'
                '  </ResponseMetadata>\n'
                '</{a}Response>\n').format(a=action, ns=self.namespace,
                                           result=result_xml, rid=request_id)
        return Response(200, body, "text/xml",
                        {"x-amzn-RequestId": request_id})

    def error(self, err, request_id):
        body = ('<ErrorResponse xmlns="{ns}">\n'
                '  <Error>\n'
                '    <Type>{type}</Type>\n'
                '    <Code>{code}</Code>\n'
                '    <Message>{message}</Message>\n'
                '  </Error>\n'
                '  <RequestId>{rid}</RequestId>\n'
                '</ErrorResponse>\n').format(
                    ns=self.namespace,
                    type="Sender" if err.sender else "Receiver",
                    code=xml_escape(err.code),
                    message=xml_escape(err.message), rid=request_id)
        return Response(err.status, body, "text/xml",
                        {"x-amzn-RequestId": request_id},
                        error_code=err.code)

    def check_action(self, params):
        """Validate Action/Version; return the action name."""
        action = params.get("Action")
        if not action:
            raise AwsError(400, "MissingAction",
                           "The request must contain the parameter Action")
        if action not in self.actions or params.get("Version") != \
                self.version:
            raise AwsError(400, "InvalidAction",
                           "Could not find operation %s for version %s" % (
                               action, params.get("Version", "NO_VERSION")))
        return action

    def handle(self, action, params, key, ctx=None):
        """Return the <Result> body XML for a successful call.  ctx (the
        request's log record and scope region) is for services that need
        it (SES)."""
        return getattr(self, self.actions[action])(params, key)

    def fault_error(self, fault):
        """The AwsError a non-slow, non-drop fault answers with."""
        if fault.kind == "throttle":
            return AwsError(400, "Throttling", "Rate exceeded")
        if fault.kind == "limit_exceeded":
            return AwsError(409, "LimitExceeded", fault.message
                            if fault.message != "Injected by fake_aws" else
                            "Cannot exceed quota for concurrent requests "
                            "(injected by fake_aws)")
        if fault.kind == "http500":
            return AwsError(500, self.internal_error_code,
                            "An internal error occurred (injected by "
                            "fake_aws)", sender=False)
        if fault.kind == "http503":
            return AwsError(503, "ServiceUnavailable", "Service is "
                            "unavailable (injected by fake_aws)",
                            sender=False)
        return AwsError(fault.status, fault.code, fault.message,
                        sender=fault.status < 500)


def _element(name, value, indent=4):
    return "%s<%s>%s</%s>\n" % (" " * indent, name, xml_escape(str(value)),
                                name)


class IamService(QueryService):
    """IAM's credential report API, scripted per account.

    GenerateCredentialReport walks the account's generate_states;
    GetCredentialReport first answers the scripted errors, then (in strict
    mode) refuses until a generation finished, as AWS does.
    """

    name = "iam"
    version = IAM_VERSION
    namespace = IAM_NAMESPACE
    internal_error_code = "ServiceFailure"   # the IAM model's 500
    actions = {"GenerateCredentialReport": "generate_credential_report",
               "GetCredentialReport": "get_credential_report"}

    DESCRIPTIONS = {
        "STARTED": "No report exists. Starting a new report generation task",
        "INPROGRESS": "Report generation in progress",
    }

    def _script(self, key):
        return self.state.reports.setdefault(key.account, ReportScript(
            key.account, None, None, ["STARTED"], [],
            ["ReportNotPresent", "ReportExpired"], False, True))

    def generate_credential_report(self, params, key):
        with self.state.lock:
            script = self._script(key)
            if script.generate_states == "never":
                state = "INPROGRESS"
            elif script.generate_calls < len(script.generate_states):
                state = script.generate_states[script.generate_calls]
            else:
                state = "COMPLETE"
            script.generate_calls += 1
            if state == "COMPLETE" and not script.exists:
                script.exists = True
                script.completed_at = self.state.clock.now()
        xml = _element("State", state)
        if state in self.DESCRIPTIONS:
            xml += _element("Description", self.DESCRIPTIONS[state])
        return xml

    def get_credential_report(self, params, key):
        with self.state.lock:
            script = self._script(key)
            error = None
            if script.get_errors:
                error = script.get_errors.pop(0)
                if error in script.reset_on:
                    script.exists = False
                    script.generate_calls = 0
                    script.completed_at = None
            elif script.strict and not script.exists:
                error = ("ReportNotPresent" if script.generate_calls == 0
                         else "ReportInProgress")
            content = script.content
            generated = (script.generated_time or script.completed_at or
                         self.state.started_at)
        if error is not None:
            raise self.report_error(error)
        if content is None:
            raise AwsError(500, "ServiceFailure",
                           "fake_aws: the scenario has no report for account "
                           "%s (add accounts.%s.report_file or report_csv)"
                           % (key.account, key.account), sender=False)
        return (_element("Content", base64.b64encode(content).decode()) +
                _element("ReportFormat", "text/csv") +
                _element("GeneratedTime", iso8601(generated)))

    @staticmethod
    def report_error(code):
        """The model's status for each report error (404 / 410 / 410)."""
        return {
            "ReportInProgress": AwsError(
                404, "ReportInProgress",
                "Report generation in progress. Try again later."),
            "ReportNotPresent": AwsError(
                410, "ReportNotPresent",
                "Credential report does not exist. Use "
                "GenerateCredentialReport to generate a report."),
            "ReportExpired": AwsError(
                410, "ReportExpired",
                "Credential report has expired. Use GenerateCredentialReport "
                "to generate a new report."),
        }[code]


class StsService(QueryService):
    """STS GetCallerIdentity and AssumeRole (issuing working temp keys)."""

    name = "sts"
    version = STS_VERSION
    namespace = STS_NAMESPACE
    internal_error_code = "InternalFailure"
    actions = {"GetCallerIdentity": "get_caller_identity",
               "AssumeRole": "assume_role"}

    SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}")
    EXTERNAL_ID_RE = re.compile(r"[\w+=,.@:/-]{2,1224}")

    def get_caller_identity(self, params, key):
        return (_element("Arn", key.arn) + _element("UserId", key.user_id) +
                _element("Account", key.account))

    @staticmethod
    def _validation(message):
        return AwsError(400, "ValidationError", message)

    def _required(self, params, name, field):
        value = params.get(name)
        if value is None:
            raise self._validation(
                "1 validation error detected: Value null at '%s' failed to "
                "satisfy constraint: Member must not be null" % field)
        return value

    def assume_role(self, params, key):
        role_arn = self._required(params, "RoleArn", "roleArn")
        session = self._required(params, "RoleSessionName", "roleSessionName")
        if not self.SESSION_NAME_RE.fullmatch(session):
            raise self._validation(
                "1 validation error detected: Value '%s' at 'roleSessionName' "
                "failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: [\\w+=,.@-]* and have length between 2 "
                "and 64" % session)
        external_id = params.get("ExternalId")
        if external_id is not None and \
                not self.EXTERNAL_ID_RE.fullmatch(external_id):
            raise self._validation(
                "1 validation error detected: Value at 'externalId' failed to "
                "satisfy constraint: Member must satisfy regular expression "
                "pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224")
        try:
            duration = int(params.get("DurationSeconds", "3600"))
        except ValueError:
            raise self._validation("Value for parameter DurationSeconds is "
                                   "not a valid integer")
        if not 900 <= duration <= 43200:
            raise self._validation(
                "1 validation error detected: Value '%d' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value %s" % (
                    duration, "greater than or equal to 900" if duration < 900
                    else "less than or equal to 43200"))

        role = next((r for r in self.state.roles if r.arn == role_arn), None)
        if role is None or not role.trusts(key) or (
                role.external_id is not None and
                (external_id is None or not hmac.compare_digest(
                    role.external_id.encode(), external_id.encode()))):
            raise AwsError(403, "AccessDenied",
                           "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (key.arn,
                                                               role_arn))
        if key.kind == "issued" and duration > 3600:
            raise self._validation(
                "The requested DurationSeconds exceeds the 1 hour session "
                "limit for roles assumed by role chaining.")
        if duration > role.max_session_duration:
            raise self._validation("The requested DurationSeconds exceeds "
                                   "the MaxSessionDuration set for this role.")

        issued = self.state.keystore.issue(role, session, duration)
        return ("    <AssumedRoleUser>\n" +
                _element("AssumedRoleId", issued.user_id, 6) +
                _element("Arn", issued.arn, 6) +
                "    </AssumedRoleUser>\n"
                "    <Credentials>\n" +
                _element("AccessKeyId", issued.access_key_id, 6) +
                _element("SecretAccessKey", issued.secret, 6) +
                _element("SessionToken", issued.session_token, 6) +
                _element("Expiration", iso8601(issued.expiration), 6) +
                "    </Credentials>\n")


class S3Error(AwsError):
    """An S3 error: its XML carries more elements, some answers headers."""

    def __init__(self, status, code, message, extra=None, headers=None):
        super().__init__(status, code, message, sender=status < 500)
        self.extra = extra or []        # (element, text) after Message
        self.headers = headers or {}


class S3Service:
    """S3 objects: PutObject checked the way S3 checks it, GetObject and
    HeadObject to read them back.  Buckets come from the scenario."""

    name = "s3"
    VIRTUAL_SUFFIX = ".localhost"

    def __init__(self, state):
        self.state = state

    @classmethod
    def address(cls, host_header, path):
        """(bucket, key, addressing, key_encoding_ok) of a request."""
        host = host_header.strip().lower()
        if host.startswith("["):
            host = host[:host.find("]") + 1]
        else:
            host = host.rsplit(":", 1)[0] if ":" in host else host
        if host.endswith(cls.VIRTUAL_SUFFIX) and \
                len(host) > len(cls.VIRTUAL_SUFFIX):
            bucket = host[:-len(cls.VIRTUAL_SUFFIX)]
            raw_key, addressing = path[1:], "virtual"
        else:
            bucket, _, raw_key = path[1:].partition("/")
            addressing = "path"
        key = unquote(raw_key, encoding="utf-8", errors="replace")
        return bucket, key, addressing, quote(key, safe="/~") == raw_key

    @staticmethod
    def action_for(method, key):
        if key:
            return {"PUT": "PutObject", "GET": "GetObject",
                    "HEAD": "HeadObject"}.get(method)
        return None

    def error(self, err, request_id):
        if not isinstance(err, S3Error):
            err = S3Error(err.status, err.code, err.message)
        extra = "".join("<%s>%s</%s>" % (name, xml_escape(str(text)), name)
                        for name, text in err.extra)
        host_id = base64.b64encode(hashlib.sha256(
            request_id.encode()).digest()).decode()
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<Error><Code>{code}</Code><Message>{message}</Message>'
                '{extra}<RequestId>{rid}</RequestId><HostId>{hid}</HostId>'
                '</Error>').format(code=xml_escape(err.code),
                                   message=xml_escape(err.message),
                                   extra=extra, rid=request_id, hid=host_id)
        headers = {"x-amz-request-id": request_id, "x-amz-id-2": host_id}
        headers.update(err.headers)
        return Response(err.status, body, "application/xml", headers,
                        error_code=err.code)

    @staticmethod
    def auth_error(err):
        """The verifier speaks IAM/STS; S3 names the same failures its way."""
        if err.code == "InvalidClientTokenId":
            return S3Error(403, "InvalidAccessKeyId",
                           "The AWS Access Key Id you provided does not "
                           "exist in our records.")
        if err.code == "ExpiredToken":
            return S3Error(400, "ExpiredToken",
                           "The provided token has expired.")
        if err.message.startswith("The provided 'x-amz-content-sha256'"):
            return S3Error(400, "XAmzContentSHA256Mismatch",
                           "The provided 'x-amz-content-sha256' header does "
                           "not match what was computed.")
        if err.code == "IncompleteSignature":
            return S3Error(400, "AuthorizationHeaderMalformed", err.message)
        if err.code == "SignatureDoesNotMatch" and err.message.startswith(
                ("Signature expired", "Signature not yet current")):
            return S3Error(403, "RequestTimeTooSkewed",
                           "The difference between the request time and "
                           "the current time is too large.")
        return S3Error(err.status, err.code, err.message)

    @staticmethod
    def check_payload_hash(declared, signed, body):
        """S3 wants x-amz-content-sha256 signed; this fake also wants the
        real hash wherever there is a body."""
        if declared is None:
            raise S3Error(400, "InvalidRequest",
                          "Missing required header for this request: "
                          "x-amz-content-sha256")
        if "x-amz-content-sha256" not in signed:
            raise S3Error(400, "InvalidRequest",
                          "fake_aws: x-amz-content-sha256 must be signed "
                          "(list it in SignedHeaders)")
        if declared.startswith("STREAMING-"):
            raise S3Error(501, "NotImplemented",
                          "fake_aws: streaming (aws-chunked) uploads are "
                          "not served")
        if declared == "UNSIGNED-PAYLOAD" and body:
            raise S3Error(400, "InvalidRequest",
                          "fake_aws: UNSIGNED-PAYLOAD is refused for a "
                          "request with a body; sign its SHA-256")

    @staticmethod
    def fault_error(fault):
        if fault.kind in ("throttle", "limit_exceeded"):
            return S3Error(503, "SlowDown", "Please reduce your request "
                           "rate.")
        if fault.kind == "http500":
            return S3Error(500, "InternalError", "We encountered an internal "
                           "error. Please try again. (injected by fake_aws)")
        if fault.kind == "http503":
            return S3Error(503, "ServiceUnavailable", "Service is unable to "
                           "handle request. (injected by fake_aws)")
        return S3Error(fault.status, fault.code, fault.message)

    def handle(self, action, bucket_name, key, region, headers, body, signer,
               request_id):
        if action is None:
            raise S3Error(501, "NotImplemented",
                          "fake_aws serves only PutObject, GetObject and "
                          "HeadObject (PUT/GET/HEAD /BUCKET/KEY)")
        bucket = self.state.buckets.get(bucket_name)
        if bucket is None:
            raise S3Error(404, "NoSuchBucket",
                          "The specified bucket does not exist",
                          [("BucketName", bucket_name)])
        if region != bucket.region:
            raise S3Error(400, "AuthorizationHeaderMalformed",
                          "The authorization header is malformed; the "
                          "region '%s' is wrong; expecting '%s'" % (
                              region, bucket.region),
                          [("Region", bucket.region)],
                          {"x-amz-bucket-region": bucket.region})
        if bucket.denies(signer):
            raise S3Error(403, "AccessDenied", "Access Denied")
        if action == "PutObject":
            return self.put_object(bucket, key, headers, body, signer,
                                   request_id)
        return self.get_object(bucket, key, request_id)

    @staticmethod
    def _digest_header(headers, name, size):
        value = headers.get(name)
        if value is None:
            return None
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != size:
            if name == "Content-MD5":
                raise S3Error(400, "InvalidDigest", "The Content-MD5 you "
                              "specified was invalid.",
                              [("Content-MD5", value)])
            raise S3Error(400, "InvalidRequest", "Value for %s header is "
                          "invalid." % name.lower())
        return raw

    def _check_put(self, bucket, key, headers, body):
        """Raise what S3 would answer to this PutObject, if anything."""
        if len(key.encode("utf-8")) > S3_MAX_KEY_BYTES:
            raise S3Error(400, "KeyTooLongError", "Your key is too long")
        md5 = self._digest_header(headers, "Content-MD5", 16)
        if md5 is not None and md5 != hashlib.md5(body).digest():
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified "
                          "did not match what we received.",
                          [("ExpectedDigest", headers["Content-MD5"]),
                           ("CalculatedDigest", base64.b64encode(
                               hashlib.md5(body).digest()).decode())])
        sha = self._digest_header(headers, "x-amz-checksum-sha256", 32)
        if sha is not None and sha != hashlib.sha256(body).digest():
            raise S3Error(400, "BadDigest", "The SHA256 you specified did "
                          "not match the calculated checksum.")
        sse = headers.get("x-amz-server-side-encryption")
        if sse is not None and sse not in S3_SSE:
            raise S3Error(400, "InvalidArgument", "Server Side Encryption "
                          "with the specified algorithm is not supported.",
                          [("ArgumentName", "x-amz-server-side-encryption"),
                           ("ArgumentValue", sse)])
        if headers.get("x-amz-server-side-encryption-aws-kms-key-id") and \
                sse not in ("aws:kms", "aws:kms:dsse"):
            raise S3Error(400, "InvalidArgument", "Server Side Encryption "
                          "with KMS managed key requires HTTP header "
                          "x-amz-server-side-encryption : aws:kms")
        storage = headers.get("x-amz-storage-class")
        if storage is not None and storage not in S3_STORAGE_CLASSES:
            raise S3Error(400, "InvalidStorageClass", "The storage class you "
                          "specified is not valid",
                          [("StorageClassRequested", storage)])
        mode = headers.get("x-amz-object-lock-mode")
        until = headers.get("x-amz-object-lock-retain-until-date")
        if mode is not None or until is not None:
            if not bucket.object_lock:
                raise S3Error(400, "InvalidRequest", "Bucket is missing "
                              "Object Lock Configuration")
            if mode is None or until is None:
                raise S3Error(400, "InvalidArgument", "x-amz-object-lock-"
                              "retain-until-date and x-amz-object-lock-mode "
                              "must both be supplied")
            if mode not in S3_LOCK_MODES:
                raise S3Error(400, "InvalidArgument", "Unknown wormMode "
                              "directive.",
                              [("ArgumentName", "x-amz-object-lock-mode"),
                               ("ArgumentValue", mode)])
            try:
                when = parse_iso8601(until, "x-amz-object-lock-retain-"
                                     "until-date")
            except ScenarioError:
                raise S3Error(400, "InvalidArgument", "The retain until date "
                              "must be provided in ISO 8601 format")
            if when <= self.state.clock.now():
                raise S3Error(400, "InvalidArgument", "The retain until date "
                              "must be in the future!")
            if md5 is None and not any(name.lower().startswith(
                    "x-amz-checksum-") for name in headers.keys()):
                raise S3Error(400, "InvalidRequest", "Content-MD5 OR "
                              "x-amz-checksum- HTTP header is required for "
                              "Put Object requests with Object Lock "
                              "parameters")
        meta = sum(len(name) - len("x-amz-meta-") + len(value)
                   for name, value in headers.items()
                   if name.lower().startswith("x-amz-meta-"))
        if meta > S3_MAX_METADATA_BYTES:
            raise S3Error(400, "MetadataTooLarge", "Your metadata headers "
                          "exceed the maximum allowed metadata size.",
                          [("Size", meta),
                           ("MaxSizeAllowed", S3_MAX_METADATA_BYTES)])

    def put_object(self, bucket, key, headers, body, signer, request_id):
        self._check_put(bucket, key, headers, body)
        etag = '"%s"' % hashlib.md5(body).hexdigest()
        sse = headers.get("x-amz-server-side-encryption", "AES256")
        stored = {name.lower(): value for name, value in headers.items()
                  if name.lower().startswith(S3_LOGGED_HEADERS)}
        stored["x-amz-server-side-encryption"] = sse
        answer = {"ETag": etag, "x-amz-server-side-encryption": sse}
        if sse.startswith("aws:kms"):
            kms = headers.get(
                "x-amz-server-side-encryption-aws-kms-key-id",
                "arn:aws:kms:%s:%s:key/fake-aws-s3-default" % (
                    bucket.region, signer.account))
            stored["x-amz-server-side-encryption-aws-kms-key-id"] = kms
            answer["x-amz-server-side-encryption-aws-kms-key-id"] = kms
        if "x-amz-checksum-sha256" in stored:
            answer["x-amz-checksum-sha256"] = stored["x-amz-checksum-sha256"]
        version = random_id("", 32, string.ascii_letters + string.digits) \
            if bucket.versioning else "null"
        if bucket.versioning:
            answer["x-amz-version-id"] = version
        with self.state.lock:
            bucket.objects.setdefault(key, []).append(dict(
                body=body, etag=etag, version=version, headers=stored,
                modified=self.state.clock.now()))
        answer["x-amz-request-id"] = request_id
        return Response(200, b"", "application/xml", answer)

    def get_object(self, bucket, key, request_id):
        with self.state.lock:
            versions = bucket.objects.get(key)
            obj = versions[-1] if versions else None
        if obj is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not "
                          "exist.", [("Key", key)])
        headers = {name: value for name, value in obj["headers"].items()
                   if name.startswith(("x-amz-meta-", "x-amz-storage-class",
                                       "x-amz-server-side-encryption",
                                       "x-amz-object-lock-"))}
        headers.update({"ETag": obj["etag"], "x-amz-request-id": request_id,
                        "Last-Modified": formatdate(obj["modified"],
                                                    usegmt=True),
                        "Accept-Ranges": "bytes"})
        if bucket.versioning:
            headers["x-amz-version-id"] = obj["version"]
        return Response(200, obj["body"],
                        obj["headers"].get("content-type",
                                           "binary/octet-stream"), headers)


class SesModels:
    """What botocore's models say about SES v1 SendRawEmail and v2
    SendEmail: their errors (code -> HTTP status) and request members.
    Loaded once, from the installed botocore."""

    OPERATIONS = {"v1": ("ses", SES_VERSION, "SendRawEmail"),
                  "v2": ("sesv2", "2019-09-27", "SendEmail")}
    _instance = None
    _lock = threading.Lock()

    def __init__(self):
        loader = create_loader()
        self.models, self.errors, self.inputs = {}, {}, {}
        for api, (service, version, operation) in self.OPERATIONS.items():
            model = loader.load_service_model(service, "service-2", version)
            op = model["operations"][operation]
            errors = {}
            for ref in op.get("errors", []):
                info = model["shapes"][ref["shape"]].get("error", {})
                # Query errors go by error.code, REST-JSON ones by shape.
                code = info.get("code", ref["shape"]) if api == "v1" \
                    else ref["shape"]
                errors[code] = info.get("httpStatusCode", 400)
            self.models[api] = model
            self.errors[api] = errors
            self.inputs[api] = op["input"]["shape"]
        self.v1_fields = re.compile("|".join(
            ["Action", "Version"] +
            self._query_fields(self.models["v1"], self.inputs["v1"], "")))

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def reject_codes(self):
        return set(self.errors["v1"]) | set(self.errors["v2"])

    def status(self, api, code):
        return self.errors[api].get(code, 400)

    @classmethod
    def _query_fields(cls, model, shape_name, prefix):
        """Regular expressions of the form fields a Query input takes:
        Destinations.member.N, RawMessage.Data, Tags.member.N.Name ..."""
        fields = []
        for name, ref in model["shapes"][shape_name]["members"].items():
            target_name = ref["shape"]
            target = model["shapes"][target_name]
            field = prefix + re.escape(name)
            if target["type"] == "list":
                field += r"\.member\.[1-9][0-9]*"
                target_name = target["member"]["shape"]
                target = model["shapes"][target_name]
            if target["type"] == "structure":
                fields += cls._query_fields(model, target_name, field + r"\.")
            else:
                fields.append(field)
        return fields

    def json_problems(self, value):
        """What is wrong with a v2 SendEmail body, by the model: members
        it does not know, required ones missing, wrong JSON types."""
        model = self.models["v2"]
        problems = []

        def camel(path):
            return ".".join(p[:1].lower() + p[1:] for p in path.split("."))

        def walk(shape_name, value, where):
            shape = model["shapes"][shape_name]
            kind = shape["type"]
            if kind == "structure":
                if not isinstance(value, dict):
                    problems.append("fake_aws: %s must be a JSON object" % (
                        where or "the body"))
                    return
                for name in shape.get("required", []):
                    if value.get(name) is None:
                        problems.append(
                            "1 validation error detected: Value null at '%s' "
                            "failed to satisfy constraint: Member must not "
                            "be null" % camel(where + "." + name if where
                                              else name))
                for name, item in value.items():
                    ref = shape["members"].get(name)
                    path = where + "." + name if where else name
                    if ref is None:
                        problems.append(
                            "fake_aws: unknown member %s (%s takes %s)" % (
                                path, where or "SendEmail",
                                ", ".join(shape["members"])))
                    elif item is not None:
                        walk(ref["shape"], item, path)
            elif kind == "list":
                if not isinstance(value, list):
                    problems.append("fake_aws: %s must be a JSON array"
                                    % where)
                    return
                for i, item in enumerate(value):
                    walk(shape["member"]["shape"], item,
                         "%s[%d]" % (where, i))
            elif kind in ("string", "blob", "timestamp"):
                if not isinstance(value, str):
                    problems.append("fake_aws: %s must be a string" % where)
            elif kind == "boolean":
                if not isinstance(value, bool):
                    problems.append("fake_aws: %s must be true or false"
                                    % where)
            elif kind in ("integer", "long"):
                if isinstance(value, bool) or not isinstance(value, int):
                    problems.append("fake_aws: %s must be a whole number"
                                    % where)
            elif kind == "map" and not isinstance(value, dict):
                problems.append("fake_aws: %s must be a JSON object" % where)

        walk(self.inputs["v2"], value, "")
        return problems


def _raw_message_problem(raw):
    """(message, None) if SES would take these bytes as a raw message, else
    (None, why).  Python's email package (policy.default) is the parser."""
    head, sep, _ = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, _ = raw.partition(b"\n\n")
    if not sep:
        return None, ("fake_aws: the raw message has no empty line between "
                      "its header and its body")
    for number, line in enumerate(head.split(b"\n"), 1):
        if any(byte >= 0x80 for byte in line):
            return None, ("fake_aws: header line %d holds 8-bit bytes; SES "
                          "takes them only encoded (RFC 2047/2231)" % number)
    for number, line in enumerate(raw.split(b"\n"), 1):
        octets = len(line.rstrip(b"\r")) + 2
        if octets > SES_MAX_LINE:
            return None, ("fake_aws: line %d of the raw message is %d octets "
                          "long with its CRLF; SES takes at most %d (RFC "
                          "5321)" % (number, octets, SES_MAX_LINE))
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    problems = []
    for index, part in enumerate(message.walk()):
        where = "the message" if index == 0 else "MIME part %d (%s)" % (
            index, part.get_content_type())
        for name, value in part.items():        # parses each header
            for defect in getattr(value, "defects", ()):
                problems.append("%s, header %s: %s" % (
                    where, name, _defect_text(defect)))
        if not part.is_multipart():
            part.get_payload(decode=True)       # base64/QP defects
        for defect in part.defects:
            problems.append("%s: %s" % (where, _defect_text(defect)))
    if problems:
        return None, ("fake_aws: Python's email package finds defects: %s"
                      % "; ".join(problems[:5]))
    if message["From"] is None:
        return None, "Missing required header 'From'."
    return message, None


def _defect_text(defect):
    text = str(defect)
    return defect.__class__.__name__ + (" (%s)" % text if text else "")


class SesService:
    """Amazon SES: v1 SendRawEmail (Query protocol, by SesV1Service) and
    v2 SendEmail (REST-JSON) with Content.Raw.  Both end in send(), which
    checks the raw message, plays the scenario's "reject" script and saves
    what it accepts under --mail-dir."""

    name = "ses"
    # Authentication failures as the JSON protocols name them.
    V2_AUTH_CODES = {
        "SignatureDoesNotMatch": "InvalidSignatureException",
        "InvalidClientTokenId": "UnrecognizedClientException",
        "ExpiredToken": "ExpiredTokenException",
        "IncompleteSignature": "IncompleteSignatureException",
        "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    }

    def __init__(self, state, config, mail_dir):
        self.state = state
        self.models = SesModels.get()
        self.rejects_left = config["reject"]
        self.reject_code = config["reject_code"]
        self.reject_message = config["reject_message"]
        self.max_bytes = config["max_message_bytes"]
        self.mail_dir = mail_dir
        self._lock = threading.Lock()
        self._seq = 0
        if mail_dir:
            for name in os.listdir(mail_dir):
                match = re.fullmatch(r"(\d{4,})\.(?:eml|json)", name)
                if match:
                    self._seq = max(self._seq, int(match.group(1)))

    # -- answers

    def v2_error(self, err, request_id):
        """REST-JSON: {"message": ...}, the code in x-amzn-ErrorType."""
        error_type = err.code
        if err.code in self.V2_AUTH_CODES.values():
            error_type += CORAL_ERROR_SUFFIX
        return _json_response(err.status, {"message": err.message},
                              err.code, {"x-amzn-RequestId": request_id,
                                         "x-amzn-ErrorType": error_type})

    def v2_auth_error(self, err):
        return AwsError(err.status, self.V2_AUTH_CODES.get(err.code, err.code),
                        err.message)

    @staticmethod
    def v2_fault_error(fault):
        if fault.kind == "throttle":
            return AwsError(429, "TooManyRequestsException",
                            "Too many requests have been made to the "
                            "operation. (injected by fake_aws)")
        if fault.kind == "limit_exceeded":
            return AwsError(400, "LimitExceededException",
                            "Maximum sending rate exceeded. (injected by "
                            "fake_aws)")
        if fault.kind == "http500":
            return AwsError(500, "InternalFailure", "An internal error "
                            "occurred (injected by fake_aws)", sender=False)
        if fault.kind == "http503":
            return AwsError(503, "ServiceUnavailable", "Service is "
                            "unavailable (injected by fake_aws)",
                            sender=False)
        return AwsError(fault.status, fault.code, fault.message,
                        sender=fault.status < 500)

    @staticmethod
    def invalid(api, message):
        """The error for a request or message SES cannot take."""
        return AwsError(400, "InvalidParameterValue" if api == "v1"
                        else "BadRequestException", message)

    @staticmethod
    def message_id():
        return "%016x-%s-000000" % (int(time.time() * 1000), uuid.uuid4())

    # -- the two APIs

    def send_raw_email(self, params, key, ctx):
        """v1 SendRawEmail: the form fields, already parsed."""
        unknown = sorted(n for n in params
                         if not self.models.v1_fields.fullmatch(n))
        if unknown:
            raise self.invalid("v1", "fake_aws: SendRawEmail takes no "
                               "parameter %s" % ", ".join(unknown))
        if not params.get("RawMessage.Data"):
            raise AwsError(400, "MissingParameter", "The request must "
                           "contain the parameter RawMessage.Data")
        numbered = sorted(
            (int(name.rsplit(".", 1)[1]), value)
            for name, value in params.items()
            if name.startswith("Destinations.member."))
        return self.send("v1", {
            "source": params.get("Source"),
            "destinations": [value for _, value in numbered],
            "destination": None,
            "configuration_set": params.get("ConfigurationSetName"),
            "data": params["RawMessage.Data"]}, key, ctx)

    def send_email(self, body, key, ctx):
        """v2 SendEmail: the JSON body, Content.Raw only."""
        try:
            request = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise self.invalid("v2", "fake_aws: the body is not JSON: %s"
                               % err)
        problems = self.models.json_problems(request)
        if problems:
            raise self.invalid("v2", "; ".join(problems))
        content = request["Content"]
        if "Raw" not in content or len(content) != 1:
            raise self.invalid("v2", "fake_aws: only Content.Raw is served "
                               "here (got Content.%s)" % "/".join(content))
        destination = request.get("Destination") or {}
        return self.send("v2", {
            "source": request.get("FromEmailAddress"),
            "destinations": [address for member in (
                "ToAddresses", "CcAddresses", "BccAddresses")
                for address in destination.get(member) or []],
            "destination": request.get("Destination"),
            "configuration_set": request.get("ConfigurationSetName"),
            "data": content["Raw"]["Data"]}, key, ctx)

    # -- what both do

    def send(self, api, request, key, ctx):
        record = ctx["record"]
        record.update(source=request["source"],
                      destinations=request["destinations"],
                      configuration_set=request["configuration_set"])
        # SES's size limits count the message after base64 encoding.
        limit = self.max_bytes or SES_MAX_BYTES[api]
        if len(request["data"]) > limit:
            raise AwsError(400, "MessageRejected",
                           "Message length is more than %d bytes long: "
                           "'%d'." % (limit, len(request["data"])))
        try:
            raw = base64.b64decode(request["data"], validate=True)
        except (binascii.Error, ValueError):
            raise self.invalid(api, "fake_aws: the raw message is not "
                               "valid base64")
        record["message_bytes"] = len(raw)
        message, problem = _raw_message_problem(raw)
        if problem:
            raise self.invalid(api, problem)
        envelope = list(request["destinations"])
        from_headers = not envelope
        if from_headers:
            envelope = [address for _, address in getaddresses(
                [str(v) for name in ("To", "Cc", "Bcc")
                 for v in message.get_all(name, [])]) if address]
            record["destinations"] = envelope
        if not envelope:
            raise self.invalid(api, "fake_aws: the message has no "
                               "recipients (no envelope recipients, no To, "
                               "Cc or Bcc header)")
        if len(envelope) > SES_MAX_RECIPIENTS:
            raise self.invalid(api, "Recipient count exceeds %d."
                               % SES_MAX_RECIPIENTS)
        for address in envelope:
            if "@" not in address:
                raise self.invalid(api, "Missing final '@domain'")
        sender = request["source"] or next(
            (a for _, a in getaddresses([str(message["From"])]) if a), "")
        with self._lock:
            rejected = self.rejects_left > 0
            if rejected:
                self.rejects_left -= 1
        if rejected:
            record["rejected"] = True
            raise AwsError(
                self.models.status(api, self.reject_code), self.reject_code,
                self.reject_message or
                "Email address is not verified. The following identities "
                "failed the check in region %s: %s" % (
                    (ctx["region"] or "").upper(), sender))
        message_id = self.message_id()
        record["message_id"] = message_id
        if self.mail_dir:
            record["mail_file"] = self._save(raw, {
                "api": api,
                "action": "SendRawEmail" if api == "v1" else "SendEmail",
                "message_id": message_id, "region": ctx["region"],
                "access_key_id": key.access_key_id, "key_name": key.name,
                "signature_ok": True,
                "source": request["source"], "from": str(message["From"]),
                "subject": str(message["Subject"])
                if message["Subject"] is not None else None,
                "destinations": envelope,
                "destinations_from_headers": from_headers,
                "destination": request["destination"],
                "configuration_set": request["configuration_set"],
                "message_bytes": len(raw),
                "message_sha256": hashlib.sha256(raw).hexdigest()})
        return message_id

    def _save(self, raw, info):
        """NNNN.eml, then NNNN.json (each written atomically): a reader
        that sees the .json finds the .eml complete."""
        with self._lock:
            self._seq += 1
            seq = self._seq
        base = os.path.join(self.mail_dir, "%04d" % seq)
        info = dict(seq=seq, eml=os.path.basename(base) + ".eml", **info)
        for path, data in ((base + ".eml", raw),
                           (base + ".json", (json.dumps(
                               info, indent=2, ensure_ascii=False) +
                               "\n").encode("utf-8"))):
            tmp = "%s.tmp.%d" % (path, os.getpid())
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        return info["eml"]


class SesV1Service(QueryService):
    """SES API v1 (Query protocol): SendRawEmail, handed to SesService."""

    name = "ses"
    version = SES_VERSION
    namespace = SES_NAMESPACE
    internal_error_code = "InternalFailure"
    actions = {"SendRawEmail": "send_raw_email"}

    def handle(self, action, params, key, ctx=None):
        return _element("MessageId", self.state.ses.send_raw_email(
            params, key, ctx))

    def fault_error(self, fault):
        if fault.kind == "throttle":
            return AwsError(400, "Throttling", "Maximum sending rate "
                            "exceeded.")
        return super().fault_error(fault)


class OrgsError(AwsError):
    """An Organizations error; extra holds members its JSON body carries
    besides __type and Message (InvalidInputException's Reason)."""

    def __init__(self, status, code, message, extra=None, sender=True):
        super().__init__(status, code, message, sender)
        self.extra = extra or {}


class OrgsService:
    """AWS Organizations ListAccounts (JSON 1.1 protocol), from the
    scenario's "organization".  Pages are cut at page_size (or MaxResults,
    when smaller); NextToken is opaque, HMAC-protected, and good only for
    this run of the fake."""

    name = "organizations"
    operations = ("ListAccounts",)
    # Authentication failures as the JSON protocols name them.
    AUTH_CODES = SesService.V2_AUTH_CODES
    # Errors AWS's front end answers itself: "__type" carries its namespace
    # and the text is in "message"; the service's own (modelled) errors
    # have a bare "__type" and "Message".
    FRONT_END_CODES = frozenset(AUTH_CODES.values()) | {
        "UnknownOperationException", "SerializationException"}
    TOKEN_MAC_BYTES = 18

    def __init__(self, state, config):
        self.state = state
        self.config = config
        self._secret = secrets.token_bytes(32)

    # -- answers

    def error(self, err, request_id):
        if err.code in self.FRONT_END_CODES:
            body = {"__type": "com.amazon.coral.service#" + err.code,
                    "message": err.message}
        else:
            body = {"__type": err.code, "Message": err.message}
            body.update(getattr(err, "extra", {}))
        return Response(err.status, json.dumps(body), ORGS_CONTENT_TYPE,
                        {"x-amzn-RequestId": request_id}, error_code=err.code)

    def success(self, obj, request_id):
        return Response(200, json.dumps(obj), ORGS_CONTENT_TYPE,
                        {"x-amzn-RequestId": request_id})

    def auth_error(self, err):
        """The verifier speaks IAM/STS; JSON 1.1 names the failures its
        way and answers them all with 400."""
        return AwsError(400, self.AUTH_CODES.get(err.code, err.code),
                        err.message)

    @staticmethod
    def fault_error(fault):
        if fault.kind in ("throttle", "limit_exceeded"):
            return AwsError(400, "TooManyRequestsException", "Rate exceeded")
        if fault.kind == "http500":
            return AwsError(500, "ServiceException", "AWS Organizations "
                            "can't complete your request because of an "
                            "internal service error. Try again later. "
                            "(injected by fake_aws)", sender=False)
        if fault.kind == "http503":
            return AwsError(503, "ServiceUnavailable", "Service is "
                            "unavailable (injected by fake_aws)",
                            sender=False)
        return AwsError(fault.status, fault.code, fault.message,
                        sender=fault.status < 500)

    # -- requests

    @staticmethod
    def check_request(method, path, headers, operation):
        """Raise UnknownOperationException unless this is a JSON 1.1 call
        of an operation served here."""
        target = headers.get("X-Amz-Target")
        if operation not in OrgsService.operations:
            raise AwsError(400, "UnknownOperationException",
                           "fake_aws: Organizations is served only for "
                           "X-Amz-Target: %sListAccounts (got %s)" % (
                               ORGS_TARGET_PREFIX,
                               "none" if target is None else repr(target)))
        if method != "POST" or path != "/":
            raise AwsError(400, "UnknownOperationException",
                           "fake_aws: Organizations takes POST / (got %s %s)"
                           % (method, path))
        ctype = headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() != ORGS_CONTENT_TYPE:
            raise AwsError(400, "UnknownOperationException",
                           "fake_aws: Organizations wants Content-Type: %s "
                           "(got %r)" % (ORGS_CONTENT_TYPE, ctype))

    def allowed(self, key):
        callers = self.config["callers"]
        if callers is None:
            return key.account == self.config["management_account"]
        return any(key.matches(c) for c in callers)

    def _token(self, offset):
        payload = ("%s:%d" % (self.config["id"], offset)).encode()
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()
        return base64.b64encode(
            payload + mac[:self.TOKEN_MAC_BYTES]).decode()

    def _offset(self, token):
        """The position a NextToken of ours points at, or None."""
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            return None
        payload = raw[:-self.TOKEN_MAC_BYTES]
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()
        if len(raw) <= self.TOKEN_MAC_BYTES or not hmac.compare_digest(
                mac[:self.TOKEN_MAC_BYTES], raw[-self.TOKEN_MAC_BYTES:]):
            return None
        offset = int(payload.decode().rsplit(":", 1)[1])
        return offset if 0 < offset < len(self.config["accounts"]) else None

    def list_accounts(self, body, key, record):
        try:
            request = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, ValueError) as err:
            raise AwsError(400, "SerializationException",
                           "fake_aws: the body is not JSON: %s" % err)
        if not isinstance(request, dict):
            raise AwsError(400, "SerializationException",
                           "fake_aws: the body must be a JSON object")
        unknown = sorted(set(request) - {"NextToken", "MaxResults"})
        if unknown:
            raise OrgsError(400, "InvalidInputException",
                            "fake_aws: unknown member %s (ListAccounts takes "
                            "NextToken, MaxResults)" % ", ".join(unknown))
        max_results = request.get("MaxResults")
        token = request.get("NextToken")
        if max_results is not None and (isinstance(max_results, bool) or
                                        not isinstance(max_results, int)):
            raise AwsError(400, "SerializationException",
                           "fake_aws: MaxResults must be a JSON integer")
        if token is not None and not isinstance(token, str):
            raise AwsError(400, "SerializationException",
                           "fake_aws: NextToken must be a JSON string")
        record.update(max_results=max_results,
                      next_token_sent=token is not None)
        if max_results is not None and not \
                1 <= max_results <= ORGS_MAX_RESULTS:
            raise OrgsError(
                400, "InvalidInputException",
                "1 validation error detected: Value '%d' at 'maxResults' "
                "failed to satisfy constraint: Member must have value %s" % (
                    max_results, "greater than or equal to 1"
                    if max_results < 1 else "less than or equal to %d"
                    % ORGS_MAX_RESULTS),
                {"Reason": "MIN_VALUE_EXCEEDED" if max_results < 1
                 else "MAX_VALUE_EXCEEDED"})
        if self.config is None:
            raise AwsError(400, "AWSOrganizationsNotInUseException",
                           "Your account is not a member of an "
                           "organization.")
        if not self.allowed(key):
            raise AwsError(400, "AccessDeniedException",
                           "You don't have permissions to access this "
                           "resource.")
        offset = 0
        if token is not None:
            offset = self._offset(token)
            if offset is None:
                raise OrgsError(400, "InvalidInputException",
                                "You specified an invalid value for "
                                "nextToken.",
                                {"Reason": "INVALID_NEXT_TOKEN"})
        accounts = self.config["accounts"]
        size = self.config["page_size"] if max_results is None else min(
            self.config["page_size"], max_results)
        page = accounts[offset:offset + size]
        answer = {"Accounts": [dict(account) for account in page]}
        if offset + size < len(accounts):
            answer["NextToken"] = self._token(offset + size)
        record.update(page_size=size, accounts_returned=len(page),
                      next_token_returned="NextToken" in answer)
        return answer


def _json_response(status, obj, error_code=None, headers=None):
    return Response(status, json.dumps(obj, indent=2) + "\n",
                    "application/json", headers, error_code)


def _text_response(status, text, error_code=None, headers=None):
    return Response(status, text, "text/plain", headers, error_code)


def _plain_fault(fault):
    """ECS/IMDS have no AWS error XML; faults answer plain statuses."""
    status = {"throttle": 429, "limit_exceeded": 429, "http500": 500,
              "http503": 503}.get(fault.kind, fault.status)
    return _text_response(status, "fake_aws: injected %s\n" % fault.kind,
                          error_code=fault.code or fault.kind)


class EcsCredentialsEndpoint:
    """The ECS/EKS container credential endpoint (AWS_CONTAINER_*)."""

    def __init__(self, config, clock):
        self.config = config
        self.clock = clock

    def authorize(self, method, headers):
        """Return (action, error Response or None)."""
        if method != "GET":
            return "GetCredentials", _text_response(
                405, "fake_aws: the ECS credential endpoint takes GET only\n")
        token = self.config["token"]
        if token is None:
            return "GetCredentials", None
        sent = headers.get("Authorization")
        if sent is None:
            return "GetCredentials", _json_response(401, {
                "code": "MissingAuthorization",
                "message": "Authorization header is required"},
                "MissingAuthorization")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return "GetCredentials", _json_response(403, {
                "code": "AccessDenied",
                "message": "Authorization token is not valid"},
                "AccessDenied")
        return "GetCredentials", None

    def answer(self):
        key = self.config["key"]
        return _json_response(200, {
            "AccessKeyId": key.access_key_id,
            "SecretAccessKey": key.secret,
            "Token": key.session_token,
            "Expiration": iso8601(key.expiration_for_display(
                self.clock.now())),
            "RoleArn": self.config["role_arn"],
        })


class ImdsEndpoint:
    """IMDSv2: a PUT for a session token, then GETs that must carry it."""

    TOKEN_PATH = "/latest/api/token"
    CREDS_PATH = "/latest/meta-data/iam/security-credentials/"

    def __init__(self, config, clock, region):
        self.config = config
        self.clock = clock
        self.region = region
        self._lock = threading.Lock()
        self._tokens = {}        # token -> expiry (epoch)

    @classmethod
    def action_for(cls, method, path):
        if path == cls.TOKEN_PATH:
            return "GetToken"
        if path.rstrip("/") == cls.CREDS_PATH.rstrip("/"):
            return "ListRoles"
        if path.startswith(cls.CREDS_PATH):
            return "GetRoleCredentials"
        return "GetMetadata"

    def authorize(self, method, path, headers):
        """Return (action, error Response or None) before any fault."""
        action = self.action_for(method, path)
        if action == "GetToken":
            if method != "PUT":
                return action, _text_response(405, "Method Not Allowed\n")
            if headers.get("X-Forwarded-For") is not None:
                return action, _text_response(403, "Forbidden\n")
            ttl = headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.isdigit() or \
                    not 1 <= int(ttl) <= 21600:
                return action, _text_response(
                    400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds "
                    "must be 1..21600\n", "BadRequest")
            return action, None
        if method != "GET":
            return action, _text_response(405, "Method Not Allowed\n")
        token = headers.get("X-aws-ec2-metadata-token")
        if token is None:
            if self.config["allow_v1"]:
                return action, None
            return action, _text_response(401, "Unauthorized\n",
                                          "MissingToken")
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None or expiry <= self.clock.now():
            return action, _text_response(401, "Unauthorized\n",
                                          "InvalidToken")
        return action, None

    def answer(self, action, path, headers):
        if action == "GetToken":
            ttl = int(headers["X-aws-ec2-metadata-token-ttl-seconds"])
            token = base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()
            with self._lock:
                self._tokens[token] = self.clock.now() + ttl
            return _text_response(200, token, headers={
                "X-aws-ec2-metadata-token-ttl-seconds": str(ttl)})
        role = self.config["role"]
        key = self.config["key"]
        now = self.clock.now()
        if action == "ListRoles":
            return _text_response(200, role)
        if action == "GetRoleCredentials":
            if path[len(self.CREDS_PATH):] != role:
                return _text_response(404, "Not Found\n", "NotFound")
            return _json_response(200, {
                "Code": "Success",
                "LastUpdated": iso8601(now),
                "Type": "AWS-HMAC",
                "AccessKeyId": key.access_key_id,
                "SecretAccessKey": key.secret,
                "Token": key.session_token,
                "Expiration": iso8601(key.expiration_for_display(now)),
            })
        if path == "/latest/meta-data/iam/info":
            return _json_response(200, {
                "Code": "Success", "LastUpdated": iso8601(now),
                "InstanceProfileArn": self.config["instance_profile_arn"],
                "InstanceProfileId": derived_id(
                    "AIPA", self.config["instance_profile_arn"])})
        if path == "/latest/dynamic/instance-identity/document":
            return _json_response(200, {
                "accountId": key.account, "region": self.region,
                "instanceId": "i-0fake0000000000001",
                "availabilityZone": self.region + "a"})
        if path == "/latest/meta-data/placement/region":
            return _text_response(200, self.region)
        return _text_response(404, "Not Found\n", "NotFound")


# -------------------------------------------------------------- HTTP server

class ServerState:
    """Everything the handler threads share."""

    def __init__(self, scenario, mail_dir=None):
        self.lock = threading.Lock()
        self.clock = scenario.clock
        self.started_at = self.clock.now()
        self.roles = scenario.roles
        self.reports = scenario.reports
        self.keystore = KeyStore(scenario.keys, self.clock)
        self.faults = FaultInjector(scenario.faults)
        self.ecs = EcsCredentialsEndpoint(scenario.ecs, self.clock) \
            if scenario.ecs else None
        self.imds = ImdsEndpoint(scenario.imds, self.clock,
                                 scenario.sts_regions[0]) \
            if scenario.imds else None
        self.sts_regions = scenario.sts_regions
        self.iam = IamService(self)
        self.sts = StsService(self)
        self.buckets = scenario.buckets
        self.watch_spool = scenario.watch_spool
        self.s3 = S3Service(self)
        self.ses = SesService(self, scenario.ses, mail_dir)
        self.ses_v1 = SesV1Service(self)
        self.orgs = OrgsService(self, scenario.organization)
        self.delays = scenario.delays
        # Requests being handled now (see "in_flight" in the log).
        self.in_flight = 0
        self.in_flight_lock = threading.Lock()
        self.verifier = None      # needs the port; set by FakeAwsServer
        self.log = None


class RequestLog:
    """Appends one JSON object per request; safe across handler threads."""

    def __init__(self, path):
        self._lock = threading.Lock()
        self._seq = 0
        self._file = open(path, "a", encoding="utf-8") if path else None

    def write(self, record):
        with self._lock:
            self._seq += 1
            if self._file is None:
                return
            record = dict(ts=datetime.now(timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"), seq=self._seq, **record)
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()

    def close(self):
        if self._file:
            self._file.close()


class FakeAwsHandler(BaseHTTPRequestHandler):
    """Routes each request, applies faults, writes the answer and the log."""

    protocol_version = "HTTP/1.1"    # keep-alive, as AWS; clients reuse
    # TCP_NODELAY: an answer goes out as two writes (the header section,
    # then the body).  With Nagle's algorithm the body waits for the
    # client's ACK of the headers, which a kept-alive connection delays
    # by up to 40 ms: a stall per request that AWS's front end does not
    # have, and that would swamp the client's own cost in bench/run.
    disable_nagle_algorithm = True
    server_version = "fake_aws/1"
    sys_version = ""

    def log_message(self, fmt, *args):   # the JSONL log replaces this
        if self.server.verbose:
            sys.stderr.write("fake_aws: %s\n" % (fmt % args))

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    # -- request plumbing

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _raw_path(self):
        """The request target as sent (origin form), query included."""
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            return parts.path + ("?" + parts.query if parts.query else "")
        return self.path

    def _params(self, raw_path, body):
        """Query-protocol parameters from the query string and a form body."""
        params = {}
        query = urlsplit(raw_path).query
        pairs = parse_qsl(query, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "")
        if body and ctype.lower().startswith(
                "application/x-www-form-urlencoded"):
            pairs += parse_qsl(body.decode("utf-8", "replace"),
                               keep_blank_values=True)
        for name, value in pairs:
            params.setdefault(name, value)
        return params

    # -- the main path

    def _serve(self):
        started = time.monotonic()
        state = self.server.state
        with state.in_flight_lock:
            state.in_flight += 1
            in_flight = state.in_flight
        self._in_flight_counted = True
        record = {"client": "%s:%d" % self.client_address[:2],
                  "method": self.command, "path": None, "service": None,
                  "action": None, "access_key_id": None, "key_name": None,
                  "key_kind": None, "session_token_present": False,
                  "session_token_ref": None, "session_token_signed": False,
                  "signature_ok": None, "status": None, "error_code": None,
                  "fault": None, "detail": None, "in_flight": in_flight,
                  "delay_ms": 0}
        if state.watch_spool:
            record["spool_pending"] = spool_pending(state.watch_spool)
        try:
            body = self._read_body()
            raw_path = self._raw_path()
            path = urlsplit(raw_path).path
            record["path"] = path
            self._cut_answer = False
            response = self._route(state, raw_path, path, body, record)
            if self._cut_answer:
                self._send_half(response, record)
                raise DropConnection()
            self._send(response)
            record["status"] = response.status
            record["error_code"] = response.error_code
        except DropConnection:
            # Like a server that died mid-request: the client sees the
            # connection close with no status line at all.
            self.close_connection = True
            self._leave_in_flight()
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (ValueError, OSError) as err:
            # A malformed body/chunk or a client that went away.
            self.close_connection = True
            record["detail"] = "bad request: %s" % err
            self._try_send(_text_response(400, "fake_aws: bad request\n"),
                           record)
        except Exception as err:  # a bug in the fake: say so, loudly
            self.close_connection = True
            record["detail"] = "fake_aws internal error: %r" % err
            traceback.print_exc(file=sys.stderr)
            self._try_send(_text_response(
                500, "fake_aws internal error (see its stderr)\n",
                "FakeInternalError"), record)
        finally:
            self._leave_in_flight()
            record["duration_ms"] = int((time.monotonic() - started) * 1000)
            state.log.write(record)

    _in_flight_counted = False

    def _leave_in_flight(self):
        """The request stops counting as in flight (once).  Called before
        the first byte of the answer goes out, so a client that waits for
        each answer before its next request never sees two at once."""
        if self._in_flight_counted:
            self._in_flight_counted = False
            state = self.server.state
            with state.in_flight_lock:
                state.in_flight -= 1

    def _try_send(self, response, record):
        try:
            self._send(response)
            record["status"] = response.status
            record["error_code"] = response.error_code
        except OSError:
            pass

    def _route(self, state, raw_path, path, body, record):
        authorization = self.headers.get("Authorization", "")
        if state.ecs and path == state.ecs.config["path"]:
            return self._serve_ecs(state, record)
        if path.startswith("/latest/"):
            if state.imds is None:
                return _text_response(404, "fake_aws: no imds in this "
                                      "scenario\n", "NotFound")
            return self._serve_imds(state, path, record)
        if authorization.startswith("AWS4-HMAC-SHA256"):
            service = SigV4Verifier.scope_service(authorization)
            record["service"] = service
            if service == "iam":
                return self._serve_query(state.iam, state, raw_path, body,
                                         record)
            if service == "sts":
                return self._serve_query(state.sts, state, raw_path, body,
                                         record)
            if service == "s3":
                return self._serve_s3(state, raw_path, path, body, record)
            if service == "ses":
                return self._serve_ses(state, raw_path, path, body, record)
            if service == "organizations":
                return self._serve_orgs(state, raw_path, path, body, record)
            return _text_response(
                404, "fake_aws: requests signed for service %r are not "
                "served here (only iam, sts, s3, ses and organizations)\n"
                % service, "NoSuchService")
        params = self._params(raw_path, body)
        if "X-Amz-Signature" in params:
            return _text_response(400, "fake_aws: presigned (query string) "
                                  "SigV4 is not supported\n", "Unsupported")
        if path.startswith("/v2/email/"):
            record["service"] = "ses"
            return state.ses.v2_error(AwsError(
                403, "MissingAuthenticationTokenException",
                "Missing Authentication Token"), self._request_id())
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith(ORGS_TARGET_PREFIX):
            record.update(service="organizations",
                          action=target[len(ORGS_TARGET_PREFIX):])
            return state.orgs.error(AwsError(
                400, "MissingAuthenticationTokenException",
                "Missing Authentication Token"), self._request_id())
        if "Action" in params:
            service = {STS_VERSION: state.sts, SES_VERSION: state.ses_v1}.get(
                params.get("Version"), state.iam)
            record["service"] = service.name
            record["action"] = params["Action"]
            return service.error(AwsError(
                403, "MissingAuthenticationToken",
                "Request is missing Authentication Token"), self._request_id())
        bucket, _, _, _ = S3Service.address(self.headers.get("Host", ""),
                                            path)
        if bucket in state.buckets:
            # An anonymous request to a private bucket, as S3 sees it.
            record["service"] = "s3"
            return state.s3.error(S3Error(403, "AccessDenied",
                                          "Access Denied"),
                                  self._request_id())
        return _text_response(
            404, "fake_aws: nothing at %s %s. Served here: SigV4-signed "
            "iam/sts/s3/ses/organizations requests, IMDS under /latest/, "
            "ECS at %s\n" % (
                self.command, path,
                state.ecs.config["path"] if state.ecs else "(not configured)"),
            "NotFound")

    @staticmethod
    def _request_id():
        return str(uuid.uuid4())

    def _apply_faults(self, state, service, action, key, record, on_error):
        """Sleep the scenario's delay_ms for the service, then run the
        faults that fire; return an error Response or None."""
        delay = state.delays.get(service, state.delays.get("*"))
        if delay:
            record["delay_ms"] = delay
            time.sleep(delay / 1000.0)      # no lock is held here
        for fault in state.faults.pick(service, action, key):
            record["fault"] = fault.describe()
            if fault.seconds:
                time.sleep(fault.seconds)
            if fault.kind == "slow":
                continue
            if fault.kind == "drop":
                raise DropConnection()
            if fault.kind == "cut":
                self._cut_answer = True     # _send writes half of it
                return None
            if fault.kind == "body":
                return Response(fault.status, fault.body, fault.content_type,
                                {"x-amzn-RequestId": self._request_id()},
                                error_code=None)
            return on_error(fault)
        return None

    def _serve_query(self, service, state, raw_path, body, record):
        request_id = self._request_id()
        auth = AuthResult()
        try:
            try:
                key = state.verifier.verify(self.command, raw_path,
                                            self.headers, body, auth)
            finally:
                self._record_auth(record, auth)
            params = self._params(raw_path, body)
            record["action"] = params.get("Action")
            action = service.check_action(params)
            faulted = self._apply_faults(
                state, service.name, action, key, record,
                lambda fault: service.error(service.fault_error(fault),
                                            request_id))
            if faulted is not None:
                return faulted
            return service.success(action, service.handle(
                action, params, key,
                ctx={"record": record, "region": auth.region}), request_id)
        except AwsError as err:
            if record["action"] is None:
                record["action"] = self._params(raw_path, body).get("Action")
            if record["detail"] is None:
                record["detail"] = err.message
            return service.error(err, request_id)

    @staticmethod
    def _record_auth(record, auth):
        record.update(
            access_key_id=auth.access_key_id,
            key_name=auth.key.name if auth.key else None,
            key_kind=auth.key.kind if auth.key else None,
            session_token_present=auth.token_present,
            session_token_ref=auth.token_ref,
            session_token_signed=auth.token_signed,
            signature_ok=auth.signature_ok, detail=auth.detail)
        if "region" in record:          # SES logs the scope's region
            record["region"] = auth.region

    def _serve_ses(self, state, raw_path, path, body, record):
        record.update(api="v2" if path.startswith("/v2/") else "v1",
                      region=None, source=None, destinations=None,
                      configuration_set=None, message_bytes=None,
                      message_id=None, mail_file=None, rejected=False)
        if record["api"] == "v1":
            return self._serve_query(state.ses_v1, state, raw_path, body,
                                     record)
        ses = state.ses
        request_id = self._request_id()
        action = "SendEmail" if path == SESV2_SEND_PATH and \
            self.command == "POST" else None
        record["action"] = action
        auth = AuthResult()
        try:
            try:
                key = state.verifier.verify(self.command, raw_path,
                                            self.headers, body, auth)
            except AwsError as err:
                raise ses.v2_auth_error(err)
            finally:
                self._record_auth(record, auth)
            if action is None:
                raise AwsError(404, "UnknownOperationException",
                               "fake_aws: SES v2 is served only for SendEmail"
                               " (POST %s)" % SESV2_SEND_PATH)
            faulted = self._apply_faults(
                state, "ses", action, key, record,
                lambda fault: ses.v2_error(ses.v2_fault_error(fault),
                                           request_id))
            if faulted is not None:
                return faulted
            message_id = ses.send_email(
                body, key, {"record": record, "region": auth.region})
            return _json_response(200, {"MessageId": message_id},
                                  headers={"x-amzn-RequestId": request_id})
        except AwsError as err:
            if record["detail"] is None:
                record["detail"] = err.message
            return ses.v2_error(err, request_id)

    def _serve_orgs(self, state, raw_path, path, body, record):
        orgs = state.orgs
        request_id = self._request_id()
        target = self.headers.get("X-Amz-Target")
        operation = target[len(ORGS_TARGET_PREFIX):] if target is not None \
            and target.startswith(ORGS_TARGET_PREFIX) else None
        record.update(action=operation, target=target, max_results=None,
                      next_token_sent=False, page_size=None,
                      accounts_returned=None, next_token_returned=False)
        auth = AuthResult()
        try:
            try:
                key = state.verifier.verify(self.command, raw_path,
                                            self.headers, body, auth)
            except AwsError as err:
                raise orgs.auth_error(err)
            finally:
                self._record_auth(record, auth)
            orgs.check_request(self.command, path, self.headers, operation)
            faulted = self._apply_faults(
                state, "organizations", operation, key, record,
                lambda fault: orgs.error(orgs.fault_error(fault),
                                         request_id))
            if faulted is not None:
                return faulted
            return orgs.success(orgs.list_accounts(body, key, record),
                                request_id)
        except AwsError as err:
            if record["detail"] is None:
                record["detail"] = err.message
            return orgs.error(err, request_id)

    def _serve_s3(self, state, raw_path, path, body, record):
        s3 = state.s3
        request_id = self._request_id()
        bucket, key, addressing, encoding_ok = s3.address(
            self.headers.get("Host", ""), path)
        action = s3.action_for(self.command, key)
        digest = hashlib.sha256(body).hexdigest()
        record.update(
            action=action, bucket=bucket, key=key, addressing=addressing,
            key_encoding_ok=encoding_ok, signed_headers=None,
            payload_hash_ok=None, body_bytes=len(body), body_sha256=digest,
            s3_headers={name.lower(): value
                        for name, value in self.headers.items()
                        if name.lower().startswith(S3_LOGGED_HEADERS)},
            version_id=None)
        auth = AuthResult()
        try:
            match = re.search(r"SignedHeaders=([^,\s]*)",
                              self.headers.get("Authorization", ""))
            signed = match.group(1).split(";") if match else []
            record["signed_headers"] = signed
            declared = self.headers.get("X-Amz-Content-SHA256")
            record["payload_hash_ok"] = (declared == digest and
                                         "x-amz-content-sha256" in signed)
            try:
                key_used = state.verifier.verify(self.command, raw_path,
                                                 self.headers, body, auth)
            except AwsError as err:
                raise s3.auth_error(err)
            finally:
                record.update(
                    access_key_id=auth.access_key_id,
                    key_name=auth.key.name if auth.key else None,
                    key_kind=auth.key.kind if auth.key else None,
                    session_token_present=auth.token_present,
                    session_token_ref=auth.token_ref,
                    session_token_signed=auth.token_signed,
                    signature_ok=auth.signature_ok, detail=auth.detail)
            s3.check_payload_hash(declared, signed, body)
            faulted = self._apply_faults(
                state, "s3", action, key_used, record,
                lambda fault: s3.error(s3.fault_error(fault), request_id))
            if faulted is not None:
                return faulted
            response = s3.handle(action, bucket, key, auth.region,
                                 self.headers, body, key_used, request_id)
            record["version_id"] = response.headers.get("x-amz-version-id") \
                if action == "PutObject" else None
            return response
        except AwsError as err:
            if record["detail"] is None:
                record["detail"] = err.message
            return s3.error(err, request_id)

    def _serve_ecs(self, state, record):
        record["service"] = "ecs"
        action, refused = state.ecs.authorize(self.command, self.headers)
        record["action"] = action
        if refused is not None:
            return refused
        key = state.ecs.config["key"]
        record.update(access_key_id=key.access_key_id, key_name=key.name,
                      key_kind=key.kind)
        faulted = self._apply_faults(state, "ecs", action, None, record,
                                     _plain_fault)
        return faulted or state.ecs.answer()

    def _serve_imds(self, state, path, record):
        record["service"] = "imds"
        action, refused = state.imds.authorize(self.command, path,
                                               self.headers)
        record["action"] = action
        record["session_token_present"] = \
            "X-aws-ec2-metadata-token" in self.headers
        if refused is not None:
            return refused
        if action == "GetRoleCredentials":
            key = state.imds.config["key"]
            record.update(access_key_id=key.access_key_id, key_name=key.name,
                          key_kind=key.kind)
        faulted = self._apply_faults(state, "imds", action, None, record,
                                     _plain_fault)
        return faulted or state.imds.answer(action, path, self.headers)

    def _send_half(self, response, record):
        """The "cut" fault: the first half of the answer's bytes, as _send
        would write them; the caller then closes the connection."""
        self._leave_in_flight()
        head = ["HTTP/1.1 %d %s" % (response.status,
                                    self.responses.get(response.status,
                                                       ("",))[0]),
                "Server: %s" % self.version_string(),
                "Date: %s" % self.date_time_string(),
                "Content-Type: %s" % response.content_type,
                "Content-Length: %d" % len(response.body)]
        head += ["%s: %s" % item for item in response.headers.items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if self.command != "HEAD":
            data += response.body
        half = len(data) // 2
        record["detail"] = "fake_aws: answer (HTTP %d) cut after %d of %d " \
            "bytes" % (response.status, half, len(data))
        try:
            self.wfile.write(data[:half])
            self.wfile.flush()
        except OSError:
            pass

    def _send(self, response):
        self._leave_in_flight()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()


class FakeAwsServer(ThreadingHTTPServer):
    daemon_threads = True            # a slow answer must not block exit
    allow_reuse_address = True
    # listen()'s backlog (socketserver's default is 5).  A client opening
    # 32 connections at once (max_parallel = 32) overflows 5: the kernel
    # drops the extra SYNs and the client retries them only after 1 s.
    request_queue_size = 128

    def __init__(self, state, verbose=False):
        super().__init__(("127.0.0.1", 0), FakeAwsHandler)
        self.state = state
        self.verbose = verbose
        self.port = self.server_address[1]
        state.verifier = SigV4Verifier(
            state.keystore, state.clock,
            {"iam": [IAM_REGION], "sts": state.sts_regions, "s3": None,
             "ses": state.sts_regions, "organizations": [IAM_REGION]},
            self.port)


def write_port_file(path, port):
    """Write atomically so a reader never sees a partial number."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as handle:
        handle.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Fake AWS IAM/STS/S3/SES/Organizations/ECS/IMDS endpoint "
                    "for reportpipe tests "
                    "(see the module docstring for the scenario format).")
    parser.add_argument("--scenario", required=True,
                        help="scenario JSON file")
    parser.add_argument("--port-file", required=True,
                        help="written (atomically) with the port once "
                             "listening; removed on exit")
    parser.add_argument("--log", help="append one JSON line per request here")
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="stop after this long even if nobody asks "
                             "(default 600)")
    parser.add_argument("--mail-dir",
                        help="save each message SES accepts here as NNNN.eml "
                             "and NNNN.json (created if missing)")
    parser.add_argument("--verbose", action="store_true",
                        help="also print each request line on stderr")
    args = parser.parse_args(argv)

    try:
        scenario = Scenario(args.scenario)
    except ScenarioError as err:
        sys.stderr.write("fake_aws: scenario: %s\n" % err)
        return 2

    if args.mail_dir:
        try:
            os.makedirs(args.mail_dir, exist_ok=True)
        except OSError as err:
            sys.stderr.write("fake_aws: cannot create --mail-dir %s: %s\n" % (
                args.mail_dir, err.strerror))
            return 2
    state = ServerState(scenario, args.mail_dir)
    try:
        state.log = RequestLog(args.log)
    except OSError as err:
        sys.stderr.write("fake_aws: cannot open log %s: %s\n" % (
            args.log, err.strerror))
        return 2
    server = FakeAwsServer(state, args.verbose)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    write_port_file(args.port_file, server.port)
    sys.stderr.write("fake_aws: listening on 127.0.0.1:%d (pid %d)\n" % (
        server.port, os.getpid()))
    sys.stderr.flush()

    # Event.wait wakes up for the signal handler, and times out for
    # --max-seconds, so a forgotten fake cannot outlive its test for long.
    if not stop.wait(args.max_seconds):
        sys.stderr.write("fake_aws: --max-seconds reached, stopping\n")
    server.shutdown()
    server.server_close()
    state.log.close()
    try:
        os.unlink(args.port_file)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
