"""How much a parsed pattern may backtrack: the shapes refused outright, and the paths and
size that bound the work of the rest.
"""

from __future__ import annotations

from checker.source.regex.limits import CAP
from checker.source.regex.syntax import Node

# ------------------------------------------------------------------ analysis


def _nullable(node: Node) -> bool:
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


def too_wild(node: Node, repeated: bool = False) -> str | None:
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
        if (reason := too_wild(sub, repeated)) is not None:
            return reason
    return None


def pattern_paths(node: Node, n: int) -> int:
    """How many ways backtracking can try the node from one position (a bound)."""
    if node.kind == "concat":
        product = 1
        for sub in node.subs:
            product = min(product * pattern_paths(sub, n), CAP)
        return product
    if node.kind == "alt":
        return min(sum(pattern_paths(sub, n) for sub in node.subs), CAP)
    if node.kind == "group":
        return pattern_paths(node.subs[0], n)
    if node.kind == "repeat":
        high = n if node.high < 0 else min(node.high, n)
        return max(high - node.low + 1, 1)
    return 1


def pattern_size(node: Node) -> int:
    return 1 + sum(pattern_size(sub) for sub in node.subs)
