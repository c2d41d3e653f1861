"""`--format junit`: one testsuite per rule, one testcase per (rule, engine, resource).

Failures are <failure>; unknown and waived findings are <skipped> with the reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from checker.report.model import Finding, Report
from checker.rules.base import Status


def _case(finding: Finding) -> ElementTree.Element:
    name = f"{finding.address or finding.rule_id} [{finding.engine}]"
    case = ElementTree.Element(
        "testcase",
        classname=f"{finding.rule_id}.{finding.engine}",
        name=name,
        file=finding.file or finding.input,
        time="0",
    )
    if finding.status == Status.FAILED:
        failure = ElementTree.SubElement(
            case, "failure", message=finding.message[:1000], type=finding.severity
        )
        failure.text = f"{finding.message}\nFix: {finding.remediation}"
    elif finding.status == Status.UNKNOWN:
        ElementTree.SubElement(case, "skipped", message=f"unknown: {finding.message}"[:1000])
    elif finding.status == Status.WAIVED:
        ElementTree.SubElement(case, "skipped", message=f"waived: {finding.waiver}"[:1000])
    if finding.error:
        error = ElementTree.SubElement(case, "error", message=finding.message[:1000], type="engine")
        error.text = finding.message
    return case


def render(report: Report) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
    suites = ElementTree.Element("testsuites", name="checker", tests=str(len(report.findings)))
    for rule_id, findings in sorted(by_rule.items()):
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=f"{rule_id} {findings[0].title}",
            tests=str(len(findings)),
            failures=str(sum(f.status == Status.FAILED for f in findings)),
            errors=str(sum(f.error for f in findings)),
            skipped=str(sum(f.status in (Status.UNKNOWN, Status.WAIVED) for f in findings)),
            time="0",
        )
        for finding in findings:
            suite.append(_case(finding))
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )
