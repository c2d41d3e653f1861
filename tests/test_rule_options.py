"""Typed options of the built-in rules (#14): TAP015's required outputs, the API Gateway
account of another stack for TAP013/TAP014; validated, unknown values refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import CheckerConfig
from checker.report.model import Report
from checker.run import CheckOptions, check_inputs
from tests.stacks.corpus import CHAINS, MODULAR, StackMutation, edit, fails

pytestmark = pytest.mark.fast

RUNNER = CliRunner()

# the account is a singleton of the region: a landing-zone stack owns it, this one does not
NO_ACCOUNT = StackMutation(
    "no-account",
    "TAP014",
    "the stack leaves the API Gateway account to another stack",
    (
        edit(
            'resource "aws_api_gateway_account" "account" {\n'
            "  cloudwatch_role_arn = aws_iam_role.apigw.arn\n"
            "  depends_on          = [aws_iam_role_policy_attachment.apigw]\n"
            "}\n",
            "",
        ),
        edit("  depends_on = [aws_api_gateway_account.account]\n", ""),
    ),
    fails(("TAP014", "aws_api_gateway_stage.prod")),
)


def _failed(report: Report) -> set[tuple[str, str]]:
    return {(f.rule_id, f.address) for f in report.findings if f.status == "failed"}


def _static(folder: Path, options: dict[str, dict[str, object]]) -> Report:
    return check_inputs([str(folder)], CheckOptions(), CheckerConfig(rule_options=options))


def test_an_account_managed_elsewhere_is_not_required(tmp_path: Path) -> None:
    folder = CHAINS.write(tmp_path / "stack", NO_ACCOUNT)
    assert _failed(_static(folder, {})) == set(NO_ACCOUNT.fails)
    elsewhere = {"api_gateway_account": "managed_elsewhere"}
    report = _static(folder, {"TAP013": elsewhere, "TAP014": elsewhere})
    assert _failed(report) == set()
    said = [f.note for f in report.findings if f.rule_id == "TAP014" and f.status == "passed"]
    assert any("managed_elsewhere" in note for note in said)


def test_required_outputs_are_an_option(tmp_path: Path) -> None:
    mutation = next(m for m in MODULAR.mutations if m.id == "tap015-no-api-url")
    folder = MODULAR.write(tmp_path / "stack", mutation)
    assert _failed(_static(folder, {})) == {("TAP015", "outputs")}
    fewer = {"required_outputs": ["environment", "bucket_name", "api_id", "function_arn"]}
    report = _static(folder, {"TAP015": fewer})
    assert _failed(report) == set()
    assert {f.attribute for f in report.findings if f.rule_id == "TAP015"} == {
        "environment",
        "bucket_name",
        "api_id",
        "function_arn",
    }


def test_an_unknown_output_kind_is_exit_2(tmp_path: Path) -> None:
    folder = MODULAR.write(tmp_path / "stack")
    config = tmp_path / "checker.toml"
    config.write_text(
        '[rules.TAP015]\nrequired_outputs = ["api_url", "ssh_key"]\n', encoding="utf-8"
    )
    result = RUNNER.invoke(app, ["check", str(folder), "--config", str(config)])
    assert result.exit_code == 2
    assert "TAP015" in result.output and "required_outputs" in result.output
