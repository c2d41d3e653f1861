"""The built-in rules' IDs, as the registry loads them: no test writes how many there are."""

from __future__ import annotations

from checker.rules.registry import builtin_rules

BUILTIN_IDS: tuple[str, ...] = tuple(rule.meta.id for rule in builtin_rules())
