"""The example pack's rules on small plans, with `checker.testing`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.testing import check_plan, findings_of

PACK = Path(__file__).resolve().parents[1] / "acme_rules"


def plan(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "resource_changes": list(changes)}


def resource(type_: str, name: str, after: dict[str, Any], unknown: Any = None) -> dict[str, Any]:
    return {
        "address": f"{type_}.{name}",
        "mode": "managed",
        "type": type_,
        "name": name,
        "change": {"actions": ["create"], "after": after, "after_unknown": unknown or {}},
    }


def test_deletion_protection() -> None:
    report = check_plan(
        plan(
            resource("aws_dynamodb_table", "on", {"deletion_protection_enabled": True}),
            resource("aws_dynamodb_table", "off", {"deletion_protection_enabled": False}),
            resource("aws_dynamodb_table", "later", {}, {"deletion_protection_enabled": True}),
        ),
        rules=[PACK],
    )
    assert findings_of(report, only=["ACME001"]) == {
        ("ACME001", "aws_dynamodb_table.on", "passed"),
        ("ACME001", "aws_dynamodb_table.off", "failed"),
        ("ACME001", "aws_dynamodb_table.later", "unknown"),
    }


def test_log_group_per_function() -> None:
    report = check_plan(
        plan(
            resource("aws_lambda_function", "a", {"function_name": "a"}),
            resource("aws_lambda_function", "b", {"function_name": "b"}),
            resource("aws_cloudwatch_log_group", "a", {"name": "/aws/lambda/a"}),
        ),
        rules=[PACK],
    )
    assert findings_of(report, only=["ACME002"]) == {
        ("ACME002", "aws_lambda_function.a", "passed"),
        ("ACME002", "aws_lambda_function.b", "failed"),
    }
