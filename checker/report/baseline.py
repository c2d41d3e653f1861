"""Baseline: adopt the checker on a legacy stack; only failures new since OLD.json fail the gate.

A failure is known when the baseline holds the same rule, stack and address:
a baseline of stack A never hides a new failure at the same address in stack
B. A baseline written by an older checker has no stacks; its failures match
on rule and address as they always did, and a warning says so.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from checker.report.model import Finding, load_report
from checker.results import Status


@dataclass(frozen=True)
class Baseline:
    scoped: frozenset[tuple[str, str, str]]  # (rule_id, stack, address)
    unscoped: frozenset[tuple[str, str]]  # (rule_id, address) of findings without a stack
    origin: str = ""

    def knows(self, finding: Finding) -> bool:
        if (finding.rule_id, finding.address) in self.unscoped:
            return True
        return (finding.rule_id, finding.stack, finding.address) in self.scoped

    def warnings(self) -> list[str]:
        if not self.unscoped:
            return []
        return [
            f"baseline {self.origin} has no stacks (written by an older checker): its "
            f"{len(self.unscoped)} failure(s) match on rule and address in every stack; "
            "write it again to scope them"
        ]


def load_baseline(path: Path, known_rules: Collection[str]) -> Baseline:
    """Every failure (and waived failure) of a previous JSON report."""
    old = load_report(path, known_rules)
    known = [f for f in old.findings if f.status in (Status.FAILED, Status.WAIVED)]
    return Baseline(
        scoped=frozenset((f.rule_id, f.stack, f.address) for f in known if f.stack),
        unscoped=frozenset((f.rule_id, f.address) for f in known if not f.stack),
        origin=str(path),
    )


def apply_baseline(findings: list[Finding], known: Baseline) -> list[Finding]:
    return [
        replace(f, baselined=True) if f.status == Status.FAILED and known.knows(f) else f
        for f in findings
    ]
