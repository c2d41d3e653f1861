"""CKV_TAP_008 (TAP008): functions have their /aws/lambda log group first; every log group is CMK-encrypted with retention."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class LogGroups(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP008: Log groups exist first, are CMK-encrypted and have retention",
            id="CKV_TAP_008",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_lambda_function", "aws_cloudwatch_log_group"],
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        if entity_type == "aws_cloudwatch_log_group":
            return self._group(conf)
        return self._function(conf)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:  # pragma: no cover - unused
        return self._function(conf)

    @staticmethod
    def _group(conf: dict[str, Any]) -> CheckResult:
        key = t.first(conf.get("kms_key_id"))
        retention = t.first(conf.get("retention_in_days"))
        if key in (None, ""):
            return t.FAILED
        if retention in (None, 0):
            return t.FAILED
        return t.UNKNOWN if retention == t.AFTER_UNKNOWN else t.PASSED

    def _function(self, conf: dict[str, Any]) -> CheckResult:
        origin = t.address_of(conf)
        name = t.first(conf.get("function_name"))
        if not isinstance(name, str) or t.is_unknown(name):
            return t.UNKNOWN
        groups = [
            address
            for address, group in t.nodes(self.graph, "aws_cloudwatch_log_group", near=conf)
            if t.first(group.get("name")) == f"/aws/lambda/{name}"
        ]
        if not groups:
            return t.FAILED
        depends = t.depends_on(conf)
        referenced = [t.target(r) for r in t.all_references(conf)]
        if any(t.same(origin, d, groups[0]) for d in (depends or []) + referenced):
            return t.PASSED
        return t.UNKNOWN if depends is None else t.FAILED


check = LogGroups()
