"""`checker fix`: the edits the rules give for their failures, made to the `.tf` sources.

Each input is checked natively; every failed finding whose rule gave edits
(`Result.fixed_by`) has them turned into byte edits of the block that declares the
resource (`checker.fix.hcl_edit`), in the module that declares it: one edit for all the
instances of a `count`/`for_each` block. A finding whose edits cannot all be made is left
whole and listed with the reason, never half edited. The result is a unified diff per
file; `--write` writes the files. A second run finds nothing to do.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import CheckerConfig
from checker.fix.hcl_edit import (
    ByteEdit,
    NotEditable,
    add_after,
    add_depends_on,
    append_items,
    apply,
    block_at,
    remove_nested,
    set_value,
)
from checker.inputs import LoadOptions, load
from checker.locate import bound_tree
from checker.plan.model import PlanModel
from checker.report.model import Finding
from checker.results import Status
from checker.rules.base import (
    AddBlock,
    AddDependsOn,
    AddOutput,
    AppendToList,
    Edit,
    RemoveBlock,
    SetValue,
)
from checker.rules.fix_idioms import block_text
from checker.source.tree import SourceTree


@dataclass
class FixRun:
    """What `checker fix` found: the files' new texts, and the findings by outcome."""

    files: dict[Path, tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (old, new)
    fixed: list[Finding] = field(default_factory=list)
    unfixable: list[tuple[Finding, str]] = field(default_factory=list)  # with the reason
    manual: list[Finding] = field(default_factory=list)  # rules said a person must decide
    # values the plans mark sensitive: hidden wherever the diff is shown to others
    sensitive: set[str] = field(default_factory=set)

    def diff(self) -> str:
        out: list[str] = []
        for path, (old, new) in sorted(self.files.items()):
            if old == new:
                continue
            out.extend(
                difflib.unified_diff(
                    old.decode().splitlines(keepends=True),
                    new.decode().splitlines(keepends=True),
                    fromfile=f"a/{_shown(path).lstrip('/')}",
                    tofile=f"b/{_shown(path).lstrip('/')}",
                )
            )
        return "".join(out)

    def write(self) -> list[Path]:
        written: list[Path] = []
        for path, (old, new) in sorted(self.files.items()):
            if old != new:
                path.write_bytes(new)
                written.append(path)
        return written


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def find_fixes(
    names: Sequence[str], source: Path | None, config: CheckerConfig, rules: set[str]
) -> FixRun:
    from checker.engines.native import judge

    run = FixRun()
    pending: dict[Path, list[ByteEdit]] = {}
    for name in names:
        item = load(name, LoadOptions(source=source), config)
        run.sensitive.update(item.model.sensitive_strings)
        tree = bound_tree(item.model)
        result = judge(item.model, config, item.name)
        for finding in result.findings:
            if finding.status != Status.FAILED or (rules and finding.rule_id not in rules):
                continue
            if finding.fix.startswith("manual"):
                run.manual.append(finding)
            elif not finding.fix:
                run.unfixable.append((finding, "its rule says nothing of a fix"))
        for finding, edits in result.fixes:
            if rules and finding.rule_id not in rules:
                continue
            if tree is None:
                run.unfixable.append((finding, "no .tf sources are bound to this plan"))
                continue
            try:
                made = [_byte_edit(item.model, tree, edit, run) for edit in edits]
            except NotEditable as error:
                run.unfixable.append((finding, str(error)))
                continue
            for path, byte_edit in (m for m in made if m is not None):
                if byte_edit not in pending.setdefault(path, []):
                    pending[path].append(byte_edit)
            run.fixed.append(finding)
    for path, byte_edits in pending.items():
        old = run.files[path][0]
        run.files[path] = (old, apply(old, byte_edits))
    return run


def _byte_edit(
    model: PlanModel,
    tree: SourceTree,
    edit: Edit,
    run: FixRun,
) -> tuple[Path, ByteEdit] | None:
    if isinstance(edit, AddOutput):
        return _output_edit(model, tree, edit, run)
    address = edit.after if isinstance(edit, AddBlock) else edit.address
    inst = model.instance(address)
    block = tree.block(inst) if inst is not None else None
    if inst is None or block is None:
        raise NotEditable(f"{address} is not declared in the bound sources")
    source, path = _source_of(tree, block.file, address, run)
    node = block_at(source, block.line)
    if isinstance(edit, SetValue):
        return path, set_value(source, node, edit.path, edit.expression)
    if isinstance(edit, AddBlock):
        return path, add_after(source, node, edit.text)
    if isinstance(edit, RemoveBlock):
        removed = remove_nested(source, node, edit.path)
        return (path, removed) if removed is not None else None
    if isinstance(edit, AppendToList):
        appended = append_items(source, node, edit.path, edit.items)
        return (path, appended) if appended is not None else None
    assert isinstance(edit, AddDependsOn)
    if edit.local:
        made = add_depends_on(source, node, edit.local)
        return (path, made) if made is not None else None
    target = model.instance(edit.target)
    if target is None or target.config is None:
        raise NotEditable(f"{edit.target} is not in the configuration")
    if target.module != inst.module:
        raise NotEditable(f"{edit.target} is declared in another module")
    made = add_depends_on(source, node, target.config.local_address)
    return (path, made) if made is not None else None


def _output_edit(
    model: PlanModel, tree: SourceTree, edit: AddOutput, run: FixRun
) -> tuple[Path, ByteEdit]:
    """The output written after the root module's last output (by file name, then line),
    else after the resource it exposes."""
    text = "\n".join(block_text(f'output "{edit.name}"', [("value", edit.value)]))
    root = tree.module("")
    places = [tree.declaration("", "output", name) for name in (root.outputs if root else {})]
    found = [place for place in places if place is not None]
    if found:
        file, line = max(found, key=lambda place: (Path(place[0]).name, place[1]))
        source, path = _source_of(tree, Path(file), f"output {edit.name}", run)
        return path, add_after(source, block_at(source, line), text)
    inst = model.instance(edit.near)
    block = tree.block(inst) if inst is not None else None
    if block is None:
        raise NotEditable(f"{edit.near} is not declared in the bound sources")
    source, path = _source_of(tree, block.file, edit.near, run)
    return path, add_after(source, block_at(source, block.line), text)


def _source_of(tree: SourceTree, file: Path, what: str, run: FixRun) -> tuple[bytes, Path]:
    """The bytes of `file` as this run has them (read once through the confined reader)."""
    path = file.resolve()
    if path.name.endswith(".tf.json"):
        raise NotEditable(
            f"{what} is written in JSON syntax ({path.name}, often generated): edit what "
            "generates it; checker fix edits native .tf files"
        )
    if path not in run.files:
        data = tree.files.read_bytes(
            tree.directory, str(path.relative_to(tree.directory.resolve()))
        )
        if data is None:
            raise NotEditable(f"{path.name} cannot be read inside the source root")
        run.files[path] = (data, data)
    return run.files[path][0], path


def summary(run: FixRun, written: bool) -> list[str]:
    """What `checker fix` says on stderr: what it wrote or would write, what it left."""
    changed = [p for p, (old, new) in run.files.items() if old != new]
    verb = "wrote" if written else "would edit"
    lines = [
        f"checker fix: {len(run.fixed)} finding(s) fixed; {verb} {len(changed)} file(s)"
        + ("" if written or not changed else " (--write writes them)")
    ]
    for finding, why in run.unfixable:
        lines.append(f"  not fixed: {finding.rule_id} {finding.address}: {why}")
    for finding in run.manual:
        lines.append(f"  needs a person: {finding.rule_id} {finding.address}: {finding.fix[8:]}")
    return lines
