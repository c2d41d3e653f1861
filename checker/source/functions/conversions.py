"""Terraform's bool functions and type conversion functions (`alltrue`, `tostring`, `toset`, ...)."""

from __future__ import annotations

from checker.plan.values import Unknown
from checker.source.functions.encoding import json_encode
from checker.source.functions.table import known, partial
from checker.source.functions.values import (
    EvalError,
    TfSet,
    as_bool,
    as_list,
    as_map,
    as_number,
    as_string,
    is_number,
    unified,
    unknown_call,
    wholly_known,
)

# -- bools and type conversions


@known("alltrue")
def _alltrue(values: object) -> object:
    return all(as_bool(v) for v in as_list(values))


@known("anytrue")
def _anytrue(values: object) -> object:
    return any(as_bool(v) for v in as_list(values))


@partial("tostring")
def _tostring(value: object) -> object:
    if not wholly_known(value):
        return unknown_call("tostring", (value,))
    if isinstance(value, list | dict):
        raise EvalError("cannot convert a collection to string")
    return None if value is None else as_string(value)


@partial("tonumber")
def _tonumber(value: object) -> object:
    if not wholly_known(value):
        return unknown_call("tonumber", (value,))
    return None if value is None else as_number(value)


@partial("tobool")
def _tobool(value: object) -> object:
    if not wholly_known(value):
        return unknown_call("tobool", (value,))
    if value is None:
        return None
    if is_number(value):
        raise EvalError("cannot convert number to bool")
    return as_bool(value)


def _set_key(value: object) -> tuple[int, object]:
    """Terraform's order of a set's elements: numbers by value, strings lexically."""
    if isinstance(value, bool):
        return (0, value)
    if is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json_encode(value))


@partial("toset")
def toset(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("toset", (value,))
    if value is None:
        return None
    items = unified(as_list(value))
    if not all(map(wholly_known, items)):
        return unknown_call("toset", (value,))  # equal elements merge: the size is unknown
    distinct: dict[str, object] = {}
    for item in items:
        distinct.setdefault(json_encode(item), item)
    return TfSet(sorted(distinct.values(), key=_set_key))


@partial("tolist")
def _tolist(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("tolist", (value,))
    if value is None:
        return None
    return list(unified(as_list(value)))


@partial("tomap")
def _tomap(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("tomap", (value,))
    if value is None:
        return None
    mapping = as_map(value)
    keys = list(mapping)
    return dict(zip(keys, unified([mapping[k] for k in keys]), strict=True))
