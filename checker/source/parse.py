"""A small recursive-descent parser for HCL expressions (the text python-hcl2 leaves in `${...}`).

It covers what stacks like ours write: literals, templates, traversals with
index keys, function calls (a last argument expanded with `...` is an `expand`
node), tuples, objects, parentheses, unary and binary operators, the
conditional, `for` expressions and splats (`splat` nodes: the traversal applied
to each element is written on a `splat_item` leaf; `[*]` takes every following
step, the legacy `.*` only attribute steps). What it does not know (a grouping
`for`) parses as `opaque`. The result is a small tree evaluated by
`checker.source.expressions`, which matches the closed `Node` union exhaustively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_][\w-]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:=.,()\[\]{}])
    )""",
    re.X | re.S,
)


Literal_ = None | bool | int | float | str


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: a number, `true`/`false`, `null`, or an object key written as a name."""

    value: Literal_


@dataclass(frozen=True, slots=True)
class TemplateExpr:
    """A quoted string: its body, interpolations and directives still unparsed."""

    body: str


@dataclass(frozen=True, slots=True)
class Traversal:
    """A reference by name: `var.x`, `aws_s3_bucket.b.arn`, an iteration name."""

    name: str


@dataclass(frozen=True, slots=True)
class CallExpr:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ExpandArg:
    """A last call argument expanded with `...`."""

    inner: Node


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    pairs: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True, slots=True)
class UnaryExpr:
    op: str  # "!" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class CondExpr:
    test: Node
    yes: Node
    no: Node


@dataclass(frozen=True, slots=True)
class IndexExpr:
    """`base[key]`, and `base.name` where base is not a plain traversal."""

    base: Node
    key: Node


@dataclass(frozen=True, slots=True)
class ForExpr:
    """`[for v in c : x if p]` (`shape` "tuple") or `{for k, v in c : k => x if p}` ("object");
    an absent key or condition is `NONE`."""

    shape: Literal["tuple", "object"]
    names: tuple[str, ...]
    collection: Node
    key: Node
    value: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class SplatExpr:
    """`base[*]...` (`full`: every following step) or the legacy `base.*...` (attribute steps
    only); `each` is the traversal applied to every element, rooted at `SplatItem`."""

    full: bool
    base: Node
    each: Node


@dataclass(frozen=True, slots=True)
class SplatItem:
    """The element a splat's `each` traversal applies to."""


@dataclass(frozen=True, slots=True)
class OpaqueExpr:
    """What this parser does not know (a grouping `for`, a syntax error): its text."""

    text: str


# the closed union the evaluator matches exhaustively
Node = (
    Lit
    | TemplateExpr
    | Traversal
    | CallExpr
    | ExpandArg
    | TupleExpr
    | ObjectExpr
    | UnaryExpr
    | BinaryExpr
    | CondExpr
    | IndexExpr
    | ForExpr
    | SplatExpr
    | SplatItem
    | OpaqueExpr
)


class ParseError(Exception):
    pass


NONE = Lit(None)  # an absent part of a `for` expression (no key, no condition)


def _string_end(text: str, start: int) -> int:
    """The index after the quote closing the string opened at `start`.

    Template interpolations may hold strings of their own
    (`"${module.b["k"].arn}/*"`), so quotes inside `${...}` do not close it.
    """
    depth = 0
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if depth == 0:
            if char == '"':
                return i + 1
            if text.startswith(("${", "%{"), i):
                depth, i = 1, i + 2
                continue
        elif char == '"':
            i = _string_end(text, i)
            continue
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        i += 1
    raise ParseError("unterminated string")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        while text[position].isspace():
            position += 1
        if text[position] == '"':
            end = _string_end(text, position)
            out.append(("string", text[position:end]))
            position = end
            continue
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ParseError(f"unexpected {text[position : position + 10]!r}")
        kind = match.lastgroup or "op"
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("eof", "")

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if expected is not None and token[1] != expected:
            raise ParseError(f"expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.expression()
        if self.peek()[0] != "eof":
            raise ParseError(f"trailing {self.peek()[1]!r}")
        return node

    def expression(self) -> Node:
        condition = self.binary(0)
        if self.peek()[1] == "?":
            self.take("?")
            yes = self.expression()
            self.take(":")
            no = self.expression()
            return CondExpr(condition, yes, no)
        return condition

    PRECEDENCE = (
        ("||",),
        ("&&",),
        ("==", "!="),
        ("<", ">", "<=", ">="),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int) -> Node:
        if level == len(self.PRECEDENCE):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in self.PRECEDENCE[level]:
            operator = self.take()[1]
            right = self.binary(level + 1)
            left = BinaryExpr(operator, left, right)
        return left

    def unary(self) -> Node:
        if self.peek()[1] in ("!", "-"):
            operator = self.take()[1]
            return UnaryExpr(operator, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            value = self.peek()[1]
            if value == "[" and self.peek(1)[1] == "*" and self.peek(2)[1] == "]":
                self.pos += 3
                node = SplatExpr(True, node, self._splat_steps(full=True))
            elif value == "." and self.peek(1)[1] == "*" and not isinstance(node, Lit):
                self.pos += 2
                node = SplatExpr(False, node, self._splat_steps(full=False))
            elif value == "[":
                self.take("[")
                key = self.expression()
                self.take("]")
                node = IndexExpr(node, key)
            elif value == "." and not isinstance(node, Lit):
                self.take(".")
                name = self.take()
                if isinstance(node, Traversal):
                    node = Traversal(f"{node.name}.{name[1]}")
                else:
                    node = IndexExpr(node, Lit(name[1]))
            else:
                return node

    def _splat_steps(self, full: bool) -> Node:
        """The traversal a splat applies to each element: attribute steps, and for `[*]` index
        steps and nested splats too (HCL's rule)."""
        item: Node = SplatItem()
        while True:
            value = self.peek()[1]
            if value == "." and self.peek(1)[0] == "name":
                self.take(".")
                item = IndexExpr(item, Lit(self.take()[1]))
            elif full and value == "[" and self.peek(1)[1] == "*" and self.peek(2)[1] == "]":
                self.pos += 3
                return SplatExpr(True, item, self._splat_steps(full=True))
            elif full and value == "[":
                self.take("[")
                key = self.expression()
                self.take("]")
                item = IndexExpr(item, key)
            else:
                return item

    def _opaque_rest(self) -> Node:
        self.pos = len(self.tokens)
        return OpaqueExpr(self.text)

    def primary(self) -> Node:
        kind, value = self.peek()
        if kind == "number":
            self.take()
            return Lit(float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "string":
            self.take()
            return TemplateExpr(value[1:-1])
        if kind == "name":
            self.take()
            if value in ("true", "false"):
                return Lit(value == "true")
            if value == "null":
                return Lit(None)
            if value == "for":
                return self._opaque_rest()
            if self.peek()[1] == "(":
                return self.call(value)
            return Traversal(value)
        if value == "(":
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        if value == "[":
            return self.tuple_()
        if value == "{":
            return self.object_()
        raise ParseError(f"unexpected {value!r}")

    def call(self, name: str) -> Node:
        self.take("(")
        args: list[Node] = []
        while self.peek()[1] != ")":
            args.append(self.expression())
            if self.peek()[1] == "...":
                self.take("...")
                args[-1] = ExpandArg(args[-1])
            if self.peek()[1] == ",":
                self.take(",")
            elif self.peek()[1] != ")":
                raise ParseError("expected ',' or ')'")
        self.take(")")
        return CallExpr(name, tuple(args))

    def for_(self, shape: Literal["tuple", "object"], close: str) -> Node:
        """`[for v in c : x if p]` or `{for k, v in c : k => x if p}` (after the bracket):
        a `ForExpr`; grouping (`...`)
        is left opaque."""
        self.take("for")
        names = [self.take()[1]]
        if self.peek()[1] == ",":
            self.take(",")
            names.append(self.take()[1])
        if self.take()[1] != "in":
            raise ParseError("expected 'in'")
        collection = self.expression()
        self.take(":")
        key: Node = NONE
        value = self.expression()
        if shape == "object":
            self.take("=>")
            key, value = value, self.expression()
            if self.peek()[1] == "...":
                return self._opaque_rest()
        condition: Node = NONE
        if self.peek() == ("name", "if"):
            self.take()
            condition = self.expression()
        self.take(close)
        return ForExpr(shape, tuple(names), collection, key, value, condition)

    def tuple_(self) -> Node:
        self.take("[")
        if self.peek()[1] == "for":
            return self.for_("tuple", "]")
        items: list[Node] = []
        while self.peek()[1] != "]":
            items.append(self.expression())
            if self.peek()[1] == ",":
                self.take(",")
            elif self.peek()[1] != "]":
                raise ParseError("expected ',' or ']'")
        self.take("]")
        return TupleExpr(tuple(items))

    def object_(self) -> Node:
        self.take("{")
        if self.peek()[1] == "for":
            return self.for_("object", "}")
        pairs: list[tuple[Node, Node]] = []
        while self.peek()[1] != "}":
            key_kind, key_value = self.peek()
            if key_kind == "name" and self.peek(1)[1] in ("=", ":"):
                self.take()
                key: Node = Lit(key_value)
            else:
                key = self.expression()
            separator = self.take()[1]
            if separator not in ("=", ":"):
                raise ParseError("expected '=' in object")
            pairs.append((key, self.expression()))
            if self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return ObjectExpr(tuple(pairs))


@lru_cache(maxsize=4096)
def parse_hcl_expression(text: str) -> Node:
    """Parse; an expression this parser does not know becomes an opaque node, never an error.

    Cached (nodes are immutable): a module called N times holds the same expressions.
    """
    try:
        return _Parser(text).parse()
    except (ParseError, IndexError, RecursionError):
        return OpaqueExpr(text)
