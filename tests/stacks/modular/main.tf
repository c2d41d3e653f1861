# The TAP architecture written with a bucket module (for_each), standalone IAM
# policies with attachments and an AWS managed policy, aws_kms_key_policy with
# jsonencode, a prebuilt Lambda package and templatefile() user data.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
}

variable "env" {
  type    = string
  default = "mod"
}

provider "aws" {
  region = "us-east-1"
}

data "aws_caller_identity" "me" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  prefix  = "acme-${var.env}"
  account = data.aws_caller_identity.me.account_id
  region  = data.aws_region.current.name
  buckets = { uploads = "${local.prefix}-uploads-${local.account}", audit = "${local.prefix}-audit-${local.account}" }
}

resource "aws_kms_key" "data" {
  description         = "${local.prefix} data key"
  enable_key_rotation = true
}

resource "aws_kms_key_policy" "data" {
  key_id = aws_kms_key.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Root"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Logs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
      },
      {
        Sid       = "LambdaUse"
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
          StringEquals = { "kms:ViaService" = "lambda.${local.region}.amazonaws.com" }
          Bool         = { "kms:GrantIsForAWSResource" = "true" }
        }
      },
    ]
  })
}

module "bucket" {
  source      = "./modules/bucket"
  for_each    = local.buckets
  name        = each.value
  kms_key_arn = aws_kms_key.data.arn
}

resource "aws_dynamodb_table" "items" {
  name         = "${local.prefix}-items"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }
}

# ------------------------------------------------------------------ Lambda

resource "aws_iam_role" "fn" {
  name = "${local.prefix}-fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "fn_table" {
  name = "${local.prefix}-fn-table"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
        Resource = [aws_dynamodb_table.items.arn, "${aws_dynamodb_table.items.arn}/index/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource = aws_kms_key.data.arn
      },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "fn_table" {
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.fn_table.arn
}

resource "aws_iam_role_policy_attachment" "fn_logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/${local.prefix}-ingest"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
  depends_on        = [aws_kms_key_policy.data]
}

resource "aws_lambda_function" "ingest" {
  function_name    = "${local.prefix}-ingest"
  role             = aws_iam_role.fn.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = "${path.module}/dist/handler.zip"
  source_code_hash = filebase64sha256("${path.module}/dist/handler.zip")
  kms_key_arn      = aws_kms_key.data.arn
  environment {
    variables = { TABLE = aws_dynamodb_table.items.name }
  }
  depends_on = [aws_cloudwatch_log_group.fn, aws_iam_role_policy_attachment.fn_table]
}

resource "aws_lambda_permission" "from_uploads" {
  statement_id  = "S3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ingest.arn
  principal     = "s3.amazonaws.com"
  source_arn    = module.bucket["uploads"].arn
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = module.bucket["uploads"].id
  lambda_function {
    lambda_function_arn = aws_lambda_function.ingest.arn
    events              = ["s3:ObjectCreated:*"]
  }
  depends_on = [aws_lambda_permission.from_uploads]
}

# ------------------------------------------------------------------ API

resource "aws_api_gateway_rest_api" "api" {
  name = "${local.prefix}-api"
}

resource "aws_api_gateway_resource" "process" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "process"
}

resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.process.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.process.id
  http_method             = aws_api_gateway_method.post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.ingest.invoke_arn
}

resource "aws_lambda_permission" "from_api" {
  statement_id  = "ApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ingest.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/*"
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { integration = aws_api_gateway_integration.post.id }
  lifecycle {
    create_before_destroy = true
  }
  depends_on = [aws_api_gateway_integration.post]
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.prefix}"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
  depends_on        = [aws_kms_key_policy.data]
}

resource "aws_iam_role" "apigw" {
  name = "${local.prefix}-apigw-logs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "apigw" {
  role       = aws_iam_role.apigw.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.apigw.arn
  depends_on          = [aws_iam_role_policy_attachment.apigw]
}

resource "aws_api_gateway_stage" "live" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "live"
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format          = "$context.requestId $context.status"
  }
  depends_on = [aws_api_gateway_account.this]
}

# ------------------------------------------------------------------ EC2 proof

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

resource "aws_iam_role" "proof" {
  name = "${local.prefix}-proof"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "proof" {
  name = "${local.prefix}-proof"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:PutObject", Resource = "${module.bucket["uploads"].arn}/*" },
      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = aws_kms_key.data.arn },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "proof" {
  role       = aws_iam_role.proof.name
  policy_arn = aws_iam_policy.proof.arn
}

resource "aws_iam_instance_profile" "proof" {
  name = "${local.prefix}-proof"
  role = aws_iam_role.proof.name
}

resource "aws_instance" "proof" {
  ami                  = data.aws_ami.al2023.id
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.proof.name
  user_data = templatefile("${path.module}/templates/proof.sh.tftpl", {
    bucket  = module.bucket["uploads"].bucket
    region  = local.region
    key_arn = aws_kms_key.data.arn
  })
  depends_on = [aws_iam_role_policy_attachment.proof]
}

# ------------------------------------------------------------------ outputs

output "environment_suffix" {
  value = var.env
}

output "buckets" {
  value = { for k, m in module.bucket : k => m.bucket }
}

output "bucket_arns" {
  value = { for k, m in module.bucket : k => m.arn }
}

output "table" {
  value = { name = aws_dynamodb_table.items.name, arn = aws_dynamodb_table.items.arn }
}

output "function_name" {
  value = aws_lambda_function.ingest.function_name
}

output "function_arn" {
  value = aws_lambda_function.ingest.arn
}

output "api_id" {
  value = aws_api_gateway_rest_api.api.id
}

output "api_url" {
  value = "${aws_api_gateway_stage.live.invoke_url}/process"
}

output "kms_key_id" {
  value = aws_kms_key.data.key_id
}

output "kms_key_arn" {
  value = aws_kms_key.data.arn
}

output "instance_id" {
  value = aws_instance.proof.id
}

output "instance_public_ip" {
  value = aws_instance.proof.public_ip
}
