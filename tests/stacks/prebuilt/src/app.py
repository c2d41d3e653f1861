"""Ledger worker, built by the release pipeline into dist/worker.zip (app.py at the root).

S3 uploads and API Gateway POST /process both land here; every event becomes
one ledger entry, and a repeated request id only bumps its counter.
"""

import json
import os
import time

import boto3

ledger = boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE"])


def record(entry_id, source):
    existing = ledger.get_item(Key={"entry_id": entry_id}).get("Item")
    if existing:
        ledger.update_item(
            Key={"entry_id": entry_id},
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": 1},
        )
        return False
    ledger.put_item(
        Item={"entry_id": entry_id, "source": source, "at": int(time.time()), "hits": 1}
    )
    return True


def handler(event, context):
    if "Records" in event:
        created = [record(r["s3"]["object"]["key"], "s3") for r in event["Records"]]
        return {"created": sum(created)}
    body = json.loads(event.get("body") or "{}")
    created = record(str(body.get("id", context.aws_request_id)), "api")
    return {"statusCode": 201 if created else 200, "body": json.dumps({"created": created})}
