"""Edits of a `.tf` file's bytes, block by block, read with tree-sitter: the rest of the file,
its comments and its layout stay as they are.

An argument that exists gets its expression replaced; one that does not is written on a
line of its own before the block's closing brace, after a blank line, so that it is a
`terraform fmt` alignment group of its own and no neighbouring line needs realigning. A
nested block is written the same way. `depends_on` gains the reference in its list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tree_sitter
import tree_sitter_hcl

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


@dataclass(frozen=True)
class ByteEdit:
    start: int
    end: int
    text: bytes


class NotEditable(Exception):
    """The block is not written in a shape an edit keeps (no block at that line, a dynamic
    block, an expression where a block is expected)."""


def block_at(source: bytes, line: int) -> Any:
    """The `resource`/`data` block whose first line is `line` (1-based)."""
    tree = _PARSER.parse(source)
    body = next((c for c in tree.root_node.children if c.type == "body"), None)
    for node in body.children if body is not None else ():
        if node.type == "block" and node.start_point[0] + 1 == line:
            return node
    raise NotEditable(f"no block starts at line {line}")


def _body(block: Any) -> Any | None:
    return next((c for c in block.children if c.type == "body"), None)


def _name(node: Any, source: bytes) -> str:
    first = node.children[0]
    return source[first.start_byte : first.end_byte].decode()


def _members(block: Any, source: bytes, kind: str) -> dict[str, Any]:
    body = _body(block)
    out: dict[str, Any] = {}
    for node in body.children if body is not None else ():
        if node.type == kind:
            out.setdefault(_name(node, source), node)
    return out


def _indent(block: Any, source: bytes) -> str:
    """The indentation of the block's own line, plus two spaces (terraform fmt's step)."""
    line_start = source.rfind(b"\n", 0, block.start_byte) + 1
    own = source[line_start : block.start_byte].decode()
    return own + "  "


def _closing(block: Any) -> Any:
    end = next(c for c in block.children if c.type == "block_end")
    return end


def _insert_before_close(block: Any, source: bytes, lines: list[str]) -> ByteEdit:
    """`lines` (already indented) as a group of their own before the closing brace."""
    close = _closing(block)
    line_start = source.rfind(b"\n", 0, close.start_byte) + 1
    previous = source[source.rfind(b"\n", 0, max(line_start - 1, 0)) + 1 : line_start]
    blank_before = _body(block) is not None and previous.strip() != b""
    text = ("\n" if blank_before else "") + "".join(f"{line}\n" for line in lines)
    return ByteEdit(line_start, line_start, text.encode())


def _aligned_with_last(block: Any, source: bytes, name: str) -> tuple[int, str] | None:
    """Where and how `name` joins the block's last group of one-line arguments without
    `terraform fmt` realigning it: (the offset after the group's last line, the padded
    name), when the group's `=` column leaves room for the name; else None."""
    body = _body(block)
    members = [c for c in body.children if c.type in ("attribute", "block")] if body else []
    if not members or members[-1].type != "attribute":
        return None
    last = members[-1]
    if last.start_point[0] != last.end_point[0]:
        return None
    line_start = source.rfind(b"\n", 0, last.start_byte) + 1
    line_end = source.find(b"\n", last.end_byte)
    line = source[line_start : line_end if line_end >= 0 else len(source)].decode()
    indent = _indent(block, source)
    if not line.startswith(indent) or "=" not in line:
        return None
    width = line.index("=") - len(indent) - 1
    if len(name) > width or line_end < 0:
        return None
    return line_end + 1, f"{indent}{name.ljust(width)}"


def set_value(source: bytes, block: Any, path: tuple[str, ...], expression: str) -> ByteEdit:
    """Write `expression` at `path` (an argument, or one of a nested block) of `block`."""
    if not path:
        raise NotEditable("an empty path")
    if len(path) == 1:
        attribute = _members(block, source, "attribute").get(path[0])
        if attribute is not None:
            value = next(c for c in attribute.children if c.type == "expression")
            return ByteEdit(value.start_byte, value.end_byte, expression.encode())
        aligned = _aligned_with_last(block, source, path[0])
        if aligned is not None:
            return ByteEdit(aligned[0], aligned[0], f"{aligned[1]} = {expression}\n".encode())
        return _insert_before_close(
            block, source, [f"{_indent(block, source)}{path[0]} = {expression}"]
        )
    if path[0] in _members(block, source, "attribute"):
        raise NotEditable(f"{path[0]} is written as an argument, not a block")
    nested = _members(block, source, "block").get(path[0])
    if nested is not None:
        return set_value(source, nested, path[1:], expression)
    indent = _indent(block, source)
    lines = [f"{indent}{path[0]} {{"]
    inner = indent
    for step in path[1:-1]:
        inner += "  "
        lines.append(f"{inner}{step} {{")
    lines.append(f"{inner}  {path[-1]} = {expression}")
    for depth in range(len(path) - 2, -1, -1):
        lines.append(f"{indent}{'  ' * depth}}}")
    return _insert_before_close(block, source, lines)


def add_depends_on(source: bytes, block: Any, reference: str) -> ByteEdit | None:
    """`reference` in the block's `depends_on` (None when it is there already)."""
    attribute = _members(block, source, "attribute").get("depends_on")
    if attribute is None:
        return set_value(source, block, ("depends_on",), f"[{reference}]")
    tuple_node = _find(attribute, "tuple")
    if tuple_node is None:
        raise NotEditable("depends_on is not written as a list")
    items = [c for c in tuple_node.children if c.type == "expression"]
    written = {source[i.start_byte : i.end_byte].decode().strip() for i in items}
    if reference in written:
        return None
    if items:
        return ByteEdit(items[-1].end_byte, items[-1].end_byte, f", {reference}".encode())
    opening = tuple_node.children[0]
    return ByteEdit(opening.end_byte, opening.end_byte, reference.encode())


def remove_nested(source: bytes, block: Any, path: tuple[str, ...]) -> ByteEdit | None:
    """The nested block at `path` removed, whole lines (None when it is gone already)."""
    node = block
    for step in path:
        if step in _members(node, source, "attribute"):
            raise NotEditable(f"{step} is written as an argument, not a block")
        found = _members(node, source, "block").get(step)
        if found is None:
            return None
        node = found
    start = source.rfind(b"\n", 0, node.start_byte) + 1
    if source[start : node.start_byte].strip():
        raise NotEditable(f"{'.'.join(path)} shares its line with other text")
    end = source.find(b"\n", node.end_byte)
    return ByteEdit(start, len(source) if end < 0 else end + 1, b"")


def add_after(source: bytes, block: Any, text: str) -> ByteEdit:
    """`text` (a top-level block) written after `block`, one blank line between."""
    return ByteEdit(block.end_byte, block.end_byte, f"\n\n{text.rstrip()}".encode())


def append_items(
    source: bytes, block: Any, path: tuple[str | int, ...], items: tuple[str, ...]
) -> ByteEdit | None:
    """`items` appended to the list at `path` (an int picks the nth nested block of the name
    before it), on lines of their own when the list is written one item a line; None when
    every item is there already."""
    node = block
    steps = list(path)
    while len(steps) > 1:
        name = steps.pop(0)
        nth = steps.pop(0) if steps and isinstance(steps[0], int) else 0
        body = _body(node)
        found = [
            c
            for c in (body.children if body is not None else ())
            if c.type == "block" and _name(c, source) == name
        ]
        if not isinstance(name, str) or not isinstance(nth, int) or nth >= len(found):
            raise NotEditable(f"no block {name} number {nth}")
        node = found[nth]
    attribute = _members(node, source, "attribute").get(str(steps[0])) if steps else None
    tuple_node = _find(attribute, "tuple") if attribute is not None else None
    if tuple_node is None:
        raise NotEditable(f"{'.'.join(map(str, path))} is not written as a list")
    written = [c for c in tuple_node.children if c.type == "expression"]
    present = {source[i.start_byte : i.end_byte].decode().strip() for i in written}
    new = [item for item in items if item not in present]
    if not new:
        return None
    if not written:
        opening = tuple_node.children[0]
        return ByteEdit(opening.end_byte, opening.end_byte, ", ".join(new).encode())
    last = written[-1]
    if tuple_node.start_point[0] == tuple_node.end_point[0]:
        return ByteEdit(last.end_byte, last.end_byte, "".join(f", {i}" for i in new).encode())
    line_start = source.rfind(b"\n", 0, last.start_byte) + 1
    indent = source[line_start : last.start_byte].decode()
    after = source[last.end_byte : last.end_byte + 1]
    if after == b",":  # one item a line, each with its comma
        text = "".join(f"\n{indent}{i}," for i in new)
        return ByteEdit(last.end_byte + 1, last.end_byte + 1, text.encode())
    text = "".join(f",\n{indent}{i}" for i in new)
    return ByteEdit(last.end_byte, last.end_byte, text.encode())


def _find(node: Any, kind: str) -> Any | None:
    if node.type == kind:
        return node
    for child in node.children:
        found = _find(child, kind)
        if found is not None:
            return found
    return None


def apply(source: bytes, edits: list[ByteEdit]) -> bytes:
    """The bytes with `edits` (non-overlapping) made, the last first."""
    out = source
    # the last first; of two insertions at one place, the later one first, so that the
    # earlier one ends up before it
    ordered = sorted(enumerate(edits), key=lambda p: (p[1].start, p[1].end, p[0]), reverse=True)
    for _, edit in ordered:
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out
