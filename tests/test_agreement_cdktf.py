"""Three engines, one verdict, on the `cdktf` corpus stack (`tests/support/agreement.py`)."""

from __future__ import annotations

from tests.support.agreement import AgreementSuite


class TestAgreementCdktf(AgreementSuite):
    stack = "cdktf"
