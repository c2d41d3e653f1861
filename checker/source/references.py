"""The references an HCL expression makes, as Terraform's `references` lists them."""

from __future__ import annotations

from typing import Any

from checker.core.address import parse_reference
from checker.source.parse import Node, parse_hcl_expression
from checker.source.raw import REFERENCE_IN_TEXT, split_template


def text_refs(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(REFERENCE_IN_TEXT.findall(text)))


def _traversal(node: Node) -> str | None:
    """`aws_s3_bucket.this["k"].id` from the parser's index chain, when every key is literal."""
    if node.kind == "ref":
        return str(node.value)
    if node.kind != "index":
        return None
    base = _traversal(node.args[0])
    key = node.args[1]
    if base is None or key.kind not in ("lit", "tmpl") or "${" in str(key.value):
        return None
    parts = base.split(".")
    # a resource, data source or module call is indexed by instance key, anything else by attribute
    instance_key = len(parts) == (3 if parts[0] == "data" else 2)
    if isinstance(key.value, int) and not isinstance(key.value, bool):
        return f"{base}[{key.value}]"
    if isinstance(key.value, str) and "[" not in base and instance_key:
        return f'{base}["{key.value}"]'
    return f"{base}.{key.value}" if isinstance(key.value, str) else None


def node_refs(node: Node) -> list[str]:
    """The references an expression makes (the iteration names of a `for` are not ones)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, tuple):  # an object's (key, value) pair
            for item in node:
                walk(item)
            return
        if not isinstance(node, Node):
            return
        traversal = _traversal(node) if node.kind == "index" else None
        if traversal is not None:
            out.append(traversal)
            return
        if node.kind == "for":
            start = len(out)
            for arg in node.args:
                walk(arg)
            inner = out[start:]
            del out[start:]
            out.extend(r for r in inner if r.split(".")[0].split("[")[0] not in node.value[1])
            return
        if node.kind == "ref":
            out.append(node.value)
        elif node.kind == "opaque":
            out.extend(text_refs(str(node.value)))
        elif node.kind == "tmpl":
            for kind, piece in split_template(node.value):
                if kind == "expr":
                    walk(parse_hcl_expression(piece))
        for arg in node.args:
            walk(arg)

    walk(node)
    return out


def references_of(raw: Any) -> list[str]:
    """The references of a python-hcl2 value, each also as its instance and block address."""
    out: list[str] = []
    if isinstance(raw, list):
        for item in raw:
            out.extend(references_of(item))
    elif isinstance(raw, dict):
        for item in raw.values():
            out.extend(references_of(item))
    elif isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}"):
            out.extend(node_refs(parse_hcl_expression(raw[2:-1])))
        elif raw.startswith('"'):
            out.extend(node_refs(Node("tmpl", raw[1:-1])))
    return expand_refs(out)


def expand_refs(out: list[str]) -> list[str]:
    expanded: list[str] = []
    for ref in out:
        expanded.append(ref)
        parsed = parse_reference(ref)
        if parsed is not None and parsed.key is not None:
            key = parsed.key if parsed.key.isdigit() else f'"{parsed.key}"'
            expanded.append(f"{parsed.local_address}[{key}]")
        if parsed is not None and (parsed.attribute or parsed.key is not None):
            expanded.append(parsed.local_address)
    return list(dict.fromkeys(expanded))
