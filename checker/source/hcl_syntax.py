"""The native HCL syntax, read by tree-sitter (`tree-sitter-hcl`), in python-hcl2's shape.

`parse_hcl` turns a `.tf` text into exactly the dict python-hcl2 8 gives with
`SerializationOptions(with_comments=False, preserve_heredocs=False)`: blocks as
lists of dicts under their type, labels as nested keys (quoted when written
quoted), `__is_block__` on every block body, expressions as
`checker.source.hcl_values` writes them. python-hcl2 stays the oracle
(`tests/test_hcl_parity.py`); tree-sitter is a C parser (of `tap_stack.tf` its
parse takes about a twentieth of python-hcl2's time, parse and conversion here
about a fourteenth) and gives every node its byte and line range.

`top_level_items` gives the file's top-level blocks and attributes with their
lines and bytes, for `checker.source.suppressions`.

A parse error names the file, line and column (1-based, in characters), never the
file's content.
"""

from __future__ import annotations

from typing import Any, NamedTuple, NoReturn

import tree_sitter
import tree_sitter_hcl

from checker.errors import InputError
from checker.source.hcl_values import Raw, Reader, SyntaxShapeError, TSNode

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
BOM = "\ufeff"
HINT = "run 'terraform validate' in that directory to see the error"


class TopItem(NamedTuple):
    """A top-level block or attribute: its first identifier and where it is written."""

    keyword: str  # a block's type (`resource`, `locals`, ...) or an attribute's name
    is_block: bool
    start_byte: int  # in the UTF-8 bytes of the text (a leading byte order mark dropped)
    end_byte: int
    line: int  # 1-based, of its first token
    end_line: int  # 1-based, of its last token


def _tree(text: str) -> tuple[bytes, Any]:
    source = text.removeprefix(BOM).encode("utf-8", "surrogatepass")
    return source, _PARSER.parse(source)


def parse_hcl(path: object, text: str) -> dict[str, Any]:
    """A `.tf` text in python-hcl2's shape; an `InputError` naming file, line and column."""
    source, tree = _tree(text)
    root = tree.root_node
    if root.has_error:
        _raise_error(path, source, root)
    reader = Reader(source)
    try:
        body = _body_of(root)
        return {} if body is None else _body(reader, body)
    except SyntaxShapeError as error:
        _raise_at(path, source, error.node, error.reason)
    except RecursionError:
        raise InputError(f"{path}: HCL is nested too deeply to parse") from None


def top_level_items(text: str) -> tuple[TopItem, ...] | None:
    """The top-level blocks and attributes, in order; None when the text does not parse."""
    source, tree = _tree(text)
    root = tree.root_node
    if root.has_error:
        return None
    body = _body_of(root)
    items: list[TopItem] = []
    for child in body.children if body is not None else ():
        if child.type not in ("block", "attribute"):
            continue
        name = child.children[0]
        end_row, end_column = child.end_point
        end_line = end_row if end_column == 0 and end_row > child.start_point[0] else end_row + 1
        items.append(
            TopItem(
                keyword=source[name.start_byte : name.end_byte].decode("utf-8", "surrogatepass"),
                is_block=child.type == "block",
                start_byte=child.start_byte,
                end_byte=child.end_byte,
                line=child.start_point[0] + 1,
                end_line=end_line,
            )
        )
    return tuple(items)


def _body_of(root: Any) -> Any:
    for child in root.children:
        if child.type == "body":
            return child
        if child.type == "object":  # tree-sitter-hcl also reads a bare object; HCL does not
            raise SyntaxShapeError(child, "a file is a body, not an object")
    return None


def _body(reader: Reader, node: TSNode) -> dict[str, Any]:
    """python-hcl2's BodyRule: attributes by name, blocks appended under their type."""
    result: dict[str, Any] = {}
    attributes: set[str] = set()
    last_row = -1
    for child in node.children:
        kind = child.type
        if kind in ("attribute", "block"):
            if child.start_point[0] == last_row:  # tree-sitter allows `a = 1 b = 2`
                raise SyntaxShapeError(child, "each attribute and block starts on its own line")
            last_row = child.end_point[0]
        if kind == "attribute":
            name = reader.text(child.children[0])
            value = _attribute_value(reader, child)
            attributes.add(name)
            result[name] = value
        elif kind == "block":
            name, value = _block(reader, child)
            if name in attributes:
                raise SyntaxShapeError(child, f"attribute {name} is already defined")
            result.setdefault(name, []).append(value)
    return result


def _attribute_value(reader: Reader, node: TSNode) -> Raw:
    for child in node.children:
        if child.type == "expression":
            return reader.expression(child)
    raise SyntaxShapeError(node, "attribute without value")


def _block(reader: Reader, node: TSNode) -> tuple[str, dict[str, Any]]:
    labels: list[str] = []
    body: dict[str, Any] = {}
    for child in node.children:
        kind = child.type
        if kind == "identifier" or kind == "string_lit":
            labels.append(reader.text(child))
        elif kind == "body":
            body = _body(reader, child)
    body["__is_block__"] = True
    value: dict[str, Any] = body
    for label in reversed(labels[1:]):
        value = {label: value}
    return labels[0], value


# ---------------------------------------------------------------- errors


def _first_error(node: Any) -> Any:
    """The first ERROR or MISSING node, depth first (only walked for a text that has one)."""
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def _raise_error(path: object, source: bytes, root: Any) -> NoReturn:
    try:
        node = _first_error(root)
    except RecursionError:
        node = None
    if node is None:
        _raise_at(path, source, root, "syntax error")
    if node.is_missing:
        _raise_at(path, source, node, f"missing {node.type}")
    following = node.next_sibling
    if following is not None and not any(child.has_error for child in node.children):
        # tree-sitter wraps a well-formed prefix (`= "x"` of `b = "x" = 3`) in the ERROR
        # node: the parse failed at the token after it
        node = following
    _raise_at(path, source, node, "syntax error")


def _raise_at(path: object, source: bytes, node: TSNode, reason: str) -> NoReturn:
    start = node.start_byte
    line_start = source.rfind(b"\n", 0, start) + 1
    line = source.count(b"\n", 0, start) + 1
    column = len(source[line_start:start].decode("utf-8", "replace")) + 1
    raise InputError(f"{path}: HCL does not parse at line {line}, column {column} ({reason})", HINT)
