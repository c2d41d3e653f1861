"""Where a failing value came from: the chain from a finding's attribute back to what set it.

attribute <- its expression's references <- `local.NAME` (its line and references) or
`var.NAME`: in the root, the variable file that sets it (`terraform.tfvars`,
`*.auto.tfvars`, last one wins) or its default; in a child module, the caller's argument
(its line and references), followed up the calls; `module.NAME.OUTPUT`, into the module's
output. It stops at a resource or data source attribute (another resource holds the
value) and after `MAX_STEPS`. References come from the plan's configuration (or the
sources in static mode); lines from the bound sources, when there are. A step names
references and places, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.core.address import join
from checker.inputs import LoadedInput
from checker.locate import bound_tree
from checker.plan.model import PlanModel
from checker.report.model import Finding, TraceStep
from checker.report.scope import shown_path
from checker.results import Status

if TYPE_CHECKING:
    from checker.source.tree import SourceTree

MAX_STEPS = 8
ARROW = " <- "


def with_traces(findings: list[Finding], inputs: Sequence[LoadedInput]) -> list[Finding]:
    """Failed and unknown findings with the chain of the value they judge."""
    models = {i.name: i.model for i in inputs}
    out: list[Finding] = []
    for finding in findings:
        model = models.get(finding.input)
        if model is None or finding.status not in (Status.FAILED, Status.UNKNOWN):
            out.append(finding)
            continue
        steps = trace_of(model, finding)
        out.append(replace(finding, trace=steps) if steps else finding)
    return out


def trace_of(model: PlanModel, finding: Finding) -> tuple[TraceStep, ...]:
    inst = model.instance(finding.address)
    name = re.split(r"[.\[ ]", finding.attribute, maxsplit=1)[0]
    if inst is None or inst.config is None or not name.isidentifier():
        return ()
    refs = _own(inst.config.expression(name).references)
    if not refs:
        return ()
    tree = bound_tree(model)
    where = tree.member_location(inst, name) if tree is not None else None
    steps = [_step(f"{inst.address}.{name}{ARROW}{', '.join(refs)}", tree, where)]
    queue = [(inst.module, ref) for ref in refs]
    seen: set[tuple[str, str]] = set()
    while queue and len(steps) < MAX_STEPS:
        module, ref = queue.pop(0)
        if (module, ref) in seen:
            continue
        seen.add((module, ref))
        step, more = _follow(model, tree, module, ref)
        if step is not None:
            steps.append(step)
            queue.extend(more)
    return tuple(steps)


def _own(refs: Sequence[str]) -> list[str]:
    """The references worth following: one per name (`var.x`, not also `var.x.y`), and the
    longest of the forms Terraform lists for one (`aws_x.y.arn`, not also `aws_x.y`)."""
    heads: list[str] = []
    for ref in refs:
        parts = ref.split(".")
        head = ".".join(parts[:2]) if parts[0] in ("var", "local") else ref
        if parts[0] == "module" and len(parts) >= 3:
            head = ".".join(parts[:3])
        if head not in heads:
            heads.append(head)
    return [h for h in heads if not any(o.startswith((f"{h}.", f"{h}[")) for o in heads)]


def _follow(
    model: PlanModel, tree: SourceTree | None, module: str, ref: str
) -> tuple[TraceStep | None, list[tuple[str, str]]]:
    """The step for `ref` made in `module`, and the references it leads to."""
    parts = ref.split(".")
    if parts[0] == "var" and len(parts) >= 2:
        return _variable(model, tree, module, parts[1])
    if parts[0] == "local" and len(parts) >= 2:
        found = tree.local_references(module, parts[1]) if tree is not None else None
        refs = _own(found or [])
        place = tree.declaration(module, "locals", parts[1]) if tree is not None else None
        what = f"local.{parts[1]}" + (f"{ARROW}{', '.join(refs)}" if refs else "")
        return _step(what, tree, place), [(module, r) for r in refs]
    if parts[0] == "module" and len(parts) >= 3:
        child = join(module, f"module.{parts[1]}")
        refs = _own(model.module_outputs.get(child, {}).get(parts[2], ()))
        place = tree.declaration(child, "output", parts[2]) if tree is not None else None
        what = f"module.{parts[1]}.{parts[2]}" + (f"{ARROW}{', '.join(refs)}" if refs else "")
        return _step(what, tree, place), [(child, r) for r in refs]
    return None, []  # a resource's or data source's attribute: it holds the value


def _variable(
    model: PlanModel, tree: SourceTree | None, module: str, name: str
) -> tuple[TraceStep | None, list[tuple[str, str]]]:
    if not module:
        place = tree.tfvars_line(name) if tree is not None else None
        if place is not None:
            return _step(f"var.{name}{ARROW}set in a variable file", tree, place), []
        place = tree.declaration("", "variable", name, "default") if tree is not None else None
        if place is not None:
            return _step(f"var.{name}{ARROW}its default", tree, place), []
        given = "given to the plan" if name in model.variables else "a root variable"
        return TraceStep(f"var.{name} ({given}: -var, a variable file or TF_VAR_{name})"), []
    parent, _, call = module.rpartition(".module.") if ".module." in module else ("", "", module)
    call = call.removeprefix("module.")
    passed = model.module_inputs.get(module, {})
    if name not in passed:
        place = tree.declaration(module, "variable", name, "default") if tree else None
        return _step(f"var.{name} of module.{call}{ARROW}its default", tree, place), []
    refs = _own(passed[name])
    place = tree.declaration(parent, "module", call, name) if tree is not None else None
    what = f"var.{name} of module.{call}{ARROW}" + (", ".join(refs) or "a constant argument")
    return _step(what, tree, place), [(parent, r) for r in refs]


def _step(what: str, tree: SourceTree | None, place: tuple[str, int] | None) -> TraceStep:
    if tree is None or place is None:
        return TraceStep(what)
    return TraceStep(what, shown_path(Path(place[0])), place[1])
