# An HTTP API (API Gateway v2) and an SQS queue in front of one Lambda function,
# as a platform team writes it: the function is deployed from a zip built
# outside Terraform (package/handler.zip, filename + filebase64sha256); the
# route POST /items reaches it through an AWS_PROXY integration (payload 2.0)
# whose aws_lambda_permission for apigateway.amazonaws.com is scoped to the
# API's execution ARN and ordered before the integration; the $default stage
# auto-deploys and writes access logs to a log group it depends on. The queue
# feeds the function through an event source mapping, which Lambda authorises
# with the function's own role: its rights (logs on its own group, the three
# SQS actions on the queue) are aws_iam_policy_document data sources in
# aws_iam_role_policy resources, and the mapping depends on that policy. The
# key policy is inline in aws_kms_key; every log group is encrypted with it.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 6.0"
    }
  }
}

variable "stage" {
  type    = string
  default = "dev"
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Stack = "httpapi", Stage = var.stage }
  }
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  prefix   = "httpapi-${var.stage}"
  account  = data.aws_caller_identity.current.account_id
  region   = data.aws_region.current.name
  function = "${local.prefix}-items"
}

# ---------------------------------------------------------------- key

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "Lambda"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
  statement {
    sid       = "LambdaGrants"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description         = "${local.prefix} log groups"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.key.json
}

# ---------------------------------------------------------------- function

resource "aws_cloudwatch_log_group" "items" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.logs.arn
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "items" {
  name               = local.function
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "items_logs" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.items.arn}:*"]
  }
}

resource "aws_iam_role_policy" "items_logs" {
  name   = "logs"
  role   = aws_iam_role.items.id
  policy = data.aws_iam_policy_document.items_logs.json
}

resource "aws_lambda_function" "items" {
  function_name    = local.function
  role             = aws_iam_role.items.arn
  filename         = "${path.module}/package/handler.zip"
  source_code_hash = filebase64sha256("${path.module}/package/handler.zip")
  handler          = "index.handler"
  runtime          = "python3.12"
  timeout          = 30

  environment {
    variables = { STAGE = var.stage }
  }

  depends_on = [aws_cloudwatch_log_group.items, aws_iam_role_policy.items_logs]
}

# ---------------------------------------------------------------- HTTP API

resource "aws_apigatewayv2_api" "items" {
  name          = "${local.prefix}-items"
  protocol_type = "HTTP"
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowHttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.items.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.items.execution_arn}/*/*"
}

resource "aws_apigatewayv2_integration" "items" {
  api_id                 = aws_apigatewayv2_api.items.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.items.invoke_arn
  payload_format_version = "2.0"
  depends_on             = [aws_lambda_permission.api]
}

resource "aws_apigatewayv2_route" "post_items" {
  api_id    = aws_apigatewayv2_api.items.id
  route_key = "POST /items"
  target    = "integrations/${aws_apigatewayv2_integration.items.id}"
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${local.prefix}-items"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.items.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      sourceIp       = "$context.identity.sourceIp"
      routeKey       = "$context.routeKey"
      status         = "$context.status"
      integrationErr = "$context.integrationErrorMessage"
    })
  }

  depends_on = [aws_cloudwatch_log_group.api_access]
}

# ---------------------------------------------------------------- SQS

resource "aws_sqs_queue" "items" {
  name                       = "${local.prefix}-items"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 180
  message_retention_seconds  = 345600
}

data "aws_iam_policy_document" "items_queue" {
  statement {
    sid       = "ConsumeItemsQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.items.arn]
  }
}

resource "aws_iam_role_policy" "items_queue" {
  name   = "queue"
  role   = aws_iam_role.items.id
  policy = data.aws_iam_policy_document.items_queue.json
}

# Lambda checks the function's role when the mapping is created.
resource "aws_lambda_event_source_mapping" "items" {
  event_source_arn = aws_sqs_queue.items.arn
  function_name    = aws_lambda_function.items.arn
  batch_size       = 10
  enabled          = true
  depends_on       = [aws_iam_role_policy.items_queue]
}

# ---------------------------------------------------------------- outputs

output "stage" {
  value = var.stage
}

output "function_name" {
  value = aws_lambda_function.items.function_name
}

output "function_arn" {
  value = aws_lambda_function.items.arn
}

output "api_id" {
  value = aws_apigatewayv2_api.items.id
}

output "items_url" {
  value = "${aws_apigatewayv2_stage.default.invoke_url}items"
}

output "queue_url" {
  value = aws_sqs_queue.items.url
}

output "queue_arn" {
  value = aws_sqs_queue.items.arn
}

output "key_id" {
  value = aws_kms_key.logs.key_id
}

output "key_arn" {
  value = aws_kms_key.logs.arn
}
