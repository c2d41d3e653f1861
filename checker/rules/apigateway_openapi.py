"""The routes of a REST API defined by an OpenAPI `body`, each judged like an integration
resource (for TAP007).
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance
from checker.plan.values import Unknown, Value, show, text_of
from checker.rules.apigateway_integrations import (
    Seen,
    calls_aws,
    uri_functions,
    uri_problem,
    whole_piece,
)
from checker.rules.apigateway_permissions import Called, Joins, arn_method
from checker.rules.base import (
    Result,
    checked,
)
from checker.rules.openapi import Route, Routes, Unreadable, read_routes
from checker.rules.queries import RuleModel

# ----------------------------------------------------------------- OpenAPI


def judge_openapi(joins: Joins, api: Instance, seen: Seen) -> Iterator[Result]:
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


def _body_hint(model: RuleModel) -> str:
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
    uri = whole_piece(integration.uri)
    called = uri_functions(model, api, uri)
    if not called.targets and ":lambda:path/" not in text_of(uri):
        if calls_aws(integration.type) and isinstance(uri, Unknown) and uri.parts is None:
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
            f"source_arn = execution_arn/*/{arn_method(route.method)}{route.path}",
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
    wrong = uri_problem(uri)
    if wrong is not None:
        return (
            f"{integration} uri: {wrong}",
            "uri: the function's invoke_arn (arn:aws:apigateway:REGION:lambda:path/"
            "2015-03-31/functions/FUNCTION_ARN/invocations)",
            False,
        )
    return None
