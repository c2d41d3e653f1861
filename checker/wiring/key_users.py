"""Who uses a KMS key of the plan, and for what: WIR005's view of the stack.

Two kinds of user. A SERVICE writes encrypted data with its own principal: SNS into an
encrypted queue it delivers to, S3 and EventBridge into an encrypted topic or queue they
notify (CloudWatch Logs into a log group is TAP003's, the seed's rule for incident 3). A
ROLE the stack lets send to an encrypted queue, publish to an encrypted topic or receive
from an encrypted queue calls KMS through that service with its own credentials. Resources are found by type, values and
references (`linked`), never by names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.api import Instance, RuleModel, Unknown, checked, linked, show
from checker.rules.ec2_write_targets import NO_KMS, bucket_key
from checker.rules.links import link_is_undecided

QUEUE = "aws_sqs_queue"
TOPIC = "aws_sns_topic"
KEY = "aws_kms_key"
ALIAS = "aws_kms_alias"

# The calls a producer's data key needs (SQS and SNS key management: GenerateDataKey to
# encrypt, Decrypt to reuse the cached data key) and a consumer's (Decrypt).
PRODUCE = ("kms:GenerateDataKey", "kms:Decrypt")
CONSUME = ("kms:Decrypt",)


@dataclass(frozen=True)
class KeyRef:
    """The key an encrypted resource names: the plan's key, an AWS managed key (its alias),
    or a key this plan cannot tell (`hidden` says why)."""

    key: Instance | None = None
    managed: str = ""
    hidden: str = ""


def key_of(
    model: RuleModel, inst: Instance, attribute: str | tuple[str | int, ...]
) -> KeyRef | None:
    """The KMS key the attribute (or nested path) names, directly or through an alias; None
    when the resource is not encrypted with a KMS key (absent or empty: SSE-SQS, no SSE)."""
    path = (attribute,) if isinstance(attribute, str) else attribute
    shown_at = f"{inst.address}." + ".".join(str(p) for p in path)
    value = inst.get(*path)
    if (value is None or value == "") and not inst.references(*path):
        return None
    keys = linked(model, inst, path, (KEY,))
    if keys:
        return KeyRef(keys[0])
    for alias in linked(model, inst, path, (ALIAS,)):
        targets = linked(model, alias, ("target_key_id",), (KEY,))
        if targets:
            return KeyRef(targets[0])
        return KeyRef(hidden=f"the key of {alias.address} is not in {checked(model)}")
    if isinstance(value, str):
        if value.startswith("alias/aws/") or ":alias/aws/" in value:
            return KeyRef(managed=value)
        return KeyRef(hidden=f"{shown_at} = {value} is not a key of {checked(model)}")
    if link_is_undecided(model, inst, path):
        refs = ", ".join(inst.references(*path)) or "a value known after apply"
        return KeyRef(hidden=f"{shown_at} ({refs}) is only known after apply")
    shown = show(model.settle(inst, *path)) if isinstance(value, Unknown) else show(value)
    return KeyRef(hidden=f"{shown_at} = {shown} names no key of {checked(model)}")


@dataclass(frozen=True)
class ServiceUse:
    """A service configured to write into a resource encrypted with a key."""

    inst: Instance  # the resource that configures the write (the finding's address)
    attribute: str
    service: str  # the service prefix (sns, s3, events)
    target: Instance  # the encrypted resource written to
    key: KeyRef
    calls: tuple[str, ...]
    source: Instance | None = None  # the resource the service writes for (aws:SourceArn)


@dataclass(frozen=True)
class Destination:
    """An encrypted queue or topic and its key."""

    inst: Instance
    key: KeyRef


STREAM = "aws_kinesis_stream"
BUCKET = "aws_s3_bucket"
SECRET = "aws_secretsmanager_secret"

# The attribute naming the key of each encrypted resource type (a Kinesis stream is
# encrypted with it only when `encryption_type` is KMS).
KEY_ATTRIBUTES = {
    QUEUE: "kms_master_key_id",
    TOPIC: "kms_master_key_id",
    STREAM: "kms_key_id",
    SECRET: "kms_key_id",
}


def encrypted(model: RuleModel, inst: Instance) -> KeyRef | None:
    """The key a queue, topic, stream, secret or bucket (its default encryption) is
    encrypted with."""
    if inst.type == BUCKET:
        key = bucket_key(model, inst)
        if key == NO_KMS:
            return None
        if isinstance(key, Instance):
            return KeyRef(key)
        return KeyRef(hidden=f"the default encryption of {inst.address} is only known after apply")
    if inst.type == STREAM and inst.get("encryption_type") != "KMS":
        return None
    return key_of(model, inst, KEY_ATTRIBUTES[inst.type])


def service_uses(model: RuleModel) -> Iterator[ServiceUse]:
    """Every service write into a KMS-encrypted resource the plan configures."""
    for sub in model.resources("aws_sns_topic_subscription"):
        topics = linked(model, sub, ("topic_arn",), (TOPIC,))
        for queue in _once(linked(model, sub, ("endpoint",), (QUEUE,))):
            yield from _into(model, sub, "endpoint", "sns", queue, topics)
    for notification in model.resources("aws_s3_bucket_notification"):
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        for block, attribute, type_ in (
            ("queue", "queue_arn", QUEUE),
            ("topic", "topic_arn", TOPIC),
        ):
            listed = notification.get(block)
            for index in range(len(listed) if isinstance(listed, list) else 0):
                path = (block, index, attribute)
                for target in _once(linked(model, notification, path, (type_,))):
                    where = f"{block}[{index}].{attribute}"
                    yield from _into(model, notification, where, "s3", target, buckets)
    for rule_target in model.resources("aws_cloudwatch_event_target"):
        rules = linked(model, rule_target, ("rule",), ("aws_cloudwatch_event_rule",))
        for target in _once(linked(model, rule_target, ("arn",), (QUEUE, TOPIC))):
            yield from _into(model, rule_target, "arn", "events", target, rules)


def _once(found: list[Instance]) -> list[Instance]:
    """Each instance once (a reference and its attribute's may both designate it)."""
    return list({inst.address: inst for inst in found}.values())


def _into(
    model: RuleModel,
    inst: Instance,
    attribute: str,
    service: str,
    target: Instance,
    sources: list[Instance],
) -> Iterator[ServiceUse]:
    ref = encrypted(model, target)
    if ref is not None:
        source = sources[0] if sources else None
        yield ServiceUse(inst, attribute, service, target, ref, PRODUCE, source)


@dataclass(frozen=True)
class RoleUse:
    """What a role's access to an encrypted resource needs of its key."""

    action: str  # the service action that reads or writes the resource
    calls: tuple[str, ...]  # the KMS calls that action makes with the caller's credentials
    service: str  # the service that calls KMS (kms:ViaService)


ROLE_USES: dict[str, tuple[RoleUse, ...]] = {
    QUEUE: (
        RoleUse("sqs:SendMessage", PRODUCE, "sqs"),
        RoleUse("sqs:ReceiveMessage", CONSUME, "sqs"),
    ),
    TOPIC: (RoleUse("sns:Publish", PRODUCE, "sns"),),
    # Kinesis Data Streams Developer Guide, Permissions to use user-generated KMS keys:
    # producers kms:GenerateDataKey, consumers kms:Decrypt
    STREAM: (
        RoleUse("kinesis:PutRecord", ("kms:GenerateDataKey",), "kinesis"),
        RoleUse("kinesis:GetRecords", CONSUME, "kinesis"),
    ),
    # Secrets Manager User Guide, Secret encryption and decryption: reading a secret
    # encrypted with a customer managed key needs kms:Decrypt on it
    SECRET: (RoleUse("secretsmanager:GetSecretValue", CONSUME, "secretsmanager"),),
    # S3 User Guide, Using server-side encryption with AWS KMS keys: PutObject to a bucket
    # encrypting with a KMS key needs kms:GenerateDataKey, GetObject kms:Decrypt
    BUCKET: (
        RoleUse("s3:PutObject", ("kms:GenerateDataKey",), "s3"),
        RoleUse("s3:GetObject", CONSUME, "s3"),
    ),
}


def destinations(model: RuleModel) -> list[Destination]:
    """Every queue and topic of the plan encrypted with a KMS key."""
    out: list[Destination] = []
    for type_ in ROLE_USES:
        for inst in model.resources(type_):
            ref = encrypted(model, inst)
            if ref is not None:
                out.append(Destination(inst, ref))
    return out
