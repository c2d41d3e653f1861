"""`--format junit`: one testsuite per rule, one testcase per (rule, engine, resource).

Failures are <failure>; unknown and waived findings are <skipped> with the reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from checker.report.escape import xml
from checker.report.model import Finding, Report
from checker.results import Status


def _case(finding: Finding, many_stacks: bool = False) -> ElementTree.Element:
    address = finding.scoped_address() if many_stacks else finding.address
    name = f"{address or finding.rule_id} [{finding.engine}]"
    case = ElementTree.Element(
        "testcase",
        classname=xml(f"{finding.rule_id}.{finding.engine}"),
        name=xml(name),
        file=xml(finding.file or finding.input),
        time="0",
    )
    message = xml(finding.message)
    if finding.status == Status.FAILED:
        failure = ElementTree.SubElement(
            case, "failure", message=message[:1000], type=xml(finding.severity)
        )
        failure.text = f"{message}\nFix: {xml(finding.remediation)}"
    elif finding.status == Status.UNKNOWN:
        ElementTree.SubElement(case, "skipped", message=f"unknown: {message}"[:1000])
    elif finding.status == Status.WAIVED:
        ElementTree.SubElement(case, "skipped", message=f"waived: {xml(finding.waiver)}"[:1000])
    if finding.error:
        error = ElementTree.SubElement(case, "error", message=message[:1000], type="engine")
        error.text = message
    return case


def render(report: Report) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
    many_stacks = report.many_stacks()
    suites = ElementTree.Element("testsuites", name="checker", tests=str(len(report.findings)))
    for rule_id, findings in sorted(by_rule.items()):
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=xml(f"{rule_id} {findings[0].title}"),
            tests=str(len(findings)),
            failures=str(sum(f.status == Status.FAILED for f in findings)),
            errors=str(sum(f.error for f in findings)),
            skipped=str(sum(f.status in (Status.UNKNOWN, Status.WAIVED) for f in findings)),
            time="0",
        )
        for finding in findings:
            suite.append(_case(finding, many_stacks))
    if report.not_applicable:
        absent = ElementTree.SubElement(
            suites,
            "testsuite",
            name="not applicable (nothing to check)",
            tests=str(len(report.not_applicable)),
            skipped=str(len(report.not_applicable)),
        )
        for rule_id in report.not_applicable:
            case = ElementTree.SubElement(absent, "testcase", name=xml(rule_id))
            ElementTree.SubElement(case, "skipped", message="not applicable: nothing to check")
    if report.errors:
        broken = ElementTree.SubElement(
            suites, "testsuite", name="checker errors", tests=str(len(report.errors)),
            errors=str(len(report.errors)),
        )  # fmt: skip
        for index, message in enumerate(report.errors, 1):
            case = ElementTree.SubElement(broken, "testcase", name=f"could not check ({index})")
            ElementTree.SubElement(case, "error", message=xml(message))
    if report.warnings:
        notes = ElementTree.SubElement(suites, "testsuite", name="checker warnings", tests="0")
        err = ElementTree.SubElement(notes, "system-err")
        err.text = "\n".join(f"warning: {xml(w)}" for w in report.warnings)
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )
