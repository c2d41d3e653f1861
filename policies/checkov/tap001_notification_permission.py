"""CKV_TAP_001 (TAP001): each Lambda target of an S3 notification has an S3 permission the notification depends on."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class NotificationPermission(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP001: S3 notification has a matching Lambda permission and depends on it",
            id="CKV_TAP_001",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_bucket_notification"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        origin = t.address_of(conf)
        buckets = t.references(conf, "bucket")
        verdict = t.PASSED
        for entry in t.blocks(conf, "lambda_function"):
            functions = t.references(entry, "lambda_function_arn")
            if not functions:
                return t.UNKNOWN
            permissions = [
                address
                for address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
                if t.first(perm.get("principal")) == "s3.amazonaws.com"
                and t.names_function(self.graph, origin, perm, "function_name", functions[0])
                and bool(set(t.references(perm, "source_arn")) & set(buckets))
            ]
            if not permissions:
                return t.FAILED
            depends = t.depends_on(conf)
            if depends is None:
                verdict = t.UNKNOWN  # a plain plan does not carry depends_on
            elif not any(t.same(origin, d, p) for d in depends for p in permissions):
                return t.FAILED
        return verdict


check = NotificationPermission()
