"""CKV_TAP_011 (TAP011): buckets set force_destroy = true so CI can destroy them, and no
Object Lock default retention in COMPLIANCE mode keeps their versions."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class ForceDestroy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP011: Buckets can be destroyed by CI (force_destroy)",
            id="CKV_TAP_011",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        value = t.first(conf.get("force_destroy"))
        if value is True and "COMPLIANCE" in self._retention_modes(conf):
            return t.fail(
                self,
                "Object Lock default retention COMPLIANCE (force_destroy cannot delete)",
                "GOVERNANCE or no default retention",
            )
        if value is True:
            return t.PASSED
        if t.is_unknown(value):
            return t.UNKNOWN
        return t.fail(self, f"force_destroy = {t.shown(value)}", "force_destroy = true")

    def _retention_modes(self, bucket: dict[str, Any]) -> list[Any]:
        """Default retention modes of the bucket's Object Lock: the companion resources that
        name it, and the legacy inline block."""
        origin = t.address_of(bucket)
        locks = [
            conf
            for _address, conf in t.nodes(
                self.graph, "aws_s3_bucket_object_lock_configuration", near=bucket
            )
            if t.links_to(self.graph, conf, "bucket", origin)
        ]
        inline = t.block(bucket, "object_lock_configuration")
        if inline is not None:
            locks.append(inline)
        return [
            t.first((t.block(t.block(lock, "rule") or {}, "default_retention") or {}).get("mode"))
            for lock in locks
        ]


check = ForceDestroy()
