"""Terraform's JSON configuration syntax (`*.tf.json`, what CDK for Terraform writes), read into
the shape python-hcl2 gives a `.tf` file, so everything downstream reads both alike.

What is followed (Terraform's "JSON Configuration Syntax" page and HCL's JSON specification,
hashicorp/hcl `json/spec.md` and `json/structure.go`):

- A body is a JSON object, or an array of objects whose properties are visited in order;
  duplicate property names are kept (the parser here keeps every pair, in order). Each
  level of block labels is an object, or an array of objects; after the labels, an object
  is one block body and an array of objects is one block per element; `null` is no block.
- A property named `"//"` of an object that is a block body (the file's root, a resource's
  body, a nested block's body) is a comment and is ignored; in an object read as an
  expression it is an ordinary key. A `"//"` holding `checker:ignore ...` in a resource or
  data block is an inline suppression (`checker.source.suppressions.json_suppressions`):
  a string, an array of strings, or a string property of an object there (cdktf keeps
  its metadata object in `"//"`).
- In full expression mode a JSON string is a string template: `"${var.region}"` is the
  expression `var.region` (a template that is one interpolation is unwrapped: its value is
  not converted to a string), `"logs.${var.region}.amazonaws.com"` a template, `$${` and
  `%%{` the escapes of a literal `${` and `%{`; object property names are templates too.
  Numbers, booleans, `null`, arrays and objects are what they are.
- Block-type-specific exceptions: `provider` and `depends_on` (and `lifecycle`
  `replace_triggered_by`) are references written as plain strings; `ignore_changes` holds
  attribute names (or `"all"`); a `connection` block's `type` is literal; in `variable`
  blocks `type` is a type expression and `default` and `description` are literal JSON
  values (no templates); an output's `description` and `sensitive` are literal; a module's
  `source` and `version` are literal and its `providers` map references; a provider's
  `alias` and `version` are literal; everything in a `terraform` block is literal.
- Whether a property of a block body is a nested block or an argument is the provider
  schema's to say (a JSON object is one nested block, or an object-typed argument such as
  `tags`). The nested block names of every resource, data source and provider
  configuration of hashicorp/aws 5.100.0 and hashicorp/archive are shipped in
  `block_schema.json.gz` (generated from `terraform providers schema -json` by
  `python -m checker.source.json_syntax SCHEMA.json`; `tests/test_json_syntax.py` compares
  it with the real providers). For a type outside it, a JSON array of objects reads the
  same either way, and a single JSON object is read as an argument, with a note.
- `*.tfvars.json` values are literal (Terraform evaluates variable files without
  variables or functions, and a JSON string there is not a template); there, as in
  `locals`, a `"//"` property is a comment too (`JustAttributes` skips it).

Each block keeps the line of its name label, and each `"//"` comment its line.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

from checker.errors import InputError

# the standard library's string scanner (C-accelerated): JSON escapes exactly as `json` reads them
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

SCHEMA_FILE = Path(__file__).with_name("block_schema.json.gz")
MAX_DEPTH = 200  # JSON nesting: deeper input is refused, never a RecursionError
IDENTIFIER = re.compile(r"[^\W\d][\w-]*")
META_BLOCKS = ("lifecycle", "connection", "provisioner", "dynamic")

# --------------------------------------------------------------------- JSON with positions


class Pair(NamedTuple):
    key: str
    line: int  # the line of the property name
    value: JsonNode


@dataclass(frozen=True, slots=True)
class JsonObject:
    pairs: tuple[Pair, ...]
    line: int


@dataclass(frozen=True, slots=True)
class JsonArray:
    items: tuple[JsonNode, ...]
    line: int


JsonNode: TypeAlias = JsonObject | JsonArray | str | int | float | bool | None

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WORDS: dict[str, JsonNode] = {"true": True, "false": False, "null": None}


class _JsonError(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


@dataclass
class _JsonReader:
    """RFC 8259 JSON, keeping every object property in order (duplicates too) and lines."""

    text: str
    pos: int = 0
    newlines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]

    def line(self, offset: int) -> int:
        return bisect_right(self.newlines, offset - 1) + 1

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def document(self) -> JsonNode:
        self.skip()
        value = self.value(0)
        self.skip()
        if self.pos != len(self.text):
            raise _JsonError(self.pos, "unexpected text after the JSON value")
        return value

    def value(self, depth: int) -> JsonNode:
        if depth > MAX_DEPTH:
            raise _JsonError(self.pos, f"nested deeper than {MAX_DEPTH} levels")
        text, at = self.text, self.pos
        char = text[at : at + 1]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        number = _NUMBER.match(text, at)
        if number is not None:
            self.pos = number.end()
            return float(number[0]) if number[1] or number[2] else int(number[0])
        for word, meaning in _WORDS.items():
            if text.startswith(word, at):
                self.pos = at + len(word)
                return meaning
        raise _JsonError(at, "expected a JSON value")

    def string(self) -> str:
        try:
            value, self.pos = _scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as error:
            raise _JsonError(error.pos, error.msg) from None
        return value

    def object(self, depth: int) -> JsonObject:
        line = self.line(self.pos)
        self.pos += 1
        pairs: list[Pair] = []
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return JsonObject((), line)
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise _JsonError(self.pos, "expected a property name")
            key_line = self.line(self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise _JsonError(self.pos, "expected ':'")
            self.pos += 1
            self.skip()
            pairs.append(Pair(key, key_line, self.value(depth + 1)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return JsonObject(tuple(pairs), line)
            else:
                raise _JsonError(self.pos, "expected ',' or '}'")

    def array(self, depth: int) -> JsonArray:
        line = self.line(self.pos)
        self.pos += 1
        items: list[JsonNode] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return JsonArray((), line)
        while True:
            self.skip()
            items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return JsonArray(tuple(items), line)
            else:
                raise _JsonError(self.pos, "expected ',' or ']'")


def parse_json(path: Path, text: str) -> JsonNode:
    """The JSON document of `text`; an error names the file, line and column, never content."""
    reader = _JsonReader(text[1:] if text.startswith("\ufeff") else text)
    try:
        return reader.document()
    except _JsonError as error:
        line = reader.line(error.position)
        column = error.position - (reader.newlines[line - 2] if line > 1 else -1)
        raise InputError(
            f"{path}: JSON does not parse at line {line}, column {column} ({error.reason})",
            "run 'terraform validate' in that directory to see the error",
        ) from None


# ----------------------------------------------------------------------- the block schema

Tree: TypeAlias = dict[str, "Tree"]  # nested block name -> its own nested blocks


def _tree(block: dict[str, Any]) -> Tree:
    types = block.get("block_types")
    return {
        name: _tree(nested.get("block") or {})
        for name, nested in sorted(types.items() if isinstance(types, dict) else ())
    }


def compact_schema(document: dict[str, Any]) -> dict[str, Any]:
    """`terraform providers schema -json` -> the nested block trees of every provider
    configuration, resource type and data source (the only schema facts JSON syntax needs)."""
    out: dict[str, dict[str, Tree]] = {"provider": {}, "resource": {}, "data": {}}
    for address, provider in sorted(document.get("provider_schemas", {}).items()):
        name = address.rsplit("/", 1)[-1]
        out["provider"][name] = _tree(provider.get("provider", {}).get("block", {}))
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for type_, schema in sorted(provider.get(key, {}).items()):
                out[kind][type_] = _tree(schema.get("block", {}))
    return {"format": 1, "providers": sorted(document.get("provider_schemas", {})), **out}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    return data


def block_tree(kind: str, type_: str) -> Tree | None:
    """The nested blocks of a `resource`, `data` or `provider` type; None when not known."""
    found = _schema().get(kind, {}).get(type_)
    return found if isinstance(found, dict) else None


# ------------------------------------------------------------- JSON -> python-hcl2's shape


@dataclass
class JsonConfig:
    """One `.tf.json` file in python-hcl2's shape, with what the shape cannot hold."""

    parsed: dict[str, list[Any]]
    lines: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (kind, type, name)
    comments: dict[tuple[str, str, str], list[tuple[int, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _quoted(text: str) -> str:
    return '"' + text + '"'


def _escape_text(text: str) -> str:
    """Literal template text as a quoted HCL string writes it."""
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _sequence_end(text: str, start: int) -> int:
    """The index after the `}` closing the `${`/`%{` opened at `start`; -1 if unclosed.

    Braces of the expression count; strings inside it (with their backslash escapes and
    interpolations of their own) are skipped.
    """
    depth, i = 0, start + 2
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
            if i < 0:
                return -1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    return -1


def _string_end(text: str, start: int) -> int:
    """The index after the quote closing the HCL string opened at `start`; -1 if unclosed."""
    i = start + 1
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _sequence_end(text, i)
            if end < 0:
                return -1
            i = end
        elif text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return -1


def template_pieces(text: str) -> list[tuple[bool, str]]:
    """A template's pieces in order: (False, literal text) or (True, `${...}` / `%{...}`).

    The escapes `$${` and `%%{` stay in the text as written (they mean the same in a quoted
    HCL string); an unclosed sequence is text (Terraform refuses it).
    """
    pieces: list[tuple[bool, str]] = []
    start = i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _sequence_end(text, i)
            if end > 0:
                if i > start:
                    pieces.append((False, text[start:i]))
                pieces.append((True, text[i:end]))
                start = i = end
                continue
        i += 1
    if start < len(text):
        pieces.append((False, text[start:]))
    return pieces


def has_template(text: str) -> bool:
    """Does a string mean something else as a template (a sequence or an escape in it)?"""
    return "${" in text or "%{" in text


def _template(text: str) -> str:
    """A JSON string in full expression mode -> python-hcl2's form of the same template."""
    if not has_template(text):
        return _quoted(_escape_text(text))
    pieces = template_pieces(text)
    if len(pieces) == 1 and pieces[0][0] and pieces[0][1].startswith("${"):
        inner = pieces[0][1][2:-1]
        if not inner.startswith("~") and not inner.endswith("~"):
            return "${" + inner.strip() + "}"  # unwrapped: the expression's own value
    return _quoted("".join(piece if code else _escape_text(piece) for code, piece in pieces))


def _literal_string(text: str) -> str:
    """A JSON string taken literally -> a quoted HCL string with the same value."""
    escaped = _escape_text(text).replace("${", "$${").replace("%{", "%%{")
    return _quoted(escaped)


def expression(node: JsonNode) -> Any:
    """A JSON value in full expression mode."""
    if isinstance(node, str):
        return _template(node)
    if isinstance(node, JsonArray):
        return [expression(item) for item in node.items]
    if isinstance(node, JsonObject):
        return {
            (_quoted(pair.key) if has_template(pair.key) else pair.key): expression(pair.value)
            for pair in node.pairs
        }
    return node


def literal(node: JsonNode) -> Any:
    """A JSON value taken literally (variable defaults, `.tfvars.json`, `terraform` settings)."""
    if isinstance(node, str):
        return _literal_string(node)
    if isinstance(node, JsonArray):
        return [literal(item) for item in node.items]
    if isinstance(node, JsonObject):
        return {pair.key: literal(pair.value) for pair in node.pairs}
    return node


def _reference(node: JsonNode) -> Any:
    """A reference written as a plain string (`"aws.dr"`, `"aws_iam_role.r"`)."""
    if not isinstance(node, str):
        return expression(node)
    text = node.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return "${" + text + "}"


def _references(node: JsonNode) -> Any:
    if isinstance(node, JsonArray):
        return [_reference(item) for item in node.items]
    return _reference(node)


def _keywords(node: JsonNode) -> Any:
    """Attribute names or keywords written as strings (`ignore_changes`, `when`)."""
    if isinstance(node, JsonArray):
        return [_keywords(item) for item in node.items]
    return node if isinstance(node, str) else expression(node)


def _type_expression(node: JsonNode) -> Any:
    if not isinstance(node, str):
        return literal(node)
    return node if IDENTIFIER.fullmatch(node) else "${" + node + "}"


def _pairs(node: JsonNode, where: str) -> list[Pair]:
    """The properties of a body or a label level: an object, or an array of objects."""
    if node is None:
        return []
    if isinstance(node, JsonObject):
        return list(node.pairs)
    if isinstance(node, JsonArray):
        out: list[Pair] = []
        for item in node.items:
            if not isinstance(item, JsonObject):
                raise InputError(f"{where}: a JSON object is required in this array")
            out.extend(item.pairs)
        return out
    raise InputError(f"{where}: a JSON object or an array of objects is required")


def _bodies(node: JsonNode, where: str) -> list[JsonObject | JsonArray]:
    """The block bodies after the labels: an object is one, an array one per element."""
    if node is None:
        return []
    if isinstance(node, JsonObject):
        return [node]
    if isinstance(node, JsonArray):
        bodies: list[JsonObject | JsonArray] = []
        for item in node.items:
            if item is None:
                continue
            if not isinstance(item, JsonObject | JsonArray):
                raise InputError(f"{where}: a JSON object is required for each block")
            bodies.append(item)
        return bodies
    raise InputError(f"{where}: a JSON object or an array of objects is required")


def _is_blocks(node: JsonNode) -> bool:
    """Can the value be blocks (an object, an array of objects, null)? A provider version
    other than the schema's may have made a block an argument."""
    if isinstance(node, JsonArray):
        return all(isinstance(item, JsonObject) or item is None for item in node.items)
    return node is None or isinstance(node, JsonObject)


@dataclass
class _Converter:
    """Converts one file; `where` names the file in errors and notes."""

    where: str
    config: JsonConfig
    comments: list[tuple[int, str]] = field(default_factory=list)  # of the block being read

    def comment(self, pair: Pair) -> None:
        """Keep the text of a `"//"` property: a string, an array of strings, or the string
        properties of an object (cdktf keeps its metadata there: `addOverride("//.x", ...)`
        adds a property beside it)."""
        values: list[tuple[int, JsonNode]] = [(pair.line, pair.value)]
        if isinstance(pair.value, JsonObject):
            values = [(p.line, p.value) for p in pair.value.pairs]
        for line, value in values:
            items = value.items if isinstance(value, JsonArray) else (value,)
            self.comments.extend((line, item) for item in items if isinstance(item, str))

    def note(self, text: str) -> None:
        if text not in self.config.notes and len(self.config.notes) < 20:
            self.config.notes.append(text)

    # ---------------------------------------------------------------- block bodies

    def body(self, node: JsonNode, tree: Tree | None, context: str) -> dict[str, Any]:
        """A resource, data, provider or nested block body: arguments and nested blocks."""
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "//":
                self.comment(pair)
            elif key == "dynamic":
                out.setdefault(key, []).extend(self.dynamic(value, tree, context))
            elif tree is not None and key in tree and _is_blocks(value):
                blocks = [self.body(b, tree[key], context) for b in _bodies(value, self.where)]
                out.setdefault(key, []).extend(blocks)
            else:
                if tree is None and isinstance(value, JsonObject):
                    self.note(
                        f"{self.where}: {context} is not in the provider schemas the checker "
                        f"knows; its JSON object {key!r} is read as an argument (a nested "
                        "block written as one object would not be seen)"
                    )
                out[key] = expression(value)
        return out

    def dynamic(self, node: JsonNode, tree: Tree | None, context: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for label in _pairs(node, self.where):
            nested = tree.get(label.key) if tree is not None else None
            for spec in _bodies(label.value, self.where):
                body: dict[str, Any] = {}
                for pair in _pairs(spec, self.where):
                    if pair.key == "//":
                        continue
                    if pair.key == "content":
                        body["content"] = [
                            self.body(b, nested, context) for b in _bodies(pair.value, self.where)
                        ]
                    elif pair.key == "iterator":
                        body["iterator"] = _keywords(pair.value)
                    else:
                        body[pair.key] = expression(pair.value)
                out.append({_quoted(label.key): body})
        return out

    def resource(self, node: JsonNode, kind: str, type_: str) -> dict[str, Any]:
        tree = block_tree(kind, type_)
        context = f"{kind} type {type_}"
        meta: dict[str, Any] = {}
        rest: list[Pair] = []
        for pair in _pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "provider":
                meta[key] = _reference(value)
            elif key == "depends_on":
                meta[key] = _references(value)
            elif key == "lifecycle":
                meta.setdefault(key, []).extend(
                    self.lifecycle(b) for b in _bodies(value, self.where)
                )
            elif key == "connection":
                meta.setdefault(key, []).extend(
                    self.connection(b) for b in _bodies(value, self.where)
                )
            elif key == "provisioner":
                meta.setdefault(key, []).extend(self.provisioners(value))
            else:
                rest.append(pair)
        return {**self.body(JsonObject(tuple(rest), 0), tree, context), **meta}

    def lifecycle(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key == "ignore_changes":
                out[pair.key] = _keywords(pair.value)
            elif pair.key == "replace_triggered_by":
                out[pair.key] = _references(pair.value)
            elif pair.key in ("precondition", "postcondition"):
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, "lifecycle") for b in _bodies(pair.value, self.where)
                )
            else:
                out[pair.key] = expression(pair.value)
        return out

    def connection(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            if pair.key != "//":
                out[pair.key] = (literal if pair.key == "type" else expression)(pair.value)
        return out

    def provisioners(self, node: JsonNode) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for label in _pairs(node, self.where):
            for spec in _bodies(label.value, self.where):
                body: dict[str, Any] = {}
                for pair in _pairs(spec, self.where):
                    if pair.key == "//":
                        continue
                    if pair.key == "connection":
                        body[pair.key] = [self.connection(b) for b in _bodies(pair.value, "")]
                    elif pair.key in ("when", "on_failure"):
                        body[pair.key] = _keywords(pair.value)
                    else:
                        body[pair.key] = expression(pair.value)
                out.append({_quoted(label.key): body})
        return out

    # ------------------------------------------------------------ top-level blocks

    def labelled(self, node: JsonNode, kind: str) -> list[tuple[Pair, JsonObject | JsonArray]]:
        """(name label, body) of each block of a one-label block type."""
        return [
            (label, body)
            for label in _pairs(node, self.where)
            for body in _bodies(label.value, self.where)
        ]

    def top(self, pair: Pair) -> None:
        parsed, kind = self.config.parsed, pair.key
        if kind in ("resource", "data"):
            for type_label in _pairs(pair.value, self.where):
                for name_label, body in self.labelled(type_label.value, kind):
                    self.comments = []
                    converted = self.resource(body, kind, type_label.key)
                    entry = {_quoted(type_label.key): {_quoted(name_label.key): converted}}
                    parsed.setdefault(kind, []).append(entry)
                    key = (kind, type_label.key, name_label.key)
                    self.config.lines.setdefault(key, name_label.line)
                    self.config.comments.setdefault(key, []).extend(self.comments)
        elif kind in ("variable", "output", "module", "provider"):
            for name_label, body in self.labelled(pair.value, kind):
                converted = getattr(self, f"_{kind}")(body, name_label.key)
                parsed.setdefault(kind, []).append({_quoted(name_label.key): converted})
        elif kind == "locals":
            values = {
                p.key: expression(p.value) for p in _pairs(pair.value, self.where) if p.key != "//"
            }
            parsed.setdefault(kind, []).append(values)
        elif kind == "terraform":
            for body in _bodies(pair.value, self.where):
                parsed.setdefault(kind, []).append(self._terraform(body))

    def _variable(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key == "type":
                out[pair.key] = _type_expression(pair.value)
            elif pair.key == "validation":
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, f"variable {name}") for b in _bodies(pair.value, self.where)
                )
            elif pair.key in ("default", "description", "sensitive", "nullable", "ephemeral"):
                out[pair.key] = literal(pair.value)
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _output(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key in ("description", "sensitive", "ephemeral"):
                out[pair.key] = literal(pair.value)
            elif pair.key == "depends_on":
                out[pair.key] = _references(pair.value)
            elif pair.key == "precondition":
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, f"output {name}") for b in _bodies(pair.value, self.where)
                )
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _module(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key in ("source", "version"):
                out[pair.key] = literal(pair.value)
            elif pair.key == "depends_on":
                out[pair.key] = _references(pair.value)
            elif pair.key == "providers" and isinstance(pair.value, JsonObject):
                out[pair.key] = {p.key: _reference(p.value) for p in pair.value.pairs}
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _provider(self, node: JsonNode, name: str) -> dict[str, Any]:
        tree = block_tree("provider", name)
        out: dict[str, Any] = {}
        rest: list[Pair] = []
        for pair in _pairs(node, self.where):
            if pair.key in ("alias", "version"):
                out[pair.key] = literal(pair.value)
            else:
                rest.append(pair)
        return {**self.body(JsonObject(tuple(rest), 0), tree, f"provider {name}"), **out}

    def _terraform(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in _pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "//":
                continue
            if key in ("backend", "provider_meta"):
                out[key] = [
                    {_quoted(label.key): self._literal_body(body)}
                    for label, body in self.labelled(value, key)
                ]
            elif key in ("required_providers", "cloud"):
                out[key] = [self._literal_body(body) for body in _bodies(value, self.where)]
            else:
                out[key] = literal(value)
        return out

    def _literal_body(self, node: JsonNode) -> dict[str, Any]:
        return {p.key: literal(p.value) for p in _pairs(node, self.where) if p.key != "//"}


@lru_cache(maxsize=64)
def read_config(path: Path, text: str) -> JsonConfig:
    """A `.tf.json` file's blocks in python-hcl2's shape (cached per text: callers copy)."""
    root = parse_json(path, text)
    if not isinstance(root, JsonObject | JsonArray):
        raise InputError(f"{path}: a .tf.json file holds one JSON object")
    config = JsonConfig(parsed={})
    converter = _Converter(str(path), config)
    for pair in _pairs(root, str(path)):
        if pair.key != "//":
            converter.top(pair)
    return config


def read_tfvars(path: Path, text: str) -> dict[str, Any]:
    """A `.tfvars.json` file: variable name -> its literal value (python-hcl2's shape)."""
    root = parse_json(path, text)
    if not isinstance(root, JsonObject):
        raise InputError(f"{path}: a .tfvars.json file holds one JSON object")
    return {pair.key: literal(pair.value) for pair in root.pairs if pair.key != "//"}


def _write_schema(source: Path) -> None:
    """`python -m checker.source.json_syntax SCHEMA.json`: regenerate `block_schema.json.gz`."""
    document = json.loads(source.read_text(encoding="utf-8"))
    data = json.dumps(compact_schema(document), separators=(",", ":"), sort_keys=True)
    SCHEMA_FILE.write_bytes(gzip.compress(data.encode("utf-8"), mtime=0))


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    _write_schema(Path(sys.argv[1]))
