"""Where the values behind a finding came from: the plan, the state, or a source file and line.

Rules read values through the model (`settle`, `written`, `declared`); each read
names its origin in the active gathering, and the engine attaches the origins
read while a rule produced a result to that result's finding. Origins hold
file names and line numbers only, never values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PLAN = "plan"
STATE = "state (no change planned)"
CONFIGURATION = "plan configuration"
MAX_ORIGINS = 4

_GATHERED: ContextVar[list[str] | None] = ContextVar("checker_evidence", default=None)


def saw(origin: str) -> None:
    """Record that a value was read from `origin` in the active gathering (if any)."""
    gathered = _GATHERED.get()
    if gathered is not None and origin not in gathered:
        gathered.append(origin)


@contextmanager
def gathering() -> Iterator[list[str]]:
    """A fresh list of origins, filled by the reads made while it is active."""
    gathered: list[str] = []
    token = _GATHERED.set(gathered)
    try:
        yield gathered
    finally:
        _GATHERED.reset(token)


def describe(origins: list[str]) -> str:
    """The origins as one short line: `plan; source main.tf:42`."""
    shown = origins[:MAX_ORIGINS]
    more = len(origins) - len(shown)
    return "; ".join(shown) + (f" and {more} more" if more > 0 else "")


def saw_planned(action: str, address: str = "") -> None:
    """A value read from the plan: the state's when no change is planned for its resource."""
    saw(STATE if action == "no-op" else PLAN)
    read = _READ.get()
    if read is not None and address:
        read.add(address)


# the addresses whose values or configuration the rules read (what coverage counts)
_READ: ContextVar[set[str] | None] = ContextVar("checker_read", default=None)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """The addresses of every instance read while it is active."""
    read: set[str] = set()
    token = _READ.set(read)
    try:
        yield read
    finally:
        _READ.reset(token)


def saw_configuration(address: str) -> None:
    """The configuration of the instance at `address` was read."""
    saw(CONFIGURATION)
    read = _READ.get()
    if read is not None:
        read.add(address)
