"""WIR006's pieces: a handler's calls as IAM actions, the resources its environment wires,
and the rule's verdicts on small `.tf` stacks (static mode: no Terraform needed)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from checker.aws import authorization
from checker.rules.ec2_writers import HOLE
from checker.testing import check_plan
from checker.wiring.call_targets import (
    code_calls,
    environment_names,
    environment_read,
    iam_action,
    object_key,
)
from checker.wiring.wired_resources import KINDS, _fill
from tests.stacks.call_mutations import EVENTS_CALLS, HTTPAPI_CALLS, QUEUES


def expression(text: str) -> ast.expr:
    node = ast.parse(text, mode="eval").body
    assert isinstance(node, ast.expr)
    return node


# ------------------------------------------------------------------ the code side


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("sqs", "SendMessage", "sqs:SendMessage"),
        ("sqs", "SendMessageBatch", "sqs:SendMessage"),
        ("sqs", "DeleteMessageBatch", "sqs:DeleteMessage"),
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("s3", "HeadObject", "s3:GetObject"),
        ("sns", "Publish", "sns:Publish"),
        ("stepfunctions", "StartExecution", "states:StartExecution"),
        ("s3", "NoSuchOperation", None),
    ],
)
def test_an_operation_is_the_action_the_reference_lists(
    service: str, operation: str, action: str | None
) -> None:
    assert iam_action(service, operation) == action


def test_every_kind_is_a_resource_type_of_the_reference() -> None:
    for kind in KINDS.values():
        for resource_type in kind.resource_types:
            assert authorization.arn_format(kind.service, resource_type), (kind, resource_type)


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ('os.environ["QUEUE_URL"]', "QUEUE_URL"),
        ('os.environ.get("QUEUE_URL", "")', "QUEUE_URL"),
        ('os.getenv("QUEUE_URL")', "QUEUE_URL"),
        ('environ["QUEUE_URL"]', "QUEUE_URL"),
        ("os.environ[name]", None),
        ('config["QUEUE_URL"]', None),
    ],
)
def test_environment_reads(text: str, variable: str | None) -> None:
    assert environment_read(expression(text)) == variable


def test_names_assigned_from_the_environment() -> None:
    tree = ast.parse('A = os.environ["X"]\nB: str = os.getenv("Y")\nC = "literal"\n')
    assert environment_names(tree) == {"A": {"X"}, "B": {"Y"}}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('s3.put_object(Bucket=b, Key="a/b.json")', "a/b.json"),
        ('s3.put_object(Bucket=b, Key=f"orders/{i}.json")', "orders/*"),
        ("s3.put_object(Bucket=b, Key=key)", None),
        ("s3.put_object(Bucket=b)", None),
    ],
)
def test_object_keys(text: str, key: str | None) -> None:
    node = expression(text)
    assert isinstance(node, ast.Call)
    assert object_key(node) == key


HANDLER = """
import os
import boto3

SQS = boto3.client("sqs")
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])
QUEUE = os.environ["QUEUE_URL"]


def handler(event, context):
    TABLE.put_item(Item={"id": "1"})
    SQS.send_message_batch(QueueUrl=QUEUE, Entries=[])
    boto3.client("sns").publish(TopicArn=os.getenv("TOPIC_ARN"), Message="m")
    SQS.list_queues()
    boto3.client(event["service"]).do_it()
"""


def test_a_handler_s_calls_dynamodb_left_to_tap002() -> None:
    calls = code_calls(HANDLER)
    assert calls is not None
    got = {(c.action, c.variables, c.resource_types) for c in calls.calls}
    assert got == {
        ("sqs:SendMessage", ("QUEUE_URL",), ("queue",)),
        ("sns:Publish", ("TOPIC_ARN",), ("topic",)),
        ("sqs:ListQueues", (), ()),
    }
    assert [u.where for u in calls.unread] == ["line 15 boto3.client(event['service']).do_it"]


def test_not_python_is_none() -> None:
    assert code_calls("def handler(:\n") is None


def test_the_arn_format_takes_the_name_first() -> None:
    form = "arn:aws:s3:::${BucketName}/${ObjectName}"
    assert _fill(form, "b") == f"arn:aws:s3:::b/{HOLE}"


# ------------------------------------------------------------------ the rule on small stacks

STACK = """
provider "aws" {
  region = "us-east-1"
}

variable "queue_url" {
  type = string
}

resource "aws_sqs_queue" "out" {
  name = "out"
}

resource "aws_s3_bucket" "b" {
  bucket = "wir006-bucket"
}

resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = "{}"
  %(boundary)s
}

resource "aws_iam_role_policy" "fn" {
  name   = "fn"
  role   = aws_iam_role.fn.id
  policy = jsonencode({ Version = "2012-10-17", Statement = %(statements)s })
}

data "archive_file" "fn" {
  type        = "zip"
  output_path = "${path.module}/fn.zip"
  source {
    filename = "index.py"
    content  = <<-PY
%(code)s
    PY
  }
}

resource "aws_lambda_function" "fn" {
  function_name    = "fn"
  role             = aws_iam_role.fn.arn
  filename         = data.archive_file.fn.output_path
  source_code_hash = data.archive_file.fn.output_base64sha256
  handler          = "index.handler"
  runtime          = "python3.12"
  environment {
    variables = {
      QUEUE_URL = aws_sqs_queue.out.url
      HIDDEN    = var.queue_url
      BUCKET    = aws_s3_bucket.b.id
    }
  }
}
"""

SEND = 'SQS.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="m")'
ALLOW_SEND = '{ Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.out.arn }'


def verdict(
    tmp_path: Path, calls: str, statements: str, boundary: str = ""
) -> tuple[str, str] | None:
    code = "import os\nimport boto3\nSQS = boto3.client('sqs')\nS3 = boto3.client('s3')\n\n"
    code += "def handler(event, context):\n    " + calls.replace("\n", "\n    ") + "\n"
    text = STACK % {
        "code": textwrap.indent(code, "      "),
        "statements": statements,
        "boundary": boundary,
    }
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / "pyproject.toml").write_text('[tool.checker]\npacks = ["wiring"]\n')
    report = check_plan(tmp_path)
    found = [f for f in report.findings if f.rule_id == "WIR006"]
    assert len(found) <= 1
    return (found[0].status, found[0].message) if found else None


def test_a_granted_call_passes_and_names_what_is_never_called(tmp_path: Path) -> None:
    statements = (
        '[{ Effect = "Allow", Action = ["sqs:SendMessage", "sqs:PurgeQueue"], '
        "Resource = aws_sqs_queue.out.arn }]"
    )
    status, message = verdict(tmp_path, SEND, statements) or ("", "")
    assert status == "passed", message
    report = check_plan(tmp_path)
    note = next(f.note for f in report.findings if f.rule_id == "WIR006")
    assert "granted but never called: sqs:PurgeQueue" in (note or "")


def test_a_call_without_its_action_fails(tmp_path: Path) -> None:
    calls = f'{SEND}\nSQS.delete_message(QueueUrl=os.environ["QUEUE_URL"], ReceiptHandle="r")'
    status, message = verdict(tmp_path, calls, f"[{ALLOW_SEND}]") or ("", "")
    assert status == "failed", message
    assert "sqs:DeleteMessage on aws_sqs_queue.out ($QUEUE_URL)" in message


def test_a_grant_on_another_queue_fails(tmp_path: Path) -> None:
    other = '[{ Effect = "Allow", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:*:*:in" }]'
    assert (verdict(tmp_path, SEND, other) or ("",))[0] == "failed"


def test_an_explicit_deny_or_a_boundary_refuses(tmp_path: Path) -> None:
    deny = '{ Effect = "Deny", Action = "sqs:*", Resource = "*" }'
    status, message = verdict(tmp_path, SEND, f"[{ALLOW_SEND}, {deny}]") or ("", "")
    assert status == "failed" and "explicit Deny" in message
    managed = 'permissions_boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"'
    assert (verdict(tmp_path, SEND, f"[{ALLOW_SEND}]", managed) or ("",))[0] == "failed"


def test_a_variable_only_apply_tells_is_unknown(tmp_path: Path) -> None:
    calls = 'SQS.send_message(QueueUrl=os.environ["HIDDEN"], MessageBody="m")'
    status, message = verdict(tmp_path, calls, f"[{ALLOW_SEND}]") or ("", "")
    assert status == "unknown" and "$HIDDEN" in message


def test_an_action_without_resource_level_permission_is_on_star(tmp_path: Path) -> None:
    star = '[{ Effect = "Allow", Action = "sqs:ListQueues", Resource = "*" }]'
    assert (verdict(tmp_path, "SQS.list_queues()", star) or ("",))[0] == "passed"
    scoped = '[{ Effect = "Allow", Action = "sqs:ListQueues", Resource = aws_sqs_queue.out.arn }]'
    assert (verdict(tmp_path, "SQS.list_queues()", scoped) or ("",))[0] == "failed"


def test_a_resource_not_read_from_the_call_is_never_a_certain_refusal(tmp_path: Path) -> None:
    literal = 'SQS.send_message(QueueUrl="https://example/q", MessageBody="m")'
    assert (verdict(tmp_path, literal, f"[{ALLOW_SEND}]") or ("",))[0] == "passed"
    none = '[{ Effect = "Allow", Action = "sqs:GetQueueUrl", Resource = "*" }]'
    assert (verdict(tmp_path, literal, none) or ("",))[0] == "unknown"


def test_an_unread_call_is_unknown(tmp_path: Path) -> None:
    calls = 'boto3.client(event["service"]).publish(Message="m")'
    assert (verdict(tmp_path, calls, f"[{ALLOW_SEND}]") or ("",))[0] == "unknown"


def test_object_keys_built_at_run_time(tmp_path: Path) -> None:
    put = 'S3.put_object(Bucket=os.environ["BUCKET"], Key=f"in/{event}", Body=b"")'
    whole = '[{ Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.b.arn}/*" }]'
    assert (verdict(tmp_path, put, whole) or ("",))[0] == "passed"
    part = (
        '[{ Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.b.arn}/x/*" }]'
    )
    assert (verdict(tmp_path, put.replace('f"in/', 'f"'), part) or ("",))[0] == "unknown"
    other = '[{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::other/*" }]'
    assert (verdict(tmp_path, put, other) or ("",))[0] == "failed"


def test_dynamodb_only_code_is_tap002_s(tmp_path: Path) -> None:
    calls = 'boto3.resource("dynamodb").Table("t").put_item(Item={})'
    assert verdict(tmp_path, calls, f"[{ALLOW_SEND}]") is None


# ------------------------------------------------------------------ the mutations, as data


def test_every_mutation_plants_a_wir006_failure_and_applies() -> None:
    from tests.stacks.families import EVENTS, HTTPAPI

    for stack, mutations in (
        (QUEUES, QUEUES.mutations),
        (EVENTS, EVENTS_CALLS),
        (HTTPAPI, HTTPAPI_CALLS),
    ):
        for mutation in mutations:
            assert "WIR006" in {rule for rule, _ in mutation.fails}, mutation.id
            stack.files(mutation)  # every edit's anchor is in its file
