"""The `# checker:ignore` comments of the bound sources, applied to findings
(`checker.source.suppressions` reads them): a live one waives its rule's failed or unknown
finding on that block; an expired or idle one is a warning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from checker.inputs import LoadedInput
from checker.locate import bound_tree, origin_of
from checker.report.model import Finding
from checker.results import Status
from checker.source.suppressions import Suppression


def apply_inline(
    findings: list[Finding], inputs: Sequence[LoadedInput], today: dt.date, disabled: list[str]
) -> tuple[list[Finding], list[str]]:
    """Apply the `# checker:ignore` comments of the bound sources (`checker.source.suppressions`)."""
    models = {i.name: i.model for i in inputs}
    seen: dict[Suppression, None] = {}
    for item in inputs:
        tree = bound_tree(item.model)
        if tree is not None:
            for each in item.model.instances:
                seen.update(dict.fromkeys(tree.suppressions(each)))
    if not seen:
        return findings, []
    used: set[tuple[Suppression, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        model = models.get(finding.input)
        tree = bound_tree(model) if model is not None else None
        inst = model.instance(finding.address) if model is not None else None
        found = tree.suppressions(inst) if tree is not None and inst is not None else ()
        origin = origin_of(model, finding)[0] if model is not None else None
        if tree is not None and origin is not None and origin is not inst:
            # a comment above the policy document (or a statement in it) speaks for it too
            found = (*found, *tree.suppressions(origin))
        for suppression in found:
            if finding.rule_id in suppression.rules:
                used.add((suppression, finding.rule_id))
        live = next((s for s in found if finding.rule_id in s.rules and s.expires >= today), None)
        if live is not None and finding.status in (Status.FAILED, Status.UNKNOWN):
            finding = replace(finding, status=Status.WAIVED, waiver=live.waiver_text())
        out.append(finding)
    warnings: list[str] = []
    for suppression in seen:
        if suppression.expires < today:
            warnings.append(
                f"inline suppression expired on {suppression.expires.isoformat()}, "
                f"no longer waives: {suppression.describe()}"
            )
            continue
        idle = [r for r in suppression.rules if (suppression, r) not in used and r not in disabled]
        if idle:
            warnings.append(
                f"inline suppression matches no finding of {', '.join(idle)}: "
                f"{suppression.describe()}"
            )
    return out, warnings
