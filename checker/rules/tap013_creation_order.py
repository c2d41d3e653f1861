"""TAP013: creation order is explicit where it matters.

Why: right after apply, tests failed because notifications, permissions, log
groups and API deployments were created in a racy order (incident 13).

Anti-pattern: a graph (depends_on plus references) without the edges
notification -> Lambda permission, function -> its log group, deployment ->
integrations of its API, stage with access logs -> API Gateway account.
Best practice: add `depends_on` for each of those edges.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity
from checker.rules.links import linked, permissions_by_function
from checker.rules.tap001_s3_notification_permission import permission_matches
from checker.rules.tap008_log_groups import function_log_group

META = RuleMeta(
    id="TAP013",
    title="Creation order is explicit where it matters",
    severity=Severity.MEDIUM,
    incident=13,
    rationale=(
        "Terraform creates independent resources in parallel; where AWS needs one to exist "
        "first, only an edge in the graph makes the order reliable."
    ),
    remediation=(
        "Add depends_on: notification -> its aws_lambda_permission, function -> its log group, "
        "aws_api_gateway_deployment -> the integrations of its API, stage with access logs -> "
        "aws_api_gateway_account."
    ),
    resource_types=(
        "aws_s3_bucket_notification",
        "aws_lambda_function",
        "aws_api_gateway_deployment",
        "aws_api_gateway_stage",
    ),
)


def _edge(model: PlanModel, source: Instance, target: Instance, what: str) -> Result:
    if model.ordered_after(source, target):
        return Result.passed(
            source.address, "depends_on", f"ordered after {target.address} ({what})"
        )
    return Result.failed(
        source.address,
        "depends_on",
        f"nothing orders it after {target.address} ({what})",
        f"depends_on = [{target.config_address}]",
    )


def _notification_edges(model: PlanModel) -> Iterator[Result]:
    by_function = permissions_by_function(model)
    for notification in model.resources("aws_s3_bucket_notification"):
        entries = notification.get("lambda_function")
        if not isinstance(entries, list):
            continue
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        for index in range(len(entries)):
            path = ("lambda_function", index, "lambda_function_arn")
            for function in linked(model, notification, path, ("aws_lambda_function",)):
                matches = [
                    p
                    for p in by_function.get(function)
                    if permission_matches(model, p, function, buckets[0] if buckets else None)
                    is not False
                ]
                if matches:
                    yield _edge(model, notification, matches[0], "S3 may invoke the function")


def _deployment_edges(model: PlanModel) -> Iterator[Result]:
    integrations_by_api: dict[str, list[Instance]] = {}
    for integration in model.resources("aws_api_gateway_integration"):
        for api in linked(model, integration, ("rest_api_id",), ("aws_api_gateway_rest_api",)):
            integrations_by_api.setdefault(api.address, []).append(integration)
    for deployment in model.resources("aws_api_gateway_deployment"):
        for api in linked(model, deployment, ("rest_api_id",), ("aws_api_gateway_rest_api",)):
            for integration in integrations_by_api.get(api.address, []):
                yield _edge(
                    model, deployment, integration, "the deployment snapshots the integration"
                )


def _stage_edges(model: PlanModel) -> Iterator[Result]:
    accounts = model.resources("aws_api_gateway_account")
    for stage in model.resources("aws_api_gateway_stage"):
        logs = stage.get("access_log_settings")
        if not logs:
            continue
        if not accounts:
            yield Result.failed(
                stage.address,
                "depends_on",
                "the stage writes access logs but no aws_api_gateway_account sets the logging role",
                "depends_on = [aws_api_gateway_account.<name>]",
            )
            continue
        yield _edge(model, stage, accounts[0], "the account's CloudWatch role must exist first")


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    yield from _notification_edges(model)
    for function in model.resources("aws_lambda_function"):
        group, _ = function_log_group(model, function)
        if group is not None:
            yield _edge(model, function, group, "the function logs to it")
    yield from _deployment_edges(model)
    yield from _stage_edges(model)


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
