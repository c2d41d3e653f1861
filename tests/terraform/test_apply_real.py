"""`checker apply` with real Terraform against moto.

Terraform is wrapped by a recorder (`CHECKER_TERRAFORM`) that runs the real
binary and notes the SHA-256 of the plan file `plan -out` wrote and of the file
`apply` was given: the plan applied is byte for byte the plan checked.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.terraform.fixtures import CREATE_FIXTURE, canonical_inputs, mutation_inputs, read_plan
from tests.terraform.harness import MotoServer, Workspace, find_aws_mirror

RECORDER = """#!{python}
import hashlib, json, os, subprocess, sys
args = sys.argv[1:]
done = subprocess.run([{terraform!r}, *args])
record = {{"args": args}}
if args and args[0] == "plan":
    out = next(a.split("=", 1)[1] for a in args if a.startswith("-out="))
    record["planned"] = hashlib.sha256(open(out, "rb").read()).hexdigest()
if args and args[0] == "apply":
    record["applied"] = hashlib.sha256(open(args[-1], "rb").read()).hexdigest()
with open({log!r}, "a") as handle:
    handle.write(json.dumps(record) + "\\n")
sys.exit(done.returncode)
"""


@pytest.fixture
def recorded(
    tmp_path: Path, moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Workspace], Path]:
    """Run `checker apply` in a workspace through the recorder; returns the log path."""
    terraform = shutil.which("terraform")
    assert terraform is not None
    log = tmp_path / "terraform-calls.log"
    script = tmp_path / "terraform-recorder"
    script.write_text(RECORDER.format(python=sys.executable, terraform=terraform, log=str(log)))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    moto.reset()

    def enter(workspace: Workspace) -> Path:
        for key, value in workspace.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("CHECKER_TERRAFORM", str(script))
        monkeypatch.chdir(workspace.directory)
        return log

    return enter


def calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def tables(moto: MotoServer) -> list[str]:
    client = moto.client("dynamodb")
    names: list[str] = client.list_tables()["TableNames"]
    return names


def test_a_failing_plan_is_not_applied(
    workspace_for: Callable[[Path], Workspace],
    recorded: Callable[[Workspace], Path],
    moto: MotoServer,
    tmp_path: Path,
) -> None:
    workspace = workspace_for(mutation_inputs("tap010-pitr-disabled").write(tmp_path / "stack"))
    log = recorded(workspace)
    result = CliRunner().invoke(app, ["apply", "--report", str(tmp_path / "report.json")])
    assert result.exit_code == 1, result.stderr
    assert "not applying" in result.stderr
    assert [c["args"][0] for c in calls(log)] == ["plan", "show"]
    assert tables(moto) == []
    report = json.loads((tmp_path / "report.json").read_text())
    failed = {(f["rule_id"], f["address"]) for f in report["findings"] if f["status"] == "failed"}
    assert failed == {("TAP010", "aws_dynamodb_table.main")}


def test_a_passing_plan_is_applied_byte_for_byte(
    workspace_for: Callable[[Path], Workspace],
    recorded: Callable[[Workspace], Path],
    moto: MotoServer,
    tmp_path: Path,
) -> None:
    workspace = workspace_for(canonical_inputs().write(tmp_path / "stack"))
    log = recorded(workspace)
    result = CliRunner().invoke(app, ["apply", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    recorded_calls = calls(log)
    assert [c["args"][0] for c in recorded_calls] == ["plan", "show", "apply"]
    assert recorded_calls[0]["planned"] == recorded_calls[2]["applied"]
    state = json.loads((workspace.directory / "terraform.tfstate").read_text())
    managed = {f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"}
    planned = read_plan(CREATE_FIXTURE)["resource_changes"]
    assert managed == {r["address"] for r in planned if r["mode"] == "managed"}
    assert tables(moto) == ["tap-dev-records"]
    workspace.destroy()
    assert tables(moto) == []


def _statuses(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["address"], f["status"]) for f in report["findings"]}


def test_apply_keeps_the_plan_where_asked_and_takes_the_gate_options(
    workspace_for: Callable[[Path], Workspace],
    recorded: Callable[[Workspace], Path],
    moto: MotoServer,
    tmp_path: Path,
) -> None:
    workspace = workspace_for(mutation_inputs("tap010-pitr-disabled").write(tmp_path / "stack"))
    log = recorded(workspace)
    kept = tmp_path / "kept.tfplan"
    first = CliRunner().invoke(
        app, ["apply", "--out", str(kept), "--report", str(tmp_path / "a.json")]
    )
    assert first.exit_code == 1 and kept.is_file()
    report = json.loads((tmp_path / "a.json").read_text())
    assert [i["path"] for i in report["inputs"]] == [str(kept)]
    assert {f["input"] for f in report["findings"]} == {str(kept)}
    # a pipe is not a terminal: Terraform is asked for no colour
    assert all("-no-color" in c["args"] for c in calls(log) if c["args"][0] in ("plan", "apply"))
    # the same failure, now in the baseline, no longer fails the gate: it is applied
    second = CliRunner().invoke(
        app,
        ["apply", "--baseline", str(tmp_path / "a.json"), "--source", str(workspace.directory),
         "--engine", "native", "--report", str(tmp_path / "b.json")],
    )  # fmt: skip
    assert second.exit_code == 0, second.stderr
    again = json.loads((tmp_path / "b.json").read_text())
    assert again["summary"]["baselined"] == 1 and again["inputs"][0]["path"].startswith(
        "terraform plan"
    )
    assert tables(moto) == ["tap-dev-records"]
    workspace.destroy()


def test_check_reads_a_binary_plan_through_terraform_show(
    workspace_for: Callable[[Path], Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = workspace_for(mutation_inputs("tap010-pitr-disabled").write(tmp_path / "stack"))
    shown = workspace.plan("tfplan")
    (tmp_path / "plan.json").write_text(json.dumps(shown))
    for key, value in workspace.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CI", "true")  # as in CI: a binary plan is refused unless the job says
    runner = CliRunner()
    plan = str(workspace.directory / "tfplan")
    refused = runner.invoke(app, ["check", plan, "--format", "json"])
    assert refused.exit_code == 2 and "--binary-plans convert" in refused.stderr, refused.stderr
    aws_mirror = find_aws_mirror()
    assert aws_mirror is not None
    convert = ["--binary-plans", "convert", "--plugin-dir", str(aws_mirror)]
    convert += ["--plugin-dir", str(workspace.cli_config.parent / "mirror")]  # archive stand-in
    binary = runner.invoke(app, ["check", plan, "--format", "json", *convert])
    text = runner.invoke(
        app,
        [
            "check",
            str(tmp_path / "plan.json"),
            "--format",
            "json",
            "--source",
            str(workspace.directory),
        ],
    )
    assert binary.exit_code == text.exit_code == 1, binary.stderr
    found = json.loads(binary.stdout)
    assert _statuses(found) == _statuses(json.loads(text.stdout))
    assert ("TAP010", "aws_dynamodb_table.main", "failed") in _statuses(found)
    notes = found["inputs"][0]["notes"]
    assert any("binary plan" in n and f"plugin directory {aws_mirror}" in n for n in notes), notes
    monkeypatch.setenv("CHECKER_TERRAFORM", str(tmp_path / "no-terraform"))
    missing = runner.invoke(app, ["check", plan, *convert])
    assert missing.exit_code == 2
    assert "binary plan file and terraform is not on PATH" in missing.stderr
    assert "terraform show -json" in missing.stderr
