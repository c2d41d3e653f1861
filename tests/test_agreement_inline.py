"""Three engines, one verdict, on the `inline` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementInline(AgreementSuite):
    stack = "inline"
