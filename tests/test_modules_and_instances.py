"""Rules find resources inside child modules and across count / for_each instances.

Real plans (`tests/fixtures/real/modules/`, written by `./dev fixtures`): the
stack as a child module called once, by `for_each` and by `count`, and some of
its mutations inside such modules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.terraform.fixtures import INDEX, REAL, module_stacks, read_plan

pytestmark = pytest.mark.fast

OPTIONS = CheckerConfig(rule_options={"TAP007": {"routes": ["POST /process"]}})
BY_ID = {m.id: m for m in MUTATIONS}
STACKS = {stack.name: stack for stack in module_stacks()}


def run(name: str, tmp_path: Path, with_sources: bool = False) -> list[Finding]:
    folder = STACKS[name].write(tmp_path / name)
    (folder / "plans").mkdir()
    plan = folder / "plans" / "plan.json"
    plan.write_text(json.dumps(read_plan(REAL / "modules" / f"{name}.create.json.gz")))
    options = CheckOptions(source=folder if with_sources else None)
    return check_inputs([str(plan)], options, OPTIONS).findings


def shape(findings: list[Finding], prefix: str = "") -> set[tuple[str, str, str]]:
    pattern = re.compile("^" + prefix)
    return {(f.rule_id, f.status, pattern.sub("", f.address)) for f in findings}


def test_module_plans_match_their_inputs() -> None:
    index = json.loads(INDEX.read_text(encoding="utf-8"))
    assert {name: index.get(f"module:{name}") for name in STACKS} == {
        name: stack.digest() for name, stack in STACKS.items()
    }


@pytest.mark.parametrize("with_sources", [False, True], ids=["plan-only", "with-sources"])
def test_stack_in_a_child_module_is_judged_like_the_root(
    tmp_path: Path, with_sources: bool
) -> None:
    nested = run("single", tmp_path, with_sources)
    assert not [f for f in nested if f.status == "failed"], nested
    assert any(f.address == "module.tap.aws_s3_bucket.content" for f in nested)
    # from the plan alone, source_arn names only its references, not its shape
    # (bucket.arn or "${bucket.arn}/*"): TAP001 is unknown there, as at the root
    judged = {"TAP001", "TAP005", "TAP010"} if with_sources else {"TAP005", "TAP010"}
    assert {f.rule_id for f in nested if f.status == "passed"} >= judged


def test_for_each_module_instances_are_each_judged(tmp_path: Path) -> None:
    findings = run("for-each", tmp_path, with_sources=True)
    assert not [f for f in findings if f.status == "failed"], findings
    addresses = {f.address for f in findings if f.rule_id == "TAP010"}
    for key in ("blue", "green"):
        assert f'module.tap["{key}"].aws_dynamodb_table.main' in addresses
    tap001 = [f for f in findings if f.rule_id == "TAP001"]
    assert {f.address for f in tap001} == {
        'module.tap["blue"].aws_s3_bucket_notification.content',
        'module.tap["green"].aws_s3_bucket_notification.content',
    }
    assert {f.status for f in tap001} == {"passed"}


def test_count_module_instances(tmp_path: Path) -> None:
    findings = run("count", tmp_path, with_sources=True)
    assert not [f for f in findings if f.status == "failed"], findings
    assert "module.tap[1].aws_s3_bucket.logs" in {
        f.address for f in findings if f.rule_id == "TAP011"
    }


@pytest.mark.parametrize(
    ("name", "mutation_id", "prefix"),
    [
        ("single-tap010-pitr-disabled", "tap010-pitr-disabled", "module.tap."),
        ("for-each-tap001-no-depends-on", "tap001-no-depends-on", 'module.tap["blue"].'),
        ("count-tap009-counted-notification", "tap009-counted-notification", "module.tap[1]."),
        (
            "for-each-tap003-via-service-other-region",
            "tap003-via-service-other-region",
            'module.tap["a"].',
        ),
    ],
)
def test_mutation_inside_a_module_fails_at_the_module_address(
    tmp_path: Path, name: str, mutation_id: str, prefix: str
) -> None:
    mutation = BY_ID[mutation_id]
    findings = run(name, tmp_path, with_sources=True)
    failed = {(f.rule_id, f.address) for f in findings if f.status == "failed"}
    for rule, addresses in mutation.fails.items():
        for address in addresses:
            assert (rule, prefix + address) in failed, (rule, prefix + address, failed)
    assert {rule for rule, _ in failed} == set(mutation.fails)
