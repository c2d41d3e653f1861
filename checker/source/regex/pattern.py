"""A parsed RE2 pattern written out as a Python `re` pattern that says exactly the same thing."""

from __future__ import annotations

from checker.source.regex.syntax import Node

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


def python_pattern(node: Node) -> str:
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
        return "".join(python_pattern(sub) for sub in node.subs)
    if node.kind == "alt":
        return "(?:" + "|".join(python_pattern(sub) for sub in node.subs) + ")"
    if node.kind == "group":
        return ("(" if node.capture else "(?:") + python_pattern(node.subs[0]) + ")"
    if node.kind == "repeat":
        return f"(?:{python_pattern(node.subs[0])}){_quantifier(node.low, node.high)}" + (
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
