"""ACME001: DynamoDB tables have deletion protection (an attribute rule with an option)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from checker.api import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity, Unknown


class Options(RuleOptions):
    """`[tool.checker.rules.ACME001] exempt = ["aws_dynamodb_table.scratch"]`."""

    exempt: list[str] = Field(default_factory=list)


def check(ctx: RuleContext) -> Iterator[Result]:
    exempt = ctx.options.exempt if isinstance(ctx.options, Options) else []
    for table in ctx.model.resources("aws_dynamodb_table"):
        if table.address in exempt:
            continue
        match table.get("deletion_protection_enabled"):
            case True:
                yield Result.passed(table.address, "deletion_protection_enabled", "true")
            case Unknown() as hidden:
                yield Result.unknown(
                    table.address, "deletion_protection_enabled", hidden.describe(), "true"
                )
            case None:
                yield Result.failed(table.address, "deletion_protection_enabled", "not set", "true")
            case _:
                yield Result.failed(table.address, "deletion_protection_enabled", "false", "true")


RULE = Rule(
    meta=RuleMeta(
        id="ACME001",
        title="DynamoDB tables have deletion protection",
        severity=Severity.MEDIUM,
        rationale="A table deleted by mistake takes its data with it.",
        remediation="Set deletion_protection_enabled = true on the aws_dynamodb_table.",
        resource_types=("aws_dynamodb_table",),
    ),
    check=check,
    doc=__doc__ or "",
    options=Options,
)
