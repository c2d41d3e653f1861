"""A pull request is data, never code: what the checked tree holds never runs, widens reads,
becomes an option, or hangs the gate (issue 24; docs/security.md).

Every test runs the installed `checker` console script (what CI runs: `python -m`
would itself put the hostile working directory on `sys.path`) in a child process
limited to 20 s and 1.5 GB, with the pull request's files as its working directory.
Code a pull request plants writes a marker file when it runs; no marker may appear.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

CHECKER = Path(sys.executable).parent / "checker"
TIME_LIMIT = 20
MEMORY_LIMIT = 1536 * 1024 * 1024
SECRET = "PR-CANNOT-READ-THIS-7f3a"


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def checker(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: int = TIME_LIMIT
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHECKER_", "CI"))}
    base["CHECKER_CACHE_DIR"] = os.environ.get("CHECKER_CACHE_DIR", "off")
    base["NO_COLOR"] = "1"
    return subprocess.run(
        [str(CHECKER), *args],
        cwd=cwd, env={**base, **(env or {})}, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=timeout, preexec_fn=_limit, check=False,
    )  # fmt: skip


CI = {"CI": "true"}


def _plant(folder: Path, module: str, marker: Path) -> None:
    """A Python package named `module` in the tree whose import writes `marker`."""
    package = folder / module
    package.mkdir(parents=True, exist_ok=True)
    code = f"open({str(marker)!r}, 'a').write({module!r})\n"
    for name in ("__init__.py", "__main__.py", "cli.py"):
        (package / name).write_text(code, encoding="utf-8")


def _rule_pack(folder: Path, marker: Path) -> None:
    """A directory rule pack whose import writes `marker` (what `rule_paths` would load)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.py").write_text(
        f"open({str(marker)!r}, 'a').write('pack')\nRULES = []\n", encoding="utf-8"
    )


def _repo(tmp_path: Path, mutation: str | None = "tap010-pitr-disabled") -> Path:
    """A pull request's checkout: a git repository holding a stack and its plan."""
    repo = tmp_path / "pr"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text(
        f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n'
    )
    write_scenario(repo, next((m for m in MUTATIONS if m.id == mutation), None))
    return repo


def _failed(stdout: str) -> set[str]:
    report = json.loads(stdout)
    return {f["rule_id"] for f in report["findings"] if f["status"] == "failed"}


# ------------------------------------------------------------ 1. no code of the tree runs


def test_ci_gate_runs_no_module_of_the_workspace(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "ran"
    for module in ("checker", "pip", "venv", "typer", "json"):
        _plant(repo, module, marker)
    done = checker(repo, "ci", "gate", "--plans", "*.json", "--out", "out", env=CI)
    assert not marker.exists(), marker.read_text()
    assert done.returncode == 1, done.stderr[-800:]
    assert "TAP010" in _failed((repo / "out" / "report.json").read_text())


def test_engine_install_runs_no_module_of_the_workspace(tmp_path: Path) -> None:
    """`checker engines install` builds an environment (venv, pip upgrade, pinned install)
    with the hostile checkout as the working directory: its `venv/` and `pip/` never run.
    A small real package stands in for checkov so the test takes seconds, not minutes."""
    repo = _repo(tmp_path, None)
    marker = tmp_path / "ran"
    for module in ("venv", "pip", "ensurepip", "six"):
        _plant(repo, module, marker)
    script = (
        "from checker.engines import install as i\n"
        "class Small(i.EngineTool):\n"
        "    def lock_text(self) -> str:\n"
        "        return 'six==1.16.0\\n'\n"
        "tool = Small('small', 'six', 'python', 'none.lock', 'CHECKER_SMALL')\n"
        "assert i.install(tool) and tool.installed()\n"
    )
    env = {**os.environ, "CHECKER_ENGINES_DIR": str(tmp_path / "engines")}
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-800:]
    assert not marker.exists(), marker.read_text()
    built = tmp_path / "engines" / "small" / "bin" / "python"
    check = [str(built), "-I", "-c", "import six; print(six.__version__)"]
    assert subprocess.run(check, capture_output=True, text=True, check=True).stdout == "1.16.0\n"


def test_ci_gate_refuses_an_engine_directory_inside_the_tree(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    fake = repo / ".cache" / "engines" / "checkov" / "bin" / "checkov"
    fake.parent.mkdir(parents=True)
    marker = tmp_path / "ran"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    env = {**CI, "CHECKER_ENGINES_DIR": str(repo / ".cache" / "engines")}
    done = checker(repo, "check", "plan.json", "--engine", "checkov", env=env)
    assert done.returncode == 3 and "inside the checked tree" in done.stderr, done.stderr
    assert not marker.exists()
    env = {**CI, "CHECKER_CHECKOV": str(fake)}
    done = checker(repo, "check", "plan.json", "--engine", "checkov", env=env)
    assert done.returncode == 3 and "inside the checked tree" in done.stderr, done.stderr
    assert not marker.exists()


# ------------------------------------------------ 2. configuration from the tree is bounded


def _pyproject(repo: Path, body: str) -> None:
    (repo / "pyproject.toml").write_text(f"[tool.checker]\n{body}\n", encoding="utf-8")


def test_rule_paths_from_a_found_pyproject_are_refused_in_ci(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "ran"
    _rule_pack(repo / "policies", marker)
    _pyproject(repo, 'rule_paths = ["policies"]\ndisabled = ["TAP011"]')
    done = checker(repo, "check", "plan.json", "--format", "json", env=CI)
    assert done.returncode == 2, done.stderr
    assert "rule_paths" in done.stderr and "refused in CI" in done.stderr
    assert 1 <= len(done.stderr.strip().splitlines()) <= 2
    assert not marker.exists()


def test_rule_paths_from_a_found_pyproject_are_ignored_with_a_warning_elsewhere(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "ran"
    _rule_pack(repo / "policies", marker)
    _pyproject(repo, 'rule_paths = ["policies"]\ndisabled = ["TAP011"]')
    done = checker(repo, "check", "plan.json", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert not marker.exists()
    report = json.loads(done.stdout)
    assert any("rule_paths" in w and "ignored" in w for w in report["warnings"])
    assert report["summary"]["disabled"] == ["TAP011"]  # rule options keep working there
    assert "TAP010" in _failed(done.stdout)


def test_rule_paths_from_a_named_config_the_command_line_or_the_environment_load(
    tmp_path: Path,
) -> None:
    """The trusted places still load packs (the marker proves the pack was imported)."""
    repo = _repo(tmp_path)
    pack = tmp_path / "trusted-pack"
    for how in ("config", "cli", "env"):
        marker = tmp_path / f"ran-{how}"
        _rule_pack(pack, marker)
        config = tmp_path / "checker.toml"
        config.write_text(f'rule_paths = ["{pack}"]\n')
        args = {"config": ("--config", str(config)), "cli": ("--rules", str(pack)), "env": ()}[how]
        env = {**CI, "CHECKER_RULE_PATHS": str(pack)} if how == "env" else CI
        done = checker(repo, "check", "plan.json", *args, "--format", "json", env=env)
        assert done.returncode == 1, (how, done.stderr)
        assert marker.exists(), how


def test_source_root_from_a_found_pyproject_cannot_open_the_machine(tmp_path: Path) -> None:
    """`source_root = "/"` would let file() read /proc/self/environ (every CI secret)."""
    repo = _repo(tmp_path, None)
    stack = repo / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n'
        '  bucket = file("../../../../../../../../proc/self/environ")\n'
        '  tags   = { t = file("../../outside.txt") }\n}\n'
    )
    (tmp_path / "outside.txt").write_text(SECRET)
    _pyproject(repo, 'source_root = "/"')
    env = {"TAP_SECRET": SECRET}
    done = checker(repo, "check", "stack", "--format", "json", env=env)
    assert SECRET not in done.stdout + done.stderr
    assert any("source_root" in w for w in json.loads(done.stdout)["warnings"])
    refused = checker(repo, "check", "stack", "--format", "json", env={**env, **CI})
    assert refused.returncode == 2 and "source_root" in refused.stderr
    # even a trusted root of "/" never reads /proc: it is generated on read, not a file
    trusted = checker(repo, "check", "stack", "--source-root", "/", "--format", "json", env=env)
    assert SECRET not in trusted.stdout + trusted.stderr
    notes = " ".join(json.loads(trusted.stdout)["inputs"][0]["notes"])
    assert "environ" in notes and "not a regular file" in notes


def test_a_found_config_may_not_point_sources_outside_its_repository(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _pyproject(repo, 'source = "../.."')
    done = checker(repo, "check", "plan.json", "--format", "json")
    assert done.returncode == 2 and "leaves the repository" in done.stderr


# --------------------------------------------------------- 3. file names are never options


def test_changed_refuses_file_names_that_are_not_behind_a_separator(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "ran"
    _rule_pack(repo / "pack.tf", marker)
    (repo / "--rules=pack.tf").write_text("# a file named like an option\n")
    done = checker(
        repo, "check", "--changed", "--format", "json", "--rules=pack.tf", "tap_stack.tf"
    )
    assert done.returncode == 2 and "after '--'" in done.stderr
    assert not marker.exists()
    done = checker(
        repo, "check", "--changed", "--format", "json", "--", "--rules=pack.tf", "tap_stack.tf"
    )
    assert not marker.exists()
    assert done.returncode == 1 and "TAP010" in _failed(done.stdout)


def test_ci_gate_globs_never_turn_a_file_name_into_an_option(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "ran"
    _rule_pack(repo / "pack", marker)
    (repo / "--rules=pack").write_text("{}")
    done = checker(repo, "ci", "gate", "--plans", "*", "--out", "out", env=CI)
    assert not marker.exists()
    assert done.returncode == 2, done.stderr[-600:]
    assert "--rules=pack" in done.stderr  # read as a (bad) plan file, not as an option


def test_the_hooks_end_their_args_with_a_separator() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert hook["args"] == ["--"] and hook["pass_filenames"] is True, hook["id"]


# ------------------------------------------------------------- 5. one confined reader


def _link(path: Path, target: str) -> None:
    path.unlink(missing_ok=True)
    os.symlink(target, path)


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/proc/self/environ"])
def test_files_of_every_kind_are_read_through_the_confined_reader(
    tmp_path: Path, target: str
) -> None:
    """Plan, waiver (named and found), baseline, config and report files that are symlinks to
    an endless device or a generated /proc file: exit 2 at once, nothing of them printed."""
    repo = _repo(tmp_path)
    env = {"TAP_SECRET": SECRET}
    hostile = repo / "hostile"
    _link(hostile, target)
    runs = [
        ("check", "hostile"),
        ("check", "plan.json", "--waivers", "hostile"),
        ("check", "plan.json", "--baseline", "hostile"),
        ("check", "plan.json", "--config", "hostile"),
        ("report", "hostile"),
    ]
    for args in runs:
        done = checker(repo, *args, env=env)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr and SECRET not in done.stdout + done.stderr
    _link(repo / ".checker-waivers.yaml", target)
    done = checker(repo, "check", "plan.json", env=env)
    assert done.returncode == 2 and SECRET not in done.stdout + done.stderr, done.stderr
    (repo / ".checker-waivers.yaml").unlink()
    _link(repo / "pyproject.toml", target)
    done = checker(repo, "check", "plan.json", env=env)
    assert done.returncode == 2 and SECRET not in done.stdout + done.stderr, done.stderr


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    os.mkfifo(repo / "plan.fifo")
    for args in (("check", "plan.fifo"), ("check", "plan.json", "--waivers", "plan.fifo")):
        done = checker(repo, *args)
        assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr


def test_found_files_may_not_leave_the_tree(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text(f"- rule_id: TAP010\n  address: '*'\n  reason: {SECRET}\n")
    _link(repo / ".checker-waivers.yaml", str(outside))
    done = checker(repo, "check", "plan.json", "--format", "json")
    assert done.returncode == 2 and "leaves the checked tree" in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_globs_do_not_follow_links_out_of_the_tree_or_loop(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.plan.json").write_text("{}")
    os.symlink("..", repo / "up")
    os.symlink("..", repo / "up2")
    os.symlink(tmp_path / "elsewhere" / "x.plan.json", repo / "linked.plan.json")
    (repo / "stacks").mkdir()
    os.symlink("../..", repo / "stacks" / "loop")
    done = checker(repo, "ci", "gate", "--plans", "**/*.json", "--out", "out", env=CI)
    assert done.returncode == 1, done.stderr[-600:]
    report = json.loads((repo / "out" / "report.json").read_text())
    assert [i["path"] for i in report["inputs"]] == ["plan.json"]


def test_static_mode_at_the_repository_root_never_reads_git_or_credentials(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path, None)
    (repo / "gha-creds-1234abcd.json").write_text(json.dumps({"private_key": SECRET}))
    (repo / ".git-credentials").write_text(f"https://x:{SECRET}@github.com\n")
    (repo / "extra.tf").write_text(
        'locals {\n  a = file(".git/config")\n  b = file("gha-creds-1234abcd.json")\n'
        '  c = file(".git-credentials")\n}\n'
        'output "leak" {\n  value = "${local.a}${local.b}${local.c}"\n}\n'
        'resource "aws_s3_bucket" "leak" {\n  bucket = "${local.a}${local.b}${local.c}"\n}\n'
    )
    for fmt in ("json", "text", "markdown", "sarif"):
        done = checker(repo, "check", ".", "--format", fmt)
        assert SECRET not in done.stdout + done.stderr, fmt
        assert "Traceback" not in done.stderr
    notes = " ".join(
        json.loads(checker(repo, "check", ".", "--format", "json").stdout)["inputs"][0]["notes"]
    )
    assert "credential or .git file" in notes


# ------------------------------------------------------------- 6. caches cannot be forged


def test_a_cache_directory_inside_the_tree_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    done = checker(repo, "check", ".", env={"CHECKER_CACHE_DIR": str(repo / ".cache")})
    assert done.returncode == 2 and "inside the checked tree" in done.stderr


def test_a_forged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    """An entry filed under the failing file's digest but stored for another text is ignored."""
    from checker import text_cache

    repo = _repo(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    text = (repo / "tap_stack.tf").read_text(encoding="utf-8-sig")
    key = text_cache.digest(text)
    (cache / f"{key}.json").write_text(json.dumps({"digest": "0" * 64, "parsed": {}}))
    done = checker(repo, "check", ".", "--format", "json", env={"CHECKER_CACHE_DIR": str(cache)})
    assert done.returncode == 1 and "TAP010" in _failed(done.stdout), done.stderr
    stored = json.loads((cache / f"{key}.json").read_text())
    assert stored["digest"] == key and stored["parsed"]  # rewritten with the real parse


def test_the_gitlab_template_keeps_caches_and_engines_outside_the_checkout() -> None:
    import yaml

    root = Path(__file__).parents[2]
    job = yaml.safe_load((root / "templates" / "tap-checker.gitlab-ci.yml").read_text())[
        ".tap-checker"
    ]
    # GitLab caches only paths inside the checkout: the one it keeps is an archive of the
    # engines, unpacked into TAP_CHECKER_HOME unless the repository tracks it
    # (tests/test_ci_action.py runs both cases)
    assert job["cache"]["paths"] == [".tap-checker-engines.tar"]
    unpack = next(line for line in job["script"] if "tar -xf" in line)
    assert "git ls-files --error-unmatch" in unpack and '-C "$TAP_CHECKER_HOME"' in unpack
    variables = job["variables"]
    assert not variables["TAP_CHECKER_HOME"].startswith("$CI_PROJECT_DIR")
    for name in ("PIP_CACHE_DIR", "CHECKER_ENGINES_DIR", "CHECKER_CACHE_DIR"):
        assert variables[name].startswith("$TAP_CHECKER_HOME/"), name
    install = next(line for line in job["script"] if "pip install" in line)
    assert "python -I -m pip" in install and 'cd "$TAP_CHECKER_HOME"' in install
