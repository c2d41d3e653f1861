"""CKV_TAP_011 (TAP011): buckets set force_destroy = true so CI can destroy them."""

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
        if value is True:
            return t.PASSED
        if t.is_unknown(value):
            return t.UNKNOWN
        return t.fail(self, f"force_destroy = {t.shown(value)}", "force_destroy = true")


check = ForceDestroy()
