"""Three engines, one verdict, on the `templated` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementTemplated(AgreementSuite):
    stack = "templated"
