"""Terraform's operators: arithmetic, comparison, the conditional, indexing and references."""

from __future__ import annotations

import math
from collections.abc import Callable

from checker.source.functions.values import (
    EvalError,
    TfSet,
    as_bool,
    as_int,
    as_number,
    as_string,
    equal,
    normal,
)

# ---------------------------------------------------------------- operators


def _modulo(left: int | float, right: int | float) -> int | float:
    """Go's remainder: the sign of the dividend (`-5 % 3` is `-2`)."""
    if right == 0:
        raise ValueError("modulo by zero")  # Terraform: not an error it reports the same way
    if isinstance(left, int) and isinstance(right, int):
        rest = abs(left) % abs(right)
        return -rest if left < 0 else rest
    return normal(math.fmod(left, right))


def _divide(left: int | float, right: int | float) -> int | float:
    if right == 0:
        raise ValueError("division by zero gives infinity, which no Terraform value holds")
    if isinstance(left, int) and isinstance(right, int) and left % right == 0:
        return left // right
    return normal(left / right)


ARITHMETIC: dict[str, Callable[[int | float, int | float], int | float]] = {
    "+": lambda a, b: normal(a + b),
    "-": lambda a, b: normal(a - b),
    "*": lambda a, b: normal(a * b),
    "/": _divide,
    "%": _modulo,
}
COMPARISON: dict[str, Callable[[int | float, int | float], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def operate(operator: str, values: list[object]) -> object:
    """A unary or binary operator on known values; `EvalError` where Terraform refuses it."""
    if len(values) == 1:
        if operator == "!":
            return not as_bool(values[0])
        return normal(-as_number(values[0]))
    left, right = values
    if operator in ARITHMETIC:
        return ARITHMETIC[operator](as_number(left), as_number(right))
    if operator in COMPARISON:
        return COMPARISON[operator](as_number(left), as_number(right))
    if operator == "==":
        return equal(left, right)
    if operator == "!=":
        return not equal(left, right)
    if operator in ("&&", "||"):
        first, second = as_bool(left), as_bool(right)  # both converted: no short circuit
        return (first and second) if operator == "&&" else (first or second)
    raise ValueError(f"unknown operator {operator}")


def condition(value: object) -> bool:
    """A conditional's condition: a bool, or the string "true"/"false"."""
    if value is None:
        raise EvalError("the condition is null")
    if isinstance(value, bool) or value in ("true", "false"):
        return as_bool(value)
    raise EvalError("the condition must be a bool")


def index(base: object, key: object) -> object:
    """`base[key]` (and `base.key`) on known values, as HCL indexes."""
    if base is None:
        raise EvalError("cannot index a null value")
    if isinstance(base, TfSet):
        raise EvalError("elements of a set cannot be indexed")
    if isinstance(base, list):
        if isinstance(key, bool):
            raise EvalError("a number is required to index a list")
        position = as_int(key) if isinstance(key, int | str) else -1
        if not 0 <= position < len(base):
            raise EvalError(f"index {key!r} out of range")
        return base[position]
    if isinstance(base, dict):
        name = as_string(key)
        if name not in base:
            raise EvalError(f"no attribute or key {name!r}")
        return base[name]
    raise EvalError("this value does not have any indices")


def extend_reference(reference: str, key: object) -> str:
    """The reference to `key` of what `reference` names (`aws_x.y` + 0 -> `aws_x.y[0]`)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{reference}[{key}]"
    text = str(key)
    parts = reference.split(".")
    # a resource, data source or module call without a key is indexed by instance key
    instance = "[" not in reference and len(parts) == (3 if parts[0] == "data" else 2)
    if instance and parts[0] != "module" and not text.isidentifier():
        return f'{reference}["{text}"]'
    return f"{reference}.{text}"
