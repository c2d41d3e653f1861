"""`--format markdown`: a pull-request comment. Verdict first, failures as a table, passes folded.

GitHub refuses comments over 65,536 characters; the body is cut at
`LIMIT` with a note saying how many rows were left out.
"""

from __future__ import annotations

from collections import defaultdict

from checker.report.escape import markdown
from checker.report.model import Change, Finding, Report, change_text
from checker.results import Status

LIMIT = 60_000
ICON = {"passed": "✅", "failed": "❌", "error": "💥"}


def _cell(text: str) -> str:
    return markdown(text)


def _row(finding: Finding, many_stacks: bool = False) -> str:
    address = finding.scoped_address() if many_stacks else finding.address
    where = _cell(address) if address else "—"
    if finding.file:
        where += f" ({_cell(finding.file)}:{finding.line})"
    found = finding.found or finding.message
    if finding.change and finding.status == Status.FAILED:
        found = f"{found} ({change_text(finding)})"
    remedy = finding.remediation
    if finding.status == Status.FAILED and finding.fix == "available":
        remedy = f"{remedy} (run `checker fix` to write it)"
    return (
        f"| {_cell(finding.rule_id)} | {_cell(finding.severity)} | {where} "
        f"| {_cell(found)} "
        f"| {_cell(remedy)} | {_cell(finding.engine)} |"
    )


def render(report: Report) -> str:
    gate = report.gate_result()
    counts = report.counts()
    head = [
        f"## {ICON[gate]} checker: gate {gate.upper()}",
        "",
        f"**{report.failed_phrase()}**, {counts['unknown']} unknown, {counts['waived']} waived, "
        f"{counts['passed']} passed · fail on `{report.gate.fail_on.value}`, unknown `{report.gate.unknown}` · "
        + ", ".join(_cell(i.path) for i in report.inputs),
        "",
    ]
    sections: list[list[str]] = []
    for status, title in (
        (Status.FAILED, "Failures"),
        (Status.UNKNOWN, "Cannot be decided from the plan"),
        (Status.WAIVED, "Waived"),
    ):
        rows = [f for f in report.findings if f.status == status]
        if not rows:
            continue
        rows.sort(key=lambda f: (f.rule_id, f.stack, f.address))
        sections.append(
            [
                f"### {title}",
                "",
                "| rule | severity | resource | found | what to fix | engine |",
                "|---|---|---|---|---|---|",
            ]
            + [_row(f, report.many_stacks()) for f in rows]
            + [""]
        )
    passed: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.status == Status.PASSED:
            passed[finding.rule_id].append(finding)
    traced = [f for f in report.findings if f.trace]
    if traced:
        sections.append(
            ["<details><summary>Where the values came from</summary>", ""]
            + [
                f"- {_cell(f.rule_id)} {_cell(f.scoped_address())}: "
                + " ← ".join(_cell(step.text()) for step in f.trace)
                for f in traced
            ]
            + ["", "</details>", ""]
        )
    fixed = [f for f in report.findings if f.change == Change.FIXED]
    if fixed:
        sections.append(
            ["### Fixed by this plan", ""]
            + [
                f"- {_cell(f.rule_id)}: {_cell(f.scoped_address() if report.many_stacks() else f.address)}"
                for f in fixed
            ]
            + [""]
        )
    if passed:
        sections.append(
            ["<details><summary>Passed rules</summary>", ""]
            + [
                f"- {_cell(rule)}: {_cell(items[0].title)} ({len(items)} {'check' if len(items) == 1 else 'checks'})"
                for rule, items in sorted(passed.items())
            ]
            + ["", "</details>", ""]
        )
    for info in report.inputs:
        if info.coverage is not None:
            head.append(f"_coverage: {_cell(info.path)}: {_cell(info.coverage.line())}_")
            head.append("")
        for drift in info.drift:
            head.append(f"> drift: {_cell(drift.line())}")
            head.append("")
    if report.not_applicable:
        head.append(f"_{_cell(report.not_applicable_line())}_")
        head.append("")
    for error in report.errors:
        head.append(f"> 💥 {_cell(error)}")
    for line in report.engine_coverage:
        head.append(f"_coverage: {_cell(line)}_")
    for warning in report.warnings:
        head.append(f"> ⚠️ {_cell(warning)}")
    lines = head + [line for section in sections for line in section]
    out: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > LIMIT - 300:
            rest = lines[index:]
            left = sum(1 for x in rest if x.startswith("| ") and not x.startswith("| rule"))
            if "<details>" in "".join(out) and "</details>" not in "".join(out):
                out.append("</details>")
            out.append("")
            out.append(
                f"_Truncated at {LIMIT // 1000} KB: {left} more rows are in the full report "
                "(JSON, SARIF or HTML)._"
            )
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n"
