"""Three engines, one verdict, on the `modular` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementModular(AgreementSuite):
    stack = "modular"
