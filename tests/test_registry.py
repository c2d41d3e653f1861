"""The registry keeps its promises: valid metadata, documented rules, a generated catalogue."""

from __future__ import annotations

import pytest

from checker.rules.base import Rule, RuleMeta, Severity
from checker.rules.catalogue import render_catalogue
from checker.rules.registry import RegistryError, all_rules, validate
from tests.support.canonical_stack import ROOT

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.meta.id)
def test_rule_is_documented(rule: Rule) -> None:
    doc = rule.doc
    assert doc.startswith(f"{rule.meta.id}:"), "the docstring names the rule first"
    for part in ("Why:", "Anti-pattern:", "Best practice:"):
        assert part in doc, f"{rule.meta.id} docstring lacks {part!r}"
    assert rule.meta.remediation and rule.meta.rationale
    assert isinstance(rule.meta.severity, Severity)


def test_catalogue_doc_is_generated_from_metadata() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_catalogue("markdown"), (
        "docs/rules.md is stale: run 'checker rules --format markdown > docs/rules.md'"
    )


def test_catalogue_matches_the_shared_contract_table() -> None:
    expected = {
        "TAP001": "high", "TAP002": "high", "TAP003": "critical", "TAP004": "high",
        "TAP005": "medium", "TAP006": "low", "TAP007": "high", "TAP008": "high",
        "TAP009": "high", "TAP010": "medium", "TAP011": "low", "TAP012": "medium",
        "TAP013": "medium", "TAP014": "medium", "TAP015": "low",
    }  # fmt: skip
    assert {r.meta.id: r.meta.severity.value for r in all_rules()} == expected


def _meta(rule_id: str, incident: int) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title="t",
        severity=Severity.LOW,
        incident=incident,
        rationale="r",
        remediation="fix",
        resource_types=("aws_s3_bucket",),
    )


@pytest.mark.parametrize(
    ("metas", "message"),
    [
        ([_meta("TAP001", 1), _meta("TAP001", 1)], "duplicate rule ID"),
        ([_meta("TAP1", 1)], "malformed rule ID"),
        ([_meta("TAP002", 3)], "does not match its ID"),
        (
            [
                RuleMeta(
                    id="TAP004",
                    title="t",
                    severity=Severity.LOW,
                    incident=4,
                    rationale="r",
                    remediation="",
                    resource_types=("x",),
                )
            ],
            "are required",
        ),
    ],
)
def test_malformed_registry_fails_at_load(metas: list[RuleMeta], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        validate([Rule(meta=m, check=lambda ctx: []) for m in metas])
