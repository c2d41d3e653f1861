"""A merge with one errored matrix job keeps everything: every finding the other jobs made,
each error with its cause, and the gate "error", in every output the gate writes and
every format `checker report` renders; a missing report is an error naming its job.

Three jobs: `app` fails TAP002, `web` fails TAP010, `data` could not check (its plan
step wrote no plan). Before, the merged Markdown, job summary, comment and SARIF of
`ci gate --reports` said "0 failed, 0 passed".
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.report import markdown
from checker.report.formats import ReportFormat
from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

pytestmark = pytest.mark.fast

JOBS = {"app": "tap002-put-item-only", "web": "tap010-pitr-disabled"}
FAILED = {("TAP002", "aws_iam_role.lambda", "stacks/app"), ("TAP010", "aws_dynamodb_table.main", "stacks/web")}  # fmt: skip
CAUSE = "stacks/data/plan.json: no such file"
CI_KEYS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jobs-template")
    by_id = {m.id: m for m in MUTATIONS}
    for job, mutation in JOBS.items():
        (root / "stacks" / job).mkdir(parents=True)
        write_scenario(root / "stacks" / job, by_id[mutation])
    return root


@pytest.fixture
def jobs(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The three matrix jobs run, each writing reports/JOB/ (data's plan step failed)."""
    root = tmp_path / "repo"
    shutil.copytree(template, root)
    (root / ".git").mkdir()
    for key in CI_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(root)
    for job in ("app", "data", "web"):
        code, _, err = invoke(
            "ci", "gate", "--plans", f"stacks/{job}/plan.json", "--out", f"reports/{job}"
        )
        assert code == (2 if job == "data" else 1), err
    assert CAUSE in json.loads(Path("reports/data/report.json").read_text())["errors"][0]
    return root


REPORTS = ["reports/app/report.json", "reports/data/report.json", "reports/web/report.json"]


def failed_of(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (f["rule_id"], f["address"], f["stack"])
        for f in report["findings"]
        if f["status"] == "failed"
    }


def assert_keeps_everything(fmt: ReportFormat, text: str) -> None:
    """The two failures (by rule, stack and address), the data job's cause, the gate error."""
    match fmt:
        case ReportFormat.json:
            report = json.loads(text)
            assert failed_of(report) == FAILED and report["summary"]["gate"] == "error"
            assert report["summary"]["failed"] == 2 and report["summary"]["passed"] > 0
            assert any(CAUSE in e for e in report["errors"])
        case ReportFormat.sarif:
            (run,) = json.loads(text)["runs"]
            got = {(r["ruleId"], r["properties"]["stack"]) for r in run["results"] if r["level"] != "note"}  # fmt: skip
            assert {(rule, stack) for rule, _, stack in FAILED} <= got
            (invocation,) = run["invocations"]
            assert invocation["executionSuccessful"] is False
            assert any(CAUSE in n["message"]["text"] for n in invocation["toolExecutionNotifications"])  # fmt: skip
        case ReportFormat.junit:
            suites = ElementTree.fromstring(text)
            failures = {c.get("name", "") for c in suites.iter("testcase") if c.find("failure") is not None}  # fmt: skip
            for _, address, stack in FAILED:
                assert any(f"{stack}: {address}" in name for name in failures), failures
            errors = [e.get("message", "") for e in suites.iter("error")]
            assert any(CAUSE in message for message in errors)
        case ReportFormat.codequality:
            issues = json.loads(text)
            assert {i["check_name"] for i in issues} == {"TAP002", "TAP010", "checker-error"}
            assert any(CAUSE in i["description"] and i["severity"] == "blocker" for i in issues)
        case ReportFormat.markdown:
            assert "checker: gate ERROR" in text and "**2 failed**" in text
            for _, address, stack in FAILED:
                assert markdown._cell(f"{stack}: {address}") in text
            assert markdown._cell(CAUSE) in text
        case _:  # text, html
            assert "gate ERROR" in text and "2 failed" in text
            for _, address, stack in FAILED:
                assert f"{stack}: {address}" in text
            assert CAUSE in text


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_checker_report_keeps_every_finding_and_the_cause(jobs: Path, fmt: ReportFormat) -> None:
    code, out, err = invoke("report", *REPORTS, "--format", fmt.value, "--no-color")
    assert code == 3, err
    assert_keeps_everything(fmt, out)


def test_ci_gate_merge_keeps_every_finding_in_every_file(
    jobs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    code, out, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "app data web",
        "--out", "merged",
    )  # fmt: skip
    assert code == 3, err
    merged = jobs / "merged"
    files = {
        ReportFormat.json: "report.json",
        ReportFormat.sarif: "report.sarif",
        ReportFormat.markdown: "report.md",
        ReportFormat.codequality: "codequality.json",
        ReportFormat.junit: "junit.xml",
    }
    for fmt, name in files.items():
        assert_keeps_everything(fmt, (merged / name).read_text(encoding="utf-8"))
    assert_keeps_everything(ReportFormat.text, out)
    # the job summary and the pull-request comment are the Markdown report
    assert_keeps_everything(ReportFormat.markdown, summary.read_text(encoding="utf-8"))
    assert "sarif=merged/report.sarif" in outputs.read_text().splitlines()
    assert "exit-code=3" in outputs.read_text().splitlines()


def test_a_missing_report_is_an_error_naming_its_job(jobs: Path) -> None:
    shutil.rmtree(jobs / "reports" / "web")
    code, _, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "app,data,web",
        "--out", "merged",
    )  # fmt: skip
    assert code == 3
    assert "error: no report of web among the 2 to merge" in err
    report = json.loads((jobs / "merged" / "report.json").read_text())
    assert any("no report of web" in e for e in report["errors"])
    assert failed_of(report) == {("TAP002", "aws_iam_role.lambda", "stacks/app")}
    # stacks name their reports too: reports/stacks/web/report.json, reports/web.json
    code, _, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "stacks/app app",
        "--out", "merged",
    )  # fmt: skip
    assert code == 3 and "no report of stacks/app" in err
    code, _, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "3",
        "--out", "merged",
    )  # fmt: skip
    assert code == 3 and "expected 3 reports to merge, found 2" in err


def test_every_job_present_is_no_error_of_its_own(jobs: Path) -> None:
    shutil.rmtree(jobs / "reports" / "data")
    code, _, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "app web",
        "--out", "merged",
    )  # fmt: skip
    assert code == 1, err
    report = json.loads((jobs / "merged" / "report.json").read_text())
    assert report["summary"]["gate"] == "failed" and "errors" not in report


@pytest.mark.parametrize("value", ["-1", "../app", "--out"])
def test_a_bad_expectation_is_exit_2_in_one_line(jobs: Path, value: str) -> None:
    code, out, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", f"--expect-reports={value}"
    )
    assert code == 2 and out == ""
    assert "--expect-reports" in err and "Traceback" not in err and len(err.splitlines()) <= 2


@pytest.mark.parametrize(
    "layout",
    ["checker-report/{stack}/report.json", "downloaded/checker-report-{i}/{stack}/report.json"],
)
def test_the_example_pipelines_layouts_name_their_stacks(jobs: Path, layout: str) -> None:
    """examples/ci: GitLab writes checker-report/$STACK/, GitHub downloads each artifact
    (stacks/app/report.json inside) into reports/checker-report-N/ (here downloaded/)."""
    for i, job in enumerate(("app", "web")):
        target = jobs / layout.format(stack=f"stacks/{job}", i=i)
        target.parent.mkdir(parents=True)
        shutil.copy(jobs / "reports" / job / "report.json", target)
    pattern = layout.split("/")[0] + "/**/report.json"
    code, _, err = invoke(
        "ci", "gate", "--reports", pattern, "--expect-reports", "stacks/app stacks/web",
        "--out", "merged",
    )  # fmt: skip
    assert code == 1, err
    code, _, err = invoke(
        "ci", "gate", "--reports", pattern, "--expect-reports", "stacks/app stacks/data stacks/web",
        "--out", "merged",
    )  # fmt: skip
    assert code == 3 and "no report of stacks/data among the 2 to merge" in err
