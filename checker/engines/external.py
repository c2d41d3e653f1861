"""What the engines that run another program share: finding it, and findings under catalogue IDs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from checker.errors import EngineError
from checker.report.model import Finding
from checker.results import Status
from checker.rules.registry import rule_by_id

# The only variables of the caller's environment an engine's process inherits (issue 24): where
# programs are, the locale and where temporary files go. Every other one (CKV_*, BC_*, CHECKOV_*, TF_*, GIT_*, PYTHON*, ...)
# could change which checks run or how they are read, so it is dropped, not filtered by name.
INHERITED = frozenset({"PATH", "LANG", "LANGUAGE", "TMPDIR"})
INHERITED_PREFIXES = ("LC_",)


def isolated_environment(home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """An engine's environment: the allow-list of the caller's, HOME at `home`, then `extra`.

    `home` is a directory the checker owns (or one holding nothing, like /dev/null), so no
    dotfile of the user's home (`~/.checkov.yaml`, `~/.gitconfig`) reaches the engine.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key in INHERITED or key.startswith(INHERITED_PREFIXES)
    }
    env["HOME"] = str(home)
    env.update(extra)
    return env


def policies_root() -> Path:
    """The policies shipped inside this package; `CHECKER_POLICIES` points at another copy."""
    configured = os.environ.get("CHECKER_POLICIES")
    if configured:
        return Path(configured)
    return Path(str(resources.files("checker").joinpath("policies")))


def engine_finding(
    engine: str,
    rule_id: str,
    check_id: str,
    status: str,
    address: str,
    message: str,
    input_name: str,
) -> Finding:
    rule = rule_by_id(rule_id)
    if rule is None:
        raise EngineError(f"{engine} reported {check_id} under unknown rule {rule_id!r}")
    meta = rule.meta
    return Finding(
        rule_id=rule_id,
        engine=engine,
        engine_check_id=check_id,
        status=Status(status),
        severity=meta.severity,
        incident=meta.incident,
        title=meta.title,
        address=address,
        attribute="",
        message=message,
        remediation=meta.remediation,
        input=input_name,
    )
