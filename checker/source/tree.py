"""HCL sources bound to the model they describe (`SourceTree`): what rules read through
`PlanModel.settle` and `PlanModel.written`, evaluated by `checker.source.evaluator`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from checker.plan.instances import StackFile
from checker.plan.model import NOT_IN_SOURCE, Instance, NotInSource, PlanModel
from checker.plan.values import Unknown, Value
from checker.source.evaluator import StaticEvaluator
from checker.source.files import SourceFiles
from checker.source.hcl import SourceBlock, SourceModule
from checker.source.members import MemberLines, member_lines
from checker.source.raw import MISSING
from checker.source.references import references_of
from checker.source.suppressions import Suppression

# --------------------------------------------------------------- evaluation


class SourceTree:
    """HCL sources bound to the model they describe; one evaluator answers for both modes.

    With a plan, the evaluator reads resource attributes and root variables from
    the plan; in static mode it is the static model's own evaluator.
    """

    def __init__(
        self, root: SourceModule, model: PlanModel, evaluator: StaticEvaluator | None = None
    ) -> None:

        self.root = root
        self.model = model
        self.files = root.files if root.files is not None else SourceFiles(root.directory)
        self.evaluator = evaluator or StaticEvaluator(root, {}, plan=model)
        self._member_lines: dict[tuple[Path, int], MemberLines] = {}

    @property
    def notes(self) -> list[str]:
        return self.files.notes

    @property
    def directory(self) -> Path:
        return self.root.directory

    def read_text(self, relative: str) -> tuple[str | None, str]:
        """A file named relative to the root module (a handler, a template), confined."""
        text = self.files.read_text(self.root.directory, relative)
        return text, str(self.root.directory / relative)

    def read_file(self, relative: str) -> StackFile:
        """The bytes of a file named relative to the root module, confined (`StackFile`)."""
        base = self.root.directory
        state = self.files.exists(base, relative)
        real = self.files.confine(base, relative) if state else None
        if real is None:
            return StackFile(relative, None, refused=state is None)
        data = self.files.read_bytes(base, relative)
        return StackFile(self._relative_path(real), data, refused=data is None)

    def module_directory(self, module: str) -> str:
        found = self.module(module)
        return self._relative_path(found.directory) if found is not None else "."

    def local_references(self, module: str, name: str) -> list[str] | None:
        """The references of `local.NAME`'s expression in `module`, None when it has none here."""
        found = self.module(module)
        if found is None or name not in found.locals:
            return None
        return references_of(found.locals[name])

    def declaration(
        self, module: str, kind: str, name: str, member: str | None = None
    ) -> tuple[str, int] | None:
        """(file, line) of a `variable`, `output` or `module` block named `name` in `module`
        (of its argument `member` when given), or of `local.NAME` (kind "locals")."""
        found = self.module(module)
        if found is None:
            return None
        if kind == "locals":
            header = re.compile(r"^[ \t]*locals[ \t]*\{", re.M)
            member = name
        else:
            header = re.compile(rf'^[ \t]*{kind}[ \t]+"?{re.escape(name)}"?[ \t]*\{{', re.M)
        for path in sorted(found.directory.glob("*.tf")):
            text = self.files.read_text(found.directory, path.name)
            if not text:
                continue
            for match in header.finditer(text):
                start = text.count("\n", 0, match.start()) + 1
                line = member_lines(text, start).attributes.get(member, 0) if member else start
                if line:
                    return str(path), line
        return None

    def tfvars_line(self, name: str) -> tuple[str, int] | None:
        """(file, line) of the variable file that sets root variable `name` last, in
        Terraform's order (`terraform.tfvars`, then `*.auto.tfvars` by name)."""
        directory = self.root.directory
        files = [directory / "terraform.tfvars", *sorted(directory.glob("*.auto.tfvars"))]
        assign = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*=", re.M)
        for path in reversed(files):
            text = self.files.read_text(directory, path.name) if path.is_file() else None
            match = assign.search(text or "")
            if text and match:
                return str(path), text.count("\n", 0, match.start()) + 1
        return None

    def _relative_path(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root.directory)).as_posix()

    def location(self, inst: Instance) -> tuple[str, int] | None:
        block = self.block(inst)
        return (str(block.file), block.line) if block is not None else None

    def suppressions(self, inst: Instance) -> tuple[Suppression, ...]:
        block = self.block(inst)
        return block.suppressions if block is not None else ()

    def _members(self, block: SourceBlock) -> MemberLines:
        key = (block.file, block.line)
        found = self._member_lines.get(key)
        if found is None:
            text = self.files.read_text(self.root.directory, self._relative(block.file)) or ""
            found = self._member_lines[key] = member_lines(text, block.line)
        return found

    def attribute_origin(self, inst: Instance, name: str) -> str:
        """`source FILE:LINE` of the attribute `name` of the instance's block (the block's line
        when the attribute is not found written at its top level)."""
        block = self.block(inst)
        if block is None:
            return "source"
        line = self._members(block).attributes.get(name, block.line)
        return f"source {self._relative(block.file)}:{line}"

    def member_location(
        self, inst: Instance, name: str, statement: int | None = None
    ) -> tuple[str, int] | None:
        """(file, line) of a member of the instance's block: the attribute or nested block
        `name` (""/unknown: the block itself); with `statement`, that policy statement (the
        N-th `statement` block, else the N-th `Effect` of the policy written inline)."""
        block = self.block(inst)
        if block is None:
            return None
        members = self._members(block)
        line = members.attributes.get(name) or next(iter(members.blocks.get(name, [])), 0)
        if statement is not None:
            nested = members.blocks.get("statement", [])
            if 0 <= statement < len(nested):
                line = nested[statement]
            elif 0 <= statement < len(members.effects):
                line = members.effects[statement]
        return str(block.file), line or block.line

    def provider_region(self, key: str) -> str | None:
        """The region a root provider configuration sets, evaluated from the source."""
        region = self.evaluator.region(key)
        return region if isinstance(region, str) else None

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.directory).as_posix()
        except ValueError:
            return path.name

    def module(self, path: str) -> SourceModule | None:
        return self.evaluator.module(path)

    def block(self, inst: Instance) -> SourceBlock | None:
        module = self.module(inst.module)
        if module is None:
            return None
        prefix = "data." if inst.mode == "data" else ""
        return module.blocks.get(f"{prefix}{inst.type}.{inst.name}")

    def raw(self, inst: Instance, *path: str | int) -> Any:
        block = self.block(inst)
        if block is None:
            return MISSING
        node: Any = block.body
        for step in path:
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    return MISSING
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    return MISSING
                node = node[step]
        return node

    def evaluate(self, inst: Instance, *path: str | int) -> Value | NotInSource:
        """The source expression at `path` of `inst`, evaluated in its module instance."""
        block = self.block(inst)
        if block is None:
            return NOT_IN_SOURCE
        extra = self.evaluator.each_scope(inst.module_address, block.body, inst.index)
        if path and isinstance(path[0], str) and _is_dynamic(block.body, path[0]):
            # blocks a `dynamic` generates exist only once evaluated: evaluate, then walk
            node: Any = self.evaluator.block_body(
                block.body, inst.module_address, extra, only=path[0]
            ).get(path[0])
            for step in path[1:]:
                if isinstance(node, Unknown):
                    return node
                if isinstance(step, int):
                    node = node[step] if isinstance(node, list) and step < len(node) else None
                else:
                    node = node.get(step) if isinstance(node, dict) else None
            walked: Value = node
            return walked
        raw = self.raw(inst, *path)
        if raw is MISSING:
            return NOT_IN_SOURCE
        value: Value = self.evaluator.raw(raw, inst.module_address, extra)
        return value


def _is_dynamic(body: dict[str, Any], name: str) -> bool:
    """Does a `dynamic "name"` block of `body` generate `name` blocks?"""
    dynamic = body.get("dynamic")
    return isinstance(dynamic, list) and any(
        isinstance(entry, dict) and name in entry for entry in dynamic
    )
