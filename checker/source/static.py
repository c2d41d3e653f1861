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
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.plan.address import join, parse_reference
from checker.plan.model import Instance, OutputInfo, PlanModel, ResourceConfiguration
from checker.plan.sensitive import CycleError, TaintedMemo, tracking
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.values import UNKNOWN, Unknown
from checker.source.expr import SourceTree, _split_template, parse_raw
from checker.source.files import SourceFiles, source_files
from checker.source.hcl import SourceBlock, SourceModule, load_module, parse_file, unquote
from checker.source.parse import Node, parse_hcl_expression

Scope = dict[str, Any]


def _known(value: Any) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_known(v) for v in value)
    return True


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_STEPS = 500_000  # expression nodes evaluated per model
MAX_VALUE = 1024 * 1024  # characters of a string, or items of a list or map


class StaticEvaluator:
    """Evaluates raw python-hcl2 values of one module tree, resolving references lazily.

    Bounded: every local, variable and attribute is evaluated once (memoised with
    whether it read a sensitive value), cycles are cut, and a step budget and a
    size cap turn runaway evaluation into unknown values with a note.
    """

    def __init__(self, root: SourceModule, tfvars: dict[str, Any]) -> None:
        self.root = root
        self.tfvars = tfvars
        self.files = root.files if root.files is not None else SourceFiles(root.directory)
        self._busy: set[tuple[str, str, str]] = set()
        self._memo = TaintedMemo()
        self._steps = 0
        self._in_template_file = False
        self._region: Any = None
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
        current: SourceModule | None = self.root
        parts = path.split(".") if path else []
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

    def template(self, body: str, module: str, extra: Scope | None) -> Any:
        out: list[str] = []
        for kind, piece in _split_template(body):
            if kind == "text":
                out.append(piece)
            elif kind == "expr":
                value = self.node(parse_hcl_expression(piece), module, extra)
                if not _known(value) or isinstance(value, dict | list):
                    return UNKNOWN
                out.append(_to_string(value))
            else:
                return UNKNOWN
        return "".join(out)

    def note(self, text: str) -> None:
        self.files.note(text)

    def bounded(self, value: Any) -> Any:
        """A value within the size cap, else UNKNOWN (with a note)."""
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
        if kind == "object":
            out: dict[str, Any] = {}
            for key_node, value_node in node.args:
                key = (
                    key_node.value if key_node.kind == "lit" else self.node(key_node, module, extra)
                )
                if not isinstance(key, str):
                    return UNKNOWN
                out[key] = self.node(value_node, module, extra)
            return out
        if kind == "index":
            base = self.node(node.args[0], module, extra)
            key = self.node(node.args[1], module, extra)
            try:
                return base[key] if _known(base) and _known(key) else UNKNOWN
            except (KeyError, IndexError, TypeError):
                return UNKNOWN
        if kind == "call":
            return self.call(node, module, extra)
        if kind == "cond":
            test = self.node(node.args[0], module, extra)
            if isinstance(test, Unknown):
                return UNKNOWN
            return self.node(node.args[1] if test else node.args[2], module, extra)
        if kind in ("unary", "binary"):
            values = [self.node(n, module, extra) for n in node.args]
            if not all(_known(v) for v in values):
                return UNKNOWN
            try:
                return _operate(node.value, values)
            except (TypeError, ValueError, ZeroDivisionError):
                return UNKNOWN
        return UNKNOWN

    def call(self, node: Node, module: str, extra: Scope | None) -> Any:
        name = node.value
        if name in FILE_FUNCTIONS:
            return self.file_call(node, module, extra)
        if name == "try":
            for arg in node.args:
                value = self.node(arg, module, extra)
                if _known(value):
                    return value
            return UNKNOWN
        function = self.functions.get(name)
        args = [self.node(a, module, extra) for a in node.args]
        if function is None or not all(_known(a) for a in args):
            return UNKNOWN
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
            return self.template(text.replace('"', '\\"'), module, {**(extra or {}), **variables})
        finally:
            self._in_template_file = False

    def reference(self, traversal: str, module: str, extra: Scope | None) -> Any:
        head, _, rest = traversal.partition(".")
        if extra and head in extra:
            value = extra[head]
            for part in rest.split(".") if rest else []:
                value = value.get(part, UNKNOWN) if isinstance(value, dict) else UNKNOWN
            return value
        if head == "var":
            return self.variable(rest.split(".")[0], module)
        if head == "local":
            return self.local(rest.split(".")[0], module)
        if head == "path":
            return "."
        if head in ("count", "each", "self", "terraform", "module"):
            return UNKNOWN
        parsed = parse_reference(traversal)
        if parsed is None:
            return UNKNOWN
        if parsed.local_address.startswith("data.aws_region.") and parsed.attribute[:1] in (
            ("name",),
            ("id",),
            ("region",),
        ):
            return self.region()
        return self.attribute(module, parsed.local_address, parsed.attribute)

    def attribute(self, module: str, local: str, path: tuple[str, ...]) -> Any:
        source = self.module(module)
        block = source.blocks.get(local) if source else None
        if block is None or not path or path[0] not in block.body:
            return UNKNOWN  # computed by the provider
        body = block.body
        value = self.memoised((module, local, path[0]), lambda: self.raw(body[path[0]], module))
        for step in path[1:]:
            if isinstance(value, list) and step.isdigit() and int(step) < len(value):
                value = value[int(step)]
            elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
                value = value[0].get(step, UNKNOWN)
            elif isinstance(value, dict):
                value = value.get(step, UNKNOWN)
            else:
                return UNKNOWN
        return value

    def variable(self, name: str, module: str) -> Any:
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        if isinstance(declared, dict) and parse_raw(declared.get("sensitive")) is True:
            mark_sensitive()
        return self.memoised((module, "var", name), lambda: self._variable(name, module))

    def _variable(self, name: str, module: str) -> Any:
        if not module and name in self.tfvars:
            return self.tfvars[name]
        if module:
            parent, _, call = module.rpartition(".module.")
            if not _:
                parent, call = "", module.split(".", 1)[1]
            caller = self.module(parent)
            if caller is not None and name in caller.module_calls.get(call, {}):
                return self.raw(caller.module_calls[call][name], parent)
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

    def region(self) -> Any:
        if self._region is None:
            self._region = UNKNOWN
            provider = self.root.providers.get("aws", {})
            if "region" in provider:
                self._region = self.raw(provider["region"], "")
        return self._region


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


def _refs(raw: Any) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Node):
            if node.kind == "ref":
                out.append(node.value)
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
        if parsed is not None and parsed.attribute:
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


MAX_INSTANCES = 10_000  # of one block; a larger count or for_each is not expanded


def _instance_keys(evaluator: StaticEvaluator, body: dict[str, Any], module: str) -> list[Any]:
    keys: list[Any] = [None]
    if "count" in body:
        count = evaluator.raw(body["count"], module)
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            keys = list(range(min(count, MAX_INSTANCES + 1)))
    elif "for_each" in body:
        each = evaluator.raw(body["for_each"], module)
        if isinstance(each, dict):
            keys = sorted(each)
        elif isinstance(each, list):
            keys = sorted({str(x) for x in each})
    if len(keys) > MAX_INSTANCES:
        evaluator.note(f"count/for_each over {MAX_INSTANCES} instances is not expanded")
        return [None]
    return keys


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def _values(
    evaluator: StaticEvaluator, block: SourceBlock, module: str, key: Any
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The instance's evaluated attributes and which of them are sensitive."""
    extra: Scope = {}
    if isinstance(key, int):
        extra["count"] = {"index": key}
    elif key is not None:
        extra["each"] = {"key": key, "value": key}
    values: dict[str, Any] = {}
    marks: dict[str, Any] = {}
    for name, raw in block.body.items():
        if name in ("depends_on", "count", "for_each", "lifecycle", "provider", "provisioner"):
            continue
        with tracking() as scope:
            try:
                values[name] = evaluator.raw(raw, module, extra or None)
            except RecursionError:
                evaluator.note(f"{block.local_address}.{name} is nested too deeply: unknown")
                values[name] = UNKNOWN
        if scope.tainted:
            marks[name] = True  # derived from a sensitive variable, as Terraform marks it
    return values, marks or None


def _walk_modules(root: SourceModule) -> list[tuple[str, str, SourceModule]]:
    """(configuration path, instance prefix, module) for every module, keys not expanded."""
    out = [("", "", root)]
    stack = [("", root)]
    while stack:
        path, module = stack.pop()
        for name, child in module.children.items():
            child_path = join(path, f"module.{name}")
            out.append((child_path, child_path, child))
            stack.append((child_path, child))
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
    for path, _prefix, module in _walk_modules(root):
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
            )
            configs[conf.address] = conf
            for key in _instance_keys(evaluator, block.body, path):
                address = join(path, local) + _key_suffix(key)
                values, marks = _values(evaluator, block, path, key)
                inst = Instance(
                    address=address,
                    module_address=path,
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
    return model.with_source(SourceTree(root, model))
