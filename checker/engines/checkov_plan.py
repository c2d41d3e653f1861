"""The plan view checkov reads: the same plan, with what the checker knows made visible.

Checkov's plan parser builds a check's `conf` from `planned_values` plus the
references of `configuration`; `depends_on` is dropped. This view copies each
configuration block's `depends_on` (module-relative, as in HCL) into the
planned values of its instances, where checkov turns it into
`conf["depends_on"]` exactly as it does for HCL. When HCL sources matching the
plan are bound, a top-level string the plan leaves unknown but the source
shows as a template (`"${aws_api_gateway_rest_api.x.execution_arn}/*/POST/process"`)
is written in that template form, as checkov itself renders HCL. Nothing else changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checker.core.address import module_path, split_address, strip_key
from checker.plan.model import PlanModel
from checker.plan.values import Unknown


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


def _templates(model: PlanModel | None, address: str, values: dict[str, Any]) -> None:
    if model is None or model.source is None:
        return
    inst = model.instance(address)
    if inst is None:
        return
    for key, value in inst.values.items():
        if isinstance(value, Unknown) and key not in values:
            evaluated = model.settle(inst, key)
            if isinstance(evaluated, Unknown) and evaluated.parts is not None:
                values[key] = evaluated.text()


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
        if config_address in depends:
            res["values"]["depends_on"] = depends[config_address]
        _templates(model, address, res["values"])
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            _walk_values(child, depends, model)


def write_checkov_view(raw: dict[str, Any], target: Path, model: PlanModel | None = None) -> Path:
    """Write the plan with depends_on visible to checkov; return the file written."""
    view = json.loads(json.dumps(raw))
    depends: dict[str, list[str]] = {}
    configuration = view.get("configuration")
    if isinstance(configuration, dict) and isinstance(configuration.get("root_module"), dict):
        _config_depends(configuration["root_module"], "", depends)
    planned = view.get("planned_values")
    if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
        _walk_values(planned["root_module"], depends, model)
    target.write_text(json.dumps(view), encoding="utf-8")
    return target
