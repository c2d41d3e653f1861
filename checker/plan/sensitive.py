"""Which values a rule read were sensitive: the taint follows reads, never strings.

Terraform marks sensitive attribute paths (`after_sensitive`, `sensitive = true`
variables and outputs). Searching a report for the text of those values cannot
work: a value `led` would turn `failed` into `fai(sensitive)`, a value `1` or
`true` is everywhere, and a value parsed out of a sensitive policy has another
spelling. Instead every read of a sensitive path (`Instance.get`, a sensitive
variable or output, a value derived from one and cached) marks the current
*scope*; the engine opens one scope per rule run and redacts the display text
of every result yielded after the first sensitive read. Verdicts, IDs,
severities and addresses are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

REDACTED = "(sensitive) value hidden: this finding reads values marked sensitive"


@dataclass
class TaintScope:
    """Set once anything sensitive is read while the scope is active."""

    tainted: bool = False


_SCOPE: ContextVar[TaintScope | None] = ContextVar("checker_taint_scope", default=None)


def mark() -> None:
    """Record that a sensitive value was read in the active scope (if any)."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.tainted = True


def mark_if(flag: bool) -> None:
    if flag:
        mark()


@contextmanager
def tracking() -> Iterator[TaintScope]:
    """A fresh scope; reads inside it taint it (and every enclosing scope when it closes)."""
    outer = _SCOPE.get()
    scope = TaintScope()
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)
        if outer is not None and scope.tainted:
            outer.tainted = True


class CycleError(Exception):
    """A value asked for while it is being computed."""


@dataclass
class TaintedMemo:
    """Values computed once, with whether computing them read something sensitive.

    A later read of a cached value taints the active scope exactly as the first
    computation did; asking for a value while it is being computed is a cycle.
    """

    _done: dict[Hashable, tuple[Any, bool]] = field(default_factory=dict)
    _busy: set[Hashable] = field(default_factory=set)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        cached = self._done.get(key)
        if cached is None:
            if key in self._busy:
                raise CycleError(key)
            self._busy.add(key)
            try:
                with tracking() as scope:
                    value = compute()
            finally:
                self._busy.discard(key)
            cached = (value, scope.tainted)
            self._done[key] = cached
        mark_if(cached[1])
        return cached[0]


def any_marked(marks: Any) -> bool:
    """Does a Terraform sensitivity tree (`true`, or objects/lists of them) mark anything?"""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(any_marked(v) for v in marks.values())
    if isinstance(marks, list):
        return any(any_marked(v) for v in marks)
    return False


def marks_at(marks: Any, path: tuple[str | int, ...]) -> bool:
    """Is the value at `path` (or any part of it) sensitive under this tree of marks?"""
    node = marks
    for step in path:
        if node is True:
            return True
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
            node = node[step]
        else:
            if not isinstance(node, dict):
                return False
            node = node.get(step)
    return any_marked(node)


def merge_marks(first: Any, second: Any) -> Any:
    """The union of two sensitivity trees."""
    if first is True or second is True:
        return True
    if isinstance(first, dict) and isinstance(second, dict):
        return {k: merge_marks(first.get(k), second.get(k)) for k in {*first, *second}}
    if isinstance(first, list) and isinstance(second, list):
        longer = max(len(first), len(second))
        return [
            merge_marks(
                first[i] if i < len(first) else None, second[i] if i < len(second) else None
            )
            for i in range(longer)
        ]
    return first if any_marked(first) else second
