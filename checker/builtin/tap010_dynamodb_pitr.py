"""TAP010: DynamoDB tables have point-in-time recovery.

Why: a bad migration deleted items and there was nothing to restore from (incident 10).

Anti-pattern: no `point_in_time_recovery` block, or `enabled = false`.
Best practice: `point_in_time_recovery { enabled = true }` on every table (any
`recovery_period_in_days`; a `dynamic` block that writes it counts).
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    SetValue,
    Severity,
    Unknown,
    show,
)

META = RuleMeta(
    id="TAP010",
    title="DynamoDB tables have point-in-time recovery",
    severity=Severity.MEDIUM,
    incident=10,
    rationale="Without point-in-time recovery a deleted or corrupted item cannot be restored.",
    remediation="Add point_in_time_recovery { enabled = true } to the aws_dynamodb_table.",
    resource_types=("aws_dynamodb_table",),
    aws_model=(
        "DynamoDB point-in-time recovery is off on a new table until UpdateContinuousBackups "
        "turns it on (the provider does so from point_in_time_recovery.enabled = true); while "
        "on, the table can be restored to any second of the recovery period "
        "(recovery_period_in_days, 1 to 35, default 35). Without it a deleted or overwritten "
        "item cannot be restored. The configuration decides, including a point_in_time_recovery "
        "block a dynamic block writes; a refresh's view of AWS does not."
    ),
    letter_vs_aws=(
        "The seed's fix is point_in_time_recovery { enabled = true }: AWS's switch exactly. "
        "Any recovery period AWS accepts passes (1 day is still a restore point; the seed "
        "names no period)."
    ),
    limits=(
        "Global-table replicas (replica { point_in_time_recovery }) and "
        "aws_dynamodb_table_replica keep their own setting and are not judged; on-demand "
        "backups and AWS Backup plans are not counted as recovery; deletion protection is "
        "not required."
    ),
    references=(
        "Terraform AWS provider, aws_dynamodb_table: point_in_time_recovery "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table)",
        "Amazon DynamoDB Developer Guide, Enable point-in-time recovery "
        "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html)",
        "Amazon DynamoDB API Reference, PointInTimeRecoverySpecification "
        "(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoverySpecification.html)",
    ),
    needs_person=(
        "the value comes from an expression (a variable, a module input): set what it reads"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_dynamodb_table`: `point_in_time_recovery.enabled = true`, the block set "
                "in the configuration"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts="tables contain `point_in_time_recovery` with `enabled = true`",
        ),
    ),
)

BLOCK = "point_in_time_recovery"


def _enable(address: str) -> SetValue:
    """The fix: `point_in_time_recovery { enabled = true }` on the table's block."""
    return SetValue(address, (BLOCK, "enabled"), "true")


def _written(model: RuleModel, table: Instance) -> bool:
    """Does the configuration write a point_in_time_recovery block? A `dynamic` block is left
    out of a plan's configuration: the bound sources evaluate it, else a create plan's values
    (which come from the configuration alone) show it. After a refresh an update plan's
    values show what AWS has now, which the configuration does not decide."""
    if table.config is None or table.expression(BLOCK).present:
        return True
    if model.source is not None:
        return model.written(table, BLOCK) not in (None, [])
    planned = table.get(BLOCK)  # unknown when unwritten: the provider computes it
    return table.action == "create" and isinstance(planned, list) and bool(planned)


def check(ctx: RuleContext) -> Iterator[Result]:
    for table in ctx.model.resources("aws_dynamodb_table"):
        enabled = table.get("point_in_time_recovery", 0, "enabled")
        if not _written(ctx.model, table):
            # After a refresh the plan shows what AWS has now; the configuration decides.
            yield Result.failed(
                table.address,
                "point_in_time_recovery.enabled",
                "no point_in_time_recovery block in the configuration (AWS defaults to disabled)",
                "enabled = true",
            ).fixed_by(_enable(table.address))
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
            failed = Result.failed(
                table.address, "point_in_time_recovery.enabled", found, "enabled = true"
            )
            if table.computed_in_configuration(BLOCK, 0, "enabled"):
                # a variable or expression decides: which value to change is a person's choice
                yield failed.needs_person("enabled comes from an expression; set what it reads")
            else:
                yield failed.fixed_by(_enable(table.address))


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
