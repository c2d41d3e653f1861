"""The committed real plans are still what Terraform writes: re-plan and compare verdicts.

The clean stack and the first mutation of every rule are planned again with
real Terraform against moto; checked with their sources, each gives exactly the
`(rule, address, status)` set its committed plan gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from checker.config import CheckerConfig
from checker.report.model import Report
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.scenario import CONFIG
from tests.terraform.corpus import OUT as CORPUS_PLANS
from tests.terraform.fixtures import (
    CREATE_FIXTURE,
    REAL,
    StackInputs,
    canonical_inputs,
    mutation_inputs,
    read_plan,
)
from tests.terraform.harness import Workspace

Verdicts = set[tuple[str, str, str]]


def verdicts(report: Report) -> Verdicts:
    return {(f.rule_id, f.address, f.status) for f in report.findings}


def judge(folder: Path, inputs: StackInputs, plan: dict[str, object]) -> Verdicts:
    inputs.write(folder)
    (folder / "plans").mkdir(exist_ok=True)
    path = folder / "plans" / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return verdicts(check_inputs([str(path)], CheckOptions(source=folder), CONFIG))


def first_per_rule() -> list[str]:
    seen: dict[str, str] = {}
    for mutation in MUTATIONS:
        seen.setdefault(mutation.rule, mutation.id)
    return list(seen.values())


def test_fresh_plans_give_the_committed_verdicts(
    workspace_for: Callable[[Path], Workspace], tmp_path: Path
) -> None:
    cases: list[tuple[str, StackInputs, Path]] = [("canonical", canonical_inputs(), CREATE_FIXTURE)]
    cases += [(m, mutation_inputs(m), REAL / f"{m}.create.json.gz") for m in first_per_rule()]
    assert len(cases) == 16

    def compare(case: tuple[str, StackInputs, Path]) -> tuple[str, Verdicts, Verdicts]:
        name, inputs, committed = case
        fresh = workspace_for(inputs.write(tmp_path / name / "terraform")).plan()
        return (
            name,
            judge(tmp_path / name / "fresh", inputs, fresh),
            judge(tmp_path / name / "committed", inputs, read_plan(committed)),
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(compare, cases))
    differing = {
        name: fresh ^ committed for name, fresh, committed in results if fresh != committed
    }
    assert differing == {}


def test_fresh_corpus_plans_give_the_committed_verdicts(
    workspace_for: Callable[[Path], Workspace], tmp_path: Path
) -> None:
    """Each corpus stack (`tests/stacks/`), planned again, gives its committed plan's verdicts."""
    from tests.stacks.corpus import CORPUS

    def check(source: Path, plan: dict[str, object], where: Path) -> Verdicts:
        where.mkdir(parents=True)
        path = where / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        return verdicts(check_inputs([str(path)], CheckOptions(source=source), CheckerConfig()))

    differing: dict[str, Verdicts] = {}
    for stack in CORPUS:
        source = stack.write(tmp_path / stack.name / "src")
        fresh = workspace_for(stack.write(tmp_path / stack.name / "terraform")).plan()
        committed = read_plan(CORPUS_PLANS / stack.name / "clean.create.json.gz")
        a = check(source, fresh, tmp_path / stack.name / "fresh")
        b = check(source, committed, tmp_path / stack.name / "committed")
        if a != b:
            differing[stack.name] = a ^ b
    assert differing == {}
