"""WIR005's mutations of the wiring families: a resource encrypted with a key a writer may not use.

Each plants one in a family stack (`tests/stacks/families.py`): a service that writes with its
own principal (SNS, S3, EventBridge) left out of the key policy or facing an AWS
managed key, or a role that sends, publishes or receives without the KMS calls the write
needs. `fails` is every (rule, address) that fails afterwards with sources bound, as the
checker judged the real plans (create, against moto); they are meant to be merged into
`EVENTS` and `HTTPAPI` there.
"""

from __future__ import annotations

from tests.stacks.corpus import StackMutation, edit, fails

# ---------------------------------------------------------------- events

ORDERS_TOPIC = 'resource "aws_sns_topic" "orders" {\n  name = "${local.name}-orders"\n'
ORDERS_TOPIC_ENCRYPTED = ORDERS_TOPIC + "  kms_master_key_id = aws_kms_key.events.arn\n"
LOGS_SUBSCRIPTION = "# ---------------------------------------------------------------- CloudWatch Logs subscription"

SWEEP_TO_TOPIC = """resource "aws_sns_topic_policy" "orders" {
  arn = aws_sns_topic.orders.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgePublishes"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.orders.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.sweep.arn } }
    }]
  })
}

resource "aws_cloudwatch_event_target" "sweep_orders" {
  rule       = aws_cloudwatch_event_rule.sweep.name
  target_id  = "orders"
  arn        = aws_sns_topic.orders.arn
  depends_on = [aws_sns_topic_policy.orders]
}

"""

S3_PERMISSION = 'resource "aws_lambda_permission" "s3_inbox" {'
S3_PUBLISHES = """resource "aws_sns_topic_policy" "orders" {
  arn = aws_sns_topic.orders.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "InboxPublishes"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.orders.arn
      Condition = { ArnLike = { "aws:SourceArn" = aws_s3_bucket.inbox.arn } }
    }]
  })
}

"""
INBOX_NOTIFIES_LAMBDA = """    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.s3_inbox]"""
INBOX_NOTIFIES_TOPIC = """    events              = ["s3:ObjectCreated:*"]
  }
  topic {
    id        = "inbox-removed"
    topic_arn = aws_sns_topic.orders.arn
    events    = ["s3:ObjectRemoved:*"]
  }
  depends_on = [aws_lambda_permission.s3_inbox, aws_sns_topic_policy.orders]"""

DISPATCH_PUBLISHES = """resource "aws_iam_role_policy" "dispatch_publish" {
  name = "publish-orders"
  role = aws_iam_role.dispatch.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PublishOrders"
      Effect   = "Allow"
      Action   = "sns:Publish"
      Resource = aws_sns_topic.orders.arn
    }]
  })
}

"""

EVENTS_KEYS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir005-topic-key-without-events",
        "WIR005",
        "the orders topic is encrypted with the stack key and the sweep rule also targets it: "
        "the key policy does not let events.amazonaws.com use the key",
        (
            edit(ORDERS_TOPIC, ORDERS_TOPIC_ENCRYPTED),
            edit(LOGS_SUBSCRIPTION, SWEEP_TO_TOPIC + LOGS_SUBSCRIPTION),
        ),
        fails(("WIR005", "aws_cloudwatch_event_target.sweep_orders")),
    ),
    StackMutation(
        "wir005-s3-to-topic-key-without-s3",
        "WIR005",
        "the inbox bucket also notifies the orders topic, now encrypted with the stack key: the "
        "key policy does not let s3.amazonaws.com use the key",
        (
            edit(ORDERS_TOPIC, ORDERS_TOPIC_ENCRYPTED),
            edit(INBOX_NOTIFIES_LAMBDA, INBOX_NOTIFIES_TOPIC),
            edit(S3_PERMISSION, S3_PUBLISHES + S3_PERMISSION),
        ),
        fails(("WIR005", "aws_s3_bucket_notification.inbox")),
    ),
    StackMutation(
        "wir005-publisher-without-kms",
        "WIR005",
        "the function's role may publish to the orders topic, now encrypted with the stack key, "
        "but its policies grant no kms:GenerateDataKey or kms:Decrypt on the key",
        (
            edit(ORDERS_TOPIC, ORDERS_TOPIC_ENCRYPTED),
            edit(LOGS_SUBSCRIPTION, DISPATCH_PUBLISHES + LOGS_SUBSCRIPTION),
        ),
        fails(("WIR005", "aws_iam_role.dispatch")),
    ),
)

# ---------------------------------------------------------------- httpapi

QUEUE_SSE = "  sqs_managed_sse_enabled    = true\n"
QUEUE_KEY = "  kms_master_key_id          = aws_kms_key.logs.arn\n"
QUEUE_MANAGED_KEY = '  kms_master_key_id          = "alias/aws/sqs"\n'
QUEUE_STATEMENT = """    resources = [aws_sqs_queue.items.arn]
  }
"""
DECRYPT_STATEMENT = """  statement {
    sid       = "DecryptItemsQueue"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.logs.arn]
  }
"""
SQS_SECTION = "# ---------------------------------------------------------------- SQS"
ITEMS_TOPIC = """resource "aws_sns_topic" "items" {
  name = "${local.prefix}-items"
}

resource "aws_sqs_queue_policy" "items" {
  queue_url = aws_sqs_queue.items.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TopicSends"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.items.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.items.arn } }
    }]
  })
}

resource "aws_sns_topic_subscription" "items" {
  topic_arn  = aws_sns_topic.items.arn
  protocol   = "sqs"
  endpoint   = aws_sqs_queue.items.arn
  depends_on = [aws_sqs_queue_policy.items]
}

"""
OUTPUTS = "# ---------------------------------------------------------------- outputs"

HTTPAPI_KEYS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir005-queue-key-consumer-without-decrypt",
        "WIR005",
        "the queue is encrypted with the logs key and the function's role, which consumes it "
        "through the event source mapping, has no kms:Decrypt on it (WIR003 judges it too)",
        (edit(QUEUE_SSE, QUEUE_KEY),),
        fails(
            ("WIR005", "aws_iam_role.items"),
            ("WIR003", "aws_lambda_event_source_mapping.items"),
        ),
    ),
    StackMutation(
        "wir005-sns-to-queue-key-without-sns",
        "WIR005",
        "a topic delivers to the queue, encrypted with the logs key (the role may decrypt): "
        "the key policy does not let sns.amazonaws.com use the key",
        (
            edit(QUEUE_SSE, QUEUE_KEY),
            edit(QUEUE_STATEMENT, QUEUE_STATEMENT + DECRYPT_STATEMENT),
            edit(OUTPUTS, ITEMS_TOPIC + OUTPUTS),
        ),
        fails(("WIR005", "aws_sns_topic_subscription.items")),
    ),
    StackMutation(
        "wir005-sns-to-queue-aws-managed-key",
        "WIR005",
        "a topic delivers to the queue, encrypted with the AWS managed key alias/aws/sqs, "
        "whose policy cannot let sns.amazonaws.com use it",
        (edit(QUEUE_SSE, QUEUE_MANAGED_KEY), edit(OUTPUTS, ITEMS_TOPIC + OUTPUTS)),
        fails(("WIR005", "aws_sns_topic_subscription.items")),
    ),
)


QUEUES_KEYS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir005-archive-writer-without-data-key",
        "WIR005",
        "the worker may put objects into the bucket its key encrypts, but its role grants "
        "kms:Decrypt instead of kms:GenerateDataKey",
        (
            edit(
                '    sid       = "EncryptArchive"\n    actions   = ["kms:GenerateDataKey"]',
                '    sid       = "EncryptArchive"\n    actions   = ["kms:Decrypt"]',
            ),
        ),
        fails(("WIR005", "aws_iam_role.worker")),
    ),
)
