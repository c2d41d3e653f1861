"""CKV_TAP_013 (TAP013): deployment -> integrations, stage with access logs -> account.

Like the native rule, notification -> permission is TAP001's and function -> log
group TAP008's (one problem, one finding). Checkov sees direct edges only
(depends_on and references of the resource itself).
"""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CreationOrder(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP013: Creation order is explicit where it matters",
            id="CKV_TAP_013",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=[
                "aws_api_gateway_deployment",
                "aws_api_gateway_stage",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:  # pragma: no cover - unused
        return t.UNKNOWN

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        origin = t.address_of(conf)
        depends = t.depends_on(conf)
        edges = (depends or []) + [t.target(r) for r in t.all_references(conf)]
        required = self._required(conf, entity_type, origin)
        if not required:  # nothing to order after (a missing account is TAP014's finding)
            return t.PASSED
        if all(any(t.same(origin, e, r) for e in edges) for r in required):
            return t.PASSED
        return t.UNKNOWN if depends is None else t.FAILED

    def _required(self, conf: dict[str, Any], entity_type: str, origin: str) -> list[str] | None:
        """Addresses this resource must be ordered after; None when nothing applies."""
        if entity_type == "aws_api_gateway_deployment":
            apis = t.references(conf, "rest_api_id")
            found = [
                a
                for a, i in t.nodes(self.graph, "aws_api_gateway_integration", near=conf)
                if set(t.references(i, "rest_api_id")) & set(apis)
            ]
            return found or None
        if not conf.get("access_log_settings"):
            return None
        return [a for a, _ in t.nodes(self.graph, "aws_api_gateway_account", near=conf)][:1]


check = CreationOrder()
