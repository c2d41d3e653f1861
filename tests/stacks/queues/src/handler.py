"""Order worker: each message of the orders queue is archived to the bucket, announced on
the topic, and forwarded to the rejects queue when it cannot be parsed."""

import json
import os

import boto3

SNS = boto3.client("sns")
SQS = boto3.client("sqs")
S3 = boto3.client("s3")

TOPIC_ARN = os.environ["TOPIC_ARN"]


def handler(event, context):
    processed = 0
    for record in event.get("Records", []):
        body = record["body"]
        try:
            order = json.loads(body)
        except ValueError:
            SQS.send_message(QueueUrl=os.environ["DLQ_URL"], MessageBody=body)
            continue
        S3.put_object(
            Bucket=os.environ["BUCKET"],
            Key=f"orders/{record['messageId']}.json",
            Body=body.encode(),
        )
        SNS.publish(TopicArn=TOPIC_ARN, Message=json.dumps({"order": order.get("id")}))
        processed += 1
    return {"processed": processed}
