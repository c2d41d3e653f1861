"""WIR002's mutations of the wiring families: a second resource for a setting AWS keeps one of.

Each plants one fight over a singleton setting in a family stack (`tests/stacks/families.py`):
a second bucket policy, lifecycle configuration or notification of one bucket, two topic
policies by count, two queue policies by for_each, two asynchronous invocation
configurations of one function, a statement ID reused on one function. `fails` is every
(rule, address) that fails afterwards with sources bound, as the checker judged the real
plans (create, against moto); they are merged into `EVENTS` and `HTTPAPI` there.
"""

from __future__ import annotations

from tests.stacks.corpus import StackMutation, edit, fails

S3_PERMISSION = 'resource "aws_lambda_permission" "s3_inbox" {'
STACK_OUTPUTS = "# ---------------------------------------------------------------- outputs"

SECOND_BUCKET_POLICY = """resource "aws_s3_bucket_policy" "inbox_readers" {
  bucket = aws_s3_bucket.inbox.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountReads"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${local.account}:root" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.inbox.arn}/*"
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.inbox]
}

"""

LIFECYCLES = """resource "aws_s3_bucket_lifecycle_configuration" "inbox_expiry" {
  bucket = aws_s3_bucket.inbox.id
  rule {
    id     = "expire-processed"
    status = "Enabled"
    filter {
      prefix = "processed/"
    }
    expiration {
      days = 30
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "inbox_versions" {
  bucket = aws_s3_bucket.inbox.id
  rule {
    id     = "expire-noncurrent"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }
}

"""

SECOND_NOTIFICATION = """resource "aws_s3_bucket_notification" "inbox_removed" {
  bucket = aws_s3_bucket.inbox.id
  lambda_function {
    id                  = "inbox-removed"
    lambda_function_arn = aws_lambda_function.dispatch.arn
    events              = ["s3:ObjectRemoved:*"]
  }
  depends_on = [aws_lambda_permission.s3_inbox]
}

"""

TOPIC_POLICIES = """resource "aws_sns_topic_policy" "orders" {
  count = 2
  arn   = aws_sns_topic.orders.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountPublishes${count.index}"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${local.account}:root" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.orders.arn
    }]
  })
}

"""

EVENTS_SINGLETONS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir002-second-bucket-policy",
        "WIR002",
        "a second aws_s3_bucket_policy for the inbox bucket: each apply replaces the other",
        (edit(S3_PERMISSION, SECOND_BUCKET_POLICY + S3_PERMISSION),),
        fails(
            ("WIR002", "aws_s3_bucket_policy.inbox"),
            ("WIR002", "aws_s3_bucket_policy.inbox_readers"),
        ),
    ),
    StackMutation(
        "wir002-two-lifecycles",
        "WIR002",
        "two aws_s3_bucket_lifecycle_configuration for the inbox bucket",
        (edit(S3_PERMISSION, LIFECYCLES + S3_PERMISSION),),
        fails(
            ("WIR002", "aws_s3_bucket_lifecycle_configuration.inbox_expiry"),
            ("WIR002", "aws_s3_bucket_lifecycle_configuration.inbox_versions"),
        ),
    ),
    StackMutation(
        "wir002-second-notification",
        "WIR002",
        "a second aws_s3_bucket_notification for the inbox bucket (incident 9, as TAP009)",
        (edit(STACK_OUTPUTS, SECOND_NOTIFICATION + STACK_OUTPUTS),),
        fails(
            ("TAP009", "aws_s3_bucket_notification.inbox"),
            ("TAP009", "aws_s3_bucket_notification.inbox_removed"),
            ("WIR002", "aws_s3_bucket_notification.inbox"),
            ("WIR002", "aws_s3_bucket_notification.inbox_removed"),
        ),
    ),
    StackMutation(
        "wir002-topic-policy-count",
        "WIR002",
        "aws_sns_topic_policy with count = 2 on one topic: two policies of the orders topic",
        (edit(STACK_OUTPUTS, TOPIC_POLICIES + STACK_OUTPUTS),),
        fails(
            ("WIR002", "aws_sns_topic_policy.orders[0]"),
            ("WIR002", "aws_sns_topic_policy.orders[1]"),
        ),
    ),
    StackMutation(
        "wir002-statement-id-reused",
        "WIR002",
        "the EventBridge permission reuses the SNS permission's statement_id on the function",
        (edit('statement_id  = "AllowEventBridgeSweep"', 'statement_id  = "AllowSNSOrders"'),),
        fails(
            ("WIR002", "aws_lambda_permission.sns_orders"),
            ("WIR002", "aws_lambda_permission.events_sweep"),
        ),
    ),
)

HTTP_ROUTE = 'resource "aws_apigatewayv2_route" "post_items" {'
QUEUE_MAPPING = "# Lambda checks the function's role when the mapping is created."

SECOND_API_PERMISSION = """resource "aws_lambda_permission" "api_post_items" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.items.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.items.execution_arn}/*/POST/items"
}

"""

QUEUE_POLICIES = """resource "aws_sqs_queue_policy" "items" {
  for_each  = toset(["producers", "auditors"])
  queue_url = aws_sqs_queue.items.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Account${each.key}"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${local.account}:root" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.items.arn
    }]
  })
}

"""

INVOKE_CONFIGS = """resource "aws_lambda_function_event_invoke_config" "items_retries" {
  function_name          = aws_lambda_function.items.function_name
  maximum_retry_attempts = 0
}

resource "aws_lambda_function_event_invoke_config" "items_age" {
  function_name                = aws_lambda_function.items.arn
  maximum_event_age_in_seconds = 600
}

"""

HTTPAPI_SINGLETONS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir002-api-statement-id-reused",
        "WIR002",
        "a second API permission with the first one's statement_id on the same function",
        (edit(HTTP_ROUTE, SECOND_API_PERMISSION + HTTP_ROUTE),),
        fails(
            ("WIR002", "aws_lambda_permission.api"),
            ("WIR002", "aws_lambda_permission.api_post_items"),
        ),
    ),
    StackMutation(
        "wir002-queue-policy-for-each",
        "WIR002",
        "aws_sqs_queue_policy by for_each over two keys on one queue",
        (edit(QUEUE_MAPPING, QUEUE_POLICIES + QUEUE_MAPPING),),
        fails(
            ("WIR002", 'aws_sqs_queue_policy.items["auditors"]'),
            ("WIR002", 'aws_sqs_queue_policy.items["producers"]'),
        ),
    ),
    StackMutation(
        "wir002-two-invoke-configs",
        "WIR002",
        "two aws_lambda_function_event_invoke_config of the function (by name and by ARN)",
        (edit(QUEUE_MAPPING, INVOKE_CONFIGS + QUEUE_MAPPING),),
        fails(
            ("WIR002", "aws_lambda_function_event_invoke_config.items_retries"),
            ("WIR002", "aws_lambda_function_event_invoke_config.items_age"),
        ),
    ),
)
