"""Several saved reports as one: one per CI matrix job, one per stack, one pull-request comment.

Inputs and findings are concatenated (an input two reports share is listed
once); warnings keep their order without repeats; a rule is "not applicable"
only when it had nothing to check in every report. When the reports were made
with different gates the strictest applies (the lowest `fail_on`, `unknown`
fail if any said so) and a warning says so: a merged verdict never passes what
one job failed. The errors of jobs that could not check (each with its cause)
are kept beside every finding the other jobs made: the gate is "error", and
nothing the others found is lost.
"""

from __future__ import annotations

from dataclasses import replace

from checker.report.model import Gate, InputInfo, Report


def without_stacks(report: Report, name: str) -> Report:
    """The report, with a note when an older checker wrote it: its findings have no stack, so
    a baseline of it matches on rule and address alone, in every stack."""
    if not any(not f.stack for f in report.findings):
        return report
    note = (
        f"{name}: findings without a stack (written by an older checker); they are shown, "
        "and matched as a baseline, by rule and address only"
    )
    return replace(report, warnings=[*report.warnings, note])


def merge_reports(reports: list[Report]) -> Report:
    if len(reports) == 1:
        return reports[0]
    gates = {r.gate for r in reports}
    gate = Gate(
        fail_on=min((g.fail_on for g in gates), key=lambda s: s.rank),
        unknown="fail" if any(g.unknown == "fail" for g in gates) else "warn",
        new_only=all(g.new_only for g in gates),
        require_coverage=any(g.require_coverage for g in gates),
    )
    warnings = list(dict.fromkeys(w for r in reports for w in r.warnings))
    if len(gates) > 1:
        warnings.insert(
            0,
            f"the reports used different gates; the strictest applies: fail on "
            f"{gate.fail_on.value}, unknown {gate.unknown}",
        )
    inputs: dict[InputInfo, None] = {}
    for report in reports:
        inputs.update(dict.fromkeys(report.inputs))
    absent = [
        rule
        for rule in dict.fromkeys(r for report in reports for r in report.not_applicable)
        if all(rule in report.not_applicable for report in reports)
    ]
    return Report(
        inputs=list(inputs),
        findings=[f for report in reports for f in report.findings],
        gate=gate,
        warnings=warnings,
        disabled=list(dict.fromkeys(d for r in reports for d in r.disabled)),
        not_applicable=absent,
        errors=[e for report in reports for e in report.errors],
        engine_coverage=list(dict.fromkeys(c for r in reports for c in r.engine_coverage)),
        rules=list({rule.id: rule for r in reports for rule in r.rules}.values()),
    )
