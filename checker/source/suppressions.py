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

In a `.tf.json` file (JSON has no comments) the same text is the value of a
`"//"` property of the block's body, which Terraform ignores as a comment:
`"//": "checker:ignore TAP011 reason=... expires=2027-01-31"` (`json_suppressions`).

Only real comments count: `checker.source.comments` reads the file as
Terraform's scanner does, so `# checker:ignore` inside a quoted string or a
heredoc (a user_data script, a policy) is text, neither a suppression nor an
error. The comment must start with the marker; `/* */` comments do not count.
Which block a comment belongs to comes from the file's top-level items, not from
line shapes: the block it sits in, or else the next item when that is a block
(only comments and blank lines between).

Two readers see a file here: Terraform's syntax (that lexer) and tree-sitter
(`checker.source.hcl_syntax`), the parser whose blocks the checker evaluates.
Should they differ at an edge, a pull request could use it to make a comment
that one of them reads as string content land above another block. So a
suppression counts only when the parser's top-level blocks place its comment in
the same block; otherwise the file is refused (exit 2). That second parse runs
only for a file with a suppression attached to a block.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from checker.errors import InputError
from checker.source.comments import Item, scan

MARKER = re.compile(r"\s*(?:#|//)\s*checker:ignore\b(?P<rest>.*)$")
RULES = re.compile(r"\s*(?P<rules>[A-Z][A-Z0-9_]*[0-9]{3}(?:\s*,\s*[A-Z][A-Z0-9_]*[0-9]{3})*)")
KEY = re.compile(r"(?:^|\s)(reason|expires|owner)=")
BLOCK_KINDS = ("resource", "data")
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
    """The suppression a comment holds (`text` starts with it), None when it holds none."""
    marker = MARKER.match(text)
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


def _attach(lines: list[int], items: tuple[Item, ...]) -> dict[int, int]:
    """Comment line -> the line of the resource or data block it belongs to.

    A comment belongs to the top-level item whose lines it is on, else to the
    next item; only blocks of `BLOCK_KINDS` take suppressions. `lines` ascend.
    """
    out: dict[int, int] = {}
    index = 0
    for line in lines:
        while index < len(items) and items[index].end_line < line:
            index += 1
        if index < len(items) and items[index].keyword in BLOCK_KINDS:
            out[line] = items[index].line
    return out


def _parser_items(text: str, file: str) -> tuple[Item, ...]:
    """The top-level blocks and attributes as tree-sitter (the checker's parser) sees them."""
    from checker.source.hcl_syntax import top_level_items

    items = top_level_items(text)
    if items is None:
        raise InputError(f"{file}: checker:ignore comments cannot be placed: HCL does not parse")
    return tuple(Item(line=i.line, end_line=i.end_line, keyword=i.keyword) for i in items)


@lru_cache(maxsize=256)
def _by_block(text: str, file: str) -> dict[int, tuple[Suppression, ...]]:
    if "checker:ignore" not in text:
        return {}
    source = scan(text)
    found: list[Suppression] = []
    for comment in source.comments:
        if comment.kind == "/*" or "checker:ignore" not in comment.text:
            continue
        suppression = parse_comment(comment.text, file, comment.line)
        if suppression is not None:
            found.append(suppression)
            if len(found) > MAX_SUPPRESSIONS:
                raise InputError(f"{file}: more than {MAX_SUPPRESSIONS} checker:ignore comments")
    lines = [s.line for s in found]
    ours = _attach(lines, source.items)
    if not ours:
        return {}
    theirs = _attach(lines, _parser_items(text, file))
    for line, block in ours.items():
        if theirs.get(line) != block:
            raise InputError(
                f"{file}:{line}: checker:ignore is refused: Terraform's syntax and the "
                "checker's HCL parser place it in different blocks (a string or heredoc "
                "above it reads differently to each)"
            )
    out: dict[int, list[Suppression]] = {}
    for suppression in found:
        if suppression.line in ours:
            out.setdefault(ours[suppression.line], []).append(suppression)
    return {line: tuple(items) for line, items in out.items()}


JSON_MARKER = re.compile(r"\s*checker:ignore\b")


def json_suppressions(
    comments: Iterable[tuple[int, str]], file: Path | str
) -> tuple[Suppression, ...]:
    """The suppressions of a block in Terraform's JSON syntax: its `"//"` properties.

    JSON has no comments; Terraform ignores a property named `"//"` in an object that is a
    block body, so that is where a `.tf.json` block carries one (a string, or an array of
    strings), e.g. `"//": "checker:ignore TAP011 reason=... expires=2027-01-31"`. Only a
    value that starts with `checker:ignore` is one; `comments` are (line, value) of the
    `"//"` properties of the block's body and of its nested blocks' bodies, which
    `checker.source.json_syntax` reads structurally, so no second reader is consulted.
    """
    found: list[Suppression] = []
    for line, text in comments:
        if JSON_MARKER.match(text) is None:
            continue
        suppression = parse_comment("// " + text.lstrip(), str(file), line)
        if suppression is not None:
            found.append(suppression)
        if len(found) > MAX_SUPPRESSIONS:
            raise InputError(f"{file}: more than {MAX_SUPPRESSIONS} checker:ignore comments")
    return tuple(found)


def block_suppressions(text: str, file: Path | str) -> dict[int, tuple[Suppression, ...]]:
    """The suppressions of a file's text, by the line each block opens on."""
    return _by_block(text, str(file))
