"""A release people can pin: one version, a changelog, and a ref in every doc that resolves.

The docs, the Action's examples, the GitLab template and the pre-commit example all pin the
same release by its full commit SHA (with the version beside it); the SHA is a commit of this
repository whose version is that one, and the changelog has its entry. `pip install
git+URL@SHA` and pre-commit install and run from a local clone exactly as the docs write them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checker import __version__
from tests.mutations import MUTATIONS
from tests.support.repos import git
from tests.support.scenario import write_scenario

ROOT = Path(__file__).resolve().parents[1]
URL = "https://github.com/tap-platform/tap-checker"
PINNED = re.compile(
    r"tap-platform/tap-checker(?:@|/)(?P<ref>[\w.-]+)"  # uses: / git+ / raw URLs
    r"|^\s*rev:\s*(?P<rev>\S+)"  # pre-commit
    r"|TAP_CHECKER_REF:\s*(?P<var>\S+)",  # the GitLab template
    re.MULTILINE,
)
BESIDE = re.compile(r"#\s*(?:frozen:\s*)?v(\d+\.\d+\.\d+)")
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples" / "ci").glob("*.yml")),
    ROOT / "templates" / "tap-checker.gitlab-ci.yml",
]


def pins() -> dict[str, set[str]]:
    """Every ref the docs pin, with the versions written beside them."""
    found: dict[str, set[str]] = {}
    for path in DOCS:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in PINNED.finditer(line):
                ref = match["ref"] or match["rev"] or match["var"]
                if ref.startswith("<") or ref.startswith("$"):
                    continue  # a placeholder the text explains, or the template's variable
                found.setdefault(ref, set()).update(BESIDE.findall(line))
    return found


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def release() -> tuple[str, str]:
    """(SHA, version) of the one pinned release."""
    found = pins()
    assert len(found) == 1, f"the docs pin {sorted(found)}; they should pin one release"
    ((sha, versions),) = found.items()
    assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{sha}: pin a full commit SHA"
    assert len(versions) == 1, f"{sha} is written beside versions {versions}"
    return sha, versions.pop()


def test_the_version_has_a_changelog_entry() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+) - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert versions and versions[0] == __version__
    assert "## Unreleased" in changelog


def test_every_doc_pins_one_release_that_resolves() -> None:
    sha, version = release()
    assert _git("cat-file", "-t", sha).strip() == "commit"
    at_release = _git("show", f"{sha}:checker/__init__.py")
    assert f'__version__ = "{version}"' in at_release
    assert f"## {version} - " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for path in ("action.yml", ".pre-commit-hooks.yaml", "templates/tap-checker.gitlab-ci.yml"):
        _git("cat-file", "-e", f"{sha}:{path}")  # what the docs point at is in the release


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local clone: the docs' GitHub URL stands for it."""
    target = tmp_path_factory.mktemp("release") / "tap-checker"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def test_pip_installs_the_pinned_release_as_the_readme_writes_it(
    clone: Path, tmp_path: Path
) -> None:
    (command,) = [
        line.split("#")[0].split()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("pip install git+")
    ]
    spec = command[-1].replace(f"git+{URL}", f"git+file://{clone}")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-I", "-m", "pip", "--disable-pip-version-check"]
    constraints = ["-c", str(ROOT / "requirements" / "main.lock")]
    done = subprocess.run(
        [*pip, "install", "--quiet", *constraints, spec],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    version = subprocess.run(
        [str(venv / "bin" / "checker"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.splitlines()[0] == f"checker {release()[1]}"


def test_pre_commit_runs_the_hooks_as_the_docs_write_them(clone: Path, tmp_path: Path) -> None:
    text = (ROOT / "docs" / "pre-commit.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(repos:.*?)```", text, re.DOTALL)
    config = yaml.safe_load(block)
    assert config["repos"][0]["repo"] == URL
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    write_scenario(consumer, next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled"))
    (consumer / "plan.json").rename(consumer / "stack.plan.json")
    (consumer / ".pre-commit-config.yaml").write_text(block.replace(URL, str(clone)))
    git(consumer, "init", "-q")
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "stack")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    done = subprocess.run(
        [str(pre_commit), "run", "--all-files"],
        cwd=consumer, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "TAP010 [medium] DynamoDB tables have point-in-time recovery" in done.stdout
    assert "checker: gate FAILED" in done.stdout
