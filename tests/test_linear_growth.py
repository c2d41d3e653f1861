"""Every rule, and the model they query, does work linear in the plan: counted, not timed.

For each layout users put many copies of a stack in (`tests/support/layouts.py`)
the work is counted at two sizes as Python function calls (a profiler hook,
deterministic where wall time is not): building the model, each rule on a
model of its own (so the shared views it builds are counted in it), and the
view of the plan the checkov and terraform-compliance engines read. Four times
the copies may cost at most 15% more than four times the work; a join that
scans every instance for every instance grows with the square and fails here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from checker.config import CheckerConfig
from checker.engines.checkov_plan import engine_view
from checker.plan.load import load_plan
from checker.plan.model import build_model
from checker.plan.models import PlanDocument
from checker.rules.base import RuleContext
from checker.rules.registry import builtin_rules
from tests.support.layouts import LAYOUTS
from tests.support.plan_builder import render_plan

SMALL, LARGE = 8, 32
SLACK = 1.15


def calls(work: Callable[[], Any]) -> int:
    count = 0

    def hook(_frame: FrameType, event: str, _arg: object) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(hook)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def work_of(copies: int, layout: str) -> dict[str, int]:
    raw = render_plan(LAYOUTS[layout](copies))
    document: PlanDocument = load_plan("plan.json", json.dumps(raw).encode()).document
    out = {"model": calls(lambda: build_model(document))}
    model = build_model(document)
    out["engine view"] = calls(lambda: engine_view(raw, model, mark_unknown=True))
    config = CheckerConfig()
    for rule in builtin_rules():
        ctx = RuleContext(model=build_model(document), options=config.options_for(rule.meta.id))
        out[rule.meta.id] = calls(lambda rule=rule, ctx=ctx: list(rule.check(ctx)))
    return out


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_work_grows_linearly(layout: str) -> None:
    small, large = work_of(SMALL, layout), work_of(LARGE, layout)
    limit = LARGE / SMALL * SLACK
    growth = {name: round(large[name] / small[name], 2) for name in small}
    assert {name: g for name, g in growth.items() if g > limit} == {}, growth
    assert all(small[name] > 0 for name in small)
