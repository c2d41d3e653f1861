"""Every rule case of `tests/rules/` (one edit of the canonical stack, the verdict AWS gives).

On the create plan real Terraform wrote for the edit: with sources bound, from the
plan alone, and from the `.tf` files alone (static mode), the rule's worst verdict
at each expected address is the case's, and nothing else fails but what the case
says the edit also breaks (with sources bound: exactly that). The `wiring` pack is on:
its rules agree with the TAP rules they generalise (`tests/support/wiring.py`).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from checker.report.model import Report
from checker.run import CheckOptions, check_inputs
from tests.rules.cases import MODES, STATUSES, RuleCase, rule_cases
from tests.support.wiring import WIRING, disagreements, with_generalised
from tests.terraform.fixtures import canonical_inputs
from tests.terraform.rule_cases import case_inputs, read_index

CASES = rule_cases()
BASE = canonical_inputs()


def run(case: RuleCase, mode: str, tmp: Path) -> Report:
    source = case_inputs(case).write(tmp / "src")
    if mode == "static":
        return check_inputs([str(source)], CheckOptions(), WIRING)
    plan = tmp / "plan.json"
    plan.write_bytes(gzip.decompress(case.plan_path().read_bytes()))
    options = CheckOptions(source=source if mode == "sources" else None)
    return check_inputs([str(plan)], options, WIRING)


def worst(report: Report, rule: str, address: str) -> str:
    found = [f.status for f in report.findings if f.rule_id == rule and f.address == address]
    return max(found, key=STATUSES.index, default="none")


def test_every_case_has_its_plan() -> None:
    stale = [
        c.id for c in CASES if read_index(c.rule).get(c.name) != c.digest(BASE.tf, BASE.handler)
    ]
    assert stale == [], f"python -m tests.terraform.rule_cases --rule ... ({stale})"


@pytest.mark.parametrize(  # from the plan alone is the quick mode: the `fast` inner loop
    "mode", [pytest.param(m, marks=pytest.mark.fast) if m == "plan" else m for m in MODES]
)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_rule_gives_the_verdict_aws_gives(case: RuleCase, mode: str, tmp_path: Path) -> None:
    report = run(case, mode, tmp_path)
    got = {e.address: worst(report, case.rule, e.address) for e in case.expect}
    assert got == {e.address: e.status(mode) for e in case.expect}, [
        f"{f.status} {f.address}: {f.message}" for f in report.findings if f.rule_id == case.rule
    ]
    assert not [f.message for f in report.findings if f.error]
    failed = {(f.rule_id, f.address) for f in report.findings if f.status == "failed"}
    mine = {(case.rule, e.address) for e in case.expect if e.status(mode) == "failed"}
    allowed = with_generalised(mine | case.also_fails)
    if mode == "sources":
        assert failed == allowed
    else:
        assert failed <= allowed
    assert disagreements(report) == []  # the wiring pack, on, agrees with the TAP rules


def test_the_cases_are_findable() -> None:
    """A case file outside a rule folder, or a rule folder of no rule, would never run."""
    from checker.rules.registry import builtin_rules

    rules = {rule.meta.id for rule in builtin_rules()}
    folders = {p.name for p in Path(__file__).parent.joinpath("rules").iterdir() if p.is_dir()}
    assert {f for f in folders if f.startswith("TAP")} <= rules
    assert not list(Path(__file__).parent.joinpath("rules").glob("*.toml"))
