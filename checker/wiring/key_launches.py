"""Auto Scaling groups launching instances with EBS volumes encrypted by a key of the plan
(WIR005's third kind of key user).

EC2 Auto Scaling creates the volumes as its service-linked role
(AWSServiceRoleForAutoScaling, or the group's `service_linked_role_arn`), whose AWS managed
policy (AutoScalingServiceRolePolicy, AWS's published document) grants no KMS action: the
key policy itself must allow the role the volume calls and CreateGrant for AWS resources,
or instances fail to launch ("Required AWS KMS key policy for use with encrypted volumes").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.api import Instance, RuleModel, linked
from checker.wiring.key_access import SERVICE_LINKED, service_linked_id
from checker.wiring.key_users import KeyRef, key_of

GROUP = "aws_autoscaling_group"
TEMPLATE = "aws_launch_template"
DEFAULT_ROLE = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
# what the service-linked role calls on the key of a volume it creates
CALLS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
    "kms:CreateGrant",
)
DOC = (
    "Amazon EC2 Auto Scaling User Guide, Required AWS KMS key policy for use with encrypted "
    "volumes (https://docs.aws.amazon.com/autoscaling/ec2/userguide/"
    "key-policy-requirements-EBS-encryption.html)"
)


@dataclass(frozen=True)
class Launch:
    """A group whose launch template encrypts a volume with a key."""

    group: Instance
    template: Instance
    key: KeyRef
    role: str  # the ARN of the role Auto Scaling launches with


def launches(model: RuleModel, account: str) -> Iterator[Launch]:
    """Every (group, its template's volume key) of the plan."""
    for group in model.resources(GROUP):
        templates = linked(model, group, ("launch_template", 0, "id"), (TEMPLATE,))
        templates += linked(model, group, ("launch_template", 0, "name"), (TEMPLATE,))
        role = _role(group.get("service_linked_role_arn"), account)
        for template in {t.address: t for t in templates}.values():
            for ref in _volume_keys(model, template):
                yield Launch(group, template, ref, role)


def _role(named: object, account: str) -> str:
    """The role Auto Scaling launches with, as the key policy's principals are compared
    (`key_access.service_linked_id`): the group's own, else the default one."""
    if isinstance(named, str) and named:
        found = SERVICE_LINKED.match(named)
        if found is None or found.group("account") != account:
            return named
        return service_linked_id(found.group("path"))
    return service_linked_id(DEFAULT_ROLE)


def _volume_keys(model: RuleModel, template: Instance) -> list[KeyRef]:
    mappings = template.get("block_device_mappings")
    out: list[KeyRef] = []
    for index, mapping in enumerate(mappings if isinstance(mappings, list) else []):
        volumes = mapping.get("ebs") if isinstance(mapping, dict) else None
        for inner, _ in enumerate(volumes if isinstance(volumes, list) else []):
            path = ("block_device_mappings", index, "ebs", inner, "kms_key_id")
            ref = key_of(model, template, path)
            if ref is not None:
                out.append(ref)
    return out
