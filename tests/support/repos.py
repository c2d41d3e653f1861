"""Git repositories for tests: a committed copy of this checkout (hooks are installed from
a commit), and commits in scratch repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, env={**os.environ, **IDENTITY})


def committed_checkout(target: Path) -> Path:
    """This repository as its working tree is now, committed in `target` (for try-repo)."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    for name in ("checker", "pyproject.toml", ".pre-commit-hooks.yaml", "README.md"):
        source = ROOT / name
        if source.is_dir():
            shutil.rmtree(target / name)
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    git(target, "add", "-A")
    git(target, "commit", "-q", "--allow-empty", "-m", "working tree under test")
    return target
