"""Plans as Terraform 1.11 and OpenTofu write them: write-only attributes and provider addresses.

- Terraform 1.11 writes a write-only attribute (`write_only` in the provider schema:
  `aws_ssm_parameter.value_wo` ...) as null in every plan and state, whatever the
  configuration sets (https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only).
  The model reads it as unknown, never as "not set", and bound sources settle it.
- OpenTofu writes the same plan JSON with its registry in provider addresses
  (`registry.opentofu.org/hashicorp/aws`, https://opentofu.org/docs/internals/json-format/):
  real plans rewritten that way get the same verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checker.plan.build import build_model
from checker.plan.models import PlanDocument
from checker.plan.values import Unknown
from checker.run import CheckOptions, check_inputs
from tests.mutations import MUTATIONS
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG, failed
from tests.terraform.fixtures import CREATE_FIXTURE, REAL, read_plan
from tests.terraform.harness import Workspace

WRITE_ONLY_STACK = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_ssm_parameter" "token" {
  name             = "/tap/token"
  type             = "SecureString"
  value_wo         = "written-only"
  value_wo_version = 1
}
"""


def test_a_write_only_attribute_is_unknown_never_unset(
    workspace_for: Callable[[Path], Workspace], tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(WRITE_ONLY_STACK, encoding="utf-8")
    plan = workspace_for(tmp_path).plan()
    (change,) = plan["resource_changes"]
    assert change["change"]["after"]["value_wo"] is None  # what Terraform 1.11 writes

    (parameter,) = build_model(PlanDocument.model_validate(plan)).resources("aws_ssm_parameter")
    value = parameter.get("value_wo")
    assert isinstance(value, Unknown), value
    assert "write-only" in (value.expression or "")
    assert parameter.get("description") is None  # an ordinary unset attribute stays unset
    assert parameter.get("value_wo_version") == 1

    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    report = check_inputs([str(tmp_path / "plan.json")], CheckOptions(), CONFIG)
    assert not [f for f in report.findings if f.error]
    from checker.inputs import LoadOptions, load

    loaded = load(str(tmp_path / "plan.json"), LoadOptions(), CONFIG)
    assert loaded.model.source is not None  # the stack's .tf files beside the plan
    (bound,) = loaded.model.resources("aws_ssm_parameter")
    assert loaded.model.settle(bound, "value_wo") == "written-only"


def opentofu(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as OpenTofu writes it: its registry in every provider address, its version."""
    text = json.dumps(plan).replace('"registry.terraform.io/', '"registry.opentofu.org/')
    rewritten: dict[str, Any] = json.loads(text)
    rewritten["terraform_version"] = "1.9.0"
    return rewritten


def test_the_rewrite_reaches_every_provider_address() -> None:
    plan = opentofu(read_plan(CREATE_FIXTURE))
    text = json.dumps(plan)
    assert "registry.terraform.io" not in text
    assert text.count('"registry.opentofu.org/hashicorp/aws"') > 30


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_opentofu_plans_get_terraforms_verdicts(mutation: Mutation, tmp_path: Path) -> None:
    """Each mutation's update plan, rewritten to OpenTofu's provider addresses, fails on
    exactly what Terraform's does, and every finding carries the same change."""
    results = []
    for name, plan in (
        ("terraform", read_plan(REAL / f"{mutation.id}.update.json.gz")),
        ("opentofu", opentofu(read_plan(REAL / f"{mutation.id}.update.json.gz"))),
    ):
        path = tmp_path / name / "plan.json"
        path.parent.mkdir()
        path.write_text(json.dumps(plan), encoding="utf-8")
        report = check_inputs([str(path)], CheckOptions(), CONFIG)
        assert not [f for f in report.findings if f.error]
        results.append(sorted((f.rule_id, f.address, f.status, f.change) for f in report.findings))
        if name == "opentofu":
            expected = {(r, a) for r, addresses in mutation.fails.items() for a in addresses}
            assert failed(report.findings) <= expected
    assert results[0] == results[1]
