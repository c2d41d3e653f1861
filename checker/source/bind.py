"""Binding HCL sources to a plan: only when they describe the same configuration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.core.address import join
from checker.errors import InputError
from checker.plan.model import PlanModel
from checker.source.files import has_tf_files, source_files

if TYPE_CHECKING:
    from checker.source.hcl import SourceModule
    from checker.source.tree import SourceTree


def source_addresses(root: SourceModule) -> set[str]:
    """Configuration addresses of every block in the source tree."""
    out: set[str] = set()
    stack: list[tuple[str, SourceModule]] = [("", root)]
    while stack:
        path, module = stack.pop()
        out.update(join(path, local) for local in module.blocks)
        for name, child in module.children.items():
            stack.append((join(path, f"module.{name}"), child))
    return out


def bind_source(root: SourceModule, model: PlanModel) -> tuple[SourceTree | None, str]:
    """Bind sources to a plan when they describe the same configuration."""
    if not model.has_configuration:
        return None, "the plan has no configuration to compare the sources with"
    plan_addresses = set(model.configs)
    source = source_addresses(root)
    if source != plan_addresses:
        missing = sorted(plan_addresses - source)[:3]
        extra = sorted(source - plan_addresses)[:3]
        detail = ", ".join(
            [f"not in source: {', '.join(missing)}"] * bool(missing)
            + [f"not in plan: {', '.join(extra)}"] * bool(extra)
        )
        return None, f"sources in {root.directory} do not match the plan ({detail}); ignored"
    from checker.source.tree import SourceTree

    tree = SourceTree(root, model)
    conflict = _first_conflict(tree, model)
    if conflict:
        return None, f"sources in {root.directory} differ from the plan ({conflict}); ignored"
    return tree, ""


def _first_conflict(tree: SourceTree, model: PlanModel) -> str:
    """A literal the plan's configuration and the HCL disagree on, if any."""
    for address, conf in model.configs.items():
        module = tree.module(conf.module)
        block = module.blocks.get(conf.local_address) if module else None
        if block is None:
            continue
        found = _compare(conf.expressions, block.body, address)
        if found:
            return found
    return ""


def _compare(expressions: Any, body: Any, where: str) -> str:
    if not isinstance(expressions, dict) or not isinstance(body, dict):
        return ""
    for key, expression in expressions.items():
        if key not in body:
            continue
        raw = body[key]
        if isinstance(expression, dict) and "constant_value" in expression:
            from checker.source.raw import is_literal, parse_raw

            value = parse_raw(raw)
            if is_literal(value) and not _same_literal(value, expression["constant_value"]):
                return f"{where}.{key}"
        elif isinstance(expression, list) and isinstance(raw, list):
            for index, (sub, sub_body) in enumerate(zip(expression, raw, strict=False)):
                found = _compare(sub, sub_body, f"{where}.{key}[{index}]")
                if found:
                    return found
    return ""


def _same_literal(source: Any, planned: Any) -> bool:
    """Equal, allowing for python-hcl2 dropping a heredoc's final newline."""
    if isinstance(source, str) and isinstance(planned, str):
        return source.rstrip("\n") == planned.rstrip("\n")
    return bool(source == planned)


def bind_sources(
    model: PlanModel,
    explicit: Path | None,
    plan_folder: Path | None,
    configured: Path | None,
    source_root: Path | None,
) -> tuple[PlanModel, list[str]]:
    """The model with the first matching HCL source bound, and notes on what was tried:
    `--source DIR`, else the plan's own folder when it holds `.tf` files, else the
    configured `source`."""
    candidates: list[Path] = []
    if explicit is not None:
        if not explicit.is_dir():
            raise InputError(
                f"{explicit}: source directory not found",
                "pass --source DIR with the stack's .tf files",
            )
        candidates.append(explicit)
    elif plan_folder is not None and has_tf_files(plan_folder):
        candidates.append(plan_folder)
    elif configured is not None:
        candidates.append(configured)
    notes: list[str] = []
    for directory in candidates:
        if not has_tf_files(directory):
            notes.append(f"no .tf files in {directory}; sources not used")
            continue
        from checker.source.hcl import load_module

        files = source_files(directory, source_root)
        tree, why = bind_source(load_module(directory, files), model)
        notes.extend(files.notes)
        if tree is not None:
            notes.append(f"HCL sources from {directory} used for values the plan hides")
            return model.with_source(tree), notes
        notes.append(why)
    return model, notes
