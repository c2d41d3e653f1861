"""Baseline: adopt the checker on a legacy stack; only failures new since OLD.json fail the gate."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from checker.errors import InputError
from checker.report.model import Finding, Report
from checker.rules.base import Status


def load_baseline(path: Path) -> set[tuple[str, str]]:
    """(rule_id, address) of every failure of a previous JSON report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise InputError(f"{path}: cannot read baseline ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: baseline is not JSON (line {error.lineno}, column {error.colno})"
        ) from None
    old = Report.from_dict(data, str(path))
    return {
        (f.rule_id, f.address) for f in old.findings if f.status in (Status.FAILED, Status.WAIVED)
    }


def apply_baseline(findings: list[Finding], known: set[tuple[str, str]]) -> list[Finding]:
    return [
        replace(f, baselined=True)
        if f.status == Status.FAILED and (f.rule_id, f.address) in known
        else f
        for f in findings
    ]
