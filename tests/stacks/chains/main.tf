# The TAP architecture written with for_each chains over resources (companions
# keyed by the buckets they belong to), heredoc JSON policies, an inline role
# policy, a Lambda zipped from one file by archive_file, log groups by for_each, a
# counted EC2 instance and outputs through for expressions.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "name" {
  type    = string
  default = "chain"
}

data "aws_caller_identity" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  fn_name   = "${var.name}-worker"
  log_names = { fn = "/aws/lambda/${local.fn_name}", api = "/aws/apigateway/${var.name}" }
}

resource "aws_kms_key" "main" {
  description         = "${var.name} key"
  enable_key_rotation = true
  policy              = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Admin",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::${local.account}:root"},
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "Logs",
          "Effect": "Allow",
          "Principal": {"Service": "logs.${var.region}.amazonaws.com"},
          "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
          "Resource": "*"
        },
        {
          "Sid": "Lambda",
          "Effect": "Allow",
          "Principal": {"Service": "lambda.amazonaws.com"},
          "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
          "Resource": "*"
        },
        {
          "Sid": "LambdaGrant",
          "Effect": "Allow",
          "Principal": {"Service": "lambda.amazonaws.com"},
          "Action": "kms:CreateGrant",
          "Resource": "*",
          "Condition": {
            "StringEquals": {"kms:ViaService": "lambda.${var.region}.amazonaws.com"},
            "Bool": {"kms:GrantIsForAWSResource": "true"}
          }
        }
      ]
    }
  JSON
}

# ---------------------------------------------------------------- buckets

resource "aws_s3_bucket" "this" {
  for_each      = toset(["ingest", "archive"])
  bucket        = "${var.name}-${each.key}-${local.account}"
  force_destroy = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "this" {
  for_each   = aws_s3_bucket.this
  bucket     = each.value.id
  depends_on = [aws_s3_bucket_public_access_block.this]
  policy     = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "HttpsOnly",
          "Effect": "Deny",
          "Principal": "*",
          "Action": "s3:*",
          "Resource": ["${each.value.arn}", "${each.value.arn}/*"],
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }
      ]
    }
  JSON
}

# ---------------------------------------------------------------- data

resource "aws_dynamodb_table" "events" {
  name         = "${var.name}-events"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}

# ---------------------------------------------------------------- Lambda

resource "aws_cloudwatch_log_group" "logs" {
  for_each          = local.log_names
  name              = each.value
  retention_in_days = 14
  kms_key_id        = aws_kms_key.main.arn
}

data "archive_file" "worker" {
  type        = "zip"
  source_file = "${path.module}/src/app.py"
  output_path = "${path.module}/build/worker.zip"
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = <<-JSON
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
  JSON
}

resource "aws_iam_role_policy" "worker" {
  name   = "worker"
  role   = aws_iam_role.worker.id
  policy = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
          "Resource": "${aws_dynamodb_table.events.arn}"
        },
        {
          "Effect": "Allow",
          "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
          "Resource": "${aws_cloudwatch_log_group.logs["fn"].arn}:*"
        }
      ]
    }
  JSON
}

resource "aws_lambda_function" "worker" {
  function_name    = local.fn_name
  role             = aws_iam_role.worker.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = data.archive_file.worker.output_path
  source_code_hash = data.archive_file.worker.output_base64sha256
  environment {
    variables = { TABLE = aws_dynamodb_table.events.name }
  }
  depends_on = [aws_cloudwatch_log_group.logs, aws_iam_role_policy.worker]
}

resource "aws_lambda_permission" "s3" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.worker.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.this["ingest"].arn
  source_account = local.account
}

resource "aws_s3_bucket_notification" "ingest" {
  bucket = aws_s3_bucket.this["ingest"].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.worker.arn
    events              = ["s3:ObjectCreated:Put"]
    filter_suffix       = ".json"
  }
  depends_on = [aws_lambda_permission.s3]
}

# ---------------------------------------------------------------- API

resource "aws_api_gateway_rest_api" "api" {
  name = "${var.name}-api"
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "process" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "process" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.process.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.worker.invoke_arn
}

resource "aws_lambda_permission" "api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.worker.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  depends_on  = [aws_api_gateway_integration.process]
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "apigw" {
  name               = "${var.name}-apigw"
  assume_role_policy = <<-JSON
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "apigateway.amazonaws.com"}}]}
  JSON
}

resource "aws_iam_role_policy_attachment" "apigw" {
  role       = aws_iam_role.apigw.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "account" {
  cloudwatch_role_arn = aws_iam_role.apigw.arn
  depends_on          = [aws_iam_role_policy_attachment.apigw]
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.logs["api"].arn
    format          = jsonencode({ id = "$context.requestId", status = "$context.status" })
  }
  depends_on = [aws_api_gateway_account.account]
}

# ---------------------------------------------------------------- EC2 proof

resource "aws_iam_role" "writer" {
  name               = "${var.name}-writer"
  assume_role_policy = <<-JSON
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}
  JSON
}

resource "aws_iam_role_policy" "writer" {
  role   = aws_iam_role.writer.id
  policy = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "${aws_s3_bucket.this["ingest"].arn}/*"},
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "${aws_kms_key.main.arn}"}
      ]
    }
  JSON
}

resource "aws_iam_instance_profile" "writer" {
  role = aws_iam_role.writer.name
}

data "aws_ami" "linux" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-*"]
  }
}

resource "aws_instance" "writer" {
  count                = 1
  ami                  = data.aws_ami.linux.id
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.writer.name
  user_data            = <<-SH
    #!/bin/bash
    echo ok > /tmp/p.txt
    aws s3 cp /tmp/p.txt s3://${aws_s3_bucket.this["ingest"].bucket}/p.json || \
      aws s3api put-object --bucket ${aws_s3_bucket.this["ingest"].bucket} --key p.json --body /tmp/p.txt \
        --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.main.arn}
  SH
  depends_on = [aws_iam_role_policy.writer]
}

# ---------------------------------------------------------------- outputs

output "name" {
  value = var.name
}

output "bucket_names" {
  value = { for k, b in aws_s3_bucket.this : k => b.bucket }
}

output "bucket_arns" {
  value = [for b in aws_s3_bucket.this : b.arn]
}

output "table_name" {
  value = aws_dynamodb_table.events.name
}

output "table_arn" {
  value = aws_dynamodb_table.events.arn
}

output "function" {
  value = { name = aws_lambda_function.worker.function_name, arn = aws_lambda_function.worker.arn }
}

output "api_id" {
  value = aws_api_gateway_rest_api.api.id
}

output "api_url" {
  value = aws_api_gateway_stage.prod.invoke_url
}

output "key" {
  value = { id = aws_kms_key.main.key_id, arn = aws_kms_key.main.arn }
}

output "instances" {
  value = [for i in aws_instance.writer : { id = i.id, ip = i.public_ip }]
}
