"""`replace()` itself: the pattern compiled within the bounds, and the replacement loop as
Go's `replaceAll` runs it, expanding the template as `regexp.Expand` does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from checker.source.regex.bounds import pattern_paths, pattern_size, too_wild
from checker.source.regex.limits import MATCH_COST, MAX_PATTERN, Refused, RegexBudget, Reject
from checker.source.regex.pattern import python_pattern
from checker.source.regex.syntax import Parser

# ------------------------------------------------------------------ replacement


Piece = tuple[str, str | int]  # ("text", s), ("number", n) or ("name", s)


def _template(template: str) -> list[Piece]:
    """The replacement as Go's `Regexp.Expand` reads it."""
    pieces: list[Piece] = []
    rest = template
    while rest:
        before, dollar, after = rest.partition("$")
        if not dollar:
            break
        pieces.append(("text", before))
        rest = after
        if rest.startswith("$"):  # $$ is a literal $
            pieces.append(("text", "$"))
            rest = rest[1:]
            continue
        extracted = _extract(rest)
        if extracted is None:  # malformed: the $ is text
            pieces.append(("text", "$"))
            continue
        name, number, rest = extracted
        pieces.append(("number", number) if number >= 0 else ("name", name))
    pieces.append(("text", rest))
    return [piece for piece in pieces if piece != ("text", "")]


def _extract(text: str) -> tuple[str, int, str] | None:
    """Go's `extract`: a leading `name` or `{name}` (letters, digits, `_`; Unicode ones
    too, as Go's `unicode.IsLetter`/`IsDigit`), the group number it means or -1."""
    brace = text.startswith("{")
    body = text[1:] if brace else text
    end = 0
    while end < len(body) and (body[end].isalpha() or body[end].isdecimal() or body[end] == "_"):
        end += 1
    if end == 0:
        return None
    name = body[:end]
    if brace:
        if end >= len(body) or body[end] != "}":
            return None
        end += 1
    number = 0
    for char in name:
        if not "0" <= char <= "9" or number >= 100_000_000:
            number = -1
            break
        number = number * 10 + int(char)
    if name[0] == "0" and len(name) > 1:
        number = -1
    return name, number, body[end:]


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    names: dict[str, list[int]]  # group name -> group numbers, in order


def _expand(compiled: _Compiled, pieces: list[Piece], match: re.Match[str]) -> str:
    out: list[str] = []
    for kind, value in pieces:
        if kind == "text":
            out.append(str(value))
        elif kind == "number":
            number = int(value)
            if number <= compiled.pattern.groups and match.start(number) >= 0:
                out.append(match.group(number))
        else:
            for number in compiled.names.get(str(value), []):
                if match.start(number) >= 0:  # the first group of that name that matched
                    out.append(match.group(number))
                    break
    return "".join(out)


def _replace_all(
    compiled: _Compiled, text: str, replacement: str, limit: int, matches: int
) -> tuple[str | Refused, int]:
    """Go's `Regexp.replaceAll` over Python matches, and how many matches it took.

    Refused when the result would exceed `limit` characters or more than `matches`
    matches would be needed.
    """
    pieces = _template(replacement)
    out: list[str] = []
    size = 0
    last_end = 0
    position = 0
    found = 0
    while position <= len(text):
        match = compiled.pattern.search(text, position)
        if match is None:
            break
        found += 1
        if found > matches:
            return Refused("it matches too often to be evaluated here"), found
        start, end = match.span()
        out.append(text[last_end:start])
        size += start - last_end
        if end > last_end or start == 0:  # not an empty match right after a match
            expanded = _expand(compiled, pieces, match)
            out.append(expanded)
            size += len(expanded)
        if size > limit:
            return Refused(f"its result would be longer than {limit} characters"), found
        last_end = end
        width = 1 if position < len(text) else 0  # one rune, none at the end
        if position + width > end:
            position += width
        elif position + 1 > end:
            position += 1
        else:
            position = end
    out.append(text[last_end:])
    result = "".join(out)
    if len(result) > limit:
        return Refused(f"its result would be longer than {limit} characters"), found
    return result, found


# ------------------------------------------------------------------ the function


def compile_re2(pattern: str, text: str, budget: RegexBudget) -> tuple[_Compiled, int] | Refused:
    """The RE2 pattern as Python `re` for matching `text`, and the backtracking work
    charged, when that stays within the bounds."""
    if len(pattern) > MAX_PATTERN:
        return Refused(f"a pattern longer than {MAX_PATTERN} characters")
    parser = Parser(pattern)
    try:
        tree = parser.parse()
        reason = too_wild(tree)
        work = (len(text) + 1) * pattern_paths(tree, len(text)) * pattern_size(tree)
    except Reject as rejected:
        return rejected.refused
    except RecursionError:
        return Refused("a pattern nested too deeply")
    if parser.folds and not text.isascii():
        return Refused("case-insensitive matching of non-ASCII text is not translated")
    if reason is not None:
        return Refused(f"{reason}: Python's backtracking could take exponential time")
    if work + MATCH_COST > budget.allowance():
        return Refused("matching it could take too long (repetitions on a long text)")
    names: dict[str, list[int]] = {}
    for number, name in enumerate(parser.names):
        if name:
            names.setdefault(name, []).append(number)
    try:
        return _Compiled(re.compile(python_pattern(tree)), names), work
    except (re.error, RecursionError, OverflowError):
        return Refused("Python could not compile its translation")


def terraform_replace(
    text: str, substring: str, replacement: str, budget: RegexBudget, limit: int
) -> str | Refused:
    """`replace(text, substring, replacement)` as Terraform evaluates it (results over
    `limit` characters are refused)."""
    text, substring, replacement = (
        unicodedata.normalize("NFC", s) for s in (text, substring, replacement)
    )
    result: str | Refused
    if len(substring) > 1 and substring[0] == "/" and substring[-1] == "/":
        compiled = compile_re2(substring[1:-1], text, budget)
        if isinstance(compiled, Refused):
            return compiled
        pattern, work = compiled
        matches = (budget.allowance() - work) // MATCH_COST
        result, found = _replace_all(pattern, text, replacement, limit, matches)
        budget.remaining -= work + found * MATCH_COST
    else:
        count = len(text) + 1 if substring == "" else text.count(substring)
        grown = len(text) + count * (len(replacement) - len(substring))
        result = (
            text.replace(substring, replacement)
            if grown <= limit
            else Refused(f"its result would be longer than {limit} characters")
        )
    if isinstance(result, Refused):
        return result
    return unicodedata.normalize("NFC", result)
