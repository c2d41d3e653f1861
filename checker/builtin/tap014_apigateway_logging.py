"""TAP014: API Gateway has an account-level CloudWatch Logs role and stage access logs.

Why: the stage was live but no access logs ever appeared: API Gateway needs
the account-level `aws_api_gateway_account` with a role that has
`AmazonAPIGatewayPushToCloudWatchLogs` (incident 14).

Anti-pattern: no `aws_api_gateway_account`; its role not trusted by
`apigateway.amazonaws.com` or without the managed policy's logs actions; a stage
without `access_log_settings`, or whose destination is not a log group's ARN.
Best practice: the role, the attachment, the account resource, and
`access_log_settings` on every stage pointing at a CMK-encrypted log group.

AWS decides, through the shared policy evaluator (`checker.core.evaluation`): the
role's trust policy must let `apigateway.amazonaws.com` call `sts:AssumeRole`, and
its policies (inline, attached, AWS managed by full ARN, within its permissions
boundary, explicit Deny first) must allow every action of the managed policy
AmazonAPIGatewayPushToCloudWatchLogs (read from AWS's published copy) on every log
group of the region: the role is the account's, for every API and stage there.
The group's key ARN and retention stay TAP008's findings (on the group).
"""

from __future__ import annotations

import re
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
    Severity,
    Status,
    Unknown,
    Value,
    checked,
)
from checker.aws import authorization, managed
from checker.core.evaluation import (
    Decision,
    Policies,
    Request,
    Verdict,
    condition_holds,
    describe,
    evaluate,
    principal_named,
)
from checker.core.iam import HIDDEN
from checker.rules.apigateway_account import AccountOptions, account_elsewhere
from checker.rules.iam import Statement, Tri, policy_at
from checker.rules.links import RolePolicies, linked, role_policies

META = RuleMeta(
    id="TAP014",
    title="API Gateway has an account-level CloudWatch Logs role and stage access logs",
    severity=Severity.MEDIUM,
    incident=14,
    rationale=(
        "API Gateway writes logs through one account-level role; without it, or without access "
        "log settings on the stage, nothing is logged."
    ),
    remediation=(
        "Create an IAM role trusted by apigateway.amazonaws.com, attach "
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs, reference it "
        "from aws_api_gateway_account.cloudwatch_role_arn, and set access_log_settings on every "
        "stage to a log group with kms_key_id."
    ),
    resource_types=("aws_api_gateway_account", "aws_api_gateway_stage", "aws_iam_role"),
    aws_model=(
        "API Gateway writes a region's execution and access logs with the one role the "
        "account's cloudwatch_role_arn names (UpdateAccount). It assumes that role as the "
        "service principal apigateway.amazonaws.com: the trust policy is evaluated for "
        "sts:AssumeRole (an explicit Deny, a condition API Gateway cannot meet such as "
        "sts:ExternalId, or another principal fails; a condition on a key API Gateway is not "
        "documented to send is unknown). The role's policies (inline, attached, AWS managed by "
        "full ARN, customer managed, within its permissions boundary, explicit Deny first) "
        "must allow each action of AmazonAPIGatewayPushToCloudWatchLogs (CreateLogGroup, "
        "CreateLogStream, DescribeLogGroups, DescribeLogStreams, PutLogEvents, GetLogEvents, "
        "FilterLogEvents, read from AWS's published policy) on the resource the Service "
        "Authorization Reference gives each action, for every log group of the region: an "
        "equivalent custom policy passes without the managed one. Each stage needs "
        "access_log_settings whose destination_arn is a log group's ARN (the provider removes "
        "a trailing ':*') or a Firehose stream named amazon-apigateway-*; any other value is "
        "refused by API Gateway."
    ),
    letter_vs_aws=(
        "The seed's letter is 'attach AmazonAPIGatewayPushToCloudWatchLogs'; AWS needs its "
        "permissions, not its name: the rule follows AWS (a custom policy with the same actions "
        "passes, the managed policy under a boundary without logs fails). The letter grants on "
        '"*" and the role serves every API of the region, so the rule keeps it where it is '
        "stricter and safe: the actions must be allowed on every log group, not one. The letter "
        "asks for a CMK-encrypted log group as destination: the destination must be a log "
        "group's ARN (or a Firehose stream AWS accepts), and that group's kms_key_id and "
        "retention are TAP008's findings on the group (one problem, one finding), not repeated "
        "on the stage."
    ),
    limits=(
        "Service control policies, session policies and the key policy of the group's key "
        "(TAP003) are not evaluated; which condition keys API Gateway sends when it assumes the "
        "role is not documented, so a condition on one (aws:SourceAccount, aws:SourceArn) is "
        "unknown. A Firehose stream's encryption and delivery are not judged; a destination_arn "
        "written as a template around the group's ARN other than ':*' is not parsed. "
        "Execution logging settings (method_settings) are not judged."
    ),
    references=(
        "Amazon API Gateway Developer Guide: Set up CloudWatch logging for REST APIs "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html)",
        "AWS CloudFormation, AWS::ApiGateway::Account: one per region per account "
        "(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-account.html)",
        "Terraform AWS provider, aws_api_gateway_account: settings applied region-wide per "
        "provider block (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/"
        "resources/api_gateway_account)",
        "AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs "
        "(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"
        "AmazonAPIGatewayPushToCloudWatchLogs.html)",
        "AWS CloudFormation: AWS::ApiGateway::Stage AccessLogSetting (DestinationArn: a log "
        "group or a Firehose stream named amazon-apigateway-*) "
        "(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
        "aws-properties-apigateway-stage-accesslogsetting.html)",
        "IAM User Guide: Policy evaluation logic "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
        "Service Authorization Reference: Amazon CloudWatch Logs "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "list_amazoncloudwatchlogs.html)",
        "Terraform AWS provider: aws_api_gateway_account "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        "api_gateway_account)",
        "Terraform AWS provider: aws_api_gateway_stage access_log_settings "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        "api_gateway_stage)",
        "Terraform AWS provider: aws_cloudwatch_log_group kms_key_id "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        "cloudwatch_log_group)",
    ),
    needs_person=(
        "the region's API Gateway settings may belong to another stack: a person decides where they live"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_api_gateway_account`: a role trusted by API Gateway with "
                "`AmazonAPIGatewayPushToCloudWatchLogs` attached by its full ARN; on "
                "`aws_api_gateway_stage`: an account in the stack (unless managed elsewhere) and "
                "access logs to a log group of the plan"
            ),
            partial=(
                "the trust policy's Denies and conditions, permissions boundaries, inline or "
                "customer policies that grant the same actions, and which attribute of the log "
                "group a stage's destination names (its ARN, not its name or ID): the native rule"
                " evaluates them with the policy evaluator"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts="stages have `access_log_settings`",
            partial=(
                "the account's role, its trust and its managed policy (a step cannot join an "
                "attachment to the account's role)"
            ),
        ),
    ),
)

PUSH_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs"
PUSH_ARN = f"arn:aws:iam::aws:policy/service-role/{PUSH_POLICY}"
APIGATEWAY = ("Service", "apigateway.amazonaws.com")
# UpdateAccount takes only cloudwatchRoleArn: API Gateway passes no external ID when it
# assumes the role, so a trust condition on sts:ExternalId never holds.
NEVER_SENT = frozenset({"sts:externalid"})
LOG_GROUP = "aws_cloudwatch_log_group"
FIREHOSE = "aws_kinesis_firehose_delivery_stream"
FIREHOSE_PREFIX = "amazon-apigateway-"
LOGS_ARN = re.compile(r"^arn:aws[\w-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$")
FIREHOSE_ARN = re.compile(r"^arn:aws[\w-]*:firehose:[^:]*:[^:]*:deliverystream/(.+)$")
# Two accounts (and regions) no policy names: a grant that holds for both holds for any.
ANY_ACCOUNT = ("000000000000", "999999999999")
ANY_REGION = ("region-a-1", "region-b-2")


def push_actions() -> tuple[str, ...]:
    """The actions of AmazonAPIGatewayPushToCloudWatchLogs, from AWS's published document."""
    document = managed.document(PUSH_ARN)
    statements = document.get("Statement") if isinstance(document, dict) else None
    actions: list[str] = []
    for stmt in statements if isinstance(statements, list) else []:
        listed = stmt.get("Action") if isinstance(stmt, dict) else None
        listed = [listed] if isinstance(listed, str) else listed
        actions.extend(a for a in listed or [] if isinstance(a, str))
    return tuple(dict.fromkeys(actions))


def every_group_arn(action: str, region: str, account: str) -> str:
    """The ARN AWS authorizes the action on, for any log group and stream (Service
    Authorization Reference); `*` for an action without resource-level permission."""
    for resource in authorization.resource_types(action):
        shape = authorization.arn_format("logs", resource.name)
        if shape is not None:
            return (
                shape.replace("${Partition}", "aws")
                .replace("${Region}", region)
                .replace("${Account}", account)
                .replace("${LogGroupName}", "*")
                .replace("${LogStreamName}", "*")
            )
    return "*"


def _account_ids(model: RuleModel) -> tuple[str, ...]:
    known = [
        a for d in model.data("aws_caller_identity") if isinstance(a := d.get("account_id"), str)
    ]
    return (known[0],) if known else ANY_ACCOUNT


def _combined(decisions: list[Decision]) -> Decision:
    """One decision for a hidden account or region: the same for every value, else unknown."""
    verdicts = {d.verdict for d in decisions}
    if len(verdicts) == 1:
        return decisions[0]
    unknown = next((d for d in decisions if d.verdict == Verdict.UNKNOWN), None)
    if unknown is not None:
        return unknown
    return Decision(
        Verdict.UNKNOWN,
        f"{decisions[0].reason} for some accounts or regions only: it depends on the role's",
        decisions[0].statement,
    )


# ------------------------------------------------------------------ the account's role


def _trust_verdict(model: RuleModel, role: Instance) -> tuple[Tri, str]:
    """May apigateway.amazonaws.com assume the role (its trust policy, evaluated)?"""
    trust = policy_at(model, role, "assume_role_policy")
    if not trust.complete:
        return None, f"{role.address} trust policy: {trust.reason}"
    arn = role.get("arn")
    request = Request(
        "sts:AssumeRole",
        arn if isinstance(arn, str) else HIDDEN,
        APIGATEWAY,
        {},
        closed=False,
        absent=NEVER_SENT,
    )
    decision = evaluate(request, Policies(resource=trust.statements))
    if decision.verdict == Verdict.ALLOWED:
        return True, ""
    if decision.verdict == Verdict.DENIED:
        return False, (
            f"{role.address} trust policy: {decision.reason} by apigateway.amazonaws.com "
            "(an explicit Deny overrides every Allow)"
        )
    if decision.verdict == Verdict.IMPLICIT:
        return False, (
            f"{role.address} is not trusted by apigateway.amazonaws.com (no statement of its "
            f"trust policy lets API Gateway call sts:AssumeRole{_unmet(trust.statements, request)})"
        )
    return None, (
        f"{role.address} trust policy: {decision.reason} (which condition keys API Gateway "
        "sends when it assumes the role is not documented)"
    )


def _unmet(statements: list[Statement], request: Request) -> str:
    """The conditions of an Allow naming API Gateway that its request does not meet."""
    for stmt in statements:
        if not stmt.allows or principal_named(stmt.principals, APIGATEWAY) is not True:
            continue
        conditions = stmt.conditions if isinstance(stmt.conditions, list) else []
        unmet = [c.key for c in conditions if condition_holds(c, request) is False]
        if unmet:
            return (
                f": {describe(stmt)} requires {', '.join(unmet)}, which API Gateway does not send"
            )
    return ""


def _unpublished(roles: RolePolicies, role: Instance) -> str | None:
    """An AWS managed policy ARN AWS does not publish (a wrong path): the attachment fails."""
    for arn in roles.managed_arns(role):
        if isinstance(arn, str) and managed.is_aws_managed(arn) and managed.document(arn) is None:
            return (
                f"{role.address}: AWS publishes no managed policy at {arn} (as of "
                f"{managed.source()}): attaching it fails at apply"
            )
    return None


def _permission_verdict(model: RuleModel, roles: RolePolicies, role: Instance) -> tuple[Tri, str]:
    """Do the role's policies allow every push action on every log group of the region?"""
    wrong = _unpublished(roles, role)
    if wrong is not None:
        return False, wrong
    statements, complete, reasons = roles.statements(role)
    bounds = roles.boundary(role)
    limit: list[Statement] | None = None
    if bounds is not None:
        limit = bounds.statements
        if not bounds.complete:
            complete, reasons = False, [*reasons, bounds.reason]
    region = model.region_of(role)
    regions = (region,) if region is not None else ANY_REGION
    policies = Policies(identity=statements, boundary=limit)
    undecided: list[str] = []
    for action in push_actions():
        decision = _combined(
            [
                evaluate(Request(action, every_group_arn(action, r, a), closed=False), policies)
                for r in regions
                for a in model.view(_account_ids)
            ]
        )
        if decision.verdict == Verdict.DENIED:
            return (
                False,
                f"{role.address}: {decision.reason} (an explicit Deny overrides every Allow)",
            )
        if decision.verdict == Verdict.IMPLICIT and complete:
            within = " within its permissions boundary" if bounds is not None else ""
            return False, (
                f"{role.address} does not allow {action} on every log group{within}: "
                "API Gateway cannot write the region's logs"
            )
        if decision.verdict != Verdict.ALLOWED:
            undecided.append(decision.reason if decision.verdict == Verdict.UNKNOWN else action)
    if undecided or not complete:
        why = [*reasons, *undecided][0]
        return None, f"whether {role.address} allows the logs actions: {why}"
    return True, ""


def _role_verdict(model: RuleModel, roles: RolePolicies, role: Instance) -> tuple[Tri, str]:
    trusted, why = _trust_verdict(model, role)
    if trusted is False:
        return False, why
    allowed, because = _permission_verdict(model, roles, role)
    if allowed is False:
        return False, because
    if trusted is None:
        return None, why
    return allowed, because


def _account_result(model: RuleModel, roles: RolePolicies, account: Instance) -> Result:
    role_list = linked(model, account, ("cloudwatch_role_arn",), ("aws_iam_role",))
    if not role_list:
        value = account.get("cloudwatch_role_arn")
        if value is None or value == "":
            return Result.failed(
                account.address,
                "cloudwatch_role_arn",
                "no cloudwatch_role_arn",
                f"the ARN of a role with {PUSH_POLICY}",
            )
        shown = value.describe() if isinstance(value, Unknown) else str(value)
        return Result.unknown(
            account.address,
            "cloudwatch_role_arn",
            f"the role ({shown}) is managed outside {checked(model)}",
        )
    role = role_list[0]
    ok, why = _role_verdict(model, roles, role)
    if ok is False:
        return Result.failed(
            account.address,
            "cloudwatch_role_arn",
            why,
            f"a role trusted by apigateway.amazonaws.com allowed the actions of {PUSH_POLICY}",
        )
    if ok is None:
        return Result.unknown(account.address, "cloudwatch_role_arn", why)
    return Result.passed(
        account.address,
        "cloudwatch_role_arn",
        f"{role.address} is trusted by API Gateway and allowed the actions of {PUSH_POLICY}",
    )


# ------------------------------------------------------------------ the stages' access logs

DESTINATION = ("access_log_settings", 0, "destination_arn")


def _group_verdict(stage: Instance, group: Instance) -> Result:
    """Access logs into a log group of the plan. Its encryption (kms_key_id, a key ARN) and
    retention are TAP008's findings, on the group: one problem, one finding."""
    key = group.get("kms_key_id")
    encrypted = "without kms_key_id" if key is None or key == "" else "with kms_key_id"
    return Result.passed(
        stage.address,
        "access_log_settings",
        f"access logs go to {group.address} ({encrypted})",
        note=f"TAP008 judges the encryption and retention of {group.address}",
    )


def _stream_verdict(stage: Instance, name: Value, where: str) -> Result:
    """A Firehose destination: AWS requires its name to begin with amazon-apigateway-."""
    if isinstance(name, str):
        if not name.startswith(FIREHOSE_PREFIX):
            return Result.failed(
                stage.address,
                "access_log_settings.destination_arn",
                f"access logs go to the Firehose stream {name} ({where}): API Gateway accepts "
                f"only a stream named {FIREHOSE_PREFIX}*",
                f"a log group, or a Firehose stream named {FIREHOSE_PREFIX}*",
            )
        return Result.passed(
            stage.address,
            "access_log_settings",
            f"access logs go to the Firehose stream {name} ({where})",
            note="the stream's encryption and delivery are not judged",
        )
    hidden = name.describe() if isinstance(name, Unknown) else "not known"
    return Result.unknown(
        stage.address,
        "access_log_settings.destination_arn",
        f"the name of the Firehose stream {where} is {hidden}: API Gateway accepts only "
        f"{FIREHOSE_PREFIX}*",
    )


def _referenced_attribute(model: RuleModel, stage: Instance, target: Instance) -> Tri:
    """Does destination_arn reference the target's `arn` (True), another attribute (False),
    or nothing this plan shows (None)?"""
    attributes = {
        a for t, a in model.referenced(stage, *DESTINATION) if t.address == target.address
    }
    named = {a[0] for a in attributes if a}
    if not named:
        return None
    return "arn" in named


def _linked_verdict(model: RuleModel, stage: Instance, target: Instance) -> Result:
    if _referenced_attribute(model, stage, target) is False:
        return Result.failed(
            stage.address,
            "access_log_settings.destination_arn",
            f"destination_arn references {target.address} but not its arn: API Gateway "
            "accepts only an ARN",
            f"destination_arn = {target.config_address}.arn",
        )
    if target.type == FIREHOSE:
        return _stream_verdict(stage, target.get("name"), target.address)
    return _group_verdict(stage, target)


def _arn_verdict(model: RuleModel, stage: Instance, arn: str) -> Result:
    """A destination written as an ARN no resource of the plan is."""
    stream = FIREHOSE_ARN.match(arn)
    if stream is not None:
        verdict = _stream_verdict(stage, stream.group(1), arn)
        if verdict.status == Status.FAILED:
            return verdict
        return Result.unknown(
            stage.address,
            "access_log_settings.destination_arn",
            f"the Firehose stream {arn} is not in {checked(model)}",
        )
    group = LOGS_ARN.match(arn)
    if group is not None:
        return Result.unknown(
            stage.address,
            "access_log_settings.destination_arn",
            f"the log group {group.group(1)} is not in {checked(model)}: its encryption is "
            "not known",
        )
    return Result.failed(
        stage.address,
        "access_log_settings.destination_arn",
        f"destination_arn {arn} is neither a log group ARN nor a Firehose stream ARN: API "
        "Gateway refuses it",
        "the ARN of a KMS-encrypted log group",
    )


def _stage_result(model: RuleModel, stage: Instance) -> Result:
    if not stage.get("access_log_settings"):
        return Result.failed(
            stage.address,
            "access_log_settings",
            "no access_log_settings",
            "access_log_settings with destination_arn = an encrypted log group",
        )
    targets = linked(model, stage, DESTINATION, (LOG_GROUP, FIREHOSE))
    if targets:
        return _linked_verdict(model, stage, targets[0])
    destination = stage.get(*DESTINATION)
    if isinstance(destination, str) and destination:
        return _arn_verdict(model, stage, destination)
    shown = destination.describe() if isinstance(destination, Unknown) else "not set"
    return Result.unknown(
        stage.address,
        "access_log_settings.destination_arn",
        f"destination_arn is {shown}: the log group is not in {checked(model)}",
    )


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    stages = sorted(model.resources("aws_api_gateway_stage"), key=lambda stage: stage.address)
    accounts = model.resources("aws_api_gateway_account")
    if stages and not accounts:
        if account_elsewhere(ctx):
            yield Result.passed(
                stages[0].address,
                "aws_api_gateway_account",
                "no aws_api_gateway_account in this stack",
                note='api_gateway_account = "managed_elsewhere": another stack owns it',
            )
        else:
            yield Result.failed(
                stages[0].address,
                "aws_api_gateway_account",
                "no aws_api_gateway_account sets the CloudWatch Logs role",
                "aws_api_gateway_account with cloudwatch_role_arn",
            )
    roles = role_policies(model)
    for account in accounts:
        yield _account_result(model, roles, account)
    regions = {model.region_of(account) for account in accounts}
    known = bool(accounts) and None not in regions and not account_elsewhere(ctx)
    for stage in stages:
        region = model.region_of(stage)
        if known and region is not None and region not in regions:
            yield _no_account_in_region(stage, region, regions)
        yield _stage_result(model, stage)


def _no_account_in_region(stage: Instance, region: str, regions: set[str | None]) -> Result:
    """API Gateway's account settings (the CloudWatch Logs role) are one per region: an
    account of another region does not let this stage's API write its logs."""
    elsewhere = ", ".join(sorted(r for r in regions if r))
    return Result.failed(
        stage.address,
        "aws_api_gateway_account",
        f"no aws_api_gateway_account in {region}, the stage's region (the stack sets the "
        f"CloudWatch Logs role of {elsewhere} only; the settings are per region)",
        f"aws_api_gateway_account with cloudwatch_role_arn in {region}",
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=AccountOptions)
