"""Plans in every shape Terraform writes, derived from the canonical stack.

Each function returns a plan document as Terraform of that version would print
it (fields it did not write yet are left out), so the loader and the rules meet
the real variety: old format versions, deep and repeated modules, module
depends_on, deletions, replacements, moves, forgets, partial data sources,
explicit nulls, huge numbers, checks, nested sensitive values, and no changes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.support.canonical_stack import canonical_stack
from tests.support.modules import in_module
from tests.support.plan_builder import render_plan

Plan = dict[str, Any]
NEWER_FIELDS = ("relevant_attributes", "checks", "timestamp", "applyable", "complete", "errored")


def _canonical() -> Plan:
    return render_plan(canonical_stack())


def _strip_sensitive(node: Any) -> None:
    if isinstance(node, dict):
        for key in ("after_sensitive", "before_sensitive", "sensitive_values"):
            node.pop(key, None)
        for value in node.values():
            _strip_sensitive(value)
    elif isinstance(node, list):
        for value in node:
            _strip_sensitive(value)


def format_0_1() -> Plan:
    """Terraform 0.12: format 0.1, short provider names, no sensitive markers."""
    plan = _canonical()
    plan["format_version"], plan["terraform_version"] = "0.1", "0.12.31"
    for key in NEWER_FIELDS:
        plan.pop(key, None)
    _strip_sensitive(plan)
    for rc in plan["resource_changes"]:
        rc["provider_name"] = rc["provider_name"].rsplit("/", 1)[-1]
        rc.pop("action_reason", None)
    for provider in plan["configuration"]["provider_config"].values():
        provider.pop("full_name", None)
    plan["prior_state"]["format_version"] = "0.1"
    return plan


def format_0_2() -> Plan:
    plan = format_0_1()
    plan["format_version"], plan["terraform_version"] = "0.2", "1.0.11"
    return plan


def format_1_0() -> Plan:
    plan = _canonical()
    plan["format_version"], plan["terraform_version"] = "1.0", "1.1.9"
    for key in NEWER_FIELDS:
        plan.pop(key, None)
    return plan


def format_1_1() -> Plan:
    plan = _canonical()
    plan["format_version"], plan["terraform_version"] = "1.1", "1.2.9"
    for key in ("checks", "timestamp", "applyable", "complete", "errored"):
        plan.pop(key, None)
    return plan


def format_1_2() -> Plan:
    return _canonical()


def nested_modules() -> Plan:
    """The stack two modules deep, the outer module called with for_each."""
    return render_plan(in_module(in_module(canonical_stack(), "inner"), "outer", ["eu", "us"]))


def module_count() -> Plan:
    return render_plan(in_module(canonical_stack(), "tap", [0, 1, 2]))


def module_depends_on() -> Plan:
    plan = render_plan(in_module(canonical_stack(), "tap"))
    plan["configuration"]["root_module"]["module_calls"]["tap"]["depends_on"] = ["var.tags"]
    return plan


def _change(plan: Plan, address: str) -> dict[str, Any]:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def deleted_replaced_moved_forgotten() -> Plan:
    plan = _canonical()
    logs = _change(plan, "aws_s3_bucket.logs")
    before = {
        **logs["change"]["after"],
        "arn": "arn:aws:s3:::old-logs",
        "id": "old-logs",
        "force_destroy": False,
    }
    logs["change"].update(
        actions=["delete"],
        before=before,
        after=None,
        after_unknown={},
        before_sensitive={},
        after_sensitive=False,
    )
    logs["action_reason"] = "delete_because_no_resource_config"
    table = _change(plan, "aws_dynamodb_table.main")
    table["change"]["actions"] = ["delete", "create"]
    table["change"]["before"] = {
        **table["change"]["after"],
        "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/x",
    }
    table["action_reason"] = "replace_because_cannot_update"
    table["change"]["replace_paths"] = [["range_key"]]
    key = _change(plan, "aws_kms_key.main")
    key["previous_address"] = "aws_kms_key.stack"
    instance = _change(plan, "aws_instance.proof")
    instance["change"]["actions"] = ["forget"]
    instance["change"]["before"] = instance["change"]["after"]
    instance["change"]["after"] = None
    return plan


def partial_data_sources() -> Plan:
    """A data source read at apply with most of its values unknown, and one read fully."""
    plan = _canonical()
    doc = _change(plan, "data.aws_iam_policy_document.proof")
    doc["change"]["after"] = {}
    doc["change"]["after_unknown"] = {"statement": True, "json": True, "id": True}
    doc["action_reason"] = "read_because_dependency_pending"
    return plan


def explicit_nulls() -> Plan:
    plan = _canonical()
    for rc in plan["resource_changes"]:
        after = rc["change"]["after"]
        if isinstance(after, dict):
            for key in list(after)[:3]:
                after[key] = None
    plan["variables"]["tags"] = {"value": None}
    plan["output_changes"]["stack_name"]["after"] = None
    plan["configuration"]["root_module"]["resources"][0]["expressions"] = None
    return plan


def large_numbers() -> Plan:
    plan = _canonical()
    table = _change(plan, "aws_dynamodb_table.main")
    table["change"]["after"]["read_capacity"] = 2**70
    table["change"]["after"]["write_capacity"] = 1.7976931348623157e308
    group = _change(plan, "aws_cloudwatch_log_group.lambda")
    group["change"]["after"]["retention_in_days"] = 9223372036854775807
    return plan


def with_checks() -> Plan:
    plan = _canonical()
    plan["checks"] = [
        {
            "address": {"kind": "check", "name": "health", "to_display": "check.health"},
            "status": "unknown",
            "instances": [
                {"address": {"to_display": "check.health"}, "status": "unknown", "problems": []}
            ],
        },
        {
            "address": {
                "kind": "resource",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "content",
                "to_display": "aws_s3_bucket.content",
            },
            "status": "pass",
        },
    ]
    return plan


def nested_sensitive() -> Plan:
    plan = _canonical()
    function = _change(plan, "aws_lambda_function.processor")
    function["change"]["after_sensitive"] = {"environment": [{"variables": {"TABLE_NAME": True}}]}
    stage = _change(plan, "aws_api_gateway_stage.main")
    stage["change"]["after_sensitive"] = {"access_log_settings": [{"format": True}]}
    return plan


def no_changes() -> Plan:
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "configuration": {"provider_config": {}, "root_module": {}},
        "applyable": False,
        "complete": True,
        "errored": False,
    }


def no_op_existing_stack() -> Plan:
    """A second plan after apply: every resource known and unchanged."""
    plan = _canonical()
    for rc in plan["resource_changes"]:
        if rc["mode"] == "data":
            continue
        after = copy.deepcopy(rc["change"]["after"])
        for key, unknown in (rc["change"]["after_unknown"] or {}).items():
            if unknown is True:
                after[key] = f"known-{key}"
        rc["change"].update(actions=["no-op"], before=after, after=after, after_unknown={})
    return plan


SHAPES: dict[str, Callable[[], Plan]] = {
    f.__name__: f
    for f in (
        format_0_1, format_0_2, format_1_0, format_1_1, format_1_2, nested_modules, module_count,
        module_depends_on, deleted_replaced_moved_forgotten, partial_data_sources, explicit_nulls,
        large_numbers, with_checks, nested_sensitive, no_changes, no_op_existing_stack,
    )
}  # fmt: skip
