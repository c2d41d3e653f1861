"""Orders worker: S3 uploads create orders, POST /process updates or looks them up."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
TABLE = os.environ["ORDERS_TABLE"]


def _put(order_id, customer):
    dynamodb.put_item(
        TableName=TABLE, Item={"order_id": {"S": order_id}, "customer": {"S": customer}}
    )


def lambda_handler(event, context):
    for record in event.get("Records", []):
        _put(record["s3"]["object"]["key"], "upload")
    if "httpMethod" not in event:
        return {"created": len(event.get("Records", []))}
    body = json.loads(event.get("body") or "{}")
    if "customer" in body and "order_id" not in body:
        found = dynamodb.query(
            TableName=TABLE,
            IndexName="by-customer",
            KeyConditionExpression="customer = :c",
            ExpressionAttributeValues={":c": {"S": body["customer"]}},
        )
        return {"statusCode": 200, "body": json.dumps({"orders": found["Count"]})}
    current = dynamodb.get_item(TableName=TABLE, Key={"order_id": {"S": body["order_id"]}})
    if "Item" not in current:
        _put(body["order_id"], body.get("customer", "api"))
    dynamodb.update_item(
        TableName=TABLE,
        Key={"order_id": {"S": body["order_id"]}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": body.get("status", "processing")}},
    )
    return {"statusCode": 200, "body": "{}"}
