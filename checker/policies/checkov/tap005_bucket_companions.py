"""CKV_TAP_005 (TAP005): SSE-KMS, versioning and the public-access block are resources of their own."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

LEGACY = (
    "server_side_encryption_configuration",
    "versioning",
    "logging",
    "lifecycle_rule",
    "acl",
    "website",
)
FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


class BucketCompanions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP005: Bucket encryption, versioning and public-access block live in their own resources",
            id="CKV_TAP_005",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        creating = "create" in (conf.get("__change_actions__") or ["create"])
        for name in LEGACY:
            value = conf.get(name)
            inline = value not in (None, [], [[]]) and not t.is_unknown(t.first(value))
            default_acl = name == "acl" and t.first(value) in (None, "private")
            if creating and inline and not default_acl:
                return t.fail(self, f"an inline {name} block", f"aws_s3_bucket_{name} resource")
        sse = self._companions(conf, "aws_s3_bucket_server_side_encryption_configuration")
        if not any(self._kms(c) for c in sse):
            found = "an SSE configuration without aws:kms and a key" if sse else "none"
            return t.fail(self, found, "SSE-KMS in its own resource")
        versioning = self._companions(conf, "aws_s3_bucket_versioning")
        statuses = [
            t.first((t.block(c, "versioning_configuration") or {}).get("status"))
            for c in versioning
        ]
        if "Enabled" not in statuses:
            if any(t.is_unknown(s) for s in statuses):
                return t.UNKNOWN
            found = ", ".join(t.shown(s) for s in statuses) or "no versioning resource"
            return t.fail(self, found, 'status = "Enabled"')
        blocks = self._companions(conf, "aws_s3_bucket_public_access_block")
        if not any(all(t.first(b.get(flag)) is True for flag in FLAGS) for b in blocks):
            if any(t.is_unknown(t.first(b.get(flag))) for b in blocks for flag in FLAGS):
                return t.UNKNOWN
            return t.fail(
                self,
                "a public-access block without all four flags" if blocks else "none",
                " = ".join(FLAGS) + " = true",
            )
        return t.PASSED

    def _companions(self, bucket: dict[str, Any], type_: str) -> list[dict[str, Any]]:
        origin = t.address_of(bucket)
        name = t.first(bucket.get("bucket"))
        out = []
        for _address, conf in t.nodes(self.graph, type_, near=bucket):
            value = t.first(conf.get("bucket"))
            if t.links_to(self.graph, conf, "bucket", origin) or (
                isinstance(name, str) and not t.is_unknown(name) and value == name
            ):
                out.append(conf)
        return out

    @staticmethod
    def _kms(conf: dict[str, Any]) -> bool:
        rule = t.block(conf, "rule") or {}
        default = t.block(rule, "apply_server_side_encryption_by_default") or {}
        algorithm = t.first(default.get("sse_algorithm"))
        key = t.first(default.get("kms_master_key_id"))
        return algorithm in ("aws:kms", "aws:kms:dsse") and key not in (None, "")


check = BucketCompanions()
