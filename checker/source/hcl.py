"""Parse a directory of `.tf` files into blocks addressable like the plan's configuration.

python-hcl2 keeps string literals quoted (`"\\"text\\""`) and expressions
wrapped (`"${expr}"`), which is what lets `checker.source.expr` tell a literal
from a template from an expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError

BLOCK_KINDS = ("resource", "data")


@dataclass
class SourceBlock:
    """One resource or data block of the source."""

    local_address: str
    type: str
    name: str
    body: dict[str, Any]
    file: Path
    line: int


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


def unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == '"' and key[-1] == '"' else key


def _clean(body: Any) -> Any:
    if isinstance(body, dict):
        return {unquote(k): _clean(v) for k, v in body.items() if not k.startswith("__")}
    if isinstance(body, list):
        return [_clean(item) for item in body]
    return body


def _line_of(text: str, kind: str, type_: str, name: str) -> int:
    pattern = re.compile(
        rf'^[ \t]*{kind}[ \t]+"?{re.escape(type_)}"?[ \t]+"?{re.escape(name)}"?[ \t]*\{{', re.M
    )
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def parse_file(path: Path) -> tuple[dict[str, Any], str]:
    import hcl2
    from hcl2 import SerializationOptions

    text = path.read_text(encoding="utf-8-sig")
    options = SerializationOptions(with_comments=False, preserve_heredocs=False)
    try:
        return hcl2.loads(text, serialization_options=options), text
    except Exception as error:  # python-hcl2 raises lark errors of many kinds
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{path}: HCL does not parse: {first[:200]}") from None


def load_module(directory: Path, depth: int = 0) -> SourceModule:
    """Read every `.tf` file of `directory` (and local child modules, a few levels deep)."""
    module = SourceModule(directory=directory)
    for path in sorted(directory.glob("*.tf")):
        parsed, text = parse_file(path)
        for kind in BLOCK_KINDS:
            for entry in parsed.get(kind, []):
                for type_key, named in entry.items():
                    type_ = unquote(type_key)
                    for name_key, body in named.items():
                        name = unquote(name_key)
                        local = f"data.{type_}.{name}" if kind == "data" else f"{type_}.{name}"
                        module.blocks[local] = SourceBlock(
                            local_address=local,
                            type=type_,
                            name=name,
                            body=_clean(body),
                            file=path,
                            line=_line_of(text, kind, type_, name),
                        )
        for entry in parsed.get("locals", []):
            module.locals.update(_clean(entry))
        for entry in parsed.get("variable", []):
            for name_key, body in entry.items():
                module.variables[unquote(name_key)] = _clean(body)
        for entry in parsed.get("output", []):
            for name_key, body in entry.items():
                module.outputs[unquote(name_key)] = _clean(body)
        for entry in parsed.get("provider", []):
            for name_key, body in entry.items():
                cleaned = _clean(body)
                if isinstance(cleaned, dict) and "alias" not in cleaned:
                    module.providers[unquote(name_key)] = cleaned
        for entry in parsed.get("module", []):
            for name_key, body in entry.items():
                module.module_calls[unquote(name_key)] = _clean(body)
    if depth < 8:
        for name, call in module.module_calls.items():
            source = call.get("source")
            if isinstance(source, str):
                source = unquote(source)
                if source.startswith(("./", "../")):
                    child_dir = (directory / source).resolve()
                    if child_dir.is_dir():
                        module.children[name] = load_module(child_dir, depth + 1)
    return module


def has_tf_files(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("*.tf"))
