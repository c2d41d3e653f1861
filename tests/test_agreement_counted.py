"""Three engines, one verdict, on the `counted` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementCounted(AgreementSuite):
    stack = "counted"
