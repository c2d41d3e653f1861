"""Every shape of plan Terraform writes loads, and every rule decides or says unknown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.run import CheckOptions, check_inputs
from tests.support.shapes import SHAPES

pytestmark = pytest.mark.fast

CONFIG = CheckerConfig(rule_options={"TAP007": {"routes": ["POST /process"]}})


def run(name: str, tmp_path: Path) -> list[object]:
    plan = tmp_path / f"{name}.json"
    plan.write_text(json.dumps(SHAPES[name]()))
    return check_inputs([str(plan)], CheckOptions(), CONFIG).findings  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_loads_and_every_rule_decides_or_says_unknown(name: str, tmp_path: Path) -> None:
    findings = run(name, tmp_path)
    assert not [f for f in findings if f.error], [f.message for f in findings if f.error]  # type: ignore[attr-defined]
    assert {f.status for f in findings} <= {"passed", "failed", "unknown"}  # type: ignore[attr-defined]


def _statuses(findings: list[object]) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.address): f.status for f in findings}  # type: ignore[attr-defined]


def test_deleted_and_forgotten_resources_are_not_judged(tmp_path: Path) -> None:
    statuses = _statuses(run("deleted_replaced_moved_forgotten", tmp_path))
    assert not [k for k in statuses if k[1] == "aws_s3_bucket.logs"]  # deleted, force_destroy false
    assert not [k for k in statuses if k[1] == "aws_instance.proof"]  # forgotten
    assert statuses[("TAP010", "aws_dynamodb_table.main")] == "passed"  # replaced: judged
    assert ("TAP003", "aws_kms_key.main") in statuses  # moved: judged at its new address


@pytest.mark.parametrize(
    "name", ["format_0_1", "format_0_2", "format_1_0", "format_1_1", "format_1_2"]
)
def test_old_formats_reach_the_same_verdicts(name: str, tmp_path: Path) -> None:
    baseline = _statuses(run("format_1_2", tmp_path))
    assert _statuses(run(name, tmp_path)) == baseline


def test_nested_and_counted_modules_are_judged_per_instance(tmp_path: Path) -> None:
    nested = _statuses(run("nested_modules", tmp_path))
    assert nested[("TAP010", 'module.outer["eu"].module.inner.aws_dynamodb_table.main')] == "passed"
    assert nested[("TAP010", 'module.outer["us"].module.inner.aws_dynamodb_table.main')] == "passed"
    counted = _statuses(run("module_count", tmp_path))
    assert {a for r, a in counted if r == "TAP011"} == {
        f"module.tap[{i}].aws_s3_bucket.{b}" for i in range(3) for b in ("content", "logs")
    }


def test_an_empty_plan_has_nothing_to_judge(tmp_path: Path) -> None:
    assert run("no_changes", tmp_path) == []
