"""What the terminal gets: colour only where wanted, progress only where someone watches.

Colour follows the conventions users set once for every tool: `NO_COLOR`
(any non-empty value, https://no-color.org), `--no-color`, `TERM=dumb`, and
never when the stream is not a terminal. Progress is a spinner line on stderr
(rich) naming the input and the engine at work, shown only when stderr is a
terminal (and `TERM` is not `dumb`), so CI logs and pipes get no control
characters; under `NO_COLOR` it is drawn without colour. Code deep in a run
reports a step with `step()`; it costs nothing when no progress is shown (and
in `--jobs` worker processes, which never show it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO


class _Status(Protocol):
    def update(self, status: str) -> None: ...


_active: list[_Status] = []


def plain_terminal() -> bool:
    """The user asked for no colour and no cursor tricks (`NO_COLOR`, `TERM=dumb`)."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def colour_wanted(stream: TextIO, no_color: bool = False) -> bool:
    return not no_color and not plain_terminal() and stream.isatty()


@contextmanager
def progress(stream: TextIO, enabled: bool = True) -> Iterator[None]:
    """Show `step()`s on `stream` while the block runs, when it is an interactive terminal."""
    if not enabled or os.environ.get("TERM") == "dumb" or not stream.isatty():
        yield
        return
    from rich.console import Console

    console = Console(file=stream, highlight=False)
    with console.status("checker: starting", spinner="dots") as status:
        _active.append(status)
        try:
            yield
        finally:
            _active.remove(status)


def step(text: str) -> None:
    """Name what the run is doing now (shown only inside `progress`)."""
    if _active:
        from rich.markup import escape

        _active[-1].update(f"checker: {escape(text)}")
