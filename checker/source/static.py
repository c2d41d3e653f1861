"""Static HCL mode: build the rules' model from `.tf` files alone, without a plan.

What Terraform could know before any API call is evaluated: literals, variable
defaults and `*.tfvars`, locals, string templates and the common functions
(`format`, `merge`, `concat`, `lookup`, `jsonencode`, `jsondecode`, `file`,
`templatefile`, ...). An attribute the configuration does not set is computed
by the provider, so it is unknown; a value built from it is unknown too but
keeps its references, so the graph rules (TAP001, TAP013) still see the edges.
The model is the same one plans produce: the same fifteen rules run on it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from checker.core.address import join, module_path, parse_reference, split_address, strip_key
from checker.errors import InputError
from checker.plan.model import Instance, OutputInfo, PlanModel, ResourceConfiguration
from checker.plan.sensitive import CycleError, TaintedMemo, tracking
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.values import UNKNOWN, Unknown, is_known, name_unknowns
from checker.source.expr import REFERENCE_IN_TEXT, SourceTree, _split_template, parse_raw
from checker.source.files import SourceFiles, source_files
from checker.source.hcl import (
    MAX_MODULE_DEPTH,
    SourceBlock,
    SourceModule,
    load_module,
    parse_file,
    unquote,
)
from checker.source.parse import NONE, Node, parse_hcl_expression

Scope = dict[str, Any]
META_ARGUMENTS = frozenset(
    {"depends_on", "count", "for_each", "lifecycle", "provider", "provisioner"}
)


class ResourceObject(dict[str, Any]):
    """The attributes of one resource instance as a map; a missing one is computed by the provider."""

    def __init__(self, address: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.address = address


def _text_refs(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(REFERENCE_IN_TEXT.findall(text)))


def _member(base: Any, key: Any) -> Any:
    """`base[key]` the way HCL indexes: maps by string, lists by number, one-block lists by name."""
    if isinstance(base, ResourceObject) and isinstance(key, str) and key not in base:
        return Unknown.of_reference(f"{base.address}.{key}")
    if isinstance(base, list) and isinstance(key, str):
        if key.isdigit():
            return base[int(key)]
        if len(base) == 1 and isinstance(base[0], dict):
            return _member(base[0], key)
    return base[key]


def _walk(value: Any, steps: list[str], reference: str) -> Any:
    """Follow attribute steps into a value; what cannot be followed is unknown, named."""
    for step in steps:
        name, key = strip_key(step)
        for part in (name, key) if key is not None else (name,):
            if isinstance(value, Unknown):
                return value if value.refs else Unknown.of_reference(reference)
            try:
                value = _member(value, part)
            except (KeyError, IndexError, TypeError, ValueError):
                return Unknown.of_reference(reference)
    return value


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_STEPS = 500_000  # expression nodes evaluated per model
MAX_VALUE = 1024 * 1024  # characters of a string, or items of a list or map
MAX_PARTS = 10_000  # known and unknown pieces of one template


class StaticEvaluator:
    """Evaluates raw python-hcl2 values of one module tree, resolving references lazily.

    Bounded: every local, variable and attribute is evaluated once (memoised with
    whether it read a sensitive value), cycles are cut, and a step budget and a
    size cap turn runaway evaluation into unknown values with a note.
    """

    def __init__(
        self, root: SourceModule, tfvars: dict[str, Any], plan: PlanModel | None = None
    ) -> None:
        self.root = root
        self.tfvars = tfvars
        # With a plan, resource attributes and root variables come from it (plan mode);
        # without, from the blocks themselves (static mode).
        self.plan = plan
        self.files = root.files if root.files is not None else SourceFiles(root.directory)
        self._memo = TaintedMemo()
        self._steps = 0
        self._in_template_file = False
        self._regions: dict[str, Any] = {}
        self.functions: dict[str, Callable[..., Any]] = {
            "format": lambda fmt, *a: _format(fmt, *a),
            "merge": lambda *maps: {k: v for m in maps for k, v in (m or {}).items()},
            "concat": lambda *lists: [x for xs in lists for x in (xs or [])],
            "lookup": lambda m, k, *d: m.get(k, d[0] if d else UNKNOWN),
            "jsonencode": lambda v: json.dumps(v, separators=(",", ":"), sort_keys=True),
            "jsondecode": lambda s: json.loads(s),
            "lower": lambda s: s.lower(),
            "upper": lambda s: s.upper(),
            "join": lambda sep, items: sep.join(_to_string(i) for i in items),
            "split": lambda sep, text: text.split(sep),
            "replace": lambda text, old, new: text.replace(old, new),
            "trimspace": lambda s: s.strip(),
            "length": len,
            "keys": lambda m: sorted(m),
            "values": lambda m: [m[k] for k in sorted(m)],
            "tostring": _to_string,
            "tonumber": lambda v: float(v) if "." in str(v) else int(v),
            "tolist": list,
            "toset": lambda v: sorted(set(v), key=str),
            "tomap": dict,
            "flatten": lambda v: [x for xs in v for x in (xs if isinstance(xs, list) else [xs])],
            "distinct": lambda v: list(dict.fromkeys(v)),
            "contains": lambda v, x: x in v,
            "coalesce": lambda *v: next((x for x in v if x not in (None, "")), None),
            "element": lambda v, i: v[i % len(v)],
            "startswith": lambda s, p: s.startswith(p),
            "endswith": lambda s, p: s.endswith(p),
            "min": min,
            "max": max,
            "abs": abs,
            "sha1": lambda s: hashlib.sha1(s.encode()).hexdigest(),
            "sha256": lambda s: hashlib.sha256(s.encode()).hexdigest(),
            "md5": lambda s: hashlib.md5(s.encode()).hexdigest(),
            "base64encode": lambda s: base64.b64encode(s.encode()).decode(),
            "base64decode": lambda s: base64.b64decode(s).decode(),
        }

    # ---------------------------------------------------------------- modules

    def module(self, path: str) -> SourceModule | None:
        """The source of a module, by configuration path or module instance address."""
        current: SourceModule | None = self.root
        config = module_path(path)
        parts = config.split(".") if config else []
        for i in range(0, len(parts), 2):
            if current is None:
                return None
            current = current.children.get(parts[i + 1])
        return current

    # ------------------------------------------------------------- evaluation

    def raw(self, raw: Any, module: str, extra: Scope | None = None) -> Any:
        """Evaluate a python-hcl2 value in a module; unknown parts become UNKNOWN."""
        if isinstance(raw, list):
            return [self.raw(item, module, extra) for item in raw]
        if isinstance(raw, dict):
            return {key: self.raw(value, module, extra) for key, value in raw.items()}
        if not isinstance(raw, str):
            return raw
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            return self.template(raw[1:-1], module, extra)
        if raw.startswith("${") and raw.endswith("}"):
            return self.node(parse_hcl_expression(raw[2:-1]), module, extra)
        return raw

    def template(self, body: str, module: str, extra: Scope | None, escapes: bool = True) -> Any:
        """A string, or an `Unknown` keeping the known text and the unknown pieces in order."""
        out: list[str | Unknown] = []
        size = 0  # characters of known text plus one per unknown piece, kept as it grows
        for kind, piece in _split_template(body, escapes):
            if kind == "text":
                value: Any = piece
            elif kind == "expr":
                value = self.node(parse_hcl_expression(piece), module, extra)
                if isinstance(value, dict | list):
                    value = Unknown.built_from(value) if not is_known(value) else UNKNOWN
            else:
                value = Unknown.of_expression("%{" + piece + "}", _text_refs(piece))
            pieces = value.parts if isinstance(value, Unknown) and value.parts else (value,)
            for item in pieces:
                part = item if isinstance(item, Unknown) else _to_string(item)
                size += len(part) if isinstance(part, str) else 1
                if isinstance(part, str) and out and isinstance(out[-1], str):
                    out[-1] += part
                else:
                    out.append(part)
            if len(out) > MAX_PARTS or size > MAX_VALUE:
                self.note(f"a template larger than {MAX_VALUE} characters was not evaluated")
                return UNKNOWN
        if all(isinstance(part, str) for part in out):
            return "".join(p for p in out if isinstance(p, str))
        return Unknown.of_template(tuple(out))

    def note(self, text: str) -> None:
        self.files.note(text)

    def bounded(self, value: Any) -> Any:
        """A value within the size cap, else UNKNOWN (with a note)."""
        if isinstance(value, Unknown) and value.parts is not None:
            size = sum(len(p) if isinstance(p, str) else 1 for p in value.parts)
            if len(value.parts) > MAX_PARTS or size > MAX_VALUE:
                self.note(f"a template larger than {MAX_VALUE} characters was not evaluated")
                return UNKNOWN
        if isinstance(value, str | list | dict) and len(value) > MAX_VALUE:
            self.note(f"a value larger than {MAX_VALUE} characters or items was not evaluated")
            return UNKNOWN
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4096:
            self.note("a number too large to be a Terraform value was not evaluated")
            return UNKNOWN
        return value

    def memoised(self, key: tuple[str, str, str], compute: Callable[[], Any]) -> Any:
        """Evaluate a local, variable or attribute once; a cycle makes it unknown."""
        try:
            return self._memo.get(key, compute)
        except CycleError:
            self.note(f"{key[1]}.{key[2]} in module '{key[0]}' depends on itself: unknown")
            return UNKNOWN

    def node(self, node: Node, module: str, extra: Scope | None) -> Any:
        self._steps += 1
        if self._steps > MAX_STEPS:
            if self._steps == MAX_STEPS + 1:
                self.note(f"evaluation stopped after {MAX_STEPS} steps; the rest is unknown")
            return UNKNOWN
        return self.bounded(self._node(node, module, extra))

    def _node(self, node: Node, module: str, extra: Scope | None) -> Any:
        kind = node.kind
        if kind == "lit":
            return node.value
        if kind == "tmpl":
            return self.template(node.value, module, extra)
        if kind == "ref":
            return self.reference(node.value, module, extra)
        if kind == "tuple":
            return [self.node(n, module, extra) for n in node.args]
        if kind == "for":
            return self.for_expression(node, module, extra)
        if kind == "object":
            out: dict[str, Any] = {}
            for key_node, value_node in node.args:
                key = (
                    key_node.value if key_node.kind == "lit" else self.node(key_node, module, extra)
                )
                if not isinstance(key, str):
                    return Unknown.built_from(key)
                out[key] = self.node(value_node, module, extra)
            return out
        if kind == "index":
            base = self.node(node.args[0], module, extra)
            key = self.node(node.args[1], module, extra)
            if isinstance(base, Unknown) or isinstance(key, Unknown):
                return Unknown.built_from(base, key)
            try:
                return _member(base, key)
            except (KeyError, IndexError, TypeError):
                return UNKNOWN
        if kind == "call":
            return self.call(node, module, extra)
        if kind == "cond":
            test = self.node(node.args[0], module, extra)
            if isinstance(test, Unknown):
                return Unknown.built_from(test)
            return self.node(node.args[1] if test else node.args[2], module, extra)
        if kind in ("unary", "binary"):
            values = [self.node(n, module, extra) for n in node.args]
            if not all(is_known(v) for v in values):
                return Unknown.built_from(*values)
            try:
                return _operate(node.value, values)
            except (TypeError, ValueError, ZeroDivisionError):
                return UNKNOWN
        if kind == "opaque":
            text = str(node.value)
            return Unknown.of_expression(text, _text_refs(text))
        return UNKNOWN

    def for_expression(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`[for ...]` / `{for ...}` over a known collection (maps in key order, as
        Terraform iterates them); unknown, naming its references, when the collection,
        a condition or a key is unknown."""
        shape, names = node.value
        collection_node, key_node, value_node, condition_node = node.args
        collection = self.node(collection_node, module, extra)
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = [(k, collection[k]) for k in sorted(collection)]
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return Unknown.built_from(collection)
        items: list[Any] = []
        keys: list[Any] = []
        for key, value in pairs[:MAX_INSTANCES]:
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            scope = {**(extra or {}), **bound}
            if condition_node is not NONE:
                condition = self.node(condition_node, module, scope)
                if not isinstance(condition, bool):
                    return Unknown.built_from(condition, collection)
                if not condition:
                    continue
            if shape == "object":
                item_key = self.node(key_node, module, scope)
                if not isinstance(item_key, str):
                    return Unknown.built_from(item_key, collection)
                keys.append(item_key)
            items.append(self.node(value_node, module, scope))
        if shape == "object":
            return dict(zip(keys, items, strict=True))
        return items

    def call(self, node: Node, module: str, extra: Scope | None) -> Any:
        name = node.value
        if name in FILE_FUNCTIONS:
            return self.file_call(node, module, extra)
        if name == "try":
            for arg in node.args:
                value = self.node(arg, module, extra)
                if is_known(value):
                    return value
            return UNKNOWN
        function = self.functions.get(name)
        args = [self.node(a, module, extra) for a in node.args]
        if name == "jsonencode" and len(args) == 1 and not is_known(args[0]):
            return Unknown.of_json(args[0])
        if name == "base64encode" and len(args) == 1 and not is_known(args[0]):
            return Unknown.of_base64(args[0])
        if name == "format" and args and isinstance(args[0], str) and not all(map(is_known, args)):
            return _format_template(args[0], args[1:])
        joined = len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list)
        if name == "join" and joined and not is_known(args[1]):
            return _join_template(args[0], args[1])
        if name in SHAPE_FUNCTIONS and len(args) == 1 and isinstance(args[0], (list, dict)):
            # the size and keys of a collection are known when some of its values are not
            return SHAPE_FUNCTIONS[name](args[0])
        if name in ("concat", "flatten") and args and all(isinstance(a, list) for a in args):
            # collections of known shape with unknown members keep their shape
            return _flatten(args[0]) if name == "flatten" else [x for a in args for x in a]
        if name == "merge" and args and all(isinstance(a, dict) for a in args):
            return {k: v for a in args for k, v in a.items()}
        if function is None or not all(is_known(a) for a in args):
            return Unknown.of_expression(f"{name}(...)", Unknown.built_from(*args).refs)
        try:
            return function(*args)
        except Exception:  # a function applied to values it rejects: Terraform would fail
            return UNKNOWN

    def file_call(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`file`, `templatefile`, `fileexists`, `filebase64` and the hashes of files.

        Paths resolve against the module's directory and stay inside the source
        root (see `checker.source.files`); a refused read is unknown with a note.
        """
        name = node.value
        path = self.node(node.args[0], module, extra) if node.args else UNKNOWN
        source = self.module(module)
        if not isinstance(path, str) or source is None:
            return UNKNOWN
        if name == "fileexists":
            exists = self.files.exists(source.directory, path)
            return UNKNOWN if exists is None else exists
        data = self.files.read_bytes(source.directory, path)
        if data is None:
            return UNKNOWN
        if name in FILE_HASHES:
            return FILE_HASHES[name](data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return UNKNOWN
        if name == "file":
            return text
        if self._in_template_file:
            self.note("templatefile() inside a template is not evaluated (Terraform refuses it)")
            return UNKNOWN
        variables = self.node(node.args[1], module, extra) if len(node.args) > 1 else {}
        if not isinstance(variables, dict):
            return UNKNOWN
        self._in_template_file = True
        try:
            return self.template(text, module, {**(extra or {}), **variables}, escapes=False)
        finally:
            self._in_template_file = False

    def reference(self, traversal: str, module: str, extra: Scope | None) -> Any:
        head, _, rest = traversal.partition(".")
        if extra and head in extra:
            return _walk(extra[head], split_address(rest) if rest else [], traversal)
        if head == "var":
            name, _, more = rest.partition(".")
            return _walk(
                self.variable(name, module), split_address(more) if more else [], traversal
            )
        if head == "local":
            name, _, more = rest.partition(".")
            return _walk(self.local(name, module), split_address(more) if more else [], traversal)
        if head == "path":
            return "."
        qualified = join(module, traversal)
        if head == "module":
            return self.module_output(traversal, module)
        if head in ("count", "each", "self", "terraform"):
            return Unknown.of_reference(qualified)
        parsed = parse_reference(traversal)
        if parsed is None:
            return Unknown.of_reference(qualified)
        if (
            self.plan is None
            and parsed.local_address.startswith("data.aws_partition.")
            and parsed.attribute[:1] in (("partition",), ("dns_suffix",), ("id",))
        ):
            return _partition(self.region(), parsed.attribute[0])
        if (
            self.plan is None
            and parsed.local_address.startswith("data.aws_region.")
            and parsed.attribute[:1] in (("name",), ("id",), ("region",))
        ):
            path = module_path(module) if module else ""
            source = self.module(module)
            block = source.blocks.get(parsed.local_address) if source else None
            key = self.block_provider(path, block.body if block else {})
            return self.region(key) if key else UNKNOWN
        return self.attribute(module, parsed.local_address, parsed.key, parsed.attribute)

    def attribute(self, module: str, local: str, key: str | None, path: tuple[str, ...]) -> Any:
        """An attribute of a resource instance in a module instance (a whole collection without a key)."""
        source = self.module(module)
        block = source.blocks.get(local) if source else None
        base = join(module, local)
        if block is None:
            return Unknown.of_reference(".".join((base, *path)))
        keyed = "for_each" in block.body or "count" in block.body
        if keyed and key is None:
            if path:  # an attribute of a collection: Terraform refuses it
                return Unknown.of_reference(".".join((base, *path)))
            return self.collection(module, local, block)
        index: Any = (
            int(key) if key is not None and key.isdigit() and "count" in block.body else key
        )
        address = base + _key_suffix(index)
        if not path:
            return self.instance_object(module, local, block, index)
        if self.plan is not None:
            return self.planned(address, path)
        if path[0] not in block.body:
            return Unknown.of_reference(".".join((address, *path)))  # computed by the provider
        body = block.body
        extra = self.each_scope(module, block.body, index)
        value = self.memoised(
            (module, local + _key_suffix(index), path[0]),
            lambda: self.raw(body[path[0]], module, extra),
        )
        return _walk(value, list(path[1:]), ".".join((address, *path)))

    def planned(self, address: str, path: tuple[str, ...]) -> Any:
        """A planned attribute: known, or `Unknown` naming the instance attribute it is."""
        assert self.plan is not None
        reference = ".".join((address, *path))
        inst = self.plan.instance(address)
        if inst is None:
            return Unknown.of_reference(reference)
        steps = [int(p) if p.isdigit() else p for p in path]
        value = inst.get(*steps)
        if isinstance(value, Unknown) and not value.refs:
            return Unknown.of_reference(reference)
        return name_unknowns(value, (reference,))

    def instance_object(self, module: str, local: str, block: SourceBlock, index: Any) -> Any:
        """Every attribute of one instance, as a map (what `each.value` is in a for_each chain)."""
        address = join(module, local) + _key_suffix(index)
        if self.plan is not None:
            inst = self.plan.instance(address)
            if inst is None:
                return Unknown.of_reference(address)
            return {name: self.planned(address, (name,)) for name in inst.values}
        extra = self.each_scope(module, block.body, index)
        out: dict[str, Any] = {}
        for name, raw in block.body.items():
            if name in META_ARGUMENTS or _is_block_list(raw):
                continue
            out[name] = self.memoised(
                (module, local + _key_suffix(index), name),
                partial(self.raw, raw, module, extra),
            )
        return ResourceObject(address, out)

    def collection(self, module: str, local: str, block: SourceBlock) -> Any:
        """A for_each resource as a map of its instances, a counted one as a list."""
        pairs = _instance_keys(self, block.body, module)
        if pairs == [(None, None)]:
            return Unknown.of_reference(join(module, local))
        objects = {key: self.instance_object(module, local, block, key) for key, _ in pairs}
        if "count" in block.body:
            return [objects[key] for key in sorted(objects)]
        return objects

    def each_scope(self, module: str, body: dict[str, Any], index: Any) -> Scope | None:
        """`each` / `count` of one instance of a block with for_each / count."""
        if index is None:
            return None
        if "count" in body:
            return {"count": {"index": index}}
        if "for_each" in body:
            each = self.memoised(
                (module, f"for_each:{id(body)}", ""), lambda: self.raw(body["for_each"], module)
            )
            value = each.get(index, index) if isinstance(each, dict) else index
            return {"each": {"key": index, "value": value}}
        return None

    def module_output(self, traversal: str, module: str) -> Any:
        """`module.NAME[KEY].OUTPUT...`: the child module instance's output, evaluated there."""
        parts = split_address(traversal)
        qualified = join(module, traversal)
        if len(parts) < 2:
            return Unknown.of_reference(qualified)
        name, key = strip_key(parts[1])
        source = self.module(module)
        child = source.children.get(name) if source else None
        call = source.module_calls.get(name) if source else None
        if child is None or call is None:
            return Unknown.of_reference(qualified)
        keyed = "for_each" in call or "count" in call
        if keyed and key is None:
            if len(parts) > 2:
                return Unknown.of_reference(qualified)
            pairs = _instance_keys(self, call, module)
            if pairs == [(None, None)]:
                return Unknown.of_reference(qualified)
            outputs = {
                k: self.module_outputs(join(module, f"module.{name}{_key_suffix(k)}"), child)
                for k, _ in pairs
            }
            return [outputs[k] for k in sorted(outputs)] if "count" in call else outputs
        index: Any = int(key) if key is not None and key.isdigit() and "count" in call else key
        instance = join(module, f"module.{name}{_key_suffix(index)}")
        if len(parts) == 2:
            return self.module_outputs(instance, child)
        output = child.outputs.get(parts[2])
        if not isinstance(output, dict) or "value" not in output:
            return Unknown.of_reference(qualified)
        raw = output["value"]
        value = self.memoised((instance, "output", parts[2]), lambda: self.raw(raw, instance))
        return _walk(value, parts[3:], qualified)

    def module_outputs(self, instance: str, child: SourceModule) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, body in child.outputs.items():
            if isinstance(body, dict) and "value" in body:
                raw = body["value"]
                out[name] = self.memoised(
                    (instance, "output", name), partial(self.raw, raw, instance)
                )
        return out

    def variable(self, name: str, module: str) -> Any:
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        if isinstance(declared, dict) and parse_raw(declared.get("sensitive")) is True:
            mark_sensitive()
        return self.memoised((module, "var", name), lambda: self._variable(name, module))

    def _variable(self, name: str, module: str) -> Any:
        if not module and self.plan is not None and self.plan.variables.get(name) is not None:
            return self.plan.variables[name]
        if not module and name in self.tfvars:
            return self.tfvars[name]
        if module:
            parts = split_address(module)
            parent = ".".join(parts[:-2])
            call, key = strip_key(parts[-1])
            caller = self.module(parent)
            arguments = caller.module_calls.get(call, {}) if caller is not None else {}
            if name in arguments:
                index: Any = int(key) if key is not None and key.isdigit() else key
                extra = self.each_scope(parent, arguments, index)
                return self.raw(arguments[name], parent, extra)
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        if isinstance(declared, dict) and "default" in declared:
            return self.raw(declared["default"], module)
        return UNKNOWN

    def local(self, name: str, module: str) -> Any:
        source = self.module(module)
        if source is None or name not in source.locals:
            return UNKNOWN
        raw = source.locals[name]
        return self.memoised((module, "local", name), lambda: self.raw(raw, module))

    def block_body(
        self, body: dict[str, Any], module: str, extra: Scope | None, only: str | None = None
    ) -> dict[str, Any]:
        """A block's attributes and nested blocks evaluated, `dynamic` blocks expanded into
        the blocks they generate (`only`: just that attribute or block type)."""
        out: dict[str, Any] = {}
        for name, raw in body.items():
            if name in META_ARGUMENTS or name == "dynamic" or (only and name != only):
                continue
            if _is_block_list(raw):
                out[name] = [self.block_body(item, module, extra) for item in raw]
            else:
                out[name] = self.raw(raw, module, extra)
        dynamic = body.get("dynamic")
        for entry in dynamic if isinstance(dynamic, list) else []:
            for label, spec in entry.items() if isinstance(entry, dict) else ():
                if isinstance(spec, dict) and (only is None or label == only):
                    generated = self._dynamic(spec, label, module, extra)
                    existing = out.get(label, [])
                    if isinstance(generated, list) and isinstance(existing, list):
                        out[label] = existing + generated
                    else:
                        out[label] = Unknown.built_from(existing, generated)
        return out

    def _dynamic(self, spec: dict[str, Any], label: str, module: str, extra: Scope | None) -> Any:
        """The blocks one `dynamic "label"` generates; unknown when its for_each is."""
        items = self.raw(spec.get("for_each"), module, extra)
        iterator = _provider_name(spec.get("iterator", label))
        content = spec.get("content")
        content = content[0] if isinstance(content, list) and content else content
        if not isinstance(content, dict):
            return UNKNOWN
        if isinstance(items, dict):
            pairs = [(k, items[k]) for k in sorted(items)]  # Terraform's order: by key
        elif isinstance(items, list):
            pairs = [(v if isinstance(v, str) else i, v) for i, v in enumerate(items)]
        else:
            return Unknown.built_from(items)
        return [
            self.block_body(content, module, {**(extra or {}), iterator: {"key": k, "value": v}})
            for k, v in pairs[:MAX_INSTANCES]
        ]

    def region(self, provider_key: str = "aws") -> Any:
        """The region a root provider configuration ("aws", "aws.dr") sets."""
        if provider_key not in self._regions:
            provider = self.root.providers.get(provider_key, {})
            region = provider.get("region")
            self._regions[provider_key] = self.raw(region, "") if region is not None else UNKNOWN
        return self._regions[provider_key]

    def provider_key(self, config_path: str, key: str) -> str:
        """The root provider configuration that `key` ("aws", "aws.dr") means in the module at
        `config_path`: followed up through each call's `providers` map (a module without
        one inherits the default configuration). "" when the module configures it itself."""
        for _ in range(MAX_MODULE_DEPTH + 1):
            if not config_path:
                return key
            module = self.module(config_path)
            if module is not None and key in module.providers:
                return ""
            parts = split_address(config_path)
            parent, name = ".".join(parts[:-2]), parts[-1]
            caller = self.module(parent)
            call = caller.module_calls.get(name, {}) if caller else {}
            mapping = call.get("providers")
            if isinstance(mapping, dict) and key in mapping:
                key = _provider_name(mapping[key])
            elif key != key.split(".")[0]:
                return ""  # an alias the call does not pass
            config_path = parent
        return ""

    def block_provider(self, config_path: str, body: dict[str, Any]) -> str:
        """The root provider configuration a resource block uses."""
        local = _provider_name(body.get("provider", "aws"))
        return self.provider_key(config_path, local)


FILE_FUNCTIONS = frozenset(
    {"file", "templatefile", "fileexists", "filebase64", "filemd5", "filesha1", "filesha256"}
)
FILE_HASHES: dict[str, Callable[[bytes], str]] = {
    "filebase64": lambda data: base64.b64encode(data).decode(),
    "filemd5": lambda data: hashlib.md5(data).hexdigest(),
    "filesha1": lambda data: hashlib.sha1(data).hexdigest(),
    "filesha256": lambda data: hashlib.sha256(data).hexdigest(),
}
WIDE_VERB = re.compile(r"%[-+ #0]*\d{4,}")


def _format(fmt: str, *args: Any) -> str:
    if WIDE_VERB.search(fmt):
        raise ValueError("format width too large")
    converted = fmt.replace("%v", "%s").replace("%q", '"%s"')
    return converted % tuple(_to_string(a) if not isinstance(a, int | float) else a for a in args)


def _operate(operator: str, values: list[Any]) -> Any:
    if len(values) == 1:
        if operator == "-" and (
            isinstance(values[0], bool) or not isinstance(values[0], int | float)
        ):
            raise TypeError("negation needs a number")
        return (not values[0]) if operator == "!" else -values[0]
    left, right = values
    if operator in "+-*/%" and not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        raise TypeError("arithmetic needs numbers")  # Terraform: strings do not add
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "%": lambda a, b: a % b, "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b, "<": lambda a, b: a < b, ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
        "&&": lambda a, b: a and b, "||": lambda a, b: a or b,
    }  # fmt: skip
    return operations[operator](left, right)


# ------------------------------------------------------------- expressions


def _traversal(node: Node) -> str | None:
    """`aws_s3_bucket.this["k"].id` from the parser's index chain, when every key is literal."""
    if node.kind == "ref":
        return str(node.value)
    if node.kind != "index":
        return None
    base = _traversal(node.args[0])
    key = node.args[1]
    if base is None or key.kind not in ("lit", "tmpl") or "${" in str(key.value):
        return None
    parts = base.split(".")
    # a resource, data source or module call is indexed by instance key, anything else by attribute
    instance_key = len(parts) == (3 if parts[0] == "data" else 2)
    if isinstance(key.value, int) and not isinstance(key.value, bool):
        return f"{base}[{key.value}]"
    if isinstance(key.value, str) and "[" not in base and instance_key:
        return f'{base}["{key.value}"]'
    return f"{base}.{key.value}" if isinstance(key.value, str) else None


def _refs(raw: Any) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Node):
            traversal = _traversal(node) if node.kind == "index" else None
            if traversal is not None:
                out.append(traversal)
                return
            if node.kind == "for":  # the iteration names are not references
                start = len(out)
                for arg in node.args:
                    walk(arg)
                inner = out[start:]
                del out[start:]
                out.extend(r for r in inner if r.split(".")[0].split("[")[0] not in node.value[1])
                return
            if node.kind == "ref":
                out.append(node.value)
            elif node.kind == "opaque":
                out.extend(_text_refs(str(node.value)))
            elif node.kind == "tmpl":
                for kind, piece in _split_template(node.value):
                    if kind == "expr":
                        walk(parse_hcl_expression(piece))
            for arg in node.args:
                walk(arg)

    if isinstance(raw, list):
        for item in raw:
            out.extend(_refs(item))
    elif isinstance(raw, dict):
        for item in raw.values():
            out.extend(_refs(item))
    elif isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}"):
            walk(parse_hcl_expression(raw[2:-1]))
        elif raw.startswith('"'):
            walk(Node("tmpl", raw[1:-1]))
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


def _is_block_list(raw: Any) -> bool:
    return isinstance(raw, list) and bool(raw) and all(isinstance(item, dict) for item in raw)


def _expressions(body: dict[str, Any]) -> dict[str, Any]:
    """Terraform's `expressions` of a block: constant values or references, blocks nested."""
    out: dict[str, Any] = {}
    for key, raw in body.items():
        if key in ("depends_on", "count", "for_each", "lifecycle", "provider", "provisioner"):
            continue
        if _is_block_list(raw):
            out[key] = [_expressions(item) for item in raw]
            continue
        refs = _refs(raw)
        if refs:
            out[key] = {"references": refs}
        elif "${" not in json.dumps(raw):
            out[key] = {"constant_value": parse_raw(raw)}
        else:
            out[key] = {}  # a function of constants: Terraform shows no constant_value either
    return out


# ------------------------------------------------------------------- build


def _tfvars(directory: Path, reader: SourceFiles) -> dict[str, Any]:
    values: dict[str, Any] = {}
    files = [directory / "terraform.tfvars", *sorted(directory.glob("*.auto.tfvars"))]
    for path in files:
        if path.is_file() or path.is_symlink():
            parsed, _ = parse_file(path, reader)
            for key, raw in parsed.items():
                if not key.startswith("__"):
                    values[unquote(key)] = parse_raw(raw)
    return values


SHAPE_FUNCTIONS: dict[str, Callable[[list[Any] | dict[str, Any]], Any]] = {
    "length": len,
    "keys": lambda c: sorted(c) if isinstance(c, dict) else UNKNOWN,
    "values": lambda c: [c[k] for k in sorted(c)] if isinstance(c, dict) else UNKNOWN,
    "tolist": lambda c: list(c) if isinstance(c, list) else UNKNOWN,
}


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


MAX_INSTANCES = 10_000  # of one block; a larger count or for_each is not expanded


def _instance_keys(
    evaluator: StaticEvaluator, body: dict[str, Any], module: str
) -> list[tuple[Any, Any]]:
    """(key, each.value) of every instance of a block; [(None, None)] when not expanded."""
    pairs: list[tuple[Any, Any]] = [(None, None)]
    if "count" in body:
        count = evaluator.raw(body["count"], module)
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            pairs = [(i, i) for i in range(min(count, MAX_INSTANCES + 1))]
    elif "for_each" in body:
        each = evaluator.raw(body["for_each"], module)
        if isinstance(each, dict):
            pairs = [(key, each[key]) for key in sorted(each)]
        elif isinstance(each, list) and all(isinstance(x, str) for x in each):
            pairs = [(key, key) for key in sorted(set(each))]
    if len(pairs) > MAX_INSTANCES:
        evaluator.note(f"count/for_each over {MAX_INSTANCES} instances is not expanded")
        return [(None, None)]
    return pairs


FORMAT_VERB = re.compile(r"%(%|[-+# 0]*\d*(?:\.\d+)?[svdqtf])")


def _format_template(spec: str, args: list[Any]) -> Any:
    """`format(spec, ...)` with some arguments unknown: a template keeping the known text and
    each argument in its place (`format("%s/*/POST", execution_arn)`), when every verb
    takes one argument in order; else unknown, naming the arguments' references."""
    parts: list[str | Unknown] = []
    position, used = 0, 0
    for match in FORMAT_VERB.finditer(spec):
        parts.append(spec[position : match.start()])
        position = match.end()
        if match.group(1) == "%":
            parts.append("%")
            continue
        if used >= len(args) or match.group(1)[-1] not in "sdv":
            return Unknown.built_from(*args)
        value = args[used]
        used += 1
        if isinstance(value, Unknown):
            parts.append(value)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            parts.append(_to_string(value))
        else:
            return Unknown.built_from(*args)
    parts.append(spec[position:])
    return _template_of(parts)


def _template_of(parts: list[str | Unknown]) -> Unknown:
    """A template of known text and unknown pieces, adjacent text joined."""
    merged: list[str | Unknown] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Unknown.of_template(tuple(merged))


def _partition(region: Any, attribute: str) -> Any:
    """What `data.aws_partition` reads, from the root provider's region."""
    if not isinstance(region, str):
        return UNKNOWN
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    partition = "aws-us-gov" if region.startswith("us-gov-") else partition
    if attribute == "dns_suffix":
        return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return partition


def _join_template(separator: str, items: list[Any]) -> Any:
    """`join(sep, list)` with unknown members: a template of the members and separators."""
    parts: list[str | Unknown] = []
    for index, item in enumerate(items):
        if index:
            parts.append(separator)
        if isinstance(item, Unknown):
            parts.extend(item.parts if item.parts is not None else (item,))
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            parts.append(_to_string(item))
        else:
            return Unknown.built_from(*items)
    return _template_of(parts)


def _provider_name(raw: Any) -> str:
    """`aws.dr` from HCL's `${aws.dr}` (a provider reference is a bare traversal)."""
    text = str(raw).strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text.strip('"')


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def _values(
    evaluator: StaticEvaluator, block: SourceBlock, module: str, key: Any
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The instance's evaluated attributes and which of them are sensitive."""
    extra = evaluator.each_scope(module, block.body, key)
    values: dict[str, Any] = {}
    marks: dict[str, Any] = {}
    names = [n for n in block.body if n not in META_ARGUMENTS and n != "dynamic"]
    for entry in block.body.get("dynamic") or []:
        names.extend(label for label in entry if isinstance(entry, dict) and label not in names)
    for name in names:
        with tracking() as scope:
            try:
                values[name] = evaluator.block_body(block.body, module, extra, only=name)[name]
            except RecursionError:
                evaluator.note(f"{block.local_address}.{name} is nested too deeply: unknown")
                values[name] = UNKNOWN
        if scope.tainted:
            marks[name] = True  # derived from a sensitive variable, as Terraform marks it
    return values, marks or None


MAX_MODULE_INSTANCES = 2_000  # module instances of one static model, all calls together


def _walk_modules(
    evaluator: StaticEvaluator, root: SourceModule
) -> list[tuple[str, str, SourceModule]]:
    """(module instance address, configuration path, module) of every module instance.

    A call with `for_each` or `count` is expanded like Terraform expands it, its
    keys evaluated in the calling instance; one that cannot be is one instance
    without a key.
    """
    out = [("", "", root)]
    stack = [("", "", root)]
    while stack:
        address, path, module = stack.pop()
        for name, child in sorted(module.children.items()):
            call = module.module_calls.get(name, {})
            child_path = join(path, f"module.{name}")
            for key, _each in _instance_keys(evaluator, call, address):
                if len(out) >= MAX_MODULE_INSTANCES:
                    evaluator.note(f"over {MAX_MODULE_INSTANCES} module instances: not expanded")
                    return out
                child_address = join(address, f"module.{name}{_key_suffix(key)}")
                out.append((child_address, child_path, child))
                stack.append((child_address, child_path, child))
    return out


def build_static_model(directory: Path, source_root: Path | None = None) -> PlanModel:
    """The rules' model of a directory of `.tf` files (reads confined to the source root)."""
    files = source_files(directory, source_root)
    root = load_module(directory, files)
    if not root.blocks and not root.children:
        raise InputError(f"{directory}: no resource or data blocks in its .tf files")
    evaluator = StaticEvaluator(root, _tfvars(directory, files))
    instances: list[Instance] = []
    configs: dict[str, ResourceConfiguration] = {}
    module_outputs: dict[str, dict[str, tuple[str, ...]]] = {}
    for instance, path, module in _walk_modules(evaluator, root):
        module_outputs[path] = {
            name: tuple(_refs(body.get("value"))) for name, body in module.outputs.items()
        }
        for local, block in module.blocks.items():
            mode = "data" if local.startswith("data.") else "managed"
            depends = [parse_raw(d) for d in block.body.get("depends_on", [])]
            conf = ResourceConfiguration(
                address=join(path, local),
                module=path,
                local_address=local,
                type=block.type,
                mode=mode,
                expressions=_expressions(block.body),
                depends_on=tuple(join(path, getattr(d, "traversal", str(d))) for d in depends),
                for_each_refs=tuple(_refs(block.body.get("for_each"))),
                provider_key=evaluator.block_provider(path, block.body),
            )
            configs[conf.address] = conf
            for key, _each in _instance_keys(evaluator, block.body, instance):
                address = join(instance, local) + _key_suffix(key)
                values, marks = _values(evaluator, block, instance, key)
                inst = Instance(
                    address=address,
                    module_address=instance,
                    module=path,
                    type=block.type,
                    name=block.name,
                    mode=mode,
                    index=key,
                    action="read" if mode == "data" else "create",
                    values=values,
                    config=conf,
                    sensitive=marks,
                )
                instances.append(inst)
    variables = {name: evaluator.variable(name, "") for name in root.variables}
    outputs: dict[str, OutputInfo] = {}
    sensitive: set[str] = set()
    for name, body in root.outputs.items():
        value = evaluator.raw(body.get("value"), "")
        is_sensitive = parse_raw(body.get("sensitive")) is True
        outputs[name] = OutputInfo(name, value, is_sensitive, tuple(_refs(body.get("value"))))
        if is_sensitive and isinstance(value, str):
            sensitive.add(value)
    for name, body in root.variables.items():
        if parse_raw(body.get("sensitive")) is True and isinstance(variables.get(name), str):
            sensitive.add(str(variables[name]))
    region = evaluator.region()
    model = PlanModel(
        instances=instances,
        configs=configs,
        variables=variables,
        outputs=outputs,
        module_outputs=module_outputs,
        region=region if isinstance(region, str) else None,
        provider_regions={
            key: value
            for key in root.providers
            if key.split(".")[0] == "aws" and isinstance(value := evaluator.region(key), str)
        },
        sensitive_strings=frozenset(s for s in sensitive if len(s) >= 3),
        sensitive_variables=frozenset(
            name
            for name, body in root.variables.items()
            if isinstance(body, dict) and parse_raw(body.get("sensitive")) is True
        ),
        format_version="static",
        terraform_version=None,
        has_configuration=True,
    )
    return model.with_source(SourceTree(root, model, evaluator))
