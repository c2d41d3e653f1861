"""Inline suppressions: a comment in the `.tf` file that waives one block's findings of a rule.

    # checker:ignore TAP011 reason="logs are kept until the audit ends" expires=2027-01-31
    resource "aws_s3_bucket" "logs" {
      ...
    }

The comment sits directly above the block (blank lines and other comments may
come between) or inside it; `//` comments work too. Several rules are
separated by commas. `reason` and `expires` are required, `owner` is optional;
a value with spaces is quoted or runs up to the next `key=`. Like a waiver
file, an expired suppression no longer waives and is reported, and one that
matches no finding is reported. A malformed suppression is an input error
naming its file and line: the comment comes from the pull request like the code.

Blocks are told apart the way `terraform fmt` writes them: a top-level block
opens with its keyword at the start of a line and closes with `}` there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from checker.errors import InputError

MARKER = re.compile(r"(?:#|//)\s*checker:ignore\b(?P<rest>.*)$")
RULES = re.compile(r"\s*(?P<rules>[A-Z][A-Z0-9_]*[0-9]{3}(?:\s*,\s*[A-Z][A-Z0-9_]*[0-9]{3})*)")
KEY = re.compile(r"(?:^|\s)(reason|expires|owner)=")
TOP_BLOCK = re.compile(r"^(resource|data)\s")
KEYS = ("reason", "expires", "owner")
MAX_SUPPRESSIONS = 10_000


@dataclass(frozen=True)
class Suppression:
    rules: tuple[str, ...]
    reason: str
    expires: dt.date
    owner: str
    file: str
    line: int  # the comment's line

    def describe(self) -> str:
        return f"{','.join(self.rules)} at {self.file}:{self.line} (expires {self.expires.isoformat()})"

    def waiver_text(self) -> str:
        who = f" by {self.owner}" if self.owner else ""
        return (
            f"waived inline{who} at {self.file}:{self.line} until "
            f"{self.expires.isoformat()}: {self.reason}"
        )


def _values(rest: str, where: str) -> dict[str, str]:
    starts = list(KEY.finditer(rest))
    if not starts or rest[: starts[0].start()].strip():
        raise InputError(
            f"{where}: checker:ignore needs reason=... expires=YYYY-MM-DD after the rules"
        )
    values: dict[str, str] = {}
    for index, found in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(rest)
        value = rest[found.end() : end].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if found[1] in values:
            raise InputError(f"{where}: checker:ignore gives {found[1]} twice")
        values[found[1]] = value
    return values


def parse_comment(text: str, file: str, line: int) -> Suppression | None:
    """The suppression a source line holds, None when it holds none."""
    marker = MARKER.search(text)
    if marker is None:
        return None
    where = f"{file}:{line}"
    rest = marker["rest"]
    rules = RULES.match(rest)
    if rules is None:
        raise InputError(
            f"{where}: checker:ignore must name rule IDs (e.g. TAP011 or TAP010,TAP011)"
        )
    values = _values(rest[rules.end() :], where)
    missing = [key for key in ("reason", "expires") if not values.get(key)]
    if missing:
        raise InputError(f"{where}: checker:ignore lacks {' and '.join(missing)}")
    try:
        expires = dt.date.fromisoformat(values["expires"])
    except ValueError:
        raise InputError(f"{where}: checker:ignore expires must be a date (YYYY-MM-DD)") from None
    return Suppression(
        rules=tuple(r.strip() for r in rules["rules"].split(",")),
        reason=values["reason"][:300],
        expires=expires,
        owner=values.get("owner", "")[:100],
        file=file,
        line=line,
    )


@lru_cache(maxsize=256)
def _by_block(text: str, file: str) -> dict[int, tuple[Suppression, ...]]:
    out: dict[int, list[Suppression]] = {}
    pending: list[Suppression] = []
    block: int | None = None
    count = 0
    for number, line in enumerate(text.splitlines(), 1):
        if TOP_BLOCK.match(line):
            block = number
            out.setdefault(block, []).extend(pending)
            pending = []
        found = parse_comment(line, file, number) if "checker:ignore" in line else None
        if found is not None:
            count += 1
            if count > MAX_SUPPRESSIONS:
                raise InputError(f"{file}: more than {MAX_SUPPRESSIONS} checker:ignore comments")
            (out.setdefault(block, []) if block is not None else pending).append(found)
        elif block is None and line.strip() and not line.lstrip().startswith(("#", "//")):
            pending = []  # a suppression is for the block right below it
        if line.startswith("}"):
            block = None
    return {line: tuple(found) for line, found in out.items() if found}


def block_suppressions(text: str, file: Path | str) -> dict[int, tuple[Suppression, ...]]:
    """The suppressions of a file's text, by the line each block opens on."""
    return _by_block(text, str(file))
