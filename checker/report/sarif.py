"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning.

One `rule` per catalogue ID (help text, help URI, severity), results for
failed, unknown and waived findings (waived ones carry a suppression), located
at the .tf file and line of the resource when the source was bound, else at the
plan file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from checker import __version__
from checker.report.model import BASELINE_STATE, Change, Finding, Report, RuleSummary
from checker.results import Status

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URI = os.environ.get(
    "CHECKER_DOCS_URI", "https://github.com/tap-platform/tap-checker/blob/main/docs/rules.md"
)
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _finding_meta(finding: Finding) -> RuleSummary:
    """A rule the report does not summarise (a report written before it carried its rules):
    its metadata as its findings carry it."""
    return RuleSummary(
        id=finding.rule_id,
        title=finding.title,
        severity=finding.severity,
        incident=finding.incident,
        rationale=finding.title,
        remediation=finding.remediation,
    )


def _rules(report: Report) -> list[dict[str, Any]]:
    """The report's rules (those its checks ran), and any other its findings name."""
    out = []
    metas = {rule.id: rule for rule in report.rules}
    for finding in report.findings:
        metas.setdefault(finding.rule_id, _finding_meta(finding))
    for meta in sorted(metas.values(), key=lambda m: m.id):
        out.append(
            {
                "id": meta.id,
                "name": meta.title.replace(" ", "")[:60],
                "shortDescription": {"text": meta.title},
                "fullDescription": {"text": meta.rationale},
                "help": {
                    "text": f"{meta.rationale} Fix: {meta.remediation}",
                    "markdown": f"**Why:** {meta.rationale}\n\n**Fix:** {meta.remediation}",
                },
                "helpUri": f"{DOCS_URI}#{meta.id.lower()}-{_anchor(meta.title)}",
                "defaultConfiguration": {"level": LEVEL[meta.severity.value]},
                "properties": {
                    "security-severity": SECURITY_SEVERITY[meta.severity.value],
                    "precision": "high",
                    "tags": ["terraform", "security"]
                    + ([f"incident-{meta.incident}"] if meta.incident else []),
                },
            }
        )
    return out


def _anchor(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def artifact_uri(path: str) -> str:
    """Relative to the working directory when inside it (code scanning wants repo paths)."""
    if path in ("-", ""):
        return "stdin"
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_uri()


def source_uri(path: str) -> str:
    """A finding's `.tf` file: already relative to its repository root (or absolute outside
    any repository and the working directory: `checker.report.scope.shown_path`)."""
    given = Path(path)
    return given.as_uri() if given.is_absolute() else given.as_posix()


def _physical(uri: str, line: int) -> dict[str, Any]:
    return {"artifactLocation": {"uri": uri}, "region": {"startLine": max(1, line)}}


def _location(finding: Finding) -> dict[str, Any]:
    if finding.file:
        physical = _physical(source_uri(finding.file), finding.line)
    else:
        physical = _physical(artifact_uri(finding.input), 1)
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.address:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    return location


def _related(finding: Finding) -> list[dict[str, Any]]:
    """The resource's own line, when the finding points at a statement or attribute, and
    each written step of the chain its value came through (`checker.trace`)."""
    related: list[dict[str, Any]] = []
    if finding.resource_file:
        related.append(
            {
                "physicalLocation": _physical(
                    source_uri(finding.resource_file), finding.resource_line
                ),
                "message": {"text": f"{finding.address} is declared here"},
            }
        )
    for step in finding.trace:
        if step.file:
            related.append(
                {
                    "physicalLocation": _physical(source_uri(step.file), step.line),
                    "message": {"text": f"the value comes through: {step.what}"},
                }
            )
    return [{"id": index, **item} for index, item in enumerate(related)]


def _where(finding: Finding, many_stacks: bool) -> str:
    return finding.scoped_address() if many_stacks else finding.address


def _fingerprint_key(finding: Finding) -> str:
    """One alert per rule, engine, resource and attribute, and per stack: the same address
    in two stacks is two resources (a finding without a stack keeps its old fingerprint)."""
    key = f"{finding.rule_id}|{finding.engine}|{finding.address}|{finding.attribute}"
    return f"{key}|{finding.stack}" if finding.stack else key


def _result(finding: Finding, index: dict[str, int], many_stacks: bool = False) -> dict[str, Any]:
    text = (
        finding.message if finding.status != Status.UNKNOWN else f"Cannot decide: {finding.message}"
    )
    if finding.status == Status.FAILED:
        text = f"{text} Fix: {finding.remediation}"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVEL[finding.severity] if finding.status != Status.UNKNOWN else "note",
        "message": {"text": f"{_where(finding, many_stacks)}: {text}" if finding.address else text},
        "locations": [_location(finding)],
        "partialFingerprints": {
            "checkerFinding/v1": hashlib.sha256(_fingerprint_key(finding).encode()).hexdigest()
        },
        "properties": {
            "engine": finding.engine,
            "engineCheckId": finding.engine_check_id,
            **({"evidence": finding.evidence} if finding.evidence else {}),
            **({"stack": finding.stack} if finding.stack else {}),
        },
    }
    if related := _related(finding):
        result["relatedLocations"] = related
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.status == Status.UNKNOWN:
        result["kind"] = "review"
    if finding.status == Status.WAIVED:
        result["suppressions"] = [{"kind": "external", "justification": finding.waiver or "waived"}]
    if finding.change:
        result["baselineState"] = BASELINE_STATE[Change(finding.change)]
        result["properties"]["change"] = finding.change
        if finding.change_note:
            result["properties"]["changeNote"] = finding.change_note
    if finding.baselined:
        result["baselineState"] = "unchanged"
    if finding.change == Change.FIXED:  # in the prior state, not after the plan
        result["kind"] = "pass"
        result["level"] = "none"
    return result


def render(report: Report) -> str:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    shown = [
        f
        for f in report.findings
        if f.status in (Status.FAILED, Status.UNKNOWN, Status.WAIVED) or f.change == Change.FIXED
    ]
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "checker",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": DOCS_URI,
                        "rules": rules,
                    }
                },
                "results": [_result(f, index, report.many_stacks()) for f in shown],
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "notApplicable": list(report.not_applicable),
                    "coverage": {i.path: i.coverage.to_dict() for i in report.inputs if i.coverage},
                    "drift": {
                        i.path: [d.to_dict() for d in i.drift] for i in report.inputs if i.drift
                    },
                },
                "invocations": [
                    {
                        "executionSuccessful": report.gate_result() != "error",
                        "toolExecutionNotifications": [
                            *({"level": "error", "message": {"text": e}} for e in report.errors),
                            *(
                                {"level": "warning", "message": {"text": w}}
                                for w in report.warnings
                            ),
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
