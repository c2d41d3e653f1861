"""Baseline: adopt the checker on a legacy stack; only failures new since OLD.json fail the gate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from checker.report.model import Finding, load_report
from checker.rules.base import Status


def load_baseline(path: Path) -> set[tuple[str, str]]:
    """(rule_id, address) of every failure of a previous JSON report."""
    old = load_report(path)
    return {
        (f.rule_id, f.address) for f in old.findings if f.status in (Status.FAILED, Status.WAIVED)
    }


def apply_baseline(findings: list[Finding], known: set[tuple[str, str]]) -> list[Finding]:
    return [
        replace(f, baselined=True)
        if f.status == Status.FAILED and (f.rule_id, f.address) in known
        else f
        for f in findings
    ]
