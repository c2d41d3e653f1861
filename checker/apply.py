"""`checker apply`: plan, check that saved plan, and apply exactly that plan only when the gate passes.

    terraform plan -input=false -out=<tmp>/tfplan [ARGS after --]
    terraform show -json <tmp>/tfplan   -> checked with the configured engines and gate
    terraform apply -input=false <tmp>/tfplan   (only when the gate passes)

Applying the saved plan file is what guarantees that what was checked is what
is applied: Terraform refuses a saved plan whose state has moved on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from checker.config import CheckerConfig
from checker.errors import EngineError
from checker.report.model import Report
from checker.run import CheckOptions, check_inputs

INSTALL_HINT = (
    "install Terraform (https://developer.hashicorp.com/terraform/install) or set CHECKER_TERRAFORM"
)


@dataclass(frozen=True)
class ApplyResult:
    report: Report
    applied: bool


def find_terraform() -> str:
    explicit = os.environ.get("CHECKER_TERRAFORM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise EngineError(f"CHECKER_TERRAFORM={explicit} is not an executable", INSTALL_HINT)
    found = shutil.which("terraform")
    if found is None:
        raise EngineError("terraform is not installed or not on PATH", INSTALL_HINT)
    return found


def _run(command: list[str], what: str, capture: bool = False) -> str:
    try:
        done = subprocess.run(command, capture_output=capture, text=True, check=False)
    except OSError as error:
        raise EngineError(f"{what} could not start: {error.strerror}", INSTALL_HINT) from None
    if done.returncode != 0:
        tail = ""
        if capture and done.stderr.strip():
            tail = ": " + done.stderr.strip().splitlines()[-1][:200]
        raise EngineError(f"{what} failed (exit {done.returncode}){tail}")
    return done.stdout if capture else ""


def plan_check_apply(
    plan_args: list[str],
    options: CheckOptions,
    config: CheckerConfig,
    announce: Callable[[Report], None] | None = None,
) -> ApplyResult:
    terraform = find_terraform()
    with tempfile.TemporaryDirectory(prefix="checker-apply-") as tmp:
        plan_file = Path(tmp) / "tfplan"
        _run([terraform, "plan", "-input=false", f"-out={plan_file}", *plan_args], "terraform plan")
        shown = _run(
            [terraform, "show", "-json", str(plan_file)], "terraform show -json", capture=True
        )
        plan_json = Path(tmp) / "plan.json"
        plan_json.write_text(shown, encoding="utf-8")
        source = options.source or Path.cwd()
        report = check_inputs([str(plan_json)], replace(options, source=source), config)
        if announce is not None:
            announce(report)
        if report.gate_result() != "passed":
            return ApplyResult(report, applied=False)
        _run([terraform, "apply", "-input=false", str(plan_file)], "terraform apply")
        return ApplyResult(report, applied=True)
