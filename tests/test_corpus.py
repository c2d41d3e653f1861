"""Verdicts on the stack corpus (`tests/stacks/`): independently written stacks, real plans.

Every stack is clean and each mutation re-introduces one incident. On the
plans Terraform wrote (create, and update after a real apply of the clean
stack): with sources bound the failures are exactly the mutation's; from the
plan alone nothing else fails and the mutation is never passed; static mode
(the `.tf` files only) agrees. No finding is reported twice. The `wiring` pack is on: its
rules agree with the TAP rules they generalise (`tests/support/wiring.py`).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs
from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.stacks.families import FAMILIES
from tests.support.builtin import BUILTIN_IDS
from tests.support.wiring import WIRING, disagreements, with_generalised

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "tests" / "fixtures" / "stacks"
KINDS = ("create", "update")

Case = tuple[Stack, StackMutation | None]
STACKS = (*CORPUS, *FAMILIES)  # the wiring families are judged alike
CASES: list[Case] = [(s, None) for s in STACKS] + [(s, m) for s in STACKS for m in s.mutations]


def case_id(case: Case) -> str:
    stack, mutation = case
    return f"{stack.name}/{mutation.id if mutation else 'clean'}"


def expected(mutation: StackMutation | None) -> set[tuple[str, str]]:
    """What fails with the wiring pack on: the mutation's failures and their generalisations."""
    return with_generalised(mutation.fails if mutation else frozenset())


def failed(report: Report) -> set[tuple[str, str]]:
    return {(f.rule_id, f.address) for f in report.findings if f.status == "failed"}


def status_of(report: Report) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for f in report.findings:
        out.setdefault((f.rule_id, f.address), set()).add(f.status)
    return out


def run(stack: Stack, mutation: StackMutation | None, kind: str, mode: str, tmp: Path) -> Report:
    """mode: 'sources' (plan + .tf), 'plan' (plan alone), 'static' (.tf alone)."""
    source = stack.write(tmp / "src", mutation)
    if mode == "static":
        return check_inputs([str(source)], CheckOptions(), WIRING)
    name = mutation.id if mutation else "clean"
    plan = tmp / "plan.json"
    plan.write_bytes(gzip.decompress((PLANS / stack.name / f"{name}.{kind}.json.gz").read_bytes()))
    options = CheckOptions(source=source if mode == "sources" else None)
    return check_inputs([str(plan)], options, WIRING)


def no_duplicates(findings: list[Finding]) -> list[tuple[str, str, str]]:
    counts = Counter((f.rule_id, f.address, f.attribute) for f in findings)
    return [key for key, n in counts.items() if n > 1]


def test_every_corpus_plan_matches_its_stack() -> None:
    index = json.loads((PLANS / "index.json").read_text(encoding="utf-8"))
    stale = [
        case_id((stack, mutation))
        for stack, mutation in CASES
        if index.get(case_id((stack, mutation))) != stack.digest(mutation)
    ]
    assert stale == [], (
        f"stale corpus plans: python -m tests.terraform.corpus --stack ... ({stale})"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_with_sources_exactly_the_mutation_fails(case: Case, kind: str, tmp_path: Path) -> None:
    stack, mutation = case
    report = run(stack, mutation, kind, "sources", tmp_path)
    assert any("HCL sources" in n for i in report.inputs for n in i.notes), report.inputs
    assert not [f for f in report.findings if f.error], report.findings
    assert failed(report) == expected(mutation), [
        f for f in report.findings if f.status != "passed"
    ]
    assert no_duplicates(report.findings) == []
    assert disagreements(report) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_plan_alone_never_fails_wrongly_nor_passes_a_mutation(
    case: Case, kind: str, tmp_path: Path
) -> None:
    stack, mutation = case
    report = run(stack, mutation, kind, "plan", tmp_path)
    assert failed(report) <= expected(mutation)
    seen = status_of(report)
    missed = [key for key in expected(mutation) if not seen.get(key, set()) & {"failed", "unknown"}]
    assert missed == []
    assert no_duplicates(report.findings) == []


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_static_mode_agrees(case: Case, tmp_path: Path) -> None:
    stack, mutation = case
    report = run(stack, mutation, "create", "static", tmp_path)
    assert failed(report) <= expected(mutation)
    seen = status_of(report)
    missed = [key for key in expected(mutation) if not seen.get(key, set()) & {"failed", "unknown"}]
    assert missed == []


def test_the_readme_describes_every_stack_of_the_corpus() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The stack corpus", 1)[1].split("\n### ", 1)[0]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    assert listed == {stack.name for stack in STACKS}  # the wiring families too


def test_the_corpus_covers_every_rule_and_both_module_idioms() -> None:
    """The README's claim: any module, with count/for_each; every rule re-introduced."""
    rules = {m.rule for stack in CORPUS for m in stack.mutations}
    assert rules == set(BUILTIN_IDS)
    failing = {a for stack in CORPUS for m in stack.mutations for _, a in m.fails}
    assert any(
        a.startswith("module.") and "[" in a.split(".")[1] for a in failing
    )  # for_each module
    assert any(a.count("module.") >= 2 for a in failing)  # nested modules
    assert any(a.endswith("[0]") or a.endswith("[1]") for a in failing)  # count
    assert any('"]' in a and not a.startswith("module.") for a in failing)  # for_each resources
