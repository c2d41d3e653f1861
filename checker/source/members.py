"""Where the members of a block are written: attribute lines, nested blocks, policy statements
(what a finding points at when the wrong thing is inside a resource)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.source.raw import strip_strings

HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)\s*$")
ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=(?!=)")


NESTED = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(?:\"[^\"]*\"\s*)?\{")
EFFECT = re.compile(r"""(?:^|[\s{,])["']?Effect["']?\s*[:=]""")


@dataclass(frozen=True)
class MemberLines:
    """Where the members of one block are written: its top-level attributes (first line of
    each), its nested blocks (every opening line, per name) and each policy statement's
    `Effect` key (in a `jsonencode` object or a heredoc's JSON, in order)."""

    attributes: dict[str, int]
    blocks: dict[str, list[int]]
    effects: list[int]


def member_lines(text: str, start: int) -> MemberLines:
    """The members of the block opening on line `start`.

    Braces are counted outside strings and heredocs (whose JSON bodies have braces
    of their own); the scan ends where the block closes.
    """
    lines = text.splitlines()
    attributes: dict[str, int] = {}
    blocks: dict[str, list[int]] = {}
    effects: list[int] = []
    depth, heredoc = 0, ""
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if heredoc:
            if EFFECT.search(line):
                effects.append(number)
            heredoc = "" if line.strip() == heredoc else heredoc
            continue
        bare = strip_strings(line).split("#")[0].split("//")[0]
        if EFFECT.search(line.split("#")[0]):
            effects.append(number)
        if depth == 1 and (match := ATTRIBUTE.match(bare)):
            attributes.setdefault(match.group(1), number)
        elif depth == 1 and (nested := NESTED.match(line)):
            blocks.setdefault(nested.group(1), []).append(number)
        depth += bare.count("{") - bare.count("}")
        if (opened := HEREDOC.search(bare)) is not None:
            heredoc = opened.group(1)
        if depth <= 0 and number > start:
            break
    return MemberLines(attributes, blocks, effects)
