"""Three engines, one verdict, on the `prebuilt` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementPrebuilt(AgreementSuite):
    stack = "prebuilt"
