"""ACME001: DynamoDB tables have deletion protection (an attribute rule with an option)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from checker.api import UNKNOWN, Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity


class Options(RuleOptions):
    """`[tool.checker.rules.ACME001] exempt = ["aws_dynamodb_table.scratch"]`."""

    exempt: list[str] = Field(default_factory=list)


def check(ctx: RuleContext) -> Iterator[Result]:
    exempt = ctx.options.exempt if isinstance(ctx.options, Options) else []
    for table in ctx.model.resources("aws_dynamodb_table"):
        if table.address in exempt:
            continue
        value = table.get("deletion_protection_enabled")
        if value is True:
            yield Result.passed(table.address, "deletion_protection_enabled", "true")
        elif value is UNKNOWN:
            yield Result.unknown(
                table.address, "deletion_protection_enabled", "known only after apply", "true"
            )
        else:
            shown = "not set" if value is None else "false"
            yield Result.failed(table.address, "deletion_protection_enabled", shown, "true")


RULE = Rule(
    meta=RuleMeta(
        id="ACME001",
        title="DynamoDB tables have deletion protection",
        severity=Severity.MEDIUM,
        incident=0,
        rationale="A table deleted by mistake takes its data with it.",
        remediation="Set deletion_protection_enabled = true on the aws_dynamodb_table.",
        resource_types=("aws_dynamodb_table",),
    ),
    check=check,
    doc=__doc__ or "",
    options=Options,
)
