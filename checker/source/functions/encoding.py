"""Terraform's encoding functions: `base64encode`/`base64decode`, `jsonencode`/`jsondecode`."""

from __future__ import annotations

import base64
import json
import math
import re

from checker.plan.values import Unknown
from checker.source.functions.table import known, partial
from checker.source.functions.values import EvalError, as_string, normal, wholly_known


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
