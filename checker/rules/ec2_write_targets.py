"""What an S3 write touches (for TAP012): the bucket and object it names, resolved through the
plan's buckets, and the KMS key that encrypts it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from checker.core.address import reference_target
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value
from checker.rules.ec2_writers import HOLE, Script
from checker.rules.links import ReverseIndex, linked
from checker.rules.queries import RuleModel

# ------------------------------------------------------------------ indexes (one per model)


@dataclass
class Names:
    """Instances of some types by a known (or template) identifying value, and by module."""

    anywhere: dict[str, list[Instance]] = field(default_factory=lambda: defaultdict(list))
    local: dict[tuple[str, str], list[Instance]] = field(default_factory=lambda: defaultdict(list))

    def add(self, inst: Instance, value: Value) -> None:
        text = value if isinstance(value, str) else _template_text(value)
        if text:
            self.anywhere[text].append(inst)
            self.local[(inst.module_address, text)].append(inst)

    def find(self, text: str, near: str) -> list[Instance]:
        return self.local.get((near, text)) or self.anywhere.get(text, [])


def _template_text(value: Value) -> str | None:
    """A name only partly known (`tap-dev-content-${account}`), as `Script.shown` writes it."""
    return value.text() if isinstance(value, Unknown) and value.parts is not None else None


def bucket_names(model: RuleModel) -> Names:
    names = Names()
    for bucket in model.resources("aws_s3_bucket"):
        names.add(bucket, bucket.get("bucket"))
    return names


def key_names(model: RuleModel) -> Names:
    """KMS keys and aliases by every value `--ssekms-key-id` may name them with."""
    names = Names()
    for key in model.resources("aws_kms_key"):
        for attribute in ("arn", "key_id"):
            names.add(key, key.get(attribute))
    for alias in model.resources("aws_kms_alias"):
        for attribute in ("name", "arn"):
            names.add(alias, alias.get(attribute))
    return names


def _encryption_by_bucket(model: RuleModel) -> ReverseIndex:
    return ReverseIndex.build(
        model, "aws_s3_bucket_server_side_encryption_configuration", ("bucket",), ("aws_s3_bucket",)
    )


# ------------------------------------------------------------------ what a write touches

NO_KMS = "no-kms"  # SSE-S3, or SSE-KMS with the AWS managed key: no IAM KMS grant is needed


@dataclass(frozen=True)
class Target:
    """A resource a request names: its ARN (HOLE for what is only known after apply) and
    what a reference to each of its attributes stands for."""

    instance: Instance
    arn: str
    attributes: dict[str, str]
    model: RuleModel | None = field(default=None, compare=False)  # follows module outputs


def bucket_target(model: RuleModel, bucket: Instance, object_key: str) -> Target:
    name = _pattern_value(bucket.get("bucket"))
    arn = f"arn:aws:s3:::{name}"
    attributes = {"arn": arn, "id": name, "bucket": name}
    return Target(bucket, f"{arn}/{object_key}", attributes, model)


def key_target(model: RuleModel, key: Instance) -> Target:
    key_id = _pattern_value(key.get("key_id"))
    arn = key.get("arn")
    if not isinstance(arn, str):
        region = model.region_of(key) or HOLE
        arn = f"arn:aws:kms:{region}:{HOLE}:key/{key_id}"
    return Target(key, arn, {"arn": arn, "key_id": key_id, "id": key_id}, model)


def _pattern_value(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.parts is not None:
        return value.render(HOLE)
    return HOLE


def bucket_key(model: RuleModel, bucket: Instance) -> Instance | str | None:
    """The CMK the bucket's default encryption uses; NO_KMS; or None when hidden."""
    for conf in model.view(_encryption_by_bucket).get(bucket):
        algorithm = model.settle(
            conf, "rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"
        )
        if isinstance(algorithm, Unknown):
            return None
        if algorithm not in ("aws:kms", "aws:kms:dsse"):
            return NO_KMS
        path = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
        if model.written(conf, *path) in (None, ""):
            return NO_KMS  # aws/s3, whose key policy lets S3 use it for the account
        return key_of(model, linked(model, conf, path, ("aws_kms_key", "aws_kms_alias")))
    return NO_KMS


def key_of(model: RuleModel, found: list[Instance]) -> Instance | None:
    for inst in found:
        if inst.type == "aws_kms_key":
            return inst
        targets = linked(model, inst, ("target_key_id",), ("aws_kms_key",))
        if targets:
            return targets[0]
    return None


def resolve_target(
    model: RuleModel,
    names: Names,
    instance: Instance,
    script: Script,
    word: str,
    types: tuple[str, ...],
) -> list[Instance] | None:
    """Instances a script word names: by the reference it was written from, else by its
    (known or template) value; [] for none of this plan, None when it cannot be told."""
    hole = script.hole(word)
    if hole is not None:
        found: list[Instance] = []
        for ref in hole.refs:
            target = reference_target(ref)
            if target is None:
                found.extend(i for i, _ in model.output_targets(ref) if i.type in types)
                continue
            found.extend(
                i
                for i in model.designated_by(target[0], near=instance.module_address)
                if i.type in types
            )
        return found or None
    shown = script.shown(word)
    return names.find(shown, instance.module_address) or (None if shown != word else [])
