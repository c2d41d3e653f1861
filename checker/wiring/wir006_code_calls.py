"""WIR006: every AWS call a function's code makes is allowed by its role.

Why: incident 2 as a class. The seed's role granted PutItem while the handler called
UpdateItem and Query: the function deployed and every write failed with AccessDenied.
The same happens with any service the code calls: an SNS publish to a topic the role
names wrongly, an SQS send to a queue the role does not name, an S3 put on another
bucket's objects. The code's calls and the resources the stack wires into the
function's environment say exactly what the role must allow.

Anti-pattern: a role without the action a call needs, granting it on another resource
than the one the environment variable holds, or denying it (an explicit Deny, a
permissions boundary).
Best practice: for each call, its IAM action on the resource the stack wires into the
variable the call reads (`TopicArn=os.environ["TOPIC_ARN"]` with `TOPIC_ARN =
aws_sns_topic.x.arn`: sns:Publish on that topic's ARN), and nothing the code never calls.
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
from checker.rules.handler_source import handler_source
from checker.rules.iam import Statement, Tri, all_true
from checker.rules.links import RolePolicies
from checker.wiring.call_grants import Verdict, denied, granted_but_unused, judge_call
from checker.wiring.call_targets import CodeCall, CodeCalls, code_calls

META = RuleMeta(
    id="WIR006",
    title="Every AWS call a function's code makes is allowed by its role",
    severity=Severity.HIGH,
    incident=2,
    rationale=(
        "A call the execution role does not allow fails at run time with AccessDenied: the "
        "function deploys and the work it exists for never happens."
    ),
    remediation=(
        "Grant the function's role each action its code calls (sns:Publish, sqs:SendMessage, "
        "s3:PutObject, ...) on the resource the stack wires into the environment variable the "
        'call reads (a topic or queue ARN, "<bucket ARN>/*" for objects), and remove what '
        "the code never calls."
    ),
    resource_types=(
        "aws_lambda_function",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
    ),
    aws_model=(
        "A function calls AWS with its execution role's credentials. Each boto3 call is one "
        "IAM action, the Service Authorization Reference's prefix of the client's service and "
        "the operation's name (the SQS batch operations and S3's HEAD and LIST operations "
        "are authorized as the action their API reference names), on the resource the call "
        "names: '*' for an action without resource-level permission, else the ARN of the "
        "reference's resource type (a queue, a topic, <bucket ARN>/<key> for an object). "
        "The resource is the one the stack wires into the environment variable the call's "
        "argument reads. IAM allows the request when an identity policy allows it, no "
        "explicit Deny applies and a permissions boundary allows it too."
    ),
    letter_vs_aws=(
        "AWS only refuses a call when it is made; the rule judges every call the code can "
        "make, whichever branch makes it. What is granted but never called is a note, not a "
        "failure (the actions of an event source mapping's source are Lambda's, not the code's)."
    ),
    limits=(
        "DynamoDB calls are TAP002's (the seed rule) and are not judged here. Python only, "
        "the handler's own module; boto3's injected helpers (upload_file, download_file) and "
        "resource objects' actions other than DynamoDB's are not read. A call whose service, "
        "operation or resource is built at run time, or whose variable holds a value only "
        "apply tells, is unknown; an object key built at run time is any key of the bucket. "
        "Resource policies (a topic's, a queue's, a bucket's) and KMS permissions of "
        "encrypted resources are not evaluated here; service control policies are not seen."
    ),
    references=(
        "Service Authorization Reference: actions, resources, and condition keys "
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "reference_policies_actions-resources-contextkeys.html)",
        "IAM User Guide, Policy evaluation logic "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/"
        "reference_policies_evaluation-logic.html)",
        "AWS Lambda Developer Guide, Defining Lambda function permissions with an execution "
        "role (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)",
        "Amazon SQS API Reference, SendMessageBatch: the permission is sqs:SendMessage "
        "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/"
        "API_SendMessageBatch.html)",
        "Amazon S3 API Reference, ListObjectsV2: the permission is s3:ListBucket "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html)",
        "Amazon S3 API Reference, HeadObject: the permission is s3:GetObject "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)",
    ),
    needs_person=(
        "which statement grants a missing call, and on which resource, is a person's choice"
    ),
)


@dataclass(frozen=True)
class Role:
    """The function's execution role as IAM evaluates it."""

    instance: Instance
    statements: list[Statement]
    boundary: list[Statement] | None
    complete: bool
    reasons: list[str]


def _role(model: RuleModel, roles: RolePolicies, function: Instance) -> Role | None:
    found = linked(model, function, ("role",), ("aws_iam_role",))
    if not found:
        return None
    role = found[0]
    statements, complete, reasons = roles.statements(role)
    bounds = roles.boundary(role)
    if bounds is not None and not bounds.complete:
        complete, reasons = False, [*reasons, bounds.reason]
    limit = bounds.statements if bounds is not None else None
    return Role(role, statements, limit, complete, reasons)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    roles = role_policies(model)
    parsed: dict[str, CodeCalls | None] = {}
    for function in model.resources("aws_lambda_function"):
        found = handler_source(model, function)
        if found.text is None:
            yield Result.unknown(
                function.address,
                "handler",
                f"the AWS calls of its code are not known: {found.origin}",
                "the handler's Python source, readable from the plan or the stack's files",
            )
            continue
        if found.text not in parsed:
            parsed[found.text] = code_calls(found.text)
        calls = parsed[found.text]
        if calls is None:
            yield Result.unknown(
                function.address, "handler", f"{found.origin} is not valid Python", "Python"
            )
            continue
        if not calls.calls and not calls.unread:
            continue
        role = _role(model, roles, function)
        if role is None:
            yield Result.unknown(
                function.address,
                "role",
                f"the execution role is not in {checked(model)}",
                "the role the code's calls are made with",
            )
            continue
        yield _judge(model, function, role, calls, found.origin)


def _allowed(role: Role, verdict: Verdict) -> Tri:
    return all_true([verdict.allowed, *([verdict.bounded] if role.boundary is not None else [])])


def _classify(role: Role, call: CodeCall, verdict: Verdict) -> tuple[Tri, str]:
    """(False: refused, None: open, True: allowed) and how a person reads the request."""
    shown = f"{call.action} on {verdict.shown} ({call.where})"
    if verdict.why:
        return None, f"{shown}: {verdict.why}"
    allowed = _allowed(role, verdict)
    if allowed is True:
        return True, shown
    unread = role.reasons[0] if role.reasons else "part of the policy is not known"
    if allowed is None or verdict.target is None:
        return None, f"{shown}: {unread}"
    deny = denied(role.statements, role.boundary, call.action, verdict.target)
    if not (role.complete or deny):
        return None, f"{shown}: {unread}"
    if verdict.guessed:
        return None, f"{shown}: the call's resource is not read from its arguments"
    return False, shown + (": an explicit Deny applies" if deny else "")


def _judge(
    model: RuleModel, function: Instance, role: Role, calls: CodeCalls, origin: str
) -> Result:
    refused: list[str] = []
    open_: list[str] = []
    for call in calls.calls:
        for verdict in judge_call(model, function, call, role.statements, role.boundary):
            allowed, shown = _classify(role, call, verdict)
            if allowed is False:
                refused.append(shown)
            elif allowed is None:
                open_.append(shown)
    if refused:
        return Result.failed(
            function.address,
            "role",
            f"{function.address} calls {'; '.join(refused)} (read from {origin}) and "
            f"{role.instance.address} does not allow it",
            "each call's action allowed on the resource the stack wires into its variable",
        )
    if calls.unread:
        first = calls.unread[0]
        return Result.unknown(
            function.address,
            "role",
            f"{function.address}: {first.where} ({origin}) is not read: {first.why}",
            "the call's service, operation and resource written out",
        )
    if open_:
        return Result.unknown(
            function.address,
            "role",
            f"not known from {checked(model)} whether {role.instance.address} allows {open_[0]}",
            "each call's action allowed on the resource the stack wires into its variable",
        )
    called = sorted({c.action for c in calls.calls}, key=str.lower)
    unused = granted_but_unused(model, function, role.statements, calls)
    never = f"; granted but never called: {', '.join(unused)}" if unused else ""
    return Result.passed(
        function.address,
        "role",
        f"allows every call of {function.address} ({', '.join(called)}) on what its "
        "environment wires",
        note=f"handler read from {origin}{never}",
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
