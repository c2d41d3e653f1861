"""CKV_TAP_014 (TAP014): an account-level CloudWatch role with the managed policy, and stage access logs to an encrypted group."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

PUSH = "AmazonAPIGatewayPushToCloudWatchLogs"


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
        origin = t.address_of(conf)
        roles = [
            r for r in t.references(conf, "cloudwatch_role_arn") if ".aws_iam_role." in f".{r}"
        ]
        if not roles:
            return t.FAILED if conf.get("cloudwatch_role_arn") in (None, [None]) else t.UNKNOWN
        role = next(
            (
                (a, c)
                for a, c in t.nodes(self.graph, "aws_iam_role", near=conf)
                if t.same(origin, roles[0], a)
            ),
            None,
        )
        if role is None:
            return t.UNKNOWN
        role_address, role_conf = role
        trust = t.policy_statements(
            self.graph, role_address, role_conf.get("assume_role_policy"), conf
        )
        if trust is None:
            return t.UNKNOWN
        if not any("apigateway.amazonaws.com" in t.service_principals(s) for s in trust):
            return t.FAILED
        name = t.first(role_conf.get("name"))
        for address, attachment in t.nodes(self.graph, "aws_iam_role_policy_attachment", near=conf):
            linked = any(t.same(address, r, role_address) for r in t.references(attachment, "role"))
            if (linked or t.first(attachment.get("role")) == name) and str(
                t.first(attachment.get("policy_arn"))
            ).endswith("/" + PUSH):
                return t.PASSED
        return t.FAILED

    def _stage(self, conf: dict[str, Any]) -> CheckResult:
        origin = t.address_of(conf)
        if not any(True for _ in t.nodes(self.graph, "aws_api_gateway_account", near=conf)):
            return t.FAILED
        settings = t.block(conf, "access_log_settings")
        if settings is None:
            return t.FAILED
        groups = t.references(settings, "destination_arn")
        for address, _group in t.nodes(self.graph, "aws_cloudwatch_log_group", near=conf):
            if any(t.same(origin, g, address) for g in groups):
                return t.PASSED  # the group's encryption is TAP008's (CKV_TAP_008) finding
        return t.UNKNOWN


check = ApiGatewayLogging()
