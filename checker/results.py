"""The result types every layer shares: a rule's severity, a finding's status, the engine
that found it, the gate's verdict.

Rules produce them, engines carry them, reports render them: they live below all
three, so that no report imports the rule layer for two enums.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    WAIVED = "waived"


class GateResult(StrEnum):
    """What the gate decides of a report; the exit code follows it."""

    PASSED = "passed"  # exit 0
    FAILED = "failed"  # exit 1
    ERROR = "error"  # exit 3: something could not be checked

    @property
    def exit_code(self) -> int:
        return {GateResult.PASSED: 0, GateResult.FAILED: 1, GateResult.ERROR: 3}[self]


class EngineName(StrEnum):
    """The engines, named once: the CLI, the gate, the pipeline, coverage and the installer
    read this enum (`checker.engines.registry` runs them)."""

    NATIVE = "native"  # the TAP rules, in this process
    CHECKOV = "checkov"  # the custom checkov checks, in checkov's own environment
    COMPLIANCE = "compliance"  # the terraform-compliance features, in its own environment


EXTERNAL_ENGINES = (EngineName.CHECKOV, EngineName.COMPLIANCE)  # the engines that are programs
