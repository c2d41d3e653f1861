"""The `wiring` pack beside the TAP rules: where both judge an address, the same verdict.

The corpus and the rule-case tests run with the pack switched on (`WIRING`); a TAP rule's
failure at an address is then also its generalisation's (`AGREES`), and `disagreements`
lists every address whose worst verdicts differ."""

from __future__ import annotations

from checker.config import CheckerConfig
from checker.report.model import Report

WIRING = CheckerConfig(packs=("wiring",))
AGREES = {"TAP001": "WIR001", "TAP009": "WIR002"}  # TAP rule -> its wiring generalisation
ORDER = ("failed", "unknown", "passed", "not_applicable")


def with_generalised(
    fails: set[tuple[str, str]] | frozenset[tuple[str, str]],
) -> set[tuple[str, str]]:
    """The (rule, address) failures with each TAP failure's wiring counterpart."""
    return set(fails) | {(AGREES[rule], a) for rule, a in fails if rule in AGREES}


def disagreements(report: Report) -> list[tuple[str, str, str, str]]:
    """(rule, address, its worst verdict, the wiring rule's) where the two differ."""
    worst: dict[tuple[str, str], str] = {}
    for f in report.findings:
        key = (f.rule_id, f.address)
        if key not in worst or ORDER.index(f.status) < ORDER.index(worst[key]):
            worst[key] = f.status
    return [
        (rule, address, status, worst[(AGREES[rule], address)])
        for (rule, address), status in worst.items()
        if rule in AGREES
        and (AGREES[rule], address) in worst
        and status != worst[(AGREES[rule], address)]
    ]
