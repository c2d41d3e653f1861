import json
import os

import boto3

_table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handle(event, _context):
    for record in event.get("Records", []):
        key = record["s3"]["object"]["key"]
        _table.update_item(
            Key={"pk": key},
            UpdateExpression="SET seen = if_not_exists(seen, :zero) + :one",
            ExpressionAttributeValues={":zero": 0, ":one": 1},
        )
    if "body" in event:
        _table.put_item(Item={"pk": json.loads(event["body"] or "{}").get("id", "anon")})
    return {"statusCode": 200, "body": "ok"}
