"""Three engines, one verdict, on the `openapi` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementOpenapi(AgreementSuite):
    stack = "openapi"
