"""Static HCL mode: `checker check DIR` runs the same rules on .tf files, without a plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.builtin import BUILTIN_IDS
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG, failed, write_scenario

pytestmark = pytest.mark.fast

RUNNER = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def test_the_repository_root_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = RUNNER.invoke(app, ["check", ".", "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert report["inputs"][0]["kind"] == "hcl"
    assert {f["status"] for f in report["findings"]} == {"passed"}
    assert {f["rule_id"] for f in report["findings"]} == set(BUILTIN_IDS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_hcl_mutation_fails_on_the_same_rules_as_its_plan_twin(
    mutation: Mutation, tmp_path: Path
) -> None:
    write_scenario(tmp_path, mutation)
    (tmp_path / "plan.json").unlink()
    report = check_inputs([str(tmp_path)], CheckOptions(), CONFIG)
    expected = {
        (rule, address) for rule, addresses in mutation.fails.items() for address in addresses
    }
    assert failed(report.findings) == expected


def test_values_and_functions_are_evaluated(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "env" {\n  default = "dev"\n}\n'
        'locals {\n  name = format("%s-%s", "tap", var.env)\n  tags = merge({a = "1"}, {b = var.env})\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = "${local.name}-${lookup(local.tags, "b", "x")}"\n'
        "  force_destroy = length(concat([1], [2])) == 2\n}\n"
    )
    (tmp_path / "terraform.tfvars").write_text('env = "prod"\n')
    from checker.source.static_model import build_static_model

    model = build_static_model(tmp_path)
    (bucket,) = model.resources("aws_s3_bucket")
    assert bucket.get("bucket") == "tap-prod-prod"
    assert bucket.get("force_destroy") is True
    from checker.plan.model import UNKNOWN

    assert bucket.get("arn") is None  # not set: computed by the provider, absent here
    assert model.variables["env"] == "prod"
    del UNKNOWN


def test_directory_without_blocks_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.tf").write_text('variable "a" {}\n')
    result = RUNNER.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "no resource or data blocks" in result.stderr


def test_unparsable_hcl_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.tf").write_text('resource "a" "b" {\n  x = \n')
    result = RUNNER.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "HCL does not parse" in result.stderr


def test_override_files_merge_into_the_blocks_they_name(tmp_path: Path) -> None:
    """`*_override.tf` replaces attributes of existing blocks, as Terraform merges it."""
    write_scenario(tmp_path, None)
    (tmp_path / "zz_override.tf").write_text(
        'provider "aws" {\n  s3_use_path_style = true\n}\n'
        'resource "aws_dynamodb_table" "main" {\n'
        "  point_in_time_recovery {\n    enabled = false\n  }\n}\n",
        encoding="utf-8",
    )
    report = check_inputs([str(tmp_path)], CheckOptions(), CONFIG)
    assert failed(report.findings) == {("TAP010", "aws_dynamodb_table.main")}
    region = {f.status for f in report.findings if f.rule_id == "TAP003"}
    assert region == {"passed"}  # the provider's region survived the override
