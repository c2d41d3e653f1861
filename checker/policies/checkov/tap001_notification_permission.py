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
        entries = t.blocks(conf, "lambda_function")
        if not entries:
            return t.PASSED
        functions = t.linked(self.graph, conf, "lambda_function", "aws_lambda_function")
        if not functions:  # targets written as known ARNs (an update plan)
            arns = {t.first(entry.get("lambda_function_arn")) for entry in entries}
            functions = [
                (a, fn)
                for a, fn in t.nodes(self.graph, "aws_lambda_function", near=conf)
                if t.first(fn.get("arn")) in arns and not t.is_unknown(t.first(fn.get("arn")))
            ]
        if not functions:
            return t.UNKNOWN  # the targets are not resources of this plan, or hidden
        buckets = [a for a, _ in t.linked(self.graph, conf, "bucket", "aws_s3_bucket")]
        name = t.first(conf.get("bucket"))
        depends = t.depends_on(conf)
        verdict = t.PASSED
        for function, fn in functions:
            permissions = [
                address
                for address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
                if t.first(perm.get("principal")) == "s3.amazonaws.com"
                and t.names_function(self.graph, perm, "function_name", (function, fn))
                and self._for_bucket(perm, buckets, name)
            ]
            if not permissions:
                return t.fail(
                    self,
                    f"no s3.amazonaws.com permission for {function} limited to this bucket",
                    "an aws_lambda_permission with source_arn = the bucket's ARN",
                )
            if depends is None:
                verdict = t.UNKNOWN  # a plain plan does not carry depends_on
            elif not set(permissions) & set(depends):
                return t.fail(
                    self,
                    f"depends_on does not name {permissions[0]}",
                    f"depends_on = [{permissions[0]}]",
                )
        return verdict

    def _for_bucket(self, perm: dict[str, Any], buckets: list[str], name: Any) -> bool:
        if any(t.links_to(self.graph, perm, "source_arn", b) for b in buckets):
            return True
        arn = t.first(perm.get("source_arn"))
        return isinstance(name, str) and not t.is_unknown(name) and arn == f"arn:aws:s3:::{name}"


check = NotificationPermission()
