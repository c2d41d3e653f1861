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
  `checker/core/provider_schema.json.gz` (generated from `terraform providers schema -json` by
  `python -m checker.core.provider_schema SCHEMA.json`; `tests/test_json_syntax.py` compares
  it with the real providers). For a type outside it, a JSON array of objects reads the
  same either way, and a single JSON object is read as an argument, with a note.
- `*.tfvars.json` values are literal (Terraform evaluates variable files without
  variables or functions, and a JSON string there is not a template); there, as in
  `locals`, a `"//"` property is a comment too (`JustAttributes` skips it).

Each block keeps the line of its name label, and each `"//"` comment its line.

The JSON itself is read with positions by `checker.source.json_reader`, strings become
expressions in `checker.source.json_expressions`, and the provider schema is
`checker.core.provider_schema`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from checker.core.provider_schema import Tree, block_tree
from checker.errors import InputError
from checker.source.json_expressions import (
    block_bodies,
    expression,
    is_blocks,
    keywords,
    literal,
    object_pairs,
    plain_reference,
    plain_references,
    quoted,
    type_expression,
)
from checker.source.json_reader import JsonArray, JsonNode, JsonObject, Pair, parse_json

META_BLOCKS = ("lifecycle", "connection", "provisioner", "dynamic")
# ------------------------------------------------------------- JSON -> python-hcl2's shape


@dataclass
class JsonConfig:
    """One `.tf.json` file in python-hcl2's shape, with what the shape cannot hold."""

    parsed: dict[str, list[Any]]
    lines: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (kind, type, name)
    comments: dict[tuple[str, str, str], list[tuple[int, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
        for pair in object_pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "//":
                self.comment(pair)
            elif key == "dynamic":
                out.setdefault(key, []).extend(self.dynamic(value, tree, context))
            elif tree is not None and key in tree and is_blocks(value):
                blocks = [self.body(b, tree[key], context) for b in block_bodies(value, self.where)]
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
        for label in object_pairs(node, self.where):
            nested = tree.get(label.key) if tree is not None else None
            for spec in block_bodies(label.value, self.where):
                body: dict[str, Any] = {}
                for pair in object_pairs(spec, self.where):
                    if pair.key == "//":
                        continue
                    if pair.key == "content":
                        body["content"] = [
                            self.body(b, nested, context)
                            for b in block_bodies(pair.value, self.where)
                        ]
                    elif pair.key == "iterator":
                        body["iterator"] = keywords(pair.value)
                    else:
                        body[pair.key] = expression(pair.value)
                out.append({quoted(label.key): body})
        return out

    def resource(self, node: JsonNode, kind: str, type_: str) -> dict[str, Any]:
        tree = block_tree(kind, type_)
        context = f"{kind} type {type_}"
        meta: dict[str, Any] = {}
        rest: list[Pair] = []
        for pair in object_pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "provider":
                meta[key] = plain_reference(value)
            elif key == "depends_on":
                meta[key] = plain_references(value)
            elif key == "lifecycle":
                meta.setdefault(key, []).extend(
                    self.lifecycle(b) for b in block_bodies(value, self.where)
                )
            elif key == "connection":
                meta.setdefault(key, []).extend(
                    self.connection(b) for b in block_bodies(value, self.where)
                )
            elif key == "provisioner":
                meta.setdefault(key, []).extend(self.provisioners(value))
            else:
                rest.append(pair)
        return {**self.body(JsonObject(tuple(rest), 0), tree, context), **meta}

    def lifecycle(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key == "ignore_changes":
                out[pair.key] = keywords(pair.value)
            elif pair.key == "replace_triggered_by":
                out[pair.key] = plain_references(pair.value)
            elif pair.key in ("precondition", "postcondition"):
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, "lifecycle") for b in block_bodies(pair.value, self.where)
                )
            else:
                out[pair.key] = expression(pair.value)
        return out

    def connection(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            if pair.key != "//":
                out[pair.key] = (literal if pair.key == "type" else expression)(pair.value)
        return out

    def provisioners(self, node: JsonNode) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for label in object_pairs(node, self.where):
            for spec in block_bodies(label.value, self.where):
                body: dict[str, Any] = {}
                for pair in object_pairs(spec, self.where):
                    if pair.key == "//":
                        continue
                    if pair.key == "connection":
                        body[pair.key] = [self.connection(b) for b in block_bodies(pair.value, "")]
                    elif pair.key in ("when", "on_failure"):
                        body[pair.key] = keywords(pair.value)
                    else:
                        body[pair.key] = expression(pair.value)
                out.append({quoted(label.key): body})
        return out

    # ------------------------------------------------------------ top-level blocks

    def labelled(self, node: JsonNode, kind: str) -> list[tuple[Pair, JsonObject | JsonArray]]:
        """(name label, body) of each block of a one-label block type."""
        return [
            (label, body)
            for label in object_pairs(node, self.where)
            for body in block_bodies(label.value, self.where)
        ]

    def top(self, pair: Pair) -> None:
        parsed, kind = self.config.parsed, pair.key
        if kind in ("resource", "data"):
            for type_label in object_pairs(pair.value, self.where):
                for name_label, body in self.labelled(type_label.value, kind):
                    self.comments = []
                    converted = self.resource(body, kind, type_label.key)
                    entry = {quoted(type_label.key): {quoted(name_label.key): converted}}
                    parsed.setdefault(kind, []).append(entry)
                    key = (kind, type_label.key, name_label.key)
                    self.config.lines.setdefault(key, name_label.line)
                    self.config.comments.setdefault(key, []).extend(self.comments)
        elif kind in ("variable", "output", "module", "provider"):
            for name_label, body in self.labelled(pair.value, kind):
                converted = getattr(self, f"_{kind}")(body, name_label.key)
                parsed.setdefault(kind, []).append({quoted(name_label.key): converted})
        elif kind == "locals":
            values = {
                p.key: expression(p.value)
                for p in object_pairs(pair.value, self.where)
                if p.key != "//"
            }
            parsed.setdefault(kind, []).append(values)
        elif kind == "terraform":
            for body in block_bodies(pair.value, self.where):
                parsed.setdefault(kind, []).append(self._terraform(body))

    def _variable(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key == "type":
                out[pair.key] = type_expression(pair.value)
            elif pair.key == "validation":
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, f"variable {name}")
                    for b in block_bodies(pair.value, self.where)
                )
            elif pair.key in ("default", "description", "sensitive", "nullable", "ephemeral"):
                out[pair.key] = literal(pair.value)
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _output(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key in ("description", "sensitive", "ephemeral"):
                out[pair.key] = literal(pair.value)
            elif pair.key == "depends_on":
                out[pair.key] = plain_references(pair.value)
            elif pair.key == "precondition":
                out.setdefault(pair.key, []).extend(
                    self.body(b, {}, f"output {name}") for b in block_bodies(pair.value, self.where)
                )
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _module(self, node: JsonNode, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            if pair.key == "//":
                continue
            if pair.key in ("source", "version"):
                out[pair.key] = literal(pair.value)
            elif pair.key == "depends_on":
                out[pair.key] = plain_references(pair.value)
            elif pair.key == "providers" and isinstance(pair.value, JsonObject):
                out[pair.key] = {p.key: plain_reference(p.value) for p in pair.value.pairs}
            else:
                out[pair.key] = expression(pair.value)
        return out

    def _provider(self, node: JsonNode, name: str) -> dict[str, Any]:
        tree = block_tree("provider", name)
        out: dict[str, Any] = {}
        rest: list[Pair] = []
        for pair in object_pairs(node, self.where):
            if pair.key in ("alias", "version"):
                out[pair.key] = literal(pair.value)
            else:
                rest.append(pair)
        return {**self.body(JsonObject(tuple(rest), 0), tree, f"provider {name}"), **out}

    def _terraform(self, node: JsonNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pair in object_pairs(node, self.where):
            key, value = pair.key, pair.value
            if key == "//":
                continue
            if key in ("backend", "provider_meta"):
                out[key] = [
                    {quoted(label.key): self._literal_body(body)}
                    for label, body in self.labelled(value, key)
                ]
            elif key in ("required_providers", "cloud"):
                out[key] = [self._literal_body(body) for body in block_bodies(value, self.where)]
            else:
                out[key] = literal(value)
        return out

    def _literal_body(self, node: JsonNode) -> dict[str, Any]:
        return {p.key: literal(p.value) for p in object_pairs(node, self.where) if p.key != "//"}


@lru_cache(maxsize=64)
def read_config(path: Path, text: str) -> JsonConfig:
    """A `.tf.json` file's blocks in python-hcl2's shape (cached per text: callers copy)."""
    root = parse_json(path, text)
    if not isinstance(root, JsonObject | JsonArray):
        raise InputError(f"{path}: a .tf.json file holds one JSON object")
    config = JsonConfig(parsed={})
    converter = _Converter(str(path), config)
    for pair in object_pairs(root, str(path)):
        if pair.key != "//":
            converter.top(pair)
    return config


def read_tfvars(path: Path, text: str) -> dict[str, Any]:
    """A `.tfvars.json` file: variable name -> its literal value (python-hcl2's shape)."""
    root = parse_json(path, text)
    if not isinstance(root, JsonObject):
        raise InputError(f"{path}: a .tfvars.json file holds one JSON object")
    return {pair.key: literal(pair.value) for pair in root.pairs if pair.key != "//"}
