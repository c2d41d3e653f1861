"""CKV_TAP_014 (TAP014): an account-level CloudWatch role with the managed policy, and stage access logs to an encrypted group."""

from __future__ import annotations

import re
from typing import Any

import tap_common as t
from tap_common import iam, managed

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

PUSH = "AmazonAPIGatewayPushToCloudWatchLogs"
# the managed policy by its full ARN: a wrong path names no policy (the attachment fails)
PUSH_ARN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/service-role/" + PUSH + "$")


class ApiGatewayLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP014: API Gateway has an account-level CloudWatch Logs role and stage access logs",
            id="CKV_TAP_014",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_api_gateway_account", "aws_api_gateway_stage"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:  # pragma: no cover - unused
        return t.UNKNOWN

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        if entity_type == "aws_api_gateway_stage":
            return self._stage(conf)
        return self._account(conf)

    def _account(self, conf: dict[str, Any]) -> CheckResult:
        roles = t.linked(self.graph, conf, "cloudwatch_role_arn", "aws_iam_role")
        if not roles:
            if conf.get("cloudwatch_role_arn") in (None, [None], [], [[]]):
                return t.fail(self, "no cloudwatch_role_arn", f"a role with {PUSH}")
            return t.UNKNOWN  # a role of another stack, or hidden
        role_address, role_conf = roles[0]
        trust = t.policy_statements(self.graph, role_conf, "assume_role_policy")
        if trust is None:
            return t.UNKNOWN
        trusted = iam.any_true(
            [
                iam.principal_matches(s, "Service", "apigateway.amazonaws.com")
                for s in trust
                if s.allows
            ]
        )
        if trusted is None:
            return t.UNKNOWN
        if trusted is False:
            return t.fail(
                self, f"{role_address} is not trusted by API Gateway", "apigateway.amazonaws.com"
            )
        name = t.first(role_conf.get("name"))
        arns = [
            t.first(attachment.get("policy_arn"))
            for _a, attachment in t.nodes(self.graph, "aws_iam_role_policy_attachment", near=conf)
            if t.links_to(self.graph, attachment, "role", role_address)
            or (isinstance(name, str) and t.first(attachment.get("role")) == name)
        ]
        listed = t.first(role_conf.get("managed_policy_arns"))
        arns += listed if isinstance(listed, list) else [listed] if listed else []
        if any(isinstance(a, str) and PUSH_ARN.match(a) for a in arns):
            return t.PASSED
        if any(t.is_unknown(a) for a in arns):
            return t.UNKNOWN
        if self._other_policies(conf, role_address, role_conf, arns):
            # an inline or customer policy may grant the same actions: the native rule
            # evaluates them, this check does not (TAP014 RuleMeta.engines: partial)
            return t.UNKNOWN
        return t.fail(self, f"{role_address} has no {PUSH} attached", PUSH)

    def _other_policies(
        self, conf: dict[str, Any], role_address: str, role_conf: dict[str, Any], arns: list[Any]
    ) -> bool:
        """Whether the role has policies besides the managed one: other attachments, inline
        blocks, or aws_iam_role_policy resources."""
        if any(isinstance(a, str) and self._may_push(a) for a in arns):
            return True
        if t.blocks(role_conf, "inline_policy"):
            return True
        return any(
            t.links_to(self.graph, policy, "role", role_address)
            for _a, policy in t.nodes(self.graph, "aws_iam_role_policy", near=conf)
        )

    @staticmethod
    def _may_push(arn: str) -> bool:
        """Whether a policy other than the push policy may grant logs:PutLogEvents: an AWS
        managed policy is read from AWS's published list; any other one may."""
        if not managed.is_aws_managed(arn):
            return True
        document = managed.document(arn)
        if document is None:
            return False  # no policy at that ARN: the attachment itself fails
        statements = iam.statements_from_object(document, arn)
        return any(
            s.allows and iam.actions_covered(s, "logs:PutLogEvents") is not False
            for s in statements
        )

    def _stage(self, conf: dict[str, Any]) -> CheckResult:
        stages = sorted(a for a, _ in t.nodes(self.graph, "aws_api_gateway_stage", near=conf))
        accounts = list(t.nodes(self.graph, "aws_api_gateway_account", near=conf))
        elsewhere = t.option("TAP014", "api_gateway_account", "in_stack") == "managed_elsewhere"
        if not accounts and not elsewhere and stages and stages[0] == t.address_of(conf):
            # one finding for the stack: on its first stage
            return t.fail(self, "no aws_api_gateway_account", "one with cloudwatch_role_arn")
        settings = t.block(conf, "access_log_settings")
        if settings is None:
            return t.fail(self, "no access_log_settings", "access logs to a log group")
        if t.linked(self.graph, conf, "access_log_settings", "aws_cloudwatch_log_group"):
            return t.PASSED  # the group's encryption is TAP008's (CKV_TAP_008) finding
        return t.UNKNOWN


check = ApiGatewayLogging()
