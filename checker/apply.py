"""`checker apply`: plan, check that saved plan, and apply exactly that plan only when the gate passes.

    terraform plan -input=false -out=PLAN [ARGS after --]
    terraform show -json PLAN   -> checked with the configured engines and gate
    terraform apply -input=false PLAN   (only when the gate passes)

Applying the saved plan file is what guarantees that what was checked is what
is applied: Terraform refuses a saved plan whose state has moved on. PLAN is
`--out FILE` when given (kept, and named in the report), else a temporary file
the report calls "not kept", never by a path that no longer exists. Terraform
gets `-no-color` when its output is not a terminal (a CI log, a pipe) or the
user asked for no colour.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from checker.config import CheckerConfig
from checker.errors import EngineError
from checker.report.model import Report
from checker.run import CheckOptions, check_inputs
from checker.terraform import INSTALL_HINT, find_terraform


@dataclass(frozen=True)
class ApplyResult:
    report: Report
    applied: bool


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


NOT_KEPT = "terraform plan (not kept: --out FILE keeps it)"


def _named(report: Report, old: str, new: str) -> Report:
    """The report with the checked input called by the name the user knows it by."""
    return replace(
        report,
        inputs=[replace(i, path=new) if i.path == old else i for i in report.inputs],
        findings=[replace(f, input=new) if f.input == old else f for f in report.findings],
    )


def plan_check_apply(
    plan_args: list[str],
    options: CheckOptions,
    config: CheckerConfig,
    announce: Callable[[Report], None] | None = None,
    out: Path | None = None,
    colour: bool = True,
) -> ApplyResult:
    terraform = find_terraform()
    plain = [] if colour else ["-no-color"]
    with tempfile.TemporaryDirectory(prefix="checker-apply-") as tmp:
        plan_file = out.resolve() if out is not None else Path(tmp) / "tfplan"
        _run(
            [terraform, "plan", "-input=false", *plain, f"-out={plan_file}", *plan_args],
            "terraform plan",
        )
        shown = _run(
            [terraform, "show", "-json", str(plan_file)], "terraform show -json", capture=True
        )
        plan_json = Path(tmp) / "plan.json"
        plan_json.write_text(shown, encoding="utf-8")
        source = options.source or Path.cwd()
        scoped = replace(options, source=source, stack_dir=options.stack_dir or source)
        report = check_inputs([str(plan_json)], scoped, config)
        report = _named(report, str(plan_json), str(out) if out is not None else NOT_KEPT)
        if announce is not None:
            announce(report)
        if report.gate_result() != "passed":
            return ApplyResult(report, applied=False)
        _run([terraform, "apply", "-input=false", *plain, str(plan_file)], "terraform apply")
        return ApplyResult(report, applied=True)
