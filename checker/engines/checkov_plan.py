"""The plan view the external engines read: the same plan, with what the checker knows made visible.

Checkov's plan parser builds a check's `conf` from `planned_values` plus the
references of `configuration`; `depends_on` is dropped, and neither checkov nor
terraform-compliance pairs `for_each` instances, follows module outputs or
knows which planned values are stale after a refresh. This view changes the
plan in three ways, and nothing else:

- each configuration block's `depends_on` (module-relative, as in HCL) is
  copied into the planned values of its instances, where checkov turns it into
  `conf["depends_on"]` exactly as it does for HCL;
- `tap_links` (a JSON text, so both tools carry it as one string) maps each
  configured attribute to the instances it references, resolved by the one
  model every engine shares (`for_each` keys paired, module outputs and inputs
  followed, `depends_on` under the key `depends_on`); the checks decide
  pass/fail themselves;
- an attribute of `checker.core.legacy` the configuration does not set is
  removed from the planned values and the planned changes: after a refresh it
  holds what AWS has now, not what the plan will make true.

When HCL sources matching the plan are bound, a top-level string the plan
leaves unknown but the source shows as a template
(`"${aws_api_gateway_rest_api.x.execution_arn}/*/POST/process"`) is written in
that template form, as checkov itself renders HCL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.core.address import module_path, split_address, strip_key
from checker.core.legacy import unless_configured
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value

LINKS = "tap_links"
AFTER_UNKNOWN = "true_after_unknown"


def _config_depends(module: dict[str, Any], path: str, out: dict[str, list[str]]) -> None:
    for res in module.get("resources") or []:
        depends = res.get("depends_on") or []
        if isinstance(res.get("address"), str):
            key = f"{path}.{res['address']}" if path else res["address"]
            out[key] = [d for d in depends if isinstance(d, str)]
    for name, call in (module.get("module_calls") or {}).items():
        child = call.get("module") if isinstance(call, dict) else None
        if isinstance(child, dict):
            _config_depends(child, f"{path}.module.{name}" if path else f"module.{name}", out)


def _templates(model: PlanModel, inst: Instance, values: dict[str, Any]) -> None:
    if model.source is None:
        return
    for key, value in inst.values.items():
        if isinstance(value, Unknown) and key not in values:
            evaluated = model.settle(inst, key)
            if isinstance(evaluated, Unknown) and evaluated.parts is not None:
                values[key] = evaluated.text()


def _depended(model: PlanModel, inst: Instance) -> list[str]:
    """Instances `inst`'s depends_on (its own, or its module call's) names."""
    if inst.config is None:
        return []
    out: dict[str, None] = {}
    for target in (*inst.config.depends_on, *inst.config.module_depends_on):
        for other in model.config_instances(target):
            out[other.address] = None
        if target.startswith("module.") and not model.config_instances(target):
            for other in model.under_module_call(target):
                out[other.address] = None
    return list(out)


def _unknowns(value: Value) -> Iterator[Unknown]:
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _unknowns(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _unknowns(item)


def links_of(model: PlanModel, inst: Instance) -> dict[str, list[str]]:
    """Configured attribute -> addresses of the instances it references."""
    if inst.config is None:
        return {}
    links: dict[str, list[str]] = {}
    for key in inst.config.expressions:
        if key in ("depends_on", "count", "for_each", "provider", "lifecycle"):
            continue
        targets = list(dict.fromkeys(t.address for t, _ in model.referenced(inst, key)))
        if targets:
            links[key] = targets
    for key in inst.values:
        if key in inst.config.expressions or model.source is None:
            continue
        # a block the configuration writes with `dynamic` is not in the plan's expressions:
        # the sources settle it, and the unknowns it holds name what it references
        hidden = list(_unknowns(model.settle(inst, key)))
        targets = list(dict.fromkeys(t.address for t in model.designated(list[Value](hidden))))
        if targets:
            links[key] = targets
    depended = _depended(model, inst)
    if depended:
        links["depends_on"] = depended
    return links


def _drop_stale(inst: Instance | None, values: dict[str, Any], type_: str) -> None:
    if inst is None or inst.config is None:
        return
    for name in unless_configured(type_):
        if name in values and not _configured(inst, name):
            del values[name]


def _configured(inst: Instance, name: str) -> bool:
    """Set by the configuration: an expression, or a block a `dynamic` block writes, which
    the plan's configuration leaves out; a create plan (nothing refreshed) shows such a block
    as a concrete value, where an unset one is unknown."""
    if inst.expression(name).present:
        return True
    value = inst.get(name)
    return inst.action == "create" and isinstance(value, list) and bool(value)


def _walk_values(
    module: dict[str, Any], depends: dict[str, list[str]], model: PlanModel | None
) -> None:
    for res in module.get("resources") or []:
        address = res.get("address")
        if not isinstance(address, str) or not isinstance(res.get("values"), dict):
            continue
        parts = split_address(address)
        local = ".".join(strip_key(p)[0] for p in parts[-(3 if res.get("mode") == "data" else 2) :])
        module_addr = ".".join(parts[: -(3 if res.get("mode") == "data" else 2)])
        config_address = f"{module_path(module_addr)}.{local}" if module_addr else local
        values = res["values"]
        if config_address in depends:
            values["depends_on"] = depends[config_address]
        inst = model.instance(address) if model is not None else None
        if model is not None and inst is not None:
            _templates(model, inst, values)
            links = links_of(model, inst)
            if links:
                values[LINKS] = json.dumps(links, sort_keys=True)
        _drop_stale(inst, values, str(res.get("type", "")))
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            _walk_values(child, depends, model)


def _mark_unknown(values: Any, unknown: Any, nested: bool = False) -> None:
    """Write nested `after_unknown` leaves the planned values leave out as checkov's marker.

    Top-level ones checkov handles itself (it shows the reference behind them).
    """
    if isinstance(values, dict) and isinstance(unknown, dict):
        for key, hidden in unknown.items():
            if hidden is True and nested and values.get(key) is None:
                values[key] = AFTER_UNKNOWN
            elif hidden is not True:
                _mark_unknown(values.get(key), hidden, True)
    elif isinstance(values, list) and isinstance(unknown, list):
        for item, hidden in zip(values, unknown, strict=False):
            _mark_unknown(item, hidden, True)


def _planned_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (r for r in module.get("resources") or [] if isinstance(r, dict))
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _planned_resources(child)


def engine_view(
    raw: dict[str, Any], model: PlanModel | None = None, mark_unknown: bool = False
) -> dict[str, Any]:
    """A copy of the plan with depends_on, links and planned truth visible.

    With `mark_unknown` (checkov), a nested value only known after apply, which
    checkov would see as absent, is written as checkov's own `true_after_unknown`.
    """
    view: dict[str, Any] = json.loads(json.dumps(raw))
    depends: dict[str, list[str]] = {}
    configuration = view.get("configuration")
    if isinstance(configuration, dict) and isinstance(configuration.get("root_module"), dict):
        _config_depends(configuration["root_module"], "", depends)
    planned = view.get("planned_values")
    if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
        _walk_values(planned["root_module"], depends, model)
    for change in view.get("resource_changes") or []:
        body = change.get("change") if isinstance(change, dict) else None
        if isinstance(body, dict) and model is not None:
            inst = model.instance(str(change.get("address", "")))
            for part in ("after", "after_unknown", "after_sensitive"):
                if isinstance(body.get(part), dict):
                    _drop_stale(inst, body[part], str(change.get("type", "")))
    if mark_unknown and isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
        unknown = {
            str(c.get("address")): (c.get("change") or {}).get("after_unknown")
            for c in view.get("resource_changes") or []
            if isinstance(c, dict)
        }
        for res in _planned_resources(planned["root_module"]):
            _mark_unknown(res.get("values"), unknown.get(str(res.get("address"))))
    return view


def write_checkov_view(raw: dict[str, Any], target: Path, model: PlanModel | None = None) -> Path:
    """Write the engine view of the plan for checkov; return the file written."""
    target.write_text(json.dumps(engine_view(raw, model, mark_unknown=True)), encoding="utf-8")
    return target
