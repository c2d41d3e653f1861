"""The built-in pack: the TAP rules, one module each, reading the model through `checker.api`.

Registered like any installed pack, under the entry point group `tap_checker.rules`
(`tap = "checker.builtin:rules"` in pyproject.toml).
"""

from __future__ import annotations

from checker.rules.base import Rule


def rules() -> list[Rule]:
    """Every `tapNNN_*` module's rule."""
    from checker.rules.registry import builtin_pack

    return builtin_pack()
