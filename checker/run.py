"""From inputs to one report, one pipeline for one process or many:
load (`checker.inputs`) -> engines (`checker.engines.registry`) -> locate
(`checker.locate`) -> inline waivers (`checker.inline_waivers`) -> what the gate forgives
(`checker.report.policy`) -> report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.config import CheckerConfig
from checker.engines.names import EngineName
from checker.gc_tuning import fewer_collections
from checker.plan.sensitive import Secrets, secrets_of
from checker.report.model import Finding, Gate, InputInfo, Report, RuleSummary
from checker.terminal import step

if TYPE_CHECKING:
    from checker.inputs import LoadedInput
    from checker.terraform import BinaryPlanPolicy


@dataclass(frozen=True)
class CheckOptions:
    engines: tuple[EngineName, ...] = (EngineName.NATIVE,)
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
    # --prior-source: the base revision's .tf files, for what an update plan cannot tell
    # (`checker.history`)
    prior_source: Path | None = None


def _policy(
    findings: list[Finding], names: list[str], options: CheckOptions, known_rules: set[str]
) -> tuple[list[Finding], list[str]]:
    """Stacks, waivers and baseline: what the gate forgives (`checker.report.policy`)."""
    from checker.report.policy import forgive, scope_findings
    from checker.report.scope import input_folder, stack_of

    stacks = {n: stack_of(n, options.stack_dir, options.source) for n in names}
    findings = scope_findings(findings, stacks)
    folders = [input_folder(n, options.stack_dir, options.source) for n in names]
    today = options.today or dt.date.today()
    return forgive(findings, folders, options.waivers, options.baseline, today, known_rules)


Checked = tuple[list[InputInfo], list[Finding], list[str], frozenset[str]]


def _check_all(names: Sequence[str], options: CheckOptions, config: CheckerConfig) -> Checked:
    """Load, run the engines, locate and apply inline waivers: the inputs' infos, findings,
    warnings and sensitive strings (`_hide_copies`). One process's share of the pipeline."""
    from checker.engines.registry import run_engines
    from checker.inline_waivers import apply_inline
    from checker.inputs import LoadOptions, load
    from checker.locate import locate
    from checker.trace import with_traces

    load_options = LoadOptions(source=options.source, binary=options.binary)
    inputs: list[LoadedInput] = []
    for index, name in enumerate(names, 1):
        step(f"loading {name}" + (f" ({index}/{len(names)})" if len(names) > 1 else ""))
        inputs.append(load(name, load_options, config))
    disabled = _disabled(config)
    found = run_engines(inputs, options.engines, config)
    located = with_traces(
        locate(_with_changes(found, inputs, config, options.prior_source), inputs), inputs
    )
    today = options.today or dt.date.today()
    findings, warnings = apply_inline(
        [f for f in located if f.rule_id not in disabled], inputs, today, disabled
    )
    sensitive = frozenset().union(*(i.model.sensitive_strings for i in inputs))
    return _with_coverage(inputs, findings, config, disabled), findings, warnings, sensitive


def _with_coverage(
    inputs: list[LoadedInput], findings: list[Finding], config: CheckerConfig, disabled: list[str]
) -> list[InputInfo]:
    """Each input's info with what the native rules left unchecked in it."""
    from checker.unchecked import coverage_of

    rules = [r for r in config.rules() if r.meta.id not in disabled]
    by_input: dict[str, list[Finding]] = {}
    for finding in findings:
        by_input.setdefault(finding.input, []).append(finding)
    out: list[InputInfo] = []
    for item in inputs:
        if item.read is None:  # the native engine did not run
            out.append(item.info)
            continue
        own = by_input.get(item.name, [])
        out.append(replace(item.info, coverage=coverage_of(item, own, rules)))
    return out


def _with_changes(
    findings: list[Finding],
    inputs: list[LoadedInput],
    config: CheckerConfig,
    prior_source: Path | None,
) -> list[Finding]:
    """Each input's findings told introduced, inherited or fixed by its prior state (and
    the base revision's sources, when given); the drift that turns a verdict noted on its
    info."""
    from checker.drift import drift_of
    from checker.engines.native import judge, run_native
    from checker.history import base_verdicts, classify, prior_of

    base = None
    if prior_source is not None and any(i.prior is not None for i in inputs):
        from checker.source.static_model import build_static_model

        static = build_static_model(prior_source)
        base = base_verdicts(run_native(static, config, str(prior_source)))
    by_input: dict[str, list[Finding]] = {}
    for finding in findings:
        by_input.setdefault(finding.input, []).append(finding)
    out: list[Finding] = []
    for item in inputs:
        if not item.kind.is_plan:
            continue
        run = judge(item.prior, config, item.name) if item.prior is not None else None
        out.extend(classify(by_input.pop(item.name, []), prior_of(item, run, base)))
        if run is not None:
            item.info = replace(item.info, drift=drift_of(item, config, run))
    for rest in by_input.values():
        out.extend(rest)
    return out


def _check_one(name: str, options: CheckOptions, config: CheckerConfig) -> Checked:
    """One input through the pipeline (a process-pool task)."""
    with fewer_collections():
        return _check_all([name], options, config)


def _check_in_pool(names: list[str], options: CheckOptions, config: CheckerConfig) -> Checked:
    """The same pipeline, one input per task, in `options.jobs` processes."""
    from concurrent.futures import ProcessPoolExecutor

    infos: list[InputInfo] = []
    findings: list[Finding] = []
    warnings: list[str] = []
    sensitive: set[str] = set()
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for info, found, noted, strings in pool.map(
            _check_one, names, [options] * len(names), [config] * len(names), chunksize=4
        ):
            infos.extend(info)
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
    # engines that are programs run once for every input, so only a native check is shared out
    pooled = options.engines == (EngineName.NATIVE,) and "-" not in names
    if options.jobs > 1 and len(names) > 1 and pooled:
        infos, findings, inline_warnings, sensitive = _check_in_pool(names, options, config)
    else:
        infos, findings, inline_warnings, sensitive = _check_all(names, options, config)
    rules = config.rules()
    findings, warnings = _policy(findings, names, options, {r.meta.id for r in rules})
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
        rules=[
            RuleSummary(m.id, m.title, m.severity, m.rationale, m.remediation, m.incident)
            for m in (r.meta for r in rules)
        ],
    )


def engine_coverage(engines: tuple[EngineName, ...]) -> list[str]:
    """One line per external engine: the rules it asserts, in part, and not at all."""
    from checker.engines.coverage import coverage

    lines: list[str] = []
    for engine in engines:
        if engine == EngineName.NATIVE:
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
            + " (why: checker rules --format markdown)"
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
    from checker.engines.redaction import hide_copies

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
    if EngineName.NATIVE not in options.engines:
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
