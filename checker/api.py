"""The public rule API: what a rule pack imports. Versioned with the package (`API_VERSION`).

A pack module defines `RULE` (one rule) or `RULES` (several):

    from checker.api import Result, Rule, RuleContext, RuleMeta, Severity

    def check(ctx: RuleContext):
        for table in ctx.model.resources("aws_dynamodb_table"):
            ...
            yield Result.passed(table.address, "deletion_protection_enabled", "on")

    RULE = Rule(meta=RuleMeta(id="ACME001", ...), check=check)

Load it with `checker check --rules DIR`, `[tool.checker] rule_paths`, or an
installed package's entry point in the group `tap_checker.rules`.
"""

from __future__ import annotations

from checker import __version__
from checker.plan.model import UNKNOWN, Instance, PlanModel
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity, Status

API_VERSION = __version__

__all__ = [
    "API_VERSION",
    "UNKNOWN",
    "Instance",
    "PlanModel",
    "Result",
    "Rule",
    "RuleContext",
    "RuleMeta",
    "RuleOptions",
    "Severity",
    "Status",
]
