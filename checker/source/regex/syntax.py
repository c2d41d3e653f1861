"""An RE2 pattern parsed as Go's `regexp/syntax` parses it (same escapes, classes, flags,
repeat rules and errors) into a syntax tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.source.regex.charsets import (
    ANY,
    ANY_NOT_NL,
    PERL,
    POSIX,
    clean_ranges,
    fold_case,
    negate_ranges,
)
from checker.source.regex.limits import MAX_DEPTH, MAX_RUNE, Ranges, go_error, untranslated

# ------------------------------------------------------------------ syntax tree


@dataclass(frozen=True)
class Node:
    """One RE2 construct: `set` (a character class or literal), `empty`, `assert`
    (`name` says which), `concat`, `alt`, `group` or `repeat` (`low`..`high`, -1 = no bound)."""

    kind: str
    ranges: Ranges = ()
    name: str = ""
    subs: tuple[Node, ...] = ()
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
    alternatives: list[Node] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)


def _concat(items: list[Node]) -> Node:
    if not items:
        return Node("empty")
    return items[0] if len(items) == 1 else Node("concat", subs=tuple(items))


def _alternate(alternatives: list[Node]) -> Node:
    """Alternatives, adjacent single characters merged into one class as RE2 merges them."""
    merged: list[Node] = []
    for node in alternatives:
        if node.kind == "set" and merged and merged[-1].kind == "set":
            merged[-1] = Node("set", clean_ranges([*merged[-1].ranges, *node.ranges]))
        else:
            merged.append(node)
    return merged[0] if len(merged) == 1 else Node("alt", subs=tuple(merged))


LOOKAROUND = {"(?=": "lookahead", "(?!": "lookahead", "(?<=": "lookbehind", "(?<!": "lookbehind"}


class Parser:
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
            return clean_ranges(list(ranges))
        self.folds = True
        return fold_case(ranges)

    @property
    def items(self) -> list[Node]:
        return self.frames[-1].items

    def parse(self) -> Node:
        while self.i < len(self.p):
            repeated = self._token()
            self.last_repeat = repeated
        if len(self.frames) > 1:
            raise go_error("missing closing )")
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
            self.items.append(Node("assert", name=names[0] if multi else names[1]))
            self.i += 1
        elif c == ".":
            self.items.append(Node("set", ANY if self.flags.dotall else ANY_NOT_NL))
            self.i += 1
        else:
            self._literal(ord(c))
            self.i += 1
        return False

    # ---------------------------------------------------------------- pieces

    def _literal(self, rune: int) -> None:
        self.items.append(Node("set", self._folded([(rune, rune)])))

    def _repeat(self, bounds: tuple[int, int]) -> None:
        lazy = self.flags.ungreedy
        if self.p.startswith("?", self.i):
            self.i += 1
            lazy = not lazy
        if self.last_repeat:
            raise go_error("invalid nested repetition operator")
        if not self.items:
            raise go_error("missing argument to repetition operator")
        if self.items[-1].kind == "repeat":  # `a*(?i)*`: valid RE2, refused as any nesting
            raise untranslated("a repetition inside a repetition")
        low, high = bounds
        self.items[-1] = Node("repeat", subs=(self.items[-1],), low=low, high=high, lazy=lazy)

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
            raise go_error("invalid repeat count")
        self.i = j + 1
        return low, high

    def _open(self) -> None:
        p, i = self.p, self.i
        if len(self.frames) > MAX_DEPTH:
            raise untranslated(f"groups nested deeper than {MAX_DEPTH}")
        if not p.startswith("(?", i):
            self._push_group(capture=True, name="")
            self.i = i + 1
            return
        for prefix, what in LOOKAROUND.items():
            if p.startswith(prefix, i):
                raise go_error(f"{what} is not RE2 syntax")
        named_p = p.startswith("(?P<", i) and len(p) - i > 4
        if named_p or (p.startswith("(?<", i) and len(p) - i > 3):
            end = p.find(">", i)
            name = p[i + (4 if named_p else 3) : end] if end >= 0 else ""
            if (
                end < 0
                or not name
                or not all(c.isascii() and (c.isalnum() or c == "_") for c in name)
            ):
                raise go_error("invalid named capture")
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
        raise go_error("invalid or unsupported Perl syntax")

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
            raise go_error("unexpected )")
        frame = self.frames.pop()
        body = _alternate([*frame.alternatives, _concat(frame.items)])
        self.flags = frame.saved
        self.items.append(Node("group", subs=(body,), capture=frame.capture))
        self.i += 1

    def _escape_top(self) -> None:
        p, i = self.p, self.i
        c = p[i + 1] if i + 1 < len(p) else ""
        asserts = {"A": "begin_text", "b": "word", "B": "not_word", "z": "end_text"}
        if c and c in asserts:
            self.items.append(Node("assert", name=asserts[c]))
            self.i = i + 2
        elif c == "C":
            raise go_error("invalid escape sequence \\C")
        elif c == "Q":
            end = p.find("\\E", i + 2)
            text = p[i + 2 :] if end < 0 else p[i + 2 : end]
            for char in text:
                self._literal(ord(char))
            self.i = len(p) if end < 0 else end + 2
        elif c in ("p", "P"):
            raise untranslated("Unicode classes such as \\p{L} are not translated")
        elif c and c in "dDsSwW":
            self.items.append(Node("set", self._perl(c)))
            self.i = i + 2
        else:
            rune, self.i = _escape(p, i)
            self._literal(rune)

    def _perl(self, letter: str) -> Ranges:
        ranges = self._folded(PERL[letter.lower()])
        return negate_ranges(ranges) if letter.isupper() else ranges

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
                    raise go_error("invalid character class range")
                group = self._folded(group)
                out.extend(negate_ranges(group) if name.startswith("^") else group)
                i = end + 2
                continue
            if p.startswith(("\\p", "\\P"), i):
                raise untranslated("Unicode classes such as \\p{L} are not translated")
            if p.startswith("\\", i) and i + 1 < len(p) and p[i + 1] in "dDsSwW":
                out.extend(self._perl(p[i + 1]))
                i += 2
                continue
            lo, i = _class_char(p, i)
            hi = lo
            if len(p) - i >= 2 and p[i] == "-" and p[i + 1] != "]":
                hi, i = _class_char(p, i + 1)
                if hi < lo:
                    raise go_error("invalid character class range")
            out.extend(self._folded([(lo, hi)]))
        ranges = clean_ranges(out)
        self.items.append(Node("set", negate_ranges(ranges) if negated else ranges))
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
        raise go_error("missing closing ]")
    if p[i] == "\\":
        return _escape(p, i)
    return ord(p[i]), i + 1


def _hex(c: str) -> int:
    return int(c, 16) if len(c) == 1 and c in "0123456789abcdefABCDEF" else -1


def _escape(p: str, i: int) -> tuple[int, int]:
    """A single-character escape at `i` (Go's parseEscape): the rune and the next index."""
    if i + 1 >= len(p):
        raise go_error("trailing backslash at end of expression")
    c, j = p[i + 1], i + 2
    if c.isascii() and not c.isalnum():
        return ord(c), j
    if c in "01234567":
        if c != "0" and not (j < len(p) and p[j] in "01234567"):
            raise go_error("invalid escape sequence (RE2 has no backreferences)")
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
    raise go_error(f"invalid escape sequence \\{c}")


def _hex_escape(p: str, j: int) -> tuple[int, int]:
    if p.startswith("{", j):
        end = p.find("}", j)
        digits = p[j + 1 : end] if end >= 0 else ""
        if digits and all(_hex(c) >= 0 for c in digits) and int(digits, 16) <= MAX_RUNE:
            return int(digits, 16), end + 1
    elif j + 1 < len(p) and _hex(p[j]) >= 0 and _hex(p[j + 1]) >= 0:
        return int(p[j : j + 2], 16), j + 2
    raise go_error("invalid escape sequence \\x")
