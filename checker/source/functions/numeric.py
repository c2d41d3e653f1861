"""Terraform's numeric functions (`max`, `abs`, `ceil`, `parseint`, `range`, ...)."""

from __future__ import annotations

import math
from collections.abc import Callable

from checker.source.functions.table import known
from checker.source.functions.values import EvalError, as_int, as_list, as_number, as_string, normal

# -- numbers


def _numbers(name: str, function: Callable[[list[int | float]], int | float]) -> None:
    def call(*values: object) -> object:
        if not values:
            raise EvalError("must pass at least one number")
        return normal(function([as_number(v) for v in values]))

    known(name)(call)


_numbers("max", max)
_numbers("min", min)


@known("abs")
def _abs(value: object) -> object:
    return abs(as_number(value))


@known("ceil")
def _ceil(value: object) -> object:
    return math.ceil(as_number(value))


@known("floor")
def _floor(value: object) -> object:
    return math.floor(as_number(value))


@known("signum")
def _signum(value: object) -> object:
    number = as_number(value)
    return (number > 0) - (number < 0)


@known("pow")
def _pow(base: object, exponent: object) -> object:
    return normal(float(as_number(base)) ** float(as_number(exponent)))


@known("log")
def _log(value: object, base: object) -> object:
    return normal(math.log(as_number(value), as_number(base)))


@known("parseint")
def _parseint(value: object, base: object) -> object:
    radix = as_int(base)
    if not 2 <= radix <= 36:
        raise EvalError("base must be between 2 and 62")
    try:
        return int(as_string(value), radix)
    except ValueError as error:
        raise EvalError(f"cannot parse {value!r} as a base {radix} integer") from error


@known("sum")
def _sum(values: object) -> object:
    items = as_list(values)
    if not items:
        raise EvalError("cannot sum an empty list")
    return normal(sum(as_number(v) for v in items))


MAX_RANGE = 1024  # Terraform refuses a range() of more elements


@known("range")
def _range(*args: object) -> object:
    numbers = [as_number(a) for a in args]
    if not 1 <= len(numbers) <= 3:
        raise EvalError("range() takes one to three arguments")
    start, limit = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
    step = numbers[2] if len(numbers) == 3 else (1 if limit >= start else -1)
    if step == 0:
        raise EvalError("step must not be zero")
    out: list[object] = []
    value = start
    while (value < limit) if step > 0 else (value > limit):
        if len(out) >= MAX_RANGE:
            raise EvalError(f"more than {MAX_RANGE} elements")
        out.append(normal(value))
        value += step
    return out
