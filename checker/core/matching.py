"""Matching policy values as AWS does: `*`/`?` globs, ARNs by segment, each condition
operator's comparison (string, numeric, date, bool, binary, IP address, ARN), and strings
still holding a Terraform template (`${...}`), which match undecidedly.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from checker.core.iam import (
    Hidden,
    Tri,
    all_true,
)

# ------------------------------------------------------------------ matching values


def templated(value: str) -> bool:
    """A string still holding a Terraform template or an IAM policy variable."""
    return "${" in value


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run, `?` one character; nothing else is special."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


HOLE = "${?}"


def visible(value: object) -> object:
    """A hidden value as the template the plan shows of it (`Hidden.template`)."""
    return value.template() if isinstance(value, Hidden) else value


def _same_template(pattern: str, value: str) -> bool:
    """Equal templates whose every hidden piece a reference names are the same value."""
    return pattern == value and HOLE not in pattern


def glob_match(pattern: object, value: object, *, ignore_case: bool = False) -> Tri:
    """IAM wildcard match; None when the hidden pieces of either side could decide it."""
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    if pattern == "*" or _same_template(pattern, value):
        return True
    if templated(pattern) or templated(value):
        same = _same_pieces(pattern, value)
        if same is not None:
            return bool(_glob(same[0], ignore_case).match(same[1]))
        return _templated_match(pattern, value, ignore_case)
    return bool(_glob(pattern, ignore_case).match(value))


TEMPLATE = re.compile(r"\$\{[^}]*\}")


def _same_pieces(pattern: str, value: str) -> tuple[str, str] | None:
    """Both sides hide the same named pieces in the same order (`b-${acct}/*` against
    `b-${acct}/key`): each is one value, so the match is decided with it as a token."""
    pieces = TEMPLATE.findall(pattern)
    if not pieces or pieces != TEMPLATE.findall(value) or HOLE in pieces:
        return None
    tokens = {piece: f"\x00{i}\x00" for i, piece in enumerate(dict.fromkeys(pieces))}
    return (
        TEMPLATE.sub(lambda m: tokens[m.group(0)], pattern),
        TEMPLATE.sub(lambda m: tokens[m.group(0)], value),
    )


def _templated_match(pattern: str, value: str, ignore_case: bool) -> Tri:
    """Decide what the visible parts decide: a template stands for any text.

    `arn:aws:logs:us-west-2:${account}:*` never matches `arn:aws:logs:us-east-1:...`
    whatever the account is; when the visible parts agree it stays undecided.
    """
    loose = TEMPLATE.sub("*", pattern)
    pieces = TEMPLATE.split(value)
    if len(pieces) == 1:
        return None if _glob(loose, ignore_case).match(value) else False
    return None if _could_overlap(loose, pieces[0], pieces[-1], ignore_case) else False


def _could_overlap(pattern: str, prefix: str, suffix: str, ignore_case: bool) -> bool:
    """Could a value starting with `prefix` and ending with `suffix` match the pattern?

    Decided on the literal text each side fixes at both ends, which is what ARNs and
    service names differ by in practice; anything subtler stays possible.
    """
    literal = re.split(r"[*?]", pattern)
    p_prefix = literal[0]
    p_suffix = literal[-1] if len(literal) > 1 else ""
    if ignore_case:
        p_prefix, p_suffix, prefix, suffix = (
            x.lower() for x in (p_prefix, p_suffix, prefix, suffix)
        )
    n = min(len(p_prefix), len(prefix))
    if p_prefix[:n] != prefix[:n]:
        return False
    m = min(len(p_suffix), len(suffix))
    return m == 0 or p_suffix[-m:] == suffix[-m:]


def arn_match(pattern: object, value: object) -> Tri:
    """ArnEquals/ArnLike: each of the six colon-separated parts matched apart, case-sensitive."""
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str) or not isinstance(value, str):
        return False
    if pattern == "*":
        return True
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return glob_match(pattern, value)
    return all_true([glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True)])


def _number(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _date(value: object) -> datetime | None:
    text = str(value)
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered(parse: Callable[[object], object], test: Callable[[int], bool]) -> Matcher:
    def compare(pattern: object, value: object) -> Tri:
        if isinstance(pattern, Hidden) or isinstance(value, Hidden):
            return None
        left, right = parse(value), parse(pattern)
        if left is None or right is None:
            return None if _is_templated(pattern) or _is_templated(value) else False
        sign = (left > right) - (left < right)  # type: ignore[operator]
        return test(sign)

    return compare


def _is_templated(value: object) -> bool:
    return isinstance(value, str) and templated(value)


def _bool(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    return str(pattern).lower() == str(value).lower()


def _binary(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    try:
        return base64.b64decode(str(pattern)) == base64.b64decode(str(value))
    except ValueError:
        return False


def _ip(pattern: object, value: object) -> Tri:
    if isinstance(pattern, Hidden) or isinstance(value, Hidden):
        return None
    try:
        return ipaddress.ip_address(str(value)) in ipaddress.ip_network(str(pattern), strict=False)
    except ValueError:
        return None if _is_templated(pattern) or _is_templated(value) else False


Matcher = Callable[[object, object], Tri]


def _string_equals(pattern: object, value: object) -> Tri:
    pattern, value = visible(pattern), visible(value)
    if not isinstance(pattern, str | bool | int | float) or not isinstance(value, str):
        return False
    pattern = _as_text(pattern)
    if _same_template(pattern, value):
        return True
    if templated(pattern) or templated(value):
        return _templated_match(pattern, value, False)  # never True: a template hides text
    return pattern == value


def _string_equals_ic(pattern: object, value: object) -> Tri:
    if isinstance(pattern, str) and isinstance(value, str) and not templated(pattern + value):
        return pattern.lower() == value.lower()
    return _string_equals(pattern, value)


def _as_text(value: str | bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# operator family (lower case, without IfExists / set qualifiers) -> (matcher, negated)
OPERATORS: dict[str, tuple[Matcher, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ic, False),
    "stringnotequalsignorecase": (_string_equals_ic, True),
    "stringlike": (glob_match, False),
    "stringnotlike": (glob_match, True),
    "numericequals": (_ordered(_number, lambda s: s == 0), False),
    "numericnotequals": (_ordered(_number, lambda s: s == 0), True),
    "numericlessthan": (_ordered(_number, lambda s: s < 0), False),
    "numericlessthanequals": (_ordered(_number, lambda s: s <= 0), False),
    "numericgreaterthan": (_ordered(_number, lambda s: s > 0), False),
    "numericgreaterthanequals": (_ordered(_number, lambda s: s >= 0), False),
    "dateequals": (_ordered(_date, lambda s: s == 0), False),
    "datenotequals": (_ordered(_date, lambda s: s == 0), True),
    "datelessthan": (_ordered(_date, lambda s: s < 0), False),
    "datelessthanequals": (_ordered(_date, lambda s: s <= 0), False),
    "dategreaterthan": (_ordered(_date, lambda s: s > 0), False),
    "dategreaterthanequals": (_ordered(_date, lambda s: s >= 0), False),
    "bool": (_bool, False),
    "binaryequals": (_binary, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (arn_match, False),
    "arnlike": (arn_match, False),
    "arnnotequals": (arn_match, True),
    "arnnotlike": (arn_match, True),
}


@dataclass(frozen=True)
class Operator:
    family: str
    qualifier: str  # "", "forallvalues", "foranyvalue"
    if_exists: bool

    @classmethod
    def parse(cls, text: str) -> Operator:
        lowered = text.lower()
        qualifier = ""
        for prefix in ("forallvalues:", "foranyvalue:"):
            if lowered.startswith(prefix):
                qualifier, lowered = prefix[:-1], lowered[len(prefix) :]
        if_exists = lowered.endswith("ifexists") and lowered != "ifexists"
        return cls(lowered.removesuffix("ifexists"), qualifier, if_exists)
