"""The GitHub Action and the GitLab template, their script steps run here on real plans.

The steps install the checker from this checkout into a clean virtual
environment, run the gate on a compliant and a failing plan, and keep one
comment up to date on a stand-in for the GitHub / GitLab API (a local HTTP
server: the real ones are not reachable from CI). The files themselves pass
actionlint and the GitHub Action and GitLab CI schemas (`test_ci_examples`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.ci.comment import MARKER
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.ci_runner import clean_environment, run_action, run_gitlab_job
from tests.support.forge import Forge, running_forge
from tests.support.scenario import write_scenario

ACTION = ROOT / "action.yml"
TEMPLATE = ROOT / "templates" / "tap-checker.gitlab-ci.yml"
REPOSITORY = "acme/infra"
PULL = 7


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare virtual environment: the action's own install step fills it."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return venv / "bin"


@pytest.fixture()
def forge() -> Iterator[Forge]:
    with running_forge() as running:
        yield running


@pytest.fixture(scope="module")
def failing_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failing")
    write_scenario(folder, next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled"))
    return folder / "plan.json"


def _github_env(venv_bin: Path, forge: Forge, workdir: Path, fork: bool = False) -> dict[str, str]:
    event = workdir / "event.json"
    head = "someone/infra" if fork else REPOSITORY
    event.write_text(
        json.dumps({"pull_request": {"number": PULL, "head": {"repo": {"full_name": head}}}})
    )
    summary = workdir / "summary.md"
    summary.touch()
    return {
        **clean_environment(venv_bin),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": "ghs-test-token",
        "GITHUB_STEP_SUMMARY": str(summary),
    }


def test_the_action_gates_a_compliant_then_a_failing_plan_with_one_comment(
    venv_bin: Path, forge: Forge, failing_plan: Path, tmp_path: Path
) -> None:
    env = _github_env(venv_bin, forge, tmp_path)
    good = run_action(ACTION, {"plans": str(FIXTURE)}, env, tmp_path)
    assert good.exit_code == 0, good.log[-3000:]
    assert good.ran == ["Install the checker", "Gate", "Comment on the pull request", "Verdict"]
    assert good.outputs["exit-code"] == "0"
    assert (tmp_path / good.outputs["sarif"]).is_file()
    assert good.would_use == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    assert "checker: gate PASSED" in (tmp_path / "summary.md").read_text()
    (comment,) = forge.comments()
    assert (
        comment["body"].startswith(MARKER.format(key="gate")) and "gate PASSED" in comment["body"]
    )

    bad = run_action(ACTION, {"plans": str(failing_plan)}, env, tmp_path)
    assert bad.exit_code == 1 and bad.outputs["exit-code"] == "1"
    (edited,) = forge.comments()  # edited in place, not a second comment
    assert edited["id"] == comment["id"] and "gate FAILED" in edited["body"]
    assert "TAP010" in edited["body"]
    assert [m for m, p, _ in forge.requests if p != "/user"] == ["GET", "POST", "GET", "PATCH"]
    assert {auth for _, _, auth in forge.requests} == {"Bearer ghs-test-token"}
    summary = (tmp_path / "summary.md").read_text()
    assert "gate PASSED" in summary and "gate FAILED" in summary


def test_the_action_still_reports_when_the_check_cannot_run(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    env = _github_env(venv_bin, forge, tmp_path)
    run = run_action(ACTION, {"plans": "missing.plan.json"}, env, tmp_path)
    assert run.exit_code == 2 and run.outputs["exit-code"] == "2"
    assert "upload-sarif" not in " ".join(run.would_use)  # no SARIF of a check that did not run
    (comment,) = forge.comments()
    assert "gate ERROR" in comment["body"] and "missing.plan.json" in comment["body"]
    assert "could not check" in (tmp_path / "summary.md").read_text()


def test_a_fork_pull_request_skips_the_comment_without_failing(
    venv_bin: Path, forge: Forge, failing_plan: Path, tmp_path: Path
) -> None:
    env = _github_env(venv_bin, forge, tmp_path, fork=True)
    run = run_action(ACTION, {"plans": str(FIXTURE)}, env, tmp_path)
    assert run.exit_code == 0 and "Comment on the pull request" in run.ran
    assert "comment skipped: a pull request from a fork" in run.log
    assert forge.requests == []


def test_the_action_merges_the_reports_of_a_matrix(
    venv_bin: Path, forge: Forge, failing_plan: Path, tmp_path: Path
) -> None:
    env = _github_env(venv_bin, forge, tmp_path)
    for name, plan in (("app", FIXTURE), ("data", failing_plan)):
        job = run_action(
            ACTION,
            {"plans": str(plan), "comment": "false", "upload-sarif": "false",
             "output-dir": f"reports/{name}"},
            env, tmp_path,
        )  # fmt: skip
        assert "Comment on the pull request" not in job.ran and job.would_use == [
            "actions/setup-python@v5"
        ]
    merged = run_action(ACTION, {"reports": "reports/*/report.json"}, env, tmp_path)
    assert merged.exit_code == 1
    (comment,) = forge.comments()
    assert "gate FAILED" in comment["body"] and "TAP010" in comment["body"]
    report = json.loads((tmp_path / "checker-report" / "report.json").read_text())
    assert [i["path"] for i in report["inputs"]] == [str(FIXTURE), str(failing_plan)]


def test_the_gitlab_template_gates_and_keeps_one_note(
    venv_bin: Path, forge: Forge, failing_plan: Path, tmp_path: Path
) -> None:
    env = {
        **clean_environment(venv_bin),
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(tmp_path),
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": str(PULL),
        "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42",
        "CI_API_V4_URL": forge.url,
        "TAP_CHECKER_GITLAB_TOKEN": "glpat-test",
    }
    variables = {
        "TAP_CHECKER_PACKAGE": str(ROOT),
        "TAP_CHECKER_CONSTRAINTS": str(ROOT / "requirements" / "main.lock"),
    }
    good = run_gitlab_job(
        TEMPLATE, ".tap-checker", {**variables, "TAP_CHECKER_PLANS": str(FIXTURE)}, env, tmp_path
    )
    assert good.returncode == 0, (good.stdout + good.stderr)[-3000:]
    assert json.loads((tmp_path / "checker-report" / "codequality.json").read_text()) == []
    bad = run_gitlab_job(
        TEMPLATE,
        ".tap-checker",
        {**variables, "TAP_CHECKER_PLANS": str(failing_plan)},
        env,
        tmp_path,
    )
    assert bad.returncode == 1
    issues = json.loads((tmp_path / "checker-report" / "codequality.json").read_text())
    assert {(i["check_name"], i["severity"]) for i in issues} == {("TAP010", "minor")}
    assert all(i["location"]["path"] and i["fingerprint"] for i in issues)
    (note,) = forge.comments()
    assert "gate FAILED" in note["body"]
    assert [m for m, p, _ in forge.requests if p != "/user"] == ["GET", "POST", "GET", "PUT"]
    assert {auth for _, _, auth in forge.requests} == {"glpat-test"}
    assert (tmp_path / "checker-report" / "junit.xml").is_file()
