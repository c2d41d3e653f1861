"""Plans of N resources shaped like the canonical stack: many copies of it, in modules.

Each copy is the whole TAP stack (buckets, policies, table, function, API, key,
instance, with their references and policy documents) as one for_each instance
of a child module, so joins, references and policies scale with the size.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.canonical_stack import canonical_stack
from tests.support.modules import in_module
from tests.support.plan_builder import render_plan

PER_COPY = sum(1 for r in canonical_stack().resources if r.mode == "managed")


def plan_with(resources: int) -> dict[str, object]:
    copies = max(1, round(resources / PER_COPY))
    keys: list[str | int] = [f"team-{i:05d}" for i in range(copies)]
    return render_plan(in_module(canonical_stack(), "tap", keys))


def write_plan(resources: int, folder: Path) -> Path:
    path = folder / f"plan-{resources}.json"
    if not path.exists():
        path.write_text(json.dumps(render_plan_compact(resources)), encoding="utf-8")
    return path


def render_plan_compact(resources: int) -> dict[str, object]:
    return plan_with(resources)
