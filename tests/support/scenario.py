"""Write a mutated stack (plan, HCL and handler) to a folder and check it in-process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from checker.config import load_config
from checker.report.model import Finding, Report
from checker.run import CheckOptions, check_inputs
from tests.support.canonical_stack import ROOT, canonical_stack
from tests.support.mutate import Mutation
from tests.support.plan_builder import Stack, render_plan

CONFIG = load_config(ROOT / "pyproject.toml")


def write_scenario(folder: Path, mutation: Mutation | None) -> Stack:
    """tap_stack.tf, lambda/ and plan.json of the (mutated) stack in `folder`."""
    stack = canonical_stack() if mutation is None else mutation.stack(canonical_stack())
    text = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
    handler = (ROOT / "lambda" / "index.py").read_text(encoding="utf-8")
    if mutation is not None:
        text = mutation.source(text)
        handler = mutation.handler_source(handler)
    (folder / "lambda").mkdir(parents=True, exist_ok=True)
    (folder / "lambda" / "index.py").write_text(handler, encoding="utf-8")
    (folder / "tap_stack.tf").write_text(text, encoding="utf-8")
    (folder / "plan.json").write_text(json.dumps(render_plan(stack)), encoding="utf-8")
    return stack


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
