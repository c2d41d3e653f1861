# The TAP architecture as a platform team writes it with a release pipeline: the
# Lambda package is published to a shared artifact bucket by another pipeline
# (s3_bucket/s3_key), roles carry their policies inline (inline_policy blocks,
# managed_policy_arns), the buckets are two separate resources encrypted through
# a KMS alias, the key policy is jsonencode()d in a local, the deployment is
# ordered by its triggers, variables come from terraform.tfvars and every
# resource is tagged through the provider's default_tags.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
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

variable "artifact_bucket" {
  type = string
}

variable "artifact_key" {
  type = string
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Environment = var.environment, Stack = "inline" }
  }
}

data "aws_caller_identity" "this" {}

locals {
  name       = "inline-${var.environment}"
  account_id = data.aws_caller_identity.this.account_id
  function   = "${local.name}-worker"

  key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Root"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Logs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
      },
      {
        Sid       = "LambdaCrypto"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "LambdaGrant"
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
}

resource "aws_kms_key" "main" {
  description         = "${local.name} data"
  enable_key_rotation = true
  policy              = jsonencode(local.key_policy)
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}

# ---------------------------------------------------------------- buckets

resource "aws_s3_bucket" "uploads" {
  bucket        = "${local.name}-uploads-${local.account_id}"
  force_destroy = true
}

resource "aws_s3_bucket" "reports" {
  bucket        = "${local.name}-reports-${local.account_id}"
  force_destroy = true
}

resource "aws_s3_bucket_versioning" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "reports" {
  bucket = aws_s3_bucket.reports.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.main.arn
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.main.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket                  = aws_s3_bucket.reports.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.uploads.arn, "${aws_s3_bucket.uploads.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.uploads]
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.reports]
}

# ---------------------------------------------------------------- table

resource "aws_dynamodb_table" "jobs" {
  name         = "${local.name}-jobs"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "job_id"
  range_key    = "created_at"
  attribute {
    name = "job_id"
    type = "S"
  }
  attribute {
    name = "created_at"
    type = "N"
  }
  point_in_time_recovery {
    enabled = true
  }
}

# ---------------------------------------------------------------- worker

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 90
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "worker" {
  name = "${local.name}-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
  inline_policy {
    name = "jobs"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]
          Resource = aws_dynamodb_table.jobs.arn
        },
        {
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = "${aws_s3_bucket.uploads.arn}/*"
        },
        {
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = aws_kms_key.main.arn
        },
      ]
    })
  }
}

resource "aws_lambda_function" "worker" {
  function_name = local.function
  role          = aws_iam_role.worker.arn
  s3_bucket     = var.artifact_bucket
  s3_key        = var.artifact_key
  handler       = "index.handler"
  runtime       = "python3.12"
  timeout       = 30
  environment {
    variables = { TABLE_NAME = aws_dynamodb_table.jobs.name }
  }
  depends_on = [aws_cloudwatch_log_group.worker]
}

resource "aws_lambda_permission" "uploads" {
  statement_id   = "s3-uploads"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.worker.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.uploads.arn
  source_account = local.account_id
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    id                  = "new-upload"
    lambda_function_arn = aws_lambda_function.worker.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }
  depends_on = [aws_lambda_permission.uploads]
}

# ---------------------------------------------------------------- API

resource "aws_api_gateway_rest_api" "jobs" {
  name        = "${local.name}-jobs"
  description = "jobs API"
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.jobs.id
  parent_id   = aws_api_gateway_rest_api.jobs.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process" {
  rest_api_id   = aws_api_gateway_rest_api.jobs.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process" {
  rest_api_id             = aws_api_gateway_rest_api.jobs.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.worker.invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "api-process"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.jobs.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_deployment" "jobs" {
  rest_api_id = aws_api_gateway_rest_api.jobs.id
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.process.id,
      aws_api_gateway_method.process.id,
      aws_api_gateway_integration.process.id,
    ]))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "api_logging" {
  name = "${local.name}-api-logging"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]
}

resource "aws_api_gateway_account" "main" {
  cloudwatch_role_arn = aws_iam_role.api_logging.arn
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "API-Gateway-Access-Logs_${local.name}"
  retention_in_days = 90
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_api_gateway_stage" "main" {
  rest_api_id   = aws_api_gateway_rest_api.jobs.id
  deployment_id = aws_api_gateway_deployment.jobs.id
  stage_name    = var.environment
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId = "$context.requestId"
      ip        = "$context.identity.sourceIp"
      status    = "$context.status"
    })
  }
  depends_on = [aws_api_gateway_account.main]
}

# ---------------------------------------------------------------- EC2 proof

resource "aws_iam_policy" "reporter" {
  name = "${local.name}-reporter"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.reports.arn}/*" },
      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = aws_kms_key.main.arn },
    ]
  })
}

resource "aws_iam_role" "reporter" {
  name = "${local.name}-reporter"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
  managed_policy_arns = [aws_iam_policy.reporter.arn]
}

resource "aws_iam_instance_profile" "reporter" {
  name = "${local.name}-reporter"
  role = aws_iam_role.reporter.name
}

resource "aws_instance" "reporter" {
  ami                  = "ami-0c02fb55956c7d316"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.reporter.name
  user_data            = <<-EOT
    #!/bin/bash
    echo "report $(date)" > /tmp/report.txt
    aws s3 cp /tmp/report.txt s3://${aws_s3_bucket.reports.id}/reports/boot.txt || \
      aws s3api put-object --bucket ${aws_s3_bucket.reports.id} --key reports/boot.txt \
        --body /tmp/report.txt --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.main.arn}
  EOT
  tags = {
    Name = "${local.name}-reporter"
  }
}

# ---------------------------------------------------------------- outputs

output "environment" {
  value = var.environment
}

output "uploads_bucket" {
  value = aws_s3_bucket.uploads.bucket
}

output "uploads_bucket_arn" {
  value = aws_s3_bucket.uploads.arn
}

output "jobs_table" {
  value = aws_dynamodb_table.jobs.name
}

output "jobs_table_arn" {
  value = aws_dynamodb_table.jobs.arn
}

output "worker" {
  value = aws_lambda_function.worker.function_name
}

output "worker_arn" {
  value = aws_lambda_function.worker.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.jobs.id
}

output "process_url" {
  value = "${aws_api_gateway_stage.main.invoke_url}/process"
}

output "key_id" {
  value = aws_kms_key.main.key_id
}

output "key_arn" {
  value = aws_kms_key.main.arn
}

output "reporter" {
  value = { id = aws_instance.reporter.id, public_ip = aws_instance.reporter.public_ip }
}
