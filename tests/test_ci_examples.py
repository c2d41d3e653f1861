"""The CI files lint clean: the Action, the GitLab template, the examples, the pre-commit hooks.

yamllint for all; actionlint for the workflows (it checks each `uses: ./` step's
inputs against `action.yml`); check-jsonschema with its vendored GitHub Action,
GitHub workflow and GitLab CI schemas. The examples install the checker through
the Action or the template, never through this repository's `./dev`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
TEMPLATE = ROOT / "templates" / "tap-checker.gitlab-ci.yml"
GITHUB_EXAMPLE = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB_EXAMPLE = ROOT / "examples" / "ci" / "gitlab-ci.yml"
WORKFLOWS = [GITHUB_EXAMPLE, *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
ALL = [ACTION, TEMPLATE, GITLAB_EXAMPLE, *WORKFLOWS, ROOT / ".pre-commit-hooks.yaml"]
SCHEMAS = [
    (ACTION, "vendor.github-actions"),
    (TEMPLATE, "vendor.gitlab-ci"),
    (GITLAB_EXAMPLE, "vendor.gitlab-ci"),
    *((workflow, "vendor.github-workflows") for workflow in WORKFLOWS),
]
LINT_CONFIG = "{extends: default, rules: {line-length: {max: 140}, document-start: disable, truthy: {check-keys: false}}}"


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, check=False, cwd=ROOT
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_yaml_lints_clean(path: Path) -> None:
    result = _run(sys.executable, "-m", "yamllint", "-d", LINT_CONFIG, path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pass_actionlint(path: Path) -> None:
    result = _run(BIN / "actionlint", "-no-color", path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("path", "schema"), SCHEMAS, ids=lambda x: getattr(x, "name", x))
def test_files_match_their_schema(path: Path, schema: str) -> None:
    result = _run(BIN / "check-jsonschema", "--builtin-schema", schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checks_do_catch_a_broken_action(tmp_path: Path) -> None:
    """Both tools refuse what they should: an undefined input, a composite step without shell."""
    shutil.copy(ACTION, tmp_path / "action.yml")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # actionlint's project root
    workflow = tmp_path / ".github" / "workflows" / "w.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n          plan: x\n"
    )
    linted = subprocess.run(
        [str(BIN / "actionlint"), "-no-color", str(workflow)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert linted.returncode == 1 and 'input "plan" is not defined' in linted.stdout
    spec = yaml.safe_load(ACTION.read_text())
    del spec["runs"]["steps"][1]["shell"]
    (tmp_path / "action.yml").write_text(yaml.safe_dump(spec))
    checked = _run(
        BIN / "check-jsonschema",
        "--builtin-schema",
        "vendor.github-actions",
        tmp_path / "action.yml",
    )
    assert checked.returncode == 1


def test_the_examples_use_the_action_and_the_template_never_dev() -> None:
    for path in (GITHUB_EXAMPLE, GITLAB_EXAMPLE):
        text = path.read_text()
        assert "./dev" not in text and ".venv/" not in text, path.name
    jobs = yaml.safe_load(GITHUB_EXAMPLE.read_text())["jobs"]
    uses = [s.get("uses", "") for job in jobs.values() for s in job["steps"]]
    assert sum(u.startswith("tap-platform/tap-checker@") for u in uses) == 2
    merge = next(s for s in jobs["gate"]["steps"] if s.get("uses", "").startswith("tap-platform/"))
    assert merge["with"]["reports"] == "reports/**/report.json"
    listed = jobs["stacks"]["steps"][0]["env"]["STACKS"]
    assert json.loads(listed) == ["stacks/app", "stacks/data"]
    assert (
        jobs["stack"]["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.list) }}"
    )
    # every stack's report is expected by name: a stack whose job wrote none makes the merge
    # 'error' naming it
    assert (
        merge["with"]["expect-reports"] == "${{ join(fromJSON(needs.stacks.outputs.list), ' ') }}"
    )
    assert jobs["stack"]["steps"][-2]["with"]["output-dir"] == "checker-report/${{ matrix.stack }}"
    assert jobs["stack"]["steps"][-2]["if"] == "always()"
    pipeline = yaml.safe_load(GITLAB_EXAMPLE.read_text())
    assert pipeline["include"][0]["remote"].endswith("templates/tap-checker.gitlab-ci.yml")
    assert pipeline["check-stack"]["extends"] == pipeline["merge-gate"]["extends"] == ".tap-checker"
    assert (
        pipeline["merge-gate"]["variables"]["TAP_CHECKER_REPORTS"]
        == "checker-report/**/report.json"
    )
    matrix = pipeline["check-stack"]["parallel"]["matrix"][0]["STACK"]
    assert pipeline["merge-gate"]["variables"]["TAP_CHECKER_EXPECT_REPORTS"] == " ".join(matrix)
    assert pipeline["check-stack"]["variables"]["TAP_CHECKER_OUT"] == "checker-report/$STACK"
    template = yaml.safe_load(TEMPLATE.read_text())[".tap-checker"]
    assert template["artifacts"]["reports"]["codequality"] == "$TAP_CHECKER_OUT/codequality.json"
