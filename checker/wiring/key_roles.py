"""Which roles of the plan read or write an encrypted queue or topic (WIR005's second half).

A role counts when its policies allow the action on that resource by name (a grant that
allows it on any queue or topic alike, `Resource: "*"` or an AWS managed policy, says
nothing of which resource the role's code uses), or when it is the execution role of a
function an event source mapping feeds from the queue (Lambda then reads it with the role).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from checker.api import Instance, RuleModel, Tri, Unknown, all_true, linked
from checker.aws import authorization
from checker.core.address import reference_target
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import Target, bucket_target
from checker.rules.ec2_writers import HOLE
from checker.rules.iam import resource_entries
from checker.rules.links import RolePolicies
from checker.wiring.key_users import BUCKET, QUEUE, ROLE_USES, Destination, RoleUse

DECOY = "wir005-another-resource"
# type -> (service prefix, resource type, the name's placeholder in AWS's ARN format)
SERVICE_TYPES = {
    "aws_sqs_queue": ("sqs", "queue", "QueueName"),
    "aws_sns_topic": ("sns", "topic", "TopicName"),
    "aws_kinesis_stream": ("kinesis", "stream", "StreamName"),
    "aws_secretsmanager_secret": ("secretsmanager", "Secret", "SecretId"),
    "aws_s3_bucket": ("s3", "object", "BucketName"),
}
NAME_ATTRIBUTES = {"aws_s3_bucket": "bucket"}  # the attribute an ARN names it by (else name)


@dataclass(frozen=True)
class RoleAccess:
    """A role that reads or writes an encrypted destination, and how sure that is."""

    role: Instance
    destination: Destination
    use: RoleUse
    granted: Tri  # True: allowed by name (or fed by a mapping); None: may be


def resource_target(model: RuleModel, inst: Instance, name: str | None = None) -> Target:
    """The destination's ARN as a request names it (an object of a bucket)."""
    if inst.type == BUCKET:
        if name is None:
            return bucket_target(model, inst, HOLE)
        arn = f"arn:aws:s3:::{name}"
        return Target(inst, f"{arn}/{HOLE}", {"arn": arn, "id": name, "bucket": name}, model)
    return _named_target(model, inst, name)


def _named_target(model: RuleModel, inst: Instance, name: str | None) -> Target:
    """The queue's or topic's ARN as a request names it (HOLE for what only apply tells),
    with what a reference to its `arn` (and a queue's `id`, its URL) stands for."""
    service, resource_type, placeholder = SERVICE_TYPES[inst.type]
    known = inst.get("arn")
    if isinstance(known, str) and name is None:
        arn = known
    else:
        shown = inst.get("name")
        value = name if name is not None else shown if isinstance(shown, str) else HOLE
        pieces = {placeholder: value}
        region = model.region_of(inst)
        pieces.update({"Region": region} if region is not None else {})
        arn = authorization.filled_arn(service, resource_type, pieces, HOLE) or HOLE
    attributes = {"arn": arn, **({"id": arn} if inst.type == QUEUE else {})}
    return Target(inst, arn, attributes, model)


def _allowed(roles: RolePolicies, role: Instance, action: str, target: Target) -> Tri:
    statements, complete, _ = roles.statements(role)
    verdict = request_allowed(statements, action, target)
    boundary = roles.boundary(role)
    if boundary is not None:
        verdict = all_true([verdict, request_allowed(boundary.statements, action, target)])
    return None if verdict is False and not complete else verdict


def _mapped_roles(model: RuleModel) -> dict[str, set[str]]:
    """Queue address -> execution roles of the functions event source mappings feed from it
    (one pass over the mappings)."""
    out: dict[str, set[str]] = {}
    for mapping in model.resources("aws_lambda_event_source_mapping"):
        queues = linked(model, mapping, ("event_source_arn",), (QUEUE,))
        if not queues:
            continue
        roles = {
            role.address
            for function in linked(model, mapping, ("function_name",), ("aws_lambda_function",))
            for role in linked(model, function, ("role",), ("aws_iam_role",))
        }
        for queue in queues:
            out.setdefault(queue.address, set()).update(roles)
    return out


def _named_by(
    model: RuleModel, roles: RolePolicies, role: Instance, by_name: dict[str, list[Instance]]
) -> set[str]:
    """The destinations a role's Allow statements name: by reference, or by a literal ARN
    or pattern whose last part is (or matches) a destination's name. A role is judged only
    for these, so the join follows what policies say instead of pairing every role with
    every destination."""
    found: set[str] = set()
    statements, complete, _ = roles.statements(role)
    if not complete:  # a policy the plan hides: what its configuration references
        found.update(_designated(model, role, _policy_references(model, roles, role)))
    for stmt in statements:
        if not stmt.allows:
            continue
        for entry in resource_entries(stmt):
            if isinstance(entry, Unknown):
                found.update(_designated(model, role, entry.refs))
            elif isinstance(entry, str) and entry not in ("*",):
                tail = _named_part(entry)
                if any(c in tail for c in "*?"):
                    found.update(
                        i.address
                        for name, insts in by_name.items()
                        if fnmatchcase(name, tail)
                        for i in insts
                    )
                else:
                    found.update(i.address for i in by_name.get(tail, []))
    return found


def _designated(model: RuleModel, role: Instance, refs: Iterable[str]) -> set[str]:
    """The queues and topics a set of references names (through module outputs too)."""
    found: set[str] = set()
    for ref in refs:
        target = reference_target(ref)
        if target is None:  # a module's output: the resources behind it
            behind = [i for i, _ in model.output_targets(ref)]
        else:
            behind = model.designated_by(target[0], near=role.module_address)
        found.update(i.address for i in behind if i.type in SERVICE_TYPES)
    return found


def _policy_references(model: RuleModel, roles: RolePolicies, role: Instance) -> list[str]:
    """Every reference the role's policies are written with (inline, attached, inline
    blocks), following a policy document data source into its statements' resources."""
    refs: list[str] = []
    for attached in roles.inline.get(role):
        refs.extend(attached.references("policy"))
    blocks = role.declared("inline_policy")
    for index in range(len(blocks) if isinstance(blocks, list) else 0):
        refs.extend(role.references("inline_policy", index, "policy"))
    for attachment in roles.attachments.get(role):
        for policy in linked(model, attachment, ("policy_arn",), ("aws_iam_policy",)):
            refs.extend(policy.references("policy"))
    for ref in list(refs):
        target = reference_target(ref)
        if target is None or not target[0].startswith("data.aws_iam_policy_document."):
            continue
        for document in model.designated_by(target[0], near=role.module_address):
            listed = document.get("statement")
            for index in range(len(listed) if isinstance(listed, list) else 0):
                refs.extend(document.references("statement", index, "resources"))
    return refs


def _named_part(arn: str) -> str:
    """The part of a literal ARN that names the resource (a bucket's name, before its
    object key; else the last part)."""
    if arn.startswith("arn:aws:s3:::"):
        return arn[len("arn:aws:s3:::") :].split("/", 1)[0]
    return re.split(r"[:/]", arn)[-1]


def _instance_profile_roles(model: RuleModel) -> set[str]:
    """Roles of EC2 instance profiles: their writes to buckets are TAP012's (the seed's rule
    for incident 12)."""
    return {
        role.address
        for profile in model.resources("aws_iam_instance_profile")
        for role in linked(model, profile, ("role",), ("aws_iam_role",))
    }


def role_accesses(
    model: RuleModel, roles: RolePolicies, destinations: list[Destination]
) -> Iterator[RoleAccess]:
    """Every (role, encrypted destination, action) the plan's policies grant by name."""
    if not destinations:
        return
    by_name: dict[str, list[Instance]] = {}
    for destination in destinations:
        name = destination.inst.get(NAME_ATTRIBUTES.get(destination.inst.type, "name"))
        if isinstance(name, str):
            by_name.setdefault(name, []).append(destination.inst)
    mapped = _mapped_roles(model)
    candidates: dict[str, set[str]] = {}
    for each in model.resources("aws_iam_role"):
        for address in _named_by(model, roles, each, by_name):
            candidates.setdefault(address, set()).add(each.address)
    for queue, queue_roles in mapped.items():
        candidates.setdefault(queue, set()).update(queue_roles)
    ec2 = _instance_profile_roles(model)
    for destination in destinations:
        inst = destination.inst
        target = resource_target(model, inst)
        elsewhere = resource_target(model, inst, DECOY).arn
        for address in sorted(candidates.get(inst.address, ())):
            role = model.instance(address)
            if role is None or (inst.type == BUCKET and address in ec2):
                continue
            decoy = Target(role, elsewhere, {}, model)  # a resource no reference names
            for use in ROLE_USES[inst.type]:
                if use.action == "sqs:ReceiveMessage" and role.address in mapped.get(
                    inst.address, ()
                ):
                    yield RoleAccess(role, destination, use, True)
                    continue
                granted = _allowed(roles, role, use.action, target)
                if granted is False or _allowed(roles, role, use.action, decoy) is True:
                    continue  # not granted, or granted on any resource alike
                yield RoleAccess(role, destination, use, granted)
