"""Who owns the region's API Gateway account (`aws_api_gateway_account`): the option TAP013
and TAP014 share, since the account-wide singleton may belong to another stack."""

from __future__ import annotations

from typing import Literal

from checker.rules.base import RuleContext, RuleOptions


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
