"""The checkov engine: real checkov, isolated, with the custom checks of checker/policies/checkov.

These tests run checkov itself (installed by `checker engines install`, which ./dev setup runs); they are
never skipped: a missing checkov is a failure of the set-up.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.engines.checkov import run_checkov_raw
from checker.engines.checkov_checks import checks
from checker.engines.checkov_plan import write_checkov_view
from checker.engines.coverage import partial_rules
from checker.report.model import Finding
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.scenario import CONFIG, check_every_mutation, verdict, write_scenario

COVERED = {rule for rule, _ in checks().values()}
RUNNER = CliRunner()


def test_the_check_table_is_read_from_the_checks() -> None:
    """Each check asserts a built-in rule, on resource types that rule judges."""
    from checker.rules.registry import builtin_rules

    rules = {rule.meta.id: rule.meta for rule in builtin_rules()}
    files = sorted((ROOT / "checker" / "policies" / "checkov").glob("tap0*.py"))
    assert len(checks()) == len(files)
    for check_id, (rule_id, types) in checks().items():
        assert check_id == f"CKV_TAP_{rule_id[3:]}", check_id
        assert types and set(types) <= set(rules[rule_id].resource_types), (check_id, types)


def test_canonical_plan_passes_every_covered_rule() -> None:
    result = RUNNER.invoke(app, ["check", str(FIXTURE), "--engine", "checkov", "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert {f["engine"] for f in report["findings"]} == {"checkov"}
    partial = partial_rules("checkov")  # asserted in part: never a pass (RuleMeta.engines)
    assert {f["status"] for f in report["findings"] if f["rule_id"] not in partial} == {"passed"}
    assert {f["status"] for f in report["findings"] if f["rule_id"] in partial} == {"unknown"}
    assert {f["rule_id"] for f in report["findings"]} == COVERED
    assert {f["engine_check_id"] for f in report["findings"]} == set(checks())


@pytest.fixture(scope="module")
def mutation_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """Every mutation checked by both engines, the external one in one batched run."""
    return check_every_mutation(tmp_path_factory.mktemp, ("native", "checkov"))


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_engines_agree_on_every_mutation(
    mutation_reports: dict[str, list[Finding]], mutation: object
) -> None:
    findings = mutation_reports[mutation.id]  # type: ignore[attr-defined]
    native = [f for f in findings if f.engine == "native"]
    checkov = [f for f in findings if f.engine == "checkov"]
    for rule in sorted(COVERED):
        ours, theirs = verdict(native, rule), verdict(checkov, rule)
        if theirs in ("unknown", "none") or ours in ("unknown", "none"):
            continue  # an engine that cannot see the value does not contradict the other
        assert ours == theirs, (
            rule,
            [f.to_dict() for f in native if f.rule_id == rule],
            [f.to_dict() for f in checkov if f.rule_id == rule],
        )
    if mutation.rule in COVERED:  # type: ignore[attr-defined]
        assert verdict(checkov, mutation.rule) == "failed"  # type: ignore[attr-defined]


def _tap001_results(reports: list[dict[str, object]]) -> set[str]:
    out: set[str] = set()
    for report in reports:
        results = report.get("results") or {}
        assert isinstance(results, dict)
        for key in ("passed_checks", "failed_checks"):
            out |= {
                f"{key}:{r['check_id']}"
                for r in results.get(key) or []
                if r["check_id"] == "CKV_TAP_001"
            }
    return out


def test_depends_on_reaches_checkov_through_the_plan_view(tmp_path: Path) -> None:
    raw = run_checkov_raw(["--framework", "terraform_plan", "--file", str(FIXTURE)])
    assert _tap001_results(raw) == set(), "a plain plan has no depends_on: no verdict, no failure"
    view = write_checkov_view(json.loads(FIXTURE.read_text()), tmp_path / "view.json")
    assert _tap001_results(
        run_checkov_raw(["--framework", "terraform_plan", "--file", str(view)])
    ) == {"passed_checks:CKV_TAP_001"}


def test_unknown_values_come_out_as_unknown(tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "plan.json"
    plan.parent.mkdir()
    plan.write_text(FIXTURE.read_text())  # no sources anywhere: the route pattern stays hidden
    report = check_inputs([str(plan)], CheckOptions(engines=("checkov",)), type(CONFIG)())
    tap007 = [f for f in report.findings if f.rule_id == "TAP007"]
    assert [(f.status, f.address) for f in tap007] == [
        ("unknown", "aws_api_gateway_integration.process_post")
    ]


def test_checks_run_on_the_hcl_of_the_stack(tmp_path: Path) -> None:
    # the repository's own stack (the corpus under tests/stacks is #15's agreement test)
    reports = run_checkov_raw(["--framework", "terraform", "--file", str(ROOT / "tap_stack.tf")])
    failed = [r for rep in reports for r in (rep.get("results") or {}).get("failed_checks") or []]
    passed = [r for rep in reports for r in (rep.get("results") or {}).get("passed_checks") or []]
    assert failed == []
    assert {r["check_id"] for r in passed} >= {"CKV_TAP_001", "CKV_TAP_010", "CKV_TAP_011"}
    mutation = next(m for m in MUTATIONS if m.id == "tap010-pitr-disabled")
    write_scenario(tmp_path, mutation)
    (tmp_path / "plan.json").unlink()
    reports = run_checkov_raw(["--framework", "terraform", "--directory", str(tmp_path)])
    failed_ids = {
        r["check_id"]
        for rep in reports
        for r in (rep.get("results") or {}).get("failed_checks") or []
    }
    assert failed_ids == {"CKV_TAP_010"}


def _fake(tmp_path: Path, body: str) -> str:
    script = tmp_path / "checkov"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("echo boom >&2; exit 2", "checkov crashed (exit 2): boom"),
        ("echo not json", "checkov printed no JSON report"),
        ("echo \"Cannot load external check 'x'\" >&2; echo '{}'", "could not load a custom check"),
    ],
)
def test_broken_checkov_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    monkeypatch.setenv("CHECKER_CHECKOV", _fake(tmp_path, body))
    result = RUNNER.invoke(app, ["check", str(FIXTURE), "--engine", "checkov", "--format", "json"])
    assert result.exit_code == 3
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_checkov_is_exit_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHECKER_CHECKOV", str(tmp_path / "absent" / "checkov"))
    result = RUNNER.invoke(app, ["check", str(FIXTURE), "--engine", "checkov"])
    assert result.exit_code == 3
    assert "is not an executable checkov" in result.stderr


def test_checkov_runs_offline() -> None:
    from checker.engines.checkov import OFFLINE_ENV

    assert (
        OFFLINE_ENV["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "1"
        and OFFLINE_ENV["BC_SKIP_MAPPING"] == "TRUE"
    )
    assert "BC_API_KEY" not in os.environ
