"""TAP007: API Gateway invokes Lambda through AWS_PROXY with a matching permission.

Why: `POST /process` returned 403/500: the `apigateway.amazonaws.com`
permission was missing or its `source_arn` did not match the method and path,
and one integration was `AWS` while the handler expected proxy events (incident 7).

Anti-pattern: `type = "AWS"` for a proxy handler; `integration_http_method`
other than POST; no permission, or one whose source_arn names another method,
path or API.
Best practice: `type = "AWS_PROXY"`, `integration_http_method = "POST"`, and an
`aws_lambda_permission` with `source_arn = "${aws_api_gateway_rest_api.X.execution_arn}/*/POST/process"`
(or `/*/*`).

Option `routes` (list of "METHOD /path"): routes that must exist with a Lambda integration.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from pydantic import Field

from checker.core.address import reference_target, split_address
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, show
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity
from checker.rules.links import ReverseIndex, linked, permissions_by_function


class Options(RuleOptions):
    """`routes`: "METHOD /path" routes that must be served by a Lambda proxy integration."""

    routes: list[str] = Field(default_factory=list)


META = RuleMeta(
    id="TAP007",
    title="API Gateway invokes Lambda through AWS_PROXY with a matching permission",
    severity=Severity.HIGH,
    incident=7,
    rationale=(
        "A proxy handler behind a non-proxy integration gets the wrong payload, and without a "
        "permission whose source_arn matches the route API Gateway gets 403 from Lambda."
    ),
    remediation=(
        'Set type = "AWS_PROXY" and integration_http_method = "POST" on the integration, and '
        'add aws_lambda_permission with principal "apigateway.amazonaws.com", the function, and '
        'source_arn = "${aws_api_gateway_rest_api.X.execution_arn}/*/METHOD/path" (or "/*/*").'
    ),
    resource_types=("aws_api_gateway_integration", "aws_lambda_permission"),
)


def resource_path(model: PlanModel, integration: Instance) -> str | None:
    """The path of the integration's API resource, rebuilt from path_part when unknown."""
    resources = linked(model, integration, ("resource_id",), ("aws_api_gateway_resource",))
    if not resources:
        refs = integration.references("resource_id")
        if any(r.endswith(".root_resource_id") for r in refs):
            return "/"
        return None
    return _path_of(model, resources[0])


def _path_of(model: PlanModel, resource: Instance) -> str | None:
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


def _suffix(model: PlanModel, permission: Instance, api: Instance) -> tuple[str | None, str]:
    """The source_arn after the API's execution ARN; (None, why) when not decidable."""
    value = permission.get("source_arn")
    execution = api.get("execution_arn")
    arn = api.get("arn")
    if isinstance(value, str) and isinstance(arn, str) and value.startswith(arn):
        return None, WRONG_ATTRIBUTE
    if isinstance(value, str) and isinstance(execution, str):
        return (value[len(execution) :], "") if value.startswith(execution) else (None, "other API")
    if isinstance(value, str) and ":execute-api:" in value:
        api_id = api.get("id")
        if isinstance(api_id, str):
            resource = value.split(":", 5)[-1]
            if resource.startswith(api_id + "/"):
                return resource[len(api_id) :], ""
            return None, "other API"
    settled = model.written(permission, "source_arn")
    if not isinstance(settled, Unknown):
        return None, "source_arn does not name this API"
    if settled.parts:
        first, tail = settled.parts[0], settled.parts[1:]
        if isinstance(first, Unknown) and first.reference is not None:
            shape = _shape(model, first.reference, api)
            if shape is not None:
                return None, shape
            texts = [p if isinstance(p, str) else _settled_text(model, p) for p in tail]
            if all(isinstance(t, str) for t in texts):
                return "".join(t for t in texts if isinstance(t, str)), ""
    if settled.reference is not None:
        shape = _shape(model, settled.reference, api)
        return (None, shape) if shape is not None else ("", "")
    if settled.parts is not None or settled.expression is not None:
        return None, "source_arn is built from values only known after apply"
    return None, "source_arn is only known after apply and no source settles it"


def _settled_text(model: PlanModel, part: Unknown) -> str | None:
    """The text of a reference in a source_arn template that the configuration settles:
    a method's `http_method`, a resource's `path` (rebuilt from its path parts)."""
    if part.reference is None:
        return None
    target = reference_target(part.reference)
    found = model.designated(part)
    if target is None or len(found) != 1 or len(target[1]) != 1:
        return None
    inst, attribute = found[0], target[1][0]
    if inst.type == "aws_api_gateway_resource" and attribute == "path":
        return _path_of(model, inst)
    value = model.settle(inst, attribute)
    return value if isinstance(value, str) else None


WRONG_ATTRIBUTE = "names the API's ARN, not its execution_arn"


def _shape(model: PlanModel, reference: str, api: Instance) -> str | None:
    """Why a reference at the head of source_arn has the wrong shape whatever its value:
    another attribute of this API (`.arn`, `.id`), or another API; None when it is
    this API's execution_arn or names something else (decided by its value)."""
    if model.points_at(reference, api, "execution_arn"):
        return None
    if model.points_at(reference, api):
        return WRONG_ATTRIBUTE
    target = reference_target(reference)
    if target is not None and split_address(target[0])[-2] == api.type:
        return "other API"
    return None


def _route_matches(suffix: str, stages: list[str], method: str, path: str) -> bool:
    if suffix in ("", "/*", "*"):
        return True
    pattern = suffix if suffix.startswith("/") else "/" + suffix
    return any(
        fnmatch.fnmatchcase(f"/{stage}/{method}{path}", pattern) for stage in stages or ["stage"]
    )


def _stages(stages: ReverseIndex, api: Instance) -> list[str]:
    return [n for s in stages.get(api) if isinstance(n := s.get("stage_name"), str)]


def _permission_verdict(
    model: PlanModel,
    stages: ReverseIndex,
    permissions: list[Instance],
    function: Instance,
    api: Instance | None,
    method: str | None,
    path: str | None,
) -> tuple[bool | None, str]:
    candidates = [p for p in permissions if p.get("principal") == "apigateway.amazonaws.com"]
    if not candidates:
        return (
            False,
            f"no aws_lambda_permission lets apigateway.amazonaws.com invoke {function.address}",
        )
    reasons: list[str] = []
    undecided = False
    for permission in candidates:
        if permission.get("source_arn") is None and not permission.references("source_arn"):
            reasons.append(f"{permission.address} has no source_arn")
            continue
        if api is None or method is None or path is None:
            undecided = True
            reasons.append("the integration's API, method or path is only known after apply")
            continue
        suffix, why = _suffix(model, permission, api)
        if suffix is None:
            if why == "other API":
                reasons.append(f"{permission.address} source_arn names another API")
            elif why == WRONG_ATTRIBUTE:
                reasons.append(f"{permission.address} source_arn {why}")
            else:
                undecided = True
                reasons.append(f"{permission.address}: {why}")
            continue
        if _route_matches(suffix, _stages(stages, api), method, path):
            return True, f"{permission.address} allows {method} {path} from {api.address}"
        reasons.append(
            f"{permission.address} source_arn suffix {show(suffix)} does not match {method} {path}"
        )
    return (None if undecided else False), reasons[0]


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_function = permissions_by_function(model)
    stages = ReverseIndex.build(
        model, "aws_api_gateway_stage", ("rest_api_id",), ("aws_api_gateway_rest_api",)
    )
    routes_seen: set[str] = set()
    for integration in model.resources("aws_api_gateway_integration"):
        functions = linked(model, integration, ("uri",), ("aws_lambda_function",))
        uri = integration.get("uri")
        targets_lambda = bool(functions) or (isinstance(uri, str) and ":lambda:" in uri)
        if not targets_lambda:
            continue
        method = integration.get("http_method")
        method = method if isinstance(method, str) else None
        path = resource_path(model, integration)
        if method and path:
            routes_seen.add(f"{method.upper()} {path}")
        kind = integration.get("type")
        if kind != "AWS_PROXY":
            if isinstance(kind, Unknown):
                yield Result.unknown(
                    integration.address, "type", "type is only known after apply", "AWS_PROXY"
                )
            else:
                yield Result.failed(
                    integration.address, "type", f"type = {show(kind)}", 'type = "AWS_PROXY"'
                )
            continue
        if integration.get("integration_http_method") != "POST":
            yield Result.failed(
                integration.address,
                "integration_http_method",
                f"integration_http_method = {show(integration.get('integration_http_method'))}",
                'integration_http_method = "POST" (Lambda is always invoked with POST)',
            )
            continue
        if not functions:
            yield Result.unknown(
                integration.address, "uri", "the function is managed outside this plan"
            )
            continue
        apis = linked(model, integration, ("rest_api_id",), ("aws_api_gateway_rest_api",))
        verdict, text = _permission_verdict(
            model,
            stages,
            by_function.get(functions[0]),
            functions[0],
            apis[0] if apis else None,
            method,
            path,
        )
        if verdict is True:
            yield Result.passed(integration.address, "type", f"AWS_PROXY integration; {text}")
        elif verdict is None:
            yield Result.unknown(
                integration.address,
                "aws_lambda_permission",
                text,
                "a permission whose source_arn matches the route",
            )
        else:
            yield Result.failed(
                integration.address,
                "aws_lambda_permission",
                text,
                'principal "apigateway.amazonaws.com", the function, source_arn = '
                f"execution_arn/*/{method or 'METHOD'}{path or '/path'}",
            )
    routes = ctx.options.routes if isinstance(ctx.options, Options) else []
    yield from _routes(routes, routes_seen, model)


def _routes(routes: list[str], seen: set[str], model: PlanModel) -> Iterator[Result]:
    if not model.resources("aws_api_gateway_rest_api"):
        return
    for route in routes:
        method, _, path = route.strip().partition(" ")
        wanted = f"{method.upper()} {path}"
        if wanted not in seen:
            yield Result.failed(
                "aws_api_gateway_integration",
                "routes",
                f"no Lambda integration serves {wanted}",
                f"an AWS_PROXY integration for {wanted}",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=Options)
