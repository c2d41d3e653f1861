"""`--format codequality`: GitLab's Code Quality report (GitLab shows it on merge requests; it
does not read SARIF).

One issue per failed or unknown finding (an unknown one is `info`: it names
what the plan hides, it is not a failure); waived and baselined findings are
left out, since the merge request widget is about what still needs work. The
location is the resource's `.tf` file and line when the source was bound, else
the plan file. The fingerprint is stable across runs for the same finding, so
GitLab can tell new issues from fixed ones.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from checker.report.model import Finding, Report
from checker.report.sarif import artifact_uri
from checker.rules.base import Status

SEVERITY = {"critical": "critical", "high": "major", "medium": "minor", "low": "info"}


def _issue(finding: Finding) -> dict[str, Any]:
    path = finding.file or finding.input
    key = (
        f"{finding.rule_id}|{finding.engine}|{finding.address}|{finding.attribute}|{finding.input}"
    )
    prefix = "cannot be decided: " if finding.status == Status.UNKNOWN else ""
    where = f" ({finding.address})" if finding.address else ""
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id}{where}: {prefix}{finding.found or finding.message}",
        "content": {"body": finding.remediation},
        "categories": ["Security"],
        "severity": "info" if finding.status == Status.UNKNOWN else SEVERITY[finding.severity],
        "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
        "location": {"path": artifact_uri(path), "lines": {"begin": max(1, finding.line)}},
    }


def render(report: Report) -> str:
    issues = [
        _issue(f)
        for f in report.findings
        if (f.status == Status.FAILED and not f.baselined) or f.status == Status.UNKNOWN
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
