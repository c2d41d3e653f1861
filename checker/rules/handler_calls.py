"""What a Python handler calls on AWS, read from boto3's and botocore's own models.

The handler's module is read (`checker.rules.handler_reader`) as a small, flow-insensitive abstract interpretation:
every name, attribute, function parameter and return value holds the set of
boto3 objects it may be (a client of service S, a resource, a `Table`, a
paginator, a waiter, a batch writer, a function, a container of those), bound
from `import boto3`, `boto3.client("dynamodb")`, `boto3.Session().client(...)`,
`boto3.resource("dynamodb").Table(...)`, `.meta.client`, assignments (to names
and to attributes such as `self.table`), calls of the module's own functions
(arguments to parameters, `return` to the caller) and containers of functions
(`handlers[action](table, body)`). A call is then a call on a known object,
mapped to its operation through `checker.aws.clients` (client method ->
operation, `get_paginator(name)` -> the paginator's operation, waiters, the
`Table` resource's actions, its lazy attributes -> `DescribeTable`,
`batch_writer()` -> `BatchWriteItem`): a `.query()` on a timestream-query client
is Timestream's, never DynamoDB's.

`dynamodb_needs` turns the DynamoDB calls into the IAM actions and resources
AWS authorizes them on:

- an action without resource-level permission (`ListTables`) is authorized on
  `*` (the Service Authorization Reference lists no resource type for it);
- `TransactWriteItems` needs the action of each item: `Put` PutItem, `Update`
  UpdateItem, `Delete` DeleteItem, `ConditionCheck` ConditionCheckItem;
  `TransactGetItems` needs GetItem ("Using IAM with DynamoDB transactions");
- PartiQL (`execute_statement`, `batch_execute_statement`, `execute_transaction`)
  needs PartiQLSelect/Insert/Update/Delete by the statement's verb, on the table,
  or on the index a `SELECT ... FROM "table"."index"` reads ("IAM security
  policies with PartiQL for DynamoDB");
- a `Query` or `Scan` with `IndexName` is authorized on the index ARN
  (`<table ARN>/index/<name>`), not the table's.

What cannot be read (a method named at run time, a service name that is not a
literal, transaction items or a statement built at run time, a DynamoDB method on
an object not traced to a client) is `Unread`, naming the call; a rule says unknown.
Limits: one module (imports of the package's other modules are not followed), no
aliasing through containers other than literals, no `aioboto3`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from checker.aws import authorization, clients
from checker.rules.handler_reader import Call, read_calls
from checker.rules.handler_scopes import string_literal


@dataclass(frozen=True)
class Need:
    """An IAM action the handler needs and what AWS authorizes it on."""

    action: str  # "dynamodb:Query"
    resource: str  # "table", "index", or "*" (no resource-level permission)
    index: str | None = None  # the index name, when resource == "index" and it is a literal
    where: str = ""  # "line 12 table.query"


@dataclass(frozen=True)
class Unread:
    where: str
    why: str


@dataclass(frozen=True)
class Needs:
    needs: tuple[Need, ...]
    unread: tuple[Unread, ...]

    @property
    def actions(self) -> set[str]:
        return {n.action for n in self.needs}


# ------------------------------------------------------------------ DynamoDB's IAM needs

TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
PARTIQL = {
    "select": "PartiQLSelect",
    "insert": "PartiQLInsert",
    "update": "PartiQLUpdate",
    "delete": "PartiQLDelete",
}
# `FROM "table"."index"` (or unquoted names) of a PartiQL SELECT.
PARTIQL_INDEX = re.compile(r'\bfrom\s+("[^"]+"|\w+)\s*\.\s*("([^"]+)"|(\w+))', re.IGNORECASE)


def _where(call: Call) -> str:
    return f"line {call.line} {call.text}"


def dynamodb_needs(calls: list[Call]) -> Needs:
    """The IAM actions (and resources) the DynamoDB calls need, and the calls not read."""
    needs: list[Need] = []
    unread: list[Unread] = []
    for call in calls:
        if call.service is None or call.operation is None:
            if call.service in (None, "dynamodb"):
                unread.append(Unread(_where(call), call.why or "its operation is not known"))
            continue
        model = clients.client(call.service)
        if model is None or model.prefix != "dynamodb":
            continue
        found, why = _needs_of(call)
        needs.extend(found)
        if why:
            unread.append(Unread(_where(call), why))
    return Needs(tuple(dict.fromkeys(needs)), tuple(dict.fromkeys(unread)))


def _needs_of(call: Call) -> tuple[list[Need], str]:
    operation = call.operation or ""
    where = _where(call)
    if operation == "TransactWriteItems":
        kinds, why = _transact_kinds(call.node, "TransactItems")
        return [_need(f"dynamodb:{TRANSACT_WRITE[k]}", where) for k in kinds], why
    if operation == "TransactGetItems":
        return [_need("dynamodb:GetItem", where)], ""
    if operation in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        return _partiql(call, operation)
    action = f"dynamodb:{operation}"
    if not authorization.action_exists(action):
        return [], f"{operation} has no IAM action of that name"
    on_index, index = (
        _index_argument(call.node) if operation in ("Query", "Scan") else (False, None)
    )
    if on_index:
        return [Need(action, "index", index, where)], ""
    return [_need(action, where)], ""


def _need(action: str, where: str) -> Need:
    resource = "table" if authorization.supports_resource_level(action) else "*"
    return Need(action, resource, None, where)


def _index_argument(node: ast.Call | None) -> tuple[bool, str | None]:
    """Whether a query or scan names an `IndexName`, and the name when it is a literal."""
    if node is None:
        return False, None
    for kw in node.keywords:
        if kw.arg == "IndexName":
            return True, string_literal(kw.value)
        if kw.arg is None and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                if string_literal(key) == "IndexName":
                    return True, string_literal(value)
    return False, None


def _list_elements(node: ast.expr | None) -> list[ast.expr] | None:
    """The elements a list argument holds: a literal list, or a comprehension's element."""
    if isinstance(node, ast.List | ast.Tuple):
        return list(node.elts)
    if isinstance(node, ast.ListComp | ast.GeneratorExp):
        return [node.elt]
    return None


def _transact_kinds(node: ast.Call | None, keyword: str) -> tuple[list[str], str]:
    elements = _list_elements(_keyword(node, keyword))
    if elements is None:
        return [], f"its {keyword} are built at run time"
    kinds: list[str] = []
    for element in elements:
        keys = (
            [string_literal(k) for k in element.keys] if isinstance(element, ast.Dict) else [None]
        )
        known = [k for k in keys if k in TRANSACT_WRITE]
        if not known:
            return kinds, f"an item of its {keyword} is built at run time"
        kinds.extend(known)
    return list(dict.fromkeys(kinds)), ""


def _keyword(node: ast.Call | None, keyword: str) -> ast.expr | None:
    if node is None:
        return None
    return next((kw.value for kw in node.keywords if kw.arg == keyword), None)


def _statement_text(node: ast.expr | None) -> str | None:
    """A PartiQL statement's text, or its leading literal part (an f-string's)."""
    literal = string_literal(node)
    if literal is not None:
        return literal
    if isinstance(node, ast.JoinedStr) and node.values:
        return "".join(string_literal(v) or "\0" for v in node.values).split("\0")[0] or None
    return None


def _partiql(call: Call, operation: str) -> tuple[list[Need], str]:
    if operation == "ExecuteStatement":
        statements: list[ast.expr | None] | None = [_keyword(call.node, "Statement")]
    else:
        keyword = "Statements" if operation == "BatchExecuteStatement" else "TransactStatements"
        elements = _list_elements(_keyword(call.node, keyword))
        statements = None if elements is None else [_dict_value(e, "Statement") for e in elements]
    if statements is None:
        return [], "its statements are built at run time"
    needs: list[Need] = []
    for statement in statements:
        text = _statement_text(statement)
        verb = text.strip().split(None, 1)[0].lower() if text and text.strip() else ""
        if verb not in PARTIQL:
            return needs, "its PartiQL statement is built at run time"
        action = f"dynamodb:{PARTIQL[verb]}"
        index = PARTIQL_INDEX.search(text or "") if verb == "select" else None
        if index is not None:
            needs.append(Need(action, "index", index.group(3) or index.group(4), _where(call)))
        else:
            needs.append(_need(action, _where(call)))
    return needs, ""


def _dict_value(node: ast.expr, key: str) -> ast.expr | None:
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            if string_literal(k) == key:
                return v
    return None


def handler_needs(source: str) -> Needs | None:
    """The DynamoDB needs of a handler module; None when it is not valid Python."""
    try:
        calls = read_calls(source)
    except RecursionError:
        return Needs((), (Unread("the module", "its expressions nest too deeply to be read"),))
    return None if calls is None else dynamodb_needs(calls)
