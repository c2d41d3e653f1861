"""What went unchecked in one input: silence is not clean.

A rule that finds nothing of its subject yields nothing, and a resource no rule reads
leaves no trace in the findings: both look like a pass. Per input, the report says
how many resources of a type some enabled rule knows (`RuleMeta.resource_types`) the
rules read or named, which ones they never touched, which values stayed unknown, and
which rules had nothing to check. `--require-coverage` fails the gate on an untouched
resource.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.inputs import LoadedInput
from checker.report.model import Coverage, Finding
from checker.results import Status
from checker.rules.base import Rule


def coverage_of(item: LoadedInput, findings: Sequence[Finding], rules: Sequence[Rule]) -> Coverage:
    """The coverage of `item` by the native `rules` (their findings on it: `findings`)."""
    known = {t for rule in rules for t in rule.meta.resource_types}
    judged = [
        inst
        for inst in item.model.instances
        if inst.mode == "managed" and inst.exists and inst.type in known
    ]
    named = {f.address.split(" ")[0] for f in findings} | {
        f.origin.split(" ")[0] for f in findings if f.origin
    }
    read = item.read or frozenset()
    unjudged = tuple(
        sorted(i.address for i in judged if i.address not in read and i.address not in named)
    )
    unknown = tuple(
        dict.fromkeys(
            f"{f.address} {f.attribute}".strip() for f in findings if f.status == Status.UNKNOWN
        )
    )
    judged_rules = {f.rule_id for f in findings if f.engine == "native"}
    idle = tuple(r.meta.id for r in rules if r.meta.id not in judged_rules)
    return Coverage(len(judged), unjudged, unknown, idle)
