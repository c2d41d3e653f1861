"""The evaluator of one module tree: references, variables, locals, module outputs,
resource attributes (from the plan in plan mode, from the blocks in static mode) and
provider regions, each evaluated once."""

from __future__ import annotations

from functools import partial

from checker.core.address import join, module_path, parse_reference, split_address, strip_key
from checker.plan.model import PlanModel
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.values import UNKNOWN, Unknown, Value, name_unknowns
from checker.source.expressions import ExpressionEvaluator
from checker.source.files import SourceFiles
from checker.source.functions import (
    EvalError,
    convert,
    unknown_from,
    wholly_known,
)
from checker.source.hcl import (
    MAX_MODULE_DEPTH,
    SourceBlock,
    SourceModule,
)
from checker.source.parse import parse_hcl_expression
from checker.source.raw import parse_raw
from checker.source.value_ops import (
    MAX_INSTANCES,
    META_ARGUMENTS,
    InstanceKey,
    ResourceObject,
    Scope,
    as_value,
    is_block_list,
    iteration_pairs,
    walk_traversal,
)


class StaticEvaluator(ExpressionEvaluator):
    """Evaluates raw python-hcl2 values of one module tree, resolving references lazily.

    Bounded: every local, variable and attribute is evaluated once (memoised with
    whether it read a sensitive value), cycles are cut, and a step budget and a
    size cap turn runaway evaluation into unknown values with a note.
    """

    def __init__(
        self, root: SourceModule, tfvars: dict[str, Value], plan: PlanModel | None = None
    ) -> None:
        super().__init__(root.files if root.files is not None else SourceFiles(root.directory))
        self.root = root
        self.tfvars = tfvars
        # With a plan, resource attributes and root variables come from it (plan mode);
        # without, from the blocks themselves (static mode).
        self.plan = plan
        self._regions: dict[str, Value] = {}

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

    def reference(self, traversal: str, module: str, extra: Scope | None) -> Value:
        head, _, rest = traversal.partition(".")
        if extra and head in extra:
            return walk_traversal(extra[head], split_address(rest) if rest else [], traversal)
        if head == "var":
            name, _, more = rest.partition(".")
            return walk_traversal(
                self.variable(name, module), split_address(more) if more else [], traversal
            )
        if head == "local":
            name, _, more = rest.partition(".")
            return walk_traversal(
                self.local(name, module), split_address(more) if more else [], traversal
            )
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

    def attribute(self, module: str, local: str, key: str | None, path: tuple[str, ...]) -> Value:
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
        index: InstanceKey = (
            int(key) if key is not None and key.isdigit() and "count" in block.body else key
        )
        if keyed and key is not None:
            pairs = self.instance_keys(module, local, block)
            if pairs != [(None, None)] and index not in {k for k, _ in pairs}:
                raise EvalError(f"{base}{key_suffix(index)} is not an instance of {base}")
        address = base + key_suffix(index)
        if not path:
            return self.instance_object(module, local, block, index)
        if self.plan is not None:
            return self.planned(address, path)
        if path[0] not in block.body:
            return Unknown.of_reference(".".join((address, *path)))  # computed by the provider
        body = block.body
        extra = self.each_scope(module, block.body, index)
        value = self.memoised(
            (module, local + key_suffix(index), path[0]),
            lambda: self.raw(body[path[0]], module, extra),
        )
        return walk_traversal(value, list(path[1:]), ".".join((address, *path)))

    def planned(self, address: str, path: tuple[str, ...]) -> Value:
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

    def instance_object(
        self, module: str, local: str, block: SourceBlock, index: InstanceKey
    ) -> Value:
        """Every attribute of one instance, as a map (what `each.value` is in a for_each chain)."""
        address = join(module, local) + key_suffix(index)
        if self.plan is not None:
            inst = self.plan.instance(address)
            if inst is None:
                return Unknown.of_reference(address)
            return {name: self.planned(address, (name,)) for name in inst.values}
        extra = self.each_scope(module, block.body, index)
        out: dict[str, Value] = {}
        for name, raw in block.body.items():
            if name in META_ARGUMENTS or is_block_list(raw):
                continue
            out[name] = self.memoised(
                (module, local + key_suffix(index), name),
                partial(self.raw, raw, module, extra),
            )
        out.update(self.provider_facts(module, local, block))
        return ResourceObject(address, out)

    def provider_facts(self, module: str, local: str, block: SourceBlock) -> dict[str, Value]:
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

    def instance_keys(
        self, module: str, local: str, block: SourceBlock
    ) -> list[tuple[InstanceKey, Value]]:
        """(key, each.value) of a block's instances in a module instance: with a plan, the
        instances it plans (it is the truth: Terraform knew every count when it planned);
        without, as `count`/`for_each` evaluate ([(None, None)] when they cannot be)."""
        if self.plan is None:
            return instance_keys_of(self, block.body, module)
        config = join(module_path(module) if module else "", local)
        planned = [i for i in self.plan.in_module_instance(config, module) if i.exists]
        return [(i.index, None) for i in planned if i.index is not None]

    def collection(self, module: str, local: str, block: SourceBlock) -> Value:
        """A for_each resource as a map of its instances, a counted one as a list."""
        pairs = self.instance_keys(module, local, block)
        if pairs == [(None, None)]:
            return Unknown.of_reference(join(module, local))
        objects = [(key, self.instance_object(module, local, block, key)) for key, _ in pairs]
        return by_instance_key(objects, counted="count" in block.body)

    def each_scope(self, module: str, body: dict[str, Value], index: InstanceKey) -> Scope | None:
        """`each` / `count` of one instance of a block with for_each / count."""
        if index is None:
            return None
        if "count" in body:
            return {"count": {"index": index}}
        if "for_each" in body:
            each = self.memoised(
                (module, f"for_each:{id(body)}", ""), lambda: self.raw(body["for_each"], module)
            )
            value = (
                each.get(index, index)
                if isinstance(each, dict) and isinstance(index, str)
                else index
            )
            return {"each": {"key": index, "value": value}}
        return None

    def module_output(self, traversal: str, module: str) -> Value:
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
            pairs = instance_keys_of(self, call, module)
            if pairs == [(None, None)]:
                return Unknown.of_reference(qualified)
            outputs: list[tuple[InstanceKey, Value]] = [
                (k, self.module_outputs(join(module, f"module.{name}{key_suffix(k)}"), child))
                for k, _ in pairs
            ]
            return by_instance_key(outputs, counted="count" in call)
        index: InstanceKey = (
            int(key) if key is not None and key.isdigit() and "count" in call else key
        )
        instance = join(module, f"module.{name}{key_suffix(index)}")
        if len(parts) == 2:
            return self.module_outputs(instance, child)
        output = child.outputs.get(parts[2])
        if not isinstance(output, dict) or "value" not in output:
            return Unknown.of_reference(qualified)
        raw = output["value"]
        value = self.memoised((instance, "output", parts[2]), lambda: self.raw(raw, instance))
        return walk_traversal(value, parts[3:], qualified)

    def module_outputs(self, instance: str, child: SourceModule) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for name, body in child.outputs.items():
            if isinstance(body, dict) and "value" in body:
                raw = body["value"]
                out[name] = self.memoised(
                    (instance, "output", name), partial(self.raw, raw, instance)
                )
        return out

    def variable(self, name: str, module: str) -> Value:
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        if isinstance(declared, dict) and parse_raw(declared.get("sensitive")) is True:
            mark_sensitive()
        return self.memoised((module, "var", name), lambda: self.typed_variable(name, module))

    def _variable(self, name: str, module: str) -> Value:
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
                index: InstanceKey = int(key) if key is not None and key.isdigit() else key
                extra = self.each_scope(parent, arguments, index)
                return self.raw(arguments[name], parent, extra)
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        if isinstance(declared, dict) and "default" in declared:
            return self.raw(declared["default"], module)
        return UNKNOWN

    def typed_variable(self, name: str, module: str) -> Value:
        """The variable's value converted to its declared `type` (`optional()` attributes
        filled), as Terraform hands it to the module."""
        value = self._variable(name, module)
        source = self.module(module)
        declared = source.variables.get(name) if source else None
        constraint = declared.get("type") if isinstance(declared, dict) else None
        if isinstance(constraint, str) and constraint.startswith("${"):
            return as_value(convert(value, parse_hcl_expression(constraint[2:-1])))
        return value

    def local(self, name: str, module: str) -> Value:
        source = self.module(module)
        if source is None or name not in source.locals:
            return UNKNOWN
        raw = source.locals[name]
        return self.memoised((module, "local", name), lambda: self.raw(raw, module))

    def block_body(
        self, body: dict[str, Value], module: str, extra: Scope | None, only: str | None = None
    ) -> dict[str, Value]:
        """A block's attributes and nested blocks evaluated, `dynamic` blocks expanded into
        the blocks they generate (`only`: just that attribute or block type)."""
        out: dict[str, Value] = {}
        for name, raw in body.items():
            if name in META_ARGUMENTS or name == "dynamic" or (only and name != only):
                continue
            if isinstance(raw, list) and is_block_list(raw):
                out[name] = [
                    self.block_body(item, module, extra) for item in raw if isinstance(item, dict)
                ]
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

    def _dynamic(
        self, spec: dict[str, Value], label: str, module: str, extra: Scope | None
    ) -> Value:
        """The blocks one `dynamic "label"` generates; unknown when its for_each is."""
        items = self.raw(spec.get("for_each"), module, extra)
        iterator = _provider_name(spec.get("iterator", label))
        content = spec.get("content")
        content = content[0] if isinstance(content, list) and content else content
        if not isinstance(content, dict):
            return UNKNOWN
        pairs = iteration_pairs(items)
        if pairs is None:
            return unknown_from(items)
        return [
            self.block_body(content, module, {**(extra or {}), iterator: {"key": k, "value": v}})
            for k, v in pairs[:MAX_INSTANCES]
        ]

    def region(self, provider_key: str = "aws") -> Value:
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

    def block_provider(self, config_path: str, body: dict[str, Value]) -> str:
        """The root provider configuration a resource block uses."""
        local = _provider_name(body.get("provider", "aws"))
        return self.provider_key(config_path, local)


def instance_keys_of(
    evaluator: StaticEvaluator, body: dict[str, Value], module: str
) -> list[tuple[InstanceKey, Value]]:
    """(key, each.value) of every instance of a block; [(None, None)] when not expanded."""
    pairs: list[tuple[InstanceKey, Value]] = [(None, None)]
    if "count" in body:
        count = evaluator.raw(body["count"], module)
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            pairs = [(i, i) for i in range(min(count, MAX_INSTANCES + 1))]
    elif "for_each" in body:
        each = evaluator.raw(body["for_each"], module)
        if isinstance(each, dict):
            pairs = [(key, each[key]) for key in sorted(each)]
        elif isinstance(each, list) and all(isinstance(x, str) for x in each):
            pairs = [(key, key) for key in sorted({x for x in each if isinstance(x, str)})]
    if len(pairs) > MAX_INSTANCES:
        evaluator.note(f"count/for_each over {MAX_INSTANCES} instances is not expanded")
        return [(None, None)]
    return pairs


def _partition(region: Value, attribute: str) -> Value:
    """What `data.aws_partition` reads, from the root provider's region."""
    if not isinstance(region, str):
        return UNKNOWN
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    partition = "aws-us-gov" if region.startswith("us-gov-") else partition
    if attribute == "dns_suffix":
        return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return partition


def _provider_name(raw: Value) -> str:
    """`aws.dr` from HCL's `${aws.dr}` (a provider reference is a bare traversal)."""
    text = str(raw).strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text.strip('"')


def key_suffix(key: Value) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def by_instance_key(instances: list[tuple[InstanceKey, Value]], counted: bool) -> Value:
    """Instances as Terraform exposes a block or module call with several: a counted one's as
    a list in index order, a `for_each` one's as a map by key."""
    if counted:
        ordered = sorted(instances, key=lambda pair: pair[0] if isinstance(pair[0], int) else -1)
        return [value for _, value in ordered]
    return {str(key): value for key, value in instances}
