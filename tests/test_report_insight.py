"""What a plan holds beyond its verdicts, on real plans: drift, coverage, value traces, and the
gate's use of the changes (`--fail-on-new`, `--require-coverage`) in every report format.

Drift plans are written by Terraform against moto after an out-of-band change through the
AWS API (`python -m tests.terraform.history --drift`); the rest are the committed real
plans of the mutations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.config import CheckerConfig
from checker.report.formats import render
from checker.report.kinds import ReportFormat
from checker.report.merge import merge_reports
from checker.report.model import Change, Drift, Report, TraceStep, load_report
from checker.run import CheckOptions, check_inputs
from tests.terraform.fixtures import (
    CREATE_FIXTURE,
    REAL,
    UPDATE_FIXTURE,
    mutation_inputs,
    read_plan,
)
from tests.terraform.history import DRIFT_INDEX, DRIFTS, HISTORY, drift_digest

runner = CliRunner()


def staged(tmp_path: Path, plan: dict[str, object], name: str = "plan.json") -> Path:
    path = tmp_path / "plans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def check(path: Path, **options: object) -> Report:
    return check_inputs([str(path)], CheckOptions(**options), CheckerConfig())  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ drift


def test_every_drift_plan_matches_its_inputs() -> None:
    index = json.loads(DRIFT_INDEX.read_text(encoding="utf-8"))
    assert index == {name: drift_digest(name) for name in DRIFTS}, "run --drift again"


def test_drift_the_plan_overwrites(tmp_path: Path) -> None:
    """Recovery turned off and the function's log retention removed outside Terraform: the
    configuration sets both, so the plan sets them back (and so fixes what the drift broke)."""
    report = check(staged(tmp_path, read_plan(HISTORY / "drift-overwrites.json.gz")))
    (info,) = report.inputs
    assert info.drift == (
        Drift(
            "aws_cloudwatch_log_group.lambda",
            ("retention_in_days",),
            "overwrites",
            ("TAP008 aws_cloudwatch_log_group.lambda: passed -> failed",),
        ),
        Drift(
            "aws_dynamodb_table.main",
            ("point_in_time_recovery",),
            "overwrites",
            ("TAP010 aws_dynamodb_table.main: passed -> failed",),
        ),
    )
    fixed = {(f.rule_id, f.address) for f in report.findings if f.change == Change.FIXED}
    assert ("TAP010", "aws_dynamodb_table.main") in fixed
    assert report.gate_result() == "passed"
    # in every format, and back from JSON
    line = info.drift[1].line()
    assert line.startswith("aws_dynamodb_table.main: point_in_time_recovery changed outside")
    assert f"drift: {info.path}: {line}" in render(report, ReportFormat.text)
    assert "point\\_in\\_time\\_recovery changed outside Terraform" in render(
        report, ReportFormat.markdown
    )
    assert "point_in_time_recovery changed outside Terraform" in render(report, ReportFormat.html)
    sarif = json.loads(render(report, ReportFormat.sarif))
    (drifts,) = sarif["runs"][0]["properties"]["drift"].values()
    assert [d["address"] for d in drifts] == [d.address for d in info.drift]
    saved = tmp_path / "report.json"
    saved.write_text(render(report, ReportFormat.json), encoding="utf-8")
    assert load_report(saved, ()).inputs[0].drift == info.drift


def test_drift_the_plan_keeps(tmp_path: Path) -> None:
    """No recovery block in the configuration (Optional+Computed): recovery turned on outside
    Terraform stays, and the rule passes on the drifted value the plan keeps."""
    report = check(staged(tmp_path, read_plan(HISTORY / "drift-keeps.json.gz")))
    (info,) = report.inputs
    assert info.drift == (
        Drift(
            "aws_dynamodb_table.main",
            ("point_in_time_recovery",),
            "keeps",
            ("TAP010 aws_dynamodb_table.main: failed -> passed",),
        ),
    )
    text = render(report, ReportFormat.text)
    assert "the plan keeps the drifted value" in text


def test_drift_no_rule_judges_is_not_reported(tmp_path: Path) -> None:
    """The canonical update plan's refresh finds moto's own drift on 16 resources (tags,
    defaults): none turns a verdict, so none is reported."""
    plan = read_plan(UPDATE_FIXTURE)
    assert len(plan["resource_drift"]) >= 10  # type: ignore[arg-type]
    (info,) = check(staged(tmp_path, plan)).inputs
    assert info.drift == ()


# --------------------------------------------------------------------------- coverage


def test_coverage_of_the_canonical_plan_is_whole(tmp_path: Path) -> None:
    (info,) = check(staged(tmp_path, read_plan(CREATE_FIXTURE))).inputs
    assert info.coverage is not None
    assert (info.coverage.judged_types, info.coverage.unjudged) == (28, ())


def test_a_resource_no_rule_reads_is_named_and_can_fail_the_gate(tmp_path: Path) -> None:
    """Without its aws_api_gateway_account, the API Gateway logging role is judged by no rule."""
    path = staged(tmp_path, read_plan(REAL / "tap014-no-account.create.json.gz"))
    report = check(path)
    (info,) = report.inputs
    assert info.coverage is not None
    assert info.coverage.unjudged == ("aws_iam_role.apigateway_cloudwatch",)
    assert "unchecked: aws_iam_role.apigateway_cloudwatch" in info.coverage.line()
    assert not report.coverage_fails()
    strict = check(path, gate=type(report.gate)(require_coverage=True))
    assert strict.coverage_fails() and strict.gate_result() == "failed"
    for kind in (ReportFormat.text, ReportFormat.markdown, ReportFormat.html):
        shown = render(report, kind).replace("\\_", "_")  # Markdown escapes underscores
        assert "unchecked: aws_iam_role.apigateway_cloudwatch" in shown
    sarif = json.loads(render(report, ReportFormat.sarif))
    coverage = sarif["runs"][0]["properties"]["coverage"]
    assert next(iter(coverage.values()))["unjudged"] == ["aws_iam_role.apigateway_cloudwatch"]
    saved = tmp_path / "report.json"
    saved.write_text(render(strict, ReportFormat.json), encoding="utf-8")
    again = load_report(saved, ())
    assert again.inputs[0].coverage == info.coverage and again.coverage_fails()


# ------------------------------------------------------------------------------ traces


def test_a_failing_value_traced_to_the_variable_default(tmp_path: Path) -> None:
    inputs = mutation_inputs("tap011-force-destroy-from-variable")
    source = inputs.write(tmp_path / "stack")
    plan = read_plan(REAL / "tap011-force-destroy-from-variable.create.json.gz")
    report = check(staged(tmp_path / "stack", plan), source=source)
    (finding,) = [f for f in report.findings if f.status == "failed"]
    lines = inputs.tf.splitlines()
    first, second = finding.trace
    assert first.what == "aws_s3_bucket.logs.force_destroy <- var.force_destroy"
    assert lines[first.line - 1].strip() == "force_destroy = var.force_destroy"
    assert second.what == "var.force_destroy <- its default"
    assert lines[second.line - 1].strip().startswith("default")
    assert first.file.endswith("tap_stack.tf") and second.file.endswith("tap_stack.tf")

    # from the plan alone: the references, no lines
    alone = check(staged(tmp_path / "alone", plan))
    (bare,) = [f for f in alone.findings if f.status == "failed"]
    assert [s.what for s in bare.trace] == [
        "aws_s3_bucket.logs.force_destroy <- var.force_destroy",
        "var.force_destroy (given to the plan: -var, a variable file or TF_VAR_force_destroy)",
    ]
    assert all(not s.file for s in bare.trace)


def test_a_trace_in_every_format_and_back(tmp_path: Path) -> None:
    inputs = mutation_inputs("tap011-force-destroy-from-variable")
    source = inputs.write(tmp_path / "stack")
    plan = read_plan(REAL / "tap011-force-destroy-from-variable.create.json.gz")
    report = check(staged(tmp_path / "stack", plan), source=source)
    text = render(report, ReportFormat.text)
    assert re.search(r"trace: +aws_s3_bucket.logs.force_destroy <- var.force_destroy \(", text)
    assert "Where the values came from" in render(report, ReportFormat.markdown)
    assert "where the value came from" in render(report, ReportFormat.html)
    sarif = json.loads(render(report, ReportFormat.sarif))
    (result,) = sarif["runs"][0]["results"]
    assert [r["message"]["text"] for r in result["relatedLocations"]][-1] == (
        "the value comes through: var.force_destroy <- its default"
    )
    saved = tmp_path / "report.json"
    saved.write_text(render(report, ReportFormat.json), encoding="utf-8")
    again = load_report(saved, ())
    (back,) = [f for f in again.findings if f.status == "failed"]
    assert back.trace == report.findings[[f.status for f in report.findings].index("failed")].trace
    assert all(isinstance(step, TraceStep) for step in back.trace)


# ----------------------------------------------------------- the gate and the changes


@pytest.mark.parametrize(
    ("plan", "fail_on_new", "code"),
    [
        (REAL / "tap010-pitr-disabled.update.json.gz", False, 1),
        (REAL / "tap010-pitr-disabled.update.json.gz", True, 1),
        (HISTORY / "tap010-pitr-disabled.inherited.json.gz", False, 1),
        (HISTORY / "tap010-pitr-disabled.inherited.json.gz", True, 0),
        (HISTORY / "tap010-pitr-disabled.fixed.json.gz", True, 0),
    ],
    ids=["introduced", "introduced-new-only", "inherited", "inherited-new-only", "fixed"],
)
def test_fail_on_new(plan: Path, fail_on_new: bool, code: int, tmp_path: Path) -> None:
    path = staged(tmp_path, read_plan(plan))
    args = ["check", str(path), "--format", "json", "--output", str(tmp_path / "r.json")]
    result = runner.invoke(app, args + ["--fail-on-new"] * fail_on_new)
    assert result.exit_code == code, result.output
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert summary["fail_on_new"] is fail_on_new


def test_changes_in_every_format(tmp_path: Path) -> None:
    inherited = check(
        staged(tmp_path, read_plan(HISTORY / "tap010-pitr-disabled.inherited.json.gz"))
    )
    fixed = check(
        staged(tmp_path, read_plan(HISTORY / "tap010-pitr-disabled.fixed.json.gz"), "f.json")
    )
    text = render(inherited, ReportFormat.text)
    assert "1 failed (1 inherited)" in text
    assert "change:   inherited from the prior state" in text
    assert "1 fixed" in render(fixed, ReportFormat.text)
    assert "### Fixed by this plan" in render(fixed, ReportFormat.markdown)
    assert "inherited from the prior state" in render(inherited, ReportFormat.html)
    fixed_results = json.loads(render(fixed, ReportFormat.sarif))["runs"][0]["results"]
    changed = [r for r in fixed_results if "baselineState" in r]  # unknowns have no change
    assert [(r["ruleId"], r["baselineState"], r["kind"]) for r in changed] == [
        ("TAP010", "absent", "pass")
    ]
    sarif_inherited = json.loads(render(inherited, ReportFormat.sarif))["runs"][0]["results"]
    assert [r["baselineState"] for r in sarif_inherited if r["ruleId"] == "TAP010"] == ["unchanged"]
    data = json.loads(render(inherited, ReportFormat.json))
    assert data["summary"]["changes"] == {"introduced": 0, "inherited": 1, "fixed": 0, "unknown": 0}
    saved = tmp_path / "inherited.json"
    saved.write_text(render(inherited, ReportFormat.json), encoding="utf-8")
    assert [f.change for f in load_report(saved, ()).findings if f.change] == ["inherited"]


def test_a_merge_keeps_fail_on_new_only_when_every_job_used_it(tmp_path: Path) -> None:
    path = staged(tmp_path, read_plan(HISTORY / "tap010-pitr-disabled.inherited.json.gz"))
    lenient = check(path, gate=type(Report([], []).gate)(new_only=True))
    strict = check(path)
    assert lenient.gate_result() == "passed" and strict.gate_result() == "failed"
    assert merge_reports([lenient, lenient]).gate_result() == "passed"
    assert merge_reports([lenient, strict]).gate_result() == "failed"


def test_prior_source_must_be_a_directory(tmp_path: Path) -> None:
    path = staged(tmp_path, read_plan(REAL / "tap010-pitr-disabled.update.json.gz"))
    result = runner.invoke(app, ["check", str(path), "--prior-source", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "--prior-source" in result.output and "Traceback" not in result.output


def test_prior_source_settles_a_configuration_only_change(tmp_path: Path) -> None:
    """`depends_on` removed: the plan alone cannot tell (unknown, naming --prior-source);
    the base revision's sources say it is introduced, and --fail-on-new fails."""
    path = staged(tmp_path, read_plan(REAL / "tap001-no-depends-on.update.json.gz"))
    alone = check(path)
    (finding,) = [f for f in alone.findings if f.status == "failed"]
    assert finding.change == Change.UNKNOWN and "--prior-source" in finding.change_note
    from tests.terraform.fixtures import canonical_inputs

    base = canonical_inputs().write(tmp_path / "base")
    settled = check(path, prior_source=base)
    (finding,) = [f for f in settled.findings if f.status == "failed"]
    assert finding.change == Change.INTRODUCED
    args = ["check", str(path), "--fail-on-new", "--prior-source", str(base), "--format", "json"]
    assert runner.invoke(app, args).exit_code == 1
