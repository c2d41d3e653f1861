"""The CI examples are valid YAML, lint clean, and run the documented gate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [*sorted((ROOT / "examples" / "ci").glob("*.yml")), ROOT / ".pre-commit-hooks.yaml"]
LINT_CONFIG = "{extends: default, rules: {line-length: {max: 140}, document-start: disable, truthy: {check-keys: false}}}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_yaml_lints_clean(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "yamllint", "-d", LINT_CONFIG, str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout


def test_github_workflow_runs_the_gate() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    steps = workflow["jobs"]["plan-gate"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "terraform plan -input=false -out=tfplan" in commands
    assert "terraform show -json tfplan > plan.json" in commands
    assert "checker check plan.json --engine all" in commands and "--format sarif" in commands
    assert any(
        step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps
    )
    assert "--format markdown" in commands and "gh pr comment" in commands


def test_gitlab_job_runs_the_gate() -> None:
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    script = "\n".join(pipeline["terraform-plan-gate"]["script"])
    assert "terraform show -json tfplan > plan.json" in script
    assert "--engine all" in script and "--format sarif" in script and "--format markdown" in script
    assert pipeline["terraform-plan-gate"]["artifacts"]["reports"]["junit"] == "checker-junit.xml"
