"""Static HCL mode: build the rules' model from `.tf` files alone, without a plan.

What Terraform could know before any API call is evaluated: literals, variable
defaults and `*.tfvars`, locals, string templates and the common functions
(`format`, `merge`, `concat`, `lookup`, `jsonencode`, `jsondecode`, `file`,
`templatefile`, ...). An attribute the configuration does not set is computed
by the provider, so it is unknown; a value built from it is unknown too but
keeps its references, so the graph rules (TAP001, TAP013) still see the edges.
The model is the same one plans produce: the same rules run on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from checker.core.address import join
from checker.errors import InputError
from checker.plan.instances import OutputInfo, ResourceConfiguration
from checker.plan.model import Instance, PlanModel
from checker.plan.sensitive import CycleError, spellings, tracking
from checker.plan.values import UNKNOWN
from checker.source.evaluator import StaticEvaluator, instance_keys_of, key_suffix
from checker.source.files import SourceFiles, source_files
from checker.source.hcl import (
    SourceBlock,
    SourceModule,
    load_module,
    parse_file,
    unquote,
)
from checker.source.raw import parse_raw
from checker.source.references import references_of
from checker.source.tree import SourceTree
from checker.source.value_ops import META_ARGUMENTS, is_block_list


def _expressions(body: dict[str, Any]) -> dict[str, Any]:
    """Terraform's `expressions` of a block: constant values or references, blocks nested."""
    out: dict[str, Any] = {}
    for key, raw in body.items():
        if key in ("depends_on", "count", "for_each", "lifecycle", "provider", "provisioner"):
            continue
        if is_block_list(raw):
            out[key] = [_expressions(item) for item in raw]
            continue
        refs = references_of(raw)
        if refs:
            out[key] = {"references": refs}
        elif "${" not in json.dumps(raw):
            out[key] = {"constant_value": parse_raw(raw)}
        else:
            out[key] = {}  # a function of constants: Terraform shows no constant_value either
    return out


# ------------------------------------------------------------------- build


def _tfvars(directory: Path, reader: SourceFiles) -> dict[str, Any]:
    """Variable files in Terraform's order: `terraform.tfvars`, `terraform.tfvars.json`, then
    every `*.auto.tfvars` and `*.auto.tfvars.json` by name; a later file wins."""
    values: dict[str, Any] = {}
    auto = [*directory.glob("*.auto.tfvars"), *directory.glob("*.auto.tfvars.json")]
    files = [
        directory / "terraform.tfvars",
        directory / "terraform.tfvars.json",
        *sorted(auto, key=lambda p: p.name),
    ]
    for path in files:
        if path.is_file() or path.is_symlink():
            parsed, _ = parse_file(path, reader)
            for key, raw in parsed.items():
                if not key.startswith("__"):
                    values[unquote(key)] = parse_raw(raw)
    return values


def _values(
    evaluator: StaticEvaluator, block: SourceBlock, module: str, key: Any
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The instance's evaluated attributes and which of them are sensitive."""
    extra = evaluator.each_scope(module, block.body, key)
    values: dict[str, Any] = {}
    marks: dict[str, Any] = {}
    names = [n for n in block.body if n not in META_ARGUMENTS and n != "dynamic"]
    for entry in block.body.get("dynamic") or []:
        names.extend(label for label in entry if isinstance(entry, dict) and label not in names)
    for name in names:
        with tracking() as scope:
            try:
                values[name] = evaluator.block_body(block.body, module, extra, only=name)[name]
            except RecursionError:
                evaluator.note(f"{block.local_address}.{name} is nested too deeply: unknown")
                values[name] = UNKNOWN
        if scope.tainted:
            marks[name] = True  # derived from a sensitive variable, as Terraform marks it
    return values, marks or None


MAX_MODULE_INSTANCES = 2_000  # module instances of one static model, all calls together


def _walk_modules(
    evaluator: StaticEvaluator, root: SourceModule
) -> list[tuple[str, str, SourceModule]]:
    """(module instance address, configuration path, module) of every module instance.

    A call with `for_each` or `count` is expanded like Terraform expands it, its
    keys evaluated in the calling instance; one that cannot be is one instance
    without a key.
    """
    out = [("", "", root)]
    stack = [("", "", root)]
    while stack:
        address, path, module = stack.pop()
        for name, child in sorted(module.children.items()):
            call = module.module_calls.get(name, {})
            child_path = join(path, f"module.{name}")
            for key, _each in instance_keys_of(evaluator, call, address):
                if len(out) >= MAX_MODULE_INSTANCES:
                    evaluator.note(f"over {MAX_MODULE_INSTANCES} module instances: not expanded")
                    return out
                child_address = join(address, f"module.{name}{key_suffix(key)}")
                out.append((child_address, child_path, child))
                stack.append((child_address, child_path, child))
    return out


def _is_sensitive(body: Any) -> bool:
    return isinstance(body, dict) and parse_raw(body.get("sensitive")) is True


def _sensitive_strings(
    evaluator: StaticEvaluator,
    modules: list[tuple[str, str, SourceModule]],
    instances: list[Instance],
    outputs: dict[str, OutputInfo],
) -> frozenset[str]:
    """Every value the sources mark sensitive, for the second redaction layer.

    Attributes derived from a sensitive variable (as Terraform marks them), and in
    every module instance the `sensitive = true` variables (their value and their
    literal default) and outputs. A value that cannot be evaluated is left out.
    """
    out: set[str] = set()
    for inst in instances:
        for name in inst.sensitive or {}:
            spellings(inst.values.get(name), out)
    for output in outputs.values():
        if output.sensitive:
            spellings(output.value, out)
    for instance, _path, module in modules:
        for name, body in module.variables.items():
            if _is_sensitive(body):
                _spell(out, partial(evaluator.variable, name, instance))
                _spell(out, partial(evaluator.raw, body.get("default"), instance))
        for name, body in module.outputs.items():
            if instance and _is_sensitive(body):
                _spell(out, partial(evaluator.module_outputs, instance, module), name)
    return frozenset(out)


def _spell(out: set[str], compute: Callable[[], Any], key: str | None = None) -> None:
    """Spellings of `compute()` (of its `key` when given); nothing when it cannot be had."""
    try:
        value = compute()
    except (CycleError, RecursionError):
        return
    if key is not None:
        value = value.get(key) if isinstance(value, dict) else None
    spellings(value, out)


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
    modules = _walk_modules(evaluator, root)
    for instance, path, module in modules:
        module_outputs[path] = {
            name: tuple(references_of(body.get("value"))) for name, body in module.outputs.items()
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
                for_each_refs=tuple(references_of(block.body.get("for_each"))),
                provider_key=evaluator.block_provider(path, block.body),
            )
            configs[conf.address] = conf
            for key, _each in instance_keys_of(evaluator, block.body, instance):
                address = join(instance, local) + key_suffix(key)
                values, marks = _values(evaluator, block, instance, key)
                inst = Instance(
                    address=address,
                    module_address=instance,
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
    for name, body in root.outputs.items():
        value = evaluator.raw(body.get("value"), "")
        is_sensitive = parse_raw(body.get("sensitive")) is True
        outputs[name] = OutputInfo(
            name, value, is_sensitive, tuple(references_of(body.get("value")))
        )
    sensitive = _sensitive_strings(evaluator, modules, instances, outputs)
    region = evaluator.region()
    model = PlanModel(
        instances=instances,
        configs=configs,
        variables=variables,
        outputs=outputs,
        module_outputs=module_outputs,
        region=region if isinstance(region, str) else None,
        provider_regions={
            key: value
            for key in root.providers
            if key.split(".")[0] == "aws" and isinstance(value := evaluator.region(key), str)
        },
        sensitive_strings=sensitive,
        sensitive_variables=frozenset(
            name
            for name, body in root.variables.items()
            if isinstance(body, dict) and parse_raw(body.get("sensitive")) is True
        ),
        format_version=None,
        static=True,
        terraform_version=None,
        has_configuration=True,
    )
    return model.with_source(SourceTree(root, model, evaluator))
