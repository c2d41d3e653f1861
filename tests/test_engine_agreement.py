"""Three engines, one verdict: checkov and terraform-compliance against the native rules.

Every stack of the corpus (`tests/stacks/`), clean and mutated, on the create
and update plans real Terraform wrote, with the stack's sources beside the
plan, checked by all three engines in one run (real checkov and real
terraform-compliance in their isolated environments). For every rule an
engine covers:

- it never fails what the native rule passes, nor passes what it fails;
- it fails no clean stack (so `--engine all` passes them);
- a rule it covers in full is failed on every mutation of that rule;
- a rule it covers in part (`checker/policies/coverage.toml`) is never passed.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.engines.coverage import coverage
from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs
from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.support.agreement import contradictions, worst

PLANS = Path(__file__).resolve().parent / "fixtures" / "stacks"
ENGINES = ("checkov", "compliance")
Case = tuple[Stack, StackMutation | None, str]
CASES: list[Case] = [
    (stack, mutation, kind)
    for stack in CORPUS
    for mutation in (None, *stack.mutations)
    for kind in ("create", "update")
]


def case_id(case: Case) -> str:
    stack, mutation, kind = case
    return f"{stack.name}/{mutation.id if mutation else 'clean'}.{kind}"


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """Every case in its own folder (sources and plan), all checked in one run."""
    root = tmp_path_factory.mktemp("agreement")
    by_plan: dict[str, str] = {}
    for case in CASES:
        stack, mutation, kind = case
        folder = root / case_id(case)
        stack.write(folder, mutation)
        name = mutation.id if mutation else "clean"
        plan = folder / "plan.json"
        plan.write_bytes(
            gzip.decompress((PLANS / stack.name / f"{name}.{kind}.json.gz").read_bytes())
        )
        by_plan[str(plan)] = case_id(case)
    report: Report = check_inputs(
        list(by_plan), CheckOptions(engines=("native", *ENGINES), jobs=2), CheckerConfig()
    )
    out: dict[str, list[Finding]] = {name: [] for name in by_plan.values()}
    for finding in report.findings:
        out[by_plan[finding.input]].append(finding)
    return out


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_engines_agree(findings: dict[str, list[Finding]], case: Case) -> None:
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


def test_every_engine_failure_says_what_it_found(findings: dict[str, list[Finding]]) -> None:
    failures = [
        f
        for found in findings.values()
        for f in found
        if f.engine in ENGINES and f.status == "failed"
    ]
    assert failures
    vague = [f.message for f in failures if "violates the check" in f.message]
    assert vague == []
    checkov = [f.message for f in failures if f.engine == "checkov"]
    assert all("found " in m and "; expected " in m for m in checkov)


def test_checkov_honours_an_account_managed_elsewhere(tmp_path: Path) -> None:
    stack = next(s for s in CORPUS if s.name == "counted")
    mutation = next(m for m in stack.mutations if m.id == "tap014-no-account")
    folder = stack.write(tmp_path / "stack", mutation)
    plan = folder / "plan.json"
    plan.write_bytes(
        gzip.decompress((PLANS / stack.name / f"{mutation.id}.create.json.gz").read_bytes())
    )
    elsewhere = {"api_gateway_account": "managed_elsewhere"}
    for options, verdict in (
        ({}, "failed"),
        ({"TAP013": elsewhere, "TAP014": elsewhere}, "passed"),
    ):
        report = check_inputs(
            [str(plan)],
            CheckOptions(engines=("native", "checkov")),
            CheckerConfig(rule_options=options),
        )
        for engine in ("native", "checkov"):
            tap014 = [f for f in report.findings if f.engine == engine and f.rule_id == "TAP014"]
            assert worst(tap014) == verdict, (engine, options)
