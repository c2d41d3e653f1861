"""ACME002: every Lambda function has its log group in the plan (a cross-resource rule)."""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import Result, Rule, RuleContext, RuleMeta, Severity, Unknown


def check(ctx: RuleContext) -> Iterator[Result]:
    names = [g.get("name") for g in ctx.model.resources("aws_cloudwatch_log_group")]
    groups = {name for name in names if isinstance(name, str)}
    hidden = [name for name in names if isinstance(name, Unknown)]
    for function in ctx.model.resources("aws_lambda_function"):
        name = function.get("function_name")
        if isinstance(name, Unknown) or (hidden and f"/aws/lambda/{name}" not in groups):
            yield Result.unknown(function.address, "function_name", "names known only after apply")
        elif f"/aws/lambda/{name}" in groups:
            yield Result.passed(
                function.address, "function_name", f"/aws/lambda/{name} is declared"
            )
        else:
            yield Result.failed(
                function.address,
                "function_name",
                f"no aws_cloudwatch_log_group named /aws/lambda/{name}",
                "a log group declared for the function",
            )


RULE = Rule(
    meta=RuleMeta(
        id="ACME002",
        title="Every Lambda function has its log group in the plan",
        severity=Severity.LOW,
        rationale="A log group Lambda creates itself has no retention and no key.",
        remediation="Declare aws_cloudwatch_log_group /aws/lambda/<function name>.",
        resource_types=("aws_lambda_function", "aws_cloudwatch_log_group"),
    ),
    check=check,
    doc=__doc__ or "",
)
