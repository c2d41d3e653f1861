import os

import boto3

dynamodb = boto3.client("dynamodb")


def main(event, context):
    dynamodb.put_item(
        TableName=os.environ["EVENTS_TABLE"],
        Item={"id": {"S": context.aws_request_id}},
    )
    return {"statusCode": 201, "body": ""}
