"""The rule cases through checkov and terraform-compliance, the second half (every other case):
the engines that cover a rule agree with it (`tests/support/case_engines.py` says how)."""

from __future__ import annotations

import pytest

from checker.report.model import Finding
from tests.rules.cases import RuleCase
from tests.support.case_engines import assert_engines_agree, checked, half

CASES = half(1)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return checked(CASES, tmp_path_factory.mktemp("case-engines"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_engines_agree_on_the_case(findings: dict[str, list[Finding]], case: RuleCase) -> None:
    assert_engines_agree(findings[case.id], case)
