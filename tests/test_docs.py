"""The docs stand alone: their links resolve inside the repository, their commands run.

Every fenced block marked `sh test` in `docs/*.md` runs here, line by line, in
a scratch repository shaped like a user's (a compliant plan, a failing one,
two stacks in subdirectories, a stack with an inline suppression), with
`checker` and `pre-commit` on PATH; a line's `# exit N` is the exit code it
must have (0 otherwise). The `checker apply` page needs Terraform and moto and
runs in `tests/terraform/test_docs_apply.py`. The hook repository URL of the
pre-commit page is replaced by a committed copy of this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.repos import committed_checkout, git
from tests.support.scenario import write_scenario
from tests.terraform.fixtures import REAL, read_plan

DOCS = ROOT / "docs"
BLOCK = re.compile(r"^```sh test\n(.*?)^```", re.M | re.S)
EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
HOOK_URL = "https://github.com/tap-platform/tap-checker"
TERRAFORM_PAGES = {"apply.md"}


@dataclass(frozen=True)
class Command:
    page: str
    line: str
    exit_code: int


def commands(page: Path) -> list[Command]:
    out: list[Command] = []
    for block in BLOCK.findall(page.read_text()):
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found = EXIT.search(line)
            code = int(found[1]) if found else 0
            out.append(Command(page.name, EXIT.sub("", line).strip(), code))
    return out


def test_every_use_has_a_page_with_commands() -> None:
    pages = {"pre-commit.md", "ci.md", "apply.md", "report.md", "waivers.md", "configuration.md"}
    assert pages <= {p.name for p in DOCS.glob("*.md")}
    assert all(commands(DOCS / name) for name in pages)
    assert (DOCS / "writing-rules.md").is_file()


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name
)
def test_links_stay_inside_the_repository(page: Path) -> None:
    text = page.read_text()
    assert "../shared" not in text, "a link or path outside the repository"
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
            continue
        resolved = (page.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), target
        assert resolved.exists(), f"{page.name}: {target} does not exist"


def _stack(folder: Path, mutation_id: str | None, plan_name: str) -> None:
    mutation = next((m for m in MUTATIONS if m.id == mutation_id), None)
    write_scenario(folder, mutation)
    (folder / "tap_stack.tf").rename(folder / "main.tf")
    (folder / "plan.json").rename(folder / plan_name)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's repository: plans, stacks, their docs folder; committed (pre-commit reads git)."""
    repo = tmp_path_factory.mktemp("docs") / "repo"
    repo.mkdir()
    shutil.copy(FIXTURE, repo / "plan.json")
    failing = tmp_path_factory.mktemp("failing")
    write_scenario(failing, next(m for m in MUTATIONS if m.id == "tap011-force-destroy-false"))
    shutil.copy(failing / "plan.json", repo / "failing.plan.json")
    _stack(repo / "stacks" / "app", None, "app.plan.json")
    _stack(repo / "stacks" / "data", "tap010-pitr-disabled", "data.plan.json")
    suppressed = repo / "stacks" / "suppressed"
    _stack(suppressed, "tap011-force-destroy-false", "suppressed.plan.json")
    main = suppressed / "main.tf"
    main.write_text(
        main.read_text().replace(
            'resource "aws_s3_bucket" "logs" {',
            '# checker:ignore TAP011 reason="kept for the audit" expires=2099-12-31\n'
            'resource "aws_s3_bucket" "logs" {',
            1,
        )
    )
    history = repo / "history"  # real update plans: introduced, inherited, fixed, drift
    history.mkdir()
    for name, fixture in (
        ("introduced", REAL / "tap010-pitr-disabled.update.json.gz"),
        ("inherited", REAL / "history" / "tap010-pitr-disabled.inherited.json.gz"),
        ("fixed", REAL / "history" / "tap010-pitr-disabled.fixed.json.gz"),
        ("drift", REAL / "history" / "drift-overwrites.json.gz"),
        ("unchecked", REAL / "tap014-no-account.create.json.gz"),
    ):
        (history / f"{name}.plan.json").write_text(json.dumps(read_plan(fixture)))
    shutil.copytree(DOCS, repo / "docs")
    (repo / "docs" / "notes.md").write_text("notes\n")
    (repo / "README.md").write_text("a user's repository\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "stacks")
    return repo


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_checkout(tmp_path_factory.mktemp("hook") / "repo")


PAGES = [p for p in sorted(DOCS.glob("*.md")) if commands(p) and p.name not in TERRAFORM_PAGES]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_commands_of_each_page_run(
    page: Path, workspace: Path, hook_repo: Path, tmp_path: Path
) -> None:
    scratch = tmp_path / "repo"
    shutil.copytree(workspace, scratch, symlinks=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKER_")}
    env.update({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
                "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "NO_COLOR": "1"})  # fmt: skip
    for command in commands(page):
        line = command.line.replace(HOOK_URL, str(hook_repo))
        done = subprocess.run(
            ["bash", "-c", line], cwd=scratch, env=env, capture_output=True, text=True,
            timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == command.exit_code, (
            f"{page.name}: {command.line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
        assert "Traceback" not in done.stderr
