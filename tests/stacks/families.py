"""The wiring families: stacks of other architectures than the seed's, as data.

Each is clean (no rule of the built-in pack or of the `wiring` pack fails) and each
mutation plants one wiring incident: a service configured to invoke a function that may
not (another principal, source or method, no source at all), or a resource AWS validates
at creation that is no longer ordered after its permission. Real plans (create, and update
against the applied clean stack) are written with the corpus' by
`python -m tests.terraform.corpus --stack events httpapi queues` into `tests/fixtures/stacks/`.
The mutations of the pack's later rules live beside their rules' tests
(`call_mutations.py`, `singleton_mutations.py`, `key_mutations.py`); the queue-driven
family `queues` is defined with WIR006's.
"""

from __future__ import annotations

from dataclasses import replace

from tests.stacks.call_mutations import EVENTS_CALLS, HTTPAPI_CALLS
from tests.stacks.call_mutations import QUEUES as CALL_QUEUES
from tests.stacks.corpus import Stack, StackMutation, edit, fails
from tests.stacks.key_mutations import EVENTS_KEYS, HTTPAPI_KEYS, QUEUES_KEYS
from tests.stacks.singleton_mutations import EVENTS_SINGLETONS, HTTPAPI_SINGLETONS

EVENTS = Stack(
    "events",
    "event-driven: one function invoked by an SNS subscription, an EventBridge schedule, a "
    "CloudWatch Logs subscription filter and an S3 notification, each with its own permission",
    (
        StackMutation(
            "wir001-sns-source-is-the-rule",
            "WIR001",
            "the SNS permission's source_arn is the EventBridge rule",
            (
                edit(
                    "source_arn    = aws_sns_topic.orders.arn",
                    "source_arn    = aws_cloudwatch_event_rule.sweep.arn",
                ),
            ),
            fails(("WIR001", "aws_sns_topic_subscription.orders")),
        ),
        StackMutation(
            "wir001-sns-unscoped",
            "WIR001",
            "the SNS permission has no source_arn: any topic of any account may invoke",
            (edit("  source_arn    = aws_sns_topic.orders.arn\n", ""),),
            fails(("WIR001", "aws_sns_topic_subscription.orders")),
        ),
        StackMutation(
            "wir001-events-principal",
            "WIR001",
            "the EventBridge permission names SNS",
            (
                edit(
                    'principal     = "events.amazonaws.com"',
                    'principal     = "sns.amazonaws.com"',
                ),
            ),
            fails(("WIR001", "aws_cloudwatch_event_target.sweep")),
        ),
        StackMutation(
            "wir001-logs-arn-without-stream-suffix",
            "WIR001",
            "the Logs permission's source_arn is the log group ARN without :* (Logs sends it with)",
            (
                edit(
                    'source_arn    = "${aws_cloudwatch_log_group.app.arn}:*"',
                    "source_arn    = aws_cloudwatch_log_group.app.arn",
                ),
            ),
            fails(("WIR001", "aws_cloudwatch_log_subscription_filter.app")),
        ),
        StackMutation(
            "wir001-logs-filter-not-ordered",
            "WIR001",
            "the subscription filter no longer depends on its permission (Logs validates it)",
            (edit("  depends_on      = [aws_lambda_permission.logs_app]\n", ""),),
            fails(("WIR001", "aws_cloudwatch_log_subscription_filter.app")),
        ),
        *EVENTS_CALLS,
        *EVENTS_KEYS,
        *EVENTS_SINGLETONS,
    ),
)

HTTPAPI = Stack(
    "httpapi",
    "an HTTP API (API Gateway v2) route through an AWS_PROXY integration and an SQS event "
    "source mapping in front of one function",
    (
        StackMutation(
            "wir001-api-other-method",
            "WIR001",
            "the API permission's source_arn allows GET; the route is POST /items",
            (
                edit(
                    'source_arn    = "${aws_apigatewayv2_api.items.execution_arn}/*/*"',
                    'source_arn    = "${aws_apigatewayv2_api.items.execution_arn}/*/GET/items"',
                ),
            ),
            fails(("WIR001", "aws_apigatewayv2_integration.items")),
        ),
        StackMutation(
            "wir001-api-principal",
            "WIR001",
            "the API permission names the Lambda service itself",
            (
                edit(
                    'principal     = "apigateway.amazonaws.com"',
                    'principal     = "lambda.amazonaws.com"',
                ),
            ),
            fails(("WIR001", "aws_apigatewayv2_integration.items")),
        ),
        StackMutation(
            "wir001-api-unscoped",
            "WIR001",
            "the API permission has no source_arn",
            (
                edit(
                    '  source_arn    = "${aws_apigatewayv2_api.items.execution_arn}/*/*"\n',
                    "",
                ),
            ),
            fails(("WIR001", "aws_apigatewayv2_integration.items")),
        ),
        StackMutation(
            "wir003-queue-delete-missing",
            "WIR003",
            "the role may receive but not delete the queue's messages",
            (
                edit(
                    'actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]',
                    'actions   = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"]',
                ),
            ),
            fails(("WIR003", "aws_lambda_event_source_mapping.items")),
        ),
        StackMutation(
            "wir003-queue-other-resource",
            "WIR003",
            "the role's queue statement names another queue",
            (
                edit(
                    "resources = [aws_sqs_queue.items.arn]",
                    'resources = ["arn:aws:sqs:*:*:${local.prefix}-other"]',
                ),
            ),
            fails(("WIR003", "aws_lambda_event_source_mapping.items")),
        ),
        StackMutation(
            "wir003-mapping-not-ordered",
            "WIR003",
            "the mapping no longer depends on the queue policy (Lambda checks the role first)",
            (edit("  depends_on       = [aws_iam_role_policy.items_queue]\n", ""),),
            fails(("WIR003", "aws_lambda_event_source_mapping.items")),
        ),
        StackMutation(
            "wir004-access-log-group-by-name",
            "WIR004",
            "the stage names its access log group by a constructed ARN and no longer depends on it",
            (
                edit(
                    "destination_arn = aws_cloudwatch_log_group.api_access.arn",
                    'destination_arn = "arn:aws:logs:${data.aws_region.current.name}:'
                    "${data.aws_caller_identity.current.account_id}:log-group:"
                    '/aws/apigateway/${local.prefix}-items"',
                ),
                edit("\n  depends_on = [aws_cloudwatch_log_group.api_access]\n", "\n"),
            ),
            fails(("WIR004", "aws_apigatewayv2_stage.default")),
        ),
        *HTTPAPI_CALLS,
        *HTTPAPI_KEYS,
        *HTTPAPI_SINGLETONS,
    ),
)

QUEUES = replace(CALL_QUEUES, mutations=(*CALL_QUEUES.mutations, *QUEUES_KEYS))

FAMILIES: tuple[Stack, ...] = (EVENTS, HTTPAPI, QUEUES)
