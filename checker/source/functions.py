"""Terraform's built-in functions and operators as Terraform evaluates them, for the evaluator.

Three outcomes are kept apart, because `try()` and `can()` choose between them:

- a value (possibly holding `Unknown` parts: a function of values known only
  after apply keeps what is known, such as a list's length or a map's keys);
- `EvalError`: Terraform would refuse the expression (an index out of range, a
  missing attribute or key, a value of the wrong type, `one()` of two items):
  `try()` moves on to its next argument and `can()` is false;
- `Unknown`: known only after apply, or a case this module does not evaluate
  (a function it does not implement, an argument it cannot convert exactly):
  never an error, so `try()` never skips a value it merely cannot see.

Each function follows the behaviour `terraform console` (Terraform 1.11) shows;
`tests/test_static_functions.py` holds its answers as a table and asks the
console again when Terraform is on PATH. Conversions follow Terraform's: a
number or bool where a string is wanted becomes its text, `"true"`/`"false"`
and decimal strings convert to bool and number, null is refused unless the
function accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from checker.plan.values import UNKNOWN, Unknown

Function = Callable[..., object]


class EvalError(Exception):
    """An expression Terraform would refuse: distinct from a value known only after apply."""


class TfSet(list[object]):
    """A Terraform set (from `toset()`): ordered as Terraform orders it, each element its own key
    in a `for` expression or a `dynamic` block."""


# ----------------------------------------------------------------- unknowns


def refs_of(*values: object) -> tuple[str, ...]:
    """The references every `Unknown` inside the values names, in order, once each."""
    found: dict[str, None] = {}
    stack: list[object] = list(reversed(values))
    while stack:
        node = stack.pop()
        if isinstance(node, Unknown):
            found.update(dict.fromkeys(node.refs))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
    return tuple(found)


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


# ---------------------------------------------------------------- the table


FUNCTIONS: dict[str, Function] = {}


def known(name: str) -> Callable[[Function], Function]:
    """Register a function of wholly known arguments; with any unknown the result is unknown."""

    def register(function: Function) -> Function:
        @wraps(function)
        def call(*args: object) -> object:
            if not all(map(wholly_known, args)):
                return unknown_call(name, args)
            return function(*args)

        FUNCTIONS[name] = call
        return call

    return register


def partial(name: str) -> Callable[[Function], Function]:
    """Register a function that handles unknown arguments itself (keeping what is known)."""

    def register(function: Function) -> Function:
        FUNCTIONS[name] = function
        return function

    return register


def _strings(*names: str, function: Callable[[str], object]) -> None:
    """Register functions of one string (a list or map is refused even when part of it is
    unknown: Terraform knows its type)."""
    for name in names:

        def call(value: object, f: Callable[[str], object] = function, n: str = name) -> object:
            if isinstance(value, list | dict):
                raise EvalError("string required")
            if isinstance(value, Unknown):
                return unknown_call(n, (value,))
            return f(as_string(value))

        partial(name)(call)


# -- strings

_strings("lower", function=str.lower)
_strings("upper", function=str.upper)
_strings("trimspace", function=str.strip)
_strings("strrev", function=lambda s: s[::-1])
_strings("chomp", function=lambda s: re.sub(r"(?:\r?\n)+$", "", s))
_strings("sha1", function=lambda s: hashlib.sha1(s.encode()).hexdigest())
_strings("sha256", function=lambda s: hashlib.sha256(s.encode()).hexdigest())
_strings("sha512", function=lambda s: hashlib.sha512(s.encode()).hexdigest())
_strings("md5", function=lambda s: hashlib.md5(s.encode()).hexdigest())
_strings(
    "base64sha256",
    function=lambda s: base64.b64encode(hashlib.sha256(s.encode()).digest()).decode(),
)
_strings("basename", function=lambda s: s.rstrip("/").rsplit("/", 1)[-1] or "/")


@known("title")
def _title(value: object) -> str:
    """Go's `strings.Title`: a letter after a space or punctuation is upper-cased."""
    out: list[str] = []
    previous = " "
    for char in as_string(value):
        separator = not (previous.isalnum() or previous == "_")
        out.append(char.upper() if separator else char)
        previous = char
    return "".join(out)


@known("trim")
def _trim(value: object, cutset: object) -> str:
    return as_string(value).strip(as_string(cutset))


@known("trimprefix")
def _trimprefix(value: object, prefix: object) -> str:
    return as_string(value).removeprefix(as_string(prefix))


@known("trimsuffix")
def _trimsuffix(value: object, suffix: object) -> str:
    return as_string(value).removesuffix(as_string(suffix))


@known("startswith")
def _startswith(value: object, prefix: object) -> bool:
    return as_string(value).startswith(as_string(prefix))


@known("endswith")
def _endswith(value: object, suffix: object) -> bool:
    return as_string(value).endswith(as_string(suffix))


@known("split")
def _split(separator: object, value: object) -> list[object]:
    return list(as_string(value).split(as_string(separator)))


@known("substr")
def _substr(value: object, offset: object, length: object) -> str:
    text, start, size = as_string(value), as_int(offset), as_int(length)
    if start < 0:
        start = max(len(text) + start, 0)
    if start >= len(text):
        return ""
    return text[start:] if size < 0 else text[start : start + size]


@known("indent")
def _indent(spaces: object, value: object) -> str:
    return as_string(value).replace("\n", "\n" + " " * as_int(spaces))


@known("base64decode")
def _base64decode(value: object) -> str:
    try:
        return base64.b64decode(as_string(value), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise EvalError("failed to decode base64 data") from error


@known("jsondecode")
def _jsondecode(value: object) -> object:
    if not isinstance(value, str):
        raise EvalError("string required")

    def refuse(constant: str) -> object:
        raise EvalError(f"invalid JSON: {constant}")

    try:
        return _normal_json(json.loads(value, parse_constant=refuse))
    except (ValueError, RecursionError) as error:
        raise EvalError("invalid JSON") from error


def _normal_json(value: object) -> object:
    if isinstance(value, float):
        return normal(value)
    if isinstance(value, list):
        return [_normal_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal_json(item) for key, item in value.items()}
    return value


HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
HTML_ESCAPES["\u2029"] = "\\u2029"
HTML = re.compile("[<>&\u2028\u2029]")


def json_encode(value: object) -> str:
    """`jsonencode()` of a known value, byte for byte as Terraform writes it (keys sorted,
    no spaces, `<`, `>` and `&` escaped as Go's encoder does, other text as UTF-8)."""
    text = json.dumps(_json_ready(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return HTML.sub(lambda match: HTML_ESCAPES[match.group(0)], text)


def _json_ready(value: object) -> object:
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            raise EvalError("cannot serialize infinity as JSON")
        return normal(value)
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    return value


@partial("jsonencode")
def _jsonencode(value: object) -> object:
    if not wholly_known(value):
        return Unknown.of_json(value)  # type: ignore[arg-type]  # evaluator values are Values
    return json_encode(value)


@partial("base64encode")
def _base64encode(value: object) -> object:
    if not wholly_known(value):
        return Unknown.of_base64(value)  # type: ignore[arg-type]
    return base64.b64encode(as_string(value).encode()).decode()


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
def _toset(value: object) -> object:
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


# -- collections


@partial("length")
def _length(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("length", (value,))
    if isinstance(value, str | list | dict):
        return len(value)  # a collection's size is known when some of its values are not
    if value is None:
        raise EvalError("argument must not be null")
    raise EvalError("argument must be a string, a collection or a structural type")


@partial("keys")
def _keys(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("keys", (value,))
    return sorted(_mapping(value))


@partial("values")
def _values(value: object) -> object:
    if isinstance(value, Unknown):
        return unknown_call("values", (value,))
    mapping = _mapping(value)
    return [mapping[key] for key in sorted(mapping)]


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise EvalError("must have map or object type")
    return value


@partial("lookup")
def _lookup(mapping: object, key: object, *default: object) -> object:
    if len(default) > 1:
        raise EvalError("lookup() takes two or three arguments")
    if isinstance(mapping, Unknown) or not wholly_known(key):
        return unknown_call("lookup", (mapping, key))
    name, table = as_string(key), as_map(mapping)
    if name in table:
        return table[name]
    if default:
        return default[0]
    raise EvalError(f"the given object has no attribute {name!r}")


@partial("element")
def _element(values: object, position: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(position):
        return unknown_call("element", (values, position))
    items = as_list(values)
    if not items:
        raise EvalError("cannot use element function with an empty list")
    number = as_int(position)
    if number < 0:
        raise EvalError("a negative index is not valid")
    return items[number % len(items)]  # Terraform wraps around


@partial("index")
def _index(values: object, wanted: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(wanted):
        return unknown_call("index", (values, wanted))
    for position, item in enumerate(as_list(values)):
        if not wholly_known(item):
            return unknown_call("index", (values, wanted))
        if equal(item, wanted):
            return position
    raise EvalError("item not found")


@partial("contains")
def _contains(values: object, wanted: object) -> object:
    if isinstance(values, Unknown) or not wholly_known(wanted):
        return unknown_call("contains", (values, wanted))
    items = as_list(values)
    if any(wholly_known(item) and equal(item, wanted) for item in items):
        return True
    if not all(map(wholly_known, items)):
        return unknown_call("contains", (values, wanted))
    return False


@partial("one")
def _one(values: object) -> object:
    if isinstance(values, Unknown):
        return unknown_call("one", (values,))
    items = as_list(values)
    if len(items) > 1:
        raise EvalError("must be a list, set or tuple with zero or one elements")
    return items[0] if items else None


@partial("coalesce")
def _coalesce(*values: object) -> object:
    """The first argument neither null nor "": an unknown one before it makes the result
    that unknown value (its reference kept: the value it will be unless it is empty)."""
    if not values:
        raise EvalError("all arguments must have the same type")
    converted = unified(list(values))
    for value in converted:
        if not wholly_known(value):
            return value
        if value is None or value == "":
            continue
        return value
    raise EvalError("no non-null, non-empty-string arguments")


@partial("coalescelist")
def _coalescelist(*values: object) -> object:
    if not values:
        raise EvalError("at least one argument is required")
    for value in values:
        if isinstance(value, Unknown):
            return value
        if value is None:
            continue
        if as_list(value):
            return value
    raise EvalError("no non-null arguments")


@partial("compact")
def _compact(values: object) -> object:
    """Without null and "" elements. An unknown element is kept in place (Terraform makes the
    whole list unknown; it drops out only if it turns out empty, as a policy document's
    JSON never does), so a `source_policy_documents = compact([...])` keeps its parts."""
    if isinstance(values, Unknown):
        return unknown_call("compact", (values,))
    out: list[object] = []
    for item in as_list(values):
        if item is None or item == "":
            continue
        out.append(item if isinstance(item, Unknown) else as_string(item))
    return out


@partial("concat")
def _concat(*lists: object) -> object:
    if not lists:
        raise EvalError("at least one argument is required")
    out: list[object] = []
    for value in lists:
        if isinstance(value, Unknown):
            return unknown_call("concat", lists)
        if not isinstance(value, list):
            if value is None:
                raise EvalError("argument must not be null")
            raise EvalError("all arguments must be lists or tuples")
        out.extend(value)
    return out


@partial("flatten")
def _flatten(values: object) -> object:
    """Nested lists made one; an unknown element is kept as one element."""
    if isinstance(values, Unknown):
        return unknown_call("flatten", (values,))
    if not isinstance(values, list):
        raise EvalError("can only flatten lists, sets and tuples")
    out: list[object] = []
    for item in values:
        if isinstance(item, list):
            flat = _flatten(item)
            if not isinstance(flat, list):
                return flat
            out.extend(flat)
        else:
            out.append(item)
    return out


@partial("merge")
def _merge(*maps: object) -> object:
    out: dict[str, object] = {}
    for value in maps:
        if isinstance(value, Unknown):
            return unknown_call("merge", maps)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise EvalError("arguments must be maps or objects")
        out.update(value)
    return out


@known("distinct")
def _distinct(values: object) -> object:
    seen: dict[str, object] = {}
    for item in unified(as_list(values)):
        seen.setdefault(json_encode(item), item)
    return list(seen.values())


@known("reverse")
def _reverse(values: object) -> object:
    return list(reversed(as_list(values)))


@known("sort")
def _sort(values: object) -> object:
    return sorted(as_string(v) for v in as_list(values))


@known("slice")
def _slice(values: object, start: object, end: object) -> object:
    items, first, last = as_list(values), as_int(start), as_int(end)
    if first < 0 or last > len(items) or first > last or first > len(items):
        raise EvalError("slice indexes out of range")
    return items[first:last]


@known("chunklist")
def _chunklist(values: object, size: object) -> object:
    items, step = as_list(values), as_int(size)
    if step < 0:
        raise EvalError("the size argument must be positive")
    if step == 0:
        return [items]
    return [items[i : i + step] for i in range(0, len(items), step)]


@known("zipmap")
def _zipmap(keys: object, values: object) -> object:
    names, items = as_list(keys), as_list(values)
    if len(names) != len(items):
        raise EvalError("the number of keys does not match the number of values")
    return {as_string(k): v for k, v in zip(names, items, strict=True)}


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
                return _toset(items) if all(map(wholly_known, items)) else TfSet(items)
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


__all__ = [
    "FUNCTIONS",
    "EvalError",
    "TfSet",
    "as_bool",
    "condition",
    "convert",
    "equal",
    "extend_reference",
    "index",
    "interpolation_text",
    "json_encode",
    "operate",
    "refs_of",
    "unified",
    "unknown_call",
    "unknown_from",
    "wholly_known",
]
