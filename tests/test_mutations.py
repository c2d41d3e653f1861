"""Each mutation re-introduces an incident; its rule must fail on the right address, and no other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from checker.rules.registry import all_rules
from tests.mutations import MUTATIONS
from tests.support.drift import drift
from tests.support.mutate import Mutation
from tests.support.scenario import check_folder, failed, statuses, write_scenario

IDS = [m.id for m in MUTATIONS]


def expected(mutation: Mutation) -> set[tuple[str, str]]:
    return {(rule, address) for rule, addresses in mutation.fails.items() for address in addresses}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=IDS)
def test_mutation_fails_exactly_where_expected(mutation: Mutation, tmp_path: Path) -> None:
    stack = write_scenario(tmp_path, mutation)
    assert drift(tmp_path, stack) == [], "the plan and HCL twins of the mutation disagree"
    report = check_folder(tmp_path, with_source=True)
    assert not [f for f in report.findings if f.error], [
        f.message for f in report.findings if f.error
    ]
    assert failed(report.findings) == expected(mutation), report.findings


@pytest.mark.parametrize("mutation", MUTATIONS, ids=IDS)
def test_plan_alone_never_fails_wrongly(mutation: Mutation, tmp_path: Path) -> None:
    """Without sources a hidden value makes a rule unknown, never a wrong failure or a pass."""
    write_scenario(tmp_path, mutation)
    report = check_folder(tmp_path, with_source=False)
    assert failed(report.findings) <= expected(mutation)
    seen = statuses(report.findings)
    for key in expected(mutation):
        if key[1] == "outputs" or key in seen:
            assert seen.get(key, set()) & {"failed", "unknown"}, (key, seen.get(key))


def test_canonical_plan_passes_every_rule(tmp_path: Path) -> None:
    write_scenario(tmp_path, None)
    report = check_folder(tmp_path, with_source=True)
    assert failed(report.findings) == set()
    assert {f.status for f in report.findings} == {"passed"}
    assert {f.rule_id for f in report.findings} == {r.meta.id for r in all_rules()}


def test_every_rule_has_at_least_three_mutations() -> None:
    per_rule = Counter(m.rule for m in MUTATIONS)
    assert {r.meta.id: per_rule[r.meta.id] >= 3 for r in all_rules()} == {
        r.meta.id: True for r in all_rules()
    }
    assert len(set(IDS)) == len(IDS)
    for mutation in MUTATIONS:
        assert mutation.rule in mutation.fails, mutation.id
