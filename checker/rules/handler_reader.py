"""The abstract interpretation of a handler module: every AWS call it makes, with its service
and operation (see `checker.rules.handler_calls` for what is followed).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache

from checker.aws import clients
from checker.rules.handler_objects import (
    AWS_OBJECTS,
    COLLECTION_METHODS,
    EMPTY,
    FACTORIES,
    MODULES,
    SUBMODULES,
    BatchWriter,
    Box,
    Client,
    Collection,
    Factory,
    Function,
    Meta,
    Method,
    Module,
    Obj,
    Paginator,
    ServiceResource,
    Session,
    SubResource,
    Values,
    Waiter,
)
from checker.rules.handler_scopes import (
    Scope,
    body_of,
    bound_names,
    call_argument,
    own_nodes,
    source_text,
    string_literal,
)

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


# ------------------------------------------------------------------ the interpreter


class Reader:
    """The abstract interpretation of one module (see `checker.rules.handler_calls`)."""

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
        for child in own_nodes(body_of(node)):
            if isinstance(child, ast.Global | ast.Nonlocal):
                scope.globals.update(child.names)
            scope.locals.update(bound_names(child))
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
            name = string_literal(node.args[1]) if len(node.args) > 1 else None
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
        for node in own_nodes(body_of(scope.node)):
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
            for node in own_nodes(body_of(scope.node)):
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
        text = source_text(node.func)
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
                out.append(Call(node.lineno, source_text(node), owner.service, kind.load, None))
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
    return string_literal(call_argument(node, 0, "service_name"))


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
        return {
            _paginator_or_waiter(
                owner.service, name, string_literal(call_argument(node, 0, keyword))
            )
        }
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
