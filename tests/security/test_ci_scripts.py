"""The Action's script steps and the GitLab template's script, run on a hostile checkout.

The pull request's checkout holds Python packages named like the tools the steps run
(`pip`, `venv`, `checker`), each writing a marker when imported, a ready-made fake engine
where the template once kept its cache, and a failing plan. The steps run as the runners
run them (`tests/support/ci_runner.py`): no marker may appear and the failing plan must
fail the job. A merge of matrix reports with one missing must not pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.ci_runner import clean_environment, run_action, run_gitlab_job
from tests.support.forge import Forge, running_forge
from tests.support.scenario import write_scenario

ACTION = ROOT / "action.yml"
TEMPLATE = ROOT / "templates" / "tap-checker.gitlab-ci.yml"
MODULES = ("pip", "venv", "checker", "typer", "setuptools", "hatchling")


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


def _hostile_checkout(folder: Path, marker: Path) -> Path:
    """A checkout whose Python packages shadow the tools, with a failing stack and plan."""
    folder.mkdir(parents=True, exist_ok=True)
    write_scenario(folder, next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled"))
    for module in MODULES:
        package = folder / module
        package.mkdir(exist_ok=True)
        code = f"open({str(marker)!r}, 'a').write({module!r} + '\\n')\n"
        for name in ("__init__.py", "__main__.py", "cli.py"):
            (package / name).write_text(code, encoding="utf-8")
    engine = folder / ".cache" / "tap-checker-engines" / "checkov" / "bin" / "checkov"
    engine.parent.mkdir(parents=True)
    engine.write_text(f"#!/bin/sh\necho engine >> {marker}\n")
    engine.chmod(0o755)
    return folder


def _github_env(venv_bin: Path, forge: Forge, workdir: Path) -> dict[str, str]:
    event = workdir.parent / f"{workdir.name}-event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 7, "head": {"repo": {"full_name": "acme/infra"}}}})
    )
    (workdir / "summary.md").touch()
    runner_temp = workdir.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    return {
        **clean_environment(venv_bin),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/infra",
        "GITHUB_API_URL": forge.url,
        "GITHUB_TOKEN": "ghs-test-token",
        "GITHUB_STEP_SUMMARY": str(workdir / "summary.md"),
        "RUNNER_TEMP": str(runner_temp),
    }


def test_the_action_runs_nothing_of_a_hostile_checkout(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    checkout = _hostile_checkout(tmp_path / "checkout", marker)
    env = _github_env(venv_bin, forge, checkout)
    run = run_action(ACTION, {"plans": "*.json"}, env, checkout)
    assert not marker.exists(), marker.read_text()
    assert run.exit_code == 1, run.log[-3000:]
    assert run.ran == ["Install the checker", "Gate", "Comment on the pull request", "Verdict"]
    (comment,) = forge.comments()
    assert "gate FAILED" in comment["body"] and "TAP010" in comment["body"]


def test_the_gitlab_template_runs_nothing_of_a_hostile_checkout(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    checkout = _hostile_checkout(tmp_path / "checkout", marker)
    env = {
        **clean_environment(venv_bin),
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(checkout),
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42",
        "CI_API_V4_URL": forge.url,
        "TAP_CHECKER_GITLAB_TOKEN": "glpat-test",
    }
    variables = {
        "TAP_CHECKER_PACKAGE": str(ROOT),
        "TAP_CHECKER_CONSTRAINTS": str(ROOT / "requirements" / "main.lock"),
        "TAP_CHECKER_HOME": str(tmp_path / "tap-checker-home"),
        "TAP_CHECKER_PLANS": "*.json",
        "TAP_CHECKER_ENGINES": "native",
    }
    done = run_gitlab_job(TEMPLATE, ".tap-checker", variables, env, checkout)
    assert not marker.exists(), marker.read_text()
    assert done.returncode == 1, (done.stdout + done.stderr)[-3000:]
    issues = json.loads((checkout / "checker-report" / "codequality.json").read_text())
    assert {i["check_name"] for i in issues} == {"TAP010"}


def test_a_merge_with_a_missing_matrix_report_is_an_error(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    """Two stacks, one of whose jobs died before writing its report: never a pass."""
    workdir = tmp_path / "merge"
    workdir.mkdir()
    env = _github_env(venv_bin, forge, workdir)
    job = run_action(
        ACTION,
        {"plans": str(FIXTURE), "comment": "false", "upload-sarif": "false",
         "output-dir": "reports/app"},
        env, workdir,
    )  # fmt: skip
    assert job.exit_code == 0, job.log[-2000:]
    counted = {"reports": "reports/*/report.json", "expect-reports": "2"}
    merged = run_action(ACTION, counted, env, workdir)
    assert merged.exit_code == 3, merged.log[-2000:]
    report = json.loads((workdir / "checker-report" / "report.json").read_text())
    assert report["summary"]["gate"] == "error"
    assert any("expected 2 reports to merge, found 1" in e for e in report["errors"])
    (comment,) = forge.comments()
    assert "gate ERROR" in comment["body"]
    shutil.copytree(workdir / "reports" / "app", workdir / "reports" / "data")
    whole = run_action(ACTION, counted, env, workdir)
    assert whole.exit_code == 0, whole.log[-2000:]
