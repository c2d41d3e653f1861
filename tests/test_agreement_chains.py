"""Three engines, one verdict, on the `chains` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementChains(AgreementSuite):
    stack = "chains"
