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

    def _group(self, conf: dict[str, Any]) -> CheckResult:
        key = t.first(conf.get("kms_key_id"))
        retention = t.first(conf.get("retention_in_days"))
        if key in (None, ""):
            return t.fail(self, "no kms_key_id", "kms_key_id = a customer-managed key")
        if retention in (None, 0):
            return t.fail(self, f"retention_in_days = {t.shown(retention)}", "a retention > 0")
        return t.UNKNOWN if t.is_unknown(retention) else t.PASSED

    def _function(self, conf: dict[str, Any]) -> CheckResult:
        origin = t.address_of(conf)
        name = t.first(conf.get("function_name"))
        groups = [
            address
            for address, group in t.nodes(self.graph, "aws_cloudwatch_log_group", near=conf)
            if t.first(group.get("name")) == f"/aws/lambda/{name}"
            or t.links_to(self.graph, group, "name", origin)
        ]
        if not groups:
            if not isinstance(name, str) or t.is_unknown(name):
                return t.UNKNOWN
            return t.fail(self, f"no log group /aws/lambda/{name}", "one, created first")
        links = t.links(conf)
        if links is not None:
            edges = {a for targets in links.values() for a in targets}
        else:
            edges = set(t.depends_on(conf) or []) | {
                f"{t.module_prefix(origin)}.{t.target(r)}".lstrip(".")
                for r in t.all_references(conf)
            }
        if set(groups) & edges:
            return t.PASSED
        if links is None and t.depends_on(conf) is None:
            return t.UNKNOWN
        return t.fail(self, f"nothing orders it after {groups[0]}", f"depends_on = [{groups[0]}]")


check = LogGroups()
