import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    items = [{"id": r["s3"]["object"]["key"], "kind": "upload"} for r in event.get("Records", [])]
    if "body" in event:
        items.append({"id": context.aws_request_id, "kind": "request", "body": event["body"] or ""})
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return {"statusCode": 200, "body": json.dumps({"stored": len(items)})}
