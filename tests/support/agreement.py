"""How two engines' verdicts on one input are compared (the native rules are the reference)."""

from __future__ import annotations

from checker.report.model import Finding

ORDER = ("none", "passed", "unknown", "failed")


def worst(findings: list[Finding]) -> str:
    return max((f.status for f in findings), key=ORDER.index, default="none")


def contradictions(found: list[Finding], engine: str) -> list[str]:
    """An engine's verdicts the native engine contradicts, address by address.

    A failure on an address the native rule does not judge (a companion resource
    where the native finding is on the bucket) agrees when the native rule fails.
    """
    native = [f for f in found if f.engine == "native"]
    out: list[str] = []
    for finding in (f for f in found if f.engine == engine):
        if finding.status not in ("passed", "failed"):
            continue
        same_rule = [f for f in native if f.rule_id == finding.rule_id]
        here = worst([f for f in same_rule if f.address == finding.address])
        if finding.status == "failed":
            ok = here == "failed" or (here == "none" and worst(same_rule) == "failed")
        else:
            ok = here != "failed"
        if not ok:
            out.append(f"{finding.rule_id} {finding.address}: {finding.status}, native {here}")
    return out
