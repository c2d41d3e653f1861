"""Issue 24, class 6: checkov and terraform-compliance run with no configuration from the workspace.

checkov reads `.checkov.yaml` from its working directory and the home
directory, and every option from a `CKV_*` variable: from a pull request's
checkout, plan enrichment plus a `# checkov:skip=` comment in its .tf files, or
a `skip-check` wildcard, turned the failure of CKV_TAP_010 into an unknown
(exit 0). These tests run the real engines (installed by `checker engines
install`; never skipped) from such a workspace.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.engines import checkov, compliance
from checker.engines.install import engines_dir
from checker.errors import EngineError
from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

RUNNER = CliRunner()
TABLE = "aws_dynamodb_table.main"
# the wildcard skipped every custom check silently; naming each ID makes checkov refuse
# `--check` and `--skip-check` together (exit 3), so the wildcard is the attack
HOSTILE_CONFIG = """\
skip-check:
  - CKV_TAP*
soft-fail: true
repo-root-for-plan-enrichment:
  - .
external-checks-dir:
  - {checks}
"""
HOSTILE_ENV = {
    "CKV_SKIP_CHECK": "CKV_TAP*",
    "CKV_FRAMEWORK": "terraform",
    "CKV_SKIP_RESOURCES_WITHOUT_VIOLATIONS": "true",
    "BC_SKIP_MAPPING": "FALSE",
    "CHECKOV_MAX_IAC_FILE_SIZE": "1",
    "TFC_ERROR": "Renamed",
    "TF_CLI_ARGS": "-no-color",
    "GIT_CONFIG_PARAMETERS": "'core.pager=false'",
}
ALLOWED = {"PATH", "LANG", "LANGUAGE", "TMPDIR", "HOME", "NO_COLOR"}


def _marker_code(marker: Path) -> str:
    return f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"


def _workspace(folder: Path, marker: Path) -> Path:
    """A pull request's checkout: the PITR mutation, skip comments, a hostile `.checkov.yaml`."""
    write_scenario(folder, next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled"))
    tf = folder / "tap_stack.tf"
    text, count = re.subn(
        r'(resource "aws_dynamodb_table" "\w+" \{\n)',
        r"\1  # checkov:skip=CKV_TAP_010:accepted risk\n",
        tf.read_text(encoding="utf-8"),
    )
    assert count, "the stack has no table to annotate"
    tf.write_text(text, encoding="utf-8")
    checks = folder / "evil_checks"
    checks.mkdir()
    (checks / "__init__.py").write_text(_marker_code(marker), encoding="utf-8")
    (checks / "evil.py").write_text(_marker_code(marker), encoding="utf-8")
    _hostile_config(folder, checks)
    return folder


def _hostile_config(folder: Path, checks: Path) -> None:
    for name in (".checkov.yaml", ".checkov.yml"):
        (folder / name).write_text(HOSTILE_CONFIG.format(checks=checks), encoding="utf-8")


def _python_hook(folder: Path, marker: Path) -> Path:
    """A PYTHONPATH entry whose `sitecustomize` every Python started with it imports."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(_marker_code(marker), encoding="utf-8")
    return folder


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(workspace, marker): the job runs in the workspace, HOME holds a hostile config too."""
    marker = tmp_path / "MARKER"
    workspace = _workspace(tmp_path / "workspace", marker)
    home = tmp_path / "home"
    home.mkdir()
    _hostile_config(home, workspace / "evil_checks")
    monkeypatch.setenv("CHECKER_ENGINES_DIR", str(engines_dir()))  # before HOME moves
    monkeypatch.setenv("CHECKER_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(workspace)
    return workspace, marker


def _tap010(engine: str) -> list[tuple[str, str, str]]:
    result = RUNNER.invoke(app, ["check", "plan.json", "--engine", engine, "--format", "json"])
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    report = json.loads(result.stdout)
    return [
        (f["engine"], f["status"], f["address"])
        for f in report["findings"]
        if f["rule_id"] == "TAP010"
    ]


@pytest.mark.parametrize("where", ["workspace and home", "home only"])
def test_checkov_reads_no_config_from_the_workspace_or_home(
    isolated: tuple[Path, Path], where: str
) -> None:
    workspace, marker = isolated
    if where == "home only":
        for config in workspace.glob(".checkov.y*ml"):
            config.unlink()
    assert _tap010("checkov") == [("checkov", "failed", TABLE)]
    assert not marker.exists(), "checkov imported a check of the pull request"


def test_checkov_ignores_the_callers_checkov_variables(
    isolated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _workspace, marker = isolated
    for key, value in HOSTILE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(_python_hook(tmp_path / "hook", marker)))
    assert _tap010("checkov") == [("checkov", "failed", TABLE)]
    assert not marker.exists(), "checkov's Python ran code from the caller's environment"


def test_compliance_runs_isolated_from_the_workspace_and_environment(
    isolated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _workspace, marker = isolated
    for key, value in HOSTILE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(_python_hook(tmp_path / "hook", marker)))
    git = tmp_path / "git"
    git.write_text(f'#!/bin/sh\necho ran > {marker}\nexec git "$@"\n', encoding="utf-8")
    git.chmod(0o755)
    monkeypatch.setenv("GIT_PYTHON_GIT_EXECUTABLE", str(git))  # GitPython runs it at import
    assert _tap010("compliance") == [("compliance", "failed", TABLE)]
    assert not marker.exists(), "terraform-compliance ran code named by the caller's environment"


def test_engine_environments_are_an_allow_list(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in HOSTILE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = checkov._environment()  # a caller without a run directory: a home holding nothing
    extra = set(checkov.OFFLINE_ENV) | {"CHECKER_CORE_PATH", "CHECKER_RULE_OPTIONS"}
    assert set(env) <= ALLOWED | extra | {"LC_ALL"}
    assert env["HOME"] == os.devnull
    assert env["BC_SKIP_MAPPING"] == "TRUE" and env["LC_ALL"] == "C.UTF-8"
    env = compliance._environment(tmp_path)
    assert set(env) <= ALLOWED | {"LC_ALL"}
    assert env["HOME"] == env["TMPDIR"] == str(tmp_path)


@pytest.mark.parametrize(
    "option",
    [
        "--repo-root-for-plan-enrichment",
        "--repo-root",  # argparse takes any unique prefix
        "--repo-root-for-plan-enrichment=.",
        "--config-file",
        "--external-checks-git",
        "--deep-analysis",
    ],
)
def test_checkov_is_never_asked_to_read_the_workspace(option: str, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="checkov is never run with"):
        checkov.run_checkov_raw(["--framework", "terraform_plan", option, str(tmp_path)])


def test_a_scanned_directory_with_a_checkov_config_is_refused(tmp_path: Path) -> None:
    _hostile_config(tmp_path, tmp_path)
    with pytest.raises(EngineError, match=r"read its configuration from .*\.checkov\.yaml"):
        checkov.run_checkov_raw(["--framework", "terraform", "--directory", str(tmp_path)])
