"""Every finding names where its values came from: the plan, the state, or a source file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.report.model import Report
from tests.stacks.corpus import CHAINS
from tests.test_corpus import run

pytestmark = pytest.mark.fast

TLS = next(m for m in CHAINS.mutations if m.id == "tls-true")
POLICY_LINE = next(
    n
    for n, line in enumerate((CHAINS.directory / "main.tf").read_text().splitlines(), 1)
    if line.strip().startswith("policy") and "JSON" in line and n > 100
)


def evidence(report: Report) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.address): f.evidence for f in report.findings if f.status == "failed"}


def test_create_plan_values_hidden_by_the_plan_come_from_the_source_line(tmp_path: Path) -> None:
    found = evidence(run(CHAINS, TLS, "create", "sources", tmp_path))
    assert set(found) == set(TLS.fails)
    for origin in found.values():
        assert f"source main.tf:{POLICY_LINE}" in origin.split("; ")


def test_update_plan_values_come_from_the_plan_and_the_state(tmp_path: Path) -> None:
    found = evidence(run(CHAINS, TLS, "update", "plan", tmp_path))
    for origin in found.values():
        parts = origin.split("; ")
        assert "plan" in parts and "state (no change planned)" in parts
        assert not any(p.startswith("source") for p in parts)


def test_static_mode_names_the_source_line(tmp_path: Path) -> None:
    found = evidence(run(CHAINS, TLS, "create", "static", tmp_path))
    assert set(found) == set(TLS.fails)
    for origin in found.values():
        assert f"source main.tf:{POLICY_LINE}" in origin.split("; ")
        assert "plan" not in origin.split("; ")


def test_every_finding_has_evidence(tmp_path: Path) -> None:
    report = run(CHAINS, None, "update", "sources", tmp_path)
    assert report.findings and all(f.evidence for f in report.findings)


def test_an_unknown_says_what_would_settle_it(tmp_path: Path) -> None:
    plan_only = run(CHAINS, None, "create", "plan", tmp_path / "p")
    static = run(CHAINS, None, "create", "static", tmp_path / "s")
    with_sources = run(CHAINS, None, "create", "sources", tmp_path / "w")
    unknown = [f for f in plan_only.findings if f.status == "unknown"]
    assert unknown and all("--source DIR" in f.note for f in unknown)
    assert all("terraform show -json" in f.note for f in static.findings if f.status == "unknown")
    assert not any("--source DIR" in f.note for f in with_sources.findings)
