"""Parse a directory of `.tf` and `.tf.json` files into blocks addressable like the plan's
configuration.

Native-syntax files are parsed by tree-sitter into python-hcl2's shape
(`checker.source.hcl_syntax`): string literals stay quoted (`"\\"text\\""`) and
expressions wrapped (`"${expr}"`), which is what lets `checker.source.raw` tell a
literal from a template from an expression. Files in Terraform's JSON syntax are
read into that same shape by `checker.source.json_syntax`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from checker.source.files import CONFIG_SUFFIXES, SourceFiles
from checker.source.suppressions import Suppression, block_suppressions, json_suppressions
from checker.text_cache import cached_parse

BLOCK_KINDS = ("resource", "data")
# Terraform reads both syntaxes from one directory: native `.tf`, JSON `.tf.json`
JSON_SUFFIX = ".tf.json"


@dataclass
class SourceBlock:
    """One resource or data block of the source."""

    local_address: str
    type: str
    name: str
    body: dict[str, Any]
    file: Path
    line: int
    suppressions: tuple[Suppression, ...] = ()  # its `# checker:ignore` comments


@dataclass
class SourceModule:
    """The blocks of one module directory and the modules it calls."""

    directory: Path
    blocks: dict[str, SourceBlock] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    module_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, SourceModule] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: SourceFiles | None = None  # the confined reader every file of this tree goes through


def unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == '"' and key[-1] == '"' else key


def _clean(body: Any) -> Any:
    if isinstance(body, dict):
        return {unquote(k): _clean(v) for k, v in body.items() if not k.startswith("__")}
    if isinstance(body, list):
        return [_clean(item) for item in body]
    return body


BLOCK_HEADER = re.compile(
    r'^[ \t]*(resource|data)[ \t]+"?([^\s"{]+)"?[ \t]+"?([^\s"{]+)"?[ \t]*\{', re.M
)


@lru_cache(maxsize=64)
def _block_lines(text: str) -> dict[tuple[str, str, str], int]:
    """(kind, type, name) -> the line its block opens on; the first one wins. One scan a text."""
    lines: dict[tuple[str, str, str], int] = {}
    line, counted = 1, 0
    for match in BLOCK_HEADER.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        lines.setdefault((match[1], match[2], match[3]), line)
    return lines


def _line_of(text: str, kind: str, type_: str, name: str) -> int:
    return _block_lines(text).get((kind, type_, name), 1)


MAX_MODULE_DEPTH = 8
MAX_MODULES = 400  # module blocks followed in one tree: fan-out and self-calls stay bounded


def parse_text(path: Path, text: str) -> dict[str, Any]:
    """Parse HCL (once per text: `checker.text_cache`); an error names the file, line and
    column, never the file's content. The result is shared: callers copy, never mutate."""
    return cached_parse(text, lambda: _parse(path, text))


def _parse(path: Path, text: str) -> dict[str, Any]:
    """tree-sitter's parse in python-hcl2's shape (`checker.source.hcl_syntax`)."""
    from checker.source.hcl_syntax import parse_hcl

    return parse_hcl(path, text)


def _read(path: Path, files: SourceFiles | None) -> str | None:
    if files is not None:
        return files.read_text(path.parent, path.name)
    return path.read_text(encoding="utf-8-sig")


def parse_file(path: Path, files: SourceFiles | None = None) -> tuple[dict[str, Any], str]:
    """Parse one file (through `files` when given, so it is confined and size-capped); a
    `.json` file (`.tf.json`, `.tfvars.json`) in Terraform's JSON syntax."""
    text = _read(path, files)
    if text is None:
        return {}, ""
    if path.name.endswith(".tfvars.json"):
        from checker.source.json_syntax import read_tfvars

        return read_tfvars(path, text), text
    if path.name.endswith(".json"):
        from checker.source.json_syntax import read_config

        return dict(read_config(path, text).parsed), text
    return parse_text(path, text), text


Locate = Callable[[str, str, str], tuple[int, tuple[Suppression, ...]]]


def _native_locator(text: str, path: Path) -> Locate:
    """Line and `# checker:ignore` comments of a block of a native-syntax file."""

    def locate(kind: str, type_: str, name: str) -> tuple[int, tuple[Suppression, ...]]:
        line = _line_of(text, kind, type_, name)
        return line, block_suppressions(text, _shown(path)).get(line, ())

    return locate


def _read_config_file(path: Path, files: SourceFiles) -> tuple[dict[str, Any], Locate]:
    """A configuration file's blocks and where each block is, in either syntax."""
    text = _read(path, files)
    if text is None:
        return {}, lambda kind, type_, name: (1, ())
    if not path.name.endswith(JSON_SUFFIX):
        return parse_text(path, text), _native_locator(text, path)
    from checker.source.json_syntax import read_config

    config = read_config(path, text)
    for note in config.notes:
        files.note(note)

    def locate(kind: str, type_: str, name: str) -> tuple[int, tuple[Suppression, ...]]:
        key = (kind, type_, name)
        comments = config.comments.get(key, [])
        return config.lines.get(key, 1), json_suppressions(comments, _shown(path))

    return config.parsed, locate


@dataclass
class _Budget:
    modules: int = 0


def load_module(
    directory: Path,
    files: SourceFiles | None = None,
    depth: int = 0,
    budget: _Budget | None = None,
    ancestors: tuple[Path, ...] = (),
) -> SourceModule:
    """Read every `.tf` and `.tf.json` file of `directory` and the local child modules it calls.

    Reads stay inside `files.root` (the directory itself unless a wider root is
    configured); module depth, the number of module blocks followed and
    self-calls are bounded, each refusal leaving a note.
    """
    files = files if files is not None else SourceFiles(directory)
    budget = budget if budget is not None else _Budget()
    module = SourceModule(directory=directory, files=files)
    for path in config_files(directory):
        parsed, locate = _read_config_file(path, files)
        _add_blocks(module, parsed, locate, path, merge=is_override(path))
    real = directory.resolve()
    for name, call in module.module_calls.items():
        source = call.get("source")
        if not isinstance(source, str):
            continue
        source = unquote(source)
        if not source.startswith(("./", "../")):
            continue
        child_dir = (directory / source).resolve()
        if not child_dir.is_dir():
            continue
        if not files.is_inside(child_dir):
            files.note(f"module.{name}: {source} is outside the source root {files.root}; not read")
        elif child_dir == real or child_dir in ancestors:
            files.note(f"module.{name}: {source} calls a module that contains it; not followed")
        elif depth + 1 > MAX_MODULE_DEPTH or budget.modules >= MAX_MODULES:
            files.note(
                f"module.{name}: module tree deeper than {MAX_MODULE_DEPTH} or larger than "
                f"{MAX_MODULES} modules; the rest is not read"
            )
        else:
            budget.modules += 1
            module.children[name] = load_module(
                child_dir, files, depth + 1, budget, (*ancestors, real)
            )
    return module


def _shown(path: Path) -> str:
    """A path as reports show it: relative to the working directory when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def is_override(path: Path) -> bool:
    """Terraform's override files (`override.tf`, `x_override.tf`, and the same in JSON
    syntax), merged into the blocks the other files declare."""
    name = path.name
    return any(name == f"override{s}" or name.endswith(f"_override{s}") for s in CONFIG_SUFFIXES)


def config_files(directory: Path) -> list[Path]:
    """A module's configuration files in Terraform's order: the primary files, then the
    override files, each by name. Like Terraform, files whose name starts with `.` are
    not configuration."""
    paths = [p for suffix in CONFIG_SUFFIXES for p in directory.glob(f"*{suffix}")]
    kept = {p for p in paths if not p.name.startswith(".")}
    return sorted(kept, key=lambda p: (is_override(p), p.name))


def _add_blocks(
    module: SourceModule, parsed: dict[str, Any], locate: Locate, path: Path, merge: bool = False
) -> None:
    for kind in BLOCK_KINDS:
        for entry in parsed.get(kind, []):
            for type_key, named in entry.items():
                type_ = unquote(type_key)
                for name_key, body in named.items():
                    name = unquote(name_key)
                    local = f"data.{type_}.{name}" if kind == "data" else f"{type_}.{name}"
                    if merge and local in module.blocks:
                        module.blocks[local].body.update(_clean(body))
                        continue
                    line, suppressions = locate(kind, type_, name)
                    module.blocks[local] = SourceBlock(
                        local_address=local,
                        type=type_,
                        name=name,
                        body=_clean(body),
                        file=path,
                        line=line,
                        suppressions=suppressions,
                    )
    for entry in parsed.get("locals", []):
        module.locals.update(_clean(entry))
    for kind, table in (("variable", module.variables), ("output", module.outputs)):
        for entry in parsed.get(kind, []):
            for name_key, body in entry.items():
                name, cleaned = unquote(name_key), _clean(body)
                if merge and isinstance(table.get(name), dict) and isinstance(cleaned, dict):
                    table[name] = {**table[name], **cleaned}
                else:
                    table[name] = cleaned
    for entry in parsed.get("provider", []):
        for name_key, body in entry.items():
            cleaned = _clean(body)
            name = unquote(name_key)
            if not isinstance(cleaned, dict):
                continue
            alias = cleaned.get("alias")
            if isinstance(alias, str):  # an aliased configuration: "aws.dr"
                name = f"{name}.{unquote(alias)}"
            if merge and name in module.providers:
                module.providers[name] = {**module.providers[name], **cleaned}
            else:
                module.providers[name] = cleaned
    for entry in parsed.get("module", []):
        for name_key, body in entry.items():
            module.module_calls[unquote(name_key)] = _clean(body)
