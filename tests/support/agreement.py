"""Three engines, one verdict: how checkov's and terraform-compliance's verdicts are compared
with the native rules', and the corpus suite each `tests/test_agreement_<stack>.py` runs.

Every stack of the corpus (`tests/stacks/`), clean and mutated, on the create and update
plans real Terraform wrote, with the stack's sources beside the plan, checked by all three
engines in one run per stack (real checkov and real terraform-compliance in their isolated
environments; one file per stack, so that test workers share the stacks). For every rule an
engine covers:

- it never fails what the native rule passes, nor passes what it fails;
- it fails no clean stack (so `--engine all` passes them);
- a rule it covers in full is failed on every mutation of that rule;
- a rule it covers in part (its `RuleMeta.engines`) is never passed.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import ClassVar

import pytest

from checker.config import CheckerConfig
from checker.engines.coverage import coverage
from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs
from tests.stacks.corpus import CORPUS, Stack, StackMutation

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "stacks"
ENGINES = ("checkov", "compliance")
Case = tuple[Stack, StackMutation | None, str]

ORDER = ("none", "passed", "unknown", "failed")


def worst(findings: list[Finding]) -> str:
    return max((f.status for f in findings), key=ORDER.index, default="none")


def contradictions(found: list[Finding], engine: str) -> list[str]:
    """An engine's verdicts the native engine contradicts, address by address.

    A failure on an address the native rule does not judge (a companion resource
    where the native finding is on the bucket) agrees when the native rule fails.
    """
    native = [f for f in found if f.engine == "native"]
    out: list[str] = []
    for finding in (f for f in found if f.engine == engine):
        if finding.status not in ("passed", "failed"):
            continue
        same_rule = [f for f in native if f.rule_id == finding.rule_id]
        here = worst([f for f in same_rule if f.address == finding.address])
        if finding.status == "failed":
            ok = here == "failed" or (here == "none" and worst(same_rule) == "failed")
        else:
            ok = here != "failed"
        if not ok:
            out.append(f"{finding.rule_id} {finding.address}: {finding.status}, native {here}")
    return out


def stack_cases(name: str) -> list[Case]:
    stack = next(s for s in CORPUS if s.name == name)
    return [
        (stack, mutation, kind)
        for mutation in (None, *stack.mutations)
        for kind in ("create", "update")
    ]


def case_id(case: Case) -> str:
    stack, mutation, kind = case
    return f"{stack.name}/{mutation.id if mutation else 'clean'}.{kind}"


def check_cases(cases: list[Case], root: Path) -> dict[str, list[Finding]]:
    """Every case in its own folder (sources and plan), all checked in one run."""
    by_plan: dict[str, str] = {}
    for case in cases:
        stack, mutation, kind = case
        folder = root / case_id(case)
        stack.write(folder, mutation)
        name = mutation.id if mutation else "clean"
        plan = folder / "plan.json"
        plan.write_bytes(
            gzip.decompress((PLANS / stack.name / f"{name}.{kind}.json.gz").read_bytes())
        )
        by_plan[str(plan)] = case_id(case)
    return check_plans(by_plan)


def check_plans(by_plan: dict[str, str]) -> dict[str, list[Finding]]:
    """Plans (each beside its sources) checked by the three engines in one run: the findings
    per case name (`by_plan`: plan path -> case name)."""
    report: Report = check_inputs(
        list(by_plan), CheckOptions(engines=("native", *ENGINES), jobs=2), CheckerConfig()
    )
    out: dict[str, list[Finding]] = {name: [] for name in by_plan.values()}
    for finding in report.findings:
        out[by_plan[finding.input]].append(finding)
    return out


CHECKED: dict[str, dict[str, list[Finding]]] = {}


class AgreementSuite:
    """The agreement tests of one corpus stack: a `Test...` subclass names it in `stack`."""

    stack: ClassVar[str] = ""

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "case" in metafunc.fixturenames:
            cases = stack_cases(self.stack)
            metafunc.parametrize("case", cases, ids=[case_id(c) for c in cases])

    @pytest.fixture
    def findings(self, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
        """The stack's findings, checked once per test process."""
        if self.stack not in CHECKED:
            CHECKED[self.stack] = check_cases(
                stack_cases(self.stack), tmp_path_factory.mktemp(self.stack)
            )
        return CHECKED[self.stack]

    def test_engines_agree(self, findings: dict[str, list[Finding]], case: Case) -> None:
        _stack, mutation, _kind = case
        found = findings[case_id(case)]
        assert {f.engine for f in found} == {"native", *ENGINES}
        assert [f.message for f in found if f.error] == []
        for engine in ENGINES:
            assert contradictions(found, engine) == [], engine
            levels = {c.rule_id: c.level for c in coverage(engine)}
            mine = [f for f in found if f.engine == engine]
            if mutation is None:
                assert [f.message for f in mine if f.status == "failed"] == [], engine
            elif levels[mutation.rule] == "full":
                assert worst([f for f in mine if f.rule_id == mutation.rule]) == "failed", engine
            partial = {rule for rule, level in levels.items() if level == "partial"}
            assert [f for f in mine if f.rule_id in partial and f.status == "passed"] == []

    def test_every_engine_failure_says_what_it_found(
        self, findings: dict[str, list[Finding]]
    ) -> None:
        failures = [
            f
            for found in findings.values()
            for f in found
            if f.engine in ENGINES and f.status == "failed"
        ]
        assert failures  # every stack has mutations some engine fails
        assert [f.message for f in failures if "violates the check" in f.message] == []
        checkov = [f.message for f in failures if f.engine == "checkov"]
        assert all("found " in m and "; expected " in m for m in checkov)
