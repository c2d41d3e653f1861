import os
import uuid

import boto3

table = boto3.client("dynamodb")


def handler(event, context):
    table.put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={"id": {"S": str(uuid.uuid4())}, "source": {"S": str(event.get("source", "api"))}},
    )
    return {"statusCode": 202, "body": ""}
