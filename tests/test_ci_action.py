"""The GitHub Action and the GitLab template, their script steps run here on real plans.

The steps install the checker from this checkout into a clean virtual
environment, run the gate on a compliant and a failing plan, and keep one
comment up to date on a stand-in for the GitHub / GitLab API (a local HTTP
server: the real ones are not reachable from CI). The files themselves pass
actionlint and the GitHub Action and GitLab CI schemas (`test_ci_examples`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from checker.ci.comment import MARKER
from checker.engines.install import engines_dir
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.ci_runner import clean_environment, read_outputs, run_action, run_gitlab_job
from tests.support.forge import Forge, running_forge
from tests.support.repos import git
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


def _locks_digest() -> str:
    locks = sorted((ROOT / "checker" / "engines" / "locks").glob("*.lock"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in locks)).hexdigest()[:16]


def test_the_action_keeps_the_engines_in_a_cache_outside_the_workspace(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    """A matrix job restores the engines the first one built: keyed by the lock files, the OS
    and the exact Python, in the runner's home, never in the workspace."""
    home = tmp_path / "home"
    cached = home / ".cache" / "tap-checker" / "engines"
    cached.parent.mkdir(parents=True)
    cached.symlink_to(engines_dir())  # what actions/cache would have restored
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = {**_github_env(venv_bin, forge, workspace), "HOME": str(home), "RUNNER_OS": "Linux"}
    run = run_action(
        ACTION,
        {"plans": str(FIXTURE), "engines": "native,checkov", "comment": "false"},
        env,
        workspace,
    )
    assert run.exit_code == 0, run.log[-3000:]
    assert "Where the engines are kept" in run.ran
    assert "actions/cache@v4" in run.would_use
    cache = read_outputs(workspace / f"output-{_step_index('engine-cache')}")
    python = platform.python_version()
    assert cache == {
        "path": str(cached),
        "key": f"tap-checker-engines-Linux-py{python}-{_locks_digest()}",
    }
    report = json.loads((workspace / "checker-report" / "report.json").read_text())
    assert {f["engine"] for f in report["findings"]} == {"native", "checkov"}
    native = run_action(ACTION, {"plans": str(FIXTURE), "comment": "false"}, env, workspace)
    assert "actions/cache@v4" not in native.would_use  # nothing to keep for the native engine


def _step_index(step_id: str) -> int:
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return next(i for i, s in enumerate(steps) if s.get("id") == step_id)


def test_the_gitlab_template_unpacks_the_cached_engines_outside_the_checkout(
    venv_bin: Path, forge: Forge, tmp_path: Path
) -> None:
    """GitLab restores `.tap-checker-engines.tar` into the checkout: the job moves it into
    TAP_CHECKER_HOME before the gate and packs it again after; one the repository tracks is
    deleted, never unpacked."""
    home = tmp_path / "tap-home"
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    env = {**clean_environment(venv_bin), "CI_PROJECT_DIR": str(project)}
    variables = {
        "TAP_CHECKER_PACKAGE": str(ROOT),
        "TAP_CHECKER_CONSTRAINTS": str(ROOT / "requirements" / "main.lock"),
        "TAP_CHECKER_PLANS": str(FIXTURE),
        "TAP_CHECKER_COMMENT": "false",
        "TAP_CHECKER_HOME": str(home),
        "CHECKER_ENGINES_DIR": str(home / "engines"),
    }
    restored = tmp_path / "restored"
    (restored / "engines" / "marker").mkdir(parents=True)
    archive = project / ".tap-checker-engines.tar"
    subprocess.run(["tar", "-cf", str(archive), "-C", str(restored), "engines"], check=True)
    job = run_gitlab_job(TEMPLATE, ".tap-checker", variables, env, project)
    assert job.returncode == 0, (job.stdout + job.stderr)[-3000:]
    assert (home / "engines" / "marker").is_dir()  # unpacked outside the checkout
    listed = subprocess.run(["tar", "-tf", str(archive)], capture_output=True, text=True)
    assert "engines/marker/" in listed.stdout.splitlines()  # packed again for the next job

    shutil.rmtree(home)
    git(project, "add", ".tap-checker-engines.tar")
    git(project, "commit", "-q", "-m", "a ready-made engine")
    job = run_gitlab_job(TEMPLATE, ".tap-checker", variables, env, project)
    assert job.returncode == 0, (job.stdout + job.stderr)[-3000:]
    assert "tracked by the repository: not unpacked" in job.stderr
    assert not (home / "engines" / "marker").exists()


def test_the_gitlab_template_asks_for_the_release_it_installs(
    venv_bin: Path, tmp_path: Path
) -> None:
    """The template cannot name its own commit: without TAP_CHECKER_REF it stops, naming it."""
    job = run_gitlab_job(TEMPLATE, ".tap-checker", {}, clean_environment(venv_bin), tmp_path)
    assert job.returncode == 2
    assert "set TAP_CHECKER_REF" in job.stderr
