"""The `wiring` pack: each seed incident generalised to its class across AWS services.

A resource fine on its own, in a system that still does not work because two resources are
not wired to each other (a service may not invoke a function, a log group is created after
the writes start). Off by default: `--rules wiring` or `[tool.checker] packs = ["wiring"]`
(`checker.rules.registry.OPTIONAL_PACKS`). One module per rule, `wirNNN_*.py`.
"""

from __future__ import annotations

from checker.rules.base import Rule

PACK = "wiring (built-in, optional)"


def rules() -> list[Rule]:
    """Every `wirNNN_*` module's rule."""
    from checker.rules.registry import package_pack

    return package_pack("checker.wiring", "wir", PACK)
