"""The native engine: run every enabled rule on the model; a crashing rule becomes a finding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from checker.config import CheckerConfig
from checker.plan.model import PlanModel
from checker.report.model import Finding
from checker.rules.base import Result, Rule, RuleContext, Status
from checker.rules.registry import all_rules

ENGINE = "native"


def _finding(rule: Rule, result: Result, input_name: str) -> Finding:
    meta = rule.meta
    message = result.found
    if result.expected and result.status != Status.PASSED:
        message = f"{result.found}; expected {result.expected}"
    if result.note:
        message = f"{message} (note: {result.note})"
    return Finding(
        rule_id=meta.id,
        engine=ENGINE,
        engine_check_id=meta.id,
        status=result.status.value,
        severity=meta.severity.value,
        incident=meta.incident,
        title=meta.title,
        address=result.address,
        attribute=result.attribute,
        message=message,
        remediation=result.remediation or meta.remediation,
        input=input_name,
        found=result.found,
        expected=result.expected,
        note=result.note,
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "(sensitive)")
    return text


def scrub(finding: Finding, secrets: frozenset[str]) -> Finding:
    """No value the plan marks sensitive leaves the engine."""
    if not secrets:
        return finding
    ordered = sorted(secrets, key=len, reverse=True)
    changes: dict[str, Any] = {
        key: redact(value, ordered)
        for key, value in finding.__dict__.items()
        if isinstance(value, str) and key != "input"
    }
    return replace(finding, **changes)


def run_native(model: PlanModel, config: CheckerConfig, input_name: str) -> list[Finding]:
    findings: list[Finding] = []
    for rule in all_rules():
        if not config.enabled(rule.meta.id):
            continue
        ctx = RuleContext(model=model, options=config.options_for(rule.meta.id))
        try:
            results = list(rule.check(ctx))
        except Exception as error:  # a rule bug must never crash the gate
            findings.append(
                Finding(
                    rule_id=rule.meta.id,
                    engine=ENGINE,
                    engine_check_id=rule.meta.id,
                    status=Status.UNKNOWN.value,
                    severity=rule.meta.severity.value,
                    incident=rule.meta.incident,
                    title=rule.meta.title,
                    address="",
                    attribute="",
                    message=f"rule error: {type(error).__name__}: {error}"[:500],
                    remediation="report this plan shape to the checker maintainers",
                    input=input_name,
                    error=True,
                )
            )
            continue
        findings.extend(_finding(rule, result, input_name) for result in results)
    return [scrub(f, model.sensitive_strings) for f in findings]
