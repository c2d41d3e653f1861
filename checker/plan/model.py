"""The normalised model every rule queries, built once per plan and read-only after.

Planned values are `Value`s (`checker.plan.values`): known, `Unknown` where
Terraform knows them only after apply, None when absent, so a rule tells the
three apart with one lookup. Instances are indexed by address, by type and by
configuration address, and references resolve in O(1), so a rule that joins
two resource types walks each once.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from checker.core.address import (
    Reference,
    config_address_of,
    designates,
    join,
    module_path,
    parse_reference,
    reference_target,
    split_address,
    strip_key,
)
from checker.plan.evidence import CONFIGURATION, PLAN, saw, saw_planned
from checker.plan.models import (
    Configuration,
    ModuleConfig,
    ModuleValues,
    PlanDocument,
    ResourceConfig,
)
from checker.plan.sensitive import TaintedMemo, any_marked, marks_at, merge_marks, spellings
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.values import UNKNOWN, Scalar, Unknown, Value, is_known, name_unknowns

__all__ = ["UNKNOWN", "Instance", "PlanModel", "Unknown", "Value"]

GONE_ACTIONS = frozenset({"delete", "forget"})


def normalise_actions(actions: list[str]) -> str:
    """Terraform's action list as one word: create, update, delete, replace, ..."""
    kinds = set(actions)
    if {"delete", "create"} <= kinds:
        return "replace"
    if len(actions) == 1:
        return actions[0]
    return "+".join(actions) if actions else "no-op"


def merge_unknown(after: Any, unknown: Any) -> Any:  # JSON in, Value out
    """Put UNKNOWN where `after_unknown` says true; copy only along those paths."""
    if unknown is True:
        return UNKNOWN
    if not unknown:
        return after
    if isinstance(unknown, dict):
        base = after if isinstance(after, dict) else {}
        changes = {}
        for key, sub in unknown.items():
            if sub:
                merged = merge_unknown(base.get(key), sub)
                if merged is not base.get(key):
                    changes[key] = merged
        if not changes:
            return after
        return {**base, **changes}
    if isinstance(unknown, list):
        items = after if isinstance(after, list) else []
        replaced: dict[int, Any] = {}
        for index, sub in enumerate(unknown):
            if sub:
                current = items[index] if index < len(items) else None
                merged = merge_unknown(current, sub)
                if merged is not current:
                    replaced[index] = merged
        if not replaced:
            return after
        out = list(items) + [None] * (max(replaced) + 1 - len(items))
        for index, value in replaced.items():
            out[index] = value
        return out
    return after


def _sensitive_leaves(value: Any, marks: Any, out: set[str]) -> None:
    """Spellings (`checker.plan.sensitive.spellings`) of what a tree of marks covers."""
    if marks is True:
        spellings(value, out)
    elif isinstance(marks, dict) and isinstance(value, dict):
        for key, sub in marks.items():
            if key in value:
                _sensitive_leaves(value[key], sub, out)
    elif isinstance(marks, list) and isinstance(value, list):
        for sub, item in zip(marks, value, strict=False):
            _sensitive_leaves(item, sub, out)


@dataclass(frozen=True, slots=True)
class Expression:
    """One configuration expression: its constant value and/or its references.

    `template`: a `constant_value` string that is a template in JSON syntax and text in
    native syntax, where the plan does not tell which syntax wrote it (`_native_view`).
    """

    present: bool
    constant: Value = None
    has_constant: bool = False
    references: tuple[str, ...] = ()
    template: str | None = None


ABSENT = Expression(present=False)


@dataclass
class ResourceConfiguration:
    """A resource block of the configuration (one per block, not per instance)."""

    address: str  # configuration address: module path + local address
    module: str  # configuration module path, "" for the root module
    local_address: str
    type: str
    mode: str
    expressions: dict[str, Any]
    depends_on: tuple[str, ...]  # configuration addresses
    module_depends_on: tuple[str, ...] = ()
    # what `for_each` references: `for_each = aws_s3_bucket.this` makes `each.value` an instance
    for_each_refs: tuple[str, ...] = ()
    # the provider configuration it uses, resolved through module calls: "aws", "aws.dr"
    provider_key: str = ""
    _expressions_seen: dict[tuple[str | int, ...], Expression] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def expression(self, *path: str | int) -> Expression:
        """The expression at `path`; computed once per block, not once per instance."""
        found = self._expressions_seen.get(path)
        if found is None:
            found = self._expressions_seen[path] = self._expression(path)
        return found

    def _expression(self, path: tuple[str | int, ...]) -> Expression:
        node: Any = self.expressions
        for step in path:
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    return ABSENT
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    return ABSENT
                node = node[step]
        if isinstance(node, dict) and ("constant_value" in node or "references" in node):
            refs = node.get("references")
            refs = refs if isinstance(refs, list) else []
            template = node.get(TEMPLATE_KEY)
            return Expression(
                present=True,
                constant=node.get("constant_value"),
                has_constant="constant_value" in node,
                references=tuple(r for r in refs if isinstance(r, str)),
                template=template if isinstance(template, str) else None,
            )
        if isinstance(node, dict | list):
            return Expression(present=True, references=tuple(_nested_refs(node)))
        return ABSENT


def qualified_refs(origin: Instance, refs: tuple[str, ...]) -> tuple[str, ...]:
    """Resource references made inside a module, prefixed with that module's path."""
    return tuple(
        join(origin.module, ref) if parse_reference(ref) is not None else ref for ref in refs
    )


def _nested_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        refs = node.get("references")
        if isinstance(refs, list):
            yield from (r for r in refs if isinstance(r, str))
        for key, value in node.items():
            if key not in ("references", "constant_value"):
                yield from _nested_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nested_refs(item)


@dataclass(frozen=True, slots=True)
class Instance:
    """One resource instance (or data source read) of the plan."""

    address: str
    module_address: str  # with instance keys, "" for root
    module: str  # configuration module path
    type: str
    name: str
    mode: str
    index: int | str | None
    action: str
    values: dict[str, Value]
    config: ResourceConfiguration | None = None
    # Terraform's sensitivity marks of `values` (after_sensitive / sensitive_values shape).
    sensitive: Any = None

    @property
    def config_address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return join(self.module, f"{prefix}{self.type}.{self.name}")

    @property
    def exists(self) -> bool:
        """False for instances being deleted or forgotten."""
        return self.action not in GONE_ACTIONS

    def get(self, *path: str | int) -> Value:
        """The planned value at `path`: known, `Unknown`, or None when absent.

        Reading a path Terraform marks sensitive taints the active redaction scope.
        """
        if self.sensitive is not None and marks_at(self.sensitive, path):
            mark_sensitive()
        saw_planned(self.action)
        node: Value = self.values
        for step in path:
            if isinstance(node, Unknown):
                return node
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    return None
                node = node[step]
            else:
                if not isinstance(node, dict):
                    return None
                node = node.get(step)
        return node

    def declared(self, *path: str | int) -> Value:
        """The planned value of an Optional+Computed attribute only when the configuration sets it.

        After a refresh, legacy computed attributes (`aws_s3_bucket.policy`,
        `aws_iam_role.inline_policy`, `managed_policy_arns` ...) hold what AWS has
        *now*, not what the plan will make true: the standalone resources carry
        that. Unset in the configuration, such a value is treated as absent (None).
        """
        if self.config is not None and path and not self.expression(path[0]).present:
            return None
        return self.get(*path)

    def expression(self, *path: str | int) -> Expression:
        saw(CONFIGURATION)
        return self.config.expression(*path) if self.config else ABSENT

    def references(self, *path: str | int) -> tuple[str, ...]:
        return self.expression(*path).references


@dataclass(frozen=True, slots=True)
class OutputInfo:
    name: str
    value: Value
    sensitive: bool
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StackFile:
    """A file of the stack beside the `.tf` files (a handler, a zip a build wrote), read
    through the confined reader: `data` is None when it is missing or `refused` (outside the
    source root, a credential file, over the size cap)."""

    path: str  # its real path, relative to the root module's directory
    data: bytes | None
    refused: bool = False


class SourceView(Protocol):
    """HCL sources bound to the plan (`checker.source.tree.SourceTree`), as the model uses them."""

    def evaluate(self, inst: Instance, *path: str | int) -> Value | NotInSource: ...

    def read_text(self, relative: str) -> tuple[str | None, str]: ...

    def read_file(self, relative: str) -> StackFile: ...

    def module_directory(self, module: str) -> str: ...

    def local_references(self, module: str, name: str) -> list[str] | None: ...

    def attribute_origin(self, inst: Instance, name: str) -> str: ...

    def provider_region(self, key: str) -> str | None: ...

    @property
    def notes(self) -> list[str]:
        """What reading the sources refused or capped (paths outside the root, sizes)."""
        ...


class NotInSource:
    """The source has no expression at that path (the evaluator's answer, never a rule's)."""


NOT_IN_SOURCE = NotInSource()

T = TypeVar("T")


@dataclass(frozen=True)
class PlanModel:
    """Everything a rule may ask about one plan. Read-only: rules ask, the model computes."""

    instances: list[Instance]
    configs: dict[str, ResourceConfiguration]
    variables: dict[str, Value]
    outputs: dict[str, OutputInfo]
    module_outputs: dict[str, dict[str, tuple[str, ...]]]
    region: str | None
    sensitive_strings: frozenset[str]
    format_version: str | None  # the plan's; None in static mode
    terraform_version: str | None
    has_configuration: bool
    source: SourceView | None = None  # HCL sources, when they match the plan
    # built from `.tf` files alone (`checker check DIR`): there is no plan, only sources
    # evaluated the way Terraform would before any API call
    static: bool = False
    provider_regions: dict[str, str] = field(default_factory=dict)  # provider key -> region
    # module configuration path -> its input variables -> what the call passes references
    module_inputs: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    sensitive_variables: frozenset[str] = frozenset()
    # Views several rules share (policy statements of a document, role policies, ...),
    # computed once, with whether computing them read a sensitive value (replayed on reads).
    _views: TaintedMemo = field(default_factory=TaintedMemo, init=False, repr=False)
    _by_address: dict[str, Instance] = field(default_factory=dict, init=False, repr=False)
    _by_type: dict[str, list[Instance]] = field(default_factory=dict, init=False, repr=False)
    _by_config: dict[str, list[Instance]] = field(default_factory=dict, init=False, repr=False)
    _by_config_module: dict[tuple[str, str], list[Instance]] = field(
        default_factory=dict, init=False, repr=False
    )
    _value_index: dict[tuple[str, str], dict[Scalar, list[Instance]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _edges: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    _by_module_call: dict[str, list[Instance]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        by_type: dict[str, list[Instance]] = defaultdict(list)
        for inst in self.instances:
            self._by_address[inst.address] = inst
            self._by_config.setdefault(inst.config_address, []).append(inst)
            self._by_config_module.setdefault(
                (inst.config_address, inst.module_address), []
            ).append(inst)
            if inst.exists:
                by_type[f"{inst.mode}:{inst.type}"].append(inst)
        self._by_type.update(by_type)

    def with_source(self, source: SourceView) -> PlanModel:
        """The same plan with HCL sources bound (a new model: this one stays as built)."""
        return replace(self, source=source)

    # ------------------------------------------------------------ views

    def view(self, build: Callable[[PlanModel], T]) -> T:
        """`build(model)`, computed once per model and shared by every rule that asks.

        `build` must be a module-level function of the model alone (it is the cache key).
        """
        result: T = self._views.get(build, lambda: build(self))
        return result

    def view_of(self, build: Callable[[PlanModel, Instance], T], subject: Instance) -> T:
        """`build(model, subject)`, computed once per model and subject."""
        result: T = self._views.get((build, subject.address), lambda: build(self, subject))
        return result

    def region_of(self, inst: Instance) -> str | None:
        """The region of the provider configuration `inst` uses (an alias, one passed to its
        module), else what a `data.aws_region` read by that provider in its module says, else
        the root provider's region."""
        key = inst.config.provider_key if inst.config is not None else ""
        if not key:
            key = "aws"
        if key in self.provider_regions:
            return self.provider_regions[key]
        if self.source is not None and (region := self.source.provider_region(key)):
            return region
        for reader in self.data("aws_region"):
            if reader.config is not None and reader.config.provider_key == key:
                for attr in ("region", "name", "id"):
                    value = reader.get(attr)
                    if isinstance(value, str) and value:
                        return value
        if key == "aws" and self.region is not None:
            return self.region
        return self.view(_arn_regions).get(key)

    def settle(self, inst: Instance, *path: str | int) -> Value:
        """The value at `path` as far as the plan and the bound sources tell.

        A value the plan knows wholly is returned as is. Otherwise the HCL source
        is evaluated (templates keep their shape, references that stay unknown are
        named); without a source, the plan's `Unknown` names the configuration's
        references.
        """
        value = inst.get(*path)
        if is_known(value):
            return value
        if self.source is not None:
            evaluated = self.source.evaluate(inst, *path)
            if not isinstance(evaluated, NotInSource):
                self._saw_source(inst, path)
                return evaluated
        return name_unknowns(value, qualified_refs(inst, inst.references(*path)))

    def _saw_source(self, inst: Instance, path: tuple[str | int, ...]) -> None:
        if self.source is not None and path and isinstance(path[0], str):
            saw(self.source.attribute_origin(inst, path[0]))

    def written(self, inst: Instance, *path: str | int) -> Value:
        """The value as the configuration writes it, before the provider transforms it.

        Some attributes are stored transformed (`user_data` as a hash): the plan
        value is not what was written. This is the HCL source evaluated when bound,
        else the configuration's constant, else `Unknown` naming the expression's
        references, or None when the configuration does not set it.
        """
        if self.source is not None:
            evaluated = self.source.evaluate(inst, *path)
            if not isinstance(evaluated, NotInSource):
                self._saw_source(inst, path)
                return evaluated
        saw(PLAN)
        expression = inst.expression(*path)
        if expression.has_constant:
            return expression.constant
        if expression.template is not None:  # a template or text: the sources would tell
            return Unknown.of_expression(json.dumps(expression.template), ())
        if expression.present:
            return Unknown(refs=qualified_refs(inst, expression.references))
        return None if inst.config is not None else inst.get(*path)

    def designated(self, value: Value, types: Iterable[str] | None = None) -> list[Instance]:
        """Instances the references of an unknown value name (module outputs followed).

        A plan's `references` stop at a module output (`module.b["k"].arn`); the
        settled value names the resource behind it.
        """
        wanted = set(types) if types is not None else None
        found: dict[str, Instance] = {}
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, Unknown):
                continue
            for ref in (item.reference,) if item.reference is not None else item.refs:
                target = reference_target(ref)
                if target is None:
                    for inst, _ in self.output_targets(ref):
                        if wanted is None or inst.type in wanted:
                            found.setdefault(inst.address, inst)
                    continue
                for inst in self.designated_by(target[0]):
                    if wanted is None or inst.type in wanted:
                        found.setdefault(inst.address, inst)
        return [inst for inst in found.values() if inst.exists]

    def points_at(self, reference: str, inst: Instance, *attribute: str) -> bool:
        """Does a module-qualified reference (keys optional) name `inst`'s `attribute`?"""
        target = reference_target(reference)
        if target is None or not designates(target[0], inst.address):
            return False
        return not attribute or target[1][: len(attribute)] == attribute

    def read_source_file(self, relative: str) -> tuple[str | None, str]:
        """(text, where) of a file named relative to the root module, confined to the source
        root; (None, why) without sources or when the read is refused."""
        if self.source is None:
            return None, f"{relative}: no HCL sources are bound"
        return self.source.read_text(relative)

    def read_stack_file(self, relative: str) -> StackFile | None:
        """A file named relative to the root module, confined to the source root (its bytes,
        or why not); None without sources."""
        return self.source.read_file(relative) if self.source is not None else None

    def module_directory(self, module: str) -> str | None:
        """The directory of a module's source (configuration path or instance address),
        relative to the root module's ("." for the root); None without sources."""
        return self.source.module_directory(module) if self.source is not None else None

    # ------------------------------------------------------------ lookups

    def resources(self, type_: str) -> list[Instance]:
        """Managed instances of a type that will exist after apply."""
        return self._by_type.get(f"managed:{type_}", [])

    def data(self, type_: str) -> list[Instance]:
        return self._by_type.get(f"data:{type_}", [])

    def instance(self, address: str) -> Instance | None:
        return self._by_address.get(address)

    def config_instances(self, config_address: str) -> list[Instance]:
        return self._by_config.get(config_address, [])

    def under_module_call(self, call: str) -> list[Instance]:
        """Instances inside a module call (`module.a`, `module.a.module.b`), nested included."""
        if not self._by_module_call and self.instances:
            for inst in self.instances:
                parts = inst.config_address.split(".")
                for end in range(2, len(parts) - 1, 2):
                    if parts[end - 2] != "module":
                        break
                    self._by_module_call.setdefault(".".join(parts[:end]), []).append(inst)
        return self._by_module_call.get(call, [])

    def in_module_instance(self, config_address: str, module_address: str) -> list[Instance]:
        """Instances of a configuration block within one module instance (indexed)."""
        return self._by_config_module.get((config_address, module_address), [])

    def designated_by(self, target: str, near: str | None = None) -> list[Instance]:
        """Instances a target address (keys optional) designates, by index.

        A keyless target inside a `for_each` module designates every instance of the
        block; with `near` (a module instance address) the ones in that module
        instance come first, so a reference made there is one lookup, not a scan.
        """
        exact = self._by_address.get(target)
        if exact is not None:
            return [exact]
        config = config_address_of(target)
        if near is not None:
            local = [
                i for i in self.in_module_instance(config, near) if designates(target, i.address)
            ]
            if local:
                return local
        return [i for i in self.config_instances(config) if designates(target, i.address)]

    def resolve(self, origin: Instance | str, ref: str) -> list[Instance]:
        """Instances a reference made in `origin`'s module points at.

        `each.value...` in an instance of `for_each = aws_x.y` (a for_each chain)
        is that resource's instance with the same key.
        """
        if isinstance(origin, Instance) and ref.startswith("each.value"):
            ref = self._each_value(origin, ref) or ref
        parsed = parse_reference(ref)
        if parsed is None:
            return []
        module = origin if isinstance(origin, str) else origin.module
        target = join(module, parsed.local_address)
        candidates: list[Instance] = []
        if isinstance(origin, Instance):
            candidates = self._by_config_module.get((target, origin.module_address), [])
        if not candidates:
            candidates = self._by_config.get(target, [])
        if not candidates:
            return []
        if parsed.key is not None:
            return [c for c in candidates if str(c.index) == parsed.key]
        if len(candidates) > 1 and isinstance(origin, Instance) and origin.index is not None:
            same_index = [c for c in candidates if c.index == origin.index]
            if same_index:
                return same_index
        return [c for c in candidates if c.exists]

    def _each_value(self, origin: Instance, ref: str) -> str | None:
        if origin.config is None or origin.index is None:
            return None
        sources = [
            r
            for r in origin.config.for_each_refs
            if (p := parse_reference(r)) is not None and not p.attribute and p.key is None
        ]
        if len(sources) != 1:
            return None
        key = origin.index if isinstance(origin.index, int) else f'"{origin.index}"'
        return f"{sources[0]}[{key}]{ref[len('each.value') :]}"

    def referenced(
        self, inst: Instance, *path: str | int, types: Iterable[str] | None = None
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """(instance, attribute path) pairs the expression at `path` references.

        Terraform lists `aws_x.y["k"].id`, `aws_x.y["k"]` and `aws_x.y` for one
        keyed reference; the key-less form then names the same instance, not all.
        """
        wanted = set(types) if types is not None else None
        found: dict[tuple[str, tuple[str, ...]], tuple[Instance, tuple[str, ...]]] = {}
        parsed_refs: list[tuple[str, Reference]] = []
        for ref in inst.references(*path):
            if ref.startswith("each.value"):
                ref = self._each_value(inst, ref) or ref
            parsed = parse_reference(ref)
            if parsed is not None:
                parsed_refs.append((ref, parsed))
        for ref in inst.references(*path):
            for target, attribute in self.across_modules(inst.module_address, ref):
                if wanted is None or target.type in wanted:
                    found.setdefault((target.address, attribute), (target, attribute))
        keyed = {p.local_address for _, p in parsed_refs if p.key is not None}
        for ref, parsed in parsed_refs:
            if parsed.key is None and not parsed.attribute and parsed.local_address in keyed:
                continue
            for target in self.resolve(inst, ref):
                if wanted is None or target.type in wanted:
                    found.setdefault((target.address, parsed.attribute), (target, parsed.attribute))
        return list(found.values())

    def across_modules(
        self, module_address: str, ref: str, depth: int = 0
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """Resources a reference made in a module instance names across module boundaries:
        a child's output (`module.k.arn`) followed down, an input (`var.key_arn`) followed
        up to what the calling module passes; [] for references within the module."""
        if ref.startswith("module."):
            return self.through_module_output(module_address, ref, depth)
        if not ref.startswith("var.") or not module_address or depth > 8:
            return []
        parts = split_address(module_address)
        parent = ".".join(parts[:-2])
        name = split_address(ref)[1] if len(split_address(ref)) > 1 else ""
        passed = self.module_inputs.get(module_path(module_address), {}).get(name, ())
        out: list[tuple[Instance, tuple[str, ...]]] = []
        for outer in passed:
            if outer.startswith(("module.", "var.")):
                out.extend(self.across_modules(parent, outer, depth + 1))
                continue
            parsed = parse_reference(outer)
            if parsed is None:
                continue
            for target in self._by_config_module.get(
                (join(module_path(parent), parsed.local_address), parent), []
            ):
                if (parsed.key is None or str(target.index) == parsed.key) and target.exists:
                    out.append((target, parsed.attribute))
        named = {t.address for t, attribute in out if attribute}
        return [(t, attribute) for t, attribute in out if attribute or t.address not in named]

    def output_targets(self, ref: str) -> list[tuple[Instance, tuple[str, ...]]]:
        """A module-qualified reference to a module's output (`module.a.module.k.arn`),
        followed to the resources behind it; [] for any other reference."""
        parts = split_address(ref)
        i = 0
        while i + 2 < len(parts) and parts[i] == "module" and parts[i + 2] == "module":
            i += 2
        if len(parts) - i < 3 or parts[i] != "module":
            return []
        return self.through_module_output(".".join(parts[:i]), ".".join(parts[i:]))

    def through_module_output(
        self, module_address: str, ref: str, depth: int = 0
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """What `module.NAME[KEY].OUTPUT...` made in `module_address` designates: the plan's
        references stop at a module output; the configuration's output expression names
        the resources behind it, in that module instance."""
        parts = split_address(ref)
        if depth > 8 or len(parts) < 3 or parts[0] != "module":
            return []
        name = strip_key(parts[1])[0]
        child_config = join(module_path(module_address), f"module.{name}")
        # a module with count/for_each is only referenced with its key: this is the instance
        child_instance = join(module_address, f"module.{parts[1]}")
        out: list[tuple[Instance, tuple[str, ...]]] = []
        for inner in self.module_outputs.get(child_config, {}).get(parts[2], ()):
            if inner.startswith(("module.", "var.")):
                out.extend(self.across_modules(child_instance, inner, depth + 1))
                continue
            parsed = parse_reference(inner)
            if parsed is None:
                continue
            for target in self._by_config_module.get(
                (join(child_config, parsed.local_address), child_instance), []
            ):
                if parsed.key is not None and str(target.index) != parsed.key:
                    continue
                if target.exists:
                    out.append((target, parsed.attribute))
        # Terraform lists `aws_x.y.arn` and `aws_x.y` for one reference: keep the attribute
        named = {t.address for t, attribute in out if attribute}
        return [(t, attribute) for t, attribute in out if attribute or t.address not in named]

    def by_value(self, type_: str, attribute: str, value: Value) -> list[Instance]:
        """Instances of `type_` whose known `attribute` equals `value` (indexed once)."""
        key = (type_, attribute)
        index = self._value_index.get(key)
        if index is None:
            index = self._value_index[key] = defaultdict(list)
            for inst in self.resources(type_) or self.data(type_):
                known = inst.get(attribute)
                if isinstance(known, str | int | float | bool):
                    index[known].append(inst)
        if not isinstance(value, str | int | float | bool):
            return []
        return index.get(value, [])

    # --------------------------------------------------------------- graph

    def _config_edges(self) -> dict[str, frozenset[str]]:
        if not self._edges:
            for address, conf in self.configs.items():
                targets = set(conf.depends_on) | set(conf.module_depends_on)
                for ref in _nested_refs(conf.expressions):
                    parsed = parse_reference(ref)
                    if parsed is not None:
                        targets.add(join(conf.module, parsed.local_address))
                self._edges[address] = frozenset(targets)
        return self._edges

    def depends_on_explicitly(self, inst: Instance, target: Instance) -> bool:
        """True when `inst`'s own depends_on names `target` (or its module call does)."""
        if inst.config is None:
            return False
        names = set(inst.config.depends_on) | set(inst.config.module_depends_on)
        return target.config_address in names

    def ordered_after(self, inst: Instance, target: Instance) -> bool:
        """True when the graph (depends_on plus references) orders inst after target."""
        edges = self._config_edges()
        start, goal = inst.config_address, target.config_address
        seen = {start}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for nxt in edges.get(current, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return False


# ---------------------------------------------------------------- building


def _walk_config(
    module: ModuleConfig,
    path: str,
    out: dict[str, ResourceConfiguration],
    module_outputs: dict[str, dict[str, tuple[str, ...]]],
    inherited_depends: tuple[str, ...],
    module_inputs: dict[str, dict[str, tuple[str, ...]]],
) -> None:
    for res in module.resources:
        conf = _resource_config(res, path, inherited_depends)
        out[conf.address] = conf
    module_outputs[path] = {
        name: tuple(_nested_refs(output.expression or {}))
        for name, output in module.outputs.items()
    }
    for name, call in module.module_calls.items():
        child = join(path, f"module.{name}")
        module_inputs[child] = {
            variable: tuple(_nested_refs(expression or {}))
            for variable, expression in call.expressions.items()
        }
        depends = inherited_depends + tuple(_depends_address(path, d) for d in call.depends_on)
        if call.module is not None:
            _walk_config(call.module, child, out, module_outputs, depends, module_inputs)


def _depends_address(module: str, target: str) -> str:
    parts = split_address(target)
    cleaned = ".".join(strip_key(part)[0] for part in parts)
    return join(module, cleaned)


def _resource_config(
    res: ResourceConfig, module: str, inherited_depends: tuple[str, ...]
) -> ResourceConfiguration:
    local = res.address
    if res.mode == "data" and not local.startswith("data."):
        local = f"data.{res.type}.{res.name}"
    syntax = _block_syntax(
        [res.expressions, res.count_expression or {}, res.for_each_expression or {}]
    )
    return ResourceConfiguration(
        address=join(module, local),
        module=module,
        local_address=local,
        type=res.type,
        mode=res.mode,
        expressions=_native_body(res.expressions, syntax),
        depends_on=tuple(_depends_address(module, d) for d in res.depends_on),
        module_depends_on=inherited_depends,
        for_each_refs=tuple(_nested_refs(res.for_each_expression or {})),
        provider_key=res.provider_config_key or "",
    )


def _instance(
    address: str,
    module_address: str | None,
    type_: str,
    name: str,
    mode: str,
    index: int | str | None,
    action: str,
    values: dict[str, Value],
    marks: Any,
    configs: dict[str, ResourceConfiguration],
) -> Instance:
    module_addr = module_address
    if module_addr is None:
        parts = split_address(address)
        cut = len(parts) - (3 if mode == "data" else 2)
        module_addr = ".".join(parts[:cut]) if cut > 0 else ""
    module = module_path(module_addr)
    prefix = "data." if mode == "data" else ""
    return Instance(
        address=address,
        module_address=module_addr,
        module=module,
        type=type_,
        name=name,
        mode=mode,
        index=index,
        action=action,
        values=values,
        config=configs.get(join(module, f"{prefix}{type_}.{name}")),
        sensitive=_marks(marks),
    )


def _iter_module_values(module: ModuleValues | None) -> Iterator[Any]:
    if module is None:
        return
    stack = [module]
    while stack:
        current = stack.pop()
        yield from current.resources
        stack.extend(current.child_modules)


ARN_REGION = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def _arn_regions(model: PlanModel) -> dict[str, str]:
    """Provider key -> the region in the known ARNs of its resources (an update plan's)."""
    out: dict[str, str] = {}
    for inst in model.instances:
        key = inst.config.provider_key if inst.config is not None else "aws"
        arn = inst.values.get("arn")
        if key not in out and isinstance(arn, str) and (match := ARN_REGION.match(arn)):
            out[key or "aws"] = match.group(1)
    return out


# ------------------------------------------------- constant values of JSON syntax
#
# Terraform writes an expression's `constant_value` by evaluating it with no variables
# and no functions (`hcl.Expression.Value(nil)`, terraform `internal/command/jsonconfig`).
# In native syntax that succeeds only for a constant, and `$${x}` is already `${x}`; in
# JSON syntax (`.tf.json`) it always succeeds and gives the JSON value as written, a
# template unevaluated: `"${var.region}"` with `references: ["var.region"]`,
# `"${timestamp()}"` with none, `"$${x}"` still escaped (checked with real plans of
# both syntaxes). So:
# - a constant with references is JSON syntax: its value is not that text, and the plan
#   shows what native syntax would (the references alone);
# - native syntax shows no constant for an expression with references or a function
#   call, JSON syntax always does; that tells a block's syntax when it holds any such
#   expression (a block comes from one file, an override file aside);
# - a constant string without `${` or `%{` reads the same in both syntaxes. One with them
#   in a block that tells nothing is a template or text: it stays unknown, with the text
#   (`Expression.template`), for the bound sources to settle.

TEMPLATE_KEY = "checker:template"  # marks a constant whose syntax the plan does not tell
SEQUENCE = re.compile(r"(?<![$%])[$%]\{")
_SEQUENCE: Any = object()  # a template sequence (`${...}`, `%{...}`) the model does not evaluate


def _holds_template(value: Any) -> bool:
    """Does a constant mean something else read as a JSON-syntax template (keys included)?"""
    if isinstance(value, str):
        return "${" in value or "%{" in value
    if isinstance(value, list):
        return any(_holds_template(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_template(k) or _holds_template(v) for k, v in value.items())
    return False


def _unescaped(value: Any) -> Any:
    """A JSON-syntax constant's value when its templates hold only escapes; else `_SEQUENCE`."""
    if isinstance(value, str):
        if SEQUENCE.search(value.replace("$${", "").replace("%%{", "")):
            return _SEQUENCE
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        items = [_unescaped(item) for item in value]
        return _SEQUENCE if any(item is _SEQUENCE for item in items) else items
    if isinstance(value, dict):
        pairs = [(_unescaped(k), _unescaped(v)) for k, v in value.items()]
        if any(k is _SEQUENCE or v is _SEQUENCE for k, v in pairs):
            return _SEQUENCE
        return dict(pairs)
    return value


def _expression_nodes(body: Any) -> Iterator[dict[str, Any]]:
    """The expression representations of a block body, nested blocks' included."""
    if not isinstance(body, dict):
        return
    if "constant_value" in body or "references" in body:
        yield body
        return
    for value in body.values():
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):
            for item in value:
                yield from _expression_nodes(item)


def _block_syntax(bodies: list[Any]) -> str:
    """The syntax a block was written in: "json", "native", or "" when its expressions do
    not tell (or disagree: an override file of the other syntax)."""
    json_seen = native_seen = False
    for node in (node for body in bodies for node in _expression_nodes(body)):
        if "constant_value" in node:
            json_seen = json_seen or bool(node.get("references"))
        else:  # references, or a function call, without a constant: native syntax only
            native_seen = True
    if json_seen != native_seen:
        return "json" if json_seen else "native"
    return ""


def _native_view(node: dict[str, Any], syntax: str) -> dict[str, Any]:
    """An expression representation as native syntax would show the same expression."""
    if "constant_value" not in node:
        return node
    constant, refs = node["constant_value"], node.get("references")
    if refs:  # only JSON syntax shows a constant with references: a template
        return {"references": refs}
    if syntax == "native" or not _holds_template(constant):
        return node
    if syntax == "json":
        value = _unescaped(constant)
        return {} if value is _SEQUENCE else {"constant_value": value}
    if isinstance(constant, str):
        return {"references": [], TEMPLATE_KEY: constant}
    return {"references": []}


def _native_body(body: dict[str, Any], syntax: str) -> dict[str, Any]:
    """A block's `expressions` with JSON-syntax constants as native syntax shows them."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, dict) and ("constant_value" in value or "references" in value):
            out[key] = _native_view(value, syntax)
        elif isinstance(value, list):
            out[key] = [
                _native_body(item, syntax) if isinstance(item, dict) else item for item in value
            ]
        else:
            out[key] = value
    return out


def _var_template(text: str, variables: dict[str, Any]) -> str | None:
    """A JSON-syntax template of text and `${var.NAME}` (root variables the plan knows)."""
    out: list[str] = []
    for piece in re.split(r"(\$\{\s*var\.[A-Za-z_][\w-]*\s*\})", text):
        if piece.startswith("${"):
            value = variables.get(piece[2:-1].strip()[4:])
            if not isinstance(value, str):
                return None
            out.append(value)
        elif SEQUENCE.search(piece.replace("$${", "").replace("%%{", "")):
            return None
        else:
            out.append(piece.replace("$${", "${").replace("%%{", "%{"))
    return "".join(out)


def _provider_regions(
    configuration: Configuration | None, variables: dict[str, Any]
) -> dict[str, str]:
    """Provider configuration key ("aws", "aws.dr") -> the region it sets, where it is known."""
    out: dict[str, str] = {}
    for key, provider in (configuration.provider_config if configuration else {}).items():
        if (provider.name or key.split(".")[0]) != "aws" or provider.module_address:
            continue
        region = provider.expressions.get("region")
        if not isinstance(region, dict):
            continue
        constant = region.get("constant_value")
        if isinstance(constant, str) and _holds_template(constant):
            # JSON syntax ("${var.region}"), or text in native syntax only when nothing refers
            if region.get("references") and (value := _var_template(constant, variables)):
                out[key] = value
            continue
        if isinstance(constant, str):
            out[key] = str(region["constant_value"])
            continue
        refs = region.get("references")
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, str) and ref.startswith("var."):
                value = variables.get(ref[4:])
                if isinstance(value, str):
                    out[key] = value
                    break
    return out


def _root_region(regions: dict[str, str], instances: list[Instance]) -> str | None:
    """The default provider's region, else a root `data.aws_region`'s."""
    if "aws" in regions:
        return regions["aws"]
    for inst in instances:
        if inst.mode == "data" and inst.type == "aws_region" and inst.module == "":
            for attr in ("region", "name", "id"):
                value = inst.get(attr)
                if isinstance(value, str) and value:
                    return value
    return None


def _collect_sensitive(doc: PlanDocument, out: set[str]) -> None:
    """Every value the plan marks sensitive anywhere, for the second redaction layer.

    Marked paths of resource changes and drift (`after_sensitive`,
    `before_sensitive`), of planned values and prior state in every module
    (`sensitive_values`), sensitive outputs (`output_changes`, the values'
    `outputs`, the configuration's `sensitive = true`), and sensitive variables:
    the root's values and defaults, and in child modules the defaults and the
    constant arguments their calls pass. Format:
    https://developer.hashicorp.com/terraform/internals/json-format
    """
    changes = [rc.change for rc in doc.resource_changes]
    changes += [drift.change for drift in doc.resource_drift if drift.change is not None]
    for change in changes:
        _sensitive_leaves(change.after, change.after_sensitive, out)
        _sensitive_leaves(change.before, change.before_sensitive, out)
    for values in (doc.planned_values, doc.prior_state.values if doc.prior_state else None):
        if values is None:
            continue
        for res in _iter_module_values(values.root_module):
            _sensitive_leaves(res.values, res.sensitive_values, out)
        for output in values.outputs.values():
            if output.sensitive:
                spellings(output.value, out)
    declared = doc.configuration.root_module.outputs if doc.configuration else {}
    for name, oc in doc.output_changes.items():
        before = (oc.model_extra or {}).get("before")
        _sensitive_leaves(oc.after, oc.after_sensitive, out)
        _sensitive_leaves(before, oc.before_sensitive, out)
        if name in declared and declared[name].sensitive:
            spellings(oc.after, out)
            spellings(before, out)
    sensitive_variables = _sensitive_variables(doc)
    for name, var in doc.variables.items():
        if name in sensitive_variables:
            spellings(var.value, out)
    if doc.configuration is not None:
        _sensitive_config(doc.configuration.root_module, out)


def _sensitive_config(module: ModuleConfig, out: set[str]) -> None:
    """Sensitive variables' defaults and constant arguments, sensitive outputs' constants."""
    for var in module.variables.values():
        if var.sensitive:
            spellings(var.default, out)
    for output in module.outputs.values():
        if output.sensitive:
            spellings(_constant(output.expression), out)
    for call in module.module_calls.values():
        for name, var in call.module.variables.items():
            if var.sensitive:
                spellings(_constant(call.expressions.get(name)), out)
        _sensitive_config(call.module, out)


def _constant(expression: Any) -> Any:
    """The `constant_value` of an expression representation, if it has one."""
    return expression.get("constant_value") if isinstance(expression, dict) else None


def _marks(marks: Any) -> Any:
    """A sensitivity tree worth keeping, or None (the fast path of `Instance.get`)."""
    return marks if any_marked(marks) else None


def _sensitive_variables(doc: PlanDocument) -> frozenset[str]:
    if doc.configuration is None:
        return frozenset()
    declared = doc.configuration.root_module.variables
    return frozenset(name for name, var in declared.items() if var.sensitive)


def build_model(doc: PlanDocument) -> PlanModel:
    """Normalise one validated plan document."""
    configs: dict[str, ResourceConfiguration] = {}
    module_outputs: dict[str, dict[str, tuple[str, ...]]] = {}
    module_inputs: dict[str, dict[str, tuple[str, ...]]] = {}
    if doc.configuration is not None:
        _walk_config(doc.configuration.root_module, "", configs, module_outputs, (), module_inputs)
    instances: list[Instance] = []
    seen: set[str] = set()
    for rc in doc.resource_changes:
        if rc.deposed:
            continue
        action = normalise_actions(rc.change.actions)
        if action == "delete" or action == "forget":
            values = rc.change.before if isinstance(rc.change.before, dict) else {}
        else:
            values = merge_unknown(rc.change.after, rc.change.after_unknown)
            if not isinstance(values, dict):
                values = {}
        marks = merge_marks(rc.change.after_sensitive, rc.change.before_sensitive)
        instances.append(
            _instance(
                rc.address,
                rc.module_address,
                rc.type,
                rc.name,
                rc.mode,
                rc.index,
                action,
                values,
                marks,
                configs,
            )
        )
        seen.add(rc.address)
    # Resources without a change entry: planned values, then data sources read at plan time.
    planned = doc.planned_values.root_module if doc.planned_values is not None else None
    prior = (
        doc.prior_state.values.root_module if doc.prior_state and doc.prior_state.values else None
    )
    for module_values, data_only in ((planned, False), (prior, True)):
        for res in _iter_module_values(module_values):
            if res.address in seen or (data_only and res.mode != "data"):
                continue
            seen.add(res.address)
            instances.append(
                _instance(
                    res.address,
                    None,
                    res.type,
                    res.name,
                    res.mode,
                    res.index,
                    "no-op",
                    res.values or {},
                    res.sensitive_values,
                    configs,
                )
            )

    variables = {name: var.value for name, var in doc.variables.items()}
    outputs: dict[str, OutputInfo] = {}
    output_conf = doc.configuration.root_module.outputs if doc.configuration else {}
    planned_outputs = doc.planned_values.outputs if doc.planned_values else {}
    for name in set(doc.output_changes) | set(planned_outputs) | set(output_conf):
        change = doc.output_changes.get(name)
        value: Value = None
        if change is not None:
            value = UNKNOWN if change.after_unknown is True else change.after
        elif name in planned_outputs:
            value = planned_outputs[name].value
        conf = output_conf.get(name)
        outputs[name] = OutputInfo(
            name=name,
            value=value,
            sensitive=bool(
                (conf.sensitive if conf else False)
                or (name in planned_outputs and planned_outputs[name].sensitive)
            ),
            references=tuple(_nested_refs(conf.expression or {})) if conf else (),
        )

    sensitive: set[str] = set()
    _collect_sensitive(doc, sensitive)
    regions = _provider_regions(doc.configuration, variables)
    return PlanModel(
        instances=instances,
        configs=configs,
        variables=variables,
        outputs=outputs,
        module_outputs=module_outputs,
        region=_root_region(regions, instances),
        provider_regions=regions,
        module_inputs=module_inputs,
        sensitive_strings=frozenset(sensitive),
        sensitive_variables=_sensitive_variables(doc),
        format_version=doc.format_version,
        terraform_version=doc.terraform_version,
        has_configuration=doc.configuration is not None,
    )
