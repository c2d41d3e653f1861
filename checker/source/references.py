"""The references an HCL expression makes, as Terraform's `references` lists them."""

from __future__ import annotations

from typing import Any, assert_never

from checker.core.address import parse_reference
from checker.source.parse import (
    BinaryExpr,
    CallExpr,
    CondExpr,
    ExpandArg,
    ForExpr,
    IndexExpr,
    Lit,
    Node,
    ObjectExpr,
    OpaqueExpr,
    SplatExpr,
    SplatItem,
    TemplateExpr,
    Traversal,
    TupleExpr,
    UnaryExpr,
    parse_hcl_expression,
)
from checker.source.raw import REFERENCE_IN_TEXT, split_template


def text_refs(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(REFERENCE_IN_TEXT.findall(text)))


def _traversal(node: Node) -> str | None:
    """`aws_s3_bucket.this["k"].id` from the parser's index chain, when every key is literal."""
    if isinstance(node, Traversal):
        return node.name
    if not isinstance(node, IndexExpr):
        return None
    base = _traversal(node.base)
    match node.key:
        case Lit(value) | TemplateExpr(value) if "${" not in str(value):
            key = value
        case _:
            return None
    if base is None:
        return None
    parts = base.split(".")
    # a resource, data source or module call is indexed by instance key, anything else by attribute
    instance_key = len(parts) == (3 if parts[0] == "data" else 2)
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{base}[{key}]"
    if isinstance(key, str) and "[" not in base and instance_key:
        return f'{base}["{key}"]'
    return f"{base}.{key}" if isinstance(key, str) else None


def _children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below `node`, in source order."""
    match node:
        case Lit() | TemplateExpr() | Traversal() | SplatItem() | OpaqueExpr():
            return ()
        case CallExpr(_, args):
            return args
        case ExpandArg(inner):
            return (inner,)
        case TupleExpr(items):
            return items
        case ObjectExpr(pairs):
            return tuple(part for pair in pairs for part in pair)
        case UnaryExpr(_, operand):
            return (operand,)
        case BinaryExpr(_, left, right):
            return (left, right)
        case CondExpr(test, yes, no):
            return (test, yes, no)
        case IndexExpr(base, key):
            return (base, key)
        case ForExpr(_, _, collection, key, value, condition):
            return (collection, key, value, condition)
        case SplatExpr(_, base, each):
            return (base, each)
        case _:
            assert_never(node)


def node_refs(node: Node) -> list[str]:
    """The references an expression makes (the iteration names of a `for` are not ones)."""
    out: list[str] = []

    def walk(node: Node) -> None:
        traversal = _traversal(node) if isinstance(node, IndexExpr) else None
        if traversal is not None:
            out.append(traversal)
            return
        match node:
            case ForExpr(_, names):
                start = len(out)
                for child in _children(node):
                    walk(child)
                inner = out[start:]
                del out[start:]
                out.extend(r for r in inner if r.split(".")[0].split("[")[0] not in names)
                return
            case Traversal(name):
                out.append(name)
            case OpaqueExpr(text):
                out.extend(text_refs(text))
            case TemplateExpr(body):
                for kind, piece in split_template(body):
                    if kind == "expr":
                        walk(parse_hcl_expression(piece))
        for child in _children(node):
            walk(child)

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
            out.extend(node_refs(TemplateExpr(raw[1:-1])))
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
