"""The engines' coverage table is data: generated from the checks and features, kept in the READMEs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.engines.coverage import ENGINES, coverage, markdown_table, readme_with_table
from checker.errors import EngineError
from tests.support.canonical_stack import ROOT

POLICIES = ROOT / "policies"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_readme_holds_the_generated_table(engine: str) -> None:
    readme = POLICIES / engine / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert readme_with_table(text, engine) == text
    assert markdown_table(engine) in text


@pytest.mark.parametrize("engine", ENGINES)
def test_every_rule_is_covered_or_says_why_not(engine: str) -> None:
    table = coverage(engine)
    assert [c.rule_id for c in table] == [f"TAP{n:03d}" for n in range(1, 16)]
    for item in table:
        assert item.text, item
        assert (item.level == "none") == (item.checks == ()), item


def test_a_covered_rule_without_words_is_an_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    text = (copy / "coverage.toml").read_text(encoding="utf-8")
    (copy / "coverage.toml").write_text(
        text.replace("[compliance.TAP011]\nasserts", "[compliance.TAP011]\nsays"),
        encoding="utf-8",
    )
    monkeypatch.setenv("CHECKER_POLICIES", str(copy))
    with pytest.raises(EngineError, match=r"\[compliance.TAP011\] needs `asserts`"):
        coverage("compliance")
