"""The engines' coverage table is data: generated from the checks and features, kept in the READMEs."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from checker.engines.coverage import ENGINES, coverage, markdown_table, readme_with_table
from checker.engines.install import TOOLS
from checker.errors import EngineError
from checker.results import EngineName
from checker.rules.base import Rule
from tests.support.builtin import BUILTIN_IDS
from tests.support.canonical_stack import ROOT

POLICIES = ROOT / "checker" / "policies"


@pytest.mark.parametrize("engine", ENGINES)
def test_the_readme_holds_the_generated_table(engine: str) -> None:
    readme = POLICIES / engine / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert readme_with_table(text, engine) == text
    assert markdown_table(engine) in text


@pytest.mark.parametrize("engine", ENGINES)
def test_every_rule_is_covered_or_says_why_not(engine: str) -> None:
    table = coverage(engine)
    assert [c.rule_id for c in table] == list(BUILTIN_IDS)
    for item in table:
        assert item.text, item
        assert (item.level == "none") == (item.checks == ()), item


def test_a_covered_rule_without_words_is_an_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule the features cover must say in its own metadata what they assert."""
    from checker.engines import coverage as coverage_module
    from checker.rules.registry import builtin_rules

    def silent(rule: Rule) -> Rule:
        if rule.meta.id != "TAP011":
            return rule
        kept = tuple(c for c in rule.meta.engines if c.engine != EngineName.COMPLIANCE)
        return replace(rule, meta=replace(rule.meta, engines=kept))

    rules = tuple(silent(r) for r in builtin_rules())
    monkeypatch.setattr(coverage_module, "builtin_rules", lambda: rules)
    with pytest.raises(EngineError, match=r"TAP011: its RuleMeta.engines needs compliance asserts"):
        coverage(EngineName.COMPLIANCE)


def test_the_shared_core_needs_only_the_standard_library() -> None:
    """checker.core (and the AWS data it reads, checker.aws) is imported by the checkov checks
    inside checkov's own environment."""
    shared = [*(ROOT / "checker" / "core").glob("*.py"), *(ROOT / "checker" / "aws").glob("*.py")]
    for path in sorted(shared):
        if path.name == "refresh.py":
            continue  # the generator, run with the dev dependencies, never imported by a check
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith(
                    ("checker.core", "checker.aws")
                ), (
                    path.name,
                    name,
                )


def test_checkovs_interpreter_imports_the_shared_core_and_nothing_of_ours() -> None:
    """The checks load the checker package by its path (as from an installed wheel,
    where its parent is a site-packages of our pins): core only, none of our pins."""
    python = TOOLS["checkov"].executable().parent / "python"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tap_common; "
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'typer', 'checker'))))"
    )
    done = subprocess.run(
        [str(python), "-c", code, str(POLICIES / "checkov")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CHECKER_CORE_PATH": str(ROOT / "checker")},
    )
    assert done.stdout.strip() == str(
        [
            "checker",
            "checker.aws",
            "checker.aws.authorization",
            "checker.aws.managed",
            "checker.core",
            "checker.core.address",
            "checker.core.evaluation",
            "checker.core.iam",
            "checker.core.key_policy",
            "checker.core.matching",
        ]
    )
