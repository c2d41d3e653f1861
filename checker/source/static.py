"""Static HCL mode: build the rules' model from `.tf` files alone, without a plan.

What Terraform could know before any API call is evaluated: literals, variable
defaults and `*.tfvars`, locals, string templates and the common functions
(`format`, `merge`, `concat`, `lookup`, `jsonencode`, `jsondecode`, `file`,
`templatefile`, ...). An attribute the configuration does not set is computed
by the provider, so it is unknown; a value built from it is unknown too but
keeps its references, so the graph rules (TAP001, TAP013) still see the edges.
The model is the same one plans produce: the same rules run on it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from checker.core.address import join, module_path, parse_reference, split_address, strip_key
from checker.errors import InputError
from checker.plan.model import Instance, OutputInfo, PlanModel, ResourceConfiguration
from checker.plan.sensitive import CycleError, TaintedMemo, spellings, tracking
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.values import UNKNOWN, Unknown, name_unknowns
from checker.source.expr import REFERENCE_IN_TEXT, SourceTree, _split_template, parse_raw
from checker.source.files import SourceFiles, source_files
from checker.source.functions import (
    FUNCTIONS,
    EvalError,
    TfSet,
    condition,
    convert,
    extend_reference,
    interpolation_text,
    operate,
    unified,
    unknown_call,
    unknown_from,
    wholly_known,
)
from checker.source.functions import index as index_value
from checker.source.hcl import (
    MAX_MODULE_DEPTH,
    SourceBlock,
    SourceModule,
    load_module,
    parse_file,
    unquote,
)
from checker.source.parse import NONE, Node, parse_hcl_expression
from checker.source.regex import Refused, RegexBudget, terraform_replace

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
    """`base[key]` the way HCL indexes: maps by string, lists by number (`EvalError` where
    Terraform refuses it). An attribute a resource's configuration does not set is
    computed by the provider: unknown, named. A one-block list is also read by the
    block's attribute names (`versioning.enabled`), a convenience for nested blocks."""
    if isinstance(base, ResourceObject) and isinstance(key, str) and key not in base:
        return Unknown.of_reference(f"{base.address}.{key}")
    if (
        isinstance(base, list)
        and isinstance(key, str)
        and not key.isdigit()
        and len(base) == 1
        and isinstance(base[0], dict)
    ):
        return _member(base[0], key)
    return index_value(base, key)


def _walk(value: Any, steps: list[str], reference: str) -> Any:
    """Follow attribute steps into a value: an unknown part is unknown, named; a step
    Terraform refuses (a missing attribute or key, an index out of range) is an
    `EvalError`."""
    for step in steps:
        name, key = strip_key(step)
        for part in (name, key) if key is not None else (name,):
            if isinstance(value, Unknown):
                return value if value.refs else Unknown.of_reference(reference)
            value = _member(value, part)
    return value


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SPLAT_ITEM = "\x00splat"  # the scope key of the element a splat's steps apply to


def _index_of(base: Any, key: Any) -> Any:
    """`base[key]`: unknown when either is (a reference extended to the element it names,
    `aws_x.y` [0] -> `aws_x.y[0]`), else as HCL indexes (`EvalError` where it refuses)."""
    if isinstance(base, Unknown) or not wholly_known(key):
        if isinstance(base, Unknown) and base.reference is not None and wholly_known(key):
            return Unknown.of_reference(extend_reference(base.reference, key))
        return unknown_from(base, key)
    return _member(base, key)


def _iteration(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs a `for` expression or a `dynamic` block iterates: a map by key in
    key order, a set by element (each its own key), a list by index; None when unknown."""
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, TfSet):
        return [(v, v) for v in collection]
    if isinstance(collection, list):
        return list(enumerate(collection))
    if collection is None:
        raise EvalError("cannot iterate over a null value")
    if wholly_known(collection):
        raise EvalError("a for expression needs a list, set, tuple, map or object")
    return None


def _either(yes: Any, no: Any) -> Any:
    """What a conditional with an unknown condition is known to be: a value both results
    share; lists of one length and maps of the same keys element by element; else an
    unknown value naming both results' references."""
    if wholly_known(yes) and wholly_known(no) and yes == no and type(yes) is type(no):
        return yes
    if isinstance(yes, list) and isinstance(no, list) and len(yes) == len(no):
        return [_either(a, b) for a, b in zip(yes, no, strict=True)]
    if isinstance(yes, dict) and isinstance(no, dict) and yes.keys() == no.keys():
        return {key: _either(yes[key], no[key]) for key in yes}
    return unknown_from(yes, no)


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
        self._regex_budget = RegexBudget()
        self.functions: dict[str, Callable[..., Any]] = {**FUNCTIONS, "replace": self.replace}

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
        """Evaluate a python-hcl2 value in a module; unknown parts become UNKNOWN.

        The boundary of evaluation errors: an expression Terraform would refuse
        (`EvalError`, which `try()` and `can()` see inside it) leaves here as an
        unknown value naming the expression's references, never as a guess.
        """
        if isinstance(raw, list):
            return [self.raw(item, module, extra) for item in raw]
        if isinstance(raw, dict):
            return {key: self.raw(value, module, extra) for key, value in raw.items()}
        if not isinstance(raw, str):
            return raw
        try:
            if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
                return self.template(raw[1:-1], module, extra)
            if raw.startswith("${") and raw.endswith("}"):
                return self.node(parse_hcl_expression(raw[2:-1]), module, extra)
        except EvalError:
            return Unknown(refs=tuple(_refs(raw)))
        return raw

    def template(self, body: str, module: str, extra: Scope | None, escapes: bool = True) -> Any:
        """A string, or an `Unknown` keeping the known text and the unknown pieces in order."""
        out: list[str | Unknown] = []
        size = 0  # characters of known text plus one per unknown piece, kept as it grows
        pieces_of_body = _split_template(body, escapes)
        if escapes and len(pieces_of_body) == 1 and pieces_of_body[0][0] == "expr":
            # `"${x}"` alone is x itself, of any type (HCL unwraps it)
            return self.node(parse_hcl_expression(pieces_of_body[0][1]), module, extra)
        for kind, piece in pieces_of_body:
            if kind == "text":
                value: Any = piece
            elif kind == "expr":
                value = self.node(parse_hcl_expression(piece), module, extra)
                if isinstance(value, dict | list) and not wholly_known(value):
                    raise EvalError("a list or map cannot be interpolated in a string")
            else:
                value = Unknown.of_expression("%{" + piece + "}", _text_refs(piece))
            pieces = value.parts if isinstance(value, Unknown) and value.parts else (value,)
            for item in pieces:
                part = item if isinstance(item, Unknown) else interpolation_text(item)
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

    def replace(self, text: Any, substring: Any, replacement: Any) -> Any:
        """`replace()` as Terraform evaluates it, `/regex/` patterns included
        (`checker.source.regex`); what it cannot evaluate is unknown, with a note."""
        result = terraform_replace(
            _replace_argument(text),
            _replace_argument(substring),
            _replace_argument(replacement),
            self._regex_budget,
            MAX_VALUE,
        )
        if isinstance(result, Refused):
            self.note(result.note())
            return Unknown.of_expression("replace(...)", ())
        return result

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
                if not wholly_known(key):
                    return unknown_from(key)
                out[interpolation_text(key)] = self.node(value_node, module, extra)
            return out
        if kind == "index":
            base = self.node(node.args[0], module, extra)
            key = self.node(node.args[1], module, extra)
            return _index_of(base, key)
        if kind == "call":
            return self.call(node, module, extra)
        if kind == "cond":
            return self.conditional(node, module, extra)
        if kind in ("unary", "binary"):
            values = [self.node(n, module, extra) for n in node.args]
            if not all(wholly_known(v) for v in values):
                return unknown_from(*values)
            try:
                return operate(node.value, values)
            except (TypeError, ValueError, OverflowError):
                return UNKNOWN  # a number Terraform holds and Python does not (infinity)
        if kind == "splat":
            return self.splat(node, module, extra)
        if kind == "splat_item":
            return (extra or {}).get(SPLAT_ITEM, UNKNOWN)
        if kind == "expand":
            raise EvalError("`...` expands only the last argument of a function call")
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
        pairs = _iteration(collection)
        if pairs is None:
            return unknown_from(collection)
        items: list[Any] = []
        keys: list[Any] = []
        for key, value in pairs[:MAX_INSTANCES]:
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            scope = {**(extra or {}), **bound}
            if condition_node is not NONE:
                test = self.node(condition_node, module, scope)
                if not wholly_known(test):
                    return unknown_from(test, collection)
                if not condition(test):
                    continue
            if shape == "object":
                item_key = self.node(key_node, module, scope)
                if not wholly_known(item_key):
                    return unknown_from(item_key, collection)
                item_key = interpolation_text(item_key)
                if item_key in keys:
                    raise EvalError(f"two items produced the key {item_key!r}")
                keys.append(item_key)
            items.append(self.node(value_node, module, scope))
        if shape == "object":
            return dict(zip(keys, items, strict=True))
        return items

    def conditional(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`c ? a : b`. A known condition picks one result (the other's errors do not count);
        an unknown one gives an unknown value that keeps what both results share: their
        shape where both are lists of one length or maps of the same keys, and their
        references, so graph rules still see the edges either way."""
        test = self.node(node.args[0], module, extra)
        if not wholly_known(test):
            # Terraform reports neither result's errors until the condition is known
            yes, no = (self.attempt(node.args[i], module, extra) for i in (1, 2))
            return _either(yes, no)
        chosen = 1 if condition(test) else 2
        value = self.node(node.args[chosen], module, extra)
        other = node.args[3 - chosen]
        if (other.kind in ("lit", "tuple", "object") and not other.args) or (
            other.kind == "tmpl" and "${" not in str(other.value)
        ):
            # the results must have one type: `false ? "a" : 1` is "1", `true ? "a" : {}` fails
            value = unified([value, self.node(other, module, extra)])[0]
        return value

    def attempt(self, node: Node, module: str, extra: Scope | None) -> Any:
        """The node's value, or an unknown naming its references where it fails."""
        try:
            return self.node(node, module, extra)
        except EvalError:
            return Unknown(refs=tuple(_expand_refs(_node_refs(node))))

    def splat(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`xs[*].a` (and the legacy `xs.*.a`): the steps applied to each element; a value that
        is not a list is one element, null none."""
        base = self.node(node.args[0], module, extra)
        if isinstance(base, Unknown):
            return unknown_from(base)
        if base is None:
            return []
        items = list(base) if isinstance(base, list) else [base]
        steps = node.args[1]
        return [
            self.node(steps, module, {**(extra or {}), SPLAT_ITEM: item})
            for item in items[:MAX_INSTANCES]
        ]

    def call(self, node: Node, module: str, extra: Scope | None) -> Any:
        """A function call: `try`/`can` see their arguments' errors, file functions read
        confined files, the rest are `checker.source.functions` (an error there is an
        `EvalError`, a case not evaluated is unknown, naming the calls it wraps)."""
        name = node.value
        if name in FILE_FUNCTIONS:
            return self.file_call(node, module, extra)
        if name == "try":
            return self.try_(node, module, extra)
        if name == "can":
            return self.can(node, module, extra)
        args = self.arguments(node, module, extra)
        function = self.functions.get(name)
        if isinstance(args, Unknown):
            return unknown_call(name, [args])
        if function is None:
            return unknown_call(name, args)
        try:
            return function(*args)
        except EvalError:
            raise
        except Exception:  # a case the function table does not evaluate exactly: unknown
            return unknown_call(name, args)

    def arguments(self, node: Node, module: str, extra: Scope | None) -> list[Any] | Unknown:
        """The evaluated arguments, a last `list...` spread into them (unknown when it is)."""
        args = [self.node(a, module, extra) for a in node.args if a.kind != "expand"]
        if node.args and node.args[-1].kind == "expand":
            spread = self.node(node.args[-1].args[0], module, extra)
            if isinstance(spread, Unknown):
                return unknown_from(*args, spread)
            if not isinstance(spread, list):
                raise EvalError("only a list, set or tuple can be expanded with `...`")
            args.extend(spread)
        return args

    def try_(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`try(a, b, ...)`: the first argument that does not fail, known or not.

        An argument Terraform can evaluate only after apply is returned as it is (its
        references kept): Terraform cannot tell yet whether it will fail, so neither
        does the checker, and a fallback is never taken for a value it cannot see.
        """
        for arg in node.args:
            try:
                return self.node(arg, module, extra)
            except EvalError:
                continue
        raise EvalError("try(): no expression succeeded")

    def can(self, node: Node, module: str, extra: Scope | None) -> Any:
        """`can(x)`: false when x fails, true when it succeeds known, unknown until then."""
        if len(node.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self.node(node.args[0], module, extra)
        except EvalError:
            return False
        return True if wholly_known(value) else unknown_from(value)

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
        if keyed and key is not None:
            pairs = self.instance_keys(module, local, block)
            if pairs != [(None, None)] and index not in {k for k, _ in pairs}:
                raise EvalError(f"{base}{_key_suffix(index)} is not an instance of {base}")
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
        out.update(self.provider_facts(module, local, block))
        return ResourceObject(address, out)

    def provider_facts(self, module: str, local: str, block: SourceBlock) -> dict[str, Any]:
        """What `data.aws_partition` and `data.aws_region` read, known without a plan from the
        region of the provider configuration the block uses (also when indexed, `[0]`)."""
        if local.startswith("data.aws_partition."):
            region = self.region()
            if not isinstance(region, str):
                return {}
            return {name: _partition(region, name) for name in ("partition", "dns_suffix", "id")}
        if local.startswith("data.aws_region."):
            key = self.block_provider(module_path(module) if module else "", block.body)
            region = self.region(key) if key else UNKNOWN
            return (
                {name: region for name in ("name", "id", "region")} if wholly_known(region) else {}
            )
        return {}

    def instance_keys(self, module: str, local: str, block: SourceBlock) -> list[tuple[Any, Any]]:
        """(key, each.value) of a block's instances in a module instance: with a plan, the
        instances it plans (it is the truth: Terraform knew every count when it planned);
        without, as `count`/`for_each` evaluate ([(None, None)] when they cannot be)."""
        if self.plan is None:
            return _instance_keys(self, block.body, module)
        config = join(module_path(module) if module else "", local)
        planned = [i for i in self.plan.in_module_instance(config, module) if i.exists]
        return [(i.index, None) for i in planned if i.index is not None]

    def collection(self, module: str, local: str, block: SourceBlock) -> Any:
        """A for_each resource as a map of its instances, a counted one as a list."""
        pairs = self.instance_keys(module, local, block)
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
        return self.memoised((module, "var", name), lambda: self.typed_variable(name, module))

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

    def typed_variable(self, name: str, module: str) -> Any:
        """The variable's value converted to its declared `type` (`optional()` attributes
        filled), as Terraform hands it to the module."""
        value = self._variable(name, module)
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        constraint = declared.get("type") if isinstance(declared, dict) else None
        if isinstance(constraint, str) and constraint.startswith("${"):
            return convert(value, parse_hcl_expression(constraint[2:-1]))
        return value

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
                        out[label] = unknown_from(existing, generated)
        return out

    def _dynamic(self, spec: dict[str, Any], label: str, module: str, extra: Scope | None) -> Any:
        """The blocks one `dynamic "label"` generates; unknown when its for_each is."""
        items = self.raw(spec.get("for_each"), module, extra)
        iterator = _provider_name(spec.get("iterator", label))
        content = spec.get("content")
        content = content[0] if isinstance(content, list) and content else content
        if not isinstance(content, dict):
            return UNKNOWN
        pairs = _iteration(items)
        if pairs is None:
            return unknown_from(items)
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


def _replace_argument(value: Any) -> str:
    """A `replace()` argument as the string Terraform converts it to."""
    if isinstance(value, float) and not value.is_integer():
        raise TypeError("a fractional number is not converted here")
    if not isinstance(value, str | int | float):
        raise TypeError("replace() takes strings")
    return _to_string(value)


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


def _node_refs(node: Node) -> list[str]:
    """The references an expression makes (the iteration names of a `for` are not ones)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, tuple):  # an object's (key, value) pair
            for item in node:
                walk(item)
            return
        if not isinstance(node, Node):
            return
        traversal = _traversal(node) if node.kind == "index" else None
        if traversal is not None:
            out.append(traversal)
            return
        if node.kind == "for":
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

    walk(node)
    return out


def _refs(raw: Any) -> list[str]:
    """The references of a python-hcl2 value, each also as its instance and block address."""
    out: list[str] = []
    if isinstance(raw, list):
        for item in raw:
            out.extend(_refs(item))
    elif isinstance(raw, dict):
        for item in raw.values():
            out.extend(_refs(item))
    elif isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}"):
            out.extend(_node_refs(parse_hcl_expression(raw[2:-1])))
        elif raw.startswith('"'):
            out.extend(_node_refs(Node("tmpl", raw[1:-1])))
    return _expand_refs(out)


def _expand_refs(out: list[str]) -> list[str]:
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
    """Variable files in Terraform's order: `terraform.tfvars`, `terraform.tfvars.json`, then
    every `*.auto.tfvars` and `*.auto.tfvars.json` by name; a later file wins."""
    values: dict[str, Any] = {}
    auto = [*directory.glob("*.auto.tfvars"), *directory.glob("*.auto.tfvars.json")]
    files = [
        directory / "terraform.tfvars",
        directory / "terraform.tfvars.json",
        *sorted(auto, key=lambda p: p.name),
    ]
    for path in files:
        if path.is_file() or path.is_symlink():
            parsed, _ = parse_file(path, reader)
            for key, raw in parsed.items():
                if not key.startswith("__"):
                    values[unquote(key)] = parse_raw(raw)
    return values


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


def _partition(region: Any, attribute: str) -> Any:
    """What `data.aws_partition` reads, from the root provider's region."""
    if not isinstance(region, str):
        return UNKNOWN
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    partition = "aws-us-gov" if region.startswith("us-gov-") else partition
    if attribute == "dns_suffix":
        return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return partition


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


def _is_sensitive(body: Any) -> bool:
    return isinstance(body, dict) and parse_raw(body.get("sensitive")) is True


def _sensitive_strings(
    evaluator: StaticEvaluator,
    modules: list[tuple[str, str, SourceModule]],
    instances: list[Instance],
    outputs: dict[str, OutputInfo],
) -> frozenset[str]:
    """Every value the sources mark sensitive, for the second redaction layer.

    Attributes derived from a sensitive variable (as Terraform marks them), and in
    every module instance the `sensitive = true` variables (their value and their
    literal default) and outputs. A value that cannot be evaluated is left out.
    """
    out: set[str] = set()
    for inst in instances:
        for name in inst.sensitive or {}:
            spellings(inst.values.get(name), out)
    for output in outputs.values():
        if output.sensitive:
            spellings(output.value, out)
    for instance, _path, module in modules:
        for name, body in module.variables.items():
            if _is_sensitive(body):
                _spell(out, partial(evaluator.variable, name, instance))
                _spell(out, partial(evaluator.raw, body.get("default"), instance))
        for name, body in module.outputs.items():
            if instance and _is_sensitive(body):
                _spell(out, partial(evaluator.module_outputs, instance, module), name)
    return frozenset(out)


def _spell(out: set[str], compute: Callable[[], Any], key: str | None = None) -> None:
    """Spellings of `compute()` (of its `key` when given); nothing when it cannot be had."""
    try:
        value = compute()
    except (CycleError, RecursionError):
        return
    if key is not None:
        value = value.get(key) if isinstance(value, dict) else None
    spellings(value, out)


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
    modules = _walk_modules(evaluator, root)
    for instance, path, module in modules:
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
    for name, body in root.outputs.items():
        value = evaluator.raw(body.get("value"), "")
        is_sensitive = parse_raw(body.get("sensitive")) is True
        outputs[name] = OutputInfo(name, value, is_sensitive, tuple(_refs(body.get("value"))))
    sensitive = _sensitive_strings(evaluator, modules, instances, outputs)
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
        sensitive_strings=sensitive,
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
