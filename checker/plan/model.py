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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from checker.core.address import (
    designates,
    reference_target,
)
from checker.plan.evidence import PLAN, saw
from checker.plan.graph import GraphQueries, config_edges
from checker.plan.instances import (
    Instance,
    OutputInfo,
    ResourceConfiguration,
    StackFile,
    qualified_refs,
)
from checker.plan.sensitive import TaintedMemo
from checker.plan.values import UNKNOWN, Scalar, Unknown, Value, is_known, name_unknowns

__all__ = ["UNKNOWN", "Instance", "PlanModel", "Unknown", "Value"]  # the face rules read


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
class PlanModel(GraphQueries):
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
        """The indexes, built once here; only `by_value`'s (per type and attribute a rule asks)
        and the shared views fill on first use."""
        by_type: dict[str, list[Instance]] = defaultdict(list)
        for inst in self.instances:
            self._by_address[inst.address] = inst
            self._by_config.setdefault(inst.config_address, []).append(inst)
            self._by_config_module.setdefault(
                (inst.config_address, inst.module_address), []
            ).append(inst)
            if inst.exists:
                by_type[f"{inst.mode}:{inst.type}"].append(inst)
            parts = inst.config_address.split(".")
            for end in range(2, len(parts) - 1, 2):
                if parts[end - 2] != "module":
                    break
                self._by_module_call.setdefault(".".join(parts[:end]), []).append(inst)
        self._by_type.update(by_type)
        self._edges.update(config_edges(self.configs))

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

    def under_module_call(self, call: str) -> list[Instance]:
        """Instances inside a module call (`module.a`, `module.a.module.b`), nested included."""
        return self._by_module_call.get(call, [])

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
