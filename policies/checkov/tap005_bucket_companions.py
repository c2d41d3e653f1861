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
                return t.FAILED
        sse = self._companions(conf, "aws_s3_bucket_server_side_encryption_configuration")
        if not any(self._kms(c) for c in sse):
            return t.FAILED
        versioning = self._companions(conf, "aws_s3_bucket_versioning")
        statuses = [
            t.first((t.block(c, "versioning_configuration") or {}).get("status"))
            for c in versioning
        ]
        if "Enabled" not in statuses:
            return t.UNKNOWN if any(t.is_unknown(s) for s in statuses) else t.FAILED
        blocks = self._companions(conf, "aws_s3_bucket_public_access_block")
        if not any(all(t.first(b.get(flag)) is True for flag in FLAGS) for b in blocks):
            return t.FAILED
        return t.PASSED

    def _companions(self, bucket: dict[str, Any], type_: str) -> list[dict[str, Any]]:
        origin = t.address_of(bucket)
        name = t.first(bucket.get("bucket"))
        out = []
        for address, conf in t.nodes(self.graph, type_, near=bucket):
            refs = t.references(conf, "bucket")
            if any(t.same(address, r, origin) for r in refs) or (
                not refs and t.first(conf.get("bucket")) == name
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
