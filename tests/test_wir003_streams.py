"""WIR003 on small stacks in static mode, for the stream sources the family stacks do not
carry (the queue is planted in `httpapi` on real plans): Kinesis and DynamoDB streams, with
the actions of AWS's managed execution-role policies that act on a stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.run import CheckOptions, check_inputs
from checker.wiring.wir003_event_source_mappings import SOURCES
from tests.support.wiring import WIRING

STACK = """
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_iam_role_policy" "read" {
  name   = "read"
  role   = aws_iam_role.fn.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ACTIONS, Resource = RESOURCE }] })
}
"""

KINESIS = """
resource "aws_kinesis_stream" "events" {
  name        = "events"
  shard_count = 1
}

resource "aws_lambda_event_source_mapping" "read" {
  event_source_arn  = aws_kinesis_stream.events.arn
  function_name     = aws_lambda_function.fn.arn
  starting_position = "LATEST"
  DEPENDS
}
"""

DYNAMODB = """
resource "aws_dynamodb_table" "items" {
  name             = "items"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_lambda_event_source_mapping" "read" {
  event_source_arn  = aws_dynamodb_table.items.stream_arn
  function_name     = aws_lambda_function.fn.arn
  starting_position = "LATEST"
  DEPENDS
}
"""

KINESIS_READ = '["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"]'
DYNAMODB_READ = '["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]'
ORDERED = "depends_on = [aws_iam_role_policy.read]"

CASES = [
    (KINESIS, KINESIS_READ, "aws_kinesis_stream.events.arn", ORDERED, "passed"),
    (KINESIS, '["kinesis:GetRecords", "kinesis:GetShardIterator"]', "aws_kinesis_stream.events.arn", ORDERED, "failed"),
    (KINESIS, KINESIS_READ, '"arn:aws:kinesis:*:*:stream/other"', ORDERED, "failed"),
    (KINESIS, KINESIS_READ, "aws_kinesis_stream.events.arn", "", "failed"),  # not ordered
    (DYNAMODB, DYNAMODB_READ, '"${aws_dynamodb_table.items.arn}/stream/*"', ORDERED, "passed"),
    (DYNAMODB, DYNAMODB_READ, "aws_dynamodb_table.items.arn", ORDERED, "failed"),  # the table, not its stream
]  # fmt: skip


@pytest.mark.parametrize(("source", "actions", "resource", "depends", "verdict"), CASES)
def test_stream_sources(
    tmp_path: Path, source: str, actions: str, resource: str, depends: str, verdict: str
) -> None:
    text = STACK.replace("ACTIONS", actions).replace("RESOURCE", resource)
    (tmp_path / "main.tf").write_text(text + source.replace("DEPENDS", depends))
    report = check_inputs([str(tmp_path)], CheckOptions(), WIRING)
    found = {(f.address, f.status) for f in report.findings if f.rule_id == "WIR003"}
    assert found == {("aws_lambda_event_source_mapping.read", verdict)}, [
        f.message for f in report.findings if f.rule_id == "WIR003"
    ]


def test_the_actions_come_from_aws_managed_policies() -> None:
    """The stream read actions of AWS's policies; listing actions (no resource-level
    permission) and a consumer's SubscribeToShard are not a stream's."""
    actions = {source.type: set(source.actions()) for source in SOURCES}
    assert actions == {
        "aws_sqs_queue": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
        "aws_kinesis_stream": {
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        },
        "aws_dynamodb_table": {
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
        },
    }
