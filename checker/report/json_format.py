"""`--format json`: the contract's checker.report/v1 document."""

from __future__ import annotations

import json

from checker.report.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
