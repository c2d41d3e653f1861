"""CKV_TAP_003 (TAP003): the CMK policy keeps root admin and trusts regional Logs and Lambda with ViaService-scoped grants."""

from __future__ import annotations

import re
from typing import Any

import tap_common as t
from tap_common import iam

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
        statements = self._statements(conf)
        if statements is None:
            return t.UNKNOWN
        allows = [s for s in statements if s.allows]
        root = iam.any_true([self._root_admin(s) for s in allows])
        if root is None:
            return t.UNKNOWN
        if root is False:
            return t.fail(
                self, "no statement lets the account root administer the key", "root admin"
            )
        regions = {
            m.group(1) for s in allows for p in t.service_principals(s) if (m := LOGS.match(p))
        }
        if len(regions) != 1:
            if regions:
                return t.UNKNOWN
            return t.fail(self, "no logs.<region>.amazonaws.com principal", "the Logs principal")
        region = regions.pop()
        logs = [s for s in allows if f"logs.{region}.amazonaws.com" in t.service_principals(s)]
        lam = [s for s in allows if "lambda.amazonaws.com" in t.service_principals(s)]
        for who, group in ((f"logs.{region}.amazonaws.com", logs), ("lambda.amazonaws.com", lam)):
            verdict = iam.all_true(
                [iam.any_true([iam.actions_covered(s, a) for s in group]) for a in USE]
            )
            if verdict is None:
                return t.UNKNOWN
            if verdict is False:
                return t.fail(self, f"{who} lacks one of {', '.join(USE)}", "all of them")
        grants = [s for s in lam if iam.action_covered(s, "kms:CreateGrant") is not False]
        if not grants:
            return t.fail(self, "lambda.amazonaws.com cannot kms:CreateGrant", "kms:CreateGrant")
        for grant in grants:
            pinned = iam.all_true(
                [
                    iam.condition_requires(
                        grant, "kms:ViaService", f"lambda.{region}.amazonaws.com"
                    ),
                    iam.condition_requires(grant, "kms:GrantIsForAWSResource", "true"),
                ]
            )
            if pinned is None:
                return t.UNKNOWN
            if pinned is False:
                return t.fail(
                    self,
                    f"statement {grant.index} lets lambda.amazonaws.com kms:CreateGrant unpinned",
                    f"kms:ViaService = lambda.{region}.amazonaws.com and "
                    "kms:GrantIsForAWSResource = true",
                )
        return t.PASSED

    def _statements(self, conf: dict[str, Any]) -> list[iam.Statement] | None:
        """The key's policy: an aws_kms_key_policy for the key carries it when there is one."""
        address = t.address_of(conf)
        for _, attached in t.nodes(self.graph, "aws_kms_key_policy", near=conf):
            if t.links_to(self.graph, attached, "key_id", address):
                return t.policy_statements(self.graph, attached, "policy")
        return t.policy_statements(self.graph, conf, "policy")

    @staticmethod
    def _root_admin(statement: iam.Statement) -> iam.Tri:
        principals = statement.principals
        if isinstance(principals, iam.Hidden):
            return None
        if not isinstance(principals, dict):
            return False
        ids = [p for key, values in principals.items() if key.lower() == "aws" for p in values]
        is_root = iam.any_true(
            [None if isinstance(p, iam.Hidden) else bool(ROOT.match(str(p))) for p in ids]
        )
        return iam.all_true([iam.action_covered(statement, "kms:PutKeyPolicy"), is_root])


check = KmsKeyPolicy()
