"""HCL values as python-hcl2's shape holds them, read into literals and a small syntax
tree: `Ref` (a reference), `Template` (a string with unknown parts) and `Opaque` (an
expression not computed here). What `bind_source` compares and the evaluator starts from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])+$")
REFERENCE_IN_TEXT = re.compile(
    r"(?<![\w.\"])(?:data\.)?[a-z][a-z0-9_-]*\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*"
)
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Ref:
    """A reference whose value is unknown until apply."""

    traversal: str


@dataclass(frozen=True)
class Template:
    """A string template with unknown parts."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Opaque:
    """An expression the evaluator does not compute (a function call, a for expression)."""

    text: str
    refs: tuple[str, ...]


# ----------------------------------------------------------------- parsing


@lru_cache(maxsize=4096)
def split_template(body: str, escapes: bool = True) -> tuple[tuple[str, str], ...]:
    """Split a template body into ('text', s), ('expr', s) and ('directive', s) pieces.

    `escapes`: backslash escapes apply (a quoted string); a `templatefile` file
    has none, its backslashes are text. Cached: a module called N times is read N
    times, with the same strings.
    """
    pieces: list[tuple[str, str]] = []
    text: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("$${", i):
            text.append("${")
            i += 3
            continue
        if body.startswith("${", i) or body.startswith("%{", i):
            depth = 1
            j = i + 2
            quote = ""  # the quote that opened a string inside the interpolation
            while j < len(body) and depth:
                char = body[j]
                # python-hcl2 writes heredocs as quoted strings with every quote escaped,
                # so `${a[\"k\"]}` opens and closes with the escaped quote
                escaped_quote = body.startswith('\\"', j)
                if quote:
                    if escaped_quote and quote == '\\"':
                        quote = ""
                        j += 1
                    elif char == "\\":
                        j += 1
                    elif char == '"' and quote == '"':
                        quote = ""
                elif escaped_quote:
                    quote = '\\"'
                    j += 1
                elif char == '"':
                    quote = '"'
                elif char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                j += 1
            if text:
                pieces.append(("text", "".join(text)))
                text = []
            kind = "expr" if body.startswith("${", i) else "directive"
            piece = body[i + 2 : j - 1]
            if escapes and '\\"' in piece and '"' not in piece.replace('\\"', ""):
                piece = piece.replace('\\"', '"')
            pieces.append((kind, piece))
            i = j
            continue
        if escapes and body[i] == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            text.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
            continue
        text.append(body[i])
        i += 1
    if text:
        pieces.append(("text", "".join(text)))
    return tuple(pieces)


def parse_raw(raw: Any) -> Any:
    """python-hcl2 output -> literals, Ref, Template, Opaque (not yet resolved)."""
    if isinstance(raw, list):
        return [parse_raw(item) for item in raw]
    if isinstance(raw, dict):
        return {key: parse_raw(value) for key, value in raw.items()}
    if not isinstance(raw, str):
        return raw
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return _template(raw[1:-1])
    if raw.startswith("${") and raw.endswith("}"):
        return parse_expression(raw[2:-1])
    return raw


def _template(body: str) -> Any:
    parts: list[Any] = []
    for kind, piece in split_template(body):
        if kind == "text":
            parts.append(piece)
        elif kind == "expr":
            parts.append(parse_expression(piece))
        else:
            parts.append(Opaque("%{" + piece + "}", tuple(REFERENCE_IN_TEXT.findall(piece))))
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    return Template(tuple(parts))


def parse_expression(text: str) -> Any:
    expr = text.strip()
    if TRAVERSAL.match(expr):
        return Ref(expr)
    if expr in ("true", "false"):
        return expr == "true"
    if expr == "null":
        return None
    if NUMBER.match(expr):
        return float(expr) if "." in expr else int(expr)
    if (
        len(expr) >= 2
        and expr[0] == '"'
        and expr[-1] == '"'
        and '"' not in expr[1:-1].replace('\\"', "")
    ):
        return _template(expr[1:-1])
    return Opaque(expr, tuple(dict.fromkeys(REFERENCE_IN_TEXT.findall(strip_strings(expr)))))


def strip_strings(expr: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def is_literal(value: Any) -> bool:
    if isinstance(value, Ref | Template | Opaque):
        return False
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(is_literal(v) for v in value.values())
    return True
