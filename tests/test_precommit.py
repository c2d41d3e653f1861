"""The pre-commit hooks, run by the pre-commit package itself (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.mutations import MUTATIONS
from tests.support.repos import committed_checkout, git
from tests.support.scenario import write_scenario

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "pre-commit"


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this repository: try-repo installs the hook from it."""
    return committed_checkout(tmp_path_factory.mktemp("hook-repo") / "repo")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


_git = git


def _consumer(tmp_path: Path, mutation_id: str | None) -> Path:
    folder = tmp_path / "consumer"
    folder.mkdir()
    write_scenario(folder, next((m for m in MUTATIONS if m.id == mutation_id), None))
    (folder / "plan.json").rename(folder / "stack.plan.json")
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "stack")
    return folder


def _try_repo(folder: Path, repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(repo), hook, "--all-files"],
        cwd=folder, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


@pytest.mark.parametrize("hook", ["tap-checker-hcl", "tap-checker-plan"])
def test_hook_passes_the_good_stack(
    hook: str, hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    result = _try_repo(_consumer(tmp_path, None), hook_repo, hook, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.parametrize("hook", ["tap-checker-hcl", "tap-checker-plan"])
def test_hook_fails_the_broken_stack_with_the_text_report(
    hook: str, hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    result = _try_repo(
        _consumer(tmp_path, "tap010-pitr-disabled"), hook_repo, hook, pre_commit_home
    )
    assert result.returncode == 1
    assert "Failed" in result.stdout
    assert "checker: gate FAILED" in result.stdout
    assert "TAP010 [medium] DynamoDB tables have point-in-time recovery" in result.stdout


# ---------------------------------------------------------------- monorepos


def _monorepo(tmp_path: Path, pyproject: str = "") -> Path:
    """A repository with two stacks in subdirectories: stacks/app good, stacks/data broken."""
    folder = tmp_path / "monorepo"
    for name, mutation in (("app", None), ("data", "tap010-pitr-disabled")):
        stack = folder / "stacks" / name
        stack.mkdir(parents=True)
        write_scenario(stack, next((m for m in MUTATIONS if m.id == mutation), None))
        (stack / "plan.json").rename(stack / f"{name}.plan.json")
    if pyproject:
        (folder / "pyproject.toml").write_text(pyproject)
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "two stacks")
    return folder


def _try_files(
    folder: Path, repo: Path, hook: str, home: Path, *files: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(repo), hook, "--verbose", "--files", *files],
        cwd=folder, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


def _checked(output: str) -> set[str]:
    """The stacks the hook's text report names."""
    return {name for name in ("stacks/app", "stacks/data") if name in output}


def test_hcl_hook_checks_the_stack_of_each_changed_file(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _monorepo(tmp_path)
    good = _try_files(
        repo, hook_repo, "tap-checker-hcl", pre_commit_home, "stacks/app/tap_stack.tf"
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert _checked(good.stdout) == {"stacks/app"}
    bad = _try_files(
        repo, hook_repo, "tap-checker-hcl", pre_commit_home,
        "stacks/data/tap_stack.tf", "stacks/app/tap_stack.tf", "stacks/data/lambda/index.py",
    )  # fmt: skip
    assert bad.returncode == 1
    assert _checked(bad.stdout) == {"stacks/app", "stacks/data"}
    assert "TAP010 [medium]" in bad.stdout and "checker: gate FAILED" in bad.stdout


def test_plan_hook_checks_the_changed_plans(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _monorepo(tmp_path)
    good = _try_files(
        repo, hook_repo, "tap-checker-plan", pre_commit_home, "stacks/app/app.plan.json"
    )
    assert good.returncode == 0 and "stacks/app/app.plan.json" in good.stdout
    bad = _try_files(
        repo, hook_repo, "tap-checker-plan", pre_commit_home, "stacks/data/data.plan.json"
    )
    assert bad.returncode == 1 and "TAP010 [medium]" in bad.stdout


def test_a_configured_stack_list_overrides_and_args_pass_through(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = _monorepo(tmp_path, '[tool.checker]\nstacks = ["stacks/app"]\n')
    outside = _try_files(
        repo, hook_repo, "tap-checker-hcl", pre_commit_home, "stacks/data/tap_stack.tf"
    )
    assert (
        outside.returncode == 0 and "no stack or plan among the 1 changed files" in outside.stdout
    )
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / "pyproject.toml").unlink()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: tap-checker-hcl\n        args: [--fail-on, critical, --]\n"
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hooks")
    ran = _run_hooks(repo, pre_commit_home)
    # the medium TAP010 failure does not fail a gate at critical: the args reached the checker
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "checker: gate PASSED: 1 failed" in ran.stdout and "TAP010" in ran.stdout
    # args that do not end with `--` would let a file name be read as an option: refused
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text().replace("critical, --]", "critical]"))
    _git(repo, "commit", "-q", "-am", "args without the separator")
    refused = _run_hooks(repo, pre_commit_home)
    assert refused.returncode == 1 and "takes its file names after '--'" in refused.stdout


def _run_hooks(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--all-files", "--verbose"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


def test_a_committed_file_named_like_an_option_stays_a_file_name(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    """pre-commit passes `--rules=pack.tf` (a committed file) to the hook: it must never load
    the pull request's `pack.tf/` folder as a rule pack (whose import writes a marker)."""
    repo = _monorepo(tmp_path)
    marker = tmp_path / "pack-ran"
    pack = repo / "pack.tf"
    pack.mkdir()
    (pack / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\nRULES = []\n")
    (repo / "--rules=pack.tf").write_text("# a file named like an option\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "a hostile file name")
    ran = _try_repo(repo, hook_repo, "tap-checker-hcl", pre_commit_home)
    assert not marker.exists(), ran.stdout
    # it is a file name: a changed `.tf` file, so its folder (the root) is checked as a stack,
    # and holds no resource (exit 2) -- never an option
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "error: .: no resource or data blocks in its .tf files" in ran.stdout
