"""Building the model from a plan document: instances with their planned values,
configurations with their expressions (in the syntax the plan was written in),
providers' regions and the values marked sensitive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checker.core.address import (
    join,
    module_path,
    split_address,
    strip_key,
)
from checker.plan.instances import (
    TEMPLATE_KEY,
    Instance,
    OutputInfo,
    ResourceConfiguration,
    merge_unknown,
    nested_refs,
    normalise_actions,
    sensitive_leaves,
)
from checker.plan.model import PlanModel
from checker.plan.models import (
    Configuration,
    ModuleConfig,
    ModuleValues,
    PlanDocument,
    ResourceConfig,
    ResourceValues,
)
from checker.plan.sensitive import any_marked, merge_marks, spellings
from checker.plan.values import UNKNOWN, Value


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
        name: tuple(nested_refs(output.expression or {})) for name, output in module.outputs.items()
    }
    for name, call in module.module_calls.items():
        child = join(path, f"module.{name}")
        module_inputs[child] = {
            variable: tuple(nested_refs(expression or {}))
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
        for_each_refs=tuple(nested_refs(res.for_each_expression or {})),
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


def values_instance(
    res: ResourceValues, action: str, configs: dict[str, ResourceConfiguration]
) -> Instance:
    """An instance from a values representation (planned values or a state's)."""
    return _instance(
        res.address,
        None,
        res.type,
        res.name,
        res.mode,
        res.index,
        action,
        res.values or {},
        res.sensitive_values,
        configs,
    )


def module_resources(module: ModuleValues | None) -> Iterator[ResourceValues]:
    if module is None:
        return
    stack = [module]
    while stack:
        current = stack.pop()
        yield from current.resources
        stack.extend(current.child_modules)


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
        sensitive_leaves(change.after, change.after_sensitive, out)
        sensitive_leaves(change.before, change.before_sensitive, out)
    for values in (doc.planned_values, doc.prior_state.values if doc.prior_state else None):
        if values is None:
            continue
        for res in module_resources(values.root_module):
            sensitive_leaves(res.values, res.sensitive_values, out)
        for output in values.outputs.values():
            if output.sensitive:
                spellings(output.value, out)
    declared = doc.configuration.root_module.outputs if doc.configuration else {}
    for name, oc in doc.output_changes.items():
        before = (oc.model_extra or {}).get("before")
        sensitive_leaves(oc.after, oc.after_sensitive, out)
        sensitive_leaves(before, oc.before_sensitive, out)
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
        for res in module_resources(module_values):
            if res.address in seen or (data_only and res.mode != "data"):
                continue
            seen.add(res.address)
            instances.append(values_instance(res, "no-op", configs))

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
            expression_references=tuple(nested_refs(conf.expression or {})) if conf else (),
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
