"""The package as another team gets it: a wheel, a clean virtual environment, no checkout.

The wheel is built from this tree and installed (with our locked pins) into a
virtual environment outside the repository; the checker then runs from a
folder outside the repository, with none of the checker's environment
variables set, as a new user's first commands would: `--version`,
`engines install`, `check --engine all`. The engines' environments are the
user's (`checker engines install` finds them current when `./dev setup`
already built them from the same lock files; it builds them otherwise).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from checker import __version__
from checker.engines.install import TOOLS
from tests.support.canonical_stack import FIXTURE, ROOT


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = wheels.glob("tap_checker-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str], Path]:
    """(the venv's checker, a user's environment, a folder of theirs) after installing the wheel."""
    scratch = tmp_path_factory.mktemp("consumer")
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = subprocess.run(
        [*pip, "-c", str(ROOT / "requirements" / "main.lock"), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))
    )
    home = scratch / "their-repo"
    home.mkdir()
    shutil.copy(FIXTURE, home / "plan.json")
    return venv / "bin" / "checker", env, home


def test_the_wheel_holds_the_policies_and_the_engines_lock_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        str(p.relative_to(ROOT))
        for folder in ("checker/policies", "checker/engines/locks")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped and shipped <= names, sorted(shipped - names)


def test_version_names_the_checker_and_its_engines(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    checker, env, home = installed
    done = _run([str(checker), "--version"], home, env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"checker {__version__}"
    packages = {line.split()[0] for line in lines[1:]}
    assert packages == {tool.package for tool in TOOLS.values()}
    assert all(tool.pinned() in done.stdout for tool in TOOLS.values())


def test_engines_install_then_check_with_every_engine(
    installed: tuple[Path, dict[str, str], Path],
) -> None:
    checker, env, home = installed
    done = _run([str(checker), "engines", "install"], home, env)
    assert done.returncode == 0, done.stderr
    assert {line.split(":")[0] for line in done.stdout.splitlines()} == set(TOOLS)
    status = _run([str(checker), "engines"], home, env)
    assert "not installed" not in status.stdout, status.stdout
    done = _run(
        [str(checker), "check", "plan.json", "--engine", "all", "--format", "json"], home, env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["summary"]["gate"] == "passed"
    assert {f["engine"] for f in report["findings"]} == {"native", "checkov", "compliance"}
    assert report["summary"]["failed"] == 0 and report["summary"]["errors"] == 0


def test_a_missing_engine_is_exit_3_with_the_command_that_installs_it(
    installed: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    checker, env, home = installed
    lonely = {**env, "CHECKER_ENGINES_DIR": str(tmp_path / "none"), "PATH": "/usr/bin:/bin"}
    done = _run([str(checker), "check", "plan.json", "--engine", "checkov"], home, lonely)
    assert done.returncode == 3
    assert "checker engines install checkov" in done.stderr
