"""TAP007: API Gateway invokes Lambda through AWS_PROXY with a matching permission.

Why: `POST /process` returned 403/500: the `apigateway.amazonaws.com`
permission was missing or its `source_arn` did not match the method and path,
and one integration was `AWS` while the handler expected proxy events (incident 7).

Anti-pattern: `type = "AWS"` for a proxy handler; `integration_http_method`
other than POST; no permission, or one whose source_arn names another method,
path or API, whose action is not lambda:InvokeFunction, or that was granted on
another ARN than the uri calls (`qualified_invoke_arn` or an alias's `invoke_arn`
need a permission on that version or alias; an unqualified one covers only
`invoke_arn`).
Best practice: `type = "AWS_PROXY"`, `integration_http_method = "POST"`, and an
`aws_lambda_permission` with `source_arn = "${aws_api_gateway_rest_api.X.execution_arn}/*/POST/process"`
(or `/*/*`).

APIs defined by an OpenAPI `body` are judged the same way, route by route: each
operation's `x-amazon-apigateway-integration` must have `type: aws_proxy`,
`httpMethod: POST` and the function's invocation URI as `uri`
(`checker.rules.openapi` reads the body: `jsonencode`, heredoc, `file()`,
`templatefile()`, JSON or YAML).

Option `routes` (list of "METHOD /path"): routes that must exist with a Lambda integration.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from checker.core.address import reference_target, split_address
from checker.plan.model import Instance, PlanModel, qualified_refs
from checker.plan.values import Unknown, Value, show, text_of
from checker.rules.base import (
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleOptions,
    Severity,
    checked,
)
from checker.rules.lambda_targets import (
    ALIAS,
    INVOKE,
    Granted,
    Invoked,
    Target,
    alias_functions,
    allows_invoke,
    invoked,
    invoked_value,
    other_qualifier,
    permissions_by_target,
)
from checker.rules.links import ReverseIndex, linked
from checker.rules.openapi import Route, Routes, Unreadable, read_routes


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
        'source_arn = "${aws_api_gateway_rest_api.X.execution_arn}/*/METHOD/path" (or "/*/*"). '
        "In an OpenAPI body, give each operation's x-amazon-apigateway-integration "
        "type: aws_proxy, httpMethod: POST and uri: the function's invoke_arn."
    ),
    resource_types=(
        "aws_api_gateway_integration",
        "aws_api_gateway_rest_api",
        "aws_lambda_permission",
    ),
    aws_model=(
        "An AWS_PROXY integration calls Lambda's Invoke (always with POST) on the function ARN "
        "in its uri: invoke_arn is the unqualified function, qualified_invoke_arn the "
        "function's version, an alias's invoke_arn the alias. API Gateway calls as principal "
        "apigateway.amazonaws.com with aws:SourceArn = arn:aws:execute-api:REGION:ACCOUNT:"
        "API_ID/STAGE/METHOD/PATH. Lambda allows it only through a permission granted on "
        "that same function ARN (qualifier or version/alias ARN as function_name for a "
        "version or alias, none for the function), whose action allows lambda:InvokeFunction "
        "and whose source_arn matches the route under ArnLike; a stage's execution_arn is the "
        "API's execution_arn plus /STAGE, so both spellings of one route are the same ARN."
    ),
    letter_vs_aws=(
        "The fix asks for a source_arn on the API's execution_arn; AWS also accepts a "
        "permission without source_arn (any API of any account may then invoke). The rule "
        "follows the fix (stricter and safe) and fails it. Routes are matched as AWS does: "
        "execution_arn/*/POST/process, execution_arn/*/* and stage.execution_arn/POST/process "
        "all pass."
    ),
    limits=(
        "A $LATEST-qualified uri (qualified_invoke_arn of a function without publish) with a "
        "function-level permission is unknown: AWS documents no permission scoped to $LATEST. "
        "Stage variables in the uri (${stageVariables.alias}) are not resolved. From the plan "
        "alone at creation the source_arn pattern and the exact function ARNs are hidden "
        "(unknown until the .tf sources are bound). Account and region of the ARNs are not "
        "compared."
    ),
    references=(
        "AWS Lambda API Reference, AddPermission (Qualifier, SourceArn) "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html)",
        "AWS Lambda Developer Guide, Using Lambda aliases in event sources and permissions "
        "policies (https://docs.aws.amazon.com/lambda/latest/dg/using-aliases.html)",
        "Amazon API Gateway Developer Guide, Set up Lambda proxy integrations "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/"
        "set-up-lambda-proxy-integrations.html)",
        "Amazon API Gateway Developer Guide, execute-api ARN format "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html)",
        "Terraform AWS provider, aws_lambda_function invoke_arn / qualified_invoke_arn "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        "lambda_function)",
        "Terraform AWS provider, aws_lambda_alias invoke_arn (https://registry.terraform.io/"
        "providers/hashicorp/aws/latest/docs/resources/lambda_alias)",
        "Terraform AWS provider, aws_api_gateway_stage execution_arn (https://registry."
        "terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_stage)",
    ),
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
            stage = _stage_head(model, first.reference, api)
            head = "" if stage is None else stage[0]
            if head is None:
                return None, stage[1] if stage is not None else ""
            shape = None if stage is not None else _shape(model, first.reference, api)
            if shape is not None:
                return None, shape
            texts = [p if isinstance(p, str) else _settled_text(model, p) for p in tail]
            if all(isinstance(t, str) for t in texts):
                return head + "".join(t for t in texts if isinstance(t, str)), ""
    if settled.reference is not None:
        stage = _stage_head(model, settled.reference, api)
        if stage is not None:
            return stage
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


def _names(model: PlanModel, permission: Instance, api: Instance) -> bool:
    """Does the permission's source_arn expression reference the API?"""
    refs = qualified_refs(permission, permission.references("source_arn"))
    return any(model.points_at(ref, api) for ref in refs)


def _stages(model: PlanModel, stages: ReverseIndex, api: Instance) -> list[str]:
    return [n for s in stages.get(api) if isinstance(n := model.settle(s, "stage_name"), str)]


STAGE = "aws_api_gateway_stage"


def _stage_head(model: PlanModel, reference: str, api: Instance) -> tuple[str | None, str] | None:
    """A source_arn that starts with a stage's `execution_arn` ("{API execution_arn}/{stage
    name}", aws_api_gateway_stage): the stage's part of the suffix, or why not; None when
    the reference is not a stage's execution_arn."""
    target = reference_target(reference)
    if target is None or split_address(target[0])[-2] != STAGE:
        return None
    if target[1][:1] != ("execution_arn",):
        return None, WRONG_ATTRIBUTE
    stages = model.designated(Unknown.of_reference(reference), (STAGE,))
    if len(stages) != 1:
        return None, f"{reference} designates {len(stages)} stages"
    stage = stages[0]
    if api not in linked(model, stage, ("rest_api_id",), ("aws_api_gateway_rest_api",)):
        return None, "other API"
    name = model.settle(stage, "stage_name")
    if not isinstance(name, str):
        return None, f"{stage.address} stage_name is only known after apply"
    return f"/{name}", ""


def _permission_verdict(
    model: PlanModel,
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
        candidates.sort(key=lambda g: not _names(model, g.permission, api))
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
        suffix, why = _suffix(model, permission, api)
        if suffix is None:
            if why == "other API":
                far.append(f"{permission.address} source_arn names another API")
            elif why == WRONG_ATTRIBUTE:
                near.append(f"{permission.address} source_arn {why}")
            else:
                undecided.append(f"{permission.address}: {why}")
            continue
        if not _route_matches(suffix, _stages(model, stages, api), _arn_method(method), path):
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


LAMBDA = ("aws_lambda_function",)
# The Lambda invocation URI API Gateway calls (x-amazon-apigateway-integration `uri`):
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations
LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:.+:lambda:path/2015-03-31/functions/(?P<function>.+)/invocations$"
)
INVOKE_ATTRIBUTES = (("invoke_arn",), ("qualified_invoke_arn",))


@dataclass(frozen=True)
class Joins:
    """What every integration of one model is judged against: the permissions of each
    function and the stages of each API (built once per check)."""

    model: PlanModel
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


@dataclass
class Seen:
    """Routes served by a Lambda integration, and where a route may hide (an integration
    whose method or path, or an OpenAPI body, is only known after apply)."""

    routes: set[str] = field(default_factory=set)
    hidden: list[str] = field(default_factory=list)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    joins = Joins(
        model,
        permissions_by_target(model),
        ReverseIndex.build(
            model, "aws_api_gateway_stage", ("rest_api_id",), ("aws_api_gateway_rest_api",)
        ),
    )
    seen = Seen()
    for integration in model.resources("aws_api_gateway_integration"):
        yield from _integration(joins, integration, seen)
    for api in model.resources("aws_api_gateway_rest_api"):
        yield from _openapi(joins, api, seen)
    routes = ctx.options.routes if isinstance(ctx.options, Options) else []
    yield from _routes(routes, seen, model)


def _integration(joins: Joins, integration: Instance, seen: Seen) -> Iterator[Result]:
    """An `aws_api_gateway_integration` resource that calls Lambda."""
    model = joins.model
    called = invoked(model, integration, ("uri",))
    uri = integration.get("uri")
    through_alias = bool(linked(model, integration, ("uri",), (ALIAS,)))
    if (
        not called.targets
        and not through_alias
        and not (isinstance(uri, str) and ":lambda:" in uri)
    ):
        return
    method = integration.get("http_method")
    method = method.upper() if isinstance(method, str) else None
    path = resource_path(model, integration)
    if method and path:
        seen.routes.add(f"{method} {path}")
    else:
        seen.hidden.append(integration.address)
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
        return
    http_method = integration.get("integration_http_method")
    if http_method != "POST":
        found = f"integration_http_method = {show(http_method)}"
        expected = 'integration_http_method = "POST" (Lambda is always invoked with POST)'
        if isinstance(http_method, Unknown):
            yield Result.unknown(integration.address, "integration_http_method", found, expected)
        else:
            yield Result.failed(integration.address, "integration_http_method", found, expected)
        return
    if not called.targets:
        yield Result.unknown(
            integration.address, "uri", f"the function is managed outside {checked(model)}"
        )
        return
    apis = linked(model, integration, ("rest_api_id",), ("aws_api_gateway_rest_api",))
    target = Called(called.targets[0], called)
    verdict, text = joins.verdict(target, apis[0] if apis else None, method, path)
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
            'principal "apigateway.amazonaws.com", action lambda:InvokeFunction, the function '
            "ARN the integration calls (its qualifier too), source_arn = "
            f"execution_arn/*/{_arn_method(method or 'METHOD')}{path or '/path'}",
        )


# ----------------------------------------------------------------- OpenAPI


def _openapi(joins: Joins, api: Instance, seen: Seen) -> Iterator[Result]:
    """The routes of a REST API defined by an OpenAPI `body`, each judged like an
    integration resource; a body the checker cannot read is unknown, saying why."""
    model = joins.model
    read = read_routes(model.settle(api, "body"))
    if read is None:
        return
    if isinstance(read, Routes):
        for route in read.routes:
            yield from _openapi_route(joins, api, route, seen)
        return
    seen.hidden.append(api.address)
    if isinstance(read, Unreadable):
        yield Result.unknown(api.address, "body", read.why, "an OpenAPI document (JSON or YAML)")
        return
    yield Result.unknown(
        api.address,
        "body",
        f"the OpenAPI body is {read.describe()}: its routes and integrations cannot be read",
        _body_hint(model),
    )


def _body_hint(model: PlanModel) -> str:
    """What would settle a hidden OpenAPI body, in the terms of the mode checked."""
    if model.static:
        return (
            "a body the configuration settles: jsonencode({...}), a heredoc, or file()/"
            "templatefile() of a file in the stack"
        )
    if model.source is None:
        return "the stack's .tf sources bound to the plan (beside it, or --source DIR)"
    return "a body the bound .tf sources settle (jsonencode, a heredoc, file or templatefile)"


def _openapi_route(joins: Joins, api: Instance, route: Route, seen: Seen) -> Iterator[Result]:
    model = joins.model
    integration = route.integration
    if integration is None:
        return
    where = f"body: {route.label}"
    uri = _whole(integration.uri)
    called = _uri_functions(model, api, uri)
    if not called.targets and ":lambda:path/" not in text_of(uri):
        if _aws(integration.type) and isinstance(uri, Unknown) and uri.parts is None:
            yield Result.unknown(
                api.address,
                where,
                f"{route.label}: the integration uri is {uri.describe()}",
                "uri: the function's invoke_arn",
            )
        return
    if route.path_known:
        seen.routes.add(route.label)
    else:
        seen.hidden.append(api.address)
    problem = _openapi_problem(integration.type, integration.http_method, uri)
    if problem is not None:
        found, expected, hidden = problem
        if hidden:
            yield Result.unknown(api.address, where, f"{route.label}: {found}", expected)
        else:
            yield Result.failed(api.address, where, f"{route.label}: {found}", expected)
        return
    if not called.targets:
        yield Result.unknown(
            api.address,
            where,
            f"{route.label}: the function is managed outside {checked(model)}",
        )
        return
    path = route.path if route.path_known else None
    verdict, text = joins.verdict(Called(called.targets[0], called), api, route.method, path)
    if verdict is True:
        yield Result.passed(api.address, where, f"{route.label}: aws_proxy integration; {text}")
    elif verdict is None:
        yield Result.unknown(
            api.address,
            where,
            f"{route.label}: {text}",
            "a permission whose source_arn matches the route",
        )
    else:
        yield Result.failed(
            api.address,
            where,
            f"{route.label}: {text}",
            'aws_lambda_permission with principal "apigateway.amazonaws.com", the function, '
            f"source_arn = execution_arn/*/{_arn_method(route.method)}{route.path}",
        )


def _openapi_problem(kind: Value, method: Value, uri: Value) -> tuple[str, str, bool] | None:
    """(found, expected, hidden) for the first field of an integration object that is not a
    Lambda proxy's: `type`, then `httpMethod`, then `uri`; None when all three are."""
    integration = "x-amazon-apigateway-integration"
    if isinstance(kind, Unknown):
        return f"{integration} type is {kind.describe()}", "type: aws_proxy", True
    if not (isinstance(kind, str) and kind.lower() == "aws_proxy"):
        return f"{integration} type: {show(kind)}", "type: aws_proxy", False
    if isinstance(method, Unknown):
        return f"{integration} httpMethod is {method.describe()}", "httpMethod: POST", True
    if not (isinstance(method, str) and method.upper() == "POST"):
        return (
            f"{integration} httpMethod: {show(method)}",
            "httpMethod: POST (Lambda is always invoked with POST)",
            False,
        )
    wrong = _uri_problem(uri)
    if wrong is not None:
        return (
            f"{integration} uri: {wrong}",
            "uri: the function's invoke_arn (arn:aws:apigateway:REGION:lambda:path/"
            "2015-03-31/functions/FUNCTION_ARN/invocations)",
            False,
        )
    return None


def _aws(kind: Value) -> bool:
    """An integration type that calls an AWS service (Lambda among them), or one not known."""
    return isinstance(kind, Unknown) or (isinstance(kind, str) and kind.lower().startswith("aws"))


def _whole(value: Value) -> Value:
    """A template that is one unknown piece and nothing else is that piece."""
    if isinstance(value, Unknown) and value.parts is not None and len(value.parts) == 1:
        only = value.parts[0]
        if isinstance(only, Unknown):
            return only
    return value


def _uri_functions(model: PlanModel, api: Instance, uri: Value) -> Invoked:
    """The function ARNs an integration uri names: read from its text (a template's pieces,
    module outputs followed), else the functions (and aliases' functions) it references."""
    called = invoked_value(model, api, uri, by_name=True)
    if called.targets or not isinstance(uri, Unknown):
        return called
    functions = model.designated(uri, LAMBDA)
    for alias in model.designated(uri, (ALIAS,)):
        functions.extend(f for f in alias_functions(model, alias) if f not in functions)
    why = f"the exact uri {uri.describe()}"
    return Invoked([Target(f, None, why) for f in functions], called.text)


def _uri_problem(uri: Value) -> str | None:
    """Why a Lambda integration's uri is not the function's invocation URI; None when it is
    or cannot be told (a module output, a variable)."""
    if isinstance(uri, Unknown) and uri.reference is not None:
        target = reference_target(uri.reference)
        if target is None or split_address(target[0])[-2] not in (LAMBDA[0], ALIAS):
            return None
        if target[1][:1] in INVOKE_ATTRIBUTES:
            return None
        if split_address(target[0])[-2] == ALIAS and target[1][:1] == ("invoke_arn",):
            return None
        return f"${{{uri.reference}}} is not the function's invocation URI"
    if isinstance(uri, Unknown) and uri.parts is None:
        return None
    if LAMBDA_URI.match(text_of(uri)):
        return None
    return f"{show(uri)} is not a Lambda invocation URI"


def _arn_method(method: str) -> str:
    """The method in an execute-api ARN: ANY (and x-amazon-apigateway-any-method) is
    invoked with the request's own method, so only `*` covers it."""
    return "*" if method == "ANY" else method


def _routes(routes: list[str], seen: Seen, model: PlanModel) -> Iterator[Result]:
    if not model.resources("aws_api_gateway_rest_api"):
        return
    for route in routes:
        method, _, path = route.strip().partition(" ")
        wanted = f"{method.upper()} {path}"
        if wanted in seen.routes:
            continue
        if seen.hidden:
            yield Result.unknown(
                "aws_api_gateway_integration",
                f"routes: {wanted}",
                f"no Lambda integration known to serve {wanted}; the routes of "
                f"{', '.join(list(dict.fromkeys(seen.hidden))[:3])} cannot be read",
                f"an AWS_PROXY integration for {wanted}",
            )
            continue
        yield Result.failed(
            "aws_api_gateway_integration",
            f"routes: {wanted}",
            f"no Lambda integration serves {wanted}",
            f"an AWS_PROXY integration for {wanted}",
        )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=Options)
