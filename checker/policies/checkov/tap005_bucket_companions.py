"""CKV_TAP_005 (TAP005): SSE-KMS, versioning and the public-access block are resources of their own."""

from __future__ import annotations

import re
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
    "object_lock_configuration",
)
AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")
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
        # every part judged: a part the plan hides must not mask one that visibly fails
        verdicts = [self._sse(conf), self._versioning(conf), self._public_access(conf)]
        for verdict in verdicts:
            if verdict is not None and verdict is not t.UNKNOWN:
                return verdict
        if t.UNKNOWN in verdicts:
            return t.UNKNOWN
        return t.PASSED

    def _sse(self, conf: dict[str, Any]) -> CheckResult | None:
        """None when SSE-KMS holds; t.UNKNOWN or a failure otherwise."""
        sse = self._companions(conf, "aws_s3_bucket_server_side_encryption_configuration")
        if len(sse) > 1:
            return self._overwritten(sse)
        kms = [self._kms(c) for c in sse]
        if True in kms:
            return None
        if None in kms:
            return t.UNKNOWN  # a `rule` built by a dynamic block is known only after apply
        found = "an SSE configuration without aws:kms and a key" if sse else "none"
        return t.fail(self, found, "SSE-KMS in its own resource")

    def _versioning(self, conf: dict[str, Any]) -> CheckResult | None:
        versioning = self._companions(conf, "aws_s3_bucket_versioning")
        if len(versioning) > 1:
            return self._overwritten(versioning)
        statuses = [
            t.first((t.block(c, "versioning_configuration") or {}).get("status"))
            for c in versioning
        ]
        if "Enabled" in statuses:
            return None
        if any(t.is_unknown(s) for s in statuses):
            return t.UNKNOWN
        found = ", ".join(t.shown(s) for s in statuses) or "no versioning resource"
        return t.fail(self, found, 'status = "Enabled"')

    def _public_access(self, conf: dict[str, Any]) -> CheckResult | None:
        blocks = self._companions(conf, "aws_s3_bucket_public_access_block")
        if len(blocks) > 1:
            return self._overwritten(blocks)
        if any(all(t.first(b.get(flag)) is True for flag in FLAGS) for b in blocks):
            return None
        if any(t.is_unknown(t.first(b.get(flag))) for b in blocks for flag in FLAGS):
            return t.UNKNOWN
        return t.fail(
            self,
            "a public-access block without all four flags" if blocks else "none",
            " = ".join(FLAGS) + " = true",
        )

    def _overwritten(self, companions: list[dict[str, Any]]) -> CheckResult:
        """Each Put call replaces the bucket's whole setting: the last apply wins."""
        names = ", ".join(t.address_of(c) for c in companions)
        return t.fail(self, f"{len(companions)} resources write one setting ({names})", "one")

    def _companions(self, bucket: dict[str, Any], type_: str) -> list[dict[str, Any]]:
        origin = t.address_of(bucket)
        name = t.first(bucket.get("bucket"))
        out: dict[str, dict[str, Any]] = {}
        for address, conf in t.nodes(self.graph, type_, near=bucket):
            value = t.first(conf.get("bucket"))
            if t.links_to(self.graph, conf, "bucket", origin) or (
                isinstance(name, str) and not t.is_unknown(name) and value == name
            ):
                out.setdefault(address, conf)
        return list(out.values())

    @staticmethod
    def _kms(conf: dict[str, Any]) -> bool | None:
        """SSE-KMS with a key; None when the plan leaves the rule to apply time."""
        # the provider requires a rule: absent from a plan, it is one built at apply
        if conf.get("rule") in (None, [], [[]]) or t.is_unknown(t.first(conf.get("rule"))):
            return None
        rule = t.block(conf, "rule") or {}
        default = t.block(rule, "apply_server_side_encryption_by_default")
        if default is None and t.is_unknown(
            t.first(rule.get("apply_server_side_encryption_by_default"))
        ):
            return None
        default = default or {}
        algorithm = t.first(default.get("sse_algorithm"))
        key = t.first(default.get("kms_master_key_id"))
        if t.is_unknown(algorithm):
            return None
        if isinstance(key, str) and AWS_MANAGED_ALIAS.search(key):
            return False  # alias/aws/... names an AWS managed key, not a CMK
        return algorithm in ("aws:kms", "aws:kms:dsse") and key not in (None, "")


check = BucketCompanions()
