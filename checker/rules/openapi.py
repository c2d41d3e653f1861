"""The routes of a REST API defined by an OpenAPI `body` (`aws_api_gateway_rest_api.body`).

API Gateway imports an OpenAPI (2.0 or 3.x) document: each operation of `paths`
(`get`, `post`, ..., and `x-amazon-apigateway-any-method` for ANY) becomes a
method, and its `x-amazon-apigateway-integration` object the method's
integration, whose `type` (`aws_proxy` or `AWS_PROXY` for a Lambda proxy),
`httpMethod` ("For Lambda function invocations, the value must be POST") and
`uri` (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function
ARN}/invocations`) this module reads:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-any-method.html

The body is a `Value`: a known JSON or YAML string (a plan knows it when it
depends on no computed value), `jsonencode({...})` with unknown parts (its
object, `Unknown.encoded`), or a template with unknown pieces (a heredoc,
`templatefile()`), which is parsed with a placeholder for each piece and gives
back each string holding one as an `Unknown` of that shape. YAML is read with
PyYAML's safe loader; the walk over the document is memoised by node, so
anchors and aliases cost their size once (no "billion laughs").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from checker.plan.values import JSON, Unknown, Value

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
MAX_DEPTH = 200  # nesting of a document this module walks; deeper is unreadable


@dataclass(frozen=True, slots=True)
class Integration:
    """An operation's `x-amazon-apigateway-integration` (each field a `Value`)."""

    type: Value
    http_method: Value
    uri: Value


@dataclass(frozen=True, slots=True)
class Route:
    """One operation: its method ("ANY" for `x-amazon-apigateway-any-method`), its path
    (with `${...}` where a piece is only known after apply), and its integration."""

    method: str
    path: str
    integration: Integration | None

    @property
    def path_known(self) -> bool:
        return "${" not in self.path

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Routes:
    """The routes of a readable OpenAPI document, and what it was written in."""

    routes: tuple[Route, ...]
    syntax: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A body that is not an OpenAPI document the checker can read, and why."""

    why: str


def read_routes(body: Value) -> Routes | Unreadable | Unknown | None:
    """The routes of a body; the body's `Unknown` when it is hidden whole; None when unset."""
    if body is None:
        return None
    document = _document(body)
    if isinstance(document, Unknown | Unreadable):
        return document
    tree, syntax = document
    if not isinstance(tree, dict):
        return Unreadable(f"the {syntax} body is not an object")
    paths = tree.get("paths")
    if not isinstance(paths, dict):
        if isinstance(paths, Unknown):
            return paths
        return Unreadable(f"the {syntax} body has no `paths` object: not an OpenAPI document")
    return Routes(tuple(_routes(tree, paths)), syntax)


# ---------------------------------------------------------------- parsing


def _document(body: Value) -> tuple[Value, str] | Unreadable | Unknown:
    """(the parsed document, "JSON" or "YAML"), the hidden body, or why it is unreadable."""
    if isinstance(body, str):
        return _parse(body, {})
    if isinstance(body, Unknown):
        if body.expression == JSON and body.encoded is not None:
            return body.encoded, "JSON"  # jsonencode({...}) with unknown parts: the object
        if body.parts is None:
            return body
        return _parse_template(body.parts)
    return Unreadable(f"the body is a {type(body).__name__}, not a string")


TOKEN = "\u27e6{}\u27e7"  # printable, so YAML accepts it in a plain scalar
TOKENS = re.compile("(\u27e6\\d+\u27e7)")


def _parse_template(parts: tuple[str | Unknown, ...]) -> tuple[Value, str] | Unreadable:
    """A template parsed with a placeholder for each unknown piece; JSON first (a piece
    standing as a whole value, `"uri": ${jsonencode(x)}`, quoted), then YAML."""
    holes: dict[str, Unknown] = {}
    bare: list[str] = []
    quoted: list[str] = []
    for index, part in enumerate(parts):
        if isinstance(part, str):
            bare.append(part)
            quoted.append(part)
            continue
        token = TOKEN.format(len(holes))
        holes[token] = part
        following = parts[index + 1] if index + 1 < len(parts) else ""
        alone = _value_position("".join(quoted), following if isinstance(following, str) else "")
        bare.append(token)
        quoted.append(f'"{token}"' if alone else token)
    try:
        return _fill(json.loads("".join(quoted)), holes, {}, 0), "JSON"
    except (ValueError, RecursionError):
        pass
    return _parse("".join(bare), holes)


def _value_position(before: str, after: str) -> bool:
    """Is a placeholder a JSON value of its own (not inside a string)?"""
    head, tail = before.rstrip()[-1:], after.lstrip()[:1]
    return head in (":", "[", ",") and tail in (",", "]", "}")


def _parse(text: str, holes: dict[str, Unknown]) -> tuple[Value, str] | Unreadable:
    try:
        return _fill(json.loads(text), holes, {}, 0), "JSON"
    except (ValueError, RecursionError):
        pass
    try:
        loaded = yaml.safe_load(text)
        return _fill(loaded, holes, {}, 0), "YAML"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return Unreadable(f"the body is neither JSON nor YAML (YAML error{where})")
    except (RecursionError, _TooDeep):
        return Unreadable(f"the body is nested deeper than {MAX_DEPTH} levels")


class _TooDeep(Exception):
    pass


def _fill(node: Any, holes: dict[str, Unknown], seen: dict[int, Value], depth: int) -> Value:
    """A parsed document as a `Value`: placeholders back to their unknown pieces, YAML's
    other scalars (dates, binary) as text; a node shared by YAML aliases is filled once."""
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(node, str):
        return _unhole(node, holes) if holes and "\u27e6" in node else node
    if node is None or isinstance(node, bool | int | float):
        return node
    if isinstance(node, list | dict):
        known = seen.get(id(node))
        if known is not None:
            return known
        if isinstance(node, list):
            items: list[Value] = []
            seen[id(node)] = items
            items.extend(_fill(item, holes, seen, depth + 1) for item in node)
            return items
        mapping: dict[str, Value] = {}
        seen[id(node)] = mapping
        for key, item in node.items():
            mapping[_key(key, holes)] = _fill(item, holes, seen, depth + 1)
        return mapping
    return str(node)


def _unhole(text: str, holes: dict[str, Unknown]) -> Value:
    parts = tuple(holes.get(piece, piece) for piece in TOKENS.split(text) if piece)
    if len(parts) == 1 and isinstance(parts[0], Unknown):
        whole = parts[0]
        if whole.expression == JSON and whole.encoded is not None:
            return whole.encoded  # `${jsonencode(x)}` as a value: x itself
        return whole
    return Unknown.of_template(parts)


def _key(key: Any, holes: dict[str, Unknown]) -> str:
    """A mapping key as text, an unknown piece written `${...}` (a path built from one)."""
    text = str(key)
    if holes and "\u27e6" in text:
        return "".join(
            holes[piece].text() if piece in holes else piece for piece in TOKENS.split(text)
        )
    return text


# ----------------------------------------------------------------- routes


def _routes(document: dict[str, Value], paths: dict[str, Value]) -> list[Route]:
    out: list[Route] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for key, operation in item.items():
            method = "ANY" if key == ANY_METHOD else key.upper() if key in METHODS else None
            if method is None or not isinstance(operation, dict):
                continue
            out.append(Route(method, path, _integration(document, operation.get(INTEGRATION))))
    return out


def _integration(document: dict[str, Value], raw: Value) -> Integration | None:
    """The integration object, a local `$ref` (`#/components/...`) followed once."""
    if isinstance(raw, dict) and isinstance(ref := raw.get("$ref"), str):
        raw = _pointer(document, ref)
    if isinstance(raw, Unknown):
        return Integration(raw, raw, raw)
    if not isinstance(raw, dict):
        return None
    return Integration(raw.get("type"), raw.get("httpMethod"), raw.get("uri"))


def _pointer(document: dict[str, Value], ref: str) -> Value:
    """What a local JSON pointer (`#/a/b`) names in the document; None when it names nothing."""
    if not ref.startswith("#/"):
        return None
    node: Value = document
    for step in ref[2:].split("/"):
        step = step.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node
