# An event-driven worker as a platform team wires it: one Lambda function, built
# outside Terraform into package/handler.zip and deployed from the file
# (filename + filebase64sha256), invoked by four AWS services. Each trigger is
# a pair: the service's resource that names the function (SNS subscription,
# EventBridge target, CloudWatch Logs subscription filter, S3 notification) and
# an aws_lambda_permission for that service's principal scoped to the source's
# ARN, with the trigger ordered after its permission by depends_on. The
# function's role gets its logging rights from a customer managed
# aws_iam_policy attached by aws_iam_role_policy_attachment, scoped to its own
# log group, which exists (CMK-encrypted, with retention) before the function.
# The bucket's settings live in their companion resources (force_destroy so
# that CI can destroy it though versioned); the key policy is an
# aws_kms_key_policy built from a local; variables come from terraform.tfvars.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.50"
    }
  }
}

variable "environment" {
  type = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "log_retention_days" {
  type    = number
  default = 14
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name     = "events-${var.environment}"
  account  = data.aws_caller_identity.current.account_id
  function = "${local.name}-dispatch"
  package  = "${path.module}/package/handler.zip"

  key_statements = [
    {
      Sid       = "AccountRoot"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account}:root" }
      Action    = "kms:*"
      Resource  = "*"
    },
    {
      Sid       = "CloudWatchLogs"
      Effect    = "Allow"
      Principal = { Service = "logs.${var.region}.amazonaws.com" }
      Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      Resource  = "*"
    },
    {
      Sid       = "Lambda"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      Resource  = "*"
    },
    {
      Sid       = "LambdaGrants"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "kms:CreateGrant"
      Resource  = "*"
      Condition = {
        StringEquals = { "kms:ViaService" = "lambda.${var.region}.amazonaws.com" }
        Bool         = { "kms:GrantIsForAWSResource" = "true" }
      }
    },
  ]
}

# ---------------------------------------------------------------- key

resource "aws_kms_key" "events" {
  description             = "${local.name} logs and objects"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_kms_key_policy" "events" {
  key_id = aws_kms_key.events.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.key_statements })
}

# ---------------------------------------------------------------- function

resource "aws_cloudwatch_log_group" "dispatch" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.events.arn
  depends_on        = [aws_kms_key_policy.events]
}

resource "aws_iam_role" "dispatch" {
  name = local.function
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_policy" "dispatch_logs" {
  name        = "${local.function}-logs"
  description = "write to the function's own log group"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "OwnLogGroup"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.dispatch.arn}:*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "dispatch_logs" {
  role       = aws_iam_role.dispatch.name
  policy_arn = aws_iam_policy.dispatch_logs.arn
}

resource "aws_lambda_function" "dispatch" {
  function_name    = local.function
  description      = "fans in SNS, EventBridge, CloudWatch Logs and S3 events"
  role             = aws_iam_role.dispatch.arn
  filename         = local.package
  source_code_hash = filebase64sha256(local.package)
  handler          = "index.handler"
  runtime          = "python3.12"
  timeout          = 30
  memory_size      = 256

  depends_on = [aws_cloudwatch_log_group.dispatch, aws_iam_role_policy_attachment.dispatch_logs]
}

# ---------------------------------------------------------------- SNS

resource "aws_sns_topic" "orders" {
  name = "${local.name}-orders"
}

resource "aws_lambda_permission" "sns_orders" {
  statement_id  = "AllowSNSOrders"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.dispatch.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.orders.arn
}

resource "aws_sns_topic_subscription" "orders" {
  topic_arn  = aws_sns_topic.orders.arn
  protocol   = "lambda"
  endpoint   = aws_lambda_function.dispatch.arn
  depends_on = [aws_lambda_permission.sns_orders]
}

# ---------------------------------------------------------------- EventBridge

resource "aws_cloudwatch_event_rule" "sweep" {
  name                = "${local.name}-sweep"
  description         = "periodic sweep of stale orders"
  schedule_expression = "rate(5 minutes)"
}

resource "aws_lambda_permission" "events_sweep" {
  statement_id  = "AllowEventBridgeSweep"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.dispatch.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.sweep.arn
}

resource "aws_cloudwatch_event_target" "sweep" {
  rule       = aws_cloudwatch_event_rule.sweep.name
  target_id  = "dispatch"
  arn        = aws_lambda_function.dispatch.arn
  depends_on = [aws_lambda_permission.events_sweep]
}

# ---------------------------------------------------------------- CloudWatch Logs subscription

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/${local.name}/orders"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.events.arn
  depends_on        = [aws_kms_key_policy.events]
}

resource "aws_lambda_permission" "logs_app" {
  statement_id  = "AllowLogsApp"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.dispatch.function_name
  principal     = "logs.amazonaws.com"
  source_arn    = "${aws_cloudwatch_log_group.app.arn}:*"
}

# CloudWatch Logs validates the destination when the filter is created.
resource "aws_cloudwatch_log_subscription_filter" "app" {
  name            = "${local.name}-orders-to-dispatch"
  log_group_name  = aws_cloudwatch_log_group.app.name
  filter_pattern  = ""
  destination_arn = aws_lambda_function.dispatch.arn
  depends_on      = [aws_lambda_permission.logs_app]
}

# ---------------------------------------------------------------- S3

resource "aws_s3_bucket" "inbox" {
  bucket        = "${local.name}-inbox-${local.account}"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "inbox" {
  bucket                  = aws_s3_bucket.inbox.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "inbox" {
  bucket = aws_s3_bucket.inbox.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "inbox" {
  bucket = aws_s3_bucket.inbox.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.events.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_policy" "inbox" {
  bucket = aws_s3_bucket.inbox.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.inbox.arn, "${aws_s3_bucket.inbox.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.inbox]
}

resource "aws_lambda_permission" "s3_inbox" {
  statement_id   = "AllowS3Inbox"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.dispatch.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.inbox.arn
  source_account = local.account
}

resource "aws_s3_bucket_notification" "inbox" {
  bucket = aws_s3_bucket.inbox.id
  lambda_function {
    id                  = "inbox-created"
    lambda_function_arn = aws_lambda_function.dispatch.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.s3_inbox]
}

# ---------------------------------------------------------------- outputs

output "environment" {
  value = var.environment
}

output "function_name" {
  value = aws_lambda_function.dispatch.function_name
}

output "function_arn" {
  value = aws_lambda_function.dispatch.arn
}

output "topic_arn" {
  value = aws_sns_topic.orders.arn
}

output "schedule_rule_arn" {
  value = aws_cloudwatch_event_rule.sweep.arn
}

output "app_log_group" {
  value = aws_cloudwatch_log_group.app.name
}

output "bucket" {
  value = aws_s3_bucket.inbox.bucket
}

output "bucket_arn" {
  value = aws_s3_bucket.inbox.arn
}

output "key_id" {
  value = aws_kms_key.events.key_id
}

output "key_arn" {
  value = aws_kms_key.events.arn
}
