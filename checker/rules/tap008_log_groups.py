"""TAP008: log groups exist first, are CMK-encrypted and have retention.

Why: Lambda and API Gateway created their log groups themselves, before ours,
unencrypted and kept forever (incident 8).

Anti-pattern: no `aws_cloudwatch_log_group` named `/aws/lambda/<function>`; a
function that does not depend on it; a log group without `kms_key_id` or
`retention_in_days`.
Best practice: declare `/aws/lambda/<function name>` with `kms_key_id` = the
CMK ARN and a retention, and make the function `depends_on` it.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity

META = RuleMeta(
    id="TAP008",
    title="Log groups exist first, are CMK-encrypted and have retention",
    severity=Severity.HIGH,
    incident=8,
    rationale=(
        "A log group the service creates on first write is unencrypted and never expires; "
        "it must exist, encrypted, before the function runs."
    ),
    remediation=(
        'Declare aws_cloudwatch_log_group "/aws/lambda/<function name>" with kms_key_id = the '
        "CMK ARN and retention_in_days, and add it to the function's depends_on; give every "
        "log group kms_key_id and retention_in_days."
    ),
    resource_types=("aws_lambda_function", "aws_cloudwatch_log_group"),
)


def function_log_group(model: PlanModel, function: Instance) -> tuple[Instance | None, bool]:
    """The function's `/aws/lambda/<name>` group, and whether the name was decidable."""
    name = function.get("function_name")
    if isinstance(name, str):
        groups = model.by_value("aws_cloudwatch_log_group", "name", f"/aws/lambda/{name}")
        return (groups[0] if groups else None), True
    return None, False


def _group_settings(group: Instance) -> tuple[bool | None, str, str]:
    key = group.get("kms_key_id")
    retention = group.get("retention_in_days")
    if key is None or key == "":
        return False, "kms_key_id", f"{group.address} has no kms_key_id"
    if retention is None or retention == 0:
        return (
            False,
            "retention_in_days",
            f"{group.address} keeps logs forever (no retention_in_days)",
        )
    if isinstance(retention, Unknown):
        return None, "retention_in_days", f"{group.address} retention is only known after apply"
    return True, "", ""


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for function in model.resources("aws_lambda_function"):
        group, decidable = function_log_group(model, function)
        if not decidable:
            yield Result.unknown(
                function.address, "function_name", "the function name is only known after apply"
            )
            continue
        if group is None:
            yield Result.failed(
                function.address,
                "aws_cloudwatch_log_group",
                f"no aws_cloudwatch_log_group named /aws/lambda/{function.get('function_name')}",
                "the log group declared with kms_key_id and retention_in_days",
            )
            continue
        if not model.ordered_after(function, group):
            yield Result.failed(
                function.address,
                "depends_on",
                f"the function is not ordered after {group.address}",
                f"depends_on = [{group.config_address}]",
            )
            continue
        yield Result.passed(
            function.address, "depends_on", f"created after its log group {group.address}"
        )
    for group in model.resources("aws_cloudwatch_log_group"):
        ok, attribute, why = _group_settings(group)
        if ok is False:
            yield Result.failed(
                group.address, attribute, why, "kms_key_id = the CMK ARN and a retention_in_days"
            )
        elif ok is None:
            yield Result.unknown(group.address, attribute, why)
        else:
            yield Result.passed(
                group.address,
                "kms_key_id",
                f"CMK-encrypted, retention {group.get('retention_in_days')} days",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
