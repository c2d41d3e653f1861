"""What a finding may show of a value: texts shortened, and every copy of a sensitive value
hidden (the second redaction layer, behind the native engine's taint tracking)."""

from __future__ import annotations

from dataclasses import replace

from checker.plan.model import PlanModel
from checker.plan.sensitive import REDACTED, Secrets, secrets_of
from checker.report.model import Finding

DISPLAY_LIMIT = 300  # a value found in a plan or a source never reaches a report whole
DISPLAY_FIELDS = ("message", "found", "expected", "note", "remediation")
COPY_FIELDS = (*DISPLAY_FIELDS, "evidence", "waiver")  # every text a value can reach


def shorten(text: str, limit: int = DISPLAY_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hide_copies(finding: Finding, secrets: Secrets) -> Finding:
    """The second layer: each text of `finding` holding a sensitive value, replaced whole.

    Behind the taint tracking (which follows reads): a value the plan marks
    sensitive somewhere may be copied where it has no mark. Status, rule ID,
    severity, address and attribute (the keys of waivers, baselines and
    fingerprints) are never touched.
    """
    steps = finding.trace
    if not any(secrets.leak(getattr(finding, key)) for key in COPY_FIELDS) and not any(
        secrets.leak(step.what) for step in steps
    ):
        return finding
    hide = secrets.hide
    return replace(
        finding,
        trace=tuple(replace(step, what=hide(step.what)) for step in steps),
        message=hide(finding.message),
        found=hide(finding.found),
        expected=hide(finding.expected),
        note=hide(finding.note),
        remediation=hide(finding.remediation),
        evidence=hide(finding.evidence),
        waiver=hide(finding.waiver),
    )


def scrub(finding: Finding, model: PlanModel) -> Finding:
    """Display text of an engine whose reads cannot be followed (checkov, compliance).

    Hidden whole when the finding's resource has sensitive attributes; each text
    holding a spelling of a sensitive value is hidden (`hide_copies`, on the whole
    text, before it is shortened); status, IDs and address stay.
    """
    inst = model.instance(finding.address)
    if inst is not None and inst.sensitive is not None:
        finding = replace(finding, message=REDACTED, found=REDACTED, expected="", note="")
    finding = hide_copies(finding, secrets_of(model.sensitive_strings))
    return replace(finding, message=shorten(finding.message))
