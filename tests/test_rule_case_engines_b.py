"""The rule cases through checkov and terraform-compliance: the engines that cover a rule agree.

Every case of `tests/rules/` (one edit of the canonical stack and the verdict AWS
gives), its real create plan beside its sources, checked by all three engines in
one run (this file: every other case, the other half in its sibling, so two
workers share the engines' time). For every rule an engine covers (each rule's
`RuleMeta.engines`):

- it never fails what the native rule passes, nor passes what it fails;
- a rule it covers in part is never passed (it says unknown);
- a rule it covers in full gives the case's own verdict where AWS's answer is a failure.
"""

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
