"""The isolated environments of the engines that are other programs: checkov, terraform-compliance.

Their pins clash with ours and with each other, so each lives in a virtual
environment of its own, built from a lock file shipped inside this package
(`checker/engines/locks`), under the user's cache directory (`platformdirs`;
`CHECKER_ENGINES_DIR` moves it, e.g. onto a CI cache). An environment is
current when the digest of its lock file, recorded when it was built, matches:
upgrading the checker to new pins makes `checker engines install` rebuild it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from checker.engines.names import EngineName
from checker.errors import EngineError

STAMP = ".tap-checker-lock"


@dataclass(frozen=True)
class EngineTool:
    name: str  # the engine's name on the command line
    package: str  # what pip installs
    program: str  # the executable in the environment's bin/
    lock: str  # the lock file in checker/engines/locks
    override: str  # the environment variable naming an executable instead

    def lock_text(self) -> str:
        return resources.files("checker.engines").joinpath("locks", self.lock).read_text("utf-8")

    def pinned(self) -> str:
        """The version the lock file pins the engine's package to."""
        found = re.search(rf"^{re.escape(self.package)}==([^\s;]+)", self.lock_text(), re.M | re.I)
        return found[1] if found else "unpinned"

    def digest(self) -> str:
        return hashlib.sha256(self.lock_text().encode()).hexdigest()[:16]

    def home(self) -> Path:
        return engines_dir() / self.name

    def executable(self) -> Path:
        return self.home() / "bin" / self.program

    def installed(self) -> bool:
        """Built from this very lock file, and its program is there."""
        try:
            stamp = (self.home() / STAMP).read_text(encoding="utf-8").strip()
        except OSError:
            return False
        return stamp == self.digest() and self.executable().is_file()


TOOLS = {
    EngineName.CHECKOV: EngineTool(
        EngineName.CHECKOV, "checkov", "checkov", "checkov.lock", "CHECKER_CHECKOV"
    ),
    EngineName.COMPLIANCE: EngineTool(
        EngineName.COMPLIANCE,
        "terraform-compliance",
        "terraform-compliance",
        "compliance.lock",
        "CHECKER_COMPLIANCE",
    ),
}


def engines_dir() -> Path:
    """Where the engines' environments live: never inside the checked tree."""
    configured = os.environ.get("CHECKER_ENGINES_DIR")
    if configured:
        folder = Path(configured)
    else:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("tap-checker")) / "engines"
    return _outside_tree(folder, "the engines' directory (CHECKER_ENGINES_DIR)")


def _outside_tree(path: Path, what: str) -> Path:
    """`path` unless it lies inside the checked tree, where a pull request could commit a
    ready-made "engine" that the gate would then run."""
    from checker.workspace import inside_any, tree_roots

    root = inside_any(path, tree_roots())
    if root is not None:
        raise EngineError(
            f"{what} {path} lies inside the checked tree {root}: a pull request could plant it",
            "keep engines outside the checkout (the default is the user's cache directory)",
        )
    return path


def find_engine(tool: EngineTool) -> str:
    """The engine's executable: the override variable, else its installed environment, else PATH."""
    explicit = os.environ.get(tool.override)
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return str(_outside_tree(Path(explicit), tool.override))
        raise EngineError(f"{tool.override}={explicit} is not an executable {tool.program}")
    if tool.installed():
        return str(tool.executable())
    found = shutil.which(tool.program)
    if found:
        return str(_outside_tree(Path(found), f"{tool.program} found on PATH at"))
    raise EngineError(
        f"{tool.program} is not installed", f"run 'checker engines install {tool.name}'"
    )


def install(tool: EngineTool, python: str = sys.executable) -> bool:
    """Build the engine's environment unless it is current; True when it was built.

    The stamp is written last, so an interrupted install leaves an environment
    that is not current and is rebuilt next time; a lock file keeps two
    installs (two CI jobs on one cache) from building the same one at once.
    """
    home = tool.home()
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f".{tool.name}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if tool.installed():
            return False
        shutil.rmtree(home, ignore_errors=True)
        with tempfile.TemporaryDirectory() as scratch:
            lock = Path(scratch) / "constraints.txt"
            lock.write_text(tool.lock_text(), encoding="utf-8")
            # -I: the working directory (a pull request's checkout) is never on sys.path, so a
            # `venv/` or `pip/` folder there cannot stand in for the module; and the children
            # run in the scratch folder, not in the checkout
            _run([python, "-I", "-m", "venv", str(home)], tool, scratch)
            pip = [str(home / "bin" / "python"), "-I", "-m", "pip", "--disable-pip-version-check"]
            _run([*pip, "install", "--quiet", "--upgrade", "pip>=24"], tool, scratch)
            _run([*pip, "install", "--quiet", "-c", str(lock), tool.package], tool, scratch)
        (home / STAMP).write_text(tool.digest() + "\n", encoding="utf-8")
    return True


def _run(command: list[str], tool: EngineTool, cwd: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EngineError(f"installing {tool.name} failed: {tail[:300]}")


def describe(tool: EngineTool) -> str:
    """One line: the engine's version and where it runs from, or how to install it."""
    try:
        found = find_engine(tool)
    except EngineError:
        return (
            f"{tool.package} {tool.pinned()}: not installed (checker engines install {tool.name})"
        )
    if tool.installed() and found == str(tool.executable()):
        return f"{tool.package} {tool.pinned()}: {found}"
    try:
        done = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
        version = (done.stdout.strip().splitlines() or ["version unknown"])[-1].strip()
    except (OSError, subprocess.TimeoutExpired):
        version = "version unknown"
    version = version.removeprefix(tool.package).strip() or "version unknown"
    return f"{tool.package} {version[:40]}: {found} (not the pinned {tool.pinned()})"
