"""TAP005: bucket encryption, versioning and public-access block live in their own resources.

Why: since AWS provider v4 the SSE `rule` block inside `aws_s3_bucket` is
rejected ("Unsupported block type") and inline settings fight the separate
resources (incident 5).

Anti-pattern: `server_side_encryption_configuration`, `versioning` or another
legacy block inside `aws_s3_bucket`; a setting of a companion resource written
there (`rule { apply_server_side_encryption_by_default ... }`,
`versioning_configuration`, the public-access flags); a bucket without
SSE-KMS with a customer managed key (`alias/aws/...` names an AWS managed key), without
versioning, or with a partial public-access block; two companion resources of one kind for
a bucket (each Put call replaces the bucket's setting: the last apply wins).
Best practice: `aws_s3_bucket_server_side_encryption_configuration` with
`aws:kms` and a CMK, `aws_s3_bucket_versioning` with `Enabled`, and
`aws_s3_bucket_public_access_block` with all four flags true.

A setting Terraform rejects in `aws_s3_bucket` (incident 5's `rule` block) never
reaches a plan: static mode (`checker check DIR`, a pre-commit hook) is where it
is caught. The deprecated inline blocks provider 5.x still accepts are read from
the configuration in every mode (a plan's `configuration`, the `.tf` files), and
blocks a `dynamic` block generates from the evaluated sources, or from a create
plan's values (an unconfigured inline block is unknown there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    Value,
    show,
)
from checker.rules.links import ReverseIndex, alike_unknown, link_is_undecided

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
    aws_model=(
        "Since provider v4 a bucket's encryption, versioning and public-access block are "
        "separate S3 API settings (PutBucketEncryption, PutBucketVersioning, "
        "PutPublicAccessBlock) managed by their own resources; the inline blocks of "
        "aws_s3_bucket are deprecated (5.x) and a companion setting written there is refused "
        "by Terraform ('Unsupported block type'). Each Put call replaces the bucket's whole "
        "setting, so two companion resources of one kind for a bucket overwrite each other on "
        "every apply. Default encryption is SSE-KMS when sse_algorithm is aws:kms or "
        "aws:kms:dsse with a KMSMasterKeyID; without one, or with the alias aws/s3, S3 uses "
        "the AWS managed key. Versioning is on only with status Enabled (Suspended keeps old "
        "versions but creates no new ones); the public-access block protects only with all "
        "four flags."
    ),
    letter_vs_aws=(
        "The seed moved the SSE stanza out of the bucket and 'kept versioning and PAB as "
        "separate resources'. AWS encrypts every new object with SSE-S3 by default (since "
        "January 2023) and a bucket without the block may still be private; the rule follows "
        "the seed's stricter fix (SSE-KMS with a customer managed key, versioning Enabled, all "
        "four public-access flags), which is safe. Deprecated inline blocks provider 5.x "
        "still accepts fail too: they fight the separate resources (perpetual diff)."
    ),
    limits=(
        "Account-level Block Public Access, bucket ACLs and ownership controls, settings "
        "made outside Terraform, whether the KMS key lets S3 and the writers use it (TAP003, "
        "TAP012), and the key's region are not judged; an AWS managed key named by its key "
        "ARN (not its alias/aws/ alias) counts as a CMK. A companion is joined to its bucket "
        "by reference, by known name, or by the same name template (the .tf files alone); "
        "one naming a bucket only known after apply makes a bucket without one unknown."
    ),
    references=(
        "Terraform AWS provider, Version 4 upgrade guide: S3 bucket refactor "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-4-upgrade)",
        "Terraform AWS provider, aws_s3_bucket_server_side_encryption_configuration "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_server_side_encryption_configuration)",
        "Amazon S3 API Reference, PutBucketEncryption "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html)",
        "Amazon S3 User Guide, Setting default server-side encryption behavior "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html)",
        "Amazon S3 User Guide, Retaining multiple versions of objects with S3 Versioning "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html)",
        "Amazon S3 User Guide, Blocking public access to your Amazon S3 storage "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)",
    ),
    needs_person=(
        "moving encryption, versioning or the public-access block between resources moves state (moved blocks, imports): a person plans it"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_s3_bucket`: no inline legacy block on a bucket being created; one "
                "companion of each kind per bucket: an SSE configuration with `aws:kms` and a key"
                " not under `alias/aws/`, versioning `Enabled`, a public-access block with all "
                "four flags"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts=(
                "SSE configurations use `aws:kms` (or `aws:kms:dsse`); versioning is `Enabled`; "
                "public-access blocks set all four flags"
            ),
            partial=(
                "which bucket each companion belongs to, a missing or second companion, and the "
                "key (an AWS managed `alias/aws/` key)"
            ),
        ),
    ),
)

# The deprecated inline settings of aws_s3_bucket that provider 5.x still accepts, each with
# the resource it belongs in (`terraform providers schema -json`, hashicorp/aws 5.100.0:
# `"deprecated": true` on these blocks and on `acl`).
LEGACY_BLOCKS: dict[str, str] = {
    "server_side_encryption_configuration": "aws_s3_bucket_server_side_encryption_configuration",
    "versioning": "aws_s3_bucket_versioning",
    "acl": "aws_s3_bucket_acl",
    "grant": "aws_s3_bucket_acl",
    "lifecycle_rule": "aws_s3_bucket_lifecycle_configuration",
    "logging": "aws_s3_bucket_logging",
    "replication_configuration": "aws_s3_bucket_replication_configuration",
    "website": "aws_s3_bucket_website_configuration",
    "cors_rule": "aws_s3_bucket_cors_configuration",
    "object_lock_configuration": "aws_s3_bucket_object_lock_configuration",
}
SSE = "aws_s3_bucket_server_side_encryption_configuration"
# Settings of the companion resources that aws_s3_bucket has no place for: Terraform refuses
# them ("Unsupported block type" / "Unsupported argument"), so no plan ever shows them.
MISPLACED: dict[str, str] = {
    "apply_server_side_encryption_by_default": SSE,
    "sse_algorithm": SSE,
    "kms_master_key_id": SSE,
    "versioning_configuration": "aws_s3_bucket_versioning",
    "block_public_acls": "aws_s3_bucket_public_access_block",
    "block_public_policy": "aws_s3_bucket_public_access_block",
    "ignore_public_acls": "aws_s3_bucket_public_access_block",
    "restrict_public_buckets": "aws_s3_bucket_public_access_block",
    "access_control_policy": "aws_s3_bucket_acl",
    "index_document": "aws_s3_bucket_website_configuration",
    "error_document": "aws_s3_bucket_website_configuration",
    "redirect_all_requests_to": "aws_s3_bucket_website_configuration",
    "routing_rule": "aws_s3_bucket_website_configuration",
    "target_bucket": "aws_s3_bucket_logging",
    "target_prefix": "aws_s3_bucket_logging",
    "lambda_function": "aws_s3_bucket_notification",
    "queue": "aws_s3_bucket_notification",
    "topic": "aws_s3_bucket_notification",
}
# `rule` is a block of five companion resources: what it holds says which one it belongs to.
RULE_OWNERS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"apply_server_side_encryption_by_default", "bucket_key_enabled"}), SSE),
    (
        frozenset(
            {
                "expiration",
                "transition",
                "noncurrent_version_expiration",
                "noncurrent_version_transition",
                "abort_incomplete_multipart_upload",
            }
        ),
        "aws_s3_bucket_lifecycle_configuration",
    ),
    (
        frozenset({"destination", "delete_marker_replication", "source_selection_criteria"}),
        "aws_s3_bucket_replication_configuration",
    ),
    (frozenset({"default_retention"}), "aws_s3_bucket_object_lock_configuration"),
    (frozenset({"object_ownership"}), "aws_s3_bucket_ownership_controls"),
)
EMPTY: tuple[Value, ...] = (None, [], {}, "")


@dataclass(frozen=True)
class Inline:
    """A setting written inside aws_s3_bucket, and the resource it belongs in."""

    name: str
    owner: str
    rejected: bool  # Terraform refuses it (static mode only); else deprecated

    def describe(self) -> str:
        if self.rejected:
            return f"{self.name} (Terraform rejects it here; it belongs in {self.owner})"
        return f"{self.name} (deprecated inline; it belongs in {self.owner})"


def _inline_blocks(model: RuleModel, bucket: Instance) -> list[Inline]:
    """Settings written inside the bucket that belong in a resource of their own."""
    out: list[Inline] = []
    for name, owner in LEGACY_BLOCKS.items():
        if _written(model, bucket, name):
            out.append(Inline(name, owner, rejected=False))
    for name, owner in MISPLACED.items():
        if _written(model, bucket, name):
            out.append(Inline(name, owner, rejected=True))
    if _written(model, bucket, "rule"):
        out.append(Inline("rule", _rule_owner(model, bucket), rejected=True))
    return out


def _written(model: RuleModel, bucket: Instance, name: str) -> bool:
    """Does the configuration write `name` in the bucket: in its expressions (a plan's
    configuration, the .tf files), or by a `dynamic` block, which a plan's configuration
    leaves out: evaluated from the bound sources, else seen in a create plan's values, where
    an inline block the configuration does not write is unknown."""
    if bucket.expression(name).present:
        return True
    planned = bucket.get(name)
    if planned in EMPTY or isinstance(planned, Unknown):
        return False
    if model.source is not None:
        return model.written(bucket, name) not in EMPTY
    return bucket.action == "create"


def _rule_owner(model: RuleModel, bucket: Instance) -> str:
    """The companion resource a `rule` block written in the bucket belongs to, by its content."""
    written = model.written(bucket, "rule")
    blocks = written if isinstance(written, list) else [written]
    keys: set[str] = set()
    for block in blocks:
        if isinstance(block, dict):
            keys.update(block)
    expression = bucket.config.expressions.get("rule") if bucket.config is not None else None
    for block in expression if isinstance(expression, list) else []:
        if isinstance(block, dict):
            keys.update(block)
    for markers, owner in RULE_OWNERS:
        if keys & markers:
            return owner
    return SSE  # the seed's incident: the SSE stanza put in the bucket


PAB_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


# Alias names beginning with alias/aws/ are reserved for AWS managed keys (KMS Developer Guide,
# "Aliases in AWS KMS"): naming one is naming no customer managed key.
AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")


def _overwritten(configs: list[Instance]) -> tuple[bool | None, str] | None:
    """Two resources (or instances) of one companion type for a bucket: each Put call
    replaces the bucket's whole setting, so whichever applies last wins on every apply."""
    addresses = list(dict.fromkeys(c.address for c in configs))  # a join may list one twice
    if len(addresses) < 2:
        return None
    return False, (
        f"{len(addresses)} {configs[0].type} resources write the bucket's one setting "
        f"({', '.join(addresses)}): "
        "each apply overwrites the other"
    )


def _sse(model: RuleModel, configs: list[Instance]) -> tuple[bool | None, str]:
    """SSE-KMS with a CMK in the bucket's SSE configuration. The `rule` block is read
    through `model.settle`: a `dynamic "rule"` block (terraform-aws-modules/s3-bucket) is
    absent from a plan's configuration, so the plan's values tell when known, else the
    bound or static sources evaluate it."""
    if not configs:
        return False, "no aws_s3_bucket_server_side_encryption_configuration"
    overwritten = _overwritten(configs)
    if overwritten is not None:
        return overwritten
    verdicts: list[tuple[bool | None, str]] = []
    for conf in configs:
        rules = model.settle(conf, "rule")
        if isinstance(rules, Unknown):
            verdicts.append(
                (
                    None,
                    f"{conf.address} rule is only known after apply (a dynamic block over "
                    "values the plan computes; check the plan with its sources: --source DIR)",
                )
            )
            continue
        if not isinstance(rules, list) or not rules:
            verdicts.append((False, f"{conf.address} has no rule"))
            continue
        default = model.settle(conf, "rule", 0, "apply_server_side_encryption_by_default", 0)
        algorithm = model.settle(
            conf, "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"
        )
        key = model.settle(
            conf, "rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"
        )
        if isinstance(algorithm, Unknown) or isinstance(default, Unknown):
            verdicts.append((None, f"{conf.address} sse_algorithm is only known after apply"))
        elif algorithm not in ("aws:kms", "aws:kms:dsse"):
            verdicts.append((False, f"{conf.address} uses sse_algorithm {show(algorithm)}"))
        elif key is None or key == "":
            verdicts.append(
                (False, f"{conf.address} has aws:kms without kms_master_key_id (AWS managed key)")
            )
        elif isinstance(key, str) and AWS_MANAGED_ALIAS.search(key):
            verdicts.append(
                (
                    False,
                    f"{conf.address} names the AWS managed key {key} (alias/aws/ is reserved "
                    "for AWS managed keys), not a customer managed key",
                )
            )
        else:
            verdicts.append((True, ""))
    if any(v is True for v, _ in verdicts):
        return True, ""
    return next(((v, why) for v, why in verdicts if v is None), verdicts[0])


def _versioning(configs: list[Instance]) -> tuple[bool | None, str]:
    if not configs:
        return False, "no aws_s3_bucket_versioning"
    overwritten = _overwritten(configs)
    if overwritten is not None:
        return overwritten
    statuses = [c.get("versioning_configuration", 0, "status") for c in configs]
    if "Enabled" in statuses:
        return True, ""
    if any(isinstance(status, Unknown) for status in statuses):
        return None, "versioning status is only known after apply"
    return False, f"versioning status is {show(statuses[0])}"


def _pab(blocks: list[Instance]) -> tuple[bool | None, str]:
    if not blocks:
        return False, "no aws_s3_bucket_public_access_block"
    overwritten = _overwritten(blocks)
    if overwritten is not None:
        return overwritten
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


@dataclass(frozen=True)
class Companions:
    """The companion resources of one type joined to each bucket, and those whose bucket
    cannot be told (a name only known after apply): a bucket without a joined one may be
    theirs."""

    type: str
    index: ReverseIndex
    undecided: tuple[Instance, ...]

    @classmethod
    def build(cls, model: RuleModel, type_: str) -> Companions:
        index = ReverseIndex.build(model, type_, ("bucket",), ("aws_s3_bucket",))
        joined = {inst.address for insts in index.by_target.values() for inst in insts}
        undecided: list[Instance] = []
        for inst in model.resources(type_):
            if inst.address in joined or not isinstance(inst.get("bucket"), Unknown):
                continue
            alike = alike_unknown(model, inst, ("bucket",), "aws_s3_bucket", "bucket")
            for bucket in alike:
                index.by_target.setdefault(bucket.address, []).append(inst)
            if not alike and link_is_undecided(model, inst, ("bucket",)):
                undecided.append(inst)
        return cls(type_, index, tuple(undecided))

    def judge(self, bucket: Instance, verdict: Judge) -> tuple[bool | None, str]:
        configs = self.index.get(bucket)
        if not configs and self.undecided:
            return None, (
                f"no {self.type} names this bucket by reference or known name, and "
                f"{self.undecided[0].address} names a bucket only known after apply (the "
                "plan's values tell which)"
            )
        return verdict(configs)


Judge = Callable[[list[Instance]], tuple[bool | None, str]]


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    sse = Companions.build(model, SSE)
    versioning = Companions.build(model, "aws_s3_bucket_versioning")
    pab = Companions.build(model, "aws_s3_bucket_public_access_block")
    for bucket in model.resources("aws_s3_bucket"):
        inline = _inline_blocks(model, bucket)
        if inline:
            yield Result.failed(
                bucket.address,
                inline[0].name,
                "written inside aws_s3_bucket: " + "; ".join(i.describe() for i in inline),
                "each setting in its own resource, not inside aws_s3_bucket",
                _move(bucket, inline),
            )
            continue
        checks = [
            (
                "server_side_encryption",
                sse.judge(bucket, partial(_sse, model)),
                "SSE-KMS with a CMK in its own resource",
            ),
            (
                "versioning",
                versioning.judge(bucket, _versioning),
                'aws_s3_bucket_versioning with status "Enabled"',
            ),
            (
                "public_access_block",
                pab.judge(bucket, _pab),
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


def _move(bucket: Instance, inline: list[Inline]) -> str:
    """The remediation: each setting moved into the resource it belongs in."""
    owners = list(dict.fromkeys(i.owner for i in inline))
    moves = "; ".join(
        f"move {', '.join(i.name for i in inline if i.owner == owner)} into "
        f'resource "{owner}" with bucket = {bucket.type}.{bucket.name}.id'
        for owner in owners
    )
    return (
        f"Remove the inline settings from {bucket.address}: {moves}. Keep SSE-KMS with the CMK "
        "(aws_s3_bucket_server_side_encryption_configuration), aws_s3_bucket_versioning "
        '(status = "Enabled") and aws_s3_bucket_public_access_block (all four flags true) '
        "as resources of their own."
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
