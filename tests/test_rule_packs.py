"""Rule packs: a directory (`--rules`, `rule_paths`) or an installed entry point, like built-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.canonical_stack import FIXTURE, ROOT

PACK_RULE = """
from checker.api import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity


class Options(RuleOptions):
    required: bool = True


def check(ctx: RuleContext):
    wanted = ctx.options.required if isinstance(ctx.options, Options) else True
    for table in ctx.model.resources("aws_dynamodb_table"):
        if table.get("deletion_protection_enabled") is True or not wanted:
            yield Result.passed(table.address, "deletion_protection_enabled", "on")
        else:
            yield Result.failed(table.address, "deletion_protection_enabled", "off", "true")


RULE = Rule(
    meta=RuleMeta(
        id="{rule_id}",
        title="Tables have deletion protection",
        severity=Severity.MEDIUM,
        incident=0,
        rationale="A dropped table is gone.",
        remediation="Set deletion_protection_enabled = true.",
        resource_types=("aws_dynamodb_table",),
    ),
    check=check,
    options=Options,
)
"""
FAILED = ("ACME001", "aws_dynamodb_table.main", "failed")


def pack(folder: Path, rule_id: str = "ACME001", name: str = "deletion.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(PACK_RULE.replace("{rule_id}", rule_id), encoding="utf-8")
    (folder / "_helpers.py").write_text("raise SystemExit('helpers are not rule modules')\n")
    return folder


def checker(*args: str, cwd: Path = ROOT, path: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), path) if p)}
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def pack_findings(out: str) -> set[tuple[str, str, str]]:
    report = json.loads(out)
    return {
        (f["rule_id"], f["address"], f["status"])
        for f in report["findings"]
        if f["rule_id"] == "ACME001"
    }


def test_a_directory_pack_runs_like_a_built_in_rule(tmp_path: Path) -> None:
    rules = pack(tmp_path / "acme")
    done = checker("check", str(FIXTURE), "--rules", str(rules), "--format", "json")
    assert done.returncode == 1, done.stderr
    assert pack_findings(done.stdout) == {FAILED}
    listed = checker("rules", "--rules", str(rules))
    assert f"ACME001  medium    Tables have deletion protection  [{rules}]" in listed.stdout
    for fmt in ("sarif", "junit", "markdown", "html", "text"):
        shown = checker("check", str(FIXTURE), "--rules", str(rules), "--format", fmt)
        assert shown.returncode == 1 and "ACME001" in shown.stdout, fmt


def test_pack_findings_honour_waivers_fail_on_and_options(tmp_path: Path) -> None:
    rules = pack(tmp_path / "acme")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - rule: ACME001\n    address: aws_dynamodb_table.main\n"
        "    owner: data\n    reason: migration\n    expires: 2099-01-01\n"
    )
    args = ("check", str(FIXTURE), "--rules", str(rules), "--format", "json")
    waived = checker(*args, "--waivers", str(waivers))
    assert waived.returncode == 0 and pack_findings(waived.stdout) == {(*FAILED[:2], "waived")}
    assert checker(*args, "--fail-on", "high").returncode == 0
    config = tmp_path / "checker.toml"
    config.write_text(f'rule_paths = ["{rules}"]\n[rules.ACME001]\nrequired = false\n')
    configured = checker("check", str(FIXTURE), "--config", str(config), "--format", "json")
    assert configured.returncode == 0 and pack_findings(configured.stdout) == {
        (*FAILED[:2], "passed")
    }
    config.write_text(f'rule_paths = ["{rules}"]\n[rules.ACME001]\nrequired = "no"\n')
    bad = checker("check", str(FIXTURE), "--config", str(config))
    assert bad.returncode == 2 and "ACME001" in bad.stderr and "required" in bad.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("import no_such_module_here\n", "broken.py: import failed (ModuleNotFoundError"),
        (PACK_RULE.replace("{rule_id}", "TAP010"), "duplicate rule ID TAP010"),
        (PACK_RULE.replace("{rule_id}", "acme-1"), "broken.py: malformed rule ID 'acme-1'"),
        ("RULE = 42\n", "broken.py: int is not a checker.api.Rule"),
    ],
    ids=["import-error", "duplicate-of-built-in", "malformed-id", "not-a-rule"],
)
def test_a_broken_pack_is_exit_2_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    rules = pack(tmp_path / "acme")
    (rules / "broken.py").write_text(content, encoding="utf-8")
    done = checker("check", str(FIXTURE), "--rules", str(rules))
    assert done.returncode == 2
    assert message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2 and "Traceback" not in done.stderr


def test_an_installed_pack_loads_through_its_entry_point(tmp_path: Path) -> None:
    """A distribution on the path registering `tap_checker.rules`, as `pip install` leaves it."""
    site = tmp_path / "site"
    pack(site / "acme_rules", name="__init__.py")
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tap_checker.rules]\nacme = acme_rules\n")
    done = checker("check", str(FIXTURE), "--format", "json", path=str(site))
    assert done.returncode == 1, done.stderr
    assert pack_findings(done.stdout) == {FAILED}
    listed = checker("rules", "--format", "json", path=str(site))
    packs = {r["id"]: r["pack"] for r in json.loads(listed.stdout)}
    assert packs["ACME001"] == "acme (acme_rules)" and packs["TAP001"] == "tap (built-in)"


EXAMPLE = ROOT / "examples" / "rule-pack"
EXAMPLE_VERDICTS = {
    ("ACME001", "aws_dynamodb_table.main", "failed"),
    ("ACME002", "aws_lambda_function.processor", "passed"),
}


def example_findings(out: str) -> set[tuple[str, str, str]]:
    report = json.loads(out)
    return {
        (f["rule_id"], f["address"], f["status"])
        for f in report["findings"]
        if f["rule_id"].startswith("ACME")
    }


def test_the_example_pack_from_its_directory() -> None:
    done = checker(
        "check", str(FIXTURE), "--rules", str(EXAMPLE / "acme_rules"), "--format", "json"
    )
    assert done.returncode == 1, done.stderr
    assert example_findings(done.stdout) == EXAMPLE_VERDICTS


def test_the_example_pack_installed(tmp_path: Path) -> None:
    """`pip install` of the pack (its pyproject.toml), then found through its entry point."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    done = checker("check", str(FIXTURE), "--format", "json", path=str(target))
    assert done.returncode == 1, done.stderr
    assert example_findings(done.stdout) == EXAMPLE_VERDICTS
    listed = checker("rules", "--format", "json", path=str(target))
    assert {r["id"]: r["pack"] for r in json.loads(listed.stdout)}["ACME002"] == "acme (acme_rules)"


def test_entry_points_are_scanned_again_when_a_distribution_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan of entry points is cached under every `entry_points.txt` on the import path
    and its mtime: a pack installed, edited or removed is seen by the next start."""
    from checker import text_cache
    from checker.rules import registry

    monkeypatch.setattr(text_cache, "_memory", {})  # as a new process: nothing in memory yet
    monkeypatch.setenv("CHECKER_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    scan = registry._entry_points.__wrapped__  # the uncached-in-memory function
    before = scan()
    assert ("tap", registry.BUILTIN_ENTRY_POINT) in before
    assert any((tmp_path / "cache").iterdir())  # stored for the next process
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[tap_checker.rules]\nacme = acme_rules\n")
    assert set(scan()) == {*before, ("acme", "acme_rules")}
    (dist / "entry_points.txt").write_text("[tap_checker.rules]\nacme = acme_rules.v2:RULES\n")
    os.utime(dist / "entry_points.txt", ns=(1, 10**18))
    assert set(scan()) == {*before, ("acme", "acme_rules.v2:RULES")}
