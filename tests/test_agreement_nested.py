"""Three engines, one verdict, on the `nested` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementNested(AgreementSuite):
    stack = "nested"
