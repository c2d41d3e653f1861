"""The path of an API Gateway resource (`/process`, `/users/{id}`), rebuilt through its parents'
`path_part`s when the plan does not know it (for TAP007).
"""

from __future__ import annotations

from checker.plan.model import Instance
from checker.rules.links import linked
from checker.rules.queries import RuleModel


def resource_path(model: RuleModel, integration: Instance) -> str | None:
    """The path of the integration's API resource, rebuilt from path_part when unknown."""
    resources = linked(model, integration, ("resource_id",), ("aws_api_gateway_resource",))
    if not resources:
        refs = integration.references("resource_id")
        if any(r.endswith(".root_resource_id") for r in refs):
            return "/"
        return None
    return path_of(model, resources[0])


def path_of(model: RuleModel, resource: Instance) -> str | None:
    """An API resource's path, rebuilt from `path_part`s when the plan does not know it."""
    parts: list[str] = []
    current: Instance | None = resource
    for _ in range(32):
        if current is None:
            return None
        known = current.get("path")
        if isinstance(known, str):
            return known.rstrip("/") + ("/" + "/".join(reversed(parts)) if parts else "") or "/"
        part = current.get("path_part")
        if not isinstance(part, str):
            return None
        parts.append(part)
        parents = linked(model, current, ("parent_id",), ("aws_api_gateway_resource",))
        if parents:
            current = parents[0]
            continue
        if any(r.endswith(".root_resource_id") for r in current.references("parent_id")):
            return "/" + "/".join(reversed(parts))
        return None
    return None
