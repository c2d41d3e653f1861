"""What a handler's AWS calls (other than DynamoDB's) need from IAM, read from its source.

Each call the handler reader finds (`checker.rules.handler_reader`: boto3 clients of any
service, operations from botocore's models) becomes the IAM action AWS authorizes it as:
the Service Authorization Reference prefix of the client's service and the operation's
name (`sqs` `SendMessage` -> `sqs:SendMessage`), checked against the reference
(`checker.aws.authorization`). A few operations are authorized under another action's
name, as each service's API reference documents (`ALIASES`); an operation whose action
the reference does not list is not guessed: the call is unread.

What the call acts on is read from its arguments: an argument read from an environment
variable (`os.environ["QUEUE_URL"]`, `os.environ.get(...)`, `os.getenv(...)`, or a name
assigned from one anywhere in the module) names the resource the stack wires into that
variable; an S3 `Key` argument gives the object's key (its literal text, or the literal
prefix of an f-string).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from checker.aws import authorization, clients
from checker.rules.handler_calls import Unread
from checker.rules.handler_reader import Call, read_calls
from checker.rules.handler_scopes import string_literal

OWNED = "dynamodb"  # TAP002's: the seed rule judges DynamoDB calls

# Operations AWS authorizes under another action's name (each API reference's "Permissions"):
# the SQS batch operations need the single operation's action; S3's HEAD and LIST operations
# need s3:GetObject and s3:ListBucket.
ALIASES: dict[str, str] = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
}


@dataclass(frozen=True)
class CodeCall:
    """One call of the handler and the IAM action AWS authorizes it as."""

    action: str  # "sqs:SendMessage", as the reference spells it
    resource_types: tuple[str, ...]  # the reference's resource types; () -> Resource "*"
    variables: tuple[str, ...]  # environment variables its arguments read
    key: str | None  # an S3 object key (or its literal prefix followed by "*"), when read
    where: str  # "line 12 SQS.send_message"

    @property
    def prefix(self) -> str:
        return self.action.split(":", 1)[0]


@dataclass(frozen=True)
class CodeCalls:
    calls: tuple[CodeCall, ...]
    unread: tuple[Unread, ...]


def iam_action(service: str, operation: str) -> str | None:
    """The IAM action an operation of a boto3 service is authorized as; None when the
    Service Authorization Reference lists no such action."""
    named = clients.iam_action(service, operation)
    named = ALIASES.get(named, named)
    found = authorization.action(named)
    return found.name if found is not None else None


def code_calls(source: str) -> CodeCalls | None:
    """Every non-DynamoDB call of a handler module; None when it is not valid Python."""
    try:
        calls = read_calls(source)
        tree = ast.parse(source)
    except (RecursionError, SyntaxError, ValueError):
        return None
    if calls is None:
        return None
    names = environment_names(tree)
    found: list[CodeCall] = []
    unread: list[Unread] = []
    for call in calls:
        where = f"line {call.line} {call.text}"
        model = clients.client(call.service) if call.service is not None else None
        if model is not None and model.prefix == OWNED:
            continue
        if call.service is None or call.operation is None or model is None:
            unread.append(Unread(where, call.why or "its service or operation is not known"))
            continue
        action = iam_action(call.service, call.operation)
        if action is None:
            why = f"{call.operation} has no IAM action of that name in the reference"
            unread.append(Unread(where, why))
            continue
        types = tuple(t.name for t in authorization.resource_types(action))
        found.append(
            CodeCall(action, types, call_variables(call, names), object_key(call.node), where)
        )
    return CodeCalls(tuple(dict.fromkeys(found)), tuple(dict.fromkeys(unread)))


# ------------------------------------------------------------------ environment variables


def _is_environ(node: ast.expr) -> bool:
    """`os.environ` or `environ` (from os import environ)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def environment_read(node: ast.expr | None) -> str | None:
    """The variable an expression reads from the environment: `os.environ["X"]`,
    `os.environ.get("X", default)`, `os.getenv("X")` (and `environ[...]`, `getenv(...)`)."""
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        return string_literal(node.slice)
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
        return string_literal(node.args[0])
    getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
        isinstance(func, ast.Name) and func.id == "getenv"
    )
    return string_literal(node.args[0]) if getenv else None


def environment_names(tree: ast.AST) -> dict[str, set[str]]:
    """Names assigned from an environment read anywhere in the module (flow-insensitive,
    as the handler reader is): name -> the variables it may hold."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        variable = environment_read(value)
        if variable is None:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                out.setdefault(target.id, set()).add(variable)
    return out


def _variables_of(node: ast.expr, names: dict[str, set[str]]) -> list[str]:
    direct = environment_read(node)
    if direct is not None:
        return [direct]
    if isinstance(node, ast.Name):
        return sorted(names.get(node.id, ()))
    return []


def call_variables(call: Call, names: dict[str, set[str]]) -> tuple[str, ...]:
    """The environment variables the call's arguments read (directly or through a name)."""
    node = call.node
    if node is None:
        return ()
    found: list[str] = []
    for argument in [*node.args, *(kw.value for kw in node.keywords)]:
        found.extend(_variables_of(argument, names))
    return tuple(dict.fromkeys(found))


def object_key(node: ast.Call | None) -> str | None:
    """An S3 call's `Key`: its literal text, or the literal prefix of an f-string followed
    by `*` (any key under it); None when not readable."""
    if node is None:
        return None
    value = next((kw.value for kw in node.keywords if kw.arg == "Key"), None)
    if value is None:
        return None
    literal = string_literal(value)
    if literal is not None:
        return literal
    if isinstance(value, ast.JoinedStr) and value.values:
        head = string_literal(value.values[0]) if isinstance(value.values[0], ast.Constant) else ""
        return f"{head or ''}*"
    return None
