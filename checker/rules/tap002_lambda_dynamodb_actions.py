"""TAP002: the Lambda role grants exactly the DynamoDB actions its handler calls, on the table only.

Why: the role had only `dynamodb:PutItem` while the handler called
`UpdateItem` and `Query`, so writes failed with AccessDenied (incident 2). The
fix grants what the code calls, on the table ARN and its indexes, and nothing
across all tables.

Anti-pattern: a missing action, `dynamodb:*`, `Resource: "*"`, or a table
wildcard such as `arn:aws:dynamodb:*:*:table/*`.
Best practice: list the calls of the handler (read from the packaged source)
and grant those actions on `aws_dynamodb_table.X.arn` and `"${...arn}/index/*"`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from checker.core.address import reference_target
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity, checked
from checker.rules.handler_source import handler_source
from checker.rules.iam import (
    Statement,
    action_covered,
    is_wildcard_action,
    resource_entries,
)
from checker.rules.links import linked, role_policies

META = RuleMeta(
    id="TAP002",
    title="Lambda role grants exactly the DynamoDB actions its handler calls, on the table only",
    severity=Severity.HIGH,
    incident=2,
    rationale=(
        "A handler whose calls are not all granted fails at run time with AccessDenied; "
        "wildcards grant every table and every action."
    ),
    remediation=(
        "Grant each dynamodb action the handler calls (GetItem, PutItem, UpdateItem, ...) on "
        'the table ARN and "<table ARN>/index/*" only; no dynamodb:*, no Resource "*", '
        "no table wildcard."
    ),
    resource_types=("aws_lambda_function", "aws_iam_role", "aws_dynamodb_table"),
)

# boto3 method names (client and Table resource) -> IAM action.
BOTO3_ACTIONS = {
    "get_item": "dynamodb:GetItem",
    "put_item": "dynamodb:PutItem",
    "update_item": "dynamodb:UpdateItem",
    "delete_item": "dynamodb:DeleteItem",
    "query": "dynamodb:Query",
    "scan": "dynamodb:Scan",
    "batch_get_item": "dynamodb:BatchGetItem",
    "batch_write_item": "dynamodb:BatchWriteItem",
    "batch_writer": "dynamodb:BatchWriteItem",
    "transact_get_items": "dynamodb:GetItem",
    "transact_write_items": "dynamodb:UpdateItem",
    "describe_table": "dynamodb:DescribeTable",
    "execute_statement": "dynamodb:PartiQLSelect",
}


def dynamodb_calls(source: str) -> set[str] | None:
    """IAM actions of every DynamoDB call the Python source makes; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    uses_dynamodb = "dynamodb" in source
    actions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            action = BOTO3_ACTIONS.get(node.func.attr)
            if action and uses_dynamodb:
                actions.add(action)
    return actions


def _tables_of(model: PlanModel, function: Instance) -> list[Instance]:
    tables = [
        t for t, _ in model.referenced(function, "environment", types=("aws_dynamodb_table",))
    ]
    if tables:
        return tables
    variables = function.get("environment", 0, "variables")
    found: list[Instance] = []
    if isinstance(variables, dict):
        for value in variables.values():
            if isinstance(value, str):
                found.extend(model.by_value("aws_dynamodb_table", "name", value))
    return found


def _resource_verdict(
    model: PlanModel, resource: Value, tables: list[Instance]
) -> tuple[bool | None, str]:
    """Is one Resource entry limited to the table (and its indexes)?"""

    def refs_table(ref: str) -> bool:
        if tables:
            return any(model.points_at(ref, table) for table in tables)
        target = reference_target(ref)
        return target is not None and ".aws_dynamodb_table." in f".{target[0]}"

    if isinstance(resource, str):
        if resource == "*":
            return False, 'Resource "*"'
        table_arns = {t.get("arn") for t in tables if isinstance(t.get("arn"), str)}
        base = resource.split("/index/", 1)[0]
        if base in table_arns and (
            resource == base or resource.endswith("/index/*") or "/index/" in resource
        ):
            return True, ""
        if "*" in resource.split("/index/", 1)[0]:
            return False, f"table wildcard {resource}"
        if ":table/" in resource:
            return (None, "") if not table_arns else (False, f"another table {resource}")
        return False, f"resource {resource}"
    if not isinstance(resource, Unknown):
        return None, "resource not readable"
    if resource.reference is not None:
        if refs_table(resource.reference) and resource.reference.endswith(".arn"):
            return True, ""
        return False, f"resource ${{{resource.reference}}}"
    if resource.parts:
        head, tail = resource.parts[0], resource.parts[1:]
        text = "".join(p if isinstance(p, str) else "?" for p in tail)
        ref = head.reference if isinstance(head, Unknown) else None
        if ref is not None and refs_table(ref) and ref.endswith(".arn"):
            if text.startswith("/index/") and "*" not in text[len("/index/") :].rstrip("*"):
                return True, ""
            return False, f"table wildcard ${{{ref}}}{text}"
        return False, "resource built from other values"
    return None, "resource ARNs are only known after apply"


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    roles = role_policies(model)
    parsed: dict[str, set[str] | None] = {}  # the same handler is parsed once
    for function in model.resources("aws_lambda_function"):
        found = handler_source(model, function)
        source, origin = found.text, found.origin
        called: set[str] | None = None
        if source is not None:
            if source not in parsed:
                parsed[source] = dynamodb_calls(source)
            called = parsed[source]
            if called is None:
                origin = f"{origin} is not valid Python"
            elif not called:
                continue
        # Without the handler's calls the role is still judged: a wildcard fails either way.
        role_list = linked(model, function, ("role",), ("aws_iam_role",))
        if not role_list:
            if called is None:
                yield Result.unknown(function.address, "handler", origin, "the handler source")
            elif isinstance(function.get("role"), Unknown) and not function.references("role"):
                yield Result.unknown(
                    function.address, "role", f"the execution role is not in {checked(model)}"
                )
            else:
                yield Result.unknown(
                    function.address,
                    "role",
                    f"the execution role is managed outside {checked(model)}",
                )
            continue
        role = role_list[0]
        statements, complete, reasons = roles.statements(role)
        tables = _tables_of(model, function)
        yield from _judge(
            model, function, role, called, origin, statements, complete, reasons, tables
        )


def _judge(
    model: PlanModel,
    function: Instance,
    role: Instance,
    called: set[str] | None,
    origin: str,
    statements: list[Statement],
    complete: bool,
    reasons: list[str],
    tables: list[Instance],
) -> Iterator[Result]:
    problems: list[str] = []
    undecided: list[str] = []
    granted: set[str] = set()
    for stmt in statements:
        if not stmt.allows:
            continue
        patterns = [p for p in stmt.actions or [] if isinstance(p, str)]
        dynamo = [p for p in patterns if p.lower().startswith("dynamodb:") or p == "*"]
        if not dynamo and stmt.not_actions is None:
            continue
        if stmt.not_actions is not None or any(is_wildcard_action(p, "dynamodb") for p in dynamo):
            problems.append(f"{stmt.origin} grants dynamodb:* (statement {stmt.index})")
            continue
        entries = resource_entries(stmt)
        verdicts = [_resource_verdict(model, r, tables) for r in entries]
        bad = [why for ok, why in verdicts if ok is False]
        if bad:
            problems.append(f"{stmt.origin} grants dynamodb actions on {bad[0]}")
            continue
        undecided += [why for ok, why in verdicts if ok is None]
        granted |= {p for p in dynamo if "*" not in p}
    if problems:
        yield Result.failed(
            role.address,
            "policy",
            problems[0],
            "dynamodb actions on the table ARN and its /index/* only",
        )
        return
    if called is None:
        yield Result.unknown(
            role.address,
            "policy",
            f"the DynamoDB calls of {function.address} are not known ({origin}); its role grants "
            "no DynamoDB wildcard",
            "the handler's calls granted on the table only",
        )
        return
    missing = sorted(
        a for a in called if not any(s.allows and action_covered(s, a) for s in statements)
    )
    if missing and complete:
        yield Result.failed(
            role.address,
            "policy",
            f"{function.address} calls {', '.join(missing)} (read from {origin}) but "
            f"{role.address} does not grant it",
            f"allow {', '.join(sorted(called))} on the table",
        )
        return
    if missing or undecided:
        why = (reasons or undecided or ["part of the policy is only known after apply"])[0]
        yield Result.unknown(
            role.address, "policy", why, "the handler's calls granted on the table only"
        )
        return
    unused = sorted(granted - called)
    never = f"; granted but never called: {', '.join(unused)}" if unused else ""
    yield Result.passed(
        role.address,
        "policy",
        f"grants {', '.join(sorted(called))} called by {function.address}, on the table only",
        note=f"handler read from {origin}{never}",
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
