"""A small recursive-descent parser for HCL expressions (the text python-hcl2 leaves in `${...}`).

It covers what stacks like ours write: literals, templates, traversals with
index keys, function calls (a last argument expanded with `...` is an `expand`
node), tuples, objects, parentheses, unary and binary operators, the
conditional, `for` expressions and splats (`splat` nodes: the traversal applied
to each element is written on a `splat_item` leaf; `[*]` takes every following
step, the legacy `.*` only attribute steps). What it does not know (a grouping
`for`) parses as `opaque`. The result is a small tree evaluated by
`checker.source.expressions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_][\w-]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:=.,()\[\]{}])
    )""",
    re.X | re.S,
)


@dataclass(frozen=True)
class Node:
    # lit, tmpl, ref, call, expand, tuple, object, unary, binary, cond, index, for,
    # splat, splat_item, opaque
    kind: str
    value: Any = None
    args: tuple[Any, ...] = ()


class ParseError(Exception):
    pass


NONE = Node("lit", None)  # an absent part of a `for` expression (no key, no condition)


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
            return Node("cond", None, (condition, yes, no))
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
            left = Node("binary", operator, (left, right))
        return left

    def unary(self) -> Node:
        if self.peek()[1] in ("!", "-"):
            operator = self.take()[1]
            return Node("unary", operator, (self.unary(),))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            value = self.peek()[1]
            if value == "[" and self.peek(1)[1] == "*" and self.peek(2)[1] == "]":
                self.pos += 3
                node = Node("splat", "full", (node, self._splat_steps(full=True)))
            elif value == "." and self.peek(1)[1] == "*" and node.kind != "lit":
                self.pos += 2
                node = Node("splat", "attr", (node, self._splat_steps(full=False)))
            elif value == "[":
                self.take("[")
                key = self.expression()
                self.take("]")
                node = Node("index", None, (node, key))
            elif value == "." and node.kind != "lit":
                self.take(".")
                name = self.take()
                if node.kind == "ref":
                    node = Node("ref", f"{node.value}.{name[1]}")
                else:
                    node = Node("index", None, (node, Node("lit", name[1])))
            else:
                return node

    def _splat_steps(self, full: bool) -> Node:
        """The traversal a splat applies to each element: attribute steps, and for `[*]` index
        steps and nested splats too (HCL's rule)."""
        item = Node("splat_item")
        while True:
            value = self.peek()[1]
            if value == "." and self.peek(1)[0] == "name":
                self.take(".")
                item = Node("index", None, (item, Node("lit", self.take()[1])))
            elif full and value == "[" and self.peek(1)[1] == "*" and self.peek(2)[1] == "]":
                self.pos += 3
                return Node("splat", "full", (item, self._splat_steps(full=True)))
            elif full and value == "[":
                self.take("[")
                key = self.expression()
                self.take("]")
                item = Node("index", None, (item, key))
            else:
                return item

    def _opaque_rest(self) -> Node:
        self.pos = len(self.tokens)
        return Node("opaque", self.text)

    def primary(self) -> Node:
        kind, value = self.peek()
        if kind == "number":
            self.take()
            return Node("lit", float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "string":
            self.take()
            return Node("tmpl", value[1:-1])
        if kind == "name":
            self.take()
            if value in ("true", "false"):
                return Node("lit", value == "true")
            if value == "null":
                return Node("lit", None)
            if value == "for":
                return self._opaque_rest()
            if self.peek()[1] == "(":
                return self.call(value)
            return Node("ref", value)
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
                args[-1] = Node("expand", None, (args[-1],))
            if self.peek()[1] == ",":
                self.take(",")
            elif self.peek()[1] != ")":
                raise ParseError("expected ',' or ')'")
        self.take(")")
        return Node("call", name, tuple(args))

    def for_(self, shape: str, close: str) -> Node:
        """`[for v in c : x if p]` or `{for k, v in c : k => x if p}` (after the bracket):
        Node("for", (shape, names), (collection, key, value, condition)); grouping (`...`)
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
        key = NONE
        value = self.expression()
        if shape == "object":
            self.take("=>")
            key, value = value, self.expression()
            if self.peek()[1] == "...":
                return self._opaque_rest()
        condition = NONE
        if self.peek() == ("name", "if"):
            self.take()
            condition = self.expression()
        self.take(close)
        return Node("for", (shape, tuple(names)), (collection, key, value, condition))

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
        return Node("tuple", None, tuple(items))

    def object_(self) -> Node:
        self.take("{")
        if self.peek()[1] == "for":
            return self.for_("object", "}")
        pairs: list[tuple[Node, Node]] = []
        while self.peek()[1] != "}":
            key_kind, key_value = self.peek()
            if key_kind == "name" and self.peek(1)[1] in ("=", ":"):
                self.take()
                key = Node("lit", key_value)
            else:
                key = self.expression()
            separator = self.take()[1]
            if separator not in ("=", ":"):
                raise ParseError("expected '=' in object")
            pairs.append((key, self.expression()))
            if self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return Node("object", None, tuple(pairs))


@lru_cache(maxsize=4096)
def parse_hcl_expression(text: str) -> Node:
    """Parse; an expression this parser does not know becomes an opaque node, never an error.

    Cached (nodes are immutable): a module called N times holds the same expressions.
    """
    try:
        return _Parser(text).parse()
    except (ParseError, IndexError, RecursionError):
        return Node("opaque", text)
