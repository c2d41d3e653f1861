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

    def _bucket(self, conf: dict[str, Any]) -> str | None:
        linked = t.linked(self.graph, conf, "bucket", "aws_s3_bucket")
        if linked:
            return linked[0][0]
        name = t.first(conf.get("bucket"))
        if not isinstance(name, str) or t.is_unknown(name):
            return None
        for bucket_address, bucket in t.nodes(self.graph, "aws_s3_bucket", near=conf):
            if t.first(bucket.get("bucket")) == name:
                return bucket_address
        return f"name:{name}"

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        mine = self._bucket(conf)
        if mine is None:
            return t.UNKNOWN
        same = [
            a
            for a, other in t.nodes(self.graph, "aws_s3_bucket_notification", near=conf)
            if self._bucket(other) == mine
        ]
        if len(same) > 1:
            return t.fail(self, f"{len(same)} notifications of {mine}: {', '.join(same)}", "one")
        return t.PASSED


check = OneNotification()
