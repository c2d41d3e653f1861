"""Class 4 of issue 24: a binary plan from a pull request runs nothing the pull request wrote.

The attack, as a pull request commits it: a real binary plan named
`x.plan.json`, a `.terraform.lock.hcl` without hashes, and a "provider" at
`.terraform/providers/registry.terraform.io/hashicorp/aws/<v>/<os_arch>/`
(and at Terraform's implied mirror `terraform.d/plugins/...`) that is a shell
script writing a marker file. Run in the plan's directory, `terraform show
-json` starts that script. Every case runs the checker as the CI job does (a
child process in the checkout) with Terraform behind a recorder that logs each
call's working directory and environment, and asserts the marker is never
written.

Real Terraform and the machine's aws provider mirror are needed for the
conversions (as for `tests/terraform/`): missing, they skip on a laptop and
fail with `CI=true`, so CI never passes by skipping them.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.harness import find_aws_mirror

ROOT = Path(__file__).resolve().parents[2]
CI_KEYS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI")
PROVIDER = Path("registry.terraform.io", "hashicorp", "aws")
TIME_LIMIT = 120
STACK = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
}

resource "aws_s3_bucket" "uploads" {
  bucket        = "tap-binary-plan-uploads"
  force_destroy = true
}
"""
FAKE_PROVIDER = "#!/bin/sh\necho ran > '{marker}'\nexit 1\n"
RECORDER = """#!/bin/sh
printf '%s|%s|%s|%s|%s|%s\\n' "$PWD" "$TF_DATA_DIR" "$TF_CLI_CONFIG_FILE" "$HOME" \
  "$TF_CLI_ARGS" "$*" >> '{log}'
exec '{terraform}' "$@"
"""


def _require_terraform() -> tuple[str, Path]:
    terraform, mirror = shutil.which("terraform"), find_aws_mirror()
    if terraform is not None and mirror is not None:
        return terraform, mirror
    why = "terraform is not on PATH" if terraform is None else "no aws provider mirror"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"binary-plan tests cannot run in CI: {why}")
    pytest.skip(f"real Terraform unavailable: {why}")


@dataclass(frozen=True)
class Planned:
    """A real binary plan, the JSON Terraform prints for it, and what made it."""

    stack: Path
    plan: bytes
    shown: Path
    mirror: Path
    version: str
    platform: str


def _terraform(folder: Path, rc: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    done = subprocess.run(
        ["terraform", *args], cwd=folder, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """`terraform init`, `plan -out` and `show -json` of a one-bucket stack, offline."""
    _, mirror = _require_terraform()
    folder = tmp_path_factory.mktemp("planned")
    (folder / "main.tf").write_text(STACK, encoding="utf-8")
    rc = folder / "terraform.rc"
    rc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{ path = "{mirror}" }}\n'
        '  direct { exclude = ["registry.terraform.io/*/*"] }\n}\n',
        encoding="utf-8",
    )
    _terraform(folder, rc, "init", "-input=false", "-no-color")
    _terraform(folder, rc, "plan", "-input=false", "-no-color", "-out=tfplan")
    shown = folder / "plan.json"
    shown.write_text(_terraform(folder, rc, "show", "-json", "tfplan"), encoding="utf-8")
    about = json.loads(_terraform(folder, rc, "version", "-json"))
    return Planned(
        stack=folder,
        plan=(folder / "tfplan").read_bytes(),
        shown=shown,
        mirror=mirror,
        version=about["provider_selections"]["registry.terraform.io/hashicorp/aws"],
        platform=about["platform"],
    )


@dataclass(frozen=True)
class Checkout:
    """A pull request's checkout holding the binary plan and a planted provider."""

    repo: Path
    stack: Path
    plan: Path
    marker: Path
    log: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "checker", "check", *args],
            cwd=self.repo,
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [line.split("|") for line in self.log.read_text().splitlines()]


def _plant(folder: Path, planned: Planned, marker: Path) -> None:
    package = folder / PROVIDER / planned.version / planned.platform
    package.mkdir(parents=True)
    fake = package / f"terraform-provider-aws_v{planned.version}_x5"
    fake.write_text(FAKE_PROVIDER.format(marker=marker), encoding="utf-8")
    fake.chmod(0o755)


def _environment(tmp: Path, log: Path) -> dict[str, str]:
    """The job's environment: no CI flag, an empty home, Terraform behind the recorder."""
    terraform, _ = _require_terraform()
    recorder = tmp / "terraform-recorder"
    recorder.write_text(RECORDER.format(log=log, terraform=terraform), encoding="utf-8")
    recorder.chmod(0o755)
    home = tmp / "home"
    home.mkdir()
    drop = (*CI_KEYS, "CHECKER_TERRAFORM", "CHECKER_BINARY_PLANS", "CHECKER_TERRAFORM_PLUGIN_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("TF_")}
    return {
        **env,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_DATA_DIRS": str(home / "none"),
        "CHECKER_TERRAFORM": str(recorder),
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
        # the job's own Terraform settings are not what the conversion uses either
        "TF_CLI_ARGS": "-no-such-flag",
    }


@pytest.fixture
def checkout(tmp_path: Path, planned: Planned) -> Checkout:
    repo = tmp_path / "repo"
    stack = repo / "stacks" / "app"
    stack.mkdir(parents=True)
    (repo / ".git").mkdir()
    (stack / "main.tf").write_text(STACK, encoding="utf-8")
    plan = stack / "x.plan.json"
    plan.write_bytes(planned.plan)
    marker = tmp_path / "MARKER"
    _plant(stack / ".terraform" / "providers", planned, marker)
    _plant(stack / "terraform.d" / "plugins", planned, marker)
    (stack / ".terraform.lock.hcl").write_text(
        f'provider "registry.terraform.io/hashicorp/aws" {{\n  version = "{planned.version}"\n}}\n',
        encoding="utf-8",
    )
    log = tmp_path / "terraform-calls.log"
    return Checkout(repo, stack, plan, marker, log, _environment(tmp_path, log))


def _statuses(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["address"], f["status"]) for f in report["findings"]}


def _refused(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


def _converted_like_terraform(
    checkout: Checkout, planned: Planned, done: subprocess.CompletedProcess[str], source: str
) -> None:
    """The report equals the report of the JSON Terraform printed; the plant never ran."""
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    expected = checkout.run(str(planned.shown), "--format", "json", "--source", str(checkout.stack))
    assert done.returncode == expected.returncode, (done.stderr, expected.stderr)
    assert _statuses(report) == _statuses(json.loads(expected.stdout))
    assert report["inputs"][0]["resources"] == 1
    assert any(source in note for note in report["inputs"][0]["notes"]), report["inputs"]
    assert not checkout.marker.exists()
    calls = checkout.calls()
    assert calls and any("show -json" in call[-1] for call in calls)
    for cwd, data_dir, rc, home, cli_args, _ in calls:
        assert not Path(cwd).is_relative_to(checkout.repo)
        assert Path(data_dir).is_relative_to(cwd) and Path(rc).is_relative_to(cwd)
        assert Path(home).is_relative_to(cwd) and cli_args == ""


@pytest.mark.parametrize("flag", CI_KEYS)
def test_in_ci_mode_a_binary_plan_is_refused_and_nothing_runs(
    checkout: Checkout, flag: str
) -> None:
    done = checkout.run(str(checkout.plan), "--format", "json", **{flag: "true"})
    _refused(done, "binary plan", f"CI mode ({flag}=true)", "--binary-plans convert")
    assert checkout.calls() == []
    assert not checkout.marker.exists()


def test_in_ci_mode_convert_takes_the_trusted_mirror_not_the_plant(
    checkout: Checkout, planned: Planned
) -> None:
    args = ("--binary-plans", "convert", "--plugin-dir", str(planned.mirror))
    done = checkout.run(str(checkout.plan), "--format", "json", *args, CI="true")
    _converted_like_terraform(checkout, planned, done, f"plugin directory {planned.mirror}")


def test_in_ci_mode_convert_never_falls_back_to_the_plan_directory(checkout: Checkout) -> None:
    done = checkout.run(
        str(checkout.plan), "--format", "json", CI="true", CHECKER_BINARY_PLANS="convert"
    )
    _refused(done, "no trusted copy of provider registry.terraform.io/hashicorp/aws")
    assert not checkout.marker.exists()
    assert not any("show" in call[-1] for call in checkout.calls())


@pytest.mark.parametrize("planted", [".terraform/providers", "terraform.d/plugins"])
def test_a_plugin_directory_inside_the_checkout_is_refused(
    checkout: Checkout, planted: str
) -> None:
    args = ("--binary-plans", "convert", "--plugin-dir", str(checkout.stack / planted))
    done = checkout.run(str(checkout.plan), "--format", "json", *args, CI="true")
    _refused(done, "inside the checked tree")
    assert checkout.calls() == [] and not checkout.marker.exists()


def test_outside_ci_mode_the_trusted_mirror_is_used_not_the_plant(
    checkout: Checkout, planned: Planned
) -> None:
    done = checkout.run(
        str(checkout.plan), "--format", "json", CHECKER_TERRAFORM_PLUGIN_DIR=str(planned.mirror)
    )
    _converted_like_terraform(checkout, planned, done, f"plugin directory {planned.mirror}")


def test_outside_ci_mode_the_plugin_cache_of_the_job_is_trusted(
    checkout: Checkout, planned: Planned, tmp_path: Path
) -> None:
    cache = tmp_path / "plugin-cache"
    package = PROVIDER / planned.version / planned.platform
    (cache / package).parent.mkdir(parents=True)
    (cache / package).symlink_to(planned.mirror / package)
    done = checkout.run(str(checkout.plan), "--format", "json", TF_PLUGIN_CACHE_DIR=str(cache))
    _converted_like_terraform(checkout, planned, done, f"TF_PLUGIN_CACHE_DIR {cache}")


def test_outside_ci_mode_changed_files_never_use_the_plan_directory(checkout: Checkout) -> None:
    """pre-commit passes the files a branch changed: its .terraform is not the developer's."""
    done = checkout.run("--changed", "--format", "json", "--", str(checkout.plan))
    _refused(done, "no trusted copy of provider")
    assert not checkout.marker.exists()


def test_the_laptop_flow_converts_with_the_plan_directory_providers(
    planned: Planned, tmp_path: Path
) -> None:
    """`terraform plan -out tfplan && checker check tfplan` where it was planned, no CI."""
    log = tmp_path / "terraform-calls.log"
    env = {**_environment(tmp_path, log), "TF_CLI_ARGS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", "tfplan", "--format", "json"],
        cwd=planned.stack,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    notes = json.loads(done.stdout)["inputs"][0]["notes"]
    assert any("the plan directory's own .terraform/providers" in n for n in notes), notes


def _plan_zip(lock: bytes | None, *, copies: int = 1) -> bytes:
    """A zip shaped like a binary plan, with `copies` lock members (written by the test)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate member name
        archive.writestr("tfplan", b"\x00not really a plan")
        archive.writestr("tfconfig/m-/main.tf", STACK)
        for _ in range(copies if lock is not None else 0):
            archive.writestr(".terraform.lock.hcl", lock or b"")
    return buffer.getvalue()


def _lock(address: str = "registry.terraform.io/hashicorp/aws", version: str = "5.100.0") -> bytes:
    return f'provider "{address}" {{\n  version = "{version}"\n}}\n'.encode()


HOSTILE_LOCKS = {
    "oversized": (b"# padding\n" * 40_000 + _lock(), "over 256 KiB"),
    "zip bomb": (b" " * (64 * 1024 * 1024), "over 256 KiB"),
    "path traversal in the address": (_lock("registry.terraform.io/../../../../tmp"), "line 1"),
    "path traversal in the version": (_lock(version="../../../../tmp/x"), "no valid version"),
    "absolute address": (_lock("/tmp/evil/aws"), "not a provider address"),
    "not utf-8": (b'provider "\xff" {\n}\n', "not UTF-8"),
    "unclosed block": (b'provider "registry.terraform.io/hashicorp/aws" {\n', "not closed"),
    "stray text": (b"locals { x = 1 }\n", "line 1"),
    "no lock": (None, "no dependency lock"),
    "two locks": (_lock(), "more than one dependency lock"),
    "a provider twice": (_lock() + _lock(), "a provider twice"),
}


@pytest.mark.parametrize("case", HOSTILE_LOCKS, ids=list(HOSTILE_LOCKS))
def test_a_hostile_lock_in_the_plan_is_refused_before_terraform_runs(
    tmp_path: Path, case: str
) -> None:
    lock, expected = HOSTILE_LOCKS[case]
    repo = tmp_path / "repo"
    repo.mkdir()
    plan = repo / "x.plan.json"
    plan.write_bytes(_plan_zip(lock, copies=2 if case == "two locks" else 1))
    log = tmp_path / "terraform-calls.log"
    recorder = tmp_path / "terraform"
    recorder.write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nexit 1\n", encoding="utf-8")
    recorder.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in CI_KEYS}
    env.update(CHECKER_TERRAFORM=str(recorder), CHECKER_BINARY_PLANS="convert")
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1", HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(plan), "--format", "json"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    _refused(done, "binary plan file", expected)
    assert not log.exists()


def test_an_unknown_binary_plans_setting_is_exit_2(tmp_path: Path) -> None:
    plan = tmp_path / "x.plan.json"
    plan.write_bytes(_plan_zip(_lock()))
    env = {**os.environ, "CHECKER_BINARY_PLANS": "yes-please", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(plan), "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    _refused(done, "CHECKER_BINARY_PLANS", "refuse or convert")
