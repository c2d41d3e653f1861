"""Which values a rule read were sensitive: the taint follows reads, strings come second.

Terraform marks sensitive attribute paths (`after_sensitive`, `sensitive = true`
variables and outputs). Searching a report for the text of those values cannot
be the only defence: a value `led` would turn `failed` into `fai(sensitive)`, a
value `1` or `true` is everywhere, and a value parsed out of a sensitive policy
has another spelling. First, every read of a sensitive path (`Instance.get`, a sensitive
variable or output, a value derived from one and cached) marks the current
*scope*; the engine opens one scope per rule run and redacts the display text
of every result yielded after the first sensitive read. Verdicts, IDs,
severities and addresses are never touched.

A second layer stands behind the taint (`Secrets`): a value the plan marks
sensitive anywhere can also be copied, by a literal in the `.tf`, where the plan
has no mark, and no read of a sensitive path happens. Every display text of the
report that holds a spelling of such a value is replaced whole by
`REDACTED_COPY`; the rule for short values is in `Secrets`' docstring.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

REDACTED = "(sensitive) value hidden: this finding reads values marked sensitive"
REDACTED_COPY = "(sensitive) value hidden: this text holds a value marked sensitive"


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


# ------------------------------------------------------------------ the second layer


def spellings(value: object, out: set[str]) -> None:
    """Add to `out` every spelling of a sensitive value that a report could carry.

    Strings as they are and quoted as JSON (ASCII-escaped or not) or Python would
    quote them; numbers as printed (an integral float also without `.0`); lists
    and maps leaf by leaf, plus the JSON text of the whole value. Booleans and null
    spell nothing, and unknown values (not JSON) are skipped: see `Secrets`.
    """
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.update(_string_spellings(item))
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            out.add(str(item))
        elif isinstance(item, float):
            out.add(repr(item))
            if item.is_integer():
                out.add(str(int(item)))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    if isinstance(value, dict | list):
        out.update(_json_texts(value))


def _string_spellings(text: str) -> set[str]:
    return {
        text,
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        repr(text)[1:-1],
    }


def _json_texts(value: dict[Any, Any] | list[Any]) -> set[str]:
    """The JSON text of a whole list or map, as `json.dumps` writes it and compact."""
    try:
        return {json.dumps(value), json.dumps(value, separators=(",", ":"))}
    except (TypeError, ValueError, RecursionError):  # an unknown inside: its leaves suffice
        return set()


MIN_ANYWHERE = 4  # spellings at least this long are found anywhere in a text
NEVER_MATCHED = frozenset({"true", "false", "null"})
FEW = 32  # up to this many spellings, one substring search each is the fastest
_ALNUM = re.compile(r"[^\W_]")
_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: the tokens of a text


@dataclass(frozen=True)
class Secrets:
    """The spellings of every value a plan marks sensitive, and where a text holds one.

    A spelling of at least `MIN_ANYWHERE` (4) characters leaks wherever it stands,
    inside a word too (`fn-S3CR3T`, `table/S3CR3T`). A shorter one (`1`, `led`,
    `Qz`) leaks only as a whole token, not touching a letter or digit on a side
    where it begins or ends with one: `led` in `failed`, or `1` in `14 days`, is
    not a leak. Values spelled without any letter or digit (`-`, blanks) and the
    literals `true`, `false` and `null` are never searched: they stand in almost
    every report and carry no more than a bit, so only the taint tracking (the
    first layer, which follows reads whatever the value) hides them.

    With many spellings (a plan of a thousand passwords), a text is first cut
    into its n-grams, which must meet a spelling's first characters before any
    spelling is searched, and a short spelling of letters and digits only is a
    token when it equals one of the text's runs of letters and digits: linear
    in the text, not in the number of secrets.
    """

    anywhere: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()  # short spellings of letters and digits only
    mixed: frozenset[str] = frozenset()  # the other short spellings (`-1`, `a.b`)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, strings: Iterable[str]) -> Secrets:
        kept = {s for s in strings if s not in NEVER_MATCHED and _ALNUM.search(s)}
        anywhere = tuple(sorted(s for s in kept if len(s) >= MIN_ANYWHERE))
        prefixes: dict[str, list[str]] = {}
        if len(anywhere) > FEW:
            for secret in anywhere:
                prefixes.setdefault(secret[:MIN_ANYWHERE], []).append(secret)
        short = {s for s in kept if len(s) < MIN_ANYWHERE}
        words = frozenset(s for s in short if _WORD.fullmatch(s))
        return cls(
            anywhere, words, frozenset(short - words), {k: tuple(v) for k, v in prefixes.items()}
        )

    @property
    def empty(self) -> bool:
        return not self.anywhere and not self.words and not self.mixed

    def leak(self, text: str) -> bool:
        """Does `text` hold a spelling of a sensitive value?"""
        if not text:
            return False
        return self._anywhere(text) or self._token(text)

    def hide(self, text: str) -> str:
        """`text`, or `REDACTED_COPY` whole when it holds a sensitive value (never patched)."""
        return REDACTED_COPY if self.leak(text) else text

    def _anywhere(self, text: str) -> bool:
        candidates: Iterable[str] = self.anywhere
        if self.prefixes:
            grams = _grams(text, (MIN_ANYWHERE,)) & self.prefixes.keys()
            candidates = (secret for gram in grams for secret in self.prefixes[gram])
        return any(secret in text for secret in candidates)

    def _token(self, text: str) -> bool:
        if self.words and not self.words.isdisjoint(_WORD.findall(text)):
            return True
        candidates: Iterable[str] = self.mixed
        if len(self.mixed) > FEW:
            candidates = _grams(text, (1, 2, 3)) & self.mixed
        return any(
            secret in text and _token_pattern(secret).search(text) is not None
            for secret in candidates
        )


def _grams(text: str, lengths: tuple[int, ...]) -> set[str]:
    return {text[i : i + n] for n in lengths for i in range(len(text) - n + 1)}


@lru_cache(maxsize=4096)
def _token_pattern(spelling: str) -> re.Pattern[str]:
    """`spelling` as a whole token: no letter or digit next to its letters or digits."""
    before = r"(?<![^\W_])" if _ALNUM.match(spelling[0]) else ""
    after = r"(?![^\W_])" if _ALNUM.match(spelling[-1]) else ""
    return re.compile(f"{before}{re.escape(spelling)}{after}")


NO_SECRETS = Secrets()


@lru_cache(maxsize=64)
def secrets_of(strings: frozenset[str]) -> Secrets:
    """The matcher of one model's `sensitive_strings` (built once per model)."""
    return Secrets.of(strings) if strings else NO_SECRETS
