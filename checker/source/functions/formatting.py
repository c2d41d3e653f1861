"""Terraform's `format`, `formatlist` and `join`, with Go's `fmt` verbs as Terraform applies them."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from checker.plan.values import Unknown
from checker.source.functions.encoding import json_encode
from checker.source.functions.table import known, partial
from checker.source.functions.values import (
    EvalError,
    as_bool,
    as_number,
    as_string,
    unknown_call,
    unknown_from,
    wholly_known,
)

# -- format


FORMAT_VERB = re.compile(r"%(?P<flags>[-+# 0]*)(?P<index>\[\d+\])?(?P<width>\d+)?(?:\.(?P<precision>\d*))?(?P<verb>[a-zA-Z%])")  # fmt: skip
WIDE = 10_000  # a width or precision this large is refused (a bounded evaluation)


def go_format(spec: str, args: tuple[object, ...]) -> str:
    """`format()` as Terraform's (Go's fmt) on known arguments: verbs s v q t d b o x X e E f g G,
    flags, width, precision and `%[n]` argument indexes."""
    out: list[str] = []
    position, argument = 0, 0
    used: set[int] = set()
    for match in FORMAT_VERB.finditer(spec):
        out.append(spec[position : match.start()])
        position = match.end()
        verb, flags = match.group("verb"), match.group("flags")
        if verb == "%":
            out.append("%")
            continue
        if match.group("index"):
            argument = int(match.group("index")[1:-1]) - 1
        if argument >= len(args) or argument < 0:
            raise EvalError(f"not enough arguments for %{verb}")
        value = args[argument]
        used.add(argument)
        argument += 1
        width = int(match.group("width") or 0)
        precision = match.group("precision")
        if width > WIDE or (precision and int(precision) > WIDE):
            raise ValueError("format width too large")
        out.append(_pad(_verb(verb, flags, precision, value), flags, width, verb))
    if "%" in spec[position:]:
        raise EvalError("unrecognized format verb")
    if len(used) < len(args):
        raise EvalError(f"too many arguments; only {len(used)} used by the format string")
    out.append(spec[position:])
    return "".join(out)


def _verb(verb: str, flags: str, precision: str | None, value: object) -> str:
    if value is None:
        raise ValueError("a null argument makes format() unknown in Terraform")
    if verb in "sq" or (verb == "v" and isinstance(value, str)):
        if isinstance(value, list | dict):
            raise EvalError("string required")
        text = as_string(value)
        if precision:
            text = text[: int(precision)]
        return json.dumps(text, ensure_ascii=False) if verb == "q" else text
    if verb == "v":
        if "#" in flags or isinstance(value, list | dict):
            return json_encode(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return shortest_g(as_number(value))
    if verb == "t":
        return "true" if as_bool(value) else "false"
    number = as_number(value)
    if verb in "dboxX":
        if isinstance(number, float):
            raise EvalError(f"an integer is required for %{verb}")
        text = format(abs(number), {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb])
        sign = "-" if number < 0 else "+" if "+" in flags else " " if " " in flags else ""
        return sign + text
    if verb in "eEfFgG":
        digits = int(precision) if precision else 6
        text = format(float(number), f"{'+' if '+' in flags else ''}.{digits}{verb}")
        return text
    raise EvalError(f"unsupported format verb %{verb}")


def shortest_g(number: float) -> str:
    """A number as Go's `%v` prints a big.Float: the shortest digits, in exponent form when
    the exponent is below -4 or at least 6 (`1e+06`, `1.5`, `123456`)."""
    if number == 0:
        return "0"
    exact = Decimal(number) if isinstance(number, int) else Decimal(repr(float(number)))
    sign, digit_tuple, exponent = exact.normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)
    minus = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _pad(text: str, flags: str, width: int, verb: str) -> str:
    if len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags:
        sign = text[0] if text[:1] in "+- " and verb not in "sqv" else ""
        return sign + text[len(sign) :].rjust(width - len(sign), "0")
    return text.rjust(width)


FORMAT_STEP = re.compile(r"%(%|[-+# 0]*\d*(?:\.\d+)?[svdqtf])")


def format_template(spec: str, args: tuple[object, ...]) -> Unknown:
    """`format(spec, ...)` with some arguments unknown: a template keeping the known text and
    each argument in its place (`format("%s/*/POST", execution_arn)`), when every verb
    takes one argument in order; else unknown, naming the arguments' references."""
    parts: list[str | Unknown] = []
    position, used = 0, 0
    for match in FORMAT_STEP.finditer(spec):
        parts.append(spec[position : match.start()])
        position = match.end()
        if match.group(1) == "%":
            parts.append("%")
            continue
        if used >= len(args) or match.group(1)[-1] not in "sdv":
            return unknown_from(*args)
        value = args[used]
        used += 1
        if isinstance(value, Unknown):
            parts.append(value)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            parts.append(as_string(value))
        else:
            return unknown_from(*args)
    parts.append(spec[position:])
    return template_of(parts)


def template_of(parts: list[str | Unknown]) -> Unknown:
    """A template of known text and unknown pieces, adjacent text joined."""
    merged: list[str | Unknown] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Unknown.of_template(tuple(merged))


@partial("format")
def _format_call(spec: object, *args: object) -> object:
    if not wholly_known(spec):
        return unknown_call("format", (spec, *args))
    text = as_string(spec)
    if not all(map(wholly_known, args)):
        return format_template(text, args)
    return go_format(text, args)


@known("formatlist")
def _formatlist(spec: object, *args: object) -> list[object]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    return [
        go_format(as_string(spec), tuple(a[i] if isinstance(a, list) else a for a in args))
        for i in range(count)
    ]


@partial("join")
def _join(separator: object, *lists: object) -> object:
    if not lists:
        raise EvalError("at least one list is required")
    if not wholly_known(separator):
        return unknown_call("join", (separator, *lists))
    text = as_string(separator)
    items: list[object] = []
    for value in lists:
        if isinstance(value, Unknown):
            return unknown_call("join", (separator, *lists))
        if not isinstance(value, list):
            raise EvalError("list of string required")
        items.extend(value)
    parts: list[str | Unknown] = []
    for position, item in enumerate(items):
        if position:
            parts.append(text)
        if item is None:
            raise EvalError("cannot join null values")
        if isinstance(item, Unknown):
            parts.extend(item.parts if item.parts is not None else (item,))
        elif isinstance(item, list | dict):
            if wholly_known(item):
                raise EvalError("list of string required")
            return unknown_call("join", (separator, *lists))
        else:
            parts.append(as_string(item))
    if all(isinstance(p, str) for p in parts):
        return "".join(p for p in parts if isinstance(p, str))
    return template_of(parts)
