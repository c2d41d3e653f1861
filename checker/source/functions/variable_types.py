"""A value converted to a variable's declared `type`, as Terraform converts it."""

from __future__ import annotations

from checker.plan.values import UNKNOWN, Unknown
from checker.source.functions.conversions import toset
from checker.source.functions.values import (
    EvalError,
    TfSet,
    as_bool,
    as_number,
    as_string,
    wholly_known,
)

# ----------------------------------------------------------- variable types


def convert(value: object, constraint: object) -> object:
    """A value converted to a variable's declared type as Terraform converts it: missing
    `optional()` attributes of an object become null (or their default), primitive
    elements of `map(string)`/`list(string)` become strings. `constraint` is the
    parsed `type` expression (`checker.source.parse.Node`); a value that does not fit
    is returned as it is."""
    from checker.source.parse import CallExpr, Node, Traversal

    if not isinstance(constraint, Node) or value is None or isinstance(value, Unknown):
        return value
    try:
        match constraint:
            case Traversal("string" | "number" | "bool" as kind):
                return _convert_primitive(value, kind)
            case CallExpr("list" | "set" as kind, (element,)):
                if not isinstance(value, list):
                    return value
                items = [convert(item, element) for item in value]
                if kind == "set":
                    return toset(items) if all(map(wholly_known, items)) else TfSet(items)
                return items
            case CallExpr("map", (element,)):
                if not isinstance(value, dict):
                    return value
                return {key: convert(item, element) for key, item in value.items()}
            case CallExpr("object", (attributes,)):
                return _convert_object(value, attributes)
    except EvalError:
        return value
    return value


def _convert_primitive(value: object, kind: str) -> object:
    if not wholly_known(value):
        return value
    if kind == "string" and not isinstance(value, list | dict):
        return as_string(value)
    if kind == "number" and isinstance(value, str):
        return as_number(value)
    if kind == "bool" and isinstance(value, str):
        return as_bool(value)
    return value


def _convert_object(value: object, attributes: object) -> object:
    from checker.source.parse import CallExpr, Node, ObjectExpr

    if not isinstance(value, dict) or not isinstance(attributes, ObjectExpr):
        return value
    out: dict[str, object] = {}
    for key_node, type_node in attributes.pairs:
        name = str(_key(key_node))
        inner: Node = type_node
        default: object = None
        optional = False
        if isinstance(type_node, CallExpr) and type_node.name == "optional" and type_node.args:
            inner, optional = type_node.args[0], True
            if len(type_node.args) > 1:
                default = convert(_constant(type_node.args[1]), inner)
        if name in value and value[name] is not None:
            out[name] = convert(value[name], inner)
        elif optional:
            out[name] = default
        elif name in value:
            out[name] = None
        else:
            return value  # a required attribute is missing: Terraform refuses the value
    return out


def _constant(node: object) -> object:
    """The value of a constant expression (an `optional()` default): literals, strings,
    lists and maps of them; unknown otherwise."""
    from checker.source.parse import Lit, ObjectExpr, TemplateExpr, TupleExpr

    match node:
        case Lit(value):
            return value
        case TemplateExpr(body) if "${" not in body and "%{" not in body:
            return body
        case TupleExpr(items):
            return [_constant(item) for item in items]
        case ObjectExpr(pairs):
            return {str(_constant(key)): _constant(value) for key, value in pairs}
        case _:
            return UNKNOWN


def _key(node: object) -> object:
    """An object type's attribute name: written as a name (a literal) or a string."""
    from checker.source.parse import Lit, TemplateExpr, Traversal

    match node:
        case Lit(value):
            return value
        case TemplateExpr(body) | Traversal(body):
            return body
        case _:
            return node
