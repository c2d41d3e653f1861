"""What a Python handler calls on AWS, read from boto3's and botocore's own models.

The handler's module is read as a small, flow-insensitive abstract interpretation:
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from checker.aws import authorization, clients

# ------------------------------------------------------------------ abstract objects


@dataclass(frozen=True)
class Module:
    name: str  # "boto3", "boto3.session", "botocore", "botocore.session"


@dataclass(frozen=True)
class Factory:
    kind: str  # "client", "resource", "Session"


@dataclass(frozen=True)
class Session:
    pass


@dataclass(frozen=True)
class Client:
    service: str | None  # None: named at run time


@dataclass(frozen=True)
class ServiceResource:
    service: str | None


@dataclass(frozen=True)
class SubResource:
    service: str
    type: str  # "Table"


@dataclass(frozen=True)
class Collection:
    service: str
    operation: str | None


@dataclass(frozen=True)
class Paginator:
    service: str | None
    operation: str | None
    name: str | None


@dataclass(frozen=True)
class Waiter:
    service: str | None
    operation: str | None
    name: str | None


@dataclass(frozen=True)
class BatchWriter:
    service: str


@dataclass(frozen=True)
class Meta:
    service: str | None


@dataclass(frozen=True)
class Function:
    key: int  # id of its def node
    method: bool  # defined in a class body: called through an attribute, `self` is bound


@dataclass(frozen=True)
class Method:
    owner: Obj
    name: str | None  # None: named at run time (`getattr(client, name)`)
    through_attribute: bool = True


@dataclass(frozen=True)
class Box:
    items: frozenset[Obj]


Obj = (
    Module
    | Factory
    | Session
    | Client
    | ServiceResource
    | SubResource
    | Collection
    | Paginator
    | Waiter
    | BatchWriter
    | Meta
    | Function
    | Method
    | Box
)
AWS_OBJECTS = (
    Client,
    ServiceResource,
    SubResource,
    Collection,
    Paginator,
    Waiter,
    BatchWriter,
)
Values = frozenset[Obj]
EMPTY: Values = frozenset()
MODULES = {"boto3": "boto3", "boto3.session": "boto3.session", "botocore.session": "botocore"}
FACTORIES = {
    "boto3": {"client": "client", "resource": "resource", "Session": "Session"},
    "boto3.session": {"Session": "Session"},
    "botocore.session": {"get_session": "Session", "Session": "Session"},
}
SUBMODULES = {"boto3": {"session": "boto3.session"}, "botocore": {"session": "botocore.session"}}
COLLECTION_METHODS = {"all", "filter", "limit", "page_size", "pages"}


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class Call:
    """One call of an AWS operation (or of something that may be one but cannot be read)."""

    line: int
    text: str  # how the source writes it: "table.update_item"
    service: str | None  # the boto3 service name; None when not known
    operation: str | None  # None when not known
    node: ast.Call | None  # the call, for its arguments
    why: str = ""  # why the operation is not known


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


# ------------------------------------------------------------------ scopes


@dataclass
class Scope:
    node: ast.AST
    parent: Scope | None
    params: list[str] = field(default_factory=list)
    locals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    is_class: bool = False


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            stack.extend(reversed([*node.decorator_list]))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _body(node: ast.AST) -> list[ast.stmt]:
    if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.body
    return []


def _targets(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _targets(element)
    elif isinstance(target, ast.Starred):
        yield from _targets(target.value)


def _bound_names(node: ast.AST) -> Iterator[str]:
    """Names a statement or expression binds in its scope."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _targets(target)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        yield from _targets(node.target)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield from _targets(node.optional_vars)
    elif isinstance(node, ast.NamedExpr):
        yield node.target.id
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0]
    elif isinstance(node, ast.comprehension):
        yield from _targets(node.target)


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return None


def _text(node: ast.expr) -> str:
    try:
        return ast.unparse(node)
    except (ValueError, AttributeError, RecursionError):
        return "?"


# ------------------------------------------------------------------ the interpreter


class Reader:
    """The abstract interpretation of one module (see the module docstring)."""

    def __init__(self, tree: ast.Module) -> None:
        self.scopes: dict[int, Scope] = {}
        self.functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.scope_of: dict[int, Scope] = {}  # function key -> its scope
        self.env: dict[tuple[int, str], Values] = {}
        self.attrs: dict[str, Values] = {}
        self.returns: dict[int, Values] = {}
        self.changed = False
        self.module = self._scope(tree, None)

    # scopes --------------------------------------------------------------

    def _scope(self, node: ast.AST, parent: Scope | None) -> Scope:
        scope = Scope(node, parent, is_class=isinstance(node, ast.ClassDef))
        self.scopes[id(node)] = scope
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            scope.params = [a.arg for a in every]
            scope.params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        for child in _own_nodes(_body(node)):
            if isinstance(child, ast.Global | ast.Nonlocal):
                scope.globals.update(child.names)
            scope.locals.update(_bound_names(child))
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[id(child)] = child
                self.scope_of[id(child)] = self._scope(child, scope)
            elif isinstance(child, ast.ClassDef):
                self._scope(child, scope)
        return scope

    def _owner(self, scope: Scope, name: str) -> Scope:
        """The scope a name read in `scope` lives in (class bodies are skipped, as Python does)."""
        if name in scope.globals:
            return self.module
        current: Scope | None = scope
        while current is not None:
            if (name in current.locals or name in current.params) and (
                current is scope or not current.is_class
            ):
                return current
            current = current.parent
        return self.module

    def _add(self, key: tuple[int, str], values: Values) -> None:
        if not values:
            return
        old = self.env.get(key, EMPTY)
        if not values <= old:
            self.env[key] = old | values
            self.changed = True

    def _add_attr(self, name: str, values: Values) -> None:
        old = self.attrs.get(name, EMPTY)
        if values and not values <= old:
            self.attrs[name] = old | values
            self.changed = True

    def _add_return(self, key: int, values: Values) -> None:
        old = self.returns.get(key, EMPTY)
        if values and not values <= old:
            self.returns[key] = old | values
            self.changed = True

    def assign(self, scope: Scope, target: ast.expr, values: Values) -> None:
        if isinstance(target, ast.Name):
            self._add((id(self._owner(scope, target.id)), target.id), values)
            if scope.is_class:
                self._add_attr(target.id, values)
        elif isinstance(target, ast.Attribute):
            self._add_attr(target.attr, values)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            items = _items(values)
            for element in target.elts if not isinstance(target, ast.Starred) else [target]:
                self.assign(scope, element, items)

    # evaluation ----------------------------------------------------------

    def value(self, scope: Scope, node: ast.expr | None) -> Values:
        if node is None:
            return EMPTY
        if isinstance(node, ast.Name):
            return self.env.get((id(self._owner(scope, node.id)), node.id), EMPTY)
        if isinstance(node, ast.Attribute):
            return self._attribute(self.value(scope, node.value), node.attr)
        if isinstance(node, ast.Call):
            return self._call_result(scope, node)
        if isinstance(node, ast.Subscript):
            return _items(self.value(scope, node.value))
        if isinstance(node, ast.Dict):
            return self._box(scope, [v for v in node.values if v is not None])
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return self._box(scope, node.elts)
        if isinstance(node, ast.IfExp):
            return self.value(scope, node.body) | self.value(scope, node.orelse)
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.value(scope, v) for v in node.values))
        if isinstance(node, ast.Await | ast.Starred):
            return self.value(scope, node.value)
        if isinstance(node, ast.NamedExpr):
            return self.value(scope, node.value)
        return EMPTY

    def _box(self, scope: Scope, elements: list[ast.expr]) -> Values:
        items = frozenset().union(*(self.value(scope, e) for e in elements)) if elements else EMPTY
        return frozenset({Box(items)}) if items else EMPTY

    def _attribute(self, owners: Values, name: str) -> Values:
        out: set[Obj] = set(self.attrs.get(name, EMPTY))
        for owner in owners:
            out |= _attribute_of(owner, name)
        return frozenset(out)

    def _call_result(self, scope: Scope, node: ast.Call) -> Values:
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and node.args:
            owners = self.value(scope, node.args[0])
            name = _literal(node.args[1]) if len(node.args) > 1 else None
            return frozenset(Method(o, name) for o in owners if isinstance(o, AWS_OBJECTS))
        out: set[Obj] = set()
        for callee in self._callees(scope, node):
            if isinstance(callee, Function):
                out |= self.returns.get(callee.key, EMPTY)
            else:
                out |= _result_of(callee, node)
        return frozenset(out)

    def _callees(self, scope: Scope, node: ast.Call) -> Values:
        return self.value(scope, node.func)

    # one pass ------------------------------------------------------------

    def run(self) -> None:
        for _ in range(50):
            self.changed = False
            for scope in list(self.scopes.values()):
                self._pass(scope)
            if not self.changed:
                return

    def _pass(self, scope: Scope) -> None:
        for node in _own_nodes(_body(scope.node)):
            self._statement(scope, node)

    def _statement(self, scope: Scope, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                target = alias.name if alias.asname else top
                if target in MODULES or top in ("boto3", "botocore"):
                    bound = alias.asname or top
                    self._add((id(self._owner(scope, bound)), bound), frozenset({Module(target)}))
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            for alias in node.names:
                found = _imported(node.module, alias.name)
                if found is not None:
                    bound = alias.asname or alias.name
                    self._add((id(self._owner(scope, bound)), bound), frozenset({found}))
        elif isinstance(node, ast.Assign):
            values = self.value(scope, node.value)
            for each in node.targets:
                self.assign(scope, each, values)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
            self.assign(scope, node.target, self.value(scope, node.value))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self.assign(scope, node.optional_vars, self.value(scope, node.context_expr))
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self.assign(scope, node.target, _items(self.value(scope, node.iter)))
        elif isinstance(node, ast.Return) and isinstance(
            scope.node, ast.FunctionDef | ast.AsyncFunctionDef
        ):
            self._add_return(id(scope.node), self.value(scope, node.value))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = frozenset({Function(id(node), scope.is_class)})
            self._add((id(self._owner(scope, node.name)), node.name), function)
            if scope.is_class:
                self._add_attr(node.name, function)
        elif isinstance(node, ast.Call):
            self._bind(scope, node)

    def _bind(self, scope: Scope, node: ast.Call) -> None:
        """Arguments of a call of the module's own function, to its parameters."""
        for callee in self._callees(scope, node):
            if not isinstance(callee, Function):
                continue
            function = self.functions[callee.key]
            inner = self.scope_of[callee.key]
            params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
            if callee.method and isinstance(node.func, ast.Attribute):
                params = params[1:]
            for name, arg in zip(params, node.args, strict=False):
                if isinstance(arg, ast.Starred):
                    break
                self._add((id(inner), name), self.value(scope, arg))
            for kw in node.keywords:
                if kw.arg is not None and kw.arg in inner.params:
                    self._add((id(inner), kw.arg), self.value(scope, kw.value))

    # the calls -----------------------------------------------------------

    def calls(self) -> list[Call]:
        out: list[Call] = []
        traced = self._traced_dynamodb()
        for scope in self.scopes.values():
            for node in _own_nodes(_body(scope.node)):
                if isinstance(node, ast.Call):
                    out.extend(self._calls_at(scope, node, traced))
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    out.extend(self._lazy_loads(scope, node))
        return sorted(out, key=lambda c: (c.line, c.text))

    def _traced_dynamodb(self) -> bool:
        """Does the module make a DynamoDB client or resource (or one of a service named at
        run time)? Only then is a DynamoDB method on an untraced object doubted."""
        for values in [*self.env.values(), *self.attrs.values(), *self.returns.values()]:
            for obj in values:
                if isinstance(obj, Client | ServiceResource) and obj.service in (None, "dynamodb"):
                    return True
                if isinstance(obj, SubResource) and obj.service == "dynamodb":
                    return True
        return False

    def _calls_at(self, scope: Scope, node: ast.Call, traced: bool) -> list[Call]:
        text = _text(node.func)
        line = node.lineno
        callees = self._callees(scope, node)
        found = [c for c in (_operation_call(o, node, text) for o in callees) if c is not None]
        if found or not traced:
            return found
        if (
            isinstance(node.func, ast.Attribute)
            and not self.value(scope, node.func.value)
            and node.func.attr in _dynamodb_method_names()
        ):
            return [
                Call(
                    line,
                    text,
                    None,
                    None,
                    node,
                    "the object it is called on is not traced to a boto3 client or resource",
                )
            ]
        return []

    def _lazy_loads(self, scope: Scope, node: ast.Attribute) -> list[Call]:
        out: list[Call] = []
        for owner in self.value(scope, node.value):
            if not isinstance(owner, SubResource):
                continue
            model = clients.resource(owner.service)
            kind = model.types.get(owner.type) if model else None
            if kind is not None and kind.load and node.attr in kind.attributes:
                out.append(Call(node.lineno, _text(node), owner.service, kind.load, None))
        return out


def _items(values: Values) -> Values:
    """What iterating or indexing a value gives: a container's items."""
    out: set[Obj] = set()
    for value in values:
        if isinstance(value, Box):
            out |= value.items
    return frozenset(out)


def _imported(module: str, name: str) -> Obj | None:
    if module in FACTORIES and name in FACTORIES[module]:
        return Factory(FACTORIES[module][name])
    sub = SUBMODULES.get(module, {}).get(name)
    return Module(sub) if sub is not None else None


def _attribute_of(owner: Obj, name: str) -> set[Obj]:
    if isinstance(owner, Module):
        if name in FACTORIES.get(owner.name, {}):
            return {Factory(FACTORIES[owner.name][name])}
        sub = SUBMODULES.get(owner.name, {}).get(name)
        return {Module(sub)} if sub is not None else set()
    if name == "meta" and isinstance(owner, ServiceResource | SubResource):
        return {Meta(owner.service)}
    if isinstance(owner, Meta) and name == "client":
        return {Client(owner.service)}
    if isinstance(owner, ServiceResource) and owner.service is not None:
        model = clients.resource(owner.service)
        if model is not None and name in model.collections:
            return {Collection(owner.service, model.collections[name])}
    if isinstance(owner, SubResource):
        model = clients.resource(owner.service)
        kind = model.types.get(owner.type) if model else None
        if kind is not None and name in kind.collections:
            return {Collection(owner.service, kind.collections[name])}
    if isinstance(owner, (Session, *AWS_OBJECTS)):
        return {Method(owner, name)}
    return set()


def _service_argument(node: ast.Call) -> str | None:
    return _literal(_argument(node, 0, "service_name"))


def _result_of(callee: Obj, node: ast.Call) -> set[Obj]:
    """What calling a boto3 object returns, as far as the calls are concerned."""
    if isinstance(callee, Factory):
        if callee.kind == "client":
            return {Client(_service_argument(node))}
        if callee.kind == "resource":
            return {ServiceResource(_service_argument(node))}
        return {Session()}
    if not isinstance(callee, Method):
        return set()
    owner, name = callee.owner, callee.name
    if isinstance(owner, Session) and name in ("client", "create_client"):
        return {Client(_service_argument(node))}
    if isinstance(owner, Session) and name == "resource":
        return {ServiceResource(_service_argument(node))}
    if isinstance(owner, ServiceResource) and owner.service is not None and name:
        model = clients.resource(owner.service)
        if model is not None and name in model.has:
            return {SubResource(owner.service, model.has[name])}
        if model is None and name[:1].isupper():
            return {SubResource(owner.service, name)}
    if isinstance(owner, Collection) and name in COLLECTION_METHODS:
        return {owner}
    if isinstance(owner, Client) and name in ("get_paginator", "get_waiter"):
        keyword = "operation_name" if name == "get_paginator" else "waiter_name"
        return {_paginator_or_waiter(owner.service, name, _literal(_argument(node, 0, keyword)))}
    if isinstance(owner, SubResource) and name == "batch_writer":
        return {BatchWriter(owner.service)}
    if isinstance(owner, BatchWriter) and name == "__enter__":
        return {owner}
    return set()


def _paginator_or_waiter(service: str | None, kind: str, name: str | None) -> Obj:
    model = clients.client(service) if service else None
    if kind == "get_paginator":
        operation = model.paginators.get(name) if model and name else None
        return Paginator(service, operation, name)
    operation = model.waiters.get(name) if model and name else None
    return Waiter(service, operation, name)


def _operation_call(callee: Obj, node: ast.Call, text: str) -> Call | None:
    """The operation a call of a boto3 object makes, or None when it makes none."""
    if not isinstance(callee, Method) or not isinstance(callee.owner, AWS_OBJECTS):
        return None
    owner, name, line = callee.owner, callee.name, node.lineno
    service = getattr(owner, "service", None)
    if service is None:
        return Call(line, text, None, None, node, "its service is named at run time")
    if name is None:
        return Call(line, text, service, None, node, "the method is named at run time")
    operation = _operation_of(owner, name)
    if isinstance(owner, Paginator | Waiter) and name in ("paginate", "wait") and not operation:
        return Call(line, text, service, None, node, f"{owner.name!r} is not known to botocore")
    return Call(line, text, service, operation, node) if operation else None


def _operation_of(owner: Obj, name: str) -> str | None:
    if isinstance(owner, Client) and owner.service is not None:
        return clients.operation(owner.service, name)
    if isinstance(owner, Paginator) and name == "paginate":
        return owner.operation
    if isinstance(owner, Waiter) and name == "wait":
        return owner.operation
    if isinstance(owner, Collection) and name in COLLECTION_METHODS:
        return owner.operation
    if isinstance(owner, ServiceResource) and owner.service is not None:
        model = clients.resource(owner.service)
        return model.actions.get(name) if model else None
    if isinstance(owner, SubResource):
        model = clients.resource(owner.service)
        kind = model.types.get(owner.type) if model else None
        if kind is None:
            return None
        if name in ("load", "reload"):
            return kind.load
        return kind.actions.get(name) or kind.waiters.get(name) or kind.injected.get(name)
    return None


@cache
def _dynamodb_method_names() -> frozenset[str]:
    names: set[str] = set()
    model = clients.client("dynamodb")
    if model is not None:
        names |= set(model.methods)
    resource = clients.resource("dynamodb")
    if resource is not None:
        for kind in resource.types.values():
            names |= {n for n in (*kind.actions, *kind.injected) if "_" in n}
    return frozenset(names)


def read_calls(source: str) -> list[Call] | None:
    """Every AWS call the module makes (with its service and operation); None if it does
    not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError):
        return None
    reader = Reader(tree)
    reader.run()
    return reader.calls()


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
            return True, _literal(kw.value)
        if kw.arg is None and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                if _literal(key) == "IndexName":
                    return True, _literal(value)
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
        keys = [_literal(k) for k in element.keys] if isinstance(element, ast.Dict) else [None]
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
    literal = _literal(node)
    if literal is not None:
        return literal
    if isinstance(node, ast.JoinedStr) and node.values:
        return "".join(_literal(v) or "\0" for v in node.values).split("\0")[0] or None
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
            if _literal(k) == key:
                return v
    return None


def handler_needs(source: str) -> Needs | None:
    """The DynamoDB needs of a handler module; None when it is not valid Python."""
    try:
        calls = read_calls(source)
    except RecursionError:
        return Needs((), (Unread("the module", "its expressions nest too deeply to be read"),))
    return None if calls is None else dynamodb_needs(calls)
