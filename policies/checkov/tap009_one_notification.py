"""CKV_TAP_009 (TAP009): no bucket is the target of more than one aws_s3_bucket_notification."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class OneNotification(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP009: One notification resource per bucket",
            id="CKV_TAP_009",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_bucket_notification"],
        )

    def _bucket(self, address: str, conf: dict[str, Any]) -> str | None:
        refs = t.references(conf, "bucket")
        if refs:
            prefix = t.module_prefix(address)
            return f"{prefix}.{refs[0]}" if prefix else refs[0]
        name = t.first(conf.get("bucket"))
        for bucket_address, bucket in t.nodes(self.graph, "aws_s3_bucket", near=conf):
            if t.first(bucket.get("bucket")) == name:
                return t.strip_index(bucket_address)
        return f"name:{name}" if isinstance(name, str) else None

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        mine = self._bucket(t.address_of(conf), conf)
        if mine is None:
            return t.UNKNOWN
        same = [
            a
            for a, other in t.nodes(self.graph, "aws_s3_bucket_notification", near=conf)
            if self._bucket(a, other) == mine
        ]
        return t.FAILED if len(same) > 1 else t.PASSED


check = OneNotification()
