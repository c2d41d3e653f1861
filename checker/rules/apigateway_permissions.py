"""Whether a Lambda permission lets API Gateway invoke what an integration calls (for TAP007):
the principal, the action, the function ARN it was granted on, and a `source_arn` matching
the API, stage, method and path.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.plan.model import Instance
from checker.plan.values import show
from checker.rules.apigateway_source_arn import (
    WRONG_ATTRIBUTE,
    names_api,
    route_matches,
    source_arn_suffix,
    stage_names,
)
from checker.rules.lambda_targets import (
    INVOKE,
    Granted,
    Invoked,
    Target,
    allows_invoke,
    other_qualifier,
)
from checker.rules.links import ReverseIndex
from checker.rules.queries import RuleModel


def _permission_verdict(
    model: RuleModel,
    stages: ReverseIndex,
    grants: list[Granted],
    called: Called,
    api: Instance | None,
    method: str | None,
    path: str | None,
) -> tuple[bool | None, str]:
    function = called.target.function
    candidates = [g for g in grants if g.permission.get("principal") == APIGATEWAY]
    if api is not None:  # the permissions written for this API speak first
        candidates.sort(key=lambda g: not names_api(model, g.permission, api))
    if not candidates:
        return (
            False,
            f"no aws_lambda_permission lets apigateway.amazonaws.com invoke {function.address}",
        )
    # why each permission does not cover the call: undecided first, then those naming this
    # API (a wrong attribute, route, action or qualifier), then the rest (no source_arn,
    # another API)
    undecided: list[str] = []
    near: list[str] = []
    far: list[str] = []
    for grant in candidates:
        permission = grant.permission
        if permission.get("source_arn") is None and not permission.references("source_arn"):
            far.append(f"{permission.address} has no source_arn")
            continue
        action = allows_invoke(model.settle(permission, "action"))
        if action is not True:
            found = f"{permission.address} action {show(permission.get('action'))}"
            if action is False:
                near.append(f"{found} does not allow {INVOKE}")
            else:
                undecided.append(f"{found} is only known after apply")
            continue
        if api is None or method is None or path is None:
            undecided.append("the integration's API, method or path is only known after apply")
            continue
        suffix, why = source_arn_suffix(model, permission, api)
        if suffix is None:
            if why == "other API":
                far.append(f"{permission.address} source_arn names another API")
            elif why == WRONG_ATTRIBUTE:
                near.append(f"{permission.address} source_arn {why}")
            else:
                undecided.append(f"{permission.address}: {why}")
            continue
        if not route_matches(suffix, stage_names(model, stages, api), arn_method(method), path):
            near.append(
                f"{permission.address} source_arn suffix {show(suffix)} does not match "
                f"{method} {path}"
            )
            continue
        other = other_qualifier(grant, called.invoked, called.target, "the integration")
        if other is None:
            return True, f"{permission.address} allows {method} {path} from {api.address}"
        (undecided if other[0] is None else near).append(other[1])
    if undecided:
        return None, undecided[0]
    return False, (near or far)[0]


APIGATEWAY = "apigateway.amazonaws.com"


@dataclass(frozen=True)
class Joins:
    """What every integration of one model is judged against: the permissions of each
    function and the stages of each API (built once per check)."""

    model: RuleModel
    permissions: dict[str, list[Granted]]
    stages: ReverseIndex

    def verdict(
        self, called: Called, api: Instance | None, method: str | None, path: str | None
    ) -> tuple[bool | None, str]:
        grants = self.permissions.get(called.target.function.address, [])
        return _permission_verdict(self.model, self.stages, grants, called, api, method, path)


@dataclass(frozen=True)
class Called:
    """The function ARN an integration calls (function and qualifier), as read."""

    target: Target
    invoked: Invoked


def arn_method(method: str) -> str:
    """The method in an execute-api ARN: ANY (and x-amazon-apigateway-any-method) is
    invoked with the request's own method, so only `*` covers it."""
    return "*" if method == "ANY" else method
