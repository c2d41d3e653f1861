"""TAP005: bucket encryption, versioning and public-access block live in their own resources.

Why: since AWS provider v4 the SSE `rule` block inside `aws_s3_bucket` is
rejected ("Unsupported block type") and inline settings fight the separate
resources (incident 5).

Anti-pattern: `server_side_encryption_configuration`, `versioning` or another
legacy block inside `aws_s3_bucket`; a bucket without SSE-KMS, without
versioning, or with a partial public-access block.
Best practice: `aws_s3_bucket_server_side_encryption_configuration` with
`aws:kms` and a CMK, `aws_s3_bucket_versioning` with `Enabled`, and
`aws_s3_bucket_public_access_block` with all four flags true.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance
from checker.plan.values import Unknown, show
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity
from checker.rules.links import ReverseIndex

META = RuleMeta(
    id="TAP005",
    title="Bucket encryption, versioning and public-access block live in their own resources",
    severity=Severity.MEDIUM,
    incident=5,
    rationale=(
        "Inline bucket blocks are deprecated or rejected by the AWS provider and conflict "
        "with the dedicated resources; every bucket needs SSE-KMS, versioning and a full "
        "public-access block."
    ),
    remediation=(
        "Remove inline blocks from aws_s3_bucket; add aws_s3_bucket_server_side_encryption_"
        'configuration (sse_algorithm = "aws:kms", kms_master_key_id = the CMK ARN), '
        'aws_s3_bucket_versioning (status = "Enabled") and aws_s3_bucket_public_access_block '
        "with all four flags true."
    ),
    resource_types=(
        "aws_s3_bucket",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
    ),
)

LEGACY_BLOCKS = (
    "server_side_encryption_configuration",
    "versioning",
    "acl",
    "grant",
    "lifecycle_rule",
    "logging",
    "replication_configuration",
    "website",
    "cors_rule",
    "object_lock_configuration",
)
PAB_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _inline_blocks(bucket: Instance) -> list[str]:
    if bucket.config is None:
        return []
    return [name for name in LEGACY_BLOCKS if bucket.expression(name).present]


def _sse(configs: list[Instance]) -> tuple[bool | None, str]:
    if not configs:
        return False, "no aws_s3_bucket_server_side_encryption_configuration"
    verdicts: list[tuple[bool | None, str]] = []
    for conf in configs:
        rules = conf.get("rule")
        if not isinstance(rules, list) or not rules:
            verdicts.append(
                (None if isinstance(rules, Unknown) else False, f"{conf.address} has no rule")
            )
            continue
        default = conf.get("rule", 0, "apply_server_side_encryption_by_default", 0)
        algorithm = conf.get(
            "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"
        )
        key = conf.get("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        if isinstance(algorithm, Unknown) or isinstance(default, Unknown):
            verdicts.append((None, f"{conf.address} sse_algorithm is only known after apply"))
        elif algorithm not in ("aws:kms", "aws:kms:dsse"):
            verdicts.append((False, f"{conf.address} uses sse_algorithm {show(algorithm)}"))
        elif key is None or key == "":
            verdicts.append(
                (False, f"{conf.address} has aws:kms without kms_master_key_id (AWS managed key)")
            )
        else:
            verdicts.append((True, ""))
    if any(v is True for v, _ in verdicts):
        return True, ""
    return next(((v, why) for v, why in verdicts if v is None), verdicts[0])


def _versioning(configs: list[Instance]) -> tuple[bool | None, str]:
    if not configs:
        return False, "no aws_s3_bucket_versioning"
    statuses = [c.get("versioning_configuration", 0, "status") for c in configs]
    if "Enabled" in statuses:
        return True, ""
    if any(isinstance(status, Unknown) for status in statuses):
        return None, "versioning status is only known after apply"
    return False, f"versioning status is {show(statuses[0])}"


def _pab(blocks: list[Instance]) -> tuple[bool | None, str]:
    if not blocks:
        return False, "no aws_s3_bucket_public_access_block"
    block = blocks[0]
    off = [
        flag
        for flag in PAB_FLAGS
        if block.get(flag) is not True and not isinstance(block.get(flag), Unknown)
    ]
    if off:
        return False, f"{block.address} leaves {', '.join(off)} off"
    if any(isinstance(block.get(flag), Unknown) for flag in PAB_FLAGS):
        return None, "public-access flags are only known after apply"
    return True, ""


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    sse = ReverseIndex.build(
        model, "aws_s3_bucket_server_side_encryption_configuration", ("bucket",), ("aws_s3_bucket",)
    )
    versioning = ReverseIndex.build(
        model, "aws_s3_bucket_versioning", ("bucket",), ("aws_s3_bucket",)
    )
    pab = ReverseIndex.build(
        model, "aws_s3_bucket_public_access_block", ("bucket",), ("aws_s3_bucket",)
    )
    for bucket in model.resources("aws_s3_bucket"):
        inline = _inline_blocks(bucket)
        if inline:
            yield Result.failed(
                bucket.address,
                inline[0],
                f"inline {', '.join(inline)} block in aws_s3_bucket",
                "the setting in its own resource (aws_s3_bucket_<setting>)",
            )
            continue
        checks = [
            (
                "server_side_encryption",
                _sse(sse.get(bucket)),
                "SSE-KMS with a CMK in its own resource",
            ),
            (
                "versioning",
                _versioning(versioning.get(bucket)),
                'aws_s3_bucket_versioning with status "Enabled"',
            ),
            (
                "public_access_block",
                _pab(pab.get(bucket)),
                "aws_s3_bucket_public_access_block with all four flags true",
            ),
        ]
        failed = [(attr, why, expected) for attr, (ok, why), expected in checks if ok is False]
        unknown = [(attr, why, expected) for attr, (ok, why), expected in checks if ok is None]
        if failed:
            attr, why, expected = failed[0]
            yield Result.failed(bucket.address, attr, why, expected)
        elif unknown:
            attr, why, expected = unknown[0]
            yield Result.unknown(bucket.address, attr, why, expected)
        else:
            yield Result.passed(
                bucket.address,
                "server_side_encryption",
                "SSE-KMS, versioning and the public-access block are separate resources",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
