"""TAP010: DynamoDB tables have point-in-time recovery.

Why: a bad migration deleted items and there was nothing to restore from (incident 10).

Anti-pattern: no `point_in_time_recovery` block, or `enabled = false`.
Best practice: `point_in_time_recovery { enabled = true }` on every table.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.values import Unknown, show
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity

META = RuleMeta(
    id="TAP010",
    title="DynamoDB tables have point-in-time recovery",
    severity=Severity.MEDIUM,
    incident=10,
    rationale="Without point-in-time recovery a deleted or corrupted item cannot be restored.",
    remediation="Add point_in_time_recovery { enabled = true } to the aws_dynamodb_table.",
    resource_types=("aws_dynamodb_table",),
)


def check(ctx: RuleContext) -> Iterator[Result]:
    for table in ctx.model.resources("aws_dynamodb_table"):
        enabled = table.get("point_in_time_recovery", 0, "enabled")
        if table.config is not None and not table.expression("point_in_time_recovery").present:
            # After a refresh the plan shows what AWS has now; the configuration decides.
            yield Result.failed(
                table.address,
                "point_in_time_recovery.enabled",
                "no point_in_time_recovery block in the configuration (AWS defaults to disabled)",
                "enabled = true",
            )
        elif enabled is True:
            yield Result.passed(table.address, "point_in_time_recovery.enabled", "PITR enabled")
        elif isinstance(enabled, Unknown) or isinstance(
            table.get("point_in_time_recovery"), Unknown
        ):
            yield Result.unknown(
                table.address,
                "point_in_time_recovery.enabled",
                "PITR is only known after apply",
                "true",
            )
        else:
            found = (
                "no point_in_time_recovery block"
                if enabled is None
                else f"enabled = {show(enabled)}"
            )
            yield Result.failed(
                table.address, "point_in_time_recovery.enabled", found, "enabled = true"
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
