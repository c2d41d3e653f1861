"""The resources a stack wires into a function's environment variables, as IAM names them.

A variable holds a resource of the plan when its value references one (`QUEUE_URL =
aws_sqs_queue.x.url`) or equals one of its identifying values (an applied stack's plan
holds the URL itself). Each such resource is turned into the ARN of the Service
Authorization Reference's resource type a call acts on (`checker.aws.authorization`
ARN formats): a queue's or a topic's ARN, a bucket's ARN, or an object's
(`arn:aws:s3:::bucket/key`) for an object operation. Parts of an ARN only apply tells
(an account ID, a generated suffix) are `HOLE`s, which the IAM matcher treats as any
name (`checker.rules.ec2_write_grants.request_allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.aws import authorization
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value
from checker.rules.ec2_write_targets import Target
from checker.rules.ec2_writers import HOLE
from checker.rules.queries import RuleModel


@dataclass(frozen=True)
class Kind:
    """A Terraform resource type a handler calls: its service prefix, the reference's
    resource types it is, and the attribute holding the name its ARN format takes."""

    service: str
    resource_types: tuple[str, ...]
    name: str
    identities: tuple[str, ...]  # attributes whose known value an environment may hold


KINDS: dict[str, Kind] = {
    "aws_sqs_queue": Kind("sqs", ("queue",), "name", ("url", "id", "arn", "name")),
    "aws_sns_topic": Kind("sns", ("topic",), "name", ("arn", "id", "name")),
    "aws_s3_bucket": Kind("s3", ("bucket", "object"), "bucket", ("bucket", "id", "arn")),
    "aws_lambda_function": Kind("lambda", ("function",), "function_name", ("arn", "function_name")),
    "aws_kinesis_stream": Kind("kinesis", ("stream",), "name", ("arn", "name", "id")),
    "aws_sfn_state_machine": Kind("states", ("statemachine",), "name", ("arn", "id", "name")),
    "aws_cloudwatch_event_bus": Kind("events", ("event-bus",), "name", ("arn", "name", "id")),
    "aws_secretsmanager_secret": Kind("secretsmanager", ("Secret",), "name", ("arn", "id")),
    "aws_ssm_parameter": Kind("ssm", ("parameter",), "name", ("arn", "name", "id")),
}


@dataclass(frozen=True)
class Wired:
    """What one environment variable holds: the plan's resources it names, or `hidden`
    when its value is only known after apply and names none of them."""

    instances: tuple[Instance, ...]
    hidden: bool


def _variables(model: RuleModel, function: Instance) -> Value:
    return model.settle(function, "environment", 0, "variables")


def wired(model: RuleModel, function: Instance) -> dict[str, Wired] | None:
    """Variable -> what it holds; None when the map itself is only known after apply (then
    `every_wired` tells what it references as a whole)."""
    variables = _variables(model, function)
    if variables is None or variables == []:
        return {}
    if not isinstance(variables, dict):
        return None
    return {name: _holding(model, function, value) for name, value in variables.items()}


def _holding(model: RuleModel, function: Instance, value: Value) -> Wired:
    if isinstance(value, str):
        found = [
            inst
            for type_, kind in KINDS.items()
            for attribute in kind.identities
            for inst in model.by_value(type_, attribute, value)
        ]
        return Wired(tuple({i.address: i for i in found}.values()), False)
    if isinstance(value, Unknown):
        found = [
            inst
            for ref in value.refs
            for inst in model.resolve(function, ref)
            if inst.type in KINDS
        ]
        if not found:
            found = model.designated(value, tuple(KINDS))
        return Wired(tuple({i.address: i for i in found}.values()), not found)
    return Wired((), False)


def every_wired(model: RuleModel, function: Instance) -> list[Instance]:
    """Every resource of `KINDS` the environment references, whichever variable holds it."""
    found = model.referenced(function, "environment", types=tuple(KINDS))
    return list({inst.address: inst for inst, _ in found}.values())


def _text(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.parts is not None:
        return value.render(HOLE)
    return HOLE


def _fill(form: str, name: str) -> str:
    """An ARN format with the first resource placeholder (after ${Account}) the name; any
    other placeholder (a stream label, an object key) a HOLE."""
    out, rest, first = "", form, True
    while "${" in rest:
        before, _, after = rest.partition("${")
        _, _, rest = after.partition("}")
        out += before + (name if first else HOLE)
        first = False
    return out + rest


def base_arn(model: RuleModel, inst: Instance, kind: Kind, resource_type: str) -> str:
    """The resource's ARN: its known `arn`, else its reference's ARN format filled with the
    region, the name, and HOLEs for the account and what only apply tells."""
    known = inst.get("arn")
    if isinstance(known, str):
        return known
    form = authorization.arn_format(kind.service, resource_type) or ""
    region = model.region_of(inst) or HOLE
    head = form.replace("${Partition}", "aws").replace("${Region}", region)
    head = head.replace("${Account}", HOLE)
    name = _text(inst.get(kind.name))
    return _fill(head, name.lstrip("/") if "WithoutLeadingSlash" in form else name)


def target(
    model: RuleModel, inst: Instance, resource_types: tuple[str, ...], key: str | None
) -> Target | None:
    """The request's resource: `inst` as the first of the action's resource types it can be
    (an object of a bucket: `<bucket ARN>/<key>`, `*` for a key not read); None when it is
    none of them (the variable names another kind of resource)."""
    kind = KINDS.get(inst.type)
    if kind is None:
        return None
    usable = [t for t in resource_types if t in kind.resource_types]
    if not usable:
        return None
    if usable[0] == "object":
        arn = base_arn(model, inst, kind, "bucket")
        name = _text(inst.get("bucket"))
        attributes = {"arn": arn, "id": name, "bucket": name}
        return Target(inst, f"{arn}/{key if key is not None else '*'}", attributes, model)
    arn = base_arn(model, inst, kind, usable[0])
    name = _text(inst.get(kind.name))
    attributes = {"arn": arn, kind.name: name}
    if inst.type in IDS:  # what `<resource>.id` is, where the provider documents it
        attributes["id"] = {"arn": arn, "name": name, "url": _text(inst.get("url"))}[IDS[inst.type]]
    return Target(inst, arn, attributes, model)


# The value of `id` for the types whose id a policy may name.
IDS = {"aws_sns_topic": "arn", "aws_s3_bucket": "name", "aws_sqs_queue": "url"}
