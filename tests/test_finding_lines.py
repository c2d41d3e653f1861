"""Findings point at the line that is wrong, with the resource's own line beside it.

A policy finding points at the statement that decides it (an explicit Deny, the statement
that grants DynamoDB without the action called) or at the policy document; an attribute
finding at the attribute; the resource's line is the secondary location (text `resource:`,
SARIF `relatedLocations`). A `# checker:ignore` above either line applies. Paths are
relative to the repository root, also from a stack's directory; outside any repository,
relative to the working directory, else absolute.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import CheckerConfig
from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.rules.cases import RuleCase, rule_cases
from tests.support.repos import git
from tests.support.scenario import write_scenario
from tests.terraform.rule_cases import case_inputs

pytestmark = pytest.mark.fast

RUNNER = CliRunner()
DENY = next(c for c in rule_cases("TAP002") if c.name == "explicit-deny-of-a-called-action")
PITR = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")


def _case(case: RuleCase, folder: Path, tf: str | None = None) -> Path:
    """The case's stack with its plan beside it (`tf` replaces the edited tap_stack.tf)."""
    case_inputs(case).write(folder)
    if tf is not None:
        (folder / "tap_stack.tf").write_text(tf, encoding="utf-8")
    plan = folder / "plan.json"
    plan.write_bytes(gzip.decompress(case.plan_path().read_bytes()))
    return plan


def _line(folder: Path, text: str) -> int:
    lines = (folder / "tap_stack.tf").read_text(encoding="utf-8").splitlines()
    (number,) = [i for i, line in enumerate(lines, 1) if text in line]
    return number


def _failed(plan: Path, rule: str) -> Finding:
    report = check_inputs([str(plan)], CheckOptions(source=plan.parent), CheckerConfig())
    (finding,) = [f for f in report.findings if f.rule_id == rule and f.status == "failed"]
    return finding


@pytest.fixture()
def inside(tmp_path: Path) -> Iterator[Path]:
    """The working directory for one test (restored after)."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def test_a_deny_points_at_its_statement_and_the_role_beside_it(inside: Path) -> None:
    folder = inside / "stack"
    finding = _failed(_case(DENY, folder), "TAP002")
    deny = _line(folder, 'sid       = "NoUpdates"') - 1  # its `statement {` line
    role = _line(folder, 'resource "aws_iam_role" "lambda"')
    assert finding.origin == "data.aws_iam_policy_document.lambda statement 1"
    assert (finding.file, finding.line) == ("stack/tap_stack.tf", deny)
    assert (finding.resource_file, finding.resource_line) == ("stack/tap_stack.tf", role)

    result = RUNNER.invoke(app, ["check", str(folder / "plan.json"), "--format", "sarif"])
    (sarif,) = [
        r for r in json.loads(result.stdout)["runs"][0]["results"] if r["ruleId"] == "TAP002"
    ]
    assert sarif["locations"][0]["physicalLocation"]["region"]["startLine"] == deny
    (related,) = sarif["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == role
    text = RUNNER.invoke(app, ["check", str(folder / "plan.json"), "--format", "text"]).stdout
    assert f"at:       stack/tap_stack.tf:{deny}" in text
    assert f"resource: stack/tap_stack.tf:{role} (aws_iam_role.lambda)" in text


def test_an_attribute_finding_points_at_the_attribute(inside: Path) -> None:
    write_scenario(inside / "stack", PITR)
    finding = _failed(inside / "stack" / "plan.json", "TAP010")
    assert finding.line == _line(inside / "stack", "point_in_time_recovery {")
    table = _line(inside / "stack", 'resource "aws_dynamodb_table"')
    assert finding.resource_line == table


@pytest.mark.parametrize("above", ["policy document", "statement"])
def test_a_suppression_above_the_policy_document_or_statement_applies(
    above: str, inside: Path
) -> None:
    tf = case_inputs(DENY).tf
    comment = "# checker:ignore TAP002 reason=the deny is the point expires=2099-01-01\n"
    anchor = (
        'data "aws_iam_policy_document" "lambda" {'
        if above == "policy document"
        else '  statement {\n    sid       = "NoUpdates"'
    )
    assert tf.count(anchor) == 1
    plan = _case(DENY, inside / "stack", tf.replace(anchor, comment + anchor))
    report = check_inputs([str(plan)], CheckOptions(source=plan.parent), CheckerConfig())
    tap002 = [f for f in report.findings if f.rule_id == "TAP002"]
    assert [(f.status, "the deny is the point" in f.waiver) for f in tap002] == [("waived", True)]
    assert not [w for w in report.warnings if "matches no finding" in w]


def test_paths_are_relative_to_the_repository_root_from_a_stack_directory(inside: Path) -> None:
    repo = inside / "repo"
    write_scenario(repo / "stacks" / "data", PITR)
    git(repo, "init", "-q")
    os.chdir(repo / "stacks" / "data")
    finding = _failed(Path("plan.json"), "TAP010")
    assert finding.file == "stacks/data/tap_stack.tf"
    assert finding.stack == "stacks/data"


def test_outside_a_repository_paths_are_relative_to_the_working_directory(
    inside: Path,
) -> None:
    write_scenario(inside / "work" / "stack", PITR)
    os.chdir(inside / "work")
    assert _failed(Path("stack/plan.json"), "TAP010").file == "stack/tap_stack.tf"
    (inside / "elsewhere").mkdir()
    os.chdir(inside / "elsewhere")  # the stack is not under it: never `../work/...`
    far = _failed(inside / "work" / "stack" / "plan.json", "TAP010")
    assert far.file == str((inside / "work" / "stack" / "tap_stack.tf").resolve())
