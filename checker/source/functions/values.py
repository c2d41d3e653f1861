"""The values the functions work on: `EvalError`, `TfSet`, unknowns, and the conversions between
Terraform's types (a number or bool where a string is wanted becomes its text, and so on).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

from checker.plan.values import Unknown, refs_in

Function = Callable[..., object]


class EvalError(Exception):
    """An expression Terraform would refuse: distinct from a value known only after apply."""


class TfSet(list[object]):
    """A Terraform set (from `toset()`): ordered as Terraform orders it, each element its own key
    in a `for` expression or a `dynamic` block."""


# ----------------------------------------------------------------- unknowns


def refs_of(*values: object) -> tuple[str, ...]:
    """The references every `Unknown` inside the values names, in order, once each."""
    return refs_in(*values)


def unknown_from(*values: object) -> Unknown:
    """A value computed from others, some unknown: it names their references."""
    return Unknown(refs=refs_of(*values))


def wholly_known(value: object) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, list):
        return all(wholly_known(item) for item in value)
    if isinstance(value, dict):
        return all(wholly_known(item) for item in value.values())
    return True


def unknown_call(name: str, args: tuple[object, ...] | list[object]) -> Unknown:
    """`name(...)` of arguments some unknown; the calls it wraps stay named, so
    `formatdate("YYYY", timestamp())` still shows the volatile call."""
    inner = [a.expression for a in args if isinstance(a, Unknown) and a.expression]
    shown = f"{name}({', '.join(inner)})" if inner else f"{name}(...)"
    return Unknown.of_expression(shown, refs_of(*args))


# -------------------------------------------------------------- conversions


NUMBER_TEXT = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normal(number: float) -> int | float:
    """A whole float as the int Terraform prints (`4 / 2` is `2`)."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def number_text(number: float) -> str:
    """A number as Terraform writes it as a string: `1.5`, `10`, `100000000000000000000`."""
    if isinstance(number, int):
        return str(number)
    if math.isinf(number) or math.isnan(number):
        raise ValueError("not a Terraform number")
    if number.is_integer():
        return str(int(number))
    text = repr(number)
    return format(Decimal(text), "f") if "e" in text else text


def as_string(value: object) -> str:
    """A value where Terraform wants a string (numbers and bools convert)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("string required")


def as_number(value: object) -> int | float:
    """A value where Terraform wants a number (decimal strings convert)."""
    if isinstance(value, bool):
        raise EvalError("cannot convert bool to number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if not NUMBER_TEXT.match(value):
            raise EvalError(f"cannot convert {value!r} to number")
        if any(c in value for c in ".eE"):
            return normal(float(value))
        return int(value)
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("number required")


def as_int(value: object) -> int:
    number = as_number(value)
    if isinstance(number, float):
        raise EvalError("a whole number is required")
    return number


def as_bool(value: object) -> bool:
    """A value where Terraform wants a bool (only "true" and "false" convert)."""
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("bool required")


def as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("list required")


def as_map(value: object) -> dict[str, object]:
    if isinstance(value, dict):
        return value
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("map or object required")


def interpolation_text(value: object) -> str:
    """A value interpolated into a string template (`"a${x}"`)."""
    if value is None:
        raise EvalError("the interpolated value is null")
    if isinstance(value, list | dict):
        raise EvalError("a list or map cannot be interpolated in a string")
    return as_string(value)


def _primitive_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "null"


def unified(values: list[object]) -> list[object]:
    """Known values converted to their common type, as Terraform unifies a list or a
    conditional's results: mixed strings, numbers and bools become strings; a
    primitive beside a collection is an error. Unknown and null are left alone."""
    kinds = {_primitive_kind(v) for v in values if v is not None and wholly_known(v)}
    if len(kinds) <= 1:
        return values
    if kinds & {"list", "map"}:
        if kinds & {"string", "number", "bool"}:
            raise EvalError("inconsistent types")
        return values
    if "string" in kinds:
        return [v if v is None or not wholly_known(v) else as_string(v) for v in values]
    raise EvalError("inconsistent types")


def equal(left: object, right: object) -> bool:
    """`==` as Terraform compares: by type and value (`true == 1` and `"1" == 1` are false)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) for k in left)
    if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
        return False
    return bool(left == right)
