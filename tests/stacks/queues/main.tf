# A queue-driven worker as a platform team wires it: an SQS queue feeds one Lambda
# function through an event source mapping (Lambda polls with the function's role,
# so the role may read the queue, and the mapping is created after that policy).
# The function is zipped from src/handler.py by data.archive_file; its code archives
# each order to a bucket (BUCKET), announces it on an SNS topic (TOPIC_ARN) and
# forwards what it cannot parse to a rejects queue (DLQ_URL): the role grants
# exactly those calls on those resources, beside logging to its own log group,
# which exists (CMK-encrypted, with retention) before the function. The bucket's
# settings live in their companion resources, encrypted with the stack's key.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

variable "stage" {
  type    = string
  default = "ci"
}

provider "aws" {
  region = "us-east-1"
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  prefix   = "queues-${var.stage}"
  account  = data.aws_caller_identity.current.account_id
  region   = data.aws_region.current.name
  function = "${local.prefix}-worker"
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

resource "aws_kms_key" "worker" {
  description             = "${local.prefix} logs and archived orders"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.key.json
}

# ---------------------------------------------------------------- queues and topic

resource "aws_sqs_queue" "orders" {
  name                       = "${local.prefix}-orders"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 180
}

resource "aws_sqs_queue" "rejects" {
  name                      = "${local.prefix}-rejects"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_sns_topic" "processed" {
  name = "${local.prefix}-processed"
}

# ---------------------------------------------------------------- bucket

resource "aws_s3_bucket" "archive" {
  bucket        = "${local.prefix}-archive-${local.account}"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "archive" {
  bucket                  = aws_s3_bucket.archive.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "archive" {
  bucket = aws_s3_bucket.archive.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "archive" {
  bucket = aws_s3_bucket.archive.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.worker.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_policy" "archive" {
  bucket = aws_s3_bucket.archive.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.archive.arn, "${aws_s3_bucket.archive.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.archive]
}

# ---------------------------------------------------------------- function

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 14
  kms_key_id        = aws_kms_key.worker.arn
}

resource "aws_iam_role" "worker" {
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

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }
  statement {
    sid       = "ConsumeOrders"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.orders.arn]
  }
  statement {
    sid       = "ForwardRejects"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.rejects.arn]
  }
  statement {
    sid       = "AnnounceProcessed"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.processed.arn]
  }
  statement {
    sid       = "ArchiveOrders"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.archive.arn}/*"]
  }
  statement {
    sid       = "EncryptArchive"
    actions   = ["kms:GenerateDataKey"]
    resources = [aws_kms_key.worker.arn]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

data "archive_file" "worker" {
  type        = "zip"
  source_file = "${path.module}/src/handler.py"
  output_path = "${path.module}/build/handler.zip"
}

resource "aws_lambda_function" "worker" {
  function_name    = local.function
  role             = aws_iam_role.worker.arn
  filename         = data.archive_file.worker.output_path
  source_code_hash = data.archive_file.worker.output_base64sha256
  handler          = "handler.handler"
  runtime          = "python3.12"
  timeout          = 30

  environment {
    variables = {
      TOPIC_ARN = aws_sns_topic.processed.arn
      DLQ_URL   = aws_sqs_queue.rejects.url
      BUCKET    = aws_s3_bucket.archive.id
    }
  }

  depends_on = [aws_cloudwatch_log_group.worker, aws_iam_role_policy.worker]
}

# Lambda checks the function's role when the mapping is created.
resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.worker.arn
  batch_size       = 10
  enabled          = true
  depends_on       = [aws_iam_role_policy.worker]
}

# ---------------------------------------------------------------- outputs

output "stage" {
  value = var.stage
}

output "function_name" {
  value = aws_lambda_function.worker.function_name
}

output "function_arn" {
  value = aws_lambda_function.worker.arn
}

output "orders_queue_url" {
  value = aws_sqs_queue.orders.url
}

output "rejects_queue_url" {
  value = aws_sqs_queue.rejects.url
}

output "topic_arn" {
  value = aws_sns_topic.processed.arn
}

output "bucket" {
  value = aws_s3_bucket.archive.bucket
}

output "bucket_arn" {
  value = aws_s3_bucket.archive.arn
}

output "key_id" {
  value = aws_kms_key.worker.key_id
}

output "key_arn" {
  value = aws_kms_key.worker.arn
}
