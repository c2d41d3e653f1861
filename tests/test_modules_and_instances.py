"""Rules find resources inside child modules and across count / for_each instances."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import canonical_stack
from tests.support.modules import in_module
from tests.support.plan_builder import Stack, render_plan

OPTIONS = CheckerConfig(rule_options={"TAP007": {"routes": ["POST /process"]}})
BY_ID = {m.id: m for m in MUTATIONS}


def run(stack: Stack, tmp_path: Path) -> list[Finding]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(render_plan(stack)), encoding="utf-8")
    return check_inputs([str(plan)], CheckOptions(), OPTIONS).findings


def shape(findings: list[Finding], prefix: str = "") -> set[tuple[str, str, str]]:
    pattern = re.compile("^" + prefix)
    return {(f.rule_id, f.status, pattern.sub("", f.address)) for f in findings}


def test_stack_in_a_child_module_is_judged_like_the_root(tmp_path: Path) -> None:
    root = run(canonical_stack(), tmp_path)
    (tmp_path / "m").mkdir()
    nested = run(in_module(canonical_stack(), "tap"), tmp_path / "m")
    assert not [f for f in nested if f.status == "failed"]
    assert shape(nested, r"module\.tap\.") == shape(root)
    assert any(f.address == "module.tap.aws_s3_bucket.content" for f in nested)


def test_for_each_module_instances_are_each_judged(tmp_path: Path) -> None:
    findings = run(in_module(canonical_stack(), "tap", ["blue", "green"]), tmp_path)
    assert not [f for f in findings if f.status == "failed"]
    for key in ("blue", "green"):
        addresses = {f.address for f in findings if f.rule_id == "TAP010"}
        assert f'module.tap["{key}"].aws_dynamodb_table.main' in addresses
    tap001 = [f for f in findings if f.rule_id == "TAP001"]
    assert {f.address for f in tap001} == {
        'module.tap["blue"].aws_s3_bucket_notification.content',
        'module.tap["green"].aws_s3_bucket_notification.content',
    }
    assert {f.status for f in tap001} == {"passed"}


def test_count_module_instances(tmp_path: Path) -> None:
    findings = run(in_module(canonical_stack(), "tap", [0, 1]), tmp_path)
    assert not [f for f in findings if f.status == "failed"]
    assert "module.tap[1].aws_s3_bucket.logs" in {
        f.address for f in findings if f.rule_id == "TAP011"
    }


@pytest.mark.parametrize(
    ("mutation_id", "keys", "prefix"),
    [
        ("tap010-pitr-disabled", None, "module.tap."),
        ("tap001-no-depends-on", ["blue", "green"], 'module.tap["blue"].'),
        ("tap009-counted-notification", [0, 1], "module.tap[1]."),
        ("tap003-via-service-other-region", ["a"], 'module.tap["a"].'),
    ],
)
def test_mutation_inside_a_module_fails_at_the_module_address(
    tmp_path: Path, mutation_id: str, keys: list[str | int] | None, prefix: str
) -> None:
    mutation = BY_ID[mutation_id]
    findings = run(in_module(mutation.stack(canonical_stack()), "tap", keys), tmp_path)
    failed = {(f.rule_id, f.address) for f in findings if f.status == "failed"}
    for rule, addresses in mutation.fails.items():
        for address in addresses:
            assert (rule, prefix + address) in failed, (rule, prefix + address, failed)
    assert {rule for rule, _ in failed} == set(mutation.fails)
