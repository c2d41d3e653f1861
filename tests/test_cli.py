"""The check command: exit codes, the JSON contract, the text report, the gate options."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.rules.registry import all_rules
from tests.mutations import MUTATIONS
from tests.support.builtin import BUILTIN_IDS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.scenario import write_scenario

pytestmark = pytest.mark.fast

RUNNER = CliRunner()
BY_ID = {m.id: m for m in MUTATIONS}


@pytest.fixture(autouse=True)
def in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # [tool.checker] of pyproject.toml: source = "."


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_canonical_plan_passes_with_a_finding_from_every_rule() -> None:
    code, out, _ = invoke("check", str(FIXTURE), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["schema"] == "checker.report/v1"
    assert report["summary"]["failed"] == 0 and report["summary"]["gate"] == "passed"
    passed = {f["rule_id"] for f in report["findings"] if f["status"] == "passed"}
    assert passed == {r.meta.id for r in all_rules()}
    for finding in report["findings"]:
        assert {
            "rule_id",
            "engine",
            "engine_check_id",
            "status",
            "severity",
            "incident",
            "title",
            "address",
            "attribute",
            "message",
            "remediation",
            "input",
        } <= set(finding)


def failing_plan(tmp_path: Path, mutation_id: str) -> Path:
    write_scenario(tmp_path, BY_ID[mutation_id])
    return tmp_path / "plan.json"  # beside its .tf files: the sources are used


def test_failing_plan_exits_1_with_a_readable_text_report(tmp_path: Path) -> None:
    plan = failing_plan(tmp_path, "tap003-via-service-other-region")
    code, out, _ = invoke("check", str(plan), "--format", "text")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("checker: gate FAILED: 1 failed")
    assert lines[2] == "FAILED"
    block = out.split("FAILED\n", 2)[-1]
    assert "TAP003 [critical]" in block
    assert "aws_kms_key.main (policy)" in block
    assert (
        "found:    aws_kms_key.main: no statement lets lambda.amazonaws.com kms:CreateGrant via "
        "lambda.us-east-1.amazonaws.com for AWS resources (aws_kms_key.main statement 3 "
        "(LambdaCreateGrantViaService) allows it only with Bool kms:GrantIsForAWSResource = true, "
        "StringEquals kms:ViaService = lambda.us-west-2.amazona" in block
    )
    assert (
        "expected: kms:CreateGrant for lambda.amazonaws.com only with kms:ViaService = lambda.us-east-1.amazonaws.com"
        in block
    )
    assert "fix:      In the key policy keep the account-root statement" in block
    assert out.index("FAILED\n") < out.index("PASSED\n")
    assert "\x1b[" not in out  # no colour off a TTY


def test_fail_on_threshold(tmp_path: Path) -> None:
    plan = failing_plan(tmp_path, "tap011-force-destroy-false")  # a low-severity failure
    assert invoke("check", str(plan), "--format", "json")[0] == 1
    code, out, _ = invoke("check", str(plan), "--format", "json", "--fail-on", "medium")
    assert code == 0
    assert json.loads(out)["summary"] == {
        **json.loads(out)["summary"],
        "failed": 1,
        "gate": "passed",
    }


def test_unknown_policy(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(FIXTURE.read_text())
    os.chdir(tmp_path)  # no pyproject: no sources, so some rules cannot decide
    code, out, _ = invoke("check", str(plan), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["summary"]["unknown"] > 0
    assert invoke("check", str(plan), "--format", "json", "--unknown", "fail")[0] == 1


def test_several_inputs_in_one_report(tmp_path: Path) -> None:
    plan = failing_plan(tmp_path, "tap010-pitr-disabled")
    code, out, _ = invoke("check", str(FIXTURE), str(plan), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [i["path"] for i in report["inputs"]] == [str(FIXTURE), str(plan)]
    failed = {(f["input"], f["rule_id"]) for f in report["findings"] if f["status"] == "failed"}
    assert failed == {(str(plan), "TAP010")}


def test_output_file_gets_report_and_stderr_gets_summary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, err = invoke("check", str(FIXTURE), "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["summary"]["gate"] == "passed"
    assert err.startswith("checker: gate PASSED")


CRASHING_PACK = """
from dataclasses import replace
from checker.rules.registry import builtin_rules

def boom(ctx):
    raise KeyError("unexpected shape")

RULE = replace(builtin_rules()[0], meta=replace(builtin_rules()[0].meta, id="BOOM001"), check=boom)
"""


def test_a_crashing_rule_is_an_engine_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "boom.py").write_text(CRASHING_PACK, encoding="utf-8")
    code, out, err = invoke("check", str(FIXTURE), "--format", "json", "--rules", str(tmp_path))
    report = json.loads(out)
    assert code == 3
    assert report["summary"]["gate"] == "error"
    (error,) = [f for f in report["findings"] if f.get("error")]
    assert error["rule_id"] == "BOOM001" and "rule error: KeyError" in error["message"]
    assert "Traceback" not in err


def test_disabled_rule_and_rule_options(tmp_path: Path) -> None:
    config = tmp_path / "checker.toml"
    config.write_text('disabled = ["TAP011"]\n[rules.TAP007]\nroutes = ["GET /missing"]\n')
    plan = failing_plan(tmp_path, "tap011-force-destroy-false")
    code, out, _ = invoke("check", str(plan), "--format", "json", "--config", str(config))
    report = json.loads(out)
    assert "TAP011" not in {f["rule_id"] for f in report["findings"]}
    failed = {(f["rule_id"], f["message"]) for f in report["findings"] if f["status"] == "failed"}
    assert failed == {
        (
            "TAP007",
            "no Lambda integration serves GET /missing; expected an AWS_PROXY integration for GET /missing",
        )
    }
    assert code == 1


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("disabled = [")
    code, _, err = invoke("check", str(FIXTURE), "--config", str(config))
    assert code == 2 and "invalid TOML" in err


def test_rules_command_lists_the_catalogue() -> None:
    code, out, _ = invoke("rules", "--format", "json")
    catalogue = json.loads(out)
    assert code == 0
    assert [r["id"] for r in catalogue] == list(BUILTIN_IDS)
    assert catalogue[2]["severity"] == "critical"


def test_changed_files_map_to_their_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.changed import inputs_of_changes

    for name in ("stacks/app", "stacks/app/modules/net", "stacks/data", "docs"):
        (tmp_path / name).mkdir(parents=True)
    for name in ("stacks/app/main.tf", "stacks/app/modules/net/main.tf", "stacks/data/main.tf"):
        (tmp_path / name).write_text("")
    (tmp_path / "docs" / "x.tfvars").write_text("")
    (tmp_path / "stacks" / "app" / "a.plan.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    changed = [
        "stacks/app/main.tf", "stacks/app/prod.tfvars", "stacks/app/modules/net/main.tf",
        "docs/x.tfvars", "README.md", "stacks/app/a.plan.json", "stacks/data/main.tf",
        "stacks/app/main.tf",
    ]  # fmt: skip
    assert inputs_of_changes(changed, ()) == [
        "stacks/app", "stacks/app/modules/net", "stacks/app/a.plan.json", "stacks/data",
    ]  # fmt: skip
    listed = (tmp_path / "stacks" / "app",)
    assert inputs_of_changes(changed, listed) == [str(listed[0]), "stacks/app/a.plan.json"]


def test_ci_gate_refuses_bad_arguments_and_still_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = RUNNER.invoke(
        app, ["ci", "gate", "--plans", str(FIXTURE), "--args", '"unbalanced', "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "could not check" in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text())["summary"]["gate"] == "error"
    for plans, engines, message in (
        ("missing-*.json", "native", "matches no file"),
        (str(FIXTURE), "native,bogus", "unknown engine 'bogus'"),
        ("", "native", "nothing to check"),
    ):
        result = RUNNER.invoke(
            app, ["ci", "gate", "--plans", plans, "--engines", engines, "--out", str(out)]
        )
        assert result.exit_code == 2 and message in (out / "report.md").read_text(), message
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = RUNNER.invoke(
        app, ["ci", "gate", "--plans", str(FIXTURE), "--out", str(blocked / "x")]
    )
    assert result.exit_code == 2 and "cannot be created" in result.stderr


def test_an_empty_change_list_is_nothing_to_check_and_no_path_is_a_usage_error() -> None:
    """An empty `git diff` handed to `check --changed --` passes; `check` with no PATH is
    exit 2 in one line (issue 27: rough edges)."""
    code, _, err = invoke("check", "--changed", "--")
    assert code == 0 and "nothing to check (no changed files)" in err
    code, _, err = invoke("check")
    assert code == 2 and err.strip().splitlines() == [
        "error: check needs at least one PATH (a plan JSON file, '-' or a directory)"
    ]


def test_the_help_shows_readable_names() -> None:
    _, out, _ = invoke("check", "--help")
    assert "{paths}" not in out and "<list[native" not in out
    assert "[native|checkov|compliance|all]" in out


def test_version_is_answered_before_the_command_line_library_loads() -> None:
    """`checker --version` (the script's entry, `checker.entry`) prints what the command
    line's `--version` prints, without importing typer, click or rich."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from checker.entry import main\n"
        "sys.argv = ['checker', '--version']\n"
        "main()\n"
        "assert not {'typer', 'click', 'rich'} & set(sys.modules), sorted(sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == CliRunner().invoke(app, ["--version"]).output
    assert done.stdout.startswith("checker ")
