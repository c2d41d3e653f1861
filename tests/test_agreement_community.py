"""Three engines, one verdict, on the `community` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementCommunity(AgreementSuite):
    stack = "community"
