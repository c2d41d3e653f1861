"""Who owns the region's API Gateway account (`aws_api_gateway_account`): the option TAP013
and TAP014 share, since the account-wide singleton may belong to another stack."""

from __future__ import annotations

from typing import Literal

from checker.plan.instances import Instance
from checker.rules.base import RuleContext, RuleOptions
from checker.rules.queries import RuleModel


class AccountOptions(RuleOptions):
    """`api_gateway_account`: "in_stack" (default: the stack creates the region's
    `aws_api_gateway_account`) or "managed_elsewhere" (the account-wide singleton is owned
    by another stack, such as a landing zone: not required here, and the report says so)."""

    api_gateway_account: Literal["in_stack", "managed_elsewhere"] = "in_stack"


def account_elsewhere(ctx: RuleContext) -> bool:
    return (
        isinstance(ctx.options, AccountOptions)
        and ctx.options.api_gateway_account == "managed_elsewhere"
    )


class RegionAccounts:
    """The API Gateway account settings of each region (SetAccount is one per region): which
    one a stage or method settings are written under. Each account's region is read once."""

    def __init__(self, model: RuleModel, accounts: list[Instance]) -> None:
        self.model = model
        self.first = accounts[0] if accounts else None
        self.by_region: dict[str | None, Instance] = {}
        for account in accounts:
            self.by_region.setdefault(model.region_of(account), account)

    def of(self, inst: Instance) -> Instance | None:
        """The account of `inst`'s region; with one region (or regions the plan does not
        tell) the first; None when its region has none (TAP014's finding)."""
        if len(self.by_region) <= 1:
            return self.first
        region = self.model.region_of(inst)
        return self.by_region.get(region, self.first if region is None else None)
