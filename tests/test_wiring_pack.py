"""The `wiring` pack: off by default, switched on by name, its table checked against AWS data.

Its verdicts are tested where the TAP rules' are: on the stack corpus and the wiring
families (`tests/test_corpus.py`, real plans) and on the seed's rule cases
(`tests/test_rule_cases.py`), with the pack on and agreeing with TAP001.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checker.aws import authorization
from checker.config import load_config
from checker.errors import InputError
from checker.rules.base import Rule
from checker.rules.catalogue import render_catalogue
from checker.rules.completeness import missing_parts
from checker.rules.registry import OPTIONAL_PACKS, all_rules, optional_pack
from checker.wiring.invokers import INVOKERS, Invoker
from tests.stacks.families import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests" / "fixtures" / "plans" / "tap_stack.plan.json"


def ids(rules: tuple[Rule, ...]) -> set[str]:
    return {r.meta.id for r in rules}


def test_off_by_default_on_by_name() -> None:
    assert not any(i.startswith("WIR") for i in ids(all_rules()))
    wiring = ids(optional_pack("wiring"))
    assert wiring and all(i.startswith(OPTIONAL_PACKS["wiring"].prefix) for i in wiring)


def test_one_line_of_configuration_switches_it_on(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.checker]\npacks = ["wiring"]\n')
    assert "WIR001" in ids(load_config(None, tmp_path).rules())
    (tmp_path / "pyproject.toml").write_text('[tool.checker]\npacks = ["wirring"]\n')
    with pytest.raises(InputError, match="unknown pack 'wirring'"):
        load_config(None, tmp_path)


def test_the_command_line_switches_it_on(tmp_path: Path) -> None:
    """`--rules wiring` names the pack; the report holds its findings."""
    run = [sys.executable, "-m", "checker", "check", str(PLAN), "--format", "json"]
    config = ["--config", "/dev/null"]
    on = subprocess.run([*run, *config, "--rules", "wiring"], capture_output=True, text=True)
    off = subprocess.run([*run, *config], capture_output=True, text=True)
    assert '"rule_id": "WIR001"' in on.stdout, on.stderr
    assert '"rule_id": "WIR001"' not in off.stdout, off.stderr


@pytest.mark.parametrize("invoker", INVOKERS, ids=lambda i: i.type)
def test_every_calling_service_is_in_aws_authorization_data(invoker: Invoker) -> None:
    """The principal is the service's prefix in the Service Authorization Reference."""
    assert authorization.service(invoker.service) is not None, invoker.service
    assert invoker.principal == f"{invoker.service}.amazonaws.com"


def test_the_pack_page_is_generated_from_its_rules() -> None:
    committed = (ROOT / "docs" / "wiring.md").read_text(encoding="utf-8")
    assert committed == render_catalogue("markdown", optional_pack("wiring"), only_pack=True), (
        "docs/wiring.md is stale: checker rules --format markdown --rules wiring --only-pack"
    )


def test_every_wiring_rule_is_planted_in_a_family_stack() -> None:
    """Each rule of the pack has incidents planted in the family stacks, which the corpus
    tests judge on real plans (exactly caught with sources, never passed from the plan)."""
    planted = {rule for stack in FAMILIES for m in stack.mutations for rule, _ in m.fails}
    assert ids(optional_pack("wiring")) <= planted


@pytest.mark.parametrize("rule", optional_pack("wiring"), ids=lambda r: r.meta.id)
def test_every_wiring_rule_is_one_unit_with_the_aws_behaviour_it_models(rule: Rule) -> None:
    assert missing_parts(rule, builtin=False) == []
    meta = rule.meta
    assert meta.aws_model and meta.limits and meta.needs_person
    assert meta.references and all("https://" in ref for ref in meta.references)
