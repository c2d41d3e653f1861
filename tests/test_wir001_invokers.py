"""WIR001 on small stacks in static mode, for the invokers the family stacks do not carry:
ALB target groups, Cognito triggers, IoT rules (AWS validates the ALB's permission when the
target is registered: its attachment must depend on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.run import CheckOptions, check_inputs
from tests.support.wiring import WIRING

FUNCTION = """
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_lambda_function" "fn" {
  function_name    = "fn"
  role             = aws_iam_role.fn.arn
  handler          = "index.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
}

resource "aws_lambda_permission" "invoke" {
  statement_id  = "AllowInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = PRINCIPAL
  source_arn    = SOURCE
}
"""

ALB = """
resource "aws_lb_target_group" "fn" {
  name        = "fn"
  target_type = "lambda"
}

resource "aws_lb_target_group_attachment" "fn" {
  target_group_arn = aws_lb_target_group.fn.arn
  target_id        = aws_lambda_function.fn.arn
  DEPENDS
}
"""

COGNITO = """
resource "aws_cognito_user_pool" "users" {
  name = "users"
  lambda_config {
    pre_sign_up = aws_lambda_function.fn.arn
  }
}
"""

IOT = """
resource "aws_iot_topic_rule" "telemetry" {
  name        = "telemetry"
  enabled     = true
  sql         = "SELECT * FROM 'telemetry'"
  sql_version = "2016-03-23"
  lambda {
    function_arn = aws_lambda_function.fn.arn
  }
}
"""

CASES = [
    # (stack, principal, source_arn, depends_on, address, verdict)
    (ALB, "elasticloadbalancing.amazonaws.com", "aws_lb_target_group.fn.arn",
     "depends_on = [aws_lambda_permission.invoke]", "aws_lb_target_group_attachment.fn", "passed"),
    (ALB, "elasticloadbalancing.amazonaws.com", "aws_lb_target_group.fn.arn", "",
     "aws_lb_target_group_attachment.fn", "failed"),  # AWS checks it at registration
    (ALB, "elasticloadbalancing.amazonaws.com", '"arn:aws:elasticloadbalancing:*:*:targetgroup/other/*"',
     "depends_on = [aws_lambda_permission.invoke]", "aws_lb_target_group_attachment.fn", "failed"),
    (COGNITO, "cognito-idp.amazonaws.com", "aws_cognito_user_pool.users.arn", "",
     "aws_cognito_user_pool.users", "passed"),
    (COGNITO, "cognito-sync.amazonaws.com", "aws_cognito_user_pool.users.arn", "",
     "aws_cognito_user_pool.users", "failed"),
    (IOT, "iot.amazonaws.com", "aws_iot_topic_rule.telemetry.arn", "",
     "aws_iot_topic_rule.telemetry", "passed"),
    (IOT, "iot.amazonaws.com", "aws_cognito_user_pool.other.arn", "",
     "aws_iot_topic_rule.telemetry", "failed"),
]  # fmt: skip


@pytest.mark.parametrize(("stack", "principal", "source", "depends", "address", "verdict"), CASES)
def test_invoker(
    tmp_path: Path,
    stack: str,
    principal: str,
    source: str,
    depends: str,
    address: str,
    verdict: str,
) -> None:
    text = FUNCTION.replace("PRINCIPAL", f'"{principal}"').replace("SOURCE", source)
    text += stack.replace("DEPENDS", depends)
    if "aws_cognito_user_pool.other" in source:
        text += 'resource "aws_cognito_user_pool" "other" {\n  name = "other"\n}\n'
    (tmp_path / "main.tf").write_text(text)
    report = check_inputs([str(tmp_path)], CheckOptions(), WIRING)
    found = {(f.address, f.status) for f in report.findings if f.rule_id == "WIR001"}
    assert found == {(address, verdict)}, [f.message for f in report.findings]
