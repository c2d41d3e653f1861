"""Terraform's `replace(string, substring, replacement)`, regular expressions included.

Terraform treats a `substring` wrapped in forward slashes as a regular expression
in Go's RE2 syntax (`regexp.Compile`) and replaces with `ReplaceAllString`, whose
replacement expands `$1`, `${1}`, `$name` and `${name}` as `regexp.Expand` does
(https://developer.hashicorp.com/terraform/language/functions/replace,
https://pkg.go.dev/regexp#Regexp.Expand, https://github.com/google/re2/wiki/Syntax).
Go rejects what RE2 does not know (lookaround, backreferences, possessive
repetition, `\\Z`): Terraform then fails the call, so the value is unknown here.

How it is evaluated: the pattern is parsed the way Go's `regexp/syntax` parses it
(same escapes, classes, flags, repeat rules and errors), then written out as a
Python `re` pattern that says exactly the same thing: every character class
spelled out as code point ranges (ASCII `\\d \\s \\w \\b`, RE2's `\\s` without
`\\v`), `^ $ .` and case folding resolved from the flags in force, every group
a plain numbered group (names are kept aside for the replacement). The
replacement loop is Go's `replaceAll` (an empty match right after a match is not
replaced, unlike Python's `re.sub`), and the result is NFC-normalised as cty
normalises every string.

Bounded without a timeout. RE2 runs in linear time; Python's backtracking does
not, so a pattern is evaluated only when its backtracking is provably small:
- no repetition inside a repetition, no alternation inside a repetition (except
  single characters, which RE2 itself merges into a class), and nothing
  repeated that can match the empty string: these are refused outright;
- the remaining patterns backtrack over at most `(n + 1) * paths * size`
  steps for a text of n characters (`paths` multiplies, along the pattern, the
  number of counts each repetition can take; `size` counts the pattern's nodes),
  and each match found costs `MATCH_COST` more (Python's per-match overhead);
  that work must stay within `CALL_WORK` per call and within the evaluation's
  `RegexBudget` overall (about 0.2 s and 2 s of the slowest shapes measured).
Patterns longer than `MAX_PATTERN` characters, groups nested deeper than
`MAX_DEPTH`, Unicode classes (`\\p{...}`) and case-insensitive matching of
non-ASCII text are not evaluated either. Whatever is not evaluated is unknown,
with a note saying why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_PATTERN = 4096  # characters of a regular expression
MAX_DEPTH = 100  # nested groups
MAX_RUNE = 0x10FFFF
CALL_WORK = 20_000_000  # work units (about a nanosecond each) of one call
TOTAL_WORK = 200_000_000  # of one evaluation, all calls together
MATCH_COST = 3_000  # units one match costs in the replacement loop
_CAP = 10**18  # products of counts are cut here (already far over any budget)

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Refused:
    """Why `replace()` was not evaluated; `terraform_fails` when RE2 rejects the pattern."""

    reason: str
    terraform_fails: bool = False

    def note(self) -> str:
        if self.terraform_fails:
            return (
                f"replace() with a regular expression RE2 rejects ({self.reason}): "
                "Terraform fails on it, so its value is unknown"
            )
        return f"replace() with a regular expression was not evaluated ({self.reason})"


@dataclass
class RegexBudget:
    """Work left for one evaluation (see the module docstring)."""

    remaining: int = TOTAL_WORK

    def allowance(self) -> int:
        """What one call may use."""
        return min(CALL_WORK, self.remaining)


class _Reject(Exception):
    def __init__(self, reason: str, terraform_fails: bool) -> None:
        super().__init__(reason)
        self.refused = Refused(reason, terraform_fails)


def _error(reason: str) -> _Reject:
    """A pattern Go's parser rejects (`error parsing regexp: ...`)."""
    return _Reject(reason, True)


def _unsupported(reason: str) -> _Reject:
    """A valid RE2 pattern this evaluator does not translate."""
    return _Reject(reason, False)


# ------------------------------------------------------------------ character sets


def _clean(ranges: list[tuple[int, int]]) -> Ranges:
    """Sorted, merged ranges (Go's cleanClass)."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _negate(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    next_lo = 0
    for lo, hi in ranges:
        if next_lo <= lo - 1:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= MAX_RUNE:
        out.append((next_lo, MAX_RUNE))
    return tuple(out)


KELVIN, LONG_S = 0x212A, 0x17F  # the only non-ASCII runes whose fold orbit holds ASCII letters


def _contains(ranges: Ranges | list[tuple[int, int]], rune: int) -> bool:
    return any(lo <= rune <= hi for lo, hi in ranges)


def _fold(ranges: Ranges | list[tuple[int, int]]) -> Ranges:
    """The ranges plus what case folding adds, exact for every ASCII character.

    Go adds each rune's whole simple-folding orbit; for ASCII text only the ASCII
    letters' orbits matter: a letter, its other case, and U+212A (KELVIN SIGN) for
    k, U+017F (LATIN SMALL LETTER LONG S) for s. Non-ASCII text is never matched
    case-insensitively here.
    """
    out = list(ranges)
    for lo, hi in ranges:
        for first, last, shift in ((0x41, 0x5A, 0x20), (0x61, 0x7A, -0x20)):
            a, b = max(lo, first), min(hi, last)
            if a <= b:
                out.append((a + shift, b + shift))
    for rune, letters in ((KELVIN, "kK"), (LONG_S, "sS")):
        if _contains(ranges, rune) or any(_contains(ranges, ord(c)) for c in letters):
            out.extend([(rune, rune), *((ord(c), ord(c)) for c in letters)])
    return _clean(out)


def _r(*pairs: tuple[int, int] | str) -> Ranges:
    out: list[tuple[int, int]] = []
    for pair in pairs:
        out.append((ord(pair), ord(pair)) if isinstance(pair, str) else pair)
    return _clean(out)


DIGIT = _r((0x30, 0x39))
WORD = _r((0x30, 0x39), (0x41, 0x5A), "_", (0x61, 0x7A))
PERL: dict[str, Ranges] = {"d": DIGIT, "s": _r("\t", "\n", "\f", "\r", " "), "w": WORD}
POSIX: dict[str, Ranges] = {
    "alnum": _r((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": _r((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": _r((0, 0x7F)),
    "blank": _r("\t", " "),
    "cntrl": _r((0, 0x1F), (0x7F, 0x7F)),
    "digit": DIGIT,
    "graph": _r((0x21, 0x7E)),
    "lower": _r((0x61, 0x7A)),
    "print": _r((0x20, 0x7E)),
    "punct": _r((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": _r((0x09, 0x0D), " "),
    "upper": _r((0x41, 0x5A)),
    "word": WORD,
    "xdigit": _r((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
ANY = _r((0, MAX_RUNE))
ANY_NOT_NL = _negate(_r("\n"))


# ------------------------------------------------------------------ syntax tree


@dataclass(frozen=True)
class _Node:
    """One RE2 construct: `set` (a character class or literal), `empty`, `assert`
    (`name` says which), `concat`, `alt`, `group` or `repeat` (`low`..`high`, -1 = no bound)."""

    kind: str
    ranges: Ranges = ()
    name: str = ""
    subs: tuple[_Node, ...] = ()
    capture: bool = False
    low: int = 0
    high: int = -1
    lazy: bool = False


@dataclass
class _Flags:
    fold: bool = False  # i
    multiline: bool = False  # m: ^ and $ match at line breaks
    dotall: bool = False  # s
    ungreedy: bool = False  # U

    def copy(self) -> _Flags:
        return _Flags(self.fold, self.multiline, self.dotall, self.ungreedy)


@dataclass
class _Frame:
    """An open group: its finished alternatives and the concatenation being read."""

    saved: _Flags
    capture: bool
    alternatives: list[_Node] = field(default_factory=list)
    items: list[_Node] = field(default_factory=list)


def _concat(items: list[_Node]) -> _Node:
    if not items:
        return _Node("empty")
    return items[0] if len(items) == 1 else _Node("concat", subs=tuple(items))


def _alternate(alternatives: list[_Node]) -> _Node:
    """Alternatives, adjacent single characters merged into one class as RE2 merges them."""
    merged: list[_Node] = []
    for node in alternatives:
        if node.kind == "set" and merged and merged[-1].kind == "set":
            merged[-1] = _Node("set", _clean([*merged[-1].ranges, *node.ranges]))
        else:
            merged.append(node)
    return merged[0] if len(merged) == 1 else _Node("alt", subs=tuple(merged))


LOOKAROUND = {"(?=": "lookahead", "(?!": "lookahead", "(?<=": "lookbehind", "(?<!": "lookbehind"}


class _Parser:
    """Go's `regexp/syntax` parser with the flags `regexp.Compile` uses (syntax.Perl)."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.flags = _Flags()
        self.frames = [_Frame(_Flags(), False)]
        self.names: list[str] = [""]  # per group number, "" when unnamed
        self.last_repeat = False
        self.folds = False  # something was read case-insensitively

    def _folded(self, ranges: Ranges | list[tuple[int, int]]) -> Ranges:
        """The ranges as the flags in force read them (folded under `i`)."""
        if not self.flags.fold:
            return _clean(list(ranges))
        self.folds = True
        return _fold(ranges)

    @property
    def items(self) -> list[_Node]:
        return self.frames[-1].items

    def parse(self) -> _Node:
        while self.i < len(self.p):
            repeated = self._token()
            self.last_repeat = repeated
        if len(self.frames) > 1:
            raise _error("missing closing )")
        frame = self.frames[0]
        return _alternate([*frame.alternatives, _concat(frame.items)])

    def _token(self) -> bool:
        """Read one token; True when it was a repetition operator."""
        c = self.p[self.i]
        if c in "*+?":
            self.i += 1
            self._repeat({"*": (0, -1), "+": (1, -1), "?": (0, 1)}[c])
            return True
        if c == "{":
            bounds = self._braces()
            if bounds is not None:
                self._repeat(bounds)
                return True
            self._literal(ord("{"))
            self.i += 1
            return False
        handlers = {"(": self._open, "|": self._bar, ")": self._close, "[": self._class}
        if c in handlers:
            handlers[c]()
        elif c == "\\":
            self._escape_top()
        elif c in "^$":
            multi = self.flags.multiline
            names = {"^": ("begin_line", "begin_text"), "$": ("end_line", "end_text")}[c]
            self.items.append(_Node("assert", name=names[0] if multi else names[1]))
            self.i += 1
        elif c == ".":
            self.items.append(_Node("set", ANY if self.flags.dotall else ANY_NOT_NL))
            self.i += 1
        else:
            self._literal(ord(c))
            self.i += 1
        return False

    # ---------------------------------------------------------------- pieces

    def _literal(self, rune: int) -> None:
        self.items.append(_Node("set", self._folded([(rune, rune)])))

    def _repeat(self, bounds: tuple[int, int]) -> None:
        lazy = self.flags.ungreedy
        if self.p.startswith("?", self.i):
            self.i += 1
            lazy = not lazy
        if self.last_repeat:
            raise _error("invalid nested repetition operator")
        if not self.items:
            raise _error("missing argument to repetition operator")
        if self.items[-1].kind == "repeat":  # `a*(?i)*`: valid RE2, refused as any nesting
            raise _unsupported("a repetition inside a repetition")
        low, high = bounds
        self.items[-1] = _Node("repeat", subs=(self.items[-1],), low=low, high=high, lazy=lazy)

    def _braces(self) -> tuple[int, int] | None:
        """`{n}`, `{n,}` or `{n,m}` at the cursor (consumed), None when `{` is a literal."""
        p = self.p
        low, j = _number(p, self.i + 1)
        if low is None or j >= len(p):
            return None
        high: int | None = low
        if p[j] == ",":
            high, j = (-1, j + 1) if p.startswith("}", j + 1) else _number(p, j + 1)
        if high is None or j >= len(p) or p[j] != "}":
            return None
        if not 0 <= low <= 1000 or high > 1000 or high < -1 or (high >= 0 and low > high):
            raise _error("invalid repeat count")
        self.i = j + 1
        return low, high

    def _open(self) -> None:
        p, i = self.p, self.i
        if len(self.frames) > MAX_DEPTH:
            raise _unsupported(f"groups nested deeper than {MAX_DEPTH}")
        if not p.startswith("(?", i):
            self._push_group(capture=True, name="")
            self.i = i + 1
            return
        for prefix, what in LOOKAROUND.items():
            if p.startswith(prefix, i):
                raise _error(f"{what} is not RE2 syntax")
        named_p = p.startswith("(?P<", i) and len(p) - i > 4
        if named_p or (p.startswith("(?<", i) and len(p) - i > 3):
            end = p.find(">", i)
            name = p[i + (4 if named_p else 3) : end] if end >= 0 else ""
            if (
                end < 0
                or not name
                or not all(c.isascii() and (c.isalnum() or c == "_") for c in name)
            ):
                raise _error("invalid named capture")
            self._push_group(capture=True, name=name)
            self.i = end + 1
            return
        self._flag_group()

    def _flag_group(self) -> None:
        """`(?flags)` or `(?flags:`: i m s U, negated after `-`."""
        p, j = self.p, self.i + 2
        flags = self.flags.copy()
        sign, saw = True, False
        while j < len(p):
            c = p[j]
            j += 1
            if c in "imsU":
                setattr(
                    flags, {"i": "fold", "m": "multiline", "s": "dotall", "U": "ungreedy"}[c], sign
                )
                saw = True
            elif c == "-" and sign:
                sign, saw = False, False
            elif c in ":)" and (sign or saw):
                if c == ":":
                    self._push_group(capture=False, name="")
                self.flags = flags
                self.i = j
                return
            else:
                break
        raise _error("invalid or unsupported Perl syntax")

    def _push_group(self, capture: bool, name: str) -> None:
        if capture:
            self.names.append(name)
        self.frames.append(_Frame(self.flags.copy(), capture))

    def _bar(self) -> None:
        frame = self.frames[-1]
        frame.alternatives.append(_concat(frame.items))
        frame.items = []
        self.i += 1

    def _close(self) -> None:
        if len(self.frames) == 1:
            raise _error("unexpected )")
        frame = self.frames.pop()
        body = _alternate([*frame.alternatives, _concat(frame.items)])
        self.flags = frame.saved
        self.items.append(_Node("group", subs=(body,), capture=frame.capture))
        self.i += 1

    def _escape_top(self) -> None:
        p, i = self.p, self.i
        c = p[i + 1] if i + 1 < len(p) else ""
        asserts = {"A": "begin_text", "b": "word", "B": "not_word", "z": "end_text"}
        if c and c in asserts:
            self.items.append(_Node("assert", name=asserts[c]))
            self.i = i + 2
        elif c == "C":
            raise _error("invalid escape sequence \\C")
        elif c == "Q":
            end = p.find("\\E", i + 2)
            text = p[i + 2 :] if end < 0 else p[i + 2 : end]
            for char in text:
                self._literal(ord(char))
            self.i = len(p) if end < 0 else end + 2
        elif c in ("p", "P"):
            raise _unsupported("Unicode classes such as \\p{L} are not translated")
        elif c and c in "dDsSwW":
            self.items.append(_Node("set", self._perl(c)))
            self.i = i + 2
        else:
            rune, self.i = _escape(p, i)
            self._literal(rune)

    def _perl(self, letter: str) -> Ranges:
        ranges = self._folded(PERL[letter.lower()])
        return _negate(ranges) if letter.isupper() else ranges

    def _class(self) -> None:
        """`[...]` as Go's parseClass reads it (`]` first is literal, `-` anywhere)."""
        p = self.p
        i = self.i + 1
        negated = p.startswith("^", i)
        i += negated
        out: list[tuple[int, int]] = []
        first = True
        while i >= len(p) or p[i] != "]" or first:
            first = False
            if p.startswith("[:", i) and len(p) - i > 2 and (end := p.find(":]", i + 2)) >= 0:
                name = p[i + 2 : end]
                group = POSIX.get(name.removeprefix("^"))
                if group is None:
                    raise _error("invalid character class range")
                group = self._folded(group)
                out.extend(_negate(group) if name.startswith("^") else group)
                i = end + 2
                continue
            if p.startswith(("\\p", "\\P"), i):
                raise _unsupported("Unicode classes such as \\p{L} are not translated")
            if p.startswith("\\", i) and i + 1 < len(p) and p[i + 1] in "dDsSwW":
                out.extend(self._perl(p[i + 1]))
                i += 2
                continue
            lo, i = _class_char(p, i)
            hi = lo
            if len(p) - i >= 2 and p[i] == "-" and p[i + 1] != "]":
                hi, i = _class_char(p, i + 1)
                if hi < lo:
                    raise _error("invalid character class range")
            out.extend(self._folded([(lo, hi)]))
        ranges = _clean(out)
        self.items.append(_Node("set", _negate(ranges) if negated else ranges))
        self.i = i + 1


def _number(p: str, j: int) -> tuple[int | None, int]:
    """A decimal at `j` as Go's parseInt reads it: no leading zero; -2 when too large."""
    if j >= len(p) or not "0" <= p[j] <= "9":
        return None, j
    if p[j] == "0" and j + 1 < len(p) and "0" <= p[j + 1] <= "9":
        return None, j
    start = j
    while j < len(p) and "0" <= p[j] <= "9":
        j += 1
    digits = p[start:j]
    return (int(digits) if len(digits) <= 8 else -2), j


def _class_char(p: str, i: int) -> tuple[int, int]:
    if i >= len(p):
        raise _error("missing closing ]")
    if p[i] == "\\":
        return _escape(p, i)
    return ord(p[i]), i + 1


def _hex(c: str) -> int:
    return int(c, 16) if len(c) == 1 and c in "0123456789abcdefABCDEF" else -1


def _escape(p: str, i: int) -> tuple[int, int]:
    """A single-character escape at `i` (Go's parseEscape): the rune and the next index."""
    if i + 1 >= len(p):
        raise _error("trailing backslash at end of expression")
    c, j = p[i + 1], i + 2
    if c.isascii() and not c.isalnum():
        return ord(c), j
    if c in "01234567":
        if c != "0" and not (j < len(p) and p[j] in "01234567"):
            raise _error("invalid escape sequence (RE2 has no backreferences)")
        value = int(c)
        for _ in range(2):
            if j < len(p) and p[j] in "01234567":
                value, j = value * 8 + int(p[j]), j + 1
        return value, j
    if c == "x":
        return _hex_escape(p, j)
    controls = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
    if c in controls:
        return controls[c], j
    raise _error(f"invalid escape sequence \\{c}")


def _hex_escape(p: str, j: int) -> tuple[int, int]:
    if p.startswith("{", j):
        end = p.find("}", j)
        digits = p[j + 1 : end] if end >= 0 else ""
        if digits and all(_hex(c) >= 0 for c in digits) and int(digits, 16) <= MAX_RUNE:
            return int(digits, 16), end + 1
    elif j + 1 < len(p) and _hex(p[j]) >= 0 and _hex(p[j + 1]) >= 0:
        return int(p[j : j + 2], 16), j + 2
    raise _error("invalid escape sequence \\x")


# ------------------------------------------------------------------ analysis


def _nullable(node: _Node) -> bool:
    if node.kind == "set":
        return False
    if node.kind == "concat":
        return all(_nullable(s) for s in node.subs)
    if node.kind == "alt":
        return any(_nullable(s) for s in node.subs)
    if node.kind == "group":
        return _nullable(node.subs[0])
    if node.kind == "repeat":
        return node.low == 0 or _nullable(node.subs[0])
    return True  # empty, assertions


def _too_wild(node: _Node, repeated: bool = False) -> str | None:
    """Why backtracking on this pattern could be exponential, or None."""
    if node.kind == "repeat":
        if repeated:
            return "a repetition inside a repetition"
        if _nullable(node.subs[0]):
            return "a repetition of something that can match the empty string"
        repeated = True
    if node.kind == "alt" and repeated:
        return "an alternation inside a repetition"
    for sub in node.subs:
        if (reason := _too_wild(sub, repeated)) is not None:
            return reason
    return None


def _paths(node: _Node, n: int) -> int:
    """How many ways backtracking can try the node from one position (a bound)."""
    if node.kind == "concat":
        product = 1
        for sub in node.subs:
            product = min(product * _paths(sub, n), _CAP)
        return product
    if node.kind == "alt":
        return min(sum(_paths(sub, n) for sub in node.subs), _CAP)
    if node.kind == "group":
        return _paths(node.subs[0], n)
    if node.kind == "repeat":
        high = n if node.high < 0 else min(node.high, n)
        return max(high - node.low + 1, 1)
    return 1


def _size(node: _Node) -> int:
    return 1 + sum(_size(sub) for sub in node.subs)


# ------------------------------------------------------------------ Python pattern


def _char(rune: int) -> str:
    if rune < 0x80 and chr(rune).isalnum():
        return chr(rune)
    if rune < 0x100:
        return f"\\x{rune:02x}"
    return f"\\u{rune:04x}" if rune < 0x10000 else f"\\U{rune:08x}"


W = "[0-9A-Za-z_]"
ASSERTIONS = {
    "begin_text": r"\A",
    "end_text": r"\Z",
    "begin_line": r"(?:\A|(?<=\n))",
    "end_line": r"(?=\n|\Z)",
    "word": f"(?:(?<={W})(?!{W})|(?<!{W})(?={W}))",
    "not_word": f"(?:(?<={W})(?={W})|(?<!{W})(?!{W}))",
}


def _python(node: _Node) -> str:
    """The node as Python `re` syntax with the same meaning (no flags needed)."""
    if node.kind == "set":
        if not node.ranges:
            return "(?!)"
        body = "".join(
            _char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in node.ranges
        )
        return f"[{body}]"
    if node.kind == "assert":
        return ASSERTIONS[node.name]
    if node.kind == "concat":
        return "".join(_python(sub) for sub in node.subs)
    if node.kind == "alt":
        return "(?:" + "|".join(_python(sub) for sub in node.subs) + ")"
    if node.kind == "group":
        return ("(" if node.capture else "(?:") + _python(node.subs[0]) + ")"
    if node.kind == "repeat":
        return f"(?:{_python(node.subs[0])}){_quantifier(node.low, node.high)}" + (
            "?" if node.lazy else ""
        )
    return "(?:)"


def _quantifier(low: int, high: int) -> str:
    known = {(0, -1): "*", (1, -1): "+", (0, 1): "?"}
    if (low, high) in known:
        return known[(low, high)]
    if high < 0:
        return f"{{{low},}}"
    return f"{{{low}}}" if low == high else f"{{{low},{high}}}"


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
    parser = _Parser(pattern)
    try:
        tree = parser.parse()
        reason = _too_wild(tree)
        work = (len(text) + 1) * _paths(tree, len(text)) * _size(tree)
    except _Reject as rejected:
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
        return _Compiled(re.compile(_python(tree)), names), work
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
