"""`--format text`: for a person. Summary first, then failures grouped by rule with the fix."""

from __future__ import annotations

from collections import defaultdict

from checker.report.escape import inert, no_workflow_commands
from checker.report.model import Change, Finding, Report, change_text, trace_text
from checker.results import Status

ORDER = {Status.FAILED: 0, Status.UNKNOWN: 1, Status.WAIVED: 2, Status.PASSED: 3}


def summary_line(report: Report) -> str:
    counts = report.counts()
    gate = report.gate_result()
    parts = [
        report.failed_phrase(),
        f"{counts['unknown']} unknown",
        f"{counts['waived']} waived",
        f"{counts['passed']} passed",
    ]
    inputs = ", ".join(inert(i.path) for i in report.inputs[:3])
    if len(report.inputs) > 3:
        inputs += f" and {len(report.inputs) - 3} more"
    where = f" ({inputs})" if inputs else ""
    return f"checker: gate {gate.upper()}: {', '.join(parts)}{where}"


def _group(findings: list[Finding], status: str) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.status == status:
            groups[finding.rule_id].append(finding)
    return dict(sorted(groups.items()))


def render(report: Report, colour: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines = [paint(summary_line(report), "1;31" if report.gate_result() != "passed" else "1;32")]
    if len(report.inputs) > 1:
        per_input: dict[str, dict[str, int]] = {i.path: defaultdict(int) for i in report.inputs}
        for finding in report.findings:
            per_input.setdefault(finding.input, defaultdict(int))[finding.status] += 1
        for path, counts in per_input.items():
            lines.append(
                f"  {inert(path)}: {counts['failed']} failed, {counts['unknown']} unknown, "
                f"{counts['waived']} waived, {counts['passed']} passed"
            )
    lines.append("")
    for status, label, code in (
        (Status.FAILED, "FAILED", "31"),
        (Status.UNKNOWN, "UNKNOWN (cannot be decided from this input)", "33"),
        (Status.WAIVED, "WAIVED", "36"),
    ):
        groups = _group(report.findings, status)
        if not groups:
            continue
        lines.append(paint(label, "1;" + code))
        for rule_id, findings in groups.items():
            first = findings[0]
            lines.append(
                paint(f"  {inert(rule_id)} [{inert(first.severity)}] {inert(first.title)}", code)
            )
            for finding in findings:
                lines.extend(
                    _finding_lines(finding, status, len(report.inputs) > 1, report.many_stacks())
                )
        lines.append("")
    passed = _group(report.findings, Status.PASSED)
    if passed:
        lines.append(paint("PASSED", "1;32"))
        for rule_id, findings in passed.items():
            lines.append(f"  {inert(rule_id)} {inert(findings[0].title)}: {len(findings)} passed")
            for finding in findings:
                if finding.change == Change.FIXED:
                    lines.append(f"    fixed by this plan: {inert(finding.address)}")
            for finding in findings:
                if finding.note:
                    lines.append(f"    note: {inert(finding.address)}: {inert(finding.note)}")
    for info in report.inputs:
        for note in info.notes:
            lines.append(f"note: {inert(info.path)}: {inert(note)}")
    for info in report.inputs:
        if info.coverage is not None:
            lines.append(f"coverage: {inert(info.path)}: {inert(info.coverage.line())}")
        for drift in info.drift:
            lines.append(f"drift: {inert(info.path)}: {inert(drift.line())}")
    if report.not_applicable:
        lines.append(inert(report.not_applicable_line()))
    for line in report.engine_coverage:
        lines.append(f"coverage: {inert(line)}")
    for warning in report.warnings:
        lines.append(f"warning: {inert(warning)}")
    for index, error in enumerate(report.errors, 1):
        lines.insert(index, paint(f"error: {inert(error)}", "1;31"))
    return no_workflow_commands("\n".join(lines).rstrip() + "\n")


def _finding_lines(
    finding: Finding, status: str, many_inputs: bool, many_stacks: bool = False
) -> list[str]:
    address = finding.scoped_address() if many_stacks else finding.address
    where = inert(address) + (f" ({inert(finding.attribute)})" if finding.attribute else "")
    if many_inputs and not many_stacks:
        where = f"{inert(finding.input)}: {where}"
    lines = [
        f"    - {where}  [{inert(finding.engine)}]",
        f"        found:    {inert(finding.found or finding.message)}",
    ]
    if finding.expected:
        lines.append(f"        expected: {inert(finding.expected)}")
    if status == Status.FAILED:
        lines.append(f"        fix:      {inert(finding.remediation)}")
        if finding.fix == "available":
            lines.append("        edit:     run `checker fix` to write it")
        elif finding.fix.startswith("manual"):
            lines.append(f"        edit:     needs a person ({inert(finding.fix[8:])})")
    if finding.note:
        lines.append(f"        note:     {inert(finding.note)}")
    if finding.waiver:
        lines.append(f"        waiver:   {inert(finding.waiver)}")
    if finding.baselined:
        lines.append("        baseline: already failing in the baseline; does not fail the gate")
    if finding.change and status == Status.FAILED:
        lines.append(f"        change:   {inert(change_text(finding))}")
    if finding.evidence:
        lines.append(f"        from:     {inert(finding.evidence)}")
    if finding.trace:
        lines.append(f"        trace:    {inert(trace_text(finding))}")
    if finding.file:
        lines.append(f"        at:       {inert(finding.file)}:{finding.line}")
    if finding.resource_file:
        shown = f"{inert(finding.resource_file)}:{finding.resource_line}"
        lines.append(f"        resource: {shown} ({inert(finding.address)})")
    return lines
