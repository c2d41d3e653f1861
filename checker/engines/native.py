"""The native engine: run every enabled rule on the model; a crashing rule becomes a finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from checker.config import CheckerConfig
from checker.engines.names import EngineName
from checker.engines.redaction import hide_copies, shorten
from checker.inputs import InputKind, LoadedInput
from checker.plan.evidence import (
    CONFIGURATION,
    PLAN,
    STATE,
    describe,
    gathering,
    recording_reads,
)
from checker.plan.model import PlanModel
from checker.plan.sensitive import (
    NO_SECRETS,
    REDACTED,
    Secrets,
    secrets_of,
    tracking,
)
from checker.report.model import Finding
from checker.rules.base import Edit, NeedsPerson, Result, Rule, RuleContext, Status

ENGINE = EngineName.NATIVE.value
SOURCE = "source (static evaluation)"


def _finding(
    rule: Rule,
    result: Result,
    input_name: str,
    hidden: bool,
    evidence: str = "",
    secrets: Secrets = NO_SECRETS,
) -> Finding:
    """One result as a finding; `hidden` when the rule read a sensitive value before it.

    Copies of sensitive values are searched in the whole texts, before they are
    shortened: a value cut in two by `shorten` would no longer be found.
    """
    meta = rule.meta
    found, expected, note = result.found, result.expected, result.note
    remediation = result.remediation or meta.remediation
    if hidden:
        found, expected, note, remediation = REDACTED, "", "", meta.remediation
    found, expected, note, remediation = (
        secrets.hide(text) for text in (found, expected, note, remediation)
    )
    found, expected, note = shorten(found), shorten(expected), shorten(note)
    message = found
    if expected and result.status != Status.PASSED:
        message = f"{found}; expected {expected}"
    if note:
        message = f"{message} (note: {note})"
    finding = Finding(
        rule_id=meta.id,
        engine=ENGINE,
        engine_check_id=meta.id,
        status=result.status,
        severity=meta.severity,
        incident=meta.incident,
        title=meta.title,
        address=result.address,
        attribute=result.attribute,
        message=message,
        remediation=remediation,
        input=input_name,
        found=found,
        expected=expected,
        note=note,
        evidence=evidence,
        origin=result.origin,
        fix=_fix_text(rule, result),
    )
    return hide_copies(finding, secrets)  # a value spanning the joins of `message`


def _fix_text(rule: Rule, result: Result) -> str:
    """What a failed finding says of its fix: "available", "manual: WHY" (the result's
    reason, else the rule's), or nothing when neither says."""
    if result.status != Status.FAILED:
        return ""
    if isinstance(result.fix, NeedsPerson):
        return f"manual: {result.fix.reason}"
    if result.fix:
        return "available"
    return f"manual: {rule.meta.needs_person}" if rule.meta.needs_person else ""


PLAN_ONLY_HINT = "the stack's .tf files (--source DIR) settle what this plan hides"
STATIC_HINT = "a plan (terraform show -json) settles what only the providers know"


def _settle_hint(result: Result, model: PlanModel) -> Result:
    """An `unknown` says what would settle it: the sources for a plan, a plan for sources."""
    if result.status != Status.UNKNOWN:
        return result
    if model.static:
        hint = STATIC_HINT
    elif model.source is None and model.has_configuration:
        hint = PLAN_ONLY_HINT
    else:
        return result
    return replace(result, note=f"{result.note}; {hint}" if result.note else hint)


def _origins(origins: list[str], static: bool) -> str:
    """The origins read for one result; in static mode the "plan" is the evaluated source."""
    if static:
        origins = [SOURCE if o in (PLAN, STATE, CONFIGURATION) else o for o in origins]
        origins = list(dict.fromkeys(origins))
    return describe(origins or [SOURCE if static else PLAN])


@dataclass(frozen=True)
class NativeRun:
    """The rules' findings on one model, and what they read to give them."""

    findings: list[Finding]
    # each failed finding a rule gave edits for, with them (`checker fix`)
    fixes: list[tuple[Finding, tuple[Edit, ...]]]
    # rule -> every origin it read in its whole run (a result's own evidence misses what the
    # rule computed once for all its results)
    origins: dict[str, frozenset[str]]
    # rule -> the addresses of the instances it read (a view several rules share is read
    # by the first that asks)
    reads: dict[str, frozenset[str]]

    @property
    def read(self) -> frozenset[str]:
        """The addresses of every instance any rule read."""
        return frozenset().union(*self.reads.values())


def run_native(model: PlanModel, config: CheckerConfig, input_name: str) -> list[Finding]:
    return judge(model, config, input_name).findings


def judge(model: PlanModel, config: CheckerConfig, input_name: str) -> NativeRun:
    """Every enabled rule on `model`."""
    fixes: list[tuple[Finding, tuple[Edit, ...]]] = []
    findings, origins, reads = _run_rules(model, config, input_name, fixes)
    return NativeRun(findings, fixes, origins, reads)


def _run_rules(
    model: PlanModel,
    config: CheckerConfig,
    input_name: str,
    fixes: list[tuple[Finding, tuple[Edit, ...]]],
) -> tuple[list[Finding], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    findings: list[Finding] = []
    read: dict[str, frozenset[str]] = {}
    reads: dict[str, frozenset[str]] = {}
    static = model.static
    secrets = secrets_of(model.sensitive_strings)  # the second layer, behind the taint
    for rule in config.rules():
        if not config.enabled(rule.meta.id):
            continue
        ctx = RuleContext(model=model, options=config.options_for(rule.meta.id))
        try:
            with tracking() as scope, gathering() as origins, recording_reads() as addresses:
                # Taint is cumulative: every result after the first sensitive read is hidden.
                # Evidence is not: each result names the origins read since the one before.
                seen: set[str] = set()
                for result in rule.check(ctx):
                    evidence = _origins(origins, static)
                    seen.update(origins)
                    origins.clear()
                    result = _settle_hint(result, model)
                    finding = _finding(rule, result, input_name, scope.tainted, evidence, secrets)
                    findings.append(finding)
                    if isinstance(result.fix, tuple) and result.status == Status.FAILED:
                        fixes.append((finding, result.fix))
                read[rule.meta.id] = frozenset(seen | set(origins))
                reads[rule.meta.id] = frozenset(addresses)
        except Exception as error:  # a rule bug must never crash the gate
            findings.append(
                Finding(
                    rule_id=rule.meta.id,
                    engine=ENGINE,
                    engine_check_id=rule.meta.id,
                    status=Status.UNKNOWN,
                    severity=rule.meta.severity,
                    incident=rule.meta.incident,
                    title=rule.meta.title,
                    address="",
                    attribute="",
                    message=f"rule error: {type(error).__name__}",
                    remediation="report this plan shape to the checker maintainers",
                    input=input_name,
                    error=True,
                )
            )
    return findings, read, reads


class NativeEngine:
    """The TAP rules (and users' packs), in this process, on plans and static models alike."""

    name = EngineName.NATIVE
    accepts = frozenset(InputKind)

    def run(self, inputs: Sequence[LoadedInput], config: CheckerConfig) -> list[Finding]:
        findings: list[Finding] = []
        for item in inputs:
            run = judge(item.model, config, item.name)
            item.read = run.read
            findings.extend(run.findings)
        return findings
