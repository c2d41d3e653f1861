"""Write a mutated stack (its real plan, HCL and handler) to a folder and check it in-process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from checker.config import load_config
from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs
from tests.support.mutate import Mutation
from tests.terraform.fixtures import (
    CREATE_FIXTURE,
    REAL,
    ROOT,
    canonical_inputs,
    mutation_inputs,
    read_plan,
)

CONFIG = load_config(ROOT / "pyproject.toml")


def write_scenario(folder: Path, mutation: Mutation | None) -> None:
    """tap_stack.tf, lambda/ and plan.json of the (mutated) stack in `folder`.

    The plan is the one real Terraform wrote for exactly these files
    (`tests/fixtures/real/`, kept current by `./dev fixtures`).
    """
    if mutation is None:
        canonical_inputs().write(folder)
        plan = read_plan(CREATE_FIXTURE)
    else:
        mutation_inputs(mutation.id).write(folder)
        plan = read_plan(REAL / f"{mutation.id}.create.json.gz")
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")


def check_folder(folder: Path, with_source: bool) -> Report:
    plans = folder / "plans"
    plans.mkdir(exist_ok=True)
    plan = plans / "plan.json"  # away from the .tf files, so sources are only used when asked
    shutil.copyfile(folder / "plan.json", plan)
    options = CheckOptions(source=folder if with_source else None)
    config = CONFIG if with_source else type(CONFIG)(rule_options=CONFIG.rule_options)
    return check_inputs([str(plan)], options, config)


def failed(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.address) for f in findings if f.status == "failed"}


def statuses(findings: list[Finding]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        out.setdefault((f.rule_id, f.address), set()).add(f.status)
    return out


def verdict(findings: list[Finding], rule: str) -> str:
    """A rule's verdict over findings: failed, else unknown, else passed; none without findings."""
    statuses = {f.status for f in findings if f.rule_id == rule}
    for status in ("failed", "unknown", "passed"):
        if status in statuses:
            return status
    return "none"


def check_every_mutation(
    folder_for: Callable[[str], Path], engines: tuple[str, ...]
) -> dict[str, list[Finding]]:
    """Every mutation written to its own folder and checked in one run; findings per mutation."""
    from tests.mutations import MUTATIONS

    names: dict[str, str] = {}
    for mutation in MUTATIONS:
        folder = folder_for(mutation.id)
        write_scenario(folder, mutation)
        names[str(folder / "plan.json")] = mutation.id
    report = check_inputs(list(names), CheckOptions(engines=engines), CONFIG)
    by_mutation: dict[str, list[Finding]] = {m: [] for m in names.values()}
    for finding in report.findings:
        by_mutation[names[finding.input]].append(finding)
    return by_mutation
