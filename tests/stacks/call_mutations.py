"""WIR006's mutations: a call of a function's code that its role does not allow.

The queue-driven family (`tests/stacks/queues/`) is defined here with its mutations: its
worker's code (`src/handler.py`, packed by a data.archive_file) publishes to a topic,
sends to a rejects queue and puts objects in a bucket, each read from an environment
variable the stack wires, and its role grants exactly those. Each mutation plants one
refused call: a new call on a resource the role does not name for it (in the handler),
or a grant on another resource (in main.tf). In the event-driven and HTTP API families
the functions' code calls nothing (their packages are prebuilt zips a mutation cannot
edit), so `EVENTS_CALLS` and `HTTPAPI_CALLS` each add a second function whose code is
inline in its archive (`source { content }`) and whose role lacks what that code calls.
`fails` is every (rule, address) that fails afterwards with sources bound.
"""

from __future__ import annotations

from tests.stacks.corpus import Stack, StackMutation, edit, fails

HANDLER = "src/handler.py"
WORKER = "aws_lambda_function.worker"

QUEUES = Stack(
    "queues",
    "queue-driven: an SQS queue feeds one function through an event source mapping; its "
    "code (packed by data.archive_file) publishes to a topic, forwards rejects to a second "
    "queue and archives orders in a bucket, each named by an environment variable",
    (
        StackMutation(
            "wir006-dlq-delete",
            "WIR006",
            "the code also deletes from the rejects queue; the role allows sqs:DeleteMessage "
            "on the orders queue only",
            (
                edit(
                    '            SQS.send_message(QueueUrl=os.environ["DLQ_URL"], MessageBody=body)\n',
                    '            SQS.send_message(QueueUrl=os.environ["DLQ_URL"], MessageBody=body)\n'
                    "            SQS.delete_message(\n"
                    '                QueueUrl=os.environ["DLQ_URL"], ReceiptHandle=record["receiptHandle"]\n'
                    "            )\n",
                    HANDLER,
                ),
            ),
            fails(("WIR006", WORKER)),
        ),
        StackMutation(
            "wir006-topic-named-wrongly",
            "WIR006",
            "the role's sns:Publish statement names a topic of another name",
            (
                edit(
                    "resources = [aws_sns_topic.processed.arn]",
                    'resources = ["arn:aws:sns:*:*:${local.prefix}-orders"]',
                ),
            ),
            fails(("WIR006", WORKER)),
        ),
        StackMutation(
            "wir006-archive-other-bucket",
            "WIR006",
            "the role's s3:PutObject statement names the objects of another bucket",
            (
                edit(
                    'resources = ["${aws_s3_bucket.archive.arn}/*"]',
                    'resources = ["arn:aws:s3:::${local.prefix}-archive/*"]',
                ),
            ),
            fails(("WIR006", WORKER)),
        ),
        StackMutation(
            "wir006-publish-denied",
            "WIR006",
            "a statement explicitly denies sns:Publish everywhere (a Deny overrides the Allow)",
            (
                edit(
                    '  statement {\n    sid       = "ArchiveOrders"',
                    '  statement {\n    sid       = "NoPublishing"\n    effect    = "Deny"\n'
                    '    actions   = ["sns:Publish"]\n    resources = ["*"]\n  }\n'
                    '  statement {\n    sid       = "ArchiveOrders"',
                ),
            ),
            fails(("WIR006", WORKER)),
        ),
    ),
)

EVENTS_SNS = "# ---------------------------------------------------------------- SNS"

NOTIFIER = """# ---------------------------------------------------------------- notifier

resource "aws_cloudwatch_log_group" "notify" {
  name              = "/aws/lambda/${local.name}-notify"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.events.arn
  depends_on        = [aws_kms_key_policy.events]
}

resource "aws_iam_role" "notify" {
  name = "${local.name}-notify"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "notify" {
  name = "notify"
  role = aws_iam_role.notify.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.notify.arn}:*"
      },
      {
        Sid      = "PublishOrders"
        Effect   = "Allow"
        Action   = "sns:Publish"
        Resource = "${aws_sns_topic.orders.arn}-dlq"
      },
    ]
  })
}

data "archive_file" "notify" {
  type        = "zip"
  output_path = "${path.module}/build/notify.zip"
  source {
    filename = "index.py"
    content  = <<-PY
      import os

      import boto3

      SNS = boto3.client("sns")


      def handler(event, context):
          SNS.publish(TopicArn=os.environ["TOPIC_ARN"], Message="sweep done")
    PY
  }
}

resource "aws_lambda_function" "notify" {
  function_name    = "${local.name}-notify"
  role             = aws_iam_role.notify.arn
  filename         = data.archive_file.notify.output_path
  source_code_hash = data.archive_file.notify.output_base64sha256
  handler          = "index.handler"
  runtime          = "python3.12"
  environment {
    variables = { TOPIC_ARN = aws_sns_topic.orders.arn }
  }
  depends_on = [aws_cloudwatch_log_group.notify, aws_iam_role_policy.notify]
}

"""

EVENTS_CALLS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir006-notifier-publish-elsewhere",
        "WIR006",
        "a second function publishes to the orders topic; its role allows sns:Publish on "
        "another topic's ARN (the orders topic's followed by -dlq)",
        (edit(EVENTS_SNS, NOTIFIER + EVENTS_SNS),),
        fails(("WIR006", "aws_lambda_function.notify")),
    ),
)

ENQUEUE_ANCHOR = "# ---------------------------------------------------------------- outputs"

ENQUEUER = """# ---------------------------------------------------------------- enqueuer

resource "aws_cloudwatch_log_group" "enqueue" {
  name              = "/aws/lambda/${local.prefix}-enqueue"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_iam_role" "enqueue" {
  name               = "${local.prefix}-enqueue"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "enqueue" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.enqueue.arn}:*"]
  }
}

resource "aws_iam_role_policy" "enqueue" {
  name   = "enqueue"
  role   = aws_iam_role.enqueue.id
  policy = data.aws_iam_policy_document.enqueue.json
}

data "archive_file" "enqueue" {
  type        = "zip"
  output_path = "${path.module}/build/enqueue.zip"
  source {
    filename = "index.py"
    content  = <<-PY
      import json
      import os

      import boto3

      QUEUE_URL = os.environ["QUEUE_URL"]
      SQS = boto3.client("sqs")


      def handler(event, context):
          SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(event))
          return {"statusCode": 202}
    PY
  }
}

resource "aws_lambda_function" "enqueue" {
  function_name    = "${local.prefix}-enqueue"
  role             = aws_iam_role.enqueue.arn
  filename         = data.archive_file.enqueue.output_path
  source_code_hash = data.archive_file.enqueue.output_base64sha256
  handler          = "index.handler"
  runtime          = "python3.12"
  environment {
    variables = { QUEUE_URL = aws_sqs_queue.items.url }
  }
  depends_on = [aws_cloudwatch_log_group.enqueue, aws_iam_role_policy.enqueue]
}

"""

HTTPAPI_CALLS: tuple[StackMutation, ...] = (
    StackMutation(
        "wir006-enqueuer-send-ungranted",
        "WIR006",
        "a second function sends to the items queue; its role grants only its logs",
        (edit(ENQUEUE_ANCHOR, ENQUEUER + ENQUEUE_ANCHOR),),
        fails(("WIR006", "aws_lambda_function.enqueue")),
    ),
)
