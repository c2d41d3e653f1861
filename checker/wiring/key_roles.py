"""Which roles of the plan read or write an encrypted queue or topic (WIR005's second half).

A role counts when its policies allow the action on that resource by name (a grant that
allows it on any queue or topic alike, `Resource: "*"` or an AWS managed policy, says
nothing of which resource the role's code uses), or when it is the execution role of a
function an event source mapping feeds from the queue (Lambda then reads it with the role).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.api import Instance, RuleModel, Tri, all_true, linked
from checker.aws import authorization
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import Target
from checker.rules.ec2_writers import HOLE
from checker.rules.links import RolePolicies
from checker.wiring.key_users import QUEUE, ROLE_USES, Destination, RoleUse

DECOY = "wir005-another-resource"
SERVICE_TYPES = {
    "aws_sqs_queue": ("sqs", "queue"),
    "aws_sns_topic": ("sns", "topic"),
    "aws_kinesis_stream": ("kinesis", "stream"),
    "aws_secretsmanager_secret": ("secretsmanager", "Secret"),
}


@dataclass(frozen=True)
class RoleAccess:
    """A role that reads or writes an encrypted destination, and how sure that is."""

    role: Instance
    destination: Destination
    use: RoleUse
    granted: Tri  # True: allowed by name (or fed by a mapping); None: may be


def resource_target(model: RuleModel, inst: Instance, name: str | None = None) -> Target:
    """The queue's or topic's ARN as a request names it (HOLE for what only apply tells),
    with what a reference to its `arn` (and a queue's `id`, its URL) stands for."""
    service, resource_type = SERVICE_TYPES[inst.type]
    known = inst.get("arn")
    if isinstance(known, str) and name is None:
        arn = known
    else:
        shown = inst.get("name")
        form = authorization.arn_format(service, resource_type) or ""
        arn = (
            form.replace("${Partition}", "aws")
            .replace("${Region}", model.region_of(inst) or HOLE)
            .replace("${Account}", HOLE)
        )
        value = name if name is not None else shown if isinstance(shown, str) else HOLE
        head, _, rest = arn.partition("${")
        arn = head + value + rest.partition("}")[2]
    attributes = {"arn": arn, **({"id": arn} if inst.type == QUEUE else {})}
    return Target(inst, arn, attributes, model)


def _allowed(roles: RolePolicies, role: Instance, action: str, target: Target) -> Tri:
    statements, complete, _ = roles.statements(role)
    verdict = request_allowed(statements, action, target)
    boundary = roles.boundary(role)
    if boundary is not None:
        verdict = all_true([verdict, request_allowed(boundary.statements, action, target)])
    return None if verdict is False and not complete else verdict


def _mapped_roles(model: RuleModel, queue: Instance) -> list[Instance]:
    """Execution roles of the functions event source mappings feed from the queue."""
    out: list[Instance] = []
    for mapping in model.resources("aws_lambda_event_source_mapping"):
        if queue not in linked(model, mapping, ("event_source_arn",), (QUEUE,)):
            continue
        for function in linked(model, mapping, ("function_name",), ("aws_lambda_function",)):
            out.extend(linked(model, function, ("role",), ("aws_iam_role",)))
    return out


def role_accesses(
    model: RuleModel, roles: RolePolicies, destinations: list[Destination]
) -> Iterator[RoleAccess]:
    """Every (role, encrypted destination, action) the plan's policies grant by name."""
    for destination in destinations:
        inst = destination.inst
        target = resource_target(model, inst)
        elsewhere = resource_target(model, inst, DECOY).arn
        mapped = {r.address for r in _mapped_roles(model, inst)} if inst.type == QUEUE else set()
        for role in model.resources("aws_iam_role"):
            decoy = Target(role, elsewhere, {}, model)  # a resource no reference names
            for use in ROLE_USES[inst.type]:
                if use.action == "sqs:ReceiveMessage" and role.address in mapped:
                    yield RoleAccess(role, destination, use, True)
                    continue
                granted = _allowed(roles, role, use.action, target)
                if granted is False or _allowed(roles, role, use.action, decoy) is True:
                    continue  # not granted, or granted on any resource alike
                yield RoleAccess(role, destination, use, granted)
