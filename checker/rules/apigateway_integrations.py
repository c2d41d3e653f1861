"""One API Gateway integration judged (for TAP007): an AWS_PROXY call of a Lambda function's
invocation URI, with POST, and a permission that matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from checker.core.address import reference_target, split_address
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value, show, text_of
from checker.rules.apigateway_paths import resource_path
from checker.rules.apigateway_permissions import Called, Joins, arn_method
from checker.rules.base import (
    AddBlock,
    Result,
    SetValue,
    checked,
)
from checker.rules.fix_idioms import attribute_of_same, free_name, invoke_permission, written_text
from checker.rules.lambda_targets import (
    ALIAS,
    Invoked,
    Target,
    alias_functions,
    invoked,
    invoked_value,
)
from checker.rules.links import linked
from checker.rules.queries import RuleModel

LAMBDA = ("aws_lambda_function",)
APIGATEWAY = "apigateway.amazonaws.com"  # the service principal API Gateway invokes as
# The Lambda invocation URI API Gateway calls (x-amazon-apigateway-integration `uri`):
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations
LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:.+:lambda:path/2015-03-31/functions/(?P<function>.+)/invocations$"
)
INVOKE_ATTRIBUTES = (("invoke_arn",), ("qualified_invoke_arn",))


@dataclass
class Seen:
    """Routes served by a Lambda integration, and where a route may hide (an integration
    whose method or path, or an OpenAPI body, is only known after apply)."""

    routes: set[str] = field(default_factory=set)
    hidden: list[str] = field(default_factory=list)


def judge_integration(joins: Joins, integration: Instance, seen: Seen) -> Iterator[Result]:
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
            failed = Result.failed(
                integration.address, "type", f"type = {show(kind)}", 'type = "AWS_PROXY"'
            )
            settings = [("type", '"AWS_PROXY"')]
            if integration.get("integration_http_method") != "POST":
                settings.append(("integration_http_method", '"POST"'))
            yield _written_fix(failed, integration, settings)
        return
    http_method = integration.get("integration_http_method")
    if http_method != "POST":
        found = f"integration_http_method = {show(http_method)}"
        expected = 'integration_http_method = "POST" (Lambda is always invoked with POST)'
        if isinstance(http_method, Unknown):
            yield Result.unknown(integration.address, "integration_http_method", found, expected)
        else:
            failed = Result.failed(integration.address, "integration_http_method", found, expected)
            yield _written_fix(failed, integration, [("integration_http_method", '"POST"')])
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
        failed = Result.failed(
            integration.address,
            "aws_lambda_permission",
            text,
            'principal "apigateway.amazonaws.com", action lambda:InvokeFunction, the function '
            "ARN the integration calls (its qualifier too), source_arn = "
            f"execution_arn/*/{arn_method(method or 'METHOD')}{path or '/path'}",
        )
        grants = joins.permissions.get(target.target.function.address, [])
        meant = [g for g in grants if _for_api_gateway(model, g.permission)]
        edits = None if meant else _new_permission(model, integration, method, path)
        if edits is None:
            yield failed.needs_person(
                "a permission of the function exists and does not match the route: which one "
                "grants it (a narrower or a new one) is a person's choice"
            )
        else:
            yield failed.fixed_by(edits)


def _for_api_gateway(model: RuleModel, permission: Instance) -> bool:
    """Is the permission written for API Gateway (its principal, or a source_arn naming an
    API), so that mending it is a choice and a second one would hide it?"""
    principal = permission.get("principal")
    if not isinstance(principal, str) or principal == APIGATEWAY:
        return True  # API Gateway's, or hidden (it may be)
    named = model.referenced(permission, "source_arn")
    return any(target.type.startswith("aws_api_gateway") for target, _ in named)


def _new_permission(
    model: RuleModel, integration: Instance, method: str | None, path: str | None
) -> AddBlock | None:
    """For a function no permission names at all: the API Gateway permission of this route,
    scoped to the API's execution ARN, method and path, after the integration. None when
    the integration is repeated, names its function or API other than by a reference of its
    own module, or the route holds path parameters (whose ARN form is a person's to write)."""
    config = integration.config
    if config is None or integration.index is not None or not method or not path or "{" in path:
        return None
    function = attribute_of_same(
        written_text(config.expression("uri")), ("invoke_arn",), "function_name"
    )
    api = attribute_of_same(
        written_text(config.expression("rest_api_id")), ("id",), "execution_arn"
    )
    own = config.local_address.split(".", 1)[1]
    name = free_name(model, integration, "aws_lambda_permission", f"{own}_apigateway")
    if function is None or api is None or name is None or not function.startswith(LAMBDA[0]):
        return None
    source = json.dumps(f"${{{api}}}/*/{arn_method(method)}{path}")
    text = invoke_permission(name, "AllowAPIGatewayInvoke", function, APIGATEWAY, source)
    return AddBlock(integration.address, text)


def calls_aws(kind: Value) -> bool:
    """An integration type that calls an AWS service (Lambda among them), or one not known."""
    return isinstance(kind, Unknown) or (isinstance(kind, str) and kind.lower().startswith("aws"))


def whole_piece(value: Value) -> Value:
    """A template that is one unknown piece and nothing else is that piece."""
    if isinstance(value, Unknown) and value.parts is not None and len(value.parts) == 1:
        only = value.parts[0]
        if isinstance(only, Unknown):
            return only
    return value


def uri_functions(model: RuleModel, api: Instance, uri: Value) -> Invoked:
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


def uri_problem(uri: Value) -> str | None:
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


def _written_fix(result: Result, integration: Instance, settings: list[tuple[str, str]]) -> Result:
    """The result with the arguments set to constants, unless an expression decides one (then
    which value to change is a person's choice)."""
    for name, _ in settings:
        if integration.computed_in_configuration(name):
            return result.needs_person(f"{name} comes from an expression; set what it reads")
    return result.fixed_by(*(SetValue(integration.address, (n,), v) for n, v in settings))
