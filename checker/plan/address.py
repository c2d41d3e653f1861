"""Terraform address and reference strings, split without regex backtracking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

NON_RESOURCE_ROOTS = frozenset(
    {"var", "local", "module", "path", "count", "each", "self", "terraform", "ephemeral"}
)


def split_address(address: str) -> list[str]:
    """Split on dots that are not inside brackets or quotes: a.b["x.y"][0].c -> 3 parts."""
    if "[" not in address and '"' not in address:
        return address.split(".")
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    in_quote = False
    escaped = False
    for char in address:
        if in_quote:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_quote = False
            continue
        if char == '"':
            in_quote = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def strip_key(part: str) -> tuple[str, str | None]:
    """'name[0]' -> ('name', '0'); 'name["a"]' -> ('name', 'a'); 'name' -> ('name', None)."""
    bracket = part.find("[")
    if bracket < 0 or not part.endswith("]"):
        return part, None
    key = part[bracket + 1 : -1]
    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        key = key[1:-1]
    return part[:bracket], key


def module_path(module_address: str | None) -> str:
    """'module.a[0].module.b["x"]' -> 'module.a.module.b' (the configuration path)."""
    if not module_address:
        return ""
    return ".".join(strip_key(part)[0] for part in split_address(module_address))


def join(module: str, local: str) -> str:
    return f"{module}.{local}" if module else local


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference to a resource or data source, with its key and attribute path."""

    local_address: str  # "aws_s3_bucket.content" or "data.aws_region.current"
    key: str | None
    attribute: tuple[str, ...]


@lru_cache(maxsize=65536)
def parse_reference(ref: str) -> Reference | None:
    """Parse a `references` entry; None for var., local., module. and the like."""
    parts = split_address(ref)
    head = parts[0]
    if head in NON_RESOURCE_ROOTS:
        return None
    if head == "data":
        if len(parts) < 3:
            return None
        name, key = strip_key(parts[2])
        return Reference(f"data.{parts[1]}.{name}", key, tuple(parts[3:]))
    if len(parts) < 2:
        return None
    name, key = strip_key(parts[1])
    return Reference(f"{head}.{name}", key, tuple(parts[2:]))
