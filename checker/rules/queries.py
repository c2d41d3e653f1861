"""The model as rules see it: `RuleModel`, the narrow protocol every rule (built-in or a
pack's) reads through `RuleContext.model`, published by `checker.api`.

`checker.plan.model.PlanModel` satisfies it for plans and static mode alike; what a rule
may ask is listed here and nothing else: instances by type, address and value, values
settled from the plan and the bound sources, the references between resources, the order
Terraform applies in, shared views, and files of the stack read through the confined
reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from checker.plan.instances import Instance, OutputInfo, StackFile
from checker.plan.model import SourceView
from checker.plan.values import Value

T = TypeVar("T")


class RuleModel(Protocol):
    # -------------------------------------------------------------- the plan
    @property
    def static(self) -> bool:
        """Built from `.tf` files alone: there is no plan, only evaluated sources."""
        ...

    @property
    def source(self) -> SourceView | None:
        """The HCL sources bound to the plan, when they are."""
        ...

    @property
    def outputs(self) -> dict[str, OutputInfo]: ...

    @property
    def module_outputs(self) -> dict[str, dict[str, tuple[str, ...]]]: ...

    # -------------------------------------------------------------- lookups
    def resources(self, type_: str) -> list[Instance]:
        """Managed instances of a type that will exist after apply."""
        ...

    def data(self, type_: str) -> list[Instance]: ...

    def instance(self, address: str) -> Instance | None: ...

    def by_value(self, type_: str, attribute: str, value: Value) -> list[Instance]: ...

    # -------------------------------------------------------------- values
    def settle(self, inst: Instance, *path: str | int) -> Value:
        """A value as far as the plan and the bound sources tell (`Unknown` names the rest)."""
        ...

    def written(self, inst: Instance, *path: str | int) -> Value: ...

    def region_of(self, inst: Instance) -> str | None: ...

    # -------------------------------------------------------------- references
    def designated(self, value: Value, types: Iterable[str] | None = None) -> list[Instance]: ...

    def designated_by(self, target: str, near: str | None = None) -> list[Instance]: ...

    def points_at(self, reference: str, inst: Instance, *attribute: str) -> bool: ...

    def resolve(self, origin: Instance | str, ref: str) -> list[Instance]: ...

    def referenced(
        self, inst: Instance, *path: str | int, types: Iterable[str] | None = None
    ) -> list[tuple[Instance, tuple[str, ...]]]:
        """(instance, attribute path) pairs the expression at `path` references."""
        ...

    def output_targets(self, ref: str) -> list[tuple[Instance, tuple[str, ...]]]: ...

    def depends_on_explicitly(self, inst: Instance, target: Instance) -> bool: ...

    def ordered_after(self, inst: Instance, target: Instance) -> bool: ...

    # -------------------------------------------------------------- shared views
    def view(self, build: Callable[[RuleModel], T]) -> T:
        """`build(model)`, computed once per model and shared by every rule that asks."""
        ...

    def view_of(self, build: Callable[[RuleModel, Instance], T], subject: Instance) -> T: ...

    # -------------------------------------------------------------- files
    def read_source_file(self, relative: str) -> tuple[str | None, str]: ...

    def read_stack_file(self, relative: str) -> StackFile | None: ...

    def module_directory(self, module: str) -> str | None: ...
