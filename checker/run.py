"""From inputs to one report: load each plan, bind its sources, run the engines."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.config import CheckerConfig
from checker.errors import InputError
from checker.gc_tuning import fewer_collections
from checker.plan.model import Instance, PlanModel
from checker.plan.sensitive import Secrets, secrets_of
from checker.report.model import Finding, Gate, InputInfo, Report
from checker.results import Status
from checker.terminal import step

if TYPE_CHECKING:
    from checker.terraform import BinaryPlanPolicy


@dataclass(frozen=True)
class CheckOptions:
    engines: tuple[str, ...] = ("native",)
    source: Path | None = None
    gate: Gate = field(default_factory=Gate)
    waivers: Path | None = None
    baseline: Path | None = None
    today: dt.date | None = None
    jobs: int = 1
    # binary plan files: refused or converted, and with which providers (None: from the
    # environment, refused in CI mode); see checker.terraform
    binary: BinaryPlanPolicy | None = None
    # the stack directory the inputs stand for when their own path does not say it
    # (`checker apply` checks a temporary plan file of the working directory's stack)
    stack_dir: Path | None = None


def _bind_sources(
    model: PlanModel, plan_path: Path | None, options: CheckOptions, config: CheckerConfig
) -> tuple[PlanModel, list[str]]:
    """The model with the first matching HCL source bound, and notes on what was tried."""
    from checker.source.bind import bind_source
    from checker.source.files import source_files
    from checker.source.hcl import has_tf_files, load_module

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
        files = source_files(directory, config.source_root)
        tree, why = bind_source(load_module(directory, files), model)
        notes.extend(files.notes)
        if tree is not None:
            notes.append(f"HCL sources from {directory} used for values the plan hides")
            return model.with_source(tree), notes
        notes.append(why)
    return model, notes


@dataclass
class LoadedInput:
    name: str
    info: InputInfo
    model: PlanModel
    raw: dict[str, Any]


def load_input(name: str, options: CheckOptions, config: CheckerConfig) -> LoadedInput:
    from checker.plan.load import load_plan
    from checker.plan.model import build_model

    loaded = load_plan(name, binary=options.binary)
    model = build_model(loaded.document)
    model, notes = _bind_sources(model, loaded.path, options, config)
    notes = [*loaded.notes, *notes]
    if name == "-" and model.source is None and options.source is None:
        notes.append(
            "read from stdin: there is no plan directory to take .tf sources from, so values "
            "the plan hides stay unknown; pass --source DIR (or [tool.checker] source) to bind them"
        )
    if not model.instances:
        notes.append("the plan has no resources at all: nothing was checked")
    info = InputInfo(
        path=name,
        kind="plan",
        format_version=loaded.document.format_version,
        terraform_version=loaded.document.terraform_version,
        resources=sum(1 for i in model.instances if i.mode == "managed"),
        notes=tuple(notes),
    )
    return LoadedInput(name=name, info=info, model=model, raw=loaded.raw)


def load_directory(name: str, config: CheckerConfig) -> LoadedInput:
    """A directory of .tf files: the static HCL model (no plan, no Terraform)."""
    from checker.source.static_model import build_static_model

    model = build_static_model(Path(name), config.source_root)
    notes = ["static HCL mode: values computed by providers are unknown"]
    if model.source is not None:
        notes.extend(model.source.notes)
    info = InputInfo(
        path=name,
        kind="hcl",
        format_version=None,
        terraform_version=None,
        resources=sum(1 for i in model.instances if i.mode == "managed"),
        notes=tuple(notes),
    )
    return LoadedInput(name=name, info=info, model=model, raw={})


def run_engines(
    inputs: list[LoadedInput], options: CheckOptions, config: CheckerConfig
) -> list[Finding]:
    """Every engine over every input; engines that run once for many inputs do so."""
    from checker.engines.native import run_native, scrub

    findings: list[Finding] = []
    models = {i.name: i.model for i in inputs}
    for engine in options.engines:
        step(f"running {engine} on {len(inputs)} input{'s' if len(inputs) != 1 else ''}")
        if engine == "native":
            for item in inputs:
                findings.extend(run_native(item.model, config, item.name))
        elif engine == "checkov":
            from checker.engines.checkov import CheckovInput, run_checkov

            plans = [i for i in inputs if i.info.kind == "plan"]
            found = run_checkov(
                [CheckovInput(i.name, i.model, i.raw) for i in plans], config.rule_options
            )
            findings.extend(scrub(f, models[f.input]) for f in found)
        elif engine == "compliance":
            from checker.engines.compliance import ComplianceInput, run_compliance

            plans = [i for i in inputs if i.info.kind == "plan"]
            found = run_compliance([ComplianceInput(i.name, i.model, i.raw) for i in plans])
            findings.extend(scrub(f, models[f.input]) for f in found)
        else:
            raise InputError(f"unknown engine {engine!r}", "use native, checkov, compliance or all")
    return findings


def _origin(model: PlanModel, finding: Finding) -> tuple[Instance | None, int | None]:
    """The instance (and policy statement) a finding's `origin` names, when it names one."""
    if not finding.origin:
        return None, None
    address, _, index = finding.origin.partition(" statement ")
    statement = int(index) if index.isdigit() else None
    return model.instance(address), statement


def _wrong_line(model: PlanModel, inst: Instance, finding: Finding) -> tuple[str, int] | None:
    """(file, line) of what makes the rule fail: the origin's statement or block, else the
    finding's attribute (its first step: `point_in_time_recovery` of `...enabled`)."""
    origin, statement = _origin(model, finding)
    if origin is not None and (origin is not inst or statement is not None):
        found = model.source_member_location(origin, "", statement)
        if found is not None:
            return found
    name = re.split(r"[.\[ ]", finding.attribute, maxsplit=1)[0]
    return model.source_member_location(inst, name) if name else None


def _locate(findings: list[Finding], inputs: list[LoadedInput]) -> list[Finding]:
    """Point findings at the .tf line that is wrong (a policy statement, an attribute) when
    sources are bound, with the resource's own line beside it."""
    from checker.report.scope import shown_path

    models = {i.name: i.model for i in inputs}
    shown: dict[str, str] = {}  # one repository lookup per file, not per finding

    def show(path: str) -> str:
        if path not in shown:
            shown[path] = shown_path(Path(path))
        return shown[path]

    out: list[Finding] = []
    for finding in findings:
        model = models.get(finding.input)
        inst = model.instance(finding.address) if model is not None else None
        where = model.source_location(inst) if model is not None and inst is not None else None
        if model is None or inst is None or where is None:
            out.append(finding)
            continue
        wrong = _wrong_line(model, inst, finding) or where
        out.append(
            replace(
                finding,
                file=show(wrong[0]),
                line=wrong[1],
                resource_file=show(where[0]) if wrong != where else "",
                resource_line=where[1] if wrong != where else 0,
            )
        )
    return out


def _inline(
    findings: list[Finding], inputs: list[LoadedInput], options: CheckOptions, disabled: list[str]
) -> tuple[list[Finding], list[str]]:
    """Apply the `# checker:ignore` comments of the bound sources (`checker.source.suppressions`)."""
    from checker.source.suppressions import Suppression

    today = options.today or dt.date.today()
    models = {i.name: i.model for i in inputs}
    seen: dict[Suppression, None] = {}
    for item in inputs:
        if item.model.source is not None:
            for each in item.model.instances:
                seen.update(dict.fromkeys(item.model.source_suppressions(each)))
    if not seen:
        return findings, []
    used: set[tuple[Suppression, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        model = models.get(finding.input)
        inst = model.instance(finding.address) if model is not None else None
        found = model.source_suppressions(inst) if model is not None and inst is not None else ()
        origin = _origin(model, finding)[0] if model is not None else None
        if model is not None and origin is not None and origin is not inst:
            # a comment above the policy document (or a statement in it) speaks for it too
            found = (*found, *model.source_suppressions(origin))
        for suppression in found:
            if finding.rule_id in suppression.rules:
                used.add((suppression, finding.rule_id))
        live = next((s for s in found if finding.rule_id in s.rules and s.expires >= today), None)
        if live is not None and finding.status in (Status.FAILED, Status.UNKNOWN):
            finding = replace(finding, status=Status.WAIVED.value, waiver=live.waiver_text())
        out.append(finding)
    warnings: list[str] = []
    for suppression in seen:
        if suppression.expires < today:
            warnings.append(
                f"inline suppression expired on {suppression.expires.isoformat()}, "
                f"no longer waives: {suppression.describe()}"
            )
            continue
        idle = [r for r in suppression.rules if (suppression, r) not in used and r not in disabled]
        if idle:
            warnings.append(
                f"inline suppression matches no finding of {', '.join(idle)}: "
                f"{suppression.describe()}"
            )
    return out, warnings


def _policy(
    findings: list[Finding], names: list[str], options: CheckOptions
) -> tuple[list[Finding], list[str]]:
    """Stacks, waivers and baseline: what the gate forgives (`checker.report.policy`)."""
    from checker.report.policy import forgive, scope_findings
    from checker.report.scope import input_folder, stack_of

    stacks = {n: stack_of(n, options.stack_dir, options.source) for n in names}
    findings = scope_findings(findings, stacks)
    folders = [input_folder(n, options.stack_dir, options.source) for n in names]
    today = options.today or dt.date.today()
    return forgive(findings, folders, options.waivers, options.baseline, today)


def _load(name: str, options: CheckOptions, config: CheckerConfig) -> LoadedInput:
    if name != "-" and Path(name).is_dir():
        return load_directory(name, config)
    return load_input(name, options, config)


Checked = tuple[InputInfo, list[Finding], list[str], frozenset[str]]


def _native_one(name: str, options: CheckOptions, config: CheckerConfig) -> Checked:
    """One input, loaded and checked by the native engine (a process-pool task)."""
    with fewer_collections():
        return _native_one_uncollected(name, options, config)


def _native_one_uncollected(name: str, options: CheckOptions, config: CheckerConfig) -> Checked:
    """Info, findings and warnings of one input, and its sensitive strings (`_hide_copies`)."""
    item = _load(name, options, config)
    disabled = _disabled(config)
    located = _locate(run_engines([item], options, config), [item])
    findings, warnings = _inline(
        [f for f in located if f.rule_id not in disabled], [item], options, disabled
    )
    return item.info, findings, warnings, item.model.sensitive_strings


def _check_in_pool(
    names: list[str], options: CheckOptions, config: CheckerConfig
) -> tuple[list[InputInfo], list[Finding], list[str], frozenset[str]]:
    from concurrent.futures import ProcessPoolExecutor

    infos: list[InputInfo] = []
    findings: list[Finding] = []
    warnings: list[str] = []
    sensitive: set[str] = set()
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for info, found, noted, strings in pool.map(
            _native_one, names, [options] * len(names), [config] * len(names), chunksize=4
        ):
            infos.append(info)
            findings.extend(found)
            warnings.extend(noted)
            sensitive.update(strings)
    return infos, findings, warnings, frozenset(sensitive)


def check_inputs(names: list[str], options: CheckOptions, config: CheckerConfig) -> Report:
    """Check every input; with --jobs N and the native engine only, N processes share them."""
    with fewer_collections():
        return _check_inputs(names, options, config)


def _check_inputs(names: list[str], options: CheckOptions, config: CheckerConfig) -> Report:
    disabled = _disabled(config)
    if options.jobs > 1 and len(names) > 1 and options.engines == ("native",) and "-" not in names:
        infos, findings, inline_warnings, sensitive = _check_in_pool(names, options, config)
    else:
        inputs = []
        for index, name in enumerate(names, 1):
            step(f"loading {name}" + (f" ({index}/{len(names)})" if len(names) > 1 else ""))
            inputs.append(_load(name, options, config))
        infos = [i.info for i in inputs]
        sensitive = frozenset().union(*(i.model.sensitive_strings for i in inputs))
        located = _locate(run_engines(inputs, options, config), inputs)
        findings, inline_warnings = _inline(
            [f for f in located if f.rule_id not in disabled], inputs, options, disabled
        )
    findings, warnings = _policy(findings, names, options)
    warnings = [*config.warnings, *inline_warnings, *warnings]
    if disabled:
        where = f" by {config.origin}" if config.origin else ""
        warnings.insert(0, f"rules disabled{where}: {', '.join(disabled)}")
    for info in infos:
        if info.kind == "plan" and info.resources == 0:
            warnings.append(f"{info.path}: the plan has no resources; nothing was checked")
    infos, findings, warnings = _hide_copies(secrets_of(sensitive), infos, findings, warnings)
    return Report(
        inputs=infos,
        findings=findings,
        gate=options.gate,
        warnings=warnings,
        disabled=disabled,
        not_applicable=_not_applicable(findings, infos, options, config, disabled),
        engine_coverage=engine_coverage(options.engines),
    )


def engine_coverage(engines: tuple[str, ...]) -> list[str]:
    """One line per external engine: the rules it asserts, in part, and not at all."""
    from checker.engines.coverage import coverage

    lines: list[str] = []
    for engine in engines:
        if engine == "native":
            continue
        table = coverage(engine)
        by_level = {
            level: [c.rule_id for c in table if c.level == level]
            for level in ("full", "partial", "none")
        }
        lines.append(
            f"{engine} asserts {', '.join(by_level['full']) or 'no rule'}"
            + (f"; in part {', '.join(by_level['partial'])}" if by_level["partial"] else "")
            + (f"; not {', '.join(by_level['none'])}" if by_level["none"] else "")
            + " (why: checker/policies/coverage.toml)"
        )
    return lines


def _hide_copies(
    secrets: Secrets, infos: list[InputInfo], findings: list[Finding], warnings: list[str]
) -> tuple[list[InputInfo], list[Finding], list[str]]:
    """The second redaction layer over the whole report, every engine's findings included.

    A value marked sensitive in any input is hidden wherever its text stands: in
    findings (of every input: one report shows them all), waivers, input notes
    and warnings. The engines already searched their texts before shortening them
    (`checker.engines.native`); this pass catches what was added after them.
    Reports merged by `checker report` have no plan, so nothing is marked there.
    """
    if secrets.empty:
        return infos, findings, warnings
    from checker.engines.native import hide_copies

    infos = [replace(i, notes=tuple(secrets.hide(n) for n in i.notes)) for i in infos]
    findings = [hide_copies(f, secrets) for f in findings]
    return infos, findings, [secrets.hide(w) for w in warnings]


def _not_applicable(
    findings: list[Finding],
    infos: list[InputInfo],
    options: CheckOptions,
    config: CheckerConfig,
    disabled: list[str],
) -> list[str]:
    """Enabled native rules that yielded nothing for some input: their subject is absent there.

    A rule that cannot see its subject says `unknown`; one whose subject is not in
    the input has no finding at all, and is named here rather than silently omitted.
    """
    if "native" not in options.engines:
        return []
    judged: dict[str, set[str]] = {}
    for finding in findings:
        if finding.engine == "native":
            judged.setdefault(finding.input, set()).add(finding.rule_id)
    rules = [r.meta.id for r in config.rules() if r.meta.id not in disabled]
    return sorted(
        {rule for info in infos for rule in rules if rule not in judged.get(info.path, set())}
    )


def _disabled(config: CheckerConfig) -> list[str]:
    return config.disabled_rules([rule.meta.id for rule in config.rules()])
