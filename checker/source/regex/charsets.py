"""Character sets as code point ranges: RE2's Perl and POSIX classes, negation, case folding."""

from __future__ import annotations

from checker.source.regex.limits import MAX_RUNE, Ranges

# ------------------------------------------------------------------ character sets


def clean_ranges(ranges: list[tuple[int, int]]) -> Ranges:
    """Sorted, merged ranges (Go's cleanClass)."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def negate_ranges(ranges: Ranges) -> Ranges:
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


def fold_case(ranges: Ranges | list[tuple[int, int]]) -> Ranges:
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
    return clean_ranges(out)


def _r(*pairs: tuple[int, int] | str) -> Ranges:
    out: list[tuple[int, int]] = []
    for pair in pairs:
        out.append((ord(pair), ord(pair)) if isinstance(pair, str) else pair)
    return clean_ranges(out)


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
ANY_NOT_NL = negate_ranges(_r("\n"))
