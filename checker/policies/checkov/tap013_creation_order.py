"""CKV_TAP_013 (TAP013): deployment -> integrations, stage with access logs (or method
settings with execution logging) -> account.

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
                "aws_api_gateway_method_settings",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:  # pragma: no cover - unused
        return t.UNKNOWN

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        required = self._required(conf, entity_type)
        if not required:  # nothing to order after (a missing account is TAP014's finding)
            return t.PASSED
        links = t.links(conf)
        if links is None:  # no resolved graph: direct edges as checkov shows them
            depends = t.depends_on(conf)
            origin = t.address_of(conf)
            edges = (depends or []) + [t.target(r) for r in t.all_references(conf)]
            if all(any(t.same(origin, e, r) for e in edges) for r in required):
                return t.PASSED
            return t.UNKNOWN if depends is None else self._missing(required[0])
        reached = self._reachable(conf)
        missing = [r for r in required if r not in reached]
        return self._missing(missing[0]) if missing else t.PASSED

    def _missing(self, address: str) -> CheckResult:
        return t.fail(self, f"nothing orders it after {address}", f"depends_on = [{address}]")

    def _reachable(self, conf: dict[str, Any]) -> set[str]:
        """Every address the resource is ordered after (references and depends_on, transitively)."""
        graph: dict[str, set[str]] = {}
        for address, other in t.nodes(self.graph, None, near=conf):
            graph[address] = {a for targets in (t.links(other) or {}).values() for a in targets}
        start = {a for targets in (t.links(conf) or {}).values() for a in targets}
        seen: set[str] = set()
        queue = list(start)
        while queue:
            current = queue.pop()
            if current in seen:
                continue
            seen.add(current)
            queue.extend(graph.get(current, ()))
        return seen

    def _required(self, conf: dict[str, Any], entity_type: str) -> list[str]:
        """Addresses this resource must be ordered after."""
        if entity_type == "aws_api_gateway_deployment":
            apis = {
                a for a, _ in t.linked(self.graph, conf, "rest_api_id", "aws_api_gateway_rest_api")
            }
            return [
                a
                for a, integration in t.nodes(self.graph, "aws_api_gateway_integration", near=conf)
                if apis
                & {
                    x
                    for x, _ in t.linked(
                        self.graph, integration, "rest_api_id", "aws_api_gateway_rest_api"
                    )
                }
            ]
        if entity_type == "aws_api_gateway_method_settings":
            level = t.first((t.block(conf, "settings") or {}).get("logging_level"))
            if level not in ("ERROR", "INFO"):  # execution logging needs the account's role
                return []
        elif not conf.get("access_log_settings") or t.first(conf.get("access_log_settings")) in (
            None,
            [],
        ):
            return []
        return [a for a, _ in t.nodes(self.graph, "aws_api_gateway_account", near=conf)][:1]


check = CreationOrder()
