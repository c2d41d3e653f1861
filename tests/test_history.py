"""New, inherited or fixed, from real update plans (`checker.history`).

Three real plans per mutation of the canonical stack, written by Terraform against moto:
- introduced: the mutation planned against the applied clean stack
  (`tests/fixtures/real/<id>.update.json.gz`);
- inherited: the applied mutation planned again with one unrelated change, and
- fixed: the applied mutation planned back to the canonical stack
  (`tests/fixtures/real/history/`, `python -m tests.terraform.history`).
And the same three plans for every mutation of the stack corpus (`tests/stacks/`,
`python -m tests.terraform.history --corpus`).

From the plan alone a change is never wrong: it is the right one or `unknown` (a finding
that rests on configuration the plan does not keep for its prior state). With the base
revision's sources (`--prior-source`) every one is decided. The pipeline's parts are
called directly so that one load serves both questions; `test_cli_history` runs the
command end to end.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.engines.native import judge, run_native
from checker.history import BaseKey, Key, base_verdicts, classify, prior_of
from checker.inputs import LoadOptions, load
from checker.report.model import Change, Finding
from checker.results import Status
from checker.source.static_model import build_static_model
from tests.mutations import MUTATIONS
from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.support.mutate import Mutation
from tests.support.scenario import CONFIG
from tests.terraform.corpus import OUT as CORPUS_PLANS
from tests.terraform.fixtures import REAL, canonical_inputs, mutation_inputs, read_plan
from tests.terraform.history import (
    CORPUS_INDEX,
    HISTORY,
    INDEX,
    REFUSALS,
    UNAPPLIABLE,
    corpus_history_digest,
    corpus_key,
    history_digest,
)

PLAN_ONLY = type(CONFIG)(rule_options=CONFIG.rule_options)
KINDS = {
    Change.INTRODUCED: lambda m: REAL / f"{m.id}.update.json.gz",
    Change.INHERITED: lambda m: HISTORY / f"{m.id}.inherited.json.gz",
    Change.FIXED: lambda m: HISTORY / f"{m.id}.fixed.json.gz",
}


def expected(mutation: Mutation) -> set[Key]:
    return {(rule, address) for rule, addresses in mutation.fails.items() for address in addresses}


def changes(findings: list[Finding]) -> dict[Key, set[str]]:
    out: dict[Key, set[str]] = {}
    for finding in findings:
        if finding.change:
            out.setdefault((finding.rule_id, finding.address), set()).add(finding.change)
    return out


def base_of(folder: Path, config: CheckerConfig) -> dict[BaseKey, frozenset[Status]]:
    """The rules' static verdicts on a revision's sources."""
    return base_verdicts(run_native(build_static_model(folder), config, str(folder)))


def classified(
    plan: dict[str, object], folder: Path, base: Path, config: CheckerConfig
) -> tuple[list[Finding], list[Finding]]:
    """The plan's findings classified from the plan alone, and with the base's sources."""
    path = folder / "plans" / "plan.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(plan), encoding="utf-8")
    item = load(str(path), LoadOptions(), config)
    findings = judge(item.model, config, item.name).findings
    assert item.prior is not None, "an update plan has a prior state"
    prior = prior_of(item, judge(item.prior, config, item.name), None)
    assert prior is not None, "an update plan has a prior state"
    with_base = replace(prior, base=base_of(base, config))
    return classify(findings, prior), classify(findings, with_base)


def undecided_in(base: Path, config: CheckerConfig, key: Key) -> bool:
    """Is the rule's static verdict on the base revision unknown (never passed or failed)?"""
    statuses = {
        s
        for (rule, address, _), found in base_of(base, config).items()
        for s in found
        if (rule, address) == key
    }
    return statuses == {Status.UNKNOWN}


def test_every_history_plan_matches_its_inputs() -> None:
    index = json.loads(INDEX.read_text(encoding="utf-8"))
    stale = [m.id for m in MUTATIONS if index.get(m.id, "").split(" ")[0] != history_digest(m.id)]
    assert stale == [], f"stale history plans (python -m tests.terraform.history --only {stale})"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_each_mutation_is_introduced_then_inherited_then_fixed(
    mutation: Mutation, tmp_path: Path
) -> None:
    """Each (rule, address) the mutation fails on is introduced by the plan that adds it,
    inherited by a plan after it was applied, and fixed by the plan that removes it."""
    clean = canonical_inputs().write(tmp_path / "base-canonical")
    mutated = mutation_inputs(mutation.id).write(tmp_path / "base-mutated")
    refused = json.loads(INDEX.read_text(encoding="utf-8"))[mutation.id].partition(UNAPPLIABLE)[2]
    plans = {change: plan_of(mutation) for change, plan_of in KINDS.items()}
    assert_history(plans, refused, expected(mutation), clean, mutated, PLAN_ONLY, tmp_path)


def assert_history(
    plans: dict[Change, Path],
    refused: str,
    wanted: set[Key],
    clean: Path,
    mutated: Path,
    config: CheckerConfig,
    tmp_path: Path,
) -> None:
    """The introducing, inheriting and fixing plans of one mutation classify each of its
    failures as such: decided with the base revision's sources, and from the plan alone
    either the same or unknown, never a wrong change."""
    bases = {Change.INTRODUCED: clean, Change.INHERITED: mutated, Change.FIXED: mutated}
    failed_before: set[Key] = set()
    for change, path in plans.items():
        if refused and change != Change.INTRODUCED:
            # AWS refuses to create the mutated stack (the incident itself): no applied state
            assert any(code in refused for code in REFUSALS) and not path.exists()
            continue
        plan = read_plan(path)
        plan_only, with_base = classified(plan, tmp_path / change, bases[change], config)
        decided, guessed = changes(with_base), changes(plan_only)
        failing = {(f.rule_id, f.address) for f in with_base if f.status == Status.FAILED}
        if change == Change.FIXED:
            # what failed on the applied mutation (in this mode) is what the fix fixes
            assert failing == set()
            moved = {
                rc["previous_address"]: rc["address"]
                for rc in plan["resource_changes"]  # type: ignore[attr-defined]
                if rc.get("previous_address")
            }
            before = {(rule, moved.get(address, address)) for rule, address in failed_before}
            assert all(seen == {Change.FIXED} for seen in decided.values()), decided
            # fixed: what failed before, as the plan alone or the mutation's sources tell
            assert set(decided) <= before | wanted, (decided, before)
            passed = {(f.rule_id, f.address) for f in with_base if f.status == Status.PASSED}
            # a failure the plan mends is fixed, unless the plan cannot judge it any more
            assert not (before - set(decided)) & passed, before - set(decided)
            assert all(seen == {Change.FIXED} and key in wanted for key, seen in guessed.items())
            continue
        assert failing <= wanted, (change, failing)
        if change == Change.INHERITED:
            failed_before = failing
        # unknown only where nothing can tell: the prior state's verdict and the base
        # revision's static one are both unknown (a handler neither reads, say)
        undecidable = {
            (f.rule_id, f.address)
            for f in with_base
            if f.change == Change.UNKNOWN
            and "verdict on the prior state is unknown" in f.change_note
            and undecided_in(bases[change], config, (f.rule_id, f.address))
        }
        assert decided == {
            key: {Change.UNKNOWN if key in undecidable else change} for key in failing
        }, (change, decided)
        # the plan alone: the same change, or unknown; never a wrong one
        assert all(seen <= {change, Change.UNKNOWN} for seen in guessed.values()), guessed
        assert set(guessed) == failing


CORPUS_CASES = [(stack, mutation) for stack in CORPUS for mutation in stack.mutations]
CORPUS_KINDS = {
    Change.INTRODUCED: "update",
    Change.INHERITED: "inherited",
    Change.FIXED: "fixed",
}


def test_every_corpus_history_plan_matches_its_stack() -> None:
    index = json.loads(CORPUS_INDEX.read_text(encoding="utf-8"))
    stale = [
        corpus_key(stack, mutation)
        for stack, mutation in CORPUS_CASES
        if index.get(corpus_key(stack, mutation), "").split(" ")[0]
        != corpus_history_digest(stack, mutation)
    ]
    assert stale == [], (
        f"stale corpus history plans (python -m tests.terraform.history --corpus): {stale}"
    )


@pytest.mark.parametrize(
    ("stack", "mutation"), CORPUS_CASES, ids=[f"{s.name}-{m.id}" for s, m in CORPUS_CASES]
)
def test_each_corpus_mutation_is_introduced_then_inherited_then_fixed(
    stack: Stack, mutation: StackMutation, tmp_path: Path
) -> None:
    """The corpus stacks, written in other idioms (modules, for_each, JSON, OpenAPI): each
    mutation planned against the applied clean stack, planned again after it was applied
    (one unrelated resource added), and planned back to the clean stack."""
    folder = CORPUS_PLANS / stack.name
    plans = {
        change: folder / f"{mutation.id}.{kind}.json.gz" for change, kind in CORPUS_KINDS.items()
    }
    index = json.loads(CORPUS_INDEX.read_text(encoding="utf-8"))
    refused = index[corpus_key(stack, mutation)].partition(UNAPPLIABLE)[2]
    clean = stack.write(tmp_path / "base-clean", None)
    mutated = stack.write(tmp_path / "base-mutated", mutation)
    wanted = set(mutation.fails)
    assert_history(plans, refused, wanted, clean, mutated, CheckerConfig(), tmp_path)


def test_a_create_plan_introduces_everything(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(read_plan(REAL / "tap010-pitr-disabled.create.json.gz")))
    item = load(str(path), LoadOptions(), PLAN_ONLY)
    assert item.prior is None
    findings = classify(judge(item.model, PLAN_ONLY, item.name).findings, None)
    failed = [f for f in findings if f.status == Status.FAILED]
    assert failed and all(f.change == Change.INTRODUCED for f in failed)
    assert all(not f.change for f in findings if f.status != Status.FAILED)
