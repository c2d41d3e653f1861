"""Engine names as the command line gives them (`all` meaning every one); the enum itself
is `checker.results.EngineName`, shared with the rules that declare their coverage."""

from __future__ import annotations

from collections.abc import Iterable

from checker.errors import InputError
from checker.results import EXTERNAL_ENGINES, EngineName

__all__ = ["ALL", "EXTERNAL", "EngineName", "parse_engines"]

ALL = "all"  # on the command line: every engine
EXTERNAL = EXTERNAL_ENGINES


def parse_engines(names: Iterable[str]) -> tuple[EngineName, ...]:
    """Engine names as given (`all` meaning every one), in order, each once; none is native."""
    chosen: list[EngineName] = []
    for name in names:
        if name == ALL:
            chosen.extend(EngineName)
            continue
        try:
            chosen.append(EngineName(name))
        except ValueError:
            known = ", ".join([*EngineName, ALL])
            raise InputError(f"unknown engine {name[:40]!r}", f"engines: {known}") from None
    return tuple(dict.fromkeys(chosen)) or (EngineName.NATIVE,)
