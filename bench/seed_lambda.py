#!/usr/bin/python3
# seed_lambda.py - the Lambda that reportpipe replaces, for the benchmark.
#
# This is the handler of the seed article (Qiita, 2019: "AWSのIAMユーザー
# 管理簿を毎週自動でメール配信する"; /work/shared/seed/) copied line for
# line.  The one change: every boto3 client and resource is given
# endpoint_url=AWS_ENDPOINT_URL, so that it talks to the local fake
# endpoint (bench/run starts tests/fakes/fake_aws.py) instead of AWS.
# Debian's boto3 (1.26) does not read AWS_ENDPOINT_URL by itself, hence
# the explicit argument.  The block at the end runs the handler once as a
# program, as Lambda would call it.
#
# What it does when the report is not ready at once: it calls
# GenerateCredentialReport once and then loops
#     while(response['State'] != 'COMPLETE'): time.sleep(1)
# on that first response, which never changes: it never asks again.
# Unless the very first GenerateCredentialReport answers COMPLETE (a
# report generated in the last four hours exists), the function spins
# until Lambda's timeout kills it, and no report is mailed that week.
# The benchmark's fake therefore serves a report that is ready at once
# ("generate_states": ["COMPLETE"]); see docs/performance.md.
import boto3
import re
import time
import datetime
import os

from botocore.exceptions import ClientError
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.mime.application import MIMEApplication


AWS_S3_BUCKET_NAME = os.environ["AWS_S3_BUCKET_NAME"]
ACCOUNT_ID = os.environ["ACCOUNT_ID"]
SENDER = os.environ["SENDER"]
RECIPIENT = os.environ["RECIPIENT"]
# benchmark: the only addition, passed to every client below
ENDPOINT_URL = os.environ["AWS_ENDPOINT_URL"]

AWS_REGION = "us-east-1"

SUBJECT = "IAMユーザーWeeklyReport"

# The character encoding for the email.
CHARSET = "utf-8"
# The email body for recipients with non-HTML email clients.
BODY_TEXT = "IAMユーザー管理リスト\n作成日時:{}".format(datetime.datetime.today())
# The HTML body of the email.
BODY_HTML = """\
<html>
<head></head>
<body>
<p>今週のIAMユーザー管理リスト</p>
<p>アカウントID:{}</p>
<p>作成日時:{}</p>
<p>ファイル格納先:{}</p>
</body>
</html>
""".format(ACCOUNT_ID, datetime.datetime.today(), AWS_S3_BUCKET_NAME)


def lambda_handler(event, context):
    # 認証情報レポートを生成
    iam = boto3.client('iam', endpoint_url=ENDPOINT_URL)
    response = iam.generate_credential_report()
    print(response)
    # レポート作成が完了するまで待機
    # (benchmark note: `response` is never refreshed, so this loop ends
    # only if the first answer was COMPLETE; otherwise it spins forever)
    while(response['State'] != 'COMPLETE'):
        time.sleep(1)
        continue
    result = iam.get_credential_report()
    print(result)

    # 取得日時からファイル名を生成
    pattern = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    date = re.search(pattern, str(result['GeneratedTime'])).group(0)
    fname = "{}_{}_iam_credential_report.csv".format(date.replace("-", ""), ACCOUNT_ID)
    ATTACHMENT = "/tmp/"+fname

    # S3へ保存
    s3 = boto3.resource('s3', endpoint_url=ENDPOINT_URL)
    bucket = s3.Bucket(AWS_S3_BUCKET_NAME)
    bucket.put_object(Key='iam/'+fname, Body=result["Content"])

    # tmpへ一時保存
    with open('/tmp/'+fname, "wb") as f:
        f.write(result["Content"])

    # メール配信
    # Create a new SES resource and specify a region.
    ses = boto3.client('ses', region_name=AWS_REGION, endpoint_url=ENDPOINT_URL)

    # Create a multipart/mixed parent container.
    msg = MIMEMultipart('mixed')

    # Add subject, from and to lines.
    msg['Subject'] = SUBJECT
    msg['From'] = SENDER
    msg['To'] = RECIPIENT

    # Create a multipart/alternative child container.
    msg_body = MIMEMultipart('alternative')

    # Encode the text and HTML content and set the character encoding. This step is
    # necessary if you're sending a message with characters outside the ASCII range.
    textpart = MIMEText(BODY_TEXT.encode(CHARSET), 'plain', CHARSET)
    htmlpart = MIMEText(BODY_HTML.encode(CHARSET), 'html', CHARSET)

    # Add the text and HTML parts to the child container.
    msg_body.attach(textpart)
    msg_body.attach(htmlpart)

    # Define the attachment part and encode it using MIMEApplication.
    att = MIMEApplication(result["Content"])

    # Add a header to tell the email client to treat this part as an attachment,
    # and to give the attachment a name.
    att.add_header('Content-Disposition', 'attachment', filename=os.path.basename(ATTACHMENT))

    # Attach the multipart/alternative child container to the multipart/mixed
    # parent container.
    msg.attach(msg_body)

    # Add the attachment to the parent container.
    msg.attach(att)

    try:
        # Provide the contents of the email.
        response = ses.send_raw_email(
            Source=SENDER,
            Destinations=[
                RECIPIENT
            ],
            RawMessage={
                'Data': msg.as_string(),
            },
            # ConfigurationSetName=CONFIGURATION_SET
        )
    # Display an error if something goes wrong.
    except ClientError as e:
        print(e.response)
        print(e.response['Error']['Message'])
    else:
        print("Email sent! Message ID:"),
    return (response['ResponseMetadata']['RequestId'])


if __name__ == "__main__":
    # benchmark: run the handler once, as Lambda would
    lambda_handler({}, None)
