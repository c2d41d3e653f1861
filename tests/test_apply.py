"""`checker apply` orchestration.

Terraform cannot be installed on our machines, so these tests put a STAND-IN
`terraform` executable first on PATH. It records every call, writes a random
token into the saved plan file at `plan -out=...`, prints a given plan JSON at
`show -json`, and at `apply` records the plan file it was given and the token
inside it: the tests prove that what was checked is exactly what is applied.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

RUNNER = CliRunner()
STAND_IN = """#!{python}
import json, os, sys, uuid
log = os.environ["STANDIN_LOG"]
args = sys.argv[1:]
with open(log, "a") as handle:
    handle.write(json.dumps(args) + "\\n")
if os.environ.get("STANDIN_FAIL") == args[0]:
    print("Error: something went wrong", file=sys.stderr)
    sys.exit(1)
if args[0] == "plan":
    out = next(a.split("=", 1)[1] for a in args if a.startswith("-out="))
    with open(out, "w") as handle:
        handle.write("token:" + uuid.uuid4().hex)
elif args[0] == "show":
    print(open(os.environ["STANDIN_PLAN_JSON"]).read())
elif args[0] == "apply":
    with open(os.environ["STANDIN_APPLIED"], "w") as handle:
        handle.write(json.dumps({{"file": args[-1], "content": open(args[-1]).read()}}))
"""


@pytest.fixture()
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "terraform"
    script.write_text(STAND_IN.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    paths = {"log": tmp_path / "calls.log", "applied": tmp_path / "applied.json"}
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_LOG", str(paths["log"]))
    monkeypatch.setenv("STANDIN_APPLIED", str(paths["applied"]))
    monkeypatch.delenv("CHECKER_TERRAFORM", raising=False)
    return paths


def _stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mutation_id: str | None) -> None:
    stack = tmp_path / "stack"
    stack.mkdir()
    mutation = next((m for m in MUTATIONS if m.id == mutation_id), None)
    write_scenario(stack, mutation)
    (stack / "plan.json").rename(tmp_path / "plan.json")
    monkeypatch.setenv("STANDIN_PLAN_JSON", str(tmp_path / "plan.json"))
    monkeypatch.chdir(stack)


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_passing_check_applies_the_checked_plan_file(
    stand_in: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stack(tmp_path, monkeypatch, None)
    report = tmp_path / "report.json"
    result = RUNNER.invoke(
        app, ["apply", "--report", str(report), "--", "-var", "environment_suffix=dev"]
    )
    assert result.exit_code == 0, result.stderr
    calls = _calls(stand_in["log"])
    assert [c[0] for c in calls] == ["plan", "show", "apply"]
    plan_out = next(a.split("=", 1)[1] for a in calls[0] if a.startswith("-out="))
    assert calls[0][-2:] == ["-var", "environment_suffix=dev"]
    assert calls[1] == ["show", "-json", plan_out]
    assert calls[2] == ["apply", "-input=false", plan_out]
    applied = json.loads(stand_in["applied"].read_text())
    assert applied["file"] == plan_out and applied["content"].startswith("token:")
    assert json.loads(report.read_text())["summary"]["gate"] == "passed"
    assert "applying the checked plan" in result.stderr


def test_failing_check_never_applies(
    stand_in: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stack(tmp_path, monkeypatch, "tap010-pitr-disabled")
    result = RUNNER.invoke(app, ["apply"])
    assert result.exit_code == 1
    assert [c[0] for c in _calls(stand_in["log"])] == ["plan", "show"]
    assert not stand_in["applied"].exists()
    assert "TAP010" in result.stdout and "not applying" in result.stderr


@pytest.mark.parametrize("step", ["plan", "show", "apply"])
def test_a_failing_terraform_step_is_exit_3(
    step: str, stand_in: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stack(tmp_path, monkeypatch, None)
    monkeypatch.setenv("STANDIN_FAIL", step)
    result = RUNNER.invoke(app, ["apply"])
    assert result.exit_code == 3
    assert f"terraform {step}" in result.stderr and "failed (exit 1)" in result.stderr
    if step != "apply":
        assert not stand_in["applied"].exists()


def test_missing_terraform_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CHECKER_TERRAFORM", raising=False)
    result = RUNNER.invoke(app, ["apply"])
    assert result.exit_code == 3
    assert "terraform is not installed" in result.stderr and "install Terraform" in result.stderr
