"""Terraform's string functions (`lower`, `trim`, `split`, `substr`, hashes, ...)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from checker.plan.values import Unknown
from checker.source.functions.table import known, partial
from checker.source.functions.values import EvalError, as_int, as_string, unknown_call


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
