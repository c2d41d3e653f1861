"""The canonical plan fixture is rendered from a description that must match tap_stack.tf."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.canonical_stack import FIXTURE, ROOT, canonical_stack
from tests.support.drift import drift
from tests.support.plan_builder import render_plan


def test_description_matches_tap_stack() -> None:
    assert drift(ROOT, canonical_stack()) == []


def test_committed_fixture_is_the_rendered_description() -> None:
    rendered = render_plan(canonical_stack())
    committed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(rendered)), (
        "tests/fixtures/plans/tap_stack.plan.json is stale: run python -m tests.support.canonical_stack"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("retention_in_days = 14", "retention_in_days = 30", "retention_in_days"),
        ('runtime          = "python3.12"', 'runtime          = "python3.13"', "runtime"),
        (
            "force_destroy = true # incident 11: versioned",
            "force_destroy = false # incident 11: versioned",
            "force_destroy",
        ),
        ("depends_on = [aws_lambda_permission.s3]", "", "depends_on"),
        (
            'resource "aws_kms_alias" "main"',
            'resource "aws_kms_alias" "renamed"',
            "aws_kms_alias.renamed",
        ),
    ],
)
def test_drift_is_detected_in_a_changed_copy(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
    assert old in text
    shutil.copytree(ROOT / "lambda", tmp_path / "lambda")
    (tmp_path / "tap_stack.tf").write_text(text.replace(old, new, 1), encoding="utf-8")
    differences = drift(tmp_path, canonical_stack())
    assert any(expected in d for d in differences), differences


def test_fixture_is_a_plan_terraform_could_write() -> None:
    plan = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert plan["format_version"] == "1.2"
    changes = {rc["address"]: rc["change"] for rc in plan["resource_changes"]}
    # computed at apply: absent from planned values and true in after_unknown
    for address, attr in [
        ("aws_s3_bucket.content", "arn"),
        ("aws_lambda_function.processor", "invoke_arn"),
        ("aws_api_gateway_rest_api.main", "execution_arn"),
        ("aws_api_gateway_stage.main", "invoke_url"),
        ("aws_dynamodb_table.main", "arn"),
    ]:
        assert attr not in changes[address]["after"]
        assert changes[address]["after_unknown"][attr] is True
    # values built from them are unknown too, with their references in the configuration
    assert changes["aws_lambda_permission.s3"]["after_unknown"]["source_arn"] is True
    assert changes["data.aws_iam_policy_document.lambda"]["actions"] == ["read"]
    assert changes["data.aws_iam_policy_document.lambda"]["after_unknown"]["json"] is True
    # user_data is stored as the provider's hash
    user_data = changes["aws_instance.proof"]["after"]["user_data"]
    assert len(user_data) == 40 and "s3api" not in user_data
    # data sources readable at plan time sit in prior_state
    prior = {r["address"] for r in plan["prior_state"]["values"]["root_module"]["resources"]}
    assert {
        "data.archive_file.lambda",
        "data.aws_caller_identity.current",
        "data.aws_region.current",
        "data.aws_iam_policy_document.kms",
    } <= prior
