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


def region_account(model: RuleModel, inst: Instance, accounts: list[Instance]) -> Instance | None:
    """The API Gateway account settings `inst` (a stage, method settings) is written under:
    they are one per region (SetAccount), so the one of its provider's region; with regions
    the plan does not tell, the first; None when its region has none (TAP014's finding)."""
    region = model.region_of(inst)
    same = [a for a in accounts if model.region_of(a) == region]
    if same:
        return same[0]
    if region is None or all(model.region_of(a) is None for a in accounts):
        return accounts[0] if accounts else None
    return None
