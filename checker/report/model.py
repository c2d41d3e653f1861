"""The report every engine feeds and every format renders (schema checker.report/v1)."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from checker import __version__
from checker.errors import InputError
from checker.results import GateResult, Severity, Status

SCHEMA = "checker.report/v1"
RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*[0-9]{3}$")
# JSON types of the fields; the two enums are written as their values
_FIELD_TYPES: dict[str, type] = {
    "str": str,
    "int": int,
    "bool": bool,
    "Status": str,
    "Severity": str,
}
OPTIONAL = (
    "found",
    "expected",
    "note",
    "evidence",
    "file",
    "line",
    "waiver",
    "baselined",
    "error",
    "stack",
    "origin",
    "resource_file",
    "resource_line",
    "change",
    "change_note",
    "trace",
    "fix",
)


class Change(StrEnum):
    """What the plan does to a finding, from its prior state (`checker.history`)."""

    INTRODUCED = "introduced"
    INHERITED = "inherited"
    FIXED = "fixed"
    UNKNOWN = "unknown"


# SARIF's baselineState of each (SARIF 2.1.0, 3.27.24: new, unchanged, updated, absent)
BASELINE_STATE = {
    Change.INTRODUCED: "new",
    Change.INHERITED: "unchanged",
    Change.FIXED: "absent",
    Change.UNKNOWN: "new",
}


@dataclass(frozen=True)
class TraceStep:
    """One link of the chain a finding's value came through (`checker.trace`): what holds it
    ("aws_s3_bucket.b.force_destroy <- var.force_destroy") and where it is written."""

    what: str
    file: str = ""
    line: int = 0

    def text(self) -> str:
        return f"{self.what} ({self.file}:{self.line})" if self.file else self.what

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"what": self.what}
        if self.file:
            data.update(file=self.file, line=self.line)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> TraceStep:
        if not isinstance(data, dict) or not isinstance(data.get("what"), str):
            raise ValueError("a trace step is not an object with 'what'")
        file, line = data.get("file", ""), data.get("line", 0)
        if not isinstance(file, str) or type(line) is not int:
            raise ValueError("a trace step's file or line is malformed")
        return cls(data["what"], file, line)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    engine: str
    engine_check_id: str
    status: Status
    severity: Severity
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
    evidence: str = ""  # where the values read came from: plan, state, source FILE:LINE
    error: bool = False
    file: str = ""  # the .tf file of the resource, when the source is known
    line: int = 0
    waiver: str = ""  # who waived it, why, until when
    baselined: bool = False  # failed already in the baseline report: does not fail the gate
    # the input's directory relative to the repository root (or the plan's path): the same
    # address in two stacks is two resources; "" in reports of older versions (no stack)
    stack: str = ""
    # what is wrong when it is not the resource's own attribute: "ADDRESS" or "ADDRESS
    # statement N"; `file`/`line` point at it, `resource_file`/`resource_line` at the resource
    origin: str = ""
    resource_file: str = ""
    resource_line: int = 0
    # failed: introduced, inherited or unknown by the plan; passed: fixed by it ("" when the
    # input has no prior verdicts: reports of older versions, merged external findings)
    change: str = ""
    change_note: str = ""  # why the change is unknown
    # where a failed or unknown value came from, attribute first (`checker.trace`)
    trace: tuple[TraceStep, ...] = ()
    # how a failure is fixed: "available" (`checker fix` writes it) or "manual: WHY"
    fix: str = ""

    def scoped_address(self) -> str:
        """The address with its stack in front ("stacks/app: aws_iam_role.fn") when it has one."""
        if not self.stack:
            return self.address
        return f"{self.stack}: {self.address}" if self.address else self.stack

    def to_dict(self) -> dict[str, Any]:
        # every field but the trace is a str, int or bool: a shallow read, not a deep copy
        data = {
            name: value
            for name in _FINDING_FIELDS
            if (value := getattr(self, name)) or name not in OPTIONAL
        }
        if self.trace:
            data["trace"] = [step.to_dict() for step in self.trace]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Finding:
        """A finding of a saved report, every field checked (reports can be hand-written)."""
        if not isinstance(data, dict):
            raise ValueError("a finding is not an object")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name == "trace":
                steps = data.get("trace", [])
                if not isinstance(steps, list):
                    raise ValueError("finding field 'trace' is not a list")
                values["trace"] = tuple(TraceStep.from_dict(step) for step in steps)
                continue
            if spec.name not in data:
                if spec.name in OPTIONAL:
                    continue
                raise ValueError(f"a finding lacks {spec.name!r}")
            value = data[spec.name]
            wanted = _FIELD_TYPES[spec.type] if isinstance(spec.type, str) else spec.type
            if type(value) is not wanted:
                raise ValueError(f"finding field {spec.name!r} is not {wanted.__name__}")
            values[spec.name] = value
        if values["status"] not in set(Status):
            raise ValueError(f"unknown status {str(values['status'])[:20]!r}")
        if values["severity"] not in set(Severity):
            raise ValueError(f"unknown severity {str(values['severity'])[:20]!r}")
        values["status"] = Status(values["status"])
        values["severity"] = Severity(values["severity"])
        if values.get("change", "") not in {"", *Change}:
            raise ValueError(f"unknown change {str(values['change'])[:20]!r}")
        if not RULE_ID.match(values["rule_id"]):
            raise ValueError(f"malformed rule ID {str(values['rule_id'])[:20]!r}")
        return cls(**values)


_FINDING_FIELDS = tuple(spec.name for spec in fields(Finding))


def trace_text(finding: Finding) -> str:
    """The value's chain on one line: "a.b.x <- var.x (main.tf:3); var.x <- its default ..."."""
    return "; ".join(step.text() for step in finding.trace)


def change_text(finding: Finding) -> str:
    """What the plan does to a finding, in words: "introduced by this plan" ..."""
    if finding.change == Change.INTRODUCED:
        return "introduced by this plan"
    if finding.change == Change.INHERITED:
        return "inherited from the prior state (fails before the plan too)"
    if finding.change == Change.FIXED:
        return "fixed by this plan"
    if finding.change == Change.UNKNOWN:
        return f"unknown: {finding.change_note}" if finding.change_note else "unknown"
    return ""


@dataclass(frozen=True)
class Coverage:
    """What the native rules left unchecked in one input (`checker.unchecked`)."""

    judged_types: int  # resources of a type some enabled rule knows
    unjudged: tuple[str, ...]  # of those, the ones no rule read or named
    unknown: tuple[str, ...]  # "ADDRESS ATTRIBUTE" of every value that stayed unknown
    not_applicable: tuple[str, ...]  # rules with nothing to check in this input

    def line(self) -> str:
        """One short line: "34 of 35 resources of judged types checked (unchecked: ...)"."""
        checked = self.judged_types - len(self.unjudged)
        text = f"{checked} of {self.judged_types} resources of judged types checked"
        if self.unjudged:
            shown = ", ".join(self.unjudged[:3])
            more = f" and {len(self.unjudged) - 3} more" if len(self.unjudged) > 3 else ""
            text += f" (unchecked: {shown}{more})"
        if self.unknown:
            text += f"; {len(self.unknown)} value{'s' * (len(self.unknown) != 1)} unknown"
        if self.not_applicable:
            text += f"; nothing to check for {', '.join(self.not_applicable)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "judged_types": self.judged_types,
            "unjudged": list(self.unjudged),
            "unknown": list(self.unknown),
            "not_applicable": list(self.not_applicable),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Coverage:
        item = _object(data, "coverage")
        judged = item.get("judged_types", 0)
        if type(judged) is not int:
            raise ValueError("coverage.judged_types is not an integer")
        return cls(
            judged,
            *(
                tuple(_text(x) for x in _list(item.get(key, []), key))
                for key in ("unjudged", "unknown", "not_applicable")
            ),
        )


@dataclass(frozen=True)
class Drift:
    """A resource changed outside Terraform in a way a rule judges (`checker.drift`)."""

    address: str
    attributes: tuple[str, ...]  # its top-level attributes the refresh found changed
    plan: str  # "overwrites" (the plan sets them back) or "keeps" (the drifted values stay)
    verdicts: tuple[str, ...]  # "RULE ADDRESS: STORED -> DRIFTED" of each verdict it turns

    def line(self) -> str:
        changed = ", ".join(self.attributes) or "values"
        return (
            f"{self.address}: {changed} changed outside Terraform ({'; '.join(self.verdicts)}); "
            f"the plan {self.plan} the drifted value{'s' * (len(self.attributes) != 1)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "attributes": list(self.attributes),
            "plan": self.plan,
            "verdicts": list(self.verdicts),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Drift:
        item = _object(data, "drift")
        plan = _text(item["plan"])
        if plan not in ("overwrites", "keeps"):
            raise ValueError("drift.plan is not overwrites or keeps")
        return cls(
            _text(item["address"]),
            tuple(_text(a) for a in _list(item.get("attributes", []), "attributes")),
            plan,
            tuple(_text(v) for v in _list(item.get("verdicts", []), "verdicts")),
        )


@dataclass(frozen=True)
class InputInfo:
    path: str
    kind: str
    format_version: str | None = None
    terraform_version: str | None = None
    resources: int = 0
    notes: tuple[str, ...] = ()
    coverage: Coverage | None = None  # None when the native rules did not run
    drift: tuple[Drift, ...] = ()  # changes outside Terraform that turn a rule's verdict

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
        if self.coverage is not None:
            data["coverage"] = self.coverage.to_dict()
        if self.drift:
            data["drift"] = [d.to_dict() for d in self.drift]
        return data


@dataclass(frozen=True)
class Gate:
    fail_on: Severity = Severity.LOW
    unknown: str = "warn"  # warn | fail
    # --fail-on-new: only failures the plan introduces (or whose change is unknown) gate
    new_only: bool = False
    # --require-coverage: a resource of a type a rule knows that no rule checked fails
    require_coverage: bool = False


@dataclass(frozen=True)
class RuleSummary:
    """What a report says of a rule it judged: enough for every format (SARIF's rule
    metadata, help text) without loading the rule itself."""

    id: str
    title: str
    severity: Severity
    rationale: str
    remediation: str
    incident: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.value,
            "incident": self.incident,
            "rationale": self.rationale,
            "remediation": self.remediation,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RuleSummary:
        item = _object(data, "rule")
        return cls(
            id=_text(item["id"]),
            title=_text(item["title"]),
            severity=Severity(item["severity"]),
            incident=int(item.get("incident", 0)),
            rationale=_text(item["rationale"]),
            remediation=_text(item["remediation"]),
        )


@dataclass
class Report:
    inputs: list[InputInfo]
    findings: list[Finding]
    gate: Gate = field(default_factory=Gate)
    warnings: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)  # rules configuration turned off
    not_applicable: list[str] = field(default_factory=list)  # rules with nothing to check
    # inputs that could not be checked at all (a CI job's check exited 2 or 3): the
    # gate is "error", and a merge of reports keeps saying so
    errors: list[str] = field(default_factory=list)
    # with external engines: which rules each asserts, said once (not per finding)
    engine_coverage: list[str] = field(default_factory=list)
    # the rules this report's checks ran (what the renderers say of each)
    rules: list[RuleSummary] = field(default_factory=list)

    def many_stacks(self) -> bool:
        """Do the findings come from more than one stack (then every format names each one's)?"""
        return len({f.stack for f in self.findings}) > 1

    def not_applicable_line(self) -> str:
        """One line naming the rules that found nothing to check, or "" when there are none."""
        if not self.not_applicable:
            return ""
        return f"Not applicable (nothing to check): {', '.join(self.not_applicable)}"

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for finding in self.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return counts

    def changes(self) -> dict[str, int]:
        """Failed findings introduced, inherited or of unknown change, and findings fixed."""
        counts = {c.value: 0 for c in Change}
        for finding in self.findings:
            if finding.change:
                counts[finding.change] += 1
        return counts

    def failed_phrase(self) -> str:
        """The failed count, e.g. "3 failed (1 new, 2 baselined)" when a baseline carried some,
        "3 failed (2 introduced, 1 inherited)" for an update plan; then "1 fixed" if any."""
        failed = [f for f in self.findings if f.status == Status.FAILED]
        baselined = sum(1 for f in failed if f.baselined)
        parts: list[str] = []
        if baselined:
            parts += [f"{len(failed) - baselined} new", f"{baselined} baselined"]
        changes = self.changes()
        if changes[Change.INHERITED] or changes[Change.UNKNOWN] or changes[Change.FIXED]:
            parts += [
                f"{changes[c]} {'of unknown change' if c == Change.UNKNOWN else c.value}"
                for c in (Change.INTRODUCED, Change.INHERITED, Change.UNKNOWN)
                if changes[c]
            ]
        phrase = f"{len(failed)} failed" + (f" ({', '.join(parts)})" if parts else "")
        return phrase + (f", {changes[Change.FIXED]} fixed" if changes[Change.FIXED] else "")

    def gating(self, finding: Finding) -> bool:
        """Does this finding, on its own, fail the gate?"""
        if finding.status == Status.FAILED:
            if self.gate.new_only and finding.change == Change.INHERITED:
                return False
            return not finding.baselined and finding.severity.rank >= self.gate.fail_on.rank
        return finding.status == Status.UNKNOWN and self.gate.unknown == "fail"

    def coverage_fails(self) -> bool:
        """With --require-coverage: did a resource of a judged type go unchecked?"""
        return self.gate.require_coverage and any(
            i.coverage is not None and i.coverage.unjudged for i in self.inputs
        )

    def gate_result(self) -> GateResult:
        """passed, failed (policy findings) or error (an engine or rule could not run)."""
        if self.errors or any(f.error for f in self.findings):
            return GateResult.ERROR
        if any(self.gating(f) for f in self.findings) or self.coverage_fails():
            return GateResult.FAILED
        return GateResult.PASSED

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
                "errors": sum(1 for f in self.findings if f.error) + len(self.errors),
                "gate": self.gate_result(),
                "fail_on": self.gate.fail_on.value,
                "unknown_policy": self.gate.unknown,
                "fail_on_new": self.gate.new_only,
                "require_coverage": self.gate.require_coverage,
                "changes": self.changes(),
                "disabled": list(self.disabled),
                "not_applicable": list(self.not_applicable),
            },
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if self.errors:
            data["errors"] = list(self.errors)
        if self.engine_coverage:
            data["engine_coverage"] = list(self.engine_coverage)
        if self.rules:
            data["rules"] = [r.to_dict() for r in self.rules]
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
            summary = _object(data.get("summary") or {}, "summary")
            unknown = summary.get("unknown_policy", "warn")
            if unknown not in ("warn", "fail"):
                raise ValueError("summary.unknown_policy is not warn or fail")
            new_only = summary.get("fail_on_new", False)
            if not isinstance(new_only, bool):
                raise ValueError("summary.fail_on_new is not a boolean")
            require_coverage = summary.get("require_coverage", False)
            if not isinstance(require_coverage, bool):
                raise ValueError("summary.require_coverage is not a boolean")
            gate = Gate(
                fail_on=Severity(summary.get("fail_on", "low")),
                unknown=unknown,
                new_only=new_only,
                require_coverage=require_coverage,
            )
            inputs = [
                InputInfo(
                    path=_text(i["path"]),
                    kind=_text(i.get("kind", "plan")),
                    format_version=_optional_text(i.get("format_version")),
                    terraform_version=_optional_text(i.get("terraform_version")),
                    resources=int(i.get("resources", 0)),
                    notes=tuple(_text(n) for n in _list(i.get("notes", []), "notes")),
                    coverage=Coverage.from_dict(i["coverage"]) if "coverage" in i else None,
                    drift=tuple(Drift.from_dict(d) for d in _list(i.get("drift", []), "drift")),
                )
                for i in (_object(x, "input") for x in _list(data.get("inputs") or [], "inputs"))
            ]
            findings = [Finding.from_dict(f) for f in _list(data.get("findings") or [], "findings")]
            warnings = [_text(w) for w in _list(data.get("warnings") or [], "warnings")]
            errors = [_text(e) for e in _list(data.get("errors") or [], "errors")]
            covered = [
                _text(c) for c in _list(data.get("engine_coverage") or [], "engine_coverage")
            ]
            disabled = [_text(d) for d in _list(summary.get("disabled") or [], "disabled")]
            absent = [
                _text(r) for r in _list(summary.get("not_applicable") or [], "not_applicable")
            ]
            rules = [RuleSummary.from_dict(r) for r in _list(data.get("rules") or [], "rules")]
        except (KeyError, TypeError, ValueError, RecursionError) as error:
            detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            raise InputError(f"{name}: malformed checker report ({detail})") from None
        return cls(
            inputs=inputs,
            findings=findings,
            gate=gate,
            warnings=warnings,
            errors=errors,
            disabled=disabled,
            not_applicable=absent,
            engine_coverage=covered,
            rules=rules,
        )


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a text field is not a string")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


MAX_REPORT_BYTES = 512 * 1024 * 1024


def load_report(path: Path, known_rules: Collection[str]) -> Report:
    """A saved JSON report (for `checker report` and `--baseline`), or an InputError; each
    finding's rule is one of `known_rules` (the loaded rules) or of the report's own."""
    from checker.reader import read_text

    text = read_text(path, MAX_REPORT_BYTES, "report")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}"
        ) from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"{path}: not a checker JSON report ({str(error)[:80]})") from None
    report = Report.from_dict(data, str(path))
    known = {*known_rules, *(r.id for r in report.rules)}
    for finding in report.findings:
        if finding.rule_id not in known:
            raise InputError(f"{path}: malformed checker report (unknown rule {finding.rule_id!r})")
    return report


def exit_code(gate: GateResult) -> int:
    return gate.exit_code


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
