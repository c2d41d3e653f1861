"""TAP013: creation order is explicit where it matters.

Why: right after apply, tests failed because notifications, permissions, log
groups and API deployments were created in a racy order (incident 13).

Anti-pattern: a graph (depends_on plus references) without the edges
notification -> Lambda permission, function -> its log group, deployment ->
integrations of its API, stage with access logs (or method settings with
execution logging) -> API Gateway account.
Best practice: add `depends_on` for each of those edges.

One problem, one finding: the notification -> permission edge is TAP001's
(its `depends_on` must name the permission) and function -> log group is
TAP008's (the function must depend on its log group), so this rule asserts the
other two and reports each resource once, naming every missing edge.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import (
    AddDependsOn,
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Status,
    Unknown,
)
from checker.rules.apigateway_account import AccountOptions, RegionAccounts
from checker.rules.links import linked

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
        "Add depends_on: aws_api_gateway_deployment -> the integrations of its API, stage with "
        "access logs and method settings with a logging level -> aws_api_gateway_account "
        "(notification -> permission is TAP001's, "
        "function -> log group TAP008's)."
    ),
    resource_types=(
        "aws_api_gateway_deployment",
        "aws_api_gateway_stage",
        "aws_api_gateway_method_settings",
    ),
    aws_model=(
        "Terraform creates resources with no path between them in the graph (a reference or "
        "depends_on, direct or transitive) in parallel. API Gateway's CreateDeployment "
        "snapshots the API's methods and refuses a method without an integration ('No "
        "integration defined for method'), so a deployment must follow every integration of "
        "its API; CreateStage/UpdateStage with access logging is refused ('CloudWatch Logs "
        "role ARN must be set in account settings to enable logging') until the account's "
        "CloudWatch role is set, so such a stage, and aws_api_gateway_method_settings with "
        "logging_level ERROR or INFO (execution logging, UpdateStage), must follow "
        "aws_api_gateway_account. A "
        "reference orders as well as depends_on does (a deployment's triggers naming the "
        "integration's id)."
    ),
    letter_vs_aws=(
        "The seed adds depends_on 'where creation order matters'; AWS needs only an edge, "
        "which a reference provides as well: the rule follows AWS and accepts either. The "
        "notification -> permission edge is TAP001's and function -> log group TAP008's."
    ),
    limits=(
        "data_trace_enabled without a logging level, method settings ordered before their "
        "stage, an account role set by another stack, propagation delays after creation (IAM, S3 notifications: the seed's "
        "retries), and HTTP APIs (apigatewayv2) are not judged."
    ),
    references=(
        "Terraform language, depends_on meta-argument "
        "(https://developer.hashicorp.com/terraform/language/meta-arguments/depends_on)",
        "Terraform AWS provider, aws_api_gateway_deployment "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_deployment)",
        "Amazon API Gateway Developer Guide, Set up CloudWatch logging for REST APIs "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html)",
        "Terraform AWS provider, aws_api_gateway_account "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_account)",
    ),
    needs_person=("ordering across modules needs an output to depend on: a person chooses it"),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_api_gateway_deployment`: ordered after every integration of its API; on "
                "`aws_api_gateway_stage` with access logs and `aws_api_gateway_method_settings` "
                "with a logging level: after the API Gateway account (through references and "
                "`depends_on`, transitively)"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why="graph edges (`depends_on`) are not visible to steps",
        ),
    ),
)


def _order(model: RuleModel, source: Instance, edges: list[tuple[Instance, str]]) -> Result:
    """One finding per resource: ordered after every target it needs, or which are missing."""
    missing = [(t, why) for t, why in edges if not model.ordered_after(source, t)]
    if not missing:
        targets = ", ".join(t.address for t, _ in edges)
        return Result.passed(source.address, "depends_on", f"ordered after {targets}")
    target, why = missing[0]
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    return Result.failed(
        source.address,
        "depends_on",
        f"nothing orders it after {target.address} ({why}){more}",
        "depends_on = [" + ", ".join(t.config_address for t, _ in missing) + "]",
    ).fixed_by(*(AddDependsOn(source.address, t.address) for t, _ in missing))


def _deployment_edges(model: RuleModel) -> Iterator[Result]:
    integrations_by_api: dict[str, list[Instance]] = {}
    for integration in model.resources("aws_api_gateway_integration"):
        for api in linked(model, integration, ("rest_api_id",), ("aws_api_gateway_rest_api",)):
            integrations_by_api.setdefault(api.address, []).append(integration)
    for deployment in model.resources("aws_api_gateway_deployment"):
        edges = {
            integration.address: (integration, "the deployment snapshots the integration")
            for api in linked(model, deployment, ("rest_api_id",), ("aws_api_gateway_rest_api",))
            for integration in integrations_by_api.get(api.address, [])
        }
        if edges:
            yield _order(model, deployment, list(edges.values()))


def _stage_edges(model: RuleModel) -> Iterator[Result]:
    accounts = RegionAccounts(model, model.resources("aws_api_gateway_account"))
    for stage in model.resources("aws_api_gateway_stage"):
        logs = stage.get("access_log_settings")
        account = accounts.of(stage) if logs else None
        if not logs or account is None:
            # no account here: another stack's (`api_gateway_account = "managed_elsewhere"`),
            # or missing, which is TAP014's finding; either way no edge to check
            continue
        yield _order(model, stage, [(account, ACCOUNT_ROLE)])


# Execution logging levels that make API Gateway write to CloudWatch Logs through the account's
# role (MethodSetting.loggingLevel: OFF, ERROR, INFO).
EXECUTION_LOGGING = ("ERROR", "INFO")
ACCOUNT_ROLE = "the account's CloudWatch role must exist first"


def _logs_executions(settings: Instance) -> bool | None:
    """Does this aws_api_gateway_method_settings turn execution logging on? (None: unknown)"""
    level = settings.get("settings", 0, "logging_level")
    if isinstance(level, Unknown) or isinstance(settings.get("settings"), Unknown):
        return None
    return level in EXECUTION_LOGGING


def _method_settings_edges(model: RuleModel) -> Iterator[Result]:
    """UpdateStage with a logging level is refused, like a stage with access logs, until the
    account's CloudWatch role is set."""
    accounts = RegionAccounts(model, model.resources("aws_api_gateway_account"))
    if accounts.first is None:
        return
    for settings in model.resources("aws_api_gateway_method_settings"):
        logs = _logs_executions(settings)
        if logs is False:
            continue
        account = accounts.of(settings)
        if account is None:
            continue
        result = _order(model, settings, [(account, ACCOUNT_ROLE)])
        if logs is None and result.status is Status.FAILED:
            yield Result.unknown(
                settings.address,
                "settings.logging_level",
                f"logging_level is only known after apply; at ERROR or INFO {result.found}",
                result.expected,
            )
        else:
            yield result


def check(ctx: RuleContext) -> Iterator[Result]:
    yield from _deployment_edges(ctx.model)
    yield from _stage_edges(ctx.model)
    yield from _method_settings_edges(ctx.model)


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=AccountOptions)
