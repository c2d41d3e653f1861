"""Expressions of a tree-sitter HCL tree, written as python-hcl2 8 writes them.

Everything downstream of the parser (`checker.source.expr.parse_raw`, the
evaluator, `checker.source.parse`) reads python-hcl2's shape: a string literal
keeps its quotes (`'"text"'`, escapes as written), an expression is its text
wrapped as `"${expr}"`, a number or `true` is a Python value, a tuple a list and
an object a dict whose keys keep their quotes. This module reproduces that shape
from a tree-sitter node, rule for rule as python-hcl2 serializes (its
`hcl2.rules`), including its quirks where a test pins them (`(true)` is
`"${(True)}"`, a heredoc is one quoted line with its quotes escaped and its
template text left unparsed). `dollar` is python-hcl2's `inside_dollar_string`:
inside an expression every part is text.

One recursive pass over the expression's nodes; no second walk.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Protocol

# The value of a node as python-hcl2 gives it: str, int, float, bool, None, list, dict.
Raw = Any


class TSNode(Protocol):
    """The part of `tree_sitter.Node` read here (typed: the package ships no stubs mypy uses)."""

    @property
    def type(self) -> str: ...
    @property
    def is_named(self) -> bool: ...
    @property
    def start_byte(self) -> int: ...
    @property
    def end_byte(self) -> int: ...
    @property
    def start_point(self) -> tuple[int, int]: ...
    @property
    def end_point(self) -> tuple[int, int]: ...
    @property
    def children(self) -> list[TSNode]: ...


class SyntaxShapeError(Exception):
    """A node shape this reader does not know; the file is reported as not parsing."""

    def __init__(self, node: TSNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


SUFFIXES = frozenset(("get_attr", "index", "splat"))
BINARY = frozenset(("*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"))
TEMPLATE_PARTS = frozenset(("template_interpolation", "template_directive"))
SCIENTIFIC = re.compile(r"[eE]")


class Reader:
    """Writes the expressions of one source text (its UTF-8 bytes) in python-hcl2's shape."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def text(self, node: TSNode) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def span(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", "surrogatepass")

    # ------------------------------------------------------------ expressions

    def expression(self, node: TSNode, dollar: bool = False) -> Raw:
        """An `expression` node (a conditional, or a term and its traversal suffixes)."""
        parts = _parts(node)
        if not parts:
            raise SyntaxShapeError(node, "empty expression")
        return self.term(parts, dollar)

    def term(self, parts: list[TSNode], dollar: bool) -> Raw:
        """A primary (or a parenthesized expression) followed by get_attr/index/splat suffixes."""
        first = parts[0]
        if first.type == "(":
            close = _closing_paren(parts)
            primary = self._parenthesized(
                parts[1], dollar=True if close < len(parts) - 1 else dollar
            )
            suffixes = parts[close + 1 :]
        else:
            suffixes = parts[1:]
            primary = self.primary(first, dollar or bool(suffixes))
        if not suffixes:
            return primary
        text = str(primary) + "".join(self.suffix(node) for node in suffixes)
        return text if dollar else "${" + text + "}"

    def _parenthesized(self, inner: TSNode, dollar: bool) -> Raw:
        """python-hcl2's ExprTermRule with parentheses (`wrap_into_parentheses`)."""
        value = self.expression(inner, dollar)
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            return "${(" + value[2:-1] + ")}"
        wrapped = f"({value})"
        return wrapped if dollar else "${" + wrapped + "}"

    def primary(self, node: TSNode, dollar: bool) -> Raw:
        kind = node.type
        if kind == "variable_expr":
            return self.text(node)
        if kind == "literal_value":
            return self.literal(node.children[0], dollar)
        if kind == "template_expr":
            return self.template(node.children[0])
        if kind == "collection_value":
            return self.collection(node.children[0], dollar)
        if kind == "function_call":
            return _wrap(self.call(node), dollar)
        if kind == "for_expr":
            return _wrap(self.for_expr(node.children[0]), dollar)
        if kind == "operation":
            return self.operation(node.children[0], dollar)
        if kind == "conditional":
            test, yes, no = _named(node, "expression")
            text = (
                f"{self.expression(test, True)} ? {self.expression(yes, True)} "
                f": {self.expression(no, True)}"
            )
            return _wrap(text, dollar)
        raise SyntaxShapeError(node, f"unexpected {kind}")

    def literal(self, node: TSNode, dollar: bool) -> Raw:
        kind = node.type
        text = self.text(node)
        if kind == "numeric_lit":
            return _number(node, text, dollar)
        if kind == "bool_lit":
            return text if dollar else text == "true"
        if kind == "null_lit":
            return text if dollar else None
        if kind == "string_lit":  # no interpolation, no directive: the text as written
            return text
        raise SyntaxShapeError(node, f"unexpected {kind}")

    def suffix(self, node: TSNode) -> str:
        """`.name`, `[expr]`, `.0`, `.*...`, `[*]...` as python-hcl2 prints them."""
        kind = node.type
        if kind == "get_attr":
            return "." + self.text(_named(node, "identifier")[0])
        if kind == "index":
            inner = node.children[0]
            if inner.type == "legacy_index":
                return "." + str(int(self.text(inner)[1:].strip()))
            return "[" + str(self.expression(_named(inner, "expression")[0], True)) + "]"
        if kind == "splat":
            inner = node.children[0]
            mark = ".*" if inner.type == "attr_splat" else "[*]"
            return mark + "".join(self.suffix(c) for c in inner.children if c.type in SUFFIXES)
        raise SyntaxShapeError(node, f"unexpected {kind}")

    def operation(self, node: TSNode, dollar: bool) -> Raw:
        parts = _parts(node)
        if node.type == "unary_operation":
            operator = parts[0].type
            operand = self.term(parts[1:], True)
            if not dollar and operator == "-" and _is_number(operand):
                return -operand
            return _wrap(f"{operator}{operand}", dollar)
        at = _operator_at(parts)
        left = self.term(parts[:at], True)
        right = self.term(parts[at + 1 :], True)
        return _wrap(f"{left} {parts[at].type} {right}", dollar)

    def call(self, node: TSNode) -> str:
        name = self.text(node.children[0])
        args: list[str] = []
        expand = False
        for child in node.children:
            if child.type != "function_arguments":
                continue
            for arg in child.children:
                if arg.type == "expression":
                    args.append(str(self.expression(arg, True)))
                elif arg.type == "ellipsis":
                    expand = True
        return f"{name}({', '.join(args)}{' ...' if expand else ''})"

    def for_expr(self, node: TSNode) -> str:
        intro: TSNode | None = None
        exprs: list[TSNode] = []
        cond = ""
        grouping = False
        for child in node.children:
            if child.type == "for_intro":
                intro = child
            elif child.type == "expression":
                exprs.append(child)
            elif child.type == "for_cond":
                cond = " if " + str(self.expression(_named(child, "expression")[0], True))
            elif child.type == "ellipsis":
                grouping = True
        if intro is None:
            raise SyntaxShapeError(node, "for expression without intro")
        names = [self.text(c) for c in intro.children if c.type == "identifier"]
        collection = self.expression(_named(intro, "expression")[0], True)
        head = f"for {', '.join(names)} in {collection} : "
        values = [str(self.expression(e, True)) for e in exprs]
        if node.type == "for_tuple_expr":
            return "[" + head + values[0] + cond + "]"
        return (
            "{" + head + values[0] + " => " + values[1] + ("..." if grouping else "") + cond + "}"
        )

    # ------------------------------------------------------------ collections

    def collection(self, node: TSNode, dollar: bool) -> Raw:
        if node.type == "tuple":
            items = [self.expression(c, dollar) for c in node.children if c.type == "expression"]
            if not dollar:
                return items
            return "[" + ", ".join(str(item) for item in items) + "]"
        if node.type == "object":
            elements = [c for c in node.children if c.type == "object_elem"]
            if not dollar:
                out: dict[Any, Raw] = {}
                for element in elements:
                    key, value = self.element(element, False)
                    out[key] = value
                return out
            pairs = (self.element(element, True) for element in elements)
            return "{" + ", ".join(f"{key} = {value}" for key, value in pairs) + "}"
        raise SyntaxShapeError(node, f"unexpected {node.type}")

    def element(self, node: TSNode, dollar: bool) -> tuple[Raw, Raw]:
        key_node, value_node = _named(node, "expression")
        return self.key(key_node, dollar), self.expression(value_node, dollar)

    def key(self, node: TSNode, dollar: bool) -> Raw:
        """An object key: a bare name, number or string as itself, anything else `${expr}`."""
        parts = _parts(node)
        if len(parts) == 1:
            only = parts[0]
            if only.type == "variable_expr":
                return self.text(only)
            if only.type == "literal_value":
                literal = only.children[0]
                if literal.type in ("bool_lit", "null_lit"):
                    return self.text(literal)
                value = self.literal(literal, dollar)
                return str(value) if _is_number(value) else value
            if only.type == "template_expr" and only.children[0].type == "quoted_template":
                return self.template(only.children[0])
        return _wrap(str(self.expression(node, True)), dollar)

    # -------------------------------------------------------------- templates

    def template(self, node: TSNode) -> str:
        """A quoted string or heredoc: python-hcl2's quoted source form."""
        if node.type == "heredoc_template":
            return self.heredoc(node)
        children = node.children
        if not children or children[-1].type != "quoted_template_end":
            raise SyntaxShapeError(node, "unterminated string")
        return '"' + self.parts(children[1:-1], children[0].end_byte, children[-1].start_byte) + '"'

    def parts(self, children: list[TSNode], start: int, end: int) -> str:
        """Template text as written, with interpolations and directives re-printed."""
        out: list[str] = []
        at = start
        for child in children:
            kind = child.type
            if (
                kind in TEMPLATE_PARTS
                or kind in _DIRECTIVE_MARKS
                or kind == "template_if"
                or (kind == "template_for")
            ):
                out.append(self.span(at, child.start_byte))
                out.append(self.template_part(child))
                at = child.end_byte
        out.append(self.span(at, end))
        return "".join(out)

    def template_part(self, node: TSNode) -> str:
        kind = node.type
        if kind == "template_interpolation":
            return "${" + str(self.expression(_named(node, "expression")[0], True)) + "}"
        if kind == "template_directive":
            return self.template_part(node.children[0])
        if kind in ("template_if", "template_for"):
            children = node.children
            return self.parts(children, children[0].start_byte, children[-1].end_byte)
        return self.directive_mark(node)

    def directive_mark(self, node: TSNode) -> str:
        """`%{ if c }`, `%{~ for k, v in c ~}`, `%{ else }`, ...: python-hcl2 re-spaces them."""
        children = node.children
        strips = [c for c in children if c.type == "strip_marker"]
        words = [c for c in children if not c.is_named and c.type in _DIRECTIVE_WORDS]
        open_strip = bool(strips) and strips[0].start_byte < words[0].start_byte
        close_strip = bool(strips) and strips[-1].start_byte > words[0].start_byte
        word = words[0].type
        if word == "if":
            body = "if " + str(self.expression(_named(node, "expression")[0], True))
        elif word == "for":
            names = [self.text(c) for c in children if c.type == "identifier"]
            collection = self.expression(_named(node, "expression")[0], True)
            body = f"for {', '.join(names)} in {collection}"
        else:
            body = word
        return "%{" + ("~ " if open_strip else " ") + body + (" ~" if close_strip else " ") + "}"

    def heredoc(self, node: TSNode) -> str:
        """python-hcl2 with `preserve_heredocs=False`: the body, de-indented for `<<-`, as one
        quoted line (backslashes and quotes escaped, newlines as `\\n`); not parsed."""
        children = node.children
        marks = [c for c in children if c.type == "heredoc_identifier"]
        if len(marks) < 2:
            raise SyntaxShapeError(node, "unterminated heredoc")
        start = marks[0].end_byte
        source = self.source
        if source[start : start + 2] == b"\r\n":
            start += 2
        elif source[start : start + 1] == b"\n":
            start += 1
        else:  # tree-sitter skips the rest of the opening line; Terraform wants a newline
            raise SyntaxShapeError(marks[0], "a heredoc's marker must end its line")
        body = _strip_closing_marker_line(self.span(start, marks[-1].start_byte))
        if self.text(children[0]) == "<<-":
            body = "\n".join(_dedent(body.split("\n")))
        body = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + body + '"'


_DIRECTIVE_MARKS = frozenset(
    (
        *("template_if_intro", "template_else_intro", "template_if_end"),
        *("template_for_start", "template_for_intro", "template_for_end"),
    )
)
_STRUCTURAL = TEMPLATE_PARTS | _DIRECTIVE_MARKS | {"template_if", "template_for"}
_DIRECTIVE_WORDS = frozenset(("if", "else", "endif", "for", "endfor"))


def _parts(node: TSNode) -> list[TSNode]:
    """A node's children without comments (tree-sitter puts them anywhere)."""
    return [child for child in node.children if child.type != "comment"]


def _named(node: TSNode, kind: str) -> list[TSNode]:
    found = [child for child in node.children if child.type == kind]
    if not found:
        raise SyntaxShapeError(node, f"{node.type} without {kind}")
    return found


def _closing_paren(parts: list[TSNode]) -> int:
    for index, part in enumerate(parts):
        if part.type == ")":
            return index
    raise SyntaxShapeError(parts[0], "unclosed parenthesis")


def _operator_at(parts: list[TSNode]) -> int:
    depth = 0
    for index, part in enumerate(parts):
        if part.is_named:
            continue
        if part.type == "(":
            depth += 1
        elif part.type == ")":
            depth -= 1
        elif depth == 0 and part.type in BINARY:
            return index
    raise SyntaxShapeError(parts[0], "binary operation without operator")


def _wrap(text: str, dollar: bool) -> str:
    return text if dollar else "${" + text + "}"


def _is_number(value: Raw) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(node: TSNode, text: str, dollar: bool) -> Raw:
    """python-hcl2's int_lit/float_lit: Python numbers; scientific notation stays text."""
    if SCIENTIFIC.search(text):
        return text if dollar else "${" + text + "}"
    if text.isdigit():
        return int(text)
    try:
        return float(text)
    except ValueError:  # 0x1F: python-hcl2 has no hexadecimal literal, Terraform neither
        raise SyntaxShapeError(node, "not a number") from None


def _strip_closing_marker_line(text: str) -> str:
    """The closing marker's indentation and the newline before it are not the value."""
    text = re.sub(r"[ \t]*\Z", "", text)
    return re.sub(r"\r?\n\Z", "", text)


def _dedent(lines: list[str]) -> list[str]:
    """`<<-`: the fewest leading spaces of the non-blank lines come off every line."""
    least = sys.maxsize
    for line in lines:
        if line.strip():
            least = min(least, len(line) - len(line.lstrip(" ")))
    if least == sys.maxsize:
        least = 0
    return [line[least:] for line in lines]
