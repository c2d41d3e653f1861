"""The Lambda handler against moto's DynamoDB: S3 batches, the API, redelivery, bad input."""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[1]
TABLE = "tap-test-records"


def _load_handler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tap_lambda_index", ROOT / "lambda" / "index.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def handler(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("TABLE_NAME", TABLE)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield _load_handler()


def _items() -> list[dict[str, Any]]:
    return list(boto3.resource("dynamodb").Table(TABLE).scan()["Items"])


def s3_record(key: str, sequencer: str, bucket: str = "tap-content") -> dict[str, Any]:
    return {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "eventTime": "2026-11-25T12:00:00.000Z",
        "s3": {
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": key, "size": 12, "eTag": "abc", "sequencer": sequencer},
        },
    }


def api_event(body: Any, method: str = "POST", raw: bool = False) -> dict[str, Any]:
    return {
        "httpMethod": method,
        "resource": "/process",
        "path": "/process",
        "headers": {"Content-Type": "application/json"},
        "body": body if raw else json.dumps(body),
        "isBase64Encoded": False,
    }


def _body(response: dict[str, Any]) -> dict[str, Any]:
    assert response["headers"]["Content-Type"] == "application/json"
    return dict(json.loads(response["body"]))


def test_s3_batch_counts_every_object(handler: ModuleType) -> None:
    event = {"Records": [s3_record("uploads/a.txt", "01"), s3_record("uploads/b%20c.txt", "02")]}
    result = handler.handler(event, None)
    assert result == {"applied": 2, "duplicates": 0, "skipped": 0}
    keys = sorted((item["sk"], int(item["upload_count"])) for item in _items())
    assert keys == [("uploads/a.txt", 1), ("uploads/b c.txt", 1)]


def test_redelivered_s3_record_leaves_counter_unchanged(handler: ModuleType) -> None:
    record = s3_record("uploads/a.txt", "0055AED6DCD90281E5")
    handler.handler({"Records": [record]}, None)
    again = handler.handler({"Records": [record]}, None)
    assert again == {"applied": 0, "duplicates": 1, "skipped": 0}
    (item,) = _items()
    assert int(item["upload_count"]) == 1


def test_new_upload_of_same_key_counts_again(handler: ModuleType) -> None:
    handler.handler({"Records": [s3_record("uploads/a.txt", "01")]}, None)
    handler.handler({"Records": [s3_record("uploads/a.txt", "02")]}, None)
    (item,) = _items()
    assert int(item["upload_count"]) == 2


def test_non_create_s3_events_are_skipped(handler: ModuleType) -> None:
    record = s3_record("uploads/a.txt", "01")
    record["eventName"] = "ObjectRemoved:Delete"
    assert handler.handler({"Records": [record]}, None)["skipped"] == 1
    assert _items() == []


def test_api_post_upserts_with_counter(handler: ModuleType) -> None:
    first = handler.handler(api_event({"id": "job-1", "payload": {"n": 1}}), None)
    second = handler.handler(api_event({"id": "job-1", "payload": {"n": 2}}), None)
    assert first["statusCode"] == 200 and _body(first) == {"id": "job-1", "request_count": 1}
    assert _body(second)["request_count"] == 2
    got = handler.handler(api_event({"id": "job-1", "action": "get"}), None)
    assert _body(got) == {"id": "job-1", "request_count": 2, "payload": {"n": 2}}


def test_api_list_queries_uploads_of_a_bucket(handler: ModuleType) -> None:
    handler.handler({"Records": [s3_record("uploads/a.txt", "01", bucket="b1")]}, None)
    handler.handler({"Records": [s3_record("uploads/z.txt", "01", bucket="b2")]}, None)
    listed = handler.handler(api_event({"action": "list", "bucket": "b1"}), None)
    assert _body(listed) == {
        "bucket": "b1",
        "objects": [{"key": "uploads/a.txt", "upload_count": 1}],
    }


@pytest.mark.parametrize(
    ("event", "status", "message"),
    [
        (api_event("{not json", raw=True), 400, "not valid JSON"),
        (api_event(None, raw=True), 400, "body is required"),
        (api_event("", raw=True), 400, "body is required"),
        (api_event([1, 2]), 400, "must be a JSON object"),
        (api_event({"payload": {}}), 400, "'id' is required"),
        (api_event({"id": "   "}), 400, "'id' is required"),
        (api_event({"id": 5}), 400, "'id' is required"),
        (api_event({"id": "x" * 300}), 400, "at most 256"),
        (api_event({"id": "a", "payload": [1]}), 400, "'payload' must be a JSON object"),
        (api_event({"id": "a", "action": "drop"}), 400, "'action' must be one of"),
        (api_event({"action": "list"}), 400, "'bucket' is required"),
        (api_event({"id": "a"}, method="GET"), 405, "method GET is not allowed"),
        (api_event({"id": "a"}, method="DELETE"), 405, "use POST /process"),
        (api_event("x" * (70 * 1024), raw=True), 413, "larger than"),
        ({**api_event({"id": "a"}), "isBase64Encoded": True}, 415, "binary bodies"),
        (api_event({"id": "missing", "action": "get"}), 404, "no request with id"),
    ],
)
def test_bad_requests_get_4xx_json_and_write_nothing(
    handler: ModuleType, event: dict[str, Any], status: int, message: str
) -> None:
    response = handler.handler(event, None)
    assert response["statusCode"] == status
    body = _body(response)
    assert message in body["error"]
    assert "Traceback" not in response["body"]
    assert _items() == []


def test_unknown_event_shape_is_rejected(handler: ModuleType) -> None:
    response = handler.handler({"detail-type": "Scheduled Event"}, None)
    assert response["statusCode"] == 400
    assert "unsupported event" in _body(response)["error"]


def test_table_that_rejects_writes_gives_5xx_and_no_partial_item(handler: ModuleType) -> None:
    error = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
        "UpdateItem",
    )
    with mock.patch.object(handler, "_table") as table:
        table.return_value.update_item.side_effect = error
        response = handler.handler(
            api_event({"id": "job-1", "payload": {"secret": "s3cr3t"}}), None
        )
    assert response["statusCode"] == 502
    assert "retry" in _body(response)["error"]
    assert "s3cr3t" not in response["body"]
    assert _items() == []


def test_missing_table_name_gives_5xx(handler: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME")
    response = handler.handler(api_event({"id": "job-1"}), None)
    assert response["statusCode"] == 502


def test_s3_failure_raises_for_lambda_retry(handler: ModuleType) -> None:
    error = ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "UpdateItem")
    with mock.patch.object(handler, "_table") as table:
        table.return_value.update_item.side_effect = error
        with pytest.raises(ClientError):
            handler.handler({"Records": [s3_record("uploads/a.txt", "01")]}, None)


def test_logs_are_structured_and_carry_no_payload(
    handler: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tap.processor"):
        handler.handler(api_event({"id": "job-1", "payload": {"password": "hunter2-secret"}}), None)
        handler.handler(api_event("{broken", raw=True), None)
    assert caplog.records
    for record in caplog.records:
        parsed = json.loads(record.getMessage())
        assert "event" in parsed
        assert "hunter2-secret" not in record.getMessage()
