"""The one value type rules read: known, unknown, or absent.

Terraform has three states for an attribute: a known value, a value only known
after apply, and no value (unset and `null` are the same thing to Terraform).
A `Value` spells them as a plain JSON value, an `Unknown`, and `None`; an
`Unknown` may sit anywhere inside a list or map. There is no other spelling:
the plan's `after_unknown`, a reference the HCL source cannot settle, a
template with unknown pieces and a function call the evaluator does not run
are all `Unknown`, carrying what is known about them, so a rule branches on
one closed type that `mypy --strict` checks:

    match inst.get("versioning", 0, "enabled"):
        case Unknown() as hidden:  ...  # hidden.describe() says what hides it
        case None:                 ...  # not set
        case True:                 ...
        case _:                    ...
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from checker.core.iam import Hidden

Scalar: TypeAlias = str | int | float | bool


JSON = "jsonencode(...)"
BASE64 = "base64encode(...)"


def decode_base64(value: Value) -> Value:
    """What `base64encode` was given: the text of a known value, the argument of an unknown
    one (a template keeps its shape); `UNKNOWN` when it cannot be told."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return UNKNOWN
    if isinstance(value, Unknown) and value.expression == BASE64:
        return value.encoded
    return UNKNOWN


@dataclass(frozen=True, slots=True)
class Unknown(Hidden):
    """A value only known after apply, with what is known about it.

    `refs`: the configuration references it is built from (module-qualified).
    `reference`: set when it is exactly one reference (`aws_s3_bucket.b.arn`).
    `parts`: set for a string template: known text and unknown pieces in order,
    so a rule can compare the shape (`"${aws_s3_bucket.b.arn}/*"`).
    `expression`: the source text of an expression not evaluated here (a
    function call, a `for` expression).
    `encoded`: for `jsonencode(x)` (or `base64encode(x)`) of an `x` with unknown
    parts, `x` itself, so a policy written with `jsonencode` is read statement by
    statement and a script passed base64-encoded is read as a script; the
    function is named by `expression`.
    """

    refs: tuple[str, ...] = ()
    reference: str | None = None
    parts: tuple[str | Unknown, ...] | None = None
    expression: str | None = None
    encoded: Value = field(default=None, hash=False)

    @classmethod
    def of_reference(cls, traversal: str) -> Unknown:
        return cls(refs=(traversal,), reference=traversal)

    @classmethod
    def of_template(cls, parts: tuple[str | Unknown, ...]) -> Unknown:
        refs: dict[str, None] = {}
        for part in parts:
            if isinstance(part, Unknown):
                refs.update(dict.fromkeys(part.refs))
        return cls(refs=tuple(refs), parts=parts)

    @classmethod
    def of_expression(cls, text: str, refs: tuple[str, ...]) -> Unknown:
        return cls(refs=refs, expression=text)

    @classmethod
    def of_json(cls, value: Value) -> Unknown:
        """`jsonencode(value)` where part of `value` is unknown."""
        return cls(refs=refs_in(value), expression=JSON, encoded=value)

    @classmethod
    def of_base64(cls, value: Value) -> Unknown:
        """`base64encode(value)` where part of `value` is unknown."""
        return cls(refs=refs_in(value), expression=BASE64, encoded=value)

    @classmethod
    def built_from(cls, *values: Value) -> Unknown:
        """A value computed from others, some unknown: it names their references."""
        refs: dict[str, None] = {}
        for value in values:
            refs.update(dict.fromkeys(refs_in(value)))
        return cls(refs=tuple(refs))

    def with_refs(self, refs: tuple[str, ...]) -> Unknown:
        """The same unknown, naming the references it comes from when it named none."""
        if self.refs or not refs:
            return self
        return replace(self, refs=refs)

    def text(self) -> str:
        """The value with `${...}` standing for each unknown piece."""
        if self.parts is not None:
            return "".join(p if isinstance(p, str) else p.text() for p in self.parts)
        if self.reference is not None:
            return "${" + self.reference + "}"
        if self.expression is not None:
            return "${" + self.expression + "}"
        return "(known after apply)"

    def template(self) -> str:
        if self.parts is not None:
            return "".join(p if isinstance(p, str) else p.template() for p in self.parts)
        if self.reference is not None and re.fullmatch(r"[\w.\[\]\"-]+", self.reference):
            return "${" + self.reference + "}"
        return "${?}"

    def render(self, hole: str) -> str:
        """The known text of a template with `hole` for each unknown piece (for parsers)."""
        if self.parts is None:
            return hole
        return "".join(p if isinstance(p, str) else hole for p in self.parts)

    def describe(self) -> str:
        """What hides the value, for an `unknown` finding."""
        if self.refs:
            return "known after apply (from " + ", ".join(self.refs[:3]) + ")"
        return "known after apply"

    def __repr__(self) -> str:
        if self.parts is None and self.reference is None and self.expression is None:
            return f"Unknown(refs={list(self.refs)})" if self.refs else "(known after apply)"
        return f"Unknown({self.text()})"


UNKNOWN = Unknown()  # after apply, nothing more known

Value: TypeAlias = Scalar | list["Value"] | dict[str, "Value"] | Unknown | None


def is_known(value: Value) -> bool:
    """True when the value holds no `Unknown` anywhere (None counts as known: absent)."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    return True


def name_unknowns(value: Value, refs: tuple[str, ...]) -> Value:
    """The value with every `Unknown` that names no reference naming `refs`.

    A plan gives the references of a whole attribute, not of each element, so
    each hidden element is said to come from any of them.
    """
    if isinstance(value, Unknown):
        return value.with_refs(refs)
    if not refs or is_known(value):
        return value
    if isinstance(value, list):
        return [name_unknowns(item, refs) for item in value]
    if isinstance(value, dict):
        return {key: name_unknowns(item, refs) for key, item in value.items()}
    return value


def decode_json(value: Value) -> Value:
    """The value a JSON document stands for, its unknown pieces kept; UNKNOWN when not JSON.

    A string is parsed; `jsonencode(x)` with unknown parts gives `x`; a template
    such as a heredoc policy with `${...}` inside its strings is parsed with a
    placeholder for each unknown piece, and each string holding one comes back
    as an `Unknown` of that shape.
    """
    if isinstance(value, str):
        try:
            decoded: Value = json.loads(value)
        except (ValueError, RecursionError):
            return UNKNOWN
        return decoded
    if not isinstance(value, Unknown):
        return UNKNOWN
    if value.encoded is not None and value.expression == JSON:
        return value.encoded
    if not value.parts:
        return value
    holes: dict[str, Unknown] = {}
    text: list[str] = []
    parts = value.parts
    for index, part in enumerate(parts):
        if isinstance(part, str):
            text.append(part)
            continue
        token = f"\u0001{len(holes)}\u0001"
        holes[token] = part
        escaped = token.replace("\u0001", "\\u0001")
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if _value_position("".join(text), following if isinstance(following, str) else ""):
            escaped = f'"{escaped}"'  # `"Resource": ${jsonencode(arns)}`: a whole JSON value
        text.append(escaped)
    try:
        document = json.loads("".join(text))
    except (ValueError, RecursionError):
        return value
    return _fill(document, holes)


def _value_position(before: str, after: str) -> bool:
    """Is a template hole a JSON value of its own (not inside a string)?"""
    head, tail = before.rstrip()[-1:], after.lstrip()[:1]
    return head in (":", "[", ",") and tail in (",", "]", "}")


HOLE = re.compile("(\u0001\\d+\u0001)")


def _fill(node: Value, holes: dict[str, Unknown]) -> Value:
    if isinstance(node, str) and "\u0001" in node:
        pieces = [p for p in HOLE.split(node) if p]
        parts = tuple(holes.get(p, p) for p in pieces)
        if len(parts) == 1 and isinstance(parts[0], Unknown):
            whole = parts[0]
            if whole.expression == JSON and whole.encoded is not None:
                return whole.encoded  # `${jsonencode(x)}` as a value: x itself
            return whole
        return Unknown.of_template(parts)
    if isinstance(node, list):
        return [_fill(item, holes) for item in node]
    if isinstance(node, dict):
        return {key: _fill(item, holes) for key, item in node.items()}
    return node


def refs_in(*values: object) -> tuple[str, ...]:
    """The references every `Unknown` inside the values names, in order, once each."""
    found: dict[str, None] = {}
    stack: list[object] = list(reversed(values))
    while stack:
        node = stack.pop()
        if isinstance(node, Unknown):
            found.update(dict.fromkeys(node.refs))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
    return tuple(found)


def show(value: Value) -> str:
    """A value as Terraform prints it: `false`, `"AES256"`, `null`, `(known after apply)`."""
    if isinstance(value, Unknown):
        return "(known after apply)" if value.parts is None else json.dumps(value.text())
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    return "{" + ", ".join(f"{key} = {show(item)}" for key, item in value.items()) + "}"


def text_of(value: Value) -> str:
    """Text with `${...}` placeholders for unknown parts, for substring checks."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.text()
    return str(value)


def as_list(value: Value) -> list[Value]:
    """A list attribute as a list, a scalar as one item, absent as empty."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
