"""What the engines that run another program share: finding it, and findings under catalogue IDs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from checker.errors import EngineError
from checker.report.model import Finding
from checker.rules.registry import rule_by_id

PROJECT = Path(__file__).resolve().parents[2]


def find_tool(env_var: str, program: str, local_env: str) -> str:
    """$env_var, else the project's isolated .tools/<local_env>, else PATH."""
    explicit = os.environ.get(env_var)
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise EngineError(f"{env_var}={explicit} is not an executable {program}")
    local = PROJECT / ".tools" / local_env / "bin" / program
    if local.is_file():
        return str(local)
    found = shutil.which(program)
    if found:
        return found
    raise EngineError(
        f"{program} is not installed",
        f"run './dev setup' (isolated install in .tools/{local_env}) or set {env_var}",
    )


def policies_root() -> Path:
    return Path(os.environ.get("CHECKER_POLICIES", PROJECT / "policies"))


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
        status=status,
        severity=meta.severity.value,
        incident=meta.incident,
        title=meta.title,
        address=address,
        attribute="",
        message=message,
        remediation=meta.remediation,
        input=input_name,
    )
