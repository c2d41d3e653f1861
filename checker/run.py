"""From inputs to one report: load each plan, bind its sources, run the engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from checker.config import CheckerConfig
from checker.errors import InputError
from checker.report.model import Finding, Gate, InputInfo, Report


@dataclass(frozen=True)
class CheckOptions:
    engines: tuple[str, ...] = ("native",)
    source: Path | None = None
    gate: Gate = field(default_factory=Gate)


def _bind_sources(
    model: object, plan_path: Path | None, options: CheckOptions, config: CheckerConfig
) -> list[str]:
    from checker.plan.model import PlanModel
    from checker.source.expr import bind_source
    from checker.source.hcl import has_tf_files, load_module

    assert isinstance(model, PlanModel)
    candidates: list[Path] = []
    if options.source is not None:
        if not options.source.is_dir():
            raise InputError(
                f"{options.source}: source directory not found",
                "pass --source DIR with the stack's .tf files",
            )
        candidates.append(options.source)
    elif plan_path is not None and has_tf_files(plan_path.parent):
        candidates.append(plan_path.parent)
    elif config.source is not None:
        candidates.append(config.source)
    notes: list[str] = []
    for directory in candidates:
        if not has_tf_files(directory):
            notes.append(f"no .tf files in {directory}; sources not used")
            continue
        tree, why = bind_source(load_module(directory), model)
        if tree is not None:
            model.source = tree
            notes.append(f"HCL sources from {directory} used for values the plan hides")
            break
        notes.append(why)
    return notes


def check_plan(
    name: str, options: CheckOptions, config: CheckerConfig
) -> tuple[InputInfo, list[Finding]]:
    from checker.engines.native import run_native
    from checker.plan.load import load_plan
    from checker.plan.model import build_model

    loaded = load_plan(name)
    model = build_model(loaded.document)
    notes = _bind_sources(model, loaded.path, options, config)
    findings: list[Finding] = []
    for engine in options.engines:
        if engine == "native":
            findings.extend(run_native(model, config, name))
        else:
            raise InputError(f"engine {engine!r} is not available yet", "use --engine native")
    info = InputInfo(
        path=name,
        kind="plan",
        format_version=loaded.document.format_version,
        terraform_version=loaded.document.terraform_version,
        resources=sum(1 for i in model.instances if i.mode == "managed"),
        notes=tuple(notes),
    )
    return info, findings


def check_inputs(names: list[str], options: CheckOptions, config: CheckerConfig) -> Report:
    inputs: list[InputInfo] = []
    findings: list[Finding] = []
    for name in names:
        if name != "-" and Path(name).is_dir():
            raise InputError(
                f"{name}: is a directory; checking .tf directories without a plan is not supported yet",
                "run 'terraform plan -out=tfplan && terraform show -json tfplan > plan.json' and check plan.json",
            )
        info, found = check_plan(name, options, config)
        inputs.append(info)
        findings.extend(found)
    return Report(inputs=inputs, findings=findings, gate=options.gate)
