"""Real Terraform against a local AWS: moto's server, the machine's provider mirror, a stand-in archive.

What a test needs to run `terraform init/plan/show -json/apply/destroy` offline:

- `find_aws_mirror()` finds the filesystem mirror of `hashicorp/aws` that the
  machine has (it looks in Terraform's implied local mirror directories and
  under `/opt`, never at one hard-coded path);
- `build_mirror()` makes a mirror of that provider plus the `hashicorp/archive`
  stand-in of `tests/terraform/archive_provider.py`, and a CLI config using it;
- `MotoServer` runs moto's server (`tests/terraform/moto_server.py`: `moto_server`
  with one bug fixed) on 127.0.0.1 on a free port and stops it by PID;
- `Workspace` is a temporary copy of a stack with a `*_override.tf` that points
  the AWS provider at moto, and runs Terraform in it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.terraform.archive_provider import VERSION as ARCHIVE_VERSION

PROVIDER = Path("registry.terraform.io") / "hashicorp"
MIRROR_ROOTS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/*",
    "/opt",
)
OVERRIDE = """provider "aws" {
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = false
}
"""
PLATFORM = "linux_amd64"


def find_aws_mirror() -> Path | None:
    """The directory holding `registry.terraform.io/hashicorp/aws/<version>/<platform>/`."""
    explicit = os.environ.get("CHECKER_TF_MIRROR")
    roots = [explicit] if explicit else []
    for pattern in MIRROR_ROOTS:
        base = Path(pattern).expanduser()
        roots.extend(str(p) for p in (base.parent.glob(base.name) if "*" in pattern else [base]))
    for root in roots:
        provider = Path(root) / PROVIDER / "aws"
        if any(provider.glob(f"*/{PLATFORM}/terraform-provider-aws_*")):
            return Path(root)
    return None


def missing() -> str:
    """What is missing for real-Terraform tests, or '' when they can run."""
    if shutil.which("terraform") is None:
        return "terraform is not on PATH"
    if find_aws_mirror() is None:
        return "no filesystem mirror of registry.terraform.io/hashicorp/aws found"
    if (
        shutil.which("moto_server") is None
        and not (Path(sys.executable).parent / "moto_server").exists()
    ):
        return "moto_server is not installed (pip install 'moto[server]')"
    return ""


def require_terraform(what: str = "real-Terraform tests") -> None:
    """Skip a test that needs real Terraform where it is missing, except in CI, where a
    missing Terraform fails it (no engine or Terraform test is skipped in CI)."""
    import pytest  # the generators import this module without pytest's plugins

    why = missing()
    if not why:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} cannot run in CI: {why}")
    pytest.skip(f"real Terraform unavailable: {why}")


def build_mirror(folder: Path) -> Path:
    """A mirror with the machine's aws provider and the archive stand-in; returns the CLI config."""
    aws_root = find_aws_mirror()
    if aws_root is None:
        raise RuntimeError(missing())
    mirror = folder / "mirror"
    plugin = mirror / PROVIDER / "archive" / ARCHIVE_VERSION / PLATFORM
    plugin.mkdir(parents=True, exist_ok=True)
    executable = plugin / f"terraform-provider-archive_v{ARCHIVE_VERSION}"
    root = Path(__file__).resolve().parents[2]
    executable.write_text(
        "#!/bin/sh\n"
        f'PYTHONPATH="{root}" exec "{sys.executable}" -m tests.terraform.archive_provider "$@"\n',
        encoding="utf-8",
    )
    executable.chmod(executable.stat().st_mode | stat.S_IEXEC)
    config = folder / "terraform.rc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{aws_root}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        f'  filesystem_mirror {{\n    path = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/archive"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n',
        encoding="utf-8",
    )
    return config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MotoServer:
    """moto's server on loopback; `stop()` ends it by its PID."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: Path) -> None:
        root = Path(__file__).resolve().parents[2]
        env = {
            **os.environ,
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "PYTHONPATH": str(root),
        }
        command = [sys.executable, "-m", "tests.terraform.moto_server"]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"moto_server exited: {log.read_text()[-500:]}") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto_server did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def reset(self) -> None:
        """Forget every resource (moto's reset API), between tests that apply."""
        import urllib.request

        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def client(self, service: str) -> Any:
        """A boto3 client of this server (test credentials, us-east-1)."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.url,
        }


class TerraformError(RuntimeError):
    pass


@dataclass
class Workspace:
    """A copy of a stack where Terraform runs against moto."""

    directory: Path
    cli_config: Path
    moto: MotoServer

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        return {
            **keep,
            **self.moto.env(),
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }

    def run(self, *args: str, timeout: int = 600) -> str:
        done = subprocess.run(
            ["terraform", *args],
            cwd=self.directory,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise TerraformError(
                f"terraform {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def init(self) -> None:
        (self.directory / "zz_moto_override.tf").write_text(OVERRIDE, encoding="utf-8")
        self.run("init", "-input=false", "-no-color")

    def plan(self, out: str = "tfplan", *extra: str) -> dict[str, Any]:
        """`terraform plan -out` then `show -json`: the plan as Terraform writes it."""
        self.run("plan", "-input=false", "-no-color", f"-out={out}", *extra)
        data: dict[str, Any] = json.loads(self.run("show", "-json", out))
        return data

    def plan_text(self, out: str = "tfplan") -> str:
        """The one-line JSON `terraform show -json` prints for a saved plan."""
        return self.run("show", "-json", out)

    def apply(self, plan: str | None = None) -> None:
        if plan is not None:
            self.run("apply", "-input=false", "-no-color", plan)
        else:
            self.run("apply", "-input=false", "-no-color", "-auto-approve")

    def destroy(self) -> None:
        """`terraform destroy`; once more when a run hangs. Seen once on a loaded 2-core
        machine: the destroy's refresh against moto stalled for the whole timeout (the same
        test passes on its own). A second hang still fails the test."""
        args = ("destroy", "-input=false", "-no-color", "-auto-approve")
        try:
            self.run(*args, timeout=240)
        except subprocess.TimeoutExpired:
            self.run(*args, timeout=240)


def copy_stack(source: Path, target: Path) -> Path:
    """A stack's files (no .terraform, no state) copied to `target`."""
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", "tfplan", "build", "plans")
    shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
    return target
