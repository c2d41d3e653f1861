"""What real Terraform writes, pinned, and our own renderer held to it.

The committed real plans are the ground truth. The facts below are the ones our
rendered plans (`tests/support/plan_builder.py`, still used for plan shapes
Terraform 1.11 cannot write and for synthetic benchmarks) once got wrong; each
is asserted on the real plans and on the rendered canonical plan, so the
renderer cannot drift from Terraform again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.plan.load import load_plan
from tests.support.canonical_stack import canonical_stack
from tests.support.plan_builder import render_plan
from tests.terraform.fixtures import CREATE_FIXTURE, UPDATE_FIXTURE, read_plan

Plan = dict[str, Any]


def change(plan: Plan, address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in plan["resource_changes"] if r["address"] == address)[
        "change"
    ]
    return found


def real() -> Plan:
    return read_plan(CREATE_FIXTURE)


def rendered() -> Plan:
    return render_plan(canonical_stack())


def test_real_plans_carry_what_only_terraform_writes() -> None:
    for plan in (read_plan(CREATE_FIXTURE), read_plan(UPDATE_FIXTURE)):
        assert plan["terraform_version"].startswith("1.11.")
        assert plan["format_version"] == "1.2"
        assert {"timestamp", "applyable", "complete", "errored"} <= set(plan)
        assert plan["errored"] is False and plan["applyable"] is True
        # `after` is complete: attributes the configuration leaves unset are explicit nulls.
        after = change(plan, "aws_lambda_function.processor")["after"]
        assert any(value is None for value in after.values())


def test_the_update_plan_has_refresh_drift_and_every_action() -> None:
    plan = read_plan(UPDATE_FIXTURE)
    assert plan["prior_state"]["values"]["root_module"]["resources"]
    assert plan["resource_drift"], "refresh after apply writes drift entries"
    actions = {tuple(r["change"]["actions"]) for r in plan["resource_changes"]}
    assert {("update",), ("delete",), ("create", "delete"), ("no-op",)} <= actions


def test_update_plans_fill_legacy_computed_attributes_from_state() -> None:
    """After a refresh, `aws_s3_bucket.policy`/`versioning` hold the current state, not the plan."""
    bucket = change(read_plan(UPDATE_FIXTURE), "aws_s3_bucket.content")
    assert bucket["actions"] == ["no-op"]
    assert json.loads(bucket["after"]["policy"])["Statement"][0]["Effect"] == "Deny"
    assert bucket["after"]["versioning"] == [{"enabled": True, "mfa_delete": False}]


@pytest.mark.parametrize("plan", [real, rendered], ids=["real", "rendered"])
def test_tags_all_is_known_under_default_tags(plan: Any) -> None:
    bucket = change(plan(), "aws_s3_bucket.content")
    assert bucket["after"]["tags_all"] == {"ManagedBy": "terraform", "Project": "tap"}
    assert not bucket["after_unknown"].get("tags_all")


@pytest.mark.parametrize("plan", [real, rendered], ids=["real", "rendered"])
def test_after_unknown_is_per_element_for_nested_blocks(plan: Any) -> None:
    table = change(plan(), "aws_dynamodb_table.main")
    assert isinstance(table["after_unknown"]["attribute"], list)
    assert len(table["after_unknown"]["attribute"]) == len(table["after"]["attribute"])


def update() -> Plan:
    return read_plan(UPDATE_FIXTURE)


def policies(plan: Plan) -> list[str]:
    return [
        r["change"]["after"]["policy"]
        for r in plan["resource_changes"]
        if isinstance(r["change"]["after"], dict) and r["change"]["after"].get("policy")
    ]


@pytest.mark.parametrize("plan", [real, rendered], ids=["real", "rendered"])
def test_planned_policies_are_minified_key_sorted_json(plan: Any) -> None:
    documents = policies(plan())
    assert documents
    for text in documents:
        assert text == json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True)


def test_policies_read_back_from_aws_are_minified_in_aws_order() -> None:
    documents = policies(update())
    assert len(documents) >= 4
    for text in documents:
        assert text == json.dumps(json.loads(text), separators=(",", ":"))


def test_terraform_1_0_drift_entries_without_address_load(tmp_path: Any) -> None:
    """Terraform 1.0 wrote `resource_drift` without `address`. Terraform 1.11 cannot write that
    shape, so this one plan is the real create plan with its drift rewritten by our code."""
    plan = read_plan(CREATE_FIXTURE)
    plan["terraform_version"] = "1.0.11"
    plan["format_version"] = "0.2"
    plan["resource_drift"] = [
        {
            "mode": "managed",
            "type": "aws_s3_bucket",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["update"], "before": {}, "after": {}},
        }
    ]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert load_plan(str(path)).document.resource_drift[0].address is None
