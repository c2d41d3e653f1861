"""What the checker reads, by kind, and the one loader that matches on it.

An input is named on the command line: `-` (a plan on stdin), a directory (its `.tf`
files, static mode), or a file: a plan's JSON or a binary plan file (`terraform plan
-out`), told apart by its first bytes. Each kind becomes one `LoadedInput`: the rules'
model, with the HCL sources bound where they describe the same configuration
(`checker.source.bind`), and what the report says of the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.config import CheckerConfig
from checker.plan.model import PlanModel
from checker.plan.values import Value
from checker.report.model import InputInfo

if TYPE_CHECKING:
    from checker.terraform import BinaryPlanPolicy


class InputKind(StrEnum):
    PLAN_JSON = "plan"  # `terraform show -json PLAN` in a file
    BINARY_PLAN = "binary plan"  # `terraform plan -out`, converted by `terraform show -json`
    STDIN = "stdin"  # a plan's JSON piped in (`-`): no directory to take sources from
    HCL_DIR = "hcl"  # a directory of `.tf` files: static mode, no plan

    @property
    def is_plan(self) -> bool:
        return self is not InputKind.HCL_DIR

    @property
    def report_kind(self) -> str:
        """The `kind` a report gives the input: "plan" or "hcl"."""
        return "plan" if self.is_plan else "hcl"


PLAN_KINDS = frozenset(k for k in InputKind if k.is_plan)


@dataclass(frozen=True)
class LoadOptions:
    """What loading reads besides the input itself."""

    source: Path | None = None  # --source: the stack's .tf files, bound to every plan
    binary: BinaryPlanPolicy | None = None  # binary plans: refused or converted, and how


@dataclass
class LoadedInput:
    name: str
    kind: InputKind
    info: InputInfo
    model: PlanModel
    raw: dict[str, Any]
    # the plan's prior state as a model (`checker.plan.prior`); None for a create plan
    prior: PlanModel | None = None
    # the addresses the native rules read (their coverage); None until they ran
    read: frozenset[str] | None = None
    # resources changed outside Terraform: address -> (values stored, values refreshed)
    drifted: dict[str, tuple[dict[str, Value], dict[str, Value]]] = field(default_factory=dict)
    # address -> its address before the plan (Terraform's `previous_address`)
    moved: dict[str, str] = field(default_factory=dict)


def load(name: str, options: LoadOptions, config: CheckerConfig) -> LoadedInput:
    """The input `name` as the rules' model, whatever its kind."""
    from checker.plan.load import ZIP_MAGIC, read_bytes

    if name != "-" and Path(name).is_dir():
        return _directory(name, config)
    data, path = read_bytes(name)
    if path is None:
        return _plan(name, InputKind.STDIN, data, path, options, config)
    kind = InputKind.BINARY_PLAN if data.startswith(ZIP_MAGIC) else InputKind.PLAN_JSON
    return _plan(name, kind, data, path, options, config)


def _plan(
    name: str,
    kind: InputKind,
    data: bytes,
    path: Path | None,
    options: LoadOptions,
    config: CheckerConfig,
) -> LoadedInput:
    from checker.plan.build import build_model
    from checker.plan.load import load_plan
    from checker.plan.prior import build_prior_model, drifted_values
    from checker.source.bind import bind_sources

    notes: list[str] = []
    if kind is InputKind.BINARY_PLAN and path is not None:
        from checker.terraform import binary_plan_policy, show_json

        data, note = show_json(name, path, data, options.binary or binary_plan_policy())
        notes.append(note)
    loaded = load_plan(name, data)
    folder = path.parent if path is not None else None
    model, bound = bind_sources(
        build_model(loaded.document), options.source, folder, config.source, config.source_root
    )
    notes.extend(bound)
    if kind is InputKind.STDIN and model.source is None and options.source is None:
        notes.append(
            "read from stdin: there is no plan directory to take .tf sources from, so values "
            "the plan hides stay unknown; pass --source DIR (or [tool.checker] source) to bind them"
        )
    if not model.instances:
        notes.append("the plan has no resources at all: nothing was checked")
    info = InputInfo(
        path=name,
        kind=kind.report_kind,
        format_version=loaded.document.format_version,
        terraform_version=loaded.document.terraform_version,
        resources=sum(1 for i in model.instances if i.mode == "managed"),
        notes=tuple(notes),
    )
    prior = build_prior_model(loaded.document, model)
    drifted = drifted_values(loaded.document) if prior is not None else {}
    return LoadedInput(
        name=name,
        kind=kind,
        info=info,
        model=model,
        raw=loaded.raw,
        prior=prior,
        drifted=drifted,
        moved={
            rc.address: rc.previous_address
            for rc in loaded.document.resource_changes
            if rc.previous_address
        },
    )


def _directory(name: str, config: CheckerConfig) -> LoadedInput:
    """A directory of .tf files: the static HCL model (no plan, no Terraform)."""
    from checker.source.static_model import build_static_model

    model = build_static_model(Path(name), config.source_root)
    notes = ["static HCL mode: values computed by providers are unknown"]
    if model.source is not None:
        notes.extend(model.source.notes)
    info = InputInfo(
        path=name,
        kind=InputKind.HCL_DIR.report_kind,
        format_version=None,
        terraform_version=None,
        resources=sum(1 for i in model.instances if i.mode == "managed"),
        notes=tuple(notes),
    )
    return LoadedInput(name=name, kind=InputKind.HCL_DIR, info=info, model=model, raw={})
