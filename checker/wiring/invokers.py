"""Which AWS services a stack configures to invoke a Lambda function, and how AWS checks it.

Each `Invoker` is one Terraform resource type through which a service is told to call a
function: where the function's ARN is written, the service that calls (its prefix in the
Service Authorization Reference, whose service principal is `<prefix>.amazonaws.com`), the
source ARN the service sends with the call (Lambda compares it with a permission's
`source_arn` under ArnLike), and whether the service validates the permission when the
resource is created (then Terraform must create the permission first: `depends_on`).

The resource types are Terraform's (the provider's schema, not AWS data); the service
prefixes are checked against AWS's published authorization data when the table is read
(`checker.aws.authorization`), so a misspelt service fails the pack's tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.aws import authorization
from checker.plan.model import Instance
from checker.rules.links import linked
from checker.rules.queries import RuleModel

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Invoker:
    """One resource type through which a service invokes a function."""

    type: str
    service: str  # the Service Authorization Reference prefix of the calling service
    blocks: tuple[str, ...]  # the repeated nested block holding the function ARN ("" for none)
    attributes: tuple[str, ...]  # the attributes naming the function (ARN, invoke ARN, name)
    source: tuple[str, tuple[str, ...]] | None  # (attribute, types) of the source resource;
    # None: the source is the invoking resource itself
    suffix: str = ""  # what the service appends to the source resource's ARN
    ordered: bool = False  # AWS validates the permission when the resource is created
    when: tuple[str, str] | None = None  # (attribute, value) the resource must have
    doc: str = ""  # the AWS document that describes the call and the permission

    @property
    def principal(self) -> str:
        return f"{self.service}.amazonaws.com"

    def calls(self, inst: Instance) -> Iterator[Path]:
        """The path of each function ARN the instance configures (none when `when` fails)."""
        if self.when is not None and inst.get(self.when[0]) != self.when[1]:
            return
        if not self.blocks:
            for attribute in self.attributes:
                if inst.get(attribute) is not None or inst.references(attribute):
                    yield (attribute,)
            return
        for block in self.blocks:
            entries = inst.get(block)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                for attribute in self.attributes:
                    if entry.get(attribute) is not None or inst.references(block, index, attribute):
                        yield (block, index, attribute)

    def sources(self, model: RuleModel, inst: Instance) -> list[Instance]:
        """The resource whose ARN the service sends as aws:SourceArn."""
        if self.source is None:
            return [inst]
        attribute, types = self.source
        return linked(model, inst, (attribute,), types)


COGNITO_TRIGGERS = (
    "create_auth_challenge",
    "custom_message",
    "define_auth_challenge",
    "post_authentication",
    "post_confirmation",
    "pre_authentication",
    "pre_sign_up",
    "pre_token_generation",
    "user_migration",
    "verify_auth_challenge_response",
)

INVOKERS: tuple[Invoker, ...] = (
    Invoker(
        "aws_s3_bucket_notification",
        "s3",
        ("lambda_function",),
        ("lambda_function_arn",),
        ("bucket", ("aws_s3_bucket",)),
        ordered=True,
        doc="Amazon S3 User Guide, Granting permissions to publish event notification messages "
        "to a destination (https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
        "grant-destinations-permissions-to-s3.html)",
    ),
    Invoker(
        "aws_sns_topic_subscription",
        "sns",
        (),
        ("endpoint",),
        ("topic_arn", ("aws_sns_topic",)),
        when=("protocol", "lambda"),
        doc="Amazon SNS Developer Guide, Fanout to Lambda functions; AWS Lambda Developer "
        "Guide, Invoking Lambda functions with Amazon SNS notifications "
        "(https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html)",
    ),
    Invoker(
        "aws_cloudwatch_event_target",
        "events",
        (),
        ("arn",),
        ("rule", ("aws_cloudwatch_event_rule",)),
        doc="Amazon EventBridge User Guide, Using resource-based policies for Amazon "
        "EventBridge: AWS Lambda permissions (https://docs.aws.amazon.com/eventbridge/latest/"
        "userguide/eb-use-resource-based.html)",
    ),
    Invoker(
        "aws_cloudwatch_log_subscription_filter",
        "logs",
        (),
        ("destination_arn",),
        ("log_group_name", ("aws_cloudwatch_log_group",)),
        suffix=":*",
        ordered=True,
        doc="Amazon CloudWatch Logs User Guide, Subscription filters with AWS Lambda "
        "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
        "SubscriptionFilters.html#LambdaFunctionExample): add-permission with principal "
        "logs.amazonaws.com and source-arn arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*, "
        "before put-subscription-filter",
    ),
    Invoker(
        "aws_lb_target_group_attachment",
        "elasticloadbalancing",
        (),
        ("target_id",),
        ("target_group_arn", ("aws_lb_target_group", "aws_alb_target_group")),
        ordered=True,
        doc="Elastic Load Balancing, Lambda functions as targets (https://docs.aws.amazon.com/"
        "elasticloadbalancing/latest/application/lambda-functions.html): the permission "
        "must exist before the function is registered",
    ),
    Invoker(
        "aws_cognito_user_pool",
        "cognito-idp",
        ("lambda_config",),
        COGNITO_TRIGGERS,
        None,
        doc="Amazon Cognito Developer Guide, Customizing user pool workflows with Lambda "
        "triggers (https://docs.aws.amazon.com/cognito/latest/developerguide/"
        "cognito-user-identity-pools-working-with-aws-lambda-triggers.html)",
    ),
    Invoker(
        "aws_apigatewayv2_integration",
        "apigateway",
        (),
        ("integration_uri",),
        ("api_id", ("aws_apigatewayv2_api",)),
        when=("integration_type", "AWS_PROXY"),
        doc="Amazon API Gateway Developer Guide, Create AWS Lambda proxy integrations for "
        "HTTP APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/"
        "http-api-develop-integrations-lambda.html): API Gateway invokes with "
        "aws:SourceArn arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH",
    ),
    Invoker(
        "aws_iot_topic_rule",
        "iot",
        ("lambda",),
        ("function_arn",),
        None,
        doc="AWS IoT Core Developer Guide, Lambda rule action (https://docs.aws.amazon.com/"
        "iot/latest/developerguide/lambda-rule-action.html)",
    ),
)


HTTP_API = "aws_apigatewayv2_api"
HTTP_ROUTE = "aws_apigatewayv2_route"
HTTP_STAGE = "aws_apigatewayv2_stage"


def http_api_calls(model: RuleModel, integration: Instance, api: Instance) -> list[str] | None:
    """The execute-api ARN tails API Gateway sends for an HTTP API integration, one per
    route that targets it and stage of its API (`STAGE/METHOD/PATH`; a `$default` route key
    is sent as its own path); None when a route key is hidden or an `ANY` route leaves the
    method to the request. No route: nothing invokes."""
    routes = [
        route
        for route in model.resources(HTTP_ROUTE)
        if integration in linked(model, route, ("target",), (integration.type,))
    ]
    stages = [
        stage
        for stage in model.resources(HTTP_STAGE)
        if api in linked(model, stage, ("api_id",), (HTTP_API,))
    ]
    tails: list[str] = []
    for route in routes:
        key = model.settle(route, "route_key")
        if not isinstance(key, str):
            return None
        method, _, path = key.partition(" ")
        if method == "ANY":
            return None
        call = "$default" if key == "$default" else f"{method}{path}"
        for stage in stages:
            name = model.settle(stage, "name")
            if not isinstance(name, str):
                return None
            tails.append(f"{name}/{call}")
    return tails


# A source resource's ARN from AWS's ARN format (the Service Authorization Reference), for
# when the plan hides the `arn` attribute but not the names it is made of:
# type -> (service prefix, resource type, {placeholder: attribute}).
SOURCE_ARNS: dict[str, tuple[str, str, dict[str, str]]] = {
    "aws_sns_topic": ("sns", "topic", {"TopicName": "name"}),
    "aws_cloudwatch_event_rule": (
        "events",
        "rule-on-default-event-bus",
        {"RuleName": "name"},
    ),
    "aws_cloudwatch_log_group": ("logs", "log-group", {"LogGroupName": "name"}),
    "aws_lb_target_group": ("elasticloadbalancing", "targetgroup", {"TargetGroupName": "name"}),
    "aws_alb_target_group": ("elasticloadbalancing", "targetgroup", {"TargetGroupName": "name"}),
    "aws_iot_topic_rule": ("iot", "rule", {"RuleName": "name"}),
    "aws_cognito_user_pool": ("cognito-idp", "userpool", {"UserPoolId": "id"}),
}


def built_arn(model: RuleModel, source: Instance, hole: str) -> str | None:
    """The source's ARN in AWS's format, `hole` for each piece only apply tells (the
    account, an ID); None for a type without a known format. A rule on a custom event bus
    has the bus in its ARN (`rule/BUS/NAME`)."""
    known = SOURCE_ARNS.get(source.type)
    if known is None:
        return None
    service, resource_type, names = known
    bus = model.settle(source, "event_bus_name") if source.type.endswith("event_rule") else None
    if isinstance(bus, str) and bus != "default":
        resource_type, names = (
            "rule-on-custom-event-bus",
            {**names, "EventBusName": "event_bus_name"},
        )
    elif bus is not None and bus != "default":
        return None
    pieces = {
        placeholder: value
        for placeholder, attribute in names.items()
        if isinstance(value := model.settle(source, attribute), str)
    }
    region = model.region_of(source)
    if region is not None:
        pieces["Region"] = region
    return authorization.filled_arn(service, resource_type, pieces, hole)
