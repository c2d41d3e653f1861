"""Every rule, and the model they query, does work linear in the plan: counted, not timed.

For each layout users put many copies of a stack in (`tests/support/layouts.py`)
the work is counted at two sizes as Python function calls (a profiler hook,
deterministic where wall time is not): building the model, each rule on a
model of its own (so the shared views it builds are counted in it), and the
view of the plan the checkov and terraform-compliance engines read. Four times
the copies may cost at most 15% more than four times the work; a join that
scans every instance for every instance grows with the square and fails here.

Besides the layouts of `tests/support/layouts.py`, `own writer modules`: `for_each`
module copies each with its own EC2 writer, role, buckets and key, whose role policy
names the bucket by a literal ARN (known at plan time, so read from the plan's JSON,
and alike in every copy): a join by value that takes every bucket of that name, then
designates each, grew with the square there (TAP012 took 36 s at 8,750 resources).
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
from checker.plan.build import build_model
from checker.plan.load import load_plan
from checker.plan.models import PlanDocument
from checker.rules.base import Rule, RuleContext
from checker.rules.registry import builtin_rules
from tests.support.canonical_stack import (
    ACCOUNT,
    STACK,
    canonical_stack,
    policy_document,
    refresh_derived,
    statement,
)
from tests.support.layouts import LAYOUTS
from tests.support.modules import in_module
from tests.support.plan_builder import Expr, Stack, render_plan

SMALL, LARGE = 8, 32
SLACK = 1.15


def own_writer_modules(copies: int) -> Stack:
    """`for_each` copies of the stack whose proof role names its bucket by a literal ARN."""
    stack = canonical_stack()
    for index, res in enumerate(stack.resources):
        if res.address == "data.aws_iam_policy_document.proof":
            stack.resources[index] = policy_document(
                "proof",
                [
                    statement(
                        sid="WriteProofObjects",
                        effect="Allow",
                        actions=["s3:PutObject"],
                        resources=[f"arn:aws:s3:::{STACK}-content-{ACCOUNT}/*"],
                    ),
                    statement(
                        sid="EncryptWithStackKey",
                        effect="Allow",
                        actions=["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        resources=["*"],
                    ),
                ],
                readable=True,
            )
        elif res.address == "aws_iam_role_policy.proof":
            res.attrs["policy"] = Expr("", ("data.aws_iam_policy_document.proof.json",))
    keys: list[str | int] = [f"team-{i:05d}" for i in range(copies)]
    return in_module(refresh_derived(stack), "tap", keys)


GROWTH_LAYOUTS: dict[str, Callable[[int], Stack]] = {
    **LAYOUTS,
    "own writer modules": own_writer_modules,
}


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


def checking(rule: Rule, ctx: RuleContext) -> Callable[[], object]:
    """The work of one rule on one model, as a call `calls` can count."""
    return lambda: list(rule.check(ctx))


def work_of(copies: int, layout: str) -> dict[str, int]:
    raw = render_plan(GROWTH_LAYOUTS[layout](copies))
    document: PlanDocument = load_plan("plan.json", json.dumps(raw).encode()).document
    out = {"model": calls(lambda: build_model(document))}
    model = build_model(document)
    out["engine view"] = calls(lambda: engine_view(raw, model, mark_unknown=True))
    config = CheckerConfig()
    for rule in builtin_rules():
        ctx = RuleContext(model=build_model(document), options=config.options_for(rule.meta.id))
        out[rule.meta.id] = calls(checking(rule, ctx))
    return out


@pytest.mark.parametrize("layout", sorted(GROWTH_LAYOUTS))
def test_work_grows_linearly(layout: str) -> None:
    small, large = work_of(SMALL, layout), work_of(LARGE, layout)
    limit = LARGE / SMALL * SLACK
    growth = {name: round(large[name] / small[name], 2) for name in small}
    assert {name: g for name, g in growth.items() if g > limit} == {}, growth
    assert all(small[name] > 0 for name in small)
