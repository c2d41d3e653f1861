"""WIR003: a function fed by an event source mapping may read its source, and is ordered after.

Why: incidents 1, 2 and 12 as a class. An SQS queue, a Kinesis stream or a DynamoDB stream
invokes no function itself: Lambda polls it with the function's execution role. When the
role may not read the source (or decrypt a queue encrypted with a customer key), Lambda
refuses to create the mapping or the records are never processed; and Lambda checks the role
when the mapping is created, so a policy written beside the role must exist first.

Anti-pattern: a role without the source's read actions, or granting them on another
resource; a policy attached to the role by a resource the mapping is not ordered after.
Best practice: the actions of the AWS managed policy for that source
(AWSLambdaSQSQueueExecutionRole, AWSLambdaKinesisExecutionRole,
AWSLambdaDynamoDBExecutionRole) on the source's ARN, kms:Decrypt on a queue's customer key,
and depends_on = [the policy] on the mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.api import (
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    checked,
    linked,
    role_policies,
)
from checker.aws import authorization, managed
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import Target, key_target
from checker.rules.ec2_writers import HOLE
from checker.rules.iam import (
    Statement,
    action_covered,
    all_true,
    policy_at,
    statements_from_object,
)
from checker.rules.links import RolePolicies

MAPPING = "aws_lambda_event_source_mapping"
MANAGED = "arn:aws:iam::aws:policy/service-role/"


@dataclass(frozen=True)
class Source:
    """A resource Lambda polls for a mapping, and AWS's policy for the role that reads it."""

    type: str  # the Terraform resource type
    attribute: str  # its attribute the mapping's event_source_arn names
    service: str  # the Service Authorization Reference prefix
    resource_type: str  # the reference's resource type of the source's ARN
    name: str  # the attribute holding the name in the ARN
    policy: str  # the AWS managed policy Lambda documents for the execution role
    placeholder: str  # the name's placeholder in AWS's ARN format

    def actions(self) -> tuple[str, ...]:
        """The managed policy's actions of the source's service that act on the source's
        resource type (AWS's data: listing actions without resource-level permissions are
        not needed to read one source; SubscribeToShard is a consumer's)."""
        document = managed.document(MANAGED + self.policy)
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        actions: list[str] = []
        for statement in statements if isinstance(statements, list) else []:
            listed = statement.get("Action", []) if isinstance(statement, dict) else []
            for action in [listed] if isinstance(listed, str) else listed:
                if not isinstance(action, str) or not action.startswith(f"{self.service}:"):
                    continue
                types = {t.name for t in authorization.resource_types(action)}
                if self.resource_type in types and action not in actions:
                    actions.append(action)
        return tuple(actions)


SOURCES = (
    Source(
        "aws_sqs_queue",
        "arn",
        "sqs",
        "queue",
        "name",
        "AWSLambdaSQSQueueExecutionRole",
        "QueueName",
    ),
    Source(
        "aws_kinesis_stream",
        "arn",
        "kinesis",
        "stream",
        "name",
        "AWSLambdaKinesisExecutionRole",
        "StreamName",
    ),
    Source(
        "aws_dynamodb_table",
        "stream_arn",
        "dynamodb",
        "stream",
        "name",
        "AWSLambdaDynamoDBExecutionRole",
        "TableName",  # the stream's label is only known after apply
    ),
)

META = RuleMeta(
    id="WIR003",
    title="A function fed by an event source mapping may read its source and is ordered after",
    severity=Severity.HIGH,
    incident=2,
    rationale=(
        "Lambda polls queues and streams with the function's execution role and checks it "
        "when the mapping is created: a role that may not read the source leaves the mapping "
        "refused or its records unprocessed."
    ),
    remediation=(
        "Grant the function's role the actions of AWS's managed execution-role policy for the "
        "source (sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes; the Kinesis "
        "or DynamoDB stream read actions) on the source's ARN, kms:Decrypt on a queue's "
        "customer key, and add depends_on = [that policy] to the mapping."
    ),
    resource_types=(MAPPING, *(s.type for s in SOURCES)),
    aws_model=(
        "Lambda reads the source as the function's execution role: the request is each read "
        "action on the source's ARN (the queue; the stream; the table's stream), allowed by "
        "the role's policies (an explicit Deny wins, a permissions boundary must allow too), "
        "and kms:Decrypt on the key of a queue encrypted with a customer key. The actions "
        "are those of the AWS managed policy Lambda documents for the source "
        "(AWSLambdaSQSQueueExecutionRole, AWSLambdaKinesisExecutionRole, "
        "AWSLambdaDynamoDBExecutionRole) that act on the source's resource type in the "
        "Service Authorization Reference. CreateEventSourceMapping validates the role, so a "
        "policy resource attached beside the role must be created before the mapping."
    ),
    letter_vs_aws=(
        "Listing actions (kinesis:ListStreams, dynamodb:ListStreams) of the managed policies "
        "are not required: they have no resource-level permission and AWS's own examples "
        "scope the read to the stream."
    ),
    limits=(
        "Kafka, MQ and DocumentDB sources are not judged; enhanced fan-out consumers "
        "(kinesis:SubscribeToShard) are not required; the key policy of a queue's key is not "
        "evaluated here (the role's side only); a role of another stack is unknown."
    ),
    references=(
        "AWS Lambda Developer Guide, Using Lambda with Amazon SQS: execution role permissions "
        "(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html)",
        "AWS Lambda Developer Guide, Process Amazon Kinesis Data Streams records with Lambda "
        "(https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html)",
        "Amazon DynamoDB Developer Guide, IAM policy to allow an AWS Lambda function to "
        "access DynamoDB stream records (https://docs.aws.amazon.com/amazondynamodb/latest/"
        "developerguide/iam-policy-example-lamda-process-dynamodb-streams.html)",
        "AWS managed policy reference, AWSLambdaSQSQueueExecutionRole, "
        "AWSLambdaKinesisExecutionRole, AWSLambdaDynamoDBExecutionRole "
        "(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/)",
        "AWS Lambda API Reference, CreateEventSourceMapping "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)",
    ),
    needs_person=("what the role may read (a new policy or a wider one) is a person's choice"),
)


def source_target(model: RuleModel, source: Source, inst: Instance) -> Target:
    """The source's ARN as the request names it (HOLE for what only apply tells), with what
    a reference to each of its ARN-valued attributes stands for."""
    known = inst.get(source.attribute)
    if isinstance(known, str):
        arn = known
    else:
        name = inst.get(source.name)
        pieces = {source.placeholder: name} if isinstance(name, str) else {}
        region = model.region_of(inst)
        pieces.update({"Region": region} if region is not None else {})
        arn = authorization.filled_arn(source.service, source.resource_type, pieces, HOLE) or HOLE
    attributes = {source.attribute: arn}
    if source.attribute == "stream_arn":
        attributes["arn"] = arn.split("/stream/", 1)[0]
    else:
        attributes.update({"id": arn} if source.type == "aws_sqs_queue" else {})
    return Target(inst, arn, attributes, model)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    roles = role_policies(model)
    for mapping in model.resources(MAPPING):
        found = _source_of(model, mapping)
        if found is None:
            continue
        source, inst = found
        yield from _judge(model, roles, mapping, source, inst)


def _source_of(model: RuleModel, mapping: Instance) -> tuple[Source, Instance] | None:
    for source in SOURCES:
        linked_sources = linked(model, mapping, ("event_source_arn",), (source.type,))
        if linked_sources:
            return source, linked_sources[0]
    return None


def _judge(
    model: RuleModel, roles: RolePolicies, mapping: Instance, source: Source, inst: Instance
) -> Iterator[Result]:
    functions = linked(model, mapping, ("function_name",), ("aws_lambda_function",))
    role = next(
        (r for f in functions for r in linked(model, f, ("role",), ("aws_iam_role",))), None
    )
    if role is None:
        yield Result.unknown(
            mapping.address,
            "function_name",
            f"the function's execution role is not in {checked(model)}",
            "the role Lambda polls the source with",
        )
        return
    statements, complete, reasons = roles.statements(role)
    boundary = roles.boundary(role)
    requests = [(a, source_target(model, source, inst)) for a in source.actions()]
    key = _queue_key(model, source, inst)
    if key is not None:
        requests.append(("kms:Decrypt", key_target(model, key)))
    missing: list[str] = []
    open_: list[str] = []
    for action, target in requests:
        allowed = request_allowed(statements, action, target)
        if boundary is not None:
            allowed = all_true([allowed, request_allowed(boundary.statements, action, target)])
        where = f"{action} on {target.instance.address}"
        if allowed is False and complete:
            missing.append(where)
        elif allowed is not True:
            open_.append(where)
    if missing:
        yield Result.failed(
            mapping.address,
            "event_source_arn",
            f"{role.address} may not {', '.join(missing)}: Lambda cannot read the source",
            f"the role allows {', '.join(a for a, _ in requests)} on the source",
        )
        return
    if open_:
        why = f"; {reasons[0]}" if reasons else ""
        yield Result.unknown(
            mapping.address,
            "event_source_arn",
            f"whether {role.address} may {', '.join(open_)} is only known after apply{why}",
            f"the role allows {', '.join(a for a, _ in requests)} on the source",
        )
        return
    unordered = [
        policy
        for policy in _granting(model, roles, role, [a for a, _ in requests])
        if not model.ordered_after(mapping, policy)
    ]
    if unordered:
        yield Result.failed(
            mapping.address,
            "depends_on",
            f"Lambda checks {role.address} when the mapping is created, and the mapping is not "
            f"ordered after {unordered[0].address}, which grants the read",
            f"depends_on = [{unordered[0].config_address}]",
        )
        return
    yield Result.passed(
        mapping.address,
        "event_source_arn",
        f"{role.address} may read {inst.address} and the mapping is created after its policy",
    )


def _queue_key(model: RuleModel, source: Source, inst: Instance) -> Instance | None:
    """The customer key a queue is encrypted with, when it is one of the plan's."""
    if source.type != "aws_sqs_queue":
        return None
    keys = linked(model, inst, ("kms_master_key_id",), ("aws_kms_key",))
    if keys:
        return keys[0]
    for alias in linked(model, inst, ("kms_master_key_id",), ("aws_kms_alias",)):
        found = linked(model, alias, ("target_key_id",), ("aws_kms_key",))
        if found:
            return found[0]
    return None


def _granting(
    model: RuleModel, roles: RolePolicies, role: Instance, actions: list[str]
) -> list[Instance]:
    """The policy resources beside the role (inline aws_iam_role_policy, attachments) whose
    statements allow any of the actions: the mapping must be created after them."""
    out: list[Instance] = []
    for attached in roles.inline.get(role):
        if _allows_any(policy_at(model, attached, "policy").statements, actions):
            out.append(attached)
    for attachment in roles.attachments.get(role):
        policies = linked(model, attachment, ("policy_arn",), ("aws_iam_policy",))
        documents = [policy_at(model, p, "policy").statements for p in policies]
        arn = attachment.get("policy_arn")
        if not policies and isinstance(arn, str):
            document = managed.document(arn)
            documents.append(_statements(document, attachment.address))
        if any(_allows_any(statements, actions) for statements in documents):
            out.append(attachment)
    return out


def _statements(document: object, origin: str) -> list[Statement]:
    return statements_from_object(document, origin) or []


def _allows_any(statements: list[Statement], actions: list[str]) -> bool:
    return any(s.allows and action_covered(s, a) is True for s in statements for a in actions)


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
