"""The report every engine feeds and every format renders (schema checker.report/v1)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from checker import __version__
from checker.errors import InputError
from checker.rules.base import Severity, Status

SCHEMA = "checker.report/v1"
OPTIONAL = ("found", "expected", "note", "file", "line", "waiver", "baselined", "error")


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
    file: str = ""  # the .tf file of the resource, when the source is known
    line: int = 0
    waiver: str = ""  # who waived it, why, until when
    baselined: bool = False  # failed already in the baseline report: does not fail the gate

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in OPTIONAL:
            if not data[key]:
                data.pop(key)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


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
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for finding in self.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return counts

    def gating(self, finding: Finding) -> bool:
        """Does this finding, on its own, fail the gate?"""
        if finding.status == Status.FAILED:
            return (
                not finding.baselined and Severity(finding.severity).rank >= self.gate.fail_on.rank
            )
        return finding.status == Status.UNKNOWN and self.gate.unknown == "fail"

    def gate_result(self) -> str:
        """passed, failed (policy findings) or error (an engine or rule could not run)."""
        if any(f.error for f in self.findings):
            return "error"
        return "failed" if any(self.gating(f) for f in self.findings) else "passed"

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts()
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "tool": {"name": "checker", "version": __version__},
            "inputs": [i.to_dict() for i in self.inputs],
            "summary": {
                "passed": counts["passed"],
                "failed": counts["failed"],
                "unknown": counts["unknown"],
                "waived": counts["waived"],
                "baselined": sum(1 for f in self.findings if f.baselined),
                "errors": sum(1 for f in self.findings if f.error),
                "gate": self.gate_result(),
                "fail_on": self.gate.fail_on.value,
                "unknown_policy": self.gate.unknown,
            },
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data

    @classmethod
    def from_dict(cls, data: Any, name: str = "report") -> Report:
        """Read a saved checker.report/v1 document (for `checker report` and --baseline)."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(
                f"{name}: not a checker JSON report (schema {SCHEMA})",
                "write one with 'checker check ... --format json --output FILE'",
            )
        try:
            summary = data.get("summary") or {}
            gate = Gate(
                fail_on=Severity(summary.get("fail_on", "low")),
                unknown=str(summary.get("unknown_policy", "warn")),
            )
            inputs = [
                InputInfo(
                    path=str(i["path"]),
                    kind=str(i.get("kind", "plan")),
                    format_version=i.get("format_version"),
                    terraform_version=i.get("terraform_version"),
                    resources=int(i.get("resources", 0)),
                    notes=tuple(i.get("notes", ())),
                )
                for i in data.get("inputs") or []
            ]
            findings = [Finding.from_dict(f) for f in data.get("findings") or []]
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(f"{name}: malformed checker report ({error})") from None
        return cls(
            inputs=inputs, findings=findings, gate=gate, warnings=list(data.get("warnings") or [])
        )


def load_report(path: Path) -> Report:
    """A saved JSON report (for `checker report` and `--baseline`), or an InputError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}"
        ) from None
    return Report.from_dict(data, str(path))


def exit_code(gate: str) -> int:
    return {"passed": 0, "failed": 1, "error": 3}[gate]
