"""TAP014: API Gateway has an account-level CloudWatch Logs role and stage access logs.

Why: the stage was live but no access logs ever appeared: API Gateway needs
the account-level `aws_api_gateway_account` with a role that has
`AmazonAPIGatewayPushToCloudWatchLogs` (incident 14).

Anti-pattern: no `aws_api_gateway_account`; its role not trusted by
`apigateway.amazonaws.com` or without the managed policy; a stage without
`access_log_settings`.
Best practice: the role, the attachment, the account resource, and
`access_log_settings` on every stage pointing at a CMK-encrypted log group.
That log group's encryption is TAP008's finding (on the group), not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from checker.aws import managed
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.rules.base import (
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleOptions,
    Severity,
    checked,
)
from checker.rules.iam import any_true, policy_at, principal_matches
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
)

PUSH_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs"
PUSH_ARN_TAIL = f":policy/service-role/{PUSH_POLICY}"


def _role_verdict(model: PlanModel, roles: RolePolicies, role: Instance) -> tuple[bool | None, str]:
    trust = policy_at(model, role, "assume_role_policy")
    if not trust.complete:
        return None, f"{role.address} trust policy is only known after apply"
    trusted = any_true(
        [
            principal_matches(s, "Service", "apigateway.amazonaws.com")
            for s in trust.statements
            if s.allows
        ]
    )
    if trusted is False:
        return False, f"{role.address} is not trusted by apigateway.amazonaws.com"
    arns = roles.managed_arns(role)
    # by the full ARN AWS publishes, path included (a wrong path names no policy)
    if not any(
        isinstance(a, str) and a.endswith(PUSH_ARN_TAIL) and managed.document(a) for a in arns
    ):
        if None in arns:
            return None, f"a policy attached to {role.address} is only known after apply"
        return False, f"{role.address} has no {PUSH_POLICY} attached"
    if trusted is None:
        return None, f"{role.address} trust principals are only known after apply"
    return True, ""


class AccountOptions(RuleOptions):
    """`api_gateway_account`: "in_stack" (default: the stack creates the region's
    `aws_api_gateway_account`) or "managed_elsewhere" (the account-wide singleton is owned
    by another stack, such as a landing zone: not required here, and the report says so)."""

    api_gateway_account: Literal["in_stack", "managed_elsewhere"] = "in_stack"


def account_elsewhere(ctx: RuleContext) -> bool:
    return (
        isinstance(ctx.options, AccountOptions)
        and ctx.options.api_gateway_account == "managed_elsewhere"
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
        role_list = linked(model, account, ("cloudwatch_role_arn",), ("aws_iam_role",))
        if not role_list:
            value = account.get("cloudwatch_role_arn")
            if value is None:
                yield Result.failed(
                    account.address,
                    "cloudwatch_role_arn",
                    "no cloudwatch_role_arn",
                    "the ARN of a role with AmazonAPIGatewayPushToCloudWatchLogs",
                )
            else:
                yield Result.unknown(
                    account.address,
                    "cloudwatch_role_arn",
                    f"the role is managed outside {checked(model)}",
                )
            continue
        ok, why = _role_verdict(model, roles, role_list[0])
        if ok is False:
            yield Result.failed(
                account.address,
                "cloudwatch_role_arn",
                why,
                f"a role trusted by apigateway.amazonaws.com with {PUSH_POLICY}",
            )
        elif ok is None:
            yield Result.unknown(account.address, "cloudwatch_role_arn", why)
        else:
            yield Result.passed(
                account.address,
                "cloudwatch_role_arn",
                f"{role_list[0].address} is trusted by API Gateway and has {PUSH_POLICY}",
            )
    for stage in stages:
        destination = stage.get("access_log_settings", 0, "destination_arn")
        if not stage.get("access_log_settings"):
            yield Result.failed(
                stage.address,
                "access_log_settings",
                "no access_log_settings",
                "access_log_settings with destination_arn = an encrypted log group",
            )
            continue
        groups = linked(
            model,
            stage,
            ("access_log_settings", 0, "destination_arn"),
            ("aws_cloudwatch_log_group",),
        )
        if not groups:
            yield Result.unknown(
                stage.address,
                "access_log_settings.destination_arn",
                f"the log group is not in {checked(model)}"
                if not isinstance(destination, Unknown)
                else "the destination is only known after apply",
            )
            continue
        # The group's own encryption and retention are TAP008's finding (on the group):
        # one problem, one finding.
        yield Result.passed(
            stage.address,
            "access_log_settings",
            f"access logs go to {groups[0].address}",
            note=f"TAP008 judges the encryption and retention of {groups[0].address}",
        )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=AccountOptions)
