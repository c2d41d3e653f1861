"""Session fixtures for tests that run real Terraform against moto.

Where Terraform, the aws provider mirror or moto is missing (a contributor's
laptop), these tests skip with one line saying what is missing; with `CI=true`
they fail instead, so CI never passes by skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.terraform.harness import MotoServer, Workspace, build_mirror, require_terraform


@pytest.fixture(scope="session")
def terraform_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror (machine's aws provider + archive stand-in) and the CLI config using it."""
    require_terraform()
    folder = tmp_path_factory.mktemp("terraform-home")
    return build_mirror(folder)


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    require_terraform()
    server = MotoServer()
    server.start(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workspace_for(terraform_home: Path, moto: MotoServer):  # type: ignore[no-untyped-def]
    """Make a Workspace of a stack directory (already written), initialised."""

    def make(directory: Path) -> Workspace:
        workspace = Workspace(directory, terraform_home, moto)
        workspace.init()
        return workspace

    return make
