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
    AddBlock,
    Edit,
    EngineCoverage,
    EngineName,
    Instance,
    RemoveBlock,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    SetValue,
    Severity,
    Unknown,
    Value,
    show,
)
from checker.rules.fix_idioms import Body, beside, customer_key_arn, written_text
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
        "other inline settings (lifecycle, logging, ACL, replication, website) move with their "
        "state; a value from an expression or a dynamic block, two companions of one kind, a "
        "taken name or a key the module does not name once are a person's choice"
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


# each companion check: the resource type it joins to the bucket
KINDS = {
    "server_side_encryption": SSE,
    "versioning": "aws_s3_bucket_versioning",
    "public_access_block": "aws_s3_bucket_public_access_block",
}
EXPECTED = {
    "server_side_encryption": "SSE-KMS with a CMK in its own resource",
    "versioning": 'aws_s3_bucket_versioning with status "Enabled"',
    "public_access_block": "aws_s3_bucket_public_access_block with all four flags true",
}


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    companions = {kind: Companions.build(model, type_) for kind, type_ in KINDS.items()}
    verdicts: dict[str, Judge] = {
        "server_side_encryption": partial(_sse, model),
        "versioning": _versioning,
        "public_access_block": _pab,
    }
    for bucket in model.resources("aws_s3_bucket"):
        inline = _inline_blocks(model, bucket)
        checks = [(kind, companions[kind].judge(bucket, judge)) for kind, judge in verdicts.items()]
        failed = [(kind, why) for kind, (ok, why) in checks if ok is False]
        if inline:
            result = Result.failed(
                bucket.address,
                inline[0].name,
                "written inside aws_s3_bucket: " + "; ".join(i.describe() for i in inline),
                "each setting in its own resource, not inside aws_s3_bucket",
                _move(bucket, inline),
            )
            yield _with(result, _move_edits(model, bucket, inline, companions, failed))
            continue
        unknown = [(kind, why) for kind, (ok, why) in checks if ok is None]
        if failed:
            kind, why = failed[0]
            result = Result.failed(bucket.address, kind, why, EXPECTED[kind])
            edits = [
                _companion_edits(model, bucket, companions[k].index.get(bucket), k)
                for k, _ in failed
            ]
            yield _with(result, _joined(edits))
        elif unknown:
            kind, why = unknown[0]
            yield Result.unknown(bucket.address, kind, why, EXPECTED[kind])
        else:
            yield Result.passed(
                bucket.address,
                "server_side_encryption",
                "SSE-KMS, versioning and the public-access block are separate resources",
            )


def _with(result: Result, edits: list[Edit] | str) -> Result:
    return result.needs_person(edits) if isinstance(edits, str) else result.fixed_by(*edits)


def _joined(parts: list[list[Edit] | str]) -> list[Edit] | str:
    """The edits of every part, or the first part's reason a person decides."""
    reasons = [part for part in parts if isinstance(part, str)]
    return (
        reasons[0]
        if reasons
        else [edit for part in parts if not isinstance(part, str) for edit in part]
    )


SSE_DEFAULT = ("rule", "apply_server_side_encryption_by_default")
SSE_KEY = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
OWNER_KIND = {SSE: "server_side_encryption", "aws_s3_bucket_versioning": "versioning"}


def _move_edits(
    model: RuleModel,
    bucket: Instance,
    inline: list[Inline],
    companions: dict[str, Companions],
    failed: list[tuple[str, str]],
) -> list[Edit] | str:
    """The inline encryption and versioning blocks removed from the bucket, each into the
    bucket's resource of that kind (written when there is none), and the bucket's other
    companions mended; other inline settings are a person's to move."""
    edits: list[Edit] = []
    added: set[str] = set()
    for setting in inline:
        kind = OWNER_KIND.get(setting.owner)
        if kind is None or setting.rejected or not bucket.expression(setting.name).present:
            return f"{setting.name} moves into {setting.owner}: a person writes it (and moves its state)"
        edits.append(RemoveBlock(bucket.address, (setting.name,)))
        if companions[kind].index.get(bucket):
            continue
        text = _new_companion(model, bucket, kind, moving=True)
        if text is None:
            return f"no {setting.owner} can be written for the bucket without a choice (its name or key)"
        edits.append(AddBlock(bucket.address, text))
        added.add(kind)
    rest = [
        _companion_edits(model, bucket, companions[kind].index.get(bucket), kind)
        for kind, _ in failed
        if kind not in added
    ]
    mended = _joined(rest)
    return mended if isinstance(mended, str) else edits + mended


def _new_companion(
    model: RuleModel, bucket: Instance, kind: str, moving: bool = False
) -> str | None:
    """The companion resource of `kind` for the bucket, compliant, beside it; None when its
    name is taken or its key is a choice."""
    body: Body = []
    if kind == "versioning":
        body.append(("versioning_configuration", [("status", '"Enabled"')]))
    elif kind == "public_access_block":
        body += [(flag, "true") for flag in PAB_FLAGS]
    else:
        inline = (
            bucket.config.expression("server_side_encryption_configuration", 0, *SSE_KEY)
            if moving and bucket.config
            else None
        )
        key = written_text(inline) if inline is not None else None
        key = key or customer_key_arn(model, bucket, *SSE_KEY, type_=SSE)
        if key is None:
            return None
        default: Body = [("sse_algorithm", '"aws:kms"'), ("kms_master_key_id", key)]
        body.append(("rule", [("apply_server_side_encryption_by_default", default)]))
    return beside(model, bucket, KINDS[kind], ("bucket", "id"), body)


def _companion_edits(
    model: RuleModel, bucket: Instance, configs: list[Instance], kind: str
) -> list[Edit] | str:
    """The edits that make a bucket's companion resource of a kind compliant, written where
    its constants are, or the missing one written beside the bucket; else why a person
    decides (two of them, a value from an expression or a dynamic block)."""
    if not configs:
        text = _new_companion(model, bucket, kind)
        if text is None:
            return (
                f"no {KINDS[kind]} can be written for the bucket without a choice (its name or key)"
            )
        return [AddBlock(bucket.address, text)]
    if len({c.address for c in configs}) != 1:
        return f"more than one {KINDS[kind]} names the bucket: which one manages it is the team's choice"
    conf = configs[0]
    if kind == "versioning":
        return _constants(conf, {("versioning_configuration", "status"): '"Enabled"'})
    if kind == "public_access_block":
        return _constants(
            conf, {(flag,): "true" for flag in PAB_FLAGS if conf.get(flag) is not True}
        )
    if conf.config is None or not conf.config.expression("rule").present:
        return "the encryption rule is generated (a dynamic block): set what it reads"
    settings: dict[tuple[str, ...], str] = {}
    if conf.get("rule", 0, SSE_DEFAULT[1], 0, "sse_algorithm") not in ("aws:kms", "aws:kms:dsse"):
        settings[(*SSE_DEFAULT, "sse_algorithm")] = '"aws:kms"'
    key = conf.get(*SSE_KEY)
    if key is None or key == "":
        arn = customer_key_arn(model, conf, *SSE_KEY)
        if arn is None:
            return "which customer managed key encrypts the bucket is the team's choice"
        settings[(*SSE_DEFAULT, "kms_master_key_id")] = arn
    elif isinstance(key, str) and AWS_MANAGED_ALIAS.search(key):
        return "the bucket names an AWS managed key: which customer managed key replaces it is the team's choice"
    return _constants(conf, settings)


def _constants(conf: Instance, settings: dict[tuple[str, ...], str]) -> list[Edit] | str:
    """`settings` written into `conf`, each where the configuration writes a constant or
    nothing; a value from an expression is a person's to change."""
    edits: list[Edit] = []
    for path, text in settings.items():
        indexed: list[str | int] = []
        for step in path:
            indexed += [step, 0] if step != path[-1] else [step]
        if conf.computed_in_configuration(*indexed):
            return f"{'.'.join(path)} comes from an expression; set what it reads"
        edits.append(SetValue(conf.address, path, text))
    return edits


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
