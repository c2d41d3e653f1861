"""Where a finding points: the `.tf` line that is wrong (a policy statement, an attribute)
when sources are bound, with the resource's own line beside it. Kept outside the model:
locations are the sources' (`checker.source.tree.SourceTree`), read after the rules ran."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.inputs import LoadedInput
from checker.plan.model import Instance, PlanModel
from checker.report.model import Finding
from checker.report.scope import shown_path

if TYPE_CHECKING:
    from checker.source.tree import SourceTree


def bound_tree(model: PlanModel) -> SourceTree | None:
    """The HCL sources bound to the model, when there are (the source layer is imported
    only then: a plan checked alone never loads it)."""
    if model.source is None:
        return None
    from checker.source.tree import SourceTree

    return model.source if isinstance(model.source, SourceTree) else None


def origin_of(model: PlanModel, finding: Finding) -> tuple[Instance | None, int | None]:
    """The instance (and policy statement) a finding's `origin` names, when it names one."""
    if not finding.origin:
        return None, None
    address, _, index = finding.origin.partition(" statement ")
    statement = int(index) if index.isdigit() else None
    return model.instance(address), statement


def _wrong_line(
    model: PlanModel, tree: SourceTree, inst: Instance, finding: Finding
) -> tuple[str, int] | None:
    """(file, line) of what makes the rule fail: the origin's statement or block, else the
    finding's attribute (its first step: `point_in_time_recovery` of `...enabled`)."""
    origin, statement = origin_of(model, finding)
    if origin is not None and (origin is not inst or statement is not None):
        found = tree.member_location(origin, "", statement)
        if found is not None:
            return found
    name = re.split(r"[.\[ ]", finding.attribute, maxsplit=1)[0]
    return tree.member_location(inst, name) if name else None


def locate(findings: list[Finding], inputs: Sequence[LoadedInput]) -> list[Finding]:
    """Point findings at the .tf line that is wrong (a policy statement, an attribute) when
    sources are bound, with the resource's own line beside it."""
    models = {i.name: i.model for i in inputs}
    shown: dict[str, str] = {}  # one repository lookup per file, not per finding

    def show(path: str) -> str:
        if path not in shown:
            shown[path] = shown_path(Path(path))
        return shown[path]

    out: list[Finding] = []
    for finding in findings:
        model = models.get(finding.input)
        tree = bound_tree(model) if model is not None else None
        inst = model.instance(finding.address) if model is not None else None
        where = tree.location(inst) if tree is not None and inst is not None else None
        if model is None or tree is None or inst is None or where is None:
            out.append(finding)
            continue
        wrong = _wrong_line(model, tree, inst, finding) or where
        out.append(
            replace(
                finding,
                file=show(wrong[0]),
                line=wrong[1],
                resource_file=show(where[0]) if wrong != where else "",
                resource_line=where[1] if wrong != where else 0,
            )
        )
    return out
