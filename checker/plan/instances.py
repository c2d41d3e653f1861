"""What the model is made of: resource instances with their planned values, the
configuration expressions behind them, outputs, and files of the stack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from checker.core.address import (
    join,
    parse_reference,
)
from checker.core.provider_schema import write_only_attributes as _write_only
from checker.plan.evidence import CONFIGURATION, saw, saw_configuration, saw_planned
from checker.plan.sensitive import mark as mark_sensitive
from checker.plan.sensitive import marks_at, spellings
from checker.plan.values import UNKNOWN, Unknown, Value

TEMPLATE_KEY = "checker:template"  # marks a constant whose syntax the plan does not tell

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


def sensitive_leaves(value: Any, marks: Any, out: set[str]) -> None:
    """Spellings (`checker.plan.sensitive.spellings`) of what a tree of marks covers."""
    if marks is True:
        spellings(value, out)
    elif isinstance(marks, dict) and isinstance(value, dict):
        for key, sub in marks.items():
            if key in value:
                sensitive_leaves(value[key], sub, out)
    elif isinstance(marks, list) and isinstance(value, list):
        for sub, item in zip(marks, value, strict=False):
            sensitive_leaves(item, sub, out)


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
            return Expression(present=True, references=tuple(nested_refs(node)))
        return ABSENT


def qualified_refs(origin: Instance, refs: tuple[str, ...]) -> tuple[str, ...]:
    """Resource references made inside a module, prefixed with that module's path."""
    return tuple(
        join(origin.module, ref) if parse_reference(ref) is not None else ref for ref in refs
    )


def nested_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        refs = node.get("references")
        if isinstance(refs, list):
            yield from (r for r in refs if isinstance(r, str))
        for key, value in node.items():
            if key not in ("references", "constant_value"):
                yield from nested_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from nested_refs(item)


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
        saw_planned(self.action, self.address)
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
        if node is None and self.type in _write_only():
            return self._write_only(path)
        return node

    def _write_only(self, path: tuple[str | int, ...]) -> Value:
        """A write-only attribute (Terraform 1.11) is null in every plan and state, whatever
        the configuration sets: unknown, never "not set" (the sources may settle it)."""
        dotted = ".".join(step for step in path if isinstance(step, str))
        if dotted not in _write_only()[self.type]:
            return None
        refs = self.config.expression(*path).references if self.config is not None else ()
        return Unknown(refs=refs, expression=f"{dotted} (write-only: never in a plan or state)")

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
        saw_configuration(self.address)
        return self.config.expression(*path) if self.config else ABSENT

    def references(self, *path: str | int) -> tuple[str, ...]:
        return self.expression(*path).references

    def computed_in_configuration(self, *path: str | int) -> bool:
        """Is the value at `path` written as an expression (a variable, a reference), not a
        constant? False without a configuration, which is then not read at all."""
        if self.config is None:
            return False
        written = self.expression(*path)
        return written.present and not written.has_constant


@dataclass(frozen=True, slots=True)
class OutputInfo:
    name: str
    value: Value
    sensitive: bool
    expression_references: tuple[str, ...]  # of the output's configuration expression

    @property
    def references(self) -> tuple[str, ...]:
        """What the output's expression references: read from the configuration."""
        saw(CONFIGURATION)
        return self.expression_references


@dataclass(frozen=True, slots=True)
class StackFile:
    """A file of the stack beside the `.tf` files (a handler, a zip a build wrote), read
    through the confined reader: `data` is None when it is missing or `refused` (outside the
    source root, a credential file, over the size cap)."""

    path: str  # its real path, relative to the root module's directory
    data: bytes | None
    refused: bool = False
