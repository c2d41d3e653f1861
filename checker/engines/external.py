"""What the engines that run another program share: finding it, and findings under catalogue IDs."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from checker.errors import EngineError
from checker.report.model import Finding
from checker.rules.registry import rule_by_id


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
