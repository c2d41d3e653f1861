"""`--format codequality`: GitLab's Code Quality report (GitLab shows it on merge requests; it
does not read SARIF).

One issue per failed or unknown finding (an unknown one is `info`: it names
what the plan hides, it is not a failure); waived and baselined findings are
left out, since the merge request widget is about what still needs work. The
location is the resource's `.tf` file and line when the source was bound, else
the plan file. The fingerprint is stable across runs for the same finding, so
GitLab can tell new issues from fixed ones. An input that could not be checked
(a matrix job's error, kept by a merge) is one `blocker` issue with its cause,
located at the repository root: the widget never reads as if nothing was wrong.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from checker.report.model import Finding, Report
from checker.report.sarif import artifact_uri, source_uri
from checker.results import Status

SEVERITY = {"critical": "critical", "high": "major", "medium": "minor", "low": "info"}


def _issue(finding: Finding, many_stacks: bool = False) -> dict[str, Any]:
    path = finding.file or finding.input
    key = (
        f"{finding.rule_id}|{finding.engine}|{finding.address}|{finding.attribute}|{finding.input}"
    )
    prefix = "cannot be decided: " if finding.status == Status.UNKNOWN else ""
    address = finding.scoped_address() if many_stacks else finding.address
    where = f" ({address})" if finding.address else ""
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id}{where}: {prefix}{finding.found or finding.message}",
        "content": {"body": finding.remediation},
        "categories": ["Security"],
        "severity": "info" if finding.status == Status.UNKNOWN else SEVERITY[finding.severity],
        "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
        "location": {
            "path": source_uri(path) if finding.file else artifact_uri(path),
            "lines": {"begin": max(1, finding.line)},
        },
    }


def _error(message: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": "checker-error",
        "description": f"checker error: {message}",
        "categories": ["Security"],
        "severity": "blocker",
        "fingerprint": hashlib.sha256(f"error|{message}".encode()).hexdigest(),
        "location": {"path": ".", "lines": {"begin": 1}},
    }


def render(report: Report) -> str:
    many_stacks = report.many_stacks()
    issues = [
        _issue(f, many_stacks)
        for f in report.findings
        if (f.status == Status.FAILED and not f.baselined) or f.status == Status.UNKNOWN
    ]
    issues.extend(_error(message) for message in report.errors)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
