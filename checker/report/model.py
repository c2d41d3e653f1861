"""The report every engine feeds and every format renders (schema checker.report/v1)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from checker import __version__
from checker.rules.base import Severity, Status

SCHEMA = "checker.report/v1"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    engine: str
    engine_check_id: str
    status: str
    severity: str
    incident: int
    title: str
    address: str
    attribute: str
    message: str
    remediation: str
    input: str
    found: str = ""
    expected: str = ""
    note: str = ""
    error: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for optional in ("note", "found", "expected"):
            if not data[optional]:
                data.pop(optional)
        if not self.error:
            data.pop("error")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_status(self, status: str, **changes: Any) -> Finding:
        return replace(self, status=status, **changes)


@dataclass(frozen=True)
class InputInfo:
    path: str
    kind: str
    format_version: str | None = None
    terraform_version: str | None = None
    resources: int = 0
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "format_version": self.format_version,
            "terraform_version": self.terraform_version,
            "resources": self.resources,
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data


@dataclass(frozen=True)
class Gate:
    fail_on: Severity = Severity.LOW
    unknown: str = "warn"  # warn | fail


@dataclass
class Report:
    inputs: list[InputInfo]
    findings: list[Finding]
    gate: Gate = field(default_factory=Gate)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for finding in self.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return counts

    def gate_result(self) -> str:
        """passed, failed (policy findings) or error (an engine or rule could not run)."""
        if any(f.error for f in self.findings):
            return "error"
        for finding in self.findings:
            if (
                finding.status == Status.FAILED
                and Severity(finding.severity).rank >= self.gate.fail_on.rank
            ):
                return "failed"
            if finding.status == Status.UNKNOWN and self.gate.unknown == "fail":
                return "failed"
        return "passed"

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "schema": SCHEMA,
            "tool": {"name": "checker", "version": __version__},
            "inputs": [i.to_dict() for i in self.inputs],
            "summary": {
                "passed": counts["passed"],
                "failed": counts["failed"],
                "unknown": counts["unknown"],
                "waived": counts["waived"],
                "errors": sum(1 for f in self.findings if f.error),
                "gate": self.gate_result(),
                "fail_on": self.gate.fail_on.value,
                "unknown_policy": self.gate.unknown,
            },
            "findings": [f.to_dict() for f in self.findings],
        }


def exit_code(gate: str) -> int:
    return {"passed": 0, "failed": 1, "error": 3}[gate]
