"""The commands of docs/apply.md, run with real Terraform against moto in a stack's directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.terraform.fixtures import mutation_inputs
from tests.terraform.harness import MotoServer, Workspace
from tests.test_docs import DOCS, commands


def test_the_apply_page_runs(
    workspace_for: Callable[[Path], Workspace], moto: MotoServer, tmp_path: Path
) -> None:
    moto.reset()
    # the failure the page's first run finds: a bucket that cannot be destroyed with versions
    workspace = workspace_for(
        mutation_inputs("tap011-force-destroy-false").write(tmp_path / "stack")
    )
    env = {k: v for k, v in workspace.env().items() if not k.startswith("CHECKER_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    page = commands(DOCS / "apply.md")
    assert page
    for command in page:
        done = subprocess.run(
            ["bash", "-c", command.line], cwd=workspace.directory, env=env,
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == command.exit_code, (
            f"{command.line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    assert (workspace.directory / "tfplan").is_file()
    assert "terraform.tfstate" in os.listdir(workspace.directory)
    workspace.destroy()
