"""CKV_TAP_003 (TAP003): the CMK policy keeps root admin and trusts regional Logs and Lambda with ViaService-scoped grants.

The key policy is judged by the native rule's own evaluation (`checker.core.key_policy`):
explicit Denies, IfExists operators, encryption-context conditions per log group and
region pins count as KMS counts them. What checkov's graph does not hold is taken from
the policy itself: the region is the Logs principal's, the account is the root's.
"""

from __future__ import annotations

import re
from typing import Any

import tap_common as t
from tap_common import iam, key_policy

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

LOGS = re.compile(r"^logs\.([a-z0-9-]+)\.amazonaws\.com$")
ROOT_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):root$")


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
        regions = {
            m.group(1)
            for s in statements
            if s.allows
            for p in t.service_principals(s)
            if (m := LOGS.match(p))
        }
        if len(regions) != 1:
            if regions or self._principals_hidden(statements):
                return t.UNKNOWN
            return t.fail(self, "no logs.<region>.amazonaws.com principal", "the Logs principal")
        region = regions.pop()
        use = key_policy.KeyUse(
            self._known(conf.get("arn")) or iam.HIDDEN,
            self._account(statements),
            region,
            self._log_groups(conf, region, self._account(statements)),
        )
        verdict, found, expected = key_policy.judge_key_policy(statements, use)
        if verdict is None:
            return t.UNKNOWN
        if verdict is False:
            # the native finding quotes the statements; checkov's details stay one short line
            return t.fail(self, found.split(" (")[0], expected)
        return t.PASSED

    def _statements(self, conf: dict[str, Any]) -> list[iam.Statement] | None:
        """The key's policy: an aws_kms_key_policy for the key carries it when there is one."""
        address = t.address_of(conf)
        for _, attached in t.nodes(self.graph, "aws_kms_key_policy", near=conf):
            if t.links_to(self.graph, attached, "key_id", address):
                return t.policy_statements(self.graph, attached, "policy")
        return t.policy_statements(self.graph, conf, "policy")

    @staticmethod
    def _principals_hidden(statements: list[iam.Statement]) -> bool:
        """Whether a principal of an Allow is only known after apply (or not rendered)."""
        for stmt in statements:
            principals = stmt.principals
            if isinstance(principals, iam.Hidden):
                return True
            if isinstance(principals, dict):
                named = [p for values in principals.values() for p in values]
                if any(not isinstance(p, str) or t.unrendered(p) for p in named):
                    return True
        return False

    @staticmethod
    def _known(value: Any) -> str | None:
        value = t.first(value)
        return value if isinstance(value, str) and value and not t.is_unknown(value) else None

    @staticmethod
    def _account(statements: list[iam.Statement]) -> str:
        """The key's account, as the root principal of its policy names it (else hidden)."""
        found = {
            m.group(1)
            for s in statements
            if isinstance(s.principals, dict)
            for key, values in s.principals.items()
            if key.lower() == "aws"
            for p in values
            if isinstance(p, str) and (m := ROOT_ACCOUNT.match(p))
        }
        return found.pop() if len(found) == 1 else key_policy.HOLE

    def _log_groups(self, conf: dict[str, Any], region: str, account: str) -> tuple[str, ...]:
        """ARNs of the plan's log groups encrypted with this key (`${?}` for hidden names)."""
        address = t.address_of(conf)
        groups: list[str] = []
        for _, group in t.nodes(self.graph, "aws_cloudwatch_log_group", near=conf):
            if t.links_to(self.graph, group, "kms_key_id", address):
                name = self._known(group.get("name")) or key_policy.HOLE
                groups.append(f"arn:aws:logs:{region}:{account}:log-group:{name}")
        return tuple(groups) or (f"arn:aws:logs:{region}:{account}:log-group:{key_policy.HOLE}",)


check = KmsKeyPolicy()
