"""Pydantic models of the `terraform show -json` plan format, 0.1 to 1.x.

Only the fields the checker reads are declared; every model allows extra
fields, so what newer Terraform versions add is kept and ignored. Values
(`after`, `values`, `expressions`) stay plain JSON: their shape depends on the
provider schema, not on the plan format.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=False)


def _none_to_empty_list(value: Any) -> Any:
    return [] if value is None else value


def _none_to_empty_dict(value: Any) -> Any:
    return {} if value is None else value


class Change(_Model):
    actions: list[str]
    before: Any = None
    after: Any = None
    after_unknown: Any = None
    before_sensitive: Any = None
    after_sensitive: Any = None


class ResourceChange(_Model):
    address: str
    module_address: str | None = None
    mode: str = "managed"
    type: str
    name: str
    index: int | str | None = None
    deposed: str | None = None
    change: Change
    action_reason: str | None = None
    previous_address: str | None = None


class DriftChange(_Model):
    """A `resource_drift` entry: Terraform 1.0 wrote them without `address` or `name`."""

    address: str | None = None
    mode: str = "managed"
    type: str | None = None
    name: str | None = None
    change: Change | None = None


class ResourceValues(_Model):
    address: str
    mode: str = "managed"
    type: str
    name: str
    index: int | str | None = None
    provider_name: str | None = None
    values: dict[str, Any] | None = None
    sensitive_values: Any = None

    _lists = field_validator("values", mode="before")(_none_to_empty_dict)


class ModuleValues(_Model):
    address: str | None = None
    resources: list[ResourceValues] = []
    child_modules: list[ModuleValues] = []

    _lists = field_validator("resources", "child_modules", mode="before")(_none_to_empty_list)


class OutputValue(_Model):
    sensitive: bool = False
    value: Any = None


class Values(_Model):
    outputs: dict[str, OutputValue] = {}
    root_module: ModuleValues = ModuleValues()

    _dicts = field_validator("outputs", mode="before")(_none_to_empty_dict)


class State(_Model):
    format_version: str | None = None
    values: Values | None = None


class ResourceConfig(_Model):
    address: str
    mode: str = "managed"
    type: str
    name: str
    provider_config_key: str | None = None
    expressions: dict[str, Any] = {}
    depends_on: list[str] = []
    count_expression: Any = None
    for_each_expression: Any = None

    _lists = field_validator("depends_on", mode="before")(_none_to_empty_list)
    _dicts = field_validator("expressions", mode="before")(_none_to_empty_dict)


class OutputConfig(_Model):
    expression: Any = None
    sensitive: bool = False
    depends_on: list[str] = []

    _lists = field_validator("depends_on", mode="before")(_none_to_empty_list)


class VariableConfig(_Model):
    default: Any = None
    sensitive: bool = False


class ModuleCall(_Model):
    source: str | None = None
    expressions: dict[str, Any] = {}
    module: ModuleConfig = None  # type: ignore[assignment]
    depends_on: list[str] = []
    count_expression: Any = None
    for_each_expression: Any = None

    _lists = field_validator("depends_on", mode="before")(_none_to_empty_list)
    _dicts = field_validator("expressions", mode="before")(_none_to_empty_dict)

    @field_validator("module", mode="before")
    @classmethod
    def _empty_module(cls, value: Any) -> Any:
        return {} if value is None else value


class ModuleConfig(_Model):
    outputs: dict[str, OutputConfig] = {}
    resources: list[ResourceConfig] = []
    module_calls: dict[str, ModuleCall] = {}
    variables: dict[str, VariableConfig] = {}

    _lists = field_validator("resources", mode="before")(_none_to_empty_list)
    _dicts = field_validator("outputs", "module_calls", "variables", mode="before")(
        _none_to_empty_dict
    )


class ProviderConfig(_Model):
    name: str | None = None
    alias: str | None = None
    module_address: str | None = None
    expressions: dict[str, Any] = {}

    _dicts = field_validator("expressions", mode="before")(_none_to_empty_dict)


class Configuration(_Model):
    provider_config: dict[str, ProviderConfig] = {}
    root_module: ModuleConfig = ModuleConfig()

    _dicts = field_validator("provider_config", mode="before")(_none_to_empty_dict)


class PlanVariable(_Model):
    value: Any = None


class OutputChange(_Model):
    actions: list[str] = []
    after: Any = None
    after_unknown: Any = None
    after_sensitive: Any = None
    before_sensitive: Any = None


class PlanDocument(_Model):
    format_version: str
    terraform_version: str | None = None
    variables: dict[str, PlanVariable] = {}
    planned_values: Values | None = None
    resource_changes: list[ResourceChange] = []
    resource_drift: list[DriftChange] = []
    output_changes: dict[str, OutputChange] = {}
    prior_state: State | None = None
    configuration: Configuration | None = None

    _lists = field_validator("resource_changes", "resource_drift", mode="before")(
        _none_to_empty_list
    )
    _dicts = field_validator("variables", "output_changes", mode="before")(_none_to_empty_dict)


ModuleValues.model_rebuild()
ModuleCall.model_rebuild()
ModuleConfig.model_rebuild()
