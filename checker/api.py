"""The public rule API: what a rule pack imports. Versioned with the package (`API_VERSION`).

A pack module defines `RULE` (one rule) or `RULES` (several):

    from checker.api import Result, Rule, RuleContext, RuleMeta, Severity, Unknown

    def check(ctx: RuleContext):
        for table in ctx.model.resources("aws_dynamodb_table"):
            match table.get("deletion_protection_enabled"):
                case True:
                    yield Result.passed(table.address, "deletion_protection_enabled", "true")
                case Unknown() as hidden:
                    yield Result.unknown(table.address, "deletion_protection_enabled",
                                         hidden.describe(), "true")
                case _:
                    yield Result.failed(table.address, "deletion_protection_enabled",
                                        "false", "true")

    RULE = Rule(meta=RuleMeta(id="ACME001", ...), check=check)

A rule reads the model through `RuleModel` (`ctx.model`), the narrow protocol
`checker.rules.queries` documents: instances by type, address and value, values,
references, apply order, shared views and the stack's files. The built-in rules
(`checker/builtin/tapNNN_*.py`) import it from here too.

Values are `Value`s: known JSON, `Unknown` (known after apply; names its
references and, from HCL sources, its template shape) or None (absent).
`RuleModel.settle` reads a value as far as the plan and bound sources tell;
`RuleModel.view` shares a derived view between rules. The semantic layer
(`policy_at`, `role_policies`, `linked`, `ReverseIndex`, the IAM matchers)
answers tri-state (`Tri`: True, False, None for undecidable).

Load a pack with `checker check --rules DIR`, `[tool.checker] rule_paths`, or
an installed package's entry point in the group `tap_checker.rules`.
"""

from __future__ import annotations

from checker import __version__
from checker.plan.instances import Expression, Instance
from checker.plan.model import PlanModel
from checker.plan.values import (
    UNKNOWN,
    Scalar,
    Unknown,
    Value,
    as_list,
    is_known,
    show,
    text_of,
)
from checker.rules.base import (
    AddBlock,
    AddDependsOn,
    AddOutput,
    AppendToList,
    Edit,
    EngineCoverage,
    EngineName,
    NeedsPerson,
    RemoveBlock,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleOptions,
    SetValue,
    Severity,
    Status,
    checked,
    statement_origin,
)
from checker.rules.iam import (
    Policy,
    Statement,
    Tri,
    action_covered,
    all_true,
    any_true,
    condition_requires,
    policy_at,
    principal_matches,
)
from checker.rules.links import ReverseIndex, linked, permissions_by_function, role_policies
from checker.rules.queries import RuleModel

API_VERSION = __version__

__all__ = [
    "API_VERSION",
    "UNKNOWN",
    "AddBlock",
    "AddDependsOn",
    "AddOutput",
    "AppendToList",
    "Edit",
    "EngineCoverage",
    "EngineName",
    "Expression",
    "Instance",
    "NeedsPerson",
    "PlanModel",
    "Policy",
    "RemoveBlock",
    "Result",
    "ReverseIndex",
    "Rule",
    "RuleContext",
    "RuleMeta",
    "RuleModel",
    "RuleOptions",
    "Scalar",
    "SetValue",
    "Severity",
    "Statement",
    "Status",
    "Tri",
    "Unknown",
    "Value",
    "action_covered",
    "all_true",
    "any_true",
    "as_list",
    "checked",
    "condition_requires",
    "is_known",
    "linked",
    "permissions_by_function",
    "policy_at",
    "principal_matches",
    "role_policies",
    "show",
    "statement_origin",
    "text_of",
]
