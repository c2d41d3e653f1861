"""`--format json`: the contract's checker.report/v1 document.

Indented as `json.dumps(indent=2)` would indent it, except that each finding is
one line: the report stays readable and diffable, and it is written by the C
encoder (an indent makes `json` fall back to its Python encoder, which made
rendering a 10k-resource report cost more than checking it).
"""

from __future__ import annotations

import json
from typing import Any

from checker.report.model import Report


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _member(key: str, value: Any) -> str:
    if key == "findings" and isinstance(value, list) and value:
        items = ",\n    ".join(_compact(item) for item in value)
        text = f"[\n    {items}\n  ]"
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return f"  {_compact(key)}: {text}"


def render(report: Report) -> str:
    data = report.to_dict()
    return "{\n" + ",\n".join(_member(k, v) for k, v in data.items()) + "\n}\n"
