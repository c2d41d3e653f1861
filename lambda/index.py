"""TAP processor: one handler for S3 ObjectCreated batches and API Gateway POST /process.

S3 delivers events at least once, so every S3 record is applied with a single
conditional UpdateItem that records the event id in the item itself: a
redelivered record fails the condition and changes nothing (incident 13 of the
seed: tests retry, so the handler must be idempotent).

API Gateway uses the AWS_PROXY integration (incident 7): the event is the proxy
payload and the answer must be a proxy response (statusCode, headers, body).

The table name comes from the TABLE_NAME environment variable. Logs are one
JSON object per line and never carry request bodies or object contents.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any
from urllib.parse import unquote_plus

import boto3
from botocore.exceptions import BotoCoreError, ClientError

LOGGER = logging.getLogger("tap.processor")
LOGGER.setLevel(logging.INFO)

MAX_ID_LENGTH = 256
MAX_BODY_BYTES = 64 * 1024
ALLOWED_ACTIONS = ("put", "get", "list")


class BadRequest(Exception):
    """A request the caller can fix: answered with a 4xx and written nowhere."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _log(event: str, **fields: Any) -> None:
    LOGGER.info(json.dumps({"event": event, **fields}, default=str, sort_keys=True))


def _table() -> Any:
    name = os.environ.get("TABLE_NAME")
    if not name:
        raise RuntimeError("TABLE_NAME is not set")
    return boto3.resource("dynamodb").Table(name)


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=str, sort_keys=True),
        "isBase64Encoded": False,
    }


def _error(status: int, message: str) -> dict[str, Any]:
    return _response(status, {"error": message})


# --------------------------------------------------------------------------- S3


def _s3_event_id(record: dict[str, Any]) -> str:
    """A stable id for one object-created event, the same on every redelivery."""
    s3 = record["s3"]
    obj = s3["object"]
    sequencer = obj.get("sequencer") or obj.get("versionId") or obj.get("eTag") or ""
    return f"{s3['bucket']['name']}/{obj['key']}@{sequencer}"


def _apply_s3_record(table: Any, record: dict[str, Any]) -> bool:
    """Count one upload of an object; return False when it was already counted."""
    s3 = record["s3"]
    bucket = s3["bucket"]["name"]
    key = unquote_plus(s3["object"]["key"])
    event_id = _s3_event_id(record)
    try:
        table.update_item(
            Key={"pk": f"object#{bucket}", "sk": key},
            UpdateExpression=(
                "ADD upload_count :one, seen_events :event_set "
                "SET last_event_time = :time, object_size = :size"
            ),
            ConditionExpression="attribute_not_exists(seen_events) OR NOT contains(seen_events, :event)",
            ExpressionAttributeValues={
                ":one": 1,
                ":event_set": {event_id},
                ":event": event_id,
                ":time": record.get("eventTime", ""),
                ":size": int(s3["object"].get("size", 0)),
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _handle_s3(event: dict[str, Any]) -> dict[str, Any]:
    table = _table()
    applied = duplicates = skipped = 0
    for record in event["Records"]:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            skipped += 1
            continue
        if _apply_s3_record(table, record):
            applied += 1
        else:
            duplicates += 1
    _log("s3_batch", applied=applied, duplicates=duplicates, skipped=skipped)
    return {"applied": applied, "duplicates": duplicates, "skipped": skipped}


# ------------------------------------------------------------------ API Gateway


def _parse_body(event: dict[str, Any]) -> dict[str, Any]:
    raw = event.get("body")
    if raw is None or raw == "":
        raise BadRequest(400, "request body is required: a JSON object with an 'id' field")
    if event.get("isBase64Encoded"):
        raise BadRequest(415, "binary bodies are not accepted: send application/json")
    if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise BadRequest(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequest(
            400, f"request body is not valid JSON (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(body, dict):
        raise BadRequest(400, "request body must be a JSON object")
    return body


def _require_id(body: dict[str, Any]) -> str:
    item_id = body.get("id")
    if not isinstance(item_id, str) or not item_id.strip():
        raise BadRequest(400, "field 'id' is required and must be a non-empty string")
    if len(item_id) > MAX_ID_LENGTH:
        raise BadRequest(400, f"field 'id' must be at most {MAX_ID_LENGTH} characters")
    return item_id


def _api_put(table: Any, body: dict[str, Any]) -> dict[str, Any]:
    item_id = _require_id(body)
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise BadRequest(400, "field 'payload' must be a JSON object")
    result = table.update_item(
        Key={"pk": f"request#{item_id}", "sk": "state"},
        UpdateExpression="SET payload = :payload, updated_at = :now ADD request_count :one",
        ExpressionAttributeValues={
            ":payload": json.dumps(payload, sort_keys=True),
            ":now": int(time.time()),
            ":one": 1,
        },
        ReturnValues="ALL_NEW",
    )
    count = int(result["Attributes"]["request_count"])
    _log("api_put", request_count=count)
    return {"id": item_id, "request_count": count}


def _api_get(table: Any, body: dict[str, Any]) -> dict[str, Any]:
    item_id = _require_id(body)
    result = table.get_item(Key={"pk": f"request#{item_id}", "sk": "state"})
    item = result.get("Item")
    if item is None:
        raise BadRequest(404, f"no request with id {item_id!r}")
    return {
        "id": item_id,
        "request_count": int(item["request_count"]),
        "payload": json.loads(item["payload"]),
    }


def _api_list(table: Any, body: dict[str, Any]) -> dict[str, Any]:
    bucket = body.get("bucket")
    if not isinstance(bucket, str) or not bucket:
        raise BadRequest(400, "field 'bucket' is required for action 'list'")
    result = table.query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": f"object#{bucket}"},
        Limit=100,
    )
    objects = [
        {"key": item["sk"], "upload_count": int(item["upload_count"])}
        for item in result.get("Items", [])
    ]
    return {"bucket": bucket, "objects": objects}


def _handle_api(event: dict[str, Any]) -> dict[str, Any]:
    method = str(event.get("httpMethod", "")).upper()
    if method != "POST":
        return _error(405, f"method {method or 'unknown'} is not allowed: use POST /process")
    try:
        body = _parse_body(event)
        action = body.get("action", "put")
        if action not in ALLOWED_ACTIONS:
            raise BadRequest(400, f"field 'action' must be one of {', '.join(ALLOWED_ACTIONS)}")
        table = _table()
        handlers = {"put": _api_put, "get": _api_get, "list": _api_list}
        return _response(200, handlers[action](table, body))
    except BadRequest as error:
        _log("api_rejected", status=error.status, reason=error.message)
        return _error(error.status, error.message)
    except (ClientError, BotoCoreError, RuntimeError) as error:
        _log("api_failed", error_type=type(error).__name__)
        return _error(502, "the request could not be stored; retry later")


# ---------------------------------------------------------------------- entry


def _is_s3_event(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    return bool(records) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records
    )


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point for both event sources."""
    if _is_s3_event(event):
        # An S3 failure raises so that Lambda retries the batch; applied records
        # are skipped on the retry thanks to the event-id condition.
        return _handle_s3(event)
    if isinstance(event, dict) and "httpMethod" in event:
        return _handle_api(event)
    _log("unknown_event", keys=sorted(event) if isinstance(event, dict) else type(event).__name__)
    return _error(400, "unsupported event: expected an S3 notification or an API Gateway request")
