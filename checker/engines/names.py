"""The engines by name: one enum read by the CLI, the gate, the pipeline, coverage and the
installer, so an engine's name is spelled in one place."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from checker.errors import InputError


class EngineName(StrEnum):
    NATIVE = "native"  # the TAP rules, in this process
    CHECKOV = "checkov"  # the custom checkov checks, in checkov's own environment
    COMPLIANCE = "compliance"  # the terraform-compliance features, in its own environment


ALL = "all"  # on the command line: every engine
EXTERNAL = (EngineName.CHECKOV, EngineName.COMPLIANCE)  # the engines that are other programs


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
