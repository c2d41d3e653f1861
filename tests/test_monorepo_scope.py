"""A monorepo of two stacks where the same address fails in both: a baseline or a waiver of
one stack never hides the other, in `check`, `ci gate`, a merge and `checker apply`.

Both stacks are the same mutated stack (TAP002 fails on `aws_iam_role.lambda`), so the
(rule, address) pair is identical and only the stack tells the two findings apart.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.mutations import MUTATIONS
from tests.support.scenario import write_scenario

RULE, ADDRESS = "TAP002", "aws_iam_role.lambda"
STACKS = ("stacks/app", "stacks/data")
CI_KEYS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")


def waiver(stack: str | None, address: str = ADDRESS) -> str:
    line = "" if stack is None else f'    stack: "{stack}"\n'
    return (
        f"waivers:\n  - rule: {RULE}\n    address: {address}\n{line}"
        "    owner: platform\n    reason: the role is rewritten next sprint\n    expires: 2999-01-01\n"
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two stacks, written once (each scenario is a real plan Terraform wrote)."""
    root = tmp_path_factory.mktemp("mono-template")
    mutation = next(m for m in MUTATIONS if m.id == "tap002-put-item-only")
    for stack in STACKS:
        (root / stack).mkdir(parents=True)
        write_scenario(root / stack, mutation)
    return root


@pytest.fixture
def mono(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy as a repository (its root holds `.git`), the working directory its root."""
    import shutil

    root = tmp_path / "mono"
    shutil.copytree(template, root)
    (root / ".git").mkdir()
    for key in CI_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(root)
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def check(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = invoke("check", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out), err


def save(plan: str, report: str) -> None:
    code, _, err = invoke("check", plan, "--format", "json", "--output", report)
    assert code in (0, 1) and Path(report).is_file(), err


def statuses(report: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """stack -> (status, baselined) of the TAP002 finding on the shared address."""
    found = [f for f in report["findings"] if (f["rule_id"], f["address"]) == (RULE, ADDRESS)]
    return {f.get("stack", ""): (f["status"], bool(f.get("baselined"))) for f in found}


def plans() -> list[str]:
    return [f"{stack}/plan.json" for stack in STACKS]


# ------------------------------------------------------------------------ check


def test_every_finding_carries_its_stack(mono: Path) -> None:
    code, report, _ = check(*plans())
    assert code == 1
    assert statuses(report) == {"stacks/app": ("failed", False), "stacks/data": ("failed", False)}
    assert all(f["stack"] in STACKS for f in report["findings"])
    text = invoke("check", *plans(), "--format", "text", "--no-color")[1]
    assert f"stacks/app: {ADDRESS}" in text and f"stacks/data: {ADDRESS}" in text


def test_a_baseline_of_one_stack_never_hides_the_other(mono: Path) -> None:
    save("stacks/app/plan.json", "app-baseline.json")
    code, report, _ = check(*plans(), "--baseline", "app-baseline.json")
    assert code == 1 and report["summary"]["gate"] == "failed"
    assert statuses(report) == {"stacks/app": ("failed", True), "stacks/data": ("failed", False)}
    code, report, _ = check("stacks/data/plan.json", "--baseline", "app-baseline.json")
    assert code == 1 and statuses(report) == {"stacks/data": ("failed", False)}


def test_a_baseline_from_an_older_checker_matches_on_rule_and_address_and_says_so(
    mono: Path,
) -> None:
    save("stacks/app/plan.json", "old.json")
    old = json.loads(Path("old.json").read_text())
    for finding in old["findings"]:
        del finding["stack"]
    Path("old.json").write_text(json.dumps(old))
    code, report, err = check(*plans(), "--baseline", "old.json")
    assert code == 0
    assert statuses(report) == {"stacks/app": ("failed", True), "stacks/data": ("failed", True)}
    assert any("has no stacks (written by an older checker)" in w for w in report["warnings"])
    assert "match on rule and address in every stack" in err
    code, out, err = invoke("report", "old.json", "--format", "json")
    assert code == 1 and "findings without a stack" in " ".join(json.loads(out)["warnings"])


def test_the_root_waiver_of_one_stack_never_hides_the_other(mono: Path) -> None:
    (mono / ".checker-waivers.yaml").write_text(waiver("stacks/app"))
    code, report, _ = check(*plans())
    assert code == 1
    assert statuses(report) == {"stacks/app": ("waived", False), "stacks/data": ("failed", False)}


@pytest.mark.parametrize(("stack", "code", "status"), [("app", 0, "waived"), ("data", 1, "failed")])
def test_the_default_waiver_file_is_read_at_the_root_from_a_stack_directory(
    mono: Path, monkeypatch: pytest.MonkeyPatch, stack: str, code: int, status: str
) -> None:
    (mono / ".checker-waivers.yaml").write_text(waiver("stacks/app"))
    monkeypatch.chdir(mono / "stacks" / stack)
    got, report, _ = check("plan.json")
    assert got == code
    assert statuses(report) == {f"stacks/{stack}": (status, False)}


def test_a_waiver_file_beside_a_stack_speaks_for_that_stack_only(mono: Path) -> None:
    (mono / "stacks" / "app" / ".checker-waivers.yaml").write_text(waiver(None))
    code, report, _ = check(*plans())
    assert code == 1
    assert statuses(report) == {"stacks/app": ("waived", False), "stacks/data": ("failed", False)}
    assert not any("names no stack" in w for w in report.get("warnings", []))


def test_a_waiver_without_a_stack_still_waives_every_stack_but_says_so(mono: Path) -> None:
    (mono / ".checker-waivers.yaml").write_text(waiver(None))
    code, report, _ = check(*plans())
    assert code == 0
    assert statuses(report) == {"stacks/app": ("waived", False), "stacks/data": ("waived", False)}
    assert any("waiver names no stack and applies to every stack" in w for w in report["warnings"])
    (mono / ".checker-waivers.yaml").write_text(waiver("*"))
    code, report, _ = check(*plans())
    assert code == 0 and not any("names no stack" in w for w in report.get("warnings", []))


def test_a_stack_glob_waives_the_stacks_it_matches(mono: Path) -> None:
    Path("w.yaml").write_text(waiver("stacks/d*"))
    code, report, _ = check(*plans(), "--waivers", "w.yaml")
    assert code == 1
    assert statuses(report) == {"stacks/app": ("failed", False), "stacks/data": ("waived", False)}


def test_an_empty_stack_is_exit_2_naming_the_line(mono: Path) -> None:
    Path("w.yaml").write_text(waiver(""))
    code, out, err = invoke("check", *plans(), "--waivers", "w.yaml")
    assert code == 2 and out == "" and "w.yaml: line 2: stack is empty" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- ci gate, merge


def test_ci_gate_jobs_and_their_merge_keep_the_stacks_apart(mono: Path) -> None:
    save("stacks/app/plan.json", "app-baseline.json")
    (mono / ".checker-waivers.yaml").write_text(waiver("stacks/app"))
    for stack in STACKS:
        name = stack.split("/")[-1]
        code, _, err = invoke(
            "ci", "gate", "--plans", f"{stack}/plan.json", "--baseline", "app-baseline.json",
            "--out", f"reports/{name}",
        )  # fmt: skip
        assert code == (0 if name == "app" else 1), err
    code, _, err = invoke(
        "ci", "gate", "--reports", "reports/*/report.json", "--expect-reports", "app data",
        "--out", "merged",
    )  # fmt: skip
    assert code == 1, err
    merged = json.loads((mono / "merged" / "report.json").read_text())
    assert merged["summary"]["gate"] == "failed"
    assert statuses(merged) == {"stacks/app": ("waived", False), "stacks/data": ("failed", False)}
    sarif = json.loads((mono / "merged" / "report.sarif").read_text())
    flagged = [r["properties"]["stack"] for r in sarif["runs"][0]["results"] if r["ruleId"] == RULE]
    assert "stacks/data" in flagged


# ------------------------------------------------------------------------ apply

FAKE_TERRAFORM = """#!{python}
# plan writes a stand-in plan file, show prints the stack's plan.json, apply is recorded
import pathlib, sys
args = sys.argv[1:]
log = pathlib.Path({log!r})
log.open("a").write(" ".join(args[:1]) + "\\n")
if args[0] == "plan":
    out = next(a.split("=", 1)[1] for a in args if a.startswith("-out="))
    pathlib.Path(out).write_text("binary plan")
elif args[0] == "show":
    sys.stdout.write(pathlib.Path("plan.json").read_text())
"""


@pytest.fixture
def terraform(mono: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`CHECKER_TERRAFORM` as the apply tests use it, here a stand-in: no AWS, no provider."""
    log = tmp_path / "terraform.log"
    script = tmp_path / "terraform"
    script.write_text(FAKE_TERRAFORM.format(python=sys.executable, log=str(log)))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CHECKER_TERRAFORM", str(script))
    return log


@pytest.mark.parametrize(("stack", "code"), [("app", 0), ("data", 1)])
def test_apply_in_a_stack_directory_reads_the_root_waivers_for_its_stack_only(
    mono: Path, terraform: Path, monkeypatch: pytest.MonkeyPatch, stack: str, code: int
) -> None:
    (mono / ".checker-waivers.yaml").write_text(waiver("stacks/app"))
    monkeypatch.chdir(mono / "stacks" / stack)
    got, _, err = invoke("apply", "--report", "report.json", "--no-color")
    assert got == code, err
    report = json.loads(Path("report.json").read_text())
    assert statuses(report) == {f"stacks/{stack}": ("waived" if code == 0 else "failed", False)}
    calls = terraform.read_text().split()
    assert calls == (["plan", "show", "apply"] if code == 0 else ["plan", "show"])


def test_apply_with_a_baseline_of_another_stack_applies_nothing(
    mono: Path, terraform: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mono / "stacks" / "app")
    assert invoke("apply", "--report", str(mono / "app.json"))[0] == 1
    assert invoke("apply", "--baseline", str(mono / "app.json"))[0] == 0
    monkeypatch.chdir(mono / "stacks" / "data")
    code, _, err = invoke("apply", "--baseline", str(mono / "app.json"), "--report", "data.json")
    assert code == 1 and "not applying" in err
    assert statuses(json.loads(Path("data.json").read_text())) == {"stacks/data": ("failed", False)}
    assert terraform.read_text().split().count("apply") == 1
