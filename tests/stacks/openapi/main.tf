# The TAP architecture with a REST API defined by an OpenAPI document (the
# `body` of aws_api_gateway_rest_api, with x-amazon-apigateway-integration), on
# the terraform-aws-modules family vendored under modules/ (s3-bucket and its
# notification submodule, dynamodb-table, kms; see each VENDORED.md). The key
# policy reaches the kms module as source_policy_documents; the Lambda policy is
# a document whose table statement an override_policy_documents replaces.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.98"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "stage" {
  type    = string
  default = "prod"
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  name    = "oapi-${var.stage}"
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.name
}

# ------------------------------------------------------------------ KMS (incident 3)

data "aws_iam_policy_document" "key_services" {
  statement {
    sid       = "Logs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "LambdaCrypto"
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

module "kms" {
  source = "./modules/kms"

  description             = "${local.name} key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  source_policy_documents = [data.aws_iam_policy_document.key_services.json]
}

# ------------------------------------------------------ S3 (incidents 4, 5, 9, 11)

module "inbox" {
  source = "./modules/s3-bucket"

  bucket                                = "${local.name}-inbox-${local.account}"
  force_destroy                         = true
  attach_deny_insecure_transport_policy = true
  versioning                            = { enabled = true }
  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = module.kms.key_arn
      }
    }
  }
}

module "reports" {
  source = "./modules/s3-bucket"

  bucket                                = "${local.name}-reports-${local.account}"
  force_destroy                         = true
  attach_deny_insecure_transport_policy = true
  versioning                            = { enabled = true }
  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = module.kms.key_arn
      }
      bucket_key_enabled = true
    }
  }
}

module "inbox_notification" {
  source = "./modules/s3-bucket/modules/notification"

  bucket     = module.inbox.s3_bucket_id
  bucket_arn = module.inbox.s3_bucket_arn

  lambda_notifications = {
    worker = {
      function_arn  = aws_lambda_function.worker.arn
      function_name = aws_lambda_function.worker.function_name
      events        = ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"]
    }
  }
}

# ------------------------------------------------------------ DynamoDB (incident 10)

module "orders" {
  source = "./modules/dynamodb-table"

  name     = "${local.name}-orders"
  hash_key = "order_id"
  attributes = [
    { name = "order_id", type = "S" },
    { name = "customer", type = "S" },
  ]
  global_secondary_indexes = [
    { name = "by-customer", hash_key = "customer", projection_type = "ALL" },
  ]

  point_in_time_recovery_enabled     = true
  server_side_encryption_enabled     = true
  server_side_encryption_kms_key_arn = module.kms.key_arn
}

# -------------------------------------------------------- Lambda (incidents 2, 6, 8)

data "archive_file" "worker" {
  type        = "zip"
  output_path = "${path.module}/.build/worker.zip"
  source {
    content  = file("${path.module}/lambda/app.py")
    filename = "app.py"
  }
}

resource "aws_iam_role" "worker" {
  name = "${local.name}-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "logging" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }
}

data "aws_iam_policy_document" "orders_full" {
  statement {
    sid       = "Orders"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
    resources = [module.orders.dynamodb_table_arn, "${module.orders.dynamodb_table_arn}/index/*"]
  }
}

# The platform baseline grants reads only; this stack's override replaces the
# "Orders" statement (same sid) with the calls its handler makes.
data "aws_iam_policy_document" "worker" {
  source_policy_documents   = [data.aws_iam_policy_document.logging.json]
  override_policy_documents = [data.aws_iam_policy_document.orders_full.json]

  statement {
    sid       = "Orders"
    actions   = ["dynamodb:GetItem"]
    resources = [module.orders.dynamodb_table_arn]
  }
  statement {
    sid       = "Key"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.kms.key_arn]
  }
}

resource "aws_iam_role_policy" "worker" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/${local.name}-worker"
  retention_in_days = 14
  kms_key_id        = module.kms.key_arn
}

resource "aws_lambda_function" "worker" {
  function_name    = "${local.name}-worker"
  role             = aws_iam_role.worker.arn
  runtime          = "python3.12"
  handler          = "app.lambda_handler"
  filename         = data.archive_file.worker.output_path
  source_code_hash = data.archive_file.worker.output_base64sha256
  kms_key_arn      = module.kms.key_arn

  environment {
    variables = { ORDERS_TABLE = module.orders.dynamodb_table_id }
  }

  depends_on = [aws_cloudwatch_log_group.worker]
}

# ------------------------------------------- API Gateway by OpenAPI (incidents 7, 13, 14)

resource "aws_api_gateway_rest_api" "orders" {
  name = "${local.name}-orders"
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "${local.name}-orders", version = "1.0" }
    paths = {
      "/process" = {
        post = {
          responses = { "200" = { description = "processed" } }
          "x-amazon-apigateway-integration" = {
            type                 = "aws_proxy"
            httpMethod           = "POST"
            uri                  = aws_lambda_function.worker.invoke_arn
            payloadFormatVersion = "1.0"
          }
        }
      }
    }
  })

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowOrdersApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.orders.execution_arn}/*/POST/process"
}

# The deployment snapshots the API the body defines: redeployed when the body changes.
resource "aws_api_gateway_deployment" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  triggers = {
    redeployment = sha1(aws_api_gateway_rest_api.orders.body)
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "apigw_cloudwatch" {
  name = "${local.name}-apigw-cloudwatch"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "apigw_cloudwatch" {
  role       = aws_iam_role.apigw_cloudwatch.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "current" {
  cloudwatch_role_arn = aws_iam_role.apigw_cloudwatch.arn
  depends_on          = [aws_iam_role_policy_attachment.apigw_cloudwatch]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${local.name}-orders/access"
  retention_in_days = 14
  kms_key_id        = module.kms.key_arn
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  deployment_id = aws_api_gateway_deployment.orders.id
  stage_name    = var.stage
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = "$context.requestId $context.httpMethod $context.resourcePath $context.status"
  }
  depends_on = [aws_api_gateway_account.current]
}

# ------------------------------------------------------------ EC2 proof (incident 12)

resource "aws_iam_role" "reporter" {
  name = "${local.name}-reporter"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "reporter" {
  role = aws_iam_role.reporter.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutObject", Resource = "${module.reports.s3_bucket_arn}/*" },
      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = module.kms.key_arn },
    ]
  })
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
    date > /tmp/report
    aws s3 cp /tmp/report s3://${module.reports.s3_bucket_id}/boot/report || \
      aws s3api put-object --bucket ${module.reports.s3_bucket_id} --key boot/report --body /tmp/report \
        --server-side-encryption aws:kms --ssekms-key-id ${module.kms.key_arn}
  EOT
}

# ------------------------------------------------------------------ outputs (incident 15)

output "stage" {
  value = var.stage
}

output "inbox_bucket" {
  value = module.inbox.s3_bucket_id
}

output "inbox_bucket_arn" {
  value = module.inbox.s3_bucket_arn
}

output "orders_table" {
  value = module.orders.dynamodb_table_id
}

output "orders_table_arn" {
  value = module.orders.dynamodb_table_arn
}

output "worker_name" {
  value = aws_lambda_function.worker.function_name
}

output "worker_arn" {
  value = aws_lambda_function.worker.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.orders.id
}

output "api_url" {
  value = "${aws_api_gateway_stage.prod.invoke_url}/process"
}

output "key_id" {
  value = module.kms.key_id
}

output "key_arn" {
  value = module.kms.key_arn
}

output "reporter_id" {
  value = aws_instance.reporter.id
}

output "reporter_ip" {
  value = aws_instance.reporter.public_ip
}
