"""CKV_TAP_003 (TAP003): the CMK policy keeps root admin and trusts regional Logs and Lambda with ViaService-scoped grants."""

from __future__ import annotations

import re
from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)
LOGS = re.compile(r"^logs\.([a-z0-9-]+)\.amazonaws\.com$")
ROOT = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:root$")


class KmsKeyPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP003: CMK policy lets CloudWatch Logs and Lambda use the key (ViaService-scoped grants)",
            id="CKV_TAP_003",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        statements = t.policy_statements(self.graph, t.address_of(conf), conf.get("policy"), conf)
        if statements is None or t.unrendered(statements):
            return t.UNKNOWN
        allows = [s for s in statements if str(s.get("Effect", "")).lower() == "allow"]
        root = [
            s
            for s in allows
            if t.allows_action(s, "kms:PutKeyPolicy")
            and any(ROOT.match(str(p)) for p in self._aws_principals(s))
        ]
        if not root:
            return t.FAILED
        regions = {
            m.group(1) for s in allows for p in t.service_principals(s) if (m := LOGS.match(p))
        }
        if len(regions) != 1:
            return t.FAILED if not regions else t.UNKNOWN
        region = regions.pop()
        logs = [s for s in allows if f"logs.{region}.amazonaws.com" in t.service_principals(s)]
        if not any(all(t.allows_action(s, a) for a in USE) for s in logs):
            return t.FAILED
        lam = [s for s in allows if "lambda.amazonaws.com" in t.service_principals(s)]
        if not all(any(t.allows_action(s, a) for s in lam) for a in USE):
            return t.FAILED
        grants = [s for s in lam if t.allows_action(s, "kms:CreateGrant")]
        if not grants:
            return t.FAILED
        for grant in grants:
            if t.condition_values(grant, "kms:ViaService") != [f"lambda.{region}.amazonaws.com"]:
                return t.FAILED
            if t.condition_values(grant, "kms:GrantIsForAWSResource") != ["true"]:
                return t.FAILED
        return t.PASSED

    @staticmethod
    def _aws_principals(statement: dict[str, Any]) -> list[Any]:
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            values = principal.get("AWS")
            return values if isinstance(values, list) else [values]
        return []


check = KmsKeyPolicy()
