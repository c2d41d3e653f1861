"""What the gate forgives: waivers (named, or the default files) and a baseline, per stack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from checker.report.model import Finding


def scope_findings(findings: list[Finding], stacks: dict[str, str]) -> list[Finding]:
    """Each finding with the stack of its input (`stacks`: input name -> stack)."""
    return [
        replace(f, stack=stacks[f.input]) if not f.stack and f.input in stacks else f
        for f in findings
    ]


def forgive(
    findings: list[Finding],
    folders: list[Path | None],
    waivers: Path | None,
    baseline: Path | None,
    today: dt.date,
    known_rules: Collection[str] = (),
) -> tuple[list[Finding], list[str]]:
    """Apply the waivers and the baseline; the warnings that come with them.

    Without `--waivers` the repository root's `.checker-waivers.yaml` and the one
    beside each input (`folders`) are read: found, not named, so each must stay
    inside its tree."""
    from checker.report.baseline import apply_baseline, load_baseline
    from checker.report.waivers import (
        Waiver,
        apply_waivers,
        default_waiver_files,
        load_waivers,
        unscoped_warnings,
    )
    from checker.workspace import tree_root

    loaded: list[Waiver] = []
    if waivers is not None:
        loaded = load_waivers(waivers)
    else:
        for path, scope in default_waiver_files(folders):
            loaded.extend(load_waivers(path, tree_root(path.parent), scope))
    warnings: list[str] = []
    if waivers is not None or loaded:
        findings, warnings = apply_waivers(findings, loaded, today)
        warnings = [*unscoped_warnings(loaded, findings), *warnings]
    if baseline is not None:
        known = load_baseline(baseline, known_rules)
        findings = apply_baseline(findings, known)
        warnings.extend(known.warnings())
    return findings, warnings
