"""HCL sources bound to a model: parsing raw python-hcl2 values, and the binding check.

`parse_raw` turns python-hcl2 output into literals and a small syntax tree
(`Ref`, `Template`, `Opaque`) used to compare a plan's configuration with the
sources (`bind_source`). Evaluation is `checker.source.static.StaticEvaluator`'s,
for plans and static mode alike; what leaves it (`SourceTree.evaluate`, read
by rules through `PlanModel.settle` and `PlanModel.written`) is a `Value`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.core.address import join
from checker.plan.model import NOT_IN_SOURCE, Instance, NotInSource, PlanModel, StackFile
from checker.plan.values import Unknown, Value
from checker.source.files import SourceFiles
from checker.source.hcl import SourceBlock, SourceModule
from checker.source.suppressions import Suppression

if TYPE_CHECKING:
    from checker.source.static import StaticEvaluator

TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])+$")
REFERENCE_IN_TEXT = re.compile(
    r"(?<![\w.\"])(?:data\.)?[a-z][a-z0-9_-]*\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*"
)
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Ref:
    """A reference whose value is unknown until apply."""

    traversal: str


@dataclass(frozen=True)
class Template:
    """A string template with unknown parts."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Opaque:
    """An expression the evaluator does not compute (a function call, a for expression)."""

    text: str
    refs: tuple[str, ...]


# ----------------------------------------------------------------- parsing


@lru_cache(maxsize=4096)
def _split_template(body: str, escapes: bool = True) -> tuple[tuple[str, str], ...]:
    """Split a template body into ('text', s), ('expr', s) and ('directive', s) pieces.

    `escapes`: backslash escapes apply (a quoted string); a `templatefile` file
    has none, its backslashes are text. Cached: a module called N times is read N
    times, with the same strings.
    """
    pieces: list[tuple[str, str]] = []
    text: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("$${", i):
            text.append("${")
            i += 3
            continue
        if body.startswith("${", i) or body.startswith("%{", i):
            depth = 1
            j = i + 2
            quote = ""  # the quote that opened a string inside the interpolation
            while j < len(body) and depth:
                char = body[j]
                # python-hcl2 writes heredocs as quoted strings with every quote escaped,
                # so `${a[\"k\"]}` opens and closes with the escaped quote
                escaped_quote = body.startswith('\\"', j)
                if quote:
                    if escaped_quote and quote == '\\"':
                        quote = ""
                        j += 1
                    elif char == "\\":
                        j += 1
                    elif char == '"' and quote == '"':
                        quote = ""
                elif escaped_quote:
                    quote = '\\"'
                    j += 1
                elif char == '"':
                    quote = '"'
                elif char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                j += 1
            if text:
                pieces.append(("text", "".join(text)))
                text = []
            kind = "expr" if body.startswith("${", i) else "directive"
            piece = body[i + 2 : j - 1]
            if escapes and '\\"' in piece and '"' not in piece.replace('\\"', ""):
                piece = piece.replace('\\"', '"')
            pieces.append((kind, piece))
            i = j
            continue
        if escapes and body[i] == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            text.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
            continue
        text.append(body[i])
        i += 1
    if text:
        pieces.append(("text", "".join(text)))
    return tuple(pieces)


def parse_raw(raw: Any) -> Any:
    """python-hcl2 output -> literals, Ref, Template, Opaque (not yet resolved)."""
    if isinstance(raw, list):
        return [parse_raw(item) for item in raw]
    if isinstance(raw, dict):
        return {key: parse_raw(value) for key, value in raw.items()}
    if not isinstance(raw, str):
        return raw
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return _template(raw[1:-1])
    if raw.startswith("${") and raw.endswith("}"):
        return parse_expression(raw[2:-1])
    return raw


def _template(body: str) -> Any:
    parts: list[Any] = []
    for kind, piece in _split_template(body):
        if kind == "text":
            parts.append(piece)
        elif kind == "expr":
            parts.append(parse_expression(piece))
        else:
            parts.append(Opaque("%{" + piece + "}", tuple(REFERENCE_IN_TEXT.findall(piece))))
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    return Template(tuple(parts))


def parse_expression(text: str) -> Any:
    expr = text.strip()
    if TRAVERSAL.match(expr):
        return Ref(expr)
    if expr in ("true", "false"):
        return expr == "true"
    if expr == "null":
        return None
    if NUMBER.match(expr):
        return float(expr) if "." in expr else int(expr)
    if (
        len(expr) >= 2
        and expr[0] == '"'
        and expr[-1] == '"'
        and '"' not in expr[1:-1].replace('\\"', "")
    ):
        return _template(expr[1:-1])
    return Opaque(expr, tuple(dict.fromkeys(REFERENCE_IN_TEXT.findall(_strip_strings(expr)))))


HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)\s*$")
ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=(?!=)")


NESTED = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(?:\"[^\"]*\"\s*)?\{")
EFFECT = re.compile(r"""(?:^|[\s{,])["']?Effect["']?\s*[:=]""")


@dataclass(frozen=True)
class MemberLines:
    """Where the members of one block are written: its top-level attributes (first line of
    each), its nested blocks (every opening line, per name) and each policy statement's
    `Effect` key (in a `jsonencode` object or a heredoc's JSON, in order)."""

    attributes: dict[str, int]
    blocks: dict[str, list[int]]
    effects: list[int]


def member_lines(text: str, start: int) -> MemberLines:
    """The members of the block opening on line `start`.

    Braces are counted outside strings and heredocs (whose JSON bodies have braces
    of their own); the scan ends where the block closes.
    """
    lines = text.splitlines()
    attributes: dict[str, int] = {}
    blocks: dict[str, list[int]] = {}
    effects: list[int] = []
    depth, heredoc = 0, ""
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if heredoc:
            if EFFECT.search(line):
                effects.append(number)
            heredoc = "" if line.strip() == heredoc else heredoc
            continue
        bare = _strip_strings(line).split("#")[0].split("//")[0]
        if EFFECT.search(line.split("#")[0]):
            effects.append(number)
        if depth == 1 and (match := ATTRIBUTE.match(bare)):
            attributes.setdefault(match.group(1), number)
        elif depth == 1 and (nested := NESTED.match(line)):
            blocks.setdefault(nested.group(1), []).append(number)
        depth += bare.count("{") - bare.count("}")
        if (opened := HEREDOC.search(bare)) is not None:
            heredoc = opened.group(1)
        if depth <= 0 and number > start:
            break
    return MemberLines(attributes, blocks, effects)


def _strip_strings(expr: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


# --------------------------------------------------------------- evaluation


class SourceTree:
    """HCL sources bound to the model they describe; one evaluator answers for both modes.

    With a plan, the evaluator reads resource attributes and root variables from
    the plan; in static mode it is the static model's own evaluator.
    """

    def __init__(
        self, root: SourceModule, model: PlanModel, evaluator: StaticEvaluator | None = None
    ) -> None:
        from checker.source.static import StaticEvaluator

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
        from checker.source.static import _refs

        found = self.module(module)
        if found is None or name not in found.locals:
            return None
        return _refs(found.locals[name])

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


def is_literal(value: Any) -> bool:
    if isinstance(value, Ref | Template | Opaque):
        return False
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(is_literal(v) for v in value.values())
    return True
