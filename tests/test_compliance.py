"""The terraform-compliance engine: real terraform-compliance, isolated, with checker/policies/compliance.

These tests run terraform-compliance itself (installed by `checker engines install`,
which ./dev setup runs); they are never skipped.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.engines.compliance_features import declared_scenarios
from checker.engines.coverage import partial_rules
from checker.report.model import Finding
from tests.mutations import MUTATIONS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.mutate import Mutation
from tests.support.scenario import check_every_mutation, verdict

FEATURES = ROOT / "checker" / "policies" / "compliance"
SCENARIOS = declared_scenarios(FEATURES)
COVERED = {s.rule_id for s in SCENARIOS}
RUNNER = CliRunner()
# rules the features assert only in part: failures reported, never a pass
PARTIAL = partial_rules("compliance")


def test_every_scenario_is_tagged_and_names_its_resource_type() -> None:
    assert SCENARIOS
    for scenario in SCENARIOS:
        assert scenario.rule_id.startswith("TAP"), scenario
        assert scenario.resource_type.startswith("aws_"), scenario


def test_canonical_plan_passes_every_feature_and_all_engines_report() -> None:
    result = RUNNER.invoke(app, ["check", str(FIXTURE), "--engine", "all", "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    engines = defaultdict(set)
    for finding in report["findings"]:
        engines[finding["engine"]].add(finding["status"])
    # checkov asserts TAP007 in part (OpenAPI-defined integrations): never a pass there
    assert dict(engines) == {
        "native": {"passed"},
        "checkov": {"passed", "unknown"},
        "compliance": {"passed"},
    }
    partial = partial_rules("checkov")
    assert {
        f["rule_id"]
        for f in report["findings"]
        if f["engine"] == "checkov" and f["status"] == "unknown"
    } == partial
    reported = {f["engine_check_id"] for f in report["findings"] if f["engine"] == "compliance"}
    assert reported == {s.check_id for s in SCENARIOS if s.rule_id not in PARTIAL}


@pytest.fixture(scope="module")
def mutation_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """Every mutation checked by both engines, the external one in one batched run."""
    return check_every_mutation(tmp_path_factory.mktemp, ("native", "compliance"))


def test_each_feature_fails_on_a_mutation_of_its_rule(
    mutation_reports: dict[str, list[Finding]],
) -> None:
    failing: dict[str, set[str]] = defaultdict(set)
    for mutation in MUTATIONS:
        for finding in mutation_reports[mutation.id]:
            if (
                finding.engine == "compliance"
                and finding.status == "failed"
                and finding.rule_id == mutation.rule
            ):
                failing[Path(finding.engine_check_id.split(":")[0]).name].add(mutation.id)
    features = {Path(s.file).stem for s in SCENARIOS}
    assert {f: len(failing[f]) >= 1 for f in features} == {f: True for f in features}, dict(failing)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_agreement_with_the_native_engine(
    mutation_reports: dict[str, list[Finding]], mutation: Mutation
) -> None:
    findings = mutation_reports[mutation.id]
    native = [f for f in findings if f.engine == "native"]
    compliance = [f for f in findings if f.engine == "compliance"]
    for rule in sorted(COVERED):
        ours, theirs = verdict(native, rule), verdict(compliance, rule)
        if theirs == "failed":
            assert ours == "failed", (rule, [f.to_dict() for f in compliance if f.rule_id == rule])
        if ours == "passed":
            assert theirs in ("passed", "none"), (rule, theirs)
        if ours == "failed":
            assert theirs != "passed", (rule, "native fails, compliance passes")
        if rule in PARTIAL:
            assert "passed" not in {f.status for f in compliance if f.rule_id == rule}


def _copy_features(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(FEATURES, target / "compliance")
    return target


def _run_with(policies: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("CHECKER_POLICIES", str(policies))
    result = RUNNER.invoke(
        app, ["check", str(FIXTURE), "--engine", "compliance", "--format", "json"]
    )
    return result.exit_code, result.stderr


def test_a_feature_that_does_not_parse_is_an_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = _copy_features(tmp_path)
    broken = policies / "compliance" / "tap011_force_destroy.feature"
    broken.write_text(broken.read_text().replace("  Scenario:", "  Scenaro:"))
    code, err = _run_with(policies, monkeypatch)
    assert code == 3 and "error:" in err and "Traceback" not in err


def test_a_silently_skipped_scenario_is_an_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = _copy_features(tmp_path)
    (policies / "compliance" / "tap099_skips.feature").write_text(
        "Feature: TAP010 filter that matches nothing\n\n"
        "  @TAP010\n"
        "  Scenario: Tables named nowhere\n"
        "    Given I have aws_dynamodb_table defined\n"
        "    When its name is nowhere-to-be-found\n"
        "    Then it must contain point_in_time_recovery\n"
    )
    code, err = _run_with(policies, monkeypatch)
    assert code == 3 and "skipped scenario 'Tables named nowhere'" in err


def test_a_broken_step_is_an_engine_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policies = _copy_features(tmp_path)
    (policies / "compliance" / "tap098_bad_step.feature").write_text(
        "Feature: TAP011 bad step\n\n"
        "  @TAP011\n"
        "  Scenario: A step with a section that does not exist\n"
        "    Given I have aws_s3_bucket defined\n"
        "    Given I have api_url output configured\n"
    )
    code, err = _run_with(policies, monkeypatch)
    assert (
        code == 3 and "could not run scenario" in err and "configuration type does not exist" in err
    )


def test_missing_terraform_compliance_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHECKER_COMPLIANCE", str(tmp_path / "nope"))
    result = RUNNER.invoke(app, ["check", str(FIXTURE), "--engine", "compliance"])
    assert result.exit_code == 3 and "not an executable terraform-compliance" in result.stderr
