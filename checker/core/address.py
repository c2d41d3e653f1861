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
    return list(_split_keyed(address))


@lru_cache(maxsize=65536)
def _split_keyed(address: str) -> tuple[str, ...]:
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
    return tuple(parts)


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


def reference_target(ref: str) -> tuple[str, tuple[str, ...]] | None:
    """A module-qualified reference split into the instance it designates and the attribute.

    'module.a["x"].aws_s3_bucket.b.arn' -> ('module.a["x"].aws_s3_bucket.b', ('arn',)); keys
    may be absent (a plan's references name configuration addresses). None for var., local. ...
    """
    parts = split_address(ref)
    i = 0
    while i + 1 < len(parts) and strip_key(parts[i])[0] == "module":
        i += 2
    rest = parts[i:]
    if not rest or rest[0] in NON_RESOURCE_ROOTS:
        return None
    size = 3 if rest[0] == "data" else 2
    if len(rest) < size:
        return None
    return ".".join(parts[: i + size]), tuple(rest[size:])


def designates(target: str, address: str) -> bool:
    """Does a target address, keys optional, designate the instance `address`?"""
    wanted, actual = split_address(target), split_address(address)
    if len(wanted) != len(actual):
        return False
    for want, have in zip(wanted, actual, strict=True):
        want_name, want_key = strip_key(want)
        have_name, have_key = strip_key(have)
        if want_name != have_name or (want_key is not None and want_key != have_key):
            return False
    return True


def config_address_of(address: str) -> str:
    """'module.a["x"].aws_s3_bucket.b[0]' -> 'module.a.aws_s3_bucket.b'."""
    return ".".join(strip_key(part)[0] for part in split_address(address))
