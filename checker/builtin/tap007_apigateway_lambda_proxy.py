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

from collections.abc import Iterator

from pydantic import Field

from checker.api import (
    EngineCoverage,
    EngineName,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    RuleOptions,
    Severity,
)
from checker.rules.apigateway_integrations import Seen, judge_integration
from checker.rules.apigateway_openapi import judge_openapi
from checker.rules.apigateway_permissions import Joins
from checker.rules.lambda_targets import (
    permissions_by_target,
)
from checker.rules.links import ReverseIndex


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
    needs_person=(
        "which integration, method or permission serves a route is a person's choice when a "
        "permission exists that does not match it, the route has path parameters or the API "
        "is an OpenAPI body"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_api_gateway_integration` targeting Lambda (also through an alias): "
                "`AWS_PROXY`, `POST`, an `apigateway.amazonaws.com` permission allowing "
                "`lambda:InvokeFunction` on the invoked qualifier whose `source_arn` is the API's"
                " (or its stage's) execution ARN with a route matching the method"
            ),
            partial=(
                "integrations an OpenAPI `body` defines (`x-amazon-apigateway-integration`): they"
                " are no resources checkov sees"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts="integrations are `AWS_PROXY` and invoke with `POST`",
            partial="the function's permission and its route",
        ),
    ),
)


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
        yield from judge_integration(joins, integration, seen)
    for api in model.resources("aws_api_gateway_rest_api"):
        yield from judge_openapi(joins, api, seen)
    routes = ctx.options.routes if isinstance(ctx.options, Options) else []
    yield from _routes(routes, seen, model)


def _routes(routes: list[str], seen: Seen, model: RuleModel) -> Iterator[Result]:
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
