"""WIR004 on small stacks in static mode: each writer ordered after its log group, or not.

The family stack `httpapi` plants the HTTP API case on real plans (`tests/test_corpus.py`);
these are the writers it does not carry: Step Functions and ECS services (awslogs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.run import CheckOptions, check_inputs
from tests.support.wiring import WIRING

GROUP = """
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/orders"
  retention_in_days = 14
}
"""

MACHINE = """
resource "aws_sfn_state_machine" "orders" {
  name       = "orders"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({ StartAt = "Done", States = { Done = { Type = "Succeed" } } })
  logging_configuration {
    log_destination        = DESTINATION
    include_execution_data = true
    level                  = "ALL"
  }
}
"""

SERVICE = """
resource "aws_ecs_task_definition" "web" {
  family                = "web"
  container_definitions = jsonencode([{
    name  = "web"
    image = "nginx"
    logConfiguration = {
      logDriver = "awslogs"
      options   = { "awslogs-group" = GROUPNAME, "awslogs-region" = "us-east-1" CREATE }
    }
  }])
}

resource "aws_ecs_service" "web" {
  name            = "web"
  task_definition = aws_ecs_task_definition.web.arn
  desired_count   = 1
}
"""


def verdicts(tmp_path: Path, text: str) -> set[tuple[str, str]]:
    (tmp_path / "main.tf").write_text(GROUP + text)
    report = check_inputs([str(tmp_path)], CheckOptions(), WIRING)
    return {(f.address, f.status) for f in report.findings if f.rule_id == "WIR004"}


@pytest.mark.parametrize(
    ("destination", "status"),
    [
        ('"${aws_cloudwatch_log_group.app.arn}:*"', "passed"),
        ('"arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:*"', "failed"),
    ],
)
def test_step_functions(tmp_path: Path, destination: str, status: str) -> None:
    found = verdicts(tmp_path, MACHINE.replace("DESTINATION", destination))
    assert found == {("aws_sfn_state_machine.orders", status)}


@pytest.mark.parametrize(
    ("group", "create", "expected"),
    [
        ("aws_cloudwatch_log_group.app.name", "", {("aws_ecs_service.web", "passed")}),
        ('"/app/orders"', "", {("aws_ecs_service.web", "failed")}),
        ('"/app/orders"', ', "awslogs-create-group" = "true"', set()),  # ECS creates it
        ('"/elsewhere"', "", set()),  # a group of another stack: not judged
    ],
)
def test_ecs_service_awslogs(
    tmp_path: Path, group: str, create: str, expected: set[tuple[str, str]]
) -> None:
    text = SERVICE.replace("GROUPNAME", group).replace(" CREATE", create)
    assert verdicts(tmp_path, text) == expected
