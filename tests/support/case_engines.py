"""The rule cases through checkov and terraform-compliance (tests/test_rule_case_engines_*.py).

Every case of `tests/rules/` (one edit of the canonical stack and the verdict AWS gives),
its real create plan beside its sources, checked by all three engines in one run per half
(two halves, so two workers share the engines' time). For every rule an engine covers
(each rule's `RuleMeta.engines`):

- it never fails what the native rule passes, nor passes what it fails;
- a rule it covers in part is never passed (it says unknown);
- a rule it covers in full gives the case's own verdict where AWS's answer is a failure.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from checker.engines.coverage import coverage
from checker.report.model import Finding
from tests.rules.cases import RuleCase, rule_cases
from tests.support.agreement import ENGINES, check_plans, contradictions, worst
from tests.terraform.rule_cases import case_inputs

CASES = rule_cases()


def half(which: int) -> list[RuleCase]:
    """Every other case, starting at `which` (0 or 1)."""
    return CASES[which::2]


def checked(cases: list[RuleCase], root: Path) -> dict[str, list[Finding]]:
    """Every case in its own folder (sources and plan), all checked in one run."""
    by_plan: dict[str, str] = {}
    for case in cases:
        folder = case_inputs(case).write(root / case.rule / case.name)
        plan = folder / "plan.json"
        plan.write_bytes(gzip.decompress(case.plan_path().read_bytes()))
        by_plan[str(plan)] = case.id
    return check_plans(by_plan)


def assert_engines_agree(found: list[Finding], case: RuleCase) -> None:
    assert [f.message for f in found if f.error] == []
    for engine in ENGINES:
        assert contradictions(found, engine) == [], engine
        levels = {c.rule_id: c.level for c in coverage(engine)}
        mine = [f for f in found if f.engine == engine]
        partial = {rule for rule, level in levels.items() if level == "partial"}
        assert [f.address for f in mine if f.rule_id in partial and f.status == "passed"] == []
        if levels.get(case.rule) != "full":
            continue
        for expect in case.expect:
            if expect.status("sources") == "failed":
                here = [f for f in mine if f.rule_id == case.rule]
                assert worst(here) == "failed", (engine, expect.address)
