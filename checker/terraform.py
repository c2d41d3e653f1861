"""Finding Terraform, and asking it for the JSON of a binary plan file.

`checker check tfplan` on a binary plan (what `terraform plan -out` writes)
runs `terraform show -json` itself when Terraform is there, in the plan file's
directory: Terraform reads a binary plan only with the providers of the
working directory that wrote it. That starts those providers, so it is done
only for a file the user names on the command line, never for plans found
inside a directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from checker.errors import EngineError, InputError

INSTALL_HINT = (
    "install Terraform (https://developer.hashicorp.com/terraform/install) or set CHECKER_TERRAFORM"
)
SHOW_TIMEOUT = 300


def find_terraform() -> str:
    explicit = os.environ.get("CHECKER_TERRAFORM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise EngineError(f"CHECKER_TERRAFORM={explicit} is not an executable", INSTALL_HINT)
    found = shutil.which("terraform")
    if found is None:
        raise EngineError("terraform is not installed or not on PATH", INSTALL_HINT)
    return found


def show_json(name: str, path: Path) -> bytes:
    """`terraform show -json` of a binary plan, or an InputError saying how to get the JSON."""
    by_hand = (
        f"run 'terraform show -json {name} > plan.json' where it was planned, then check plan.json"
    )
    try:
        terraform = find_terraform()
    except EngineError:
        raise InputError(
            f"{name}: is a binary plan file and terraform is not on PATH", by_hand
        ) from None
    try:
        done = subprocess.run(
            [terraform, "show", "-json", "-no-color", str(path.resolve())],
            cwd=path.resolve().parent,
            capture_output=True,
            timeout=SHOW_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(
            f"{name}: terraform show could not run ({type(error).__name__})", by_hand
        ) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = next((line.strip("│ ").strip() for line in lines if line.strip("│ ").strip()), "")
        raise InputError(
            f"{name}: is a binary plan file and terraform show -json failed: {detail[:200]}",
            by_hand,
        )
    return done.stdout
