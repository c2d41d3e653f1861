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
    from checker.source.parse import Node

    if not isinstance(constraint, Node) or value is None or isinstance(value, Unknown):
        return value
    kind, args = constraint.kind, constraint.args
    try:
        if kind == "ref" and constraint.value in ("string", "number", "bool"):
            return _convert_primitive(value, str(constraint.value))
        if kind == "call" and constraint.value in ("list", "set") and len(args) == 1:
            if not isinstance(value, list):
                return value
            items = [convert(item, args[0]) for item in value]
            if constraint.value == "set":
                return toset(items) if all(map(wholly_known, items)) else TfSet(items)
            return items
        if kind == "call" and constraint.value == "map" and len(args) == 1:
            if not isinstance(value, dict):
                return value
            return {key: convert(item, args[0]) for key, item in value.items()}
        if kind == "call" and constraint.value == "object" and len(args) == 1:
            return _convert_object(value, args[0])
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
    from checker.source.parse import Node

    if not isinstance(value, dict) or not isinstance(attributes, Node):
        return value
    if attributes.kind != "object":
        return value
    out: dict[str, object] = {}
    for key_node, type_node in attributes.args:
        name = str(key_node.value)
        inner, default, optional = type_node, None, False
        if type_node.kind == "call" and type_node.value == "optional" and type_node.args:
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
    from checker.source.parse import Node

    if not isinstance(node, Node):
        return UNKNOWN
    if node.kind == "lit":
        return node.value
    if node.kind == "tmpl" and "${" not in str(node.value) and "%{" not in str(node.value):
        return str(node.value)
    if node.kind == "tuple":
        return [_constant(item) for item in node.args]
    if node.kind == "object":
        return {str(_constant(key)): _constant(value) for key, value in node.args}
    return UNKNOWN
