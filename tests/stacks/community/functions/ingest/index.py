"""Count uploads (S3) and record requests (API Gateway POST /process) in one table."""

import json
import os
import time

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["EVENTS_TABLE"])


def _upload(record):
    key = record["s3"]["object"]["key"]
    TABLE.update_item(
        Key={"pk": "upload", "sk": key},
        UpdateExpression="ADD seen :one SET last_seen = :now",
        ExpressionAttributeValues={":one": 1, ":now": int(time.time())},
    )


def handler(event, context):
    if "Records" in event:
        for record in event["Records"]:
            _upload(record)
        return {"uploads": len(event["Records"])}
    body = json.loads(event.get("body") or "{}")
    if body.get("action") == "history":
        found = TABLE.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "request"}
        )
        return {"statusCode": 200, "body": json.dumps({"count": found["Count"]})}
    TABLE.put_item(Item={"pk": "request", "sk": str(time.time_ns()), "body": json.dumps(body)})
    return {"statusCode": 202, "body": "{}"}
